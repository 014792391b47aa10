//! Whether bytes are WKB that DuckDB stores as they are in a GEOMETRY
//! column. DuckDB's appender writes a GEOMETRY value's bytes unchecked,
//! while its cast from BLOB checks them and rewrites big-endian and
//! extended (EWKB) forms; so an appended value must already be in the
//! form DuckDB stores: ISO WKB, little-endian throughout, of the seven
//! standard types, with one Z/M layout, and nothing after it.

/// Collections nested deeper than this DuckDB refuses.
const MAX_DEPTH: usize = 16;

/// Why `bytes` are not WKB that DuckDB stores as they are; `None` when
/// they are.
pub fn wkb_problem(bytes: &[u8]) -> Option<String> {
    check(bytes).err()
}

fn check(bytes: &[u8]) -> Result<(), String> {
    let mut reader = Reader { bytes, at: 0 };
    // Per open collection: parts still to read, and the type they must have
    // (0 for any).
    let mut open: Vec<(u32, u32)> = Vec::new();
    let mut dimensions = None;
    loop {
        let mut required = 0;
        if let Some((remaining, part_type)) = open.last_mut() {
            if *remaining == 0 {
                open.pop();
                continue;
            }
            *remaining -= 1;
            required = *part_type;
        } else if dimensions.is_some() {
            break;
        }
        if open.len() >= MAX_DEPTH {
            return Err(format!("collections nested deeper than {MAX_DEPTH}"));
        }
        if reader.u8()? != 1 {
            return Err(format!(
                "a big-endian part at byte {}: append little-endian WKB, or insert it with `$1::GEOMETRY`, which converts it",
                reader.at - 1
            ));
        }
        let meta = reader.u32()?;
        if meta > 0xFFFF {
            return Err(format!(
                "extended (EWKB) flags at byte {}: append ISO WKB, or insert it with `$1::GEOMETRY`, which converts it",
                reader.at - 4
            ));
        }
        let (type_id, flags) = (meta % 1000, meta / 1000);
        if flags > 3 || !(1..=7).contains(&type_id) {
            return Err(format!("geometry type {meta} at byte {} is not one of WKB's", reader.at - 4));
        }
        if *dimensions.get_or_insert(flags) != flags {
            return Err(format!("a part at byte {} has other Z/M dimensions than the geometry", reader.at - 4));
        }
        if required != 0 && type_id != required {
            return Err(format!(
                "a part of type {type_id} at byte {} in a collection of type {}",
                reader.at - 4,
                required + 3
            ));
        }
        let vertex = 8 * (2 + (flags & 1) + (flags >> 1)) as usize;
        match type_id {
            1 => reader.skip(vertex)?,
            2 => {
                let vertices = reader.u32()?;
                reader.skip(vertices as usize * vertex)?;
            }
            3 => {
                for _ in 0..reader.u32()? {
                    let vertices = reader.u32()?;
                    reader.skip(vertices as usize * vertex)?;
                }
            }
            _ => {
                let parts = reader.u32()?;
                open.push((parts, if type_id == 7 { 0 } else { type_id - 3 }));
            }
        }
    }
    if reader.at != bytes.len() {
        return Err(format!("{} byte(s) after the end of the geometry", bytes.len() - reader.at));
    }
    Ok(())
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| format!("the WKB ends at byte {}, inside a geometry", self.bytes.len()))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn skip(&mut self, n: usize) -> Result<(), String> {
        self.take(n).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The WKB of each geometry, as DuckDB writes it (`g::BLOB`).
    fn duckdb_wkb(wkt: &str) -> Vec<u8> {
        let conn = crate::ffi::Database::open(":memory:", &Default::default()).unwrap().connect().unwrap();
        let mut stmt = conn.prepare(&format!("SELECT '{wkt}'::GEOMETRY::BLOB")).unwrap();
        let mut result = stmt.execute(false).unwrap();
        let ty = result.columns()[0].ty.clone();
        let chunk = result.next_chunk().unwrap().unwrap();
        let bytes = chunk.column(0, &ty).unwrap().bytes(0).unwrap().to_vec();
        bytes
    }

    #[test]
    fn what_duckdb_writes_is_accepted_and_nothing_else() {
        for wkt in [
            "POINT(1 2)",
            "POINT EMPTY",
            "POINT Z(1 2 3)",
            "POINT ZM(1 2 3 4)",
            "LINESTRING(0 0, 1 1, 2 3)",
            "POLYGON((0 0, 1 0, 1 1, 0 0), (0.2 0.2, 0.3 0.2, 0.3 0.3, 0.2 0.2))",
            "MULTIPOINT((1 2), (3 4))",
            "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))",
            "GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1), GEOMETRYCOLLECTION(POINT(5 5)))",
        ] {
            let wkb = duckdb_wkb(wkt);
            assert_eq!(wkb_problem(&wkb), None, "{wkt}");
            assert!(wkb_problem(&wkb[..wkb.len() - 1]).unwrap().contains("the WKB ends"), "{wkt} truncated");
            let mut trailing = wkb.clone();
            trailing.push(0);
            assert!(wkb_problem(&trailing).unwrap().contains("after the end"), "{wkt} with a trailing byte");
        }
        let point = duckdb_wkb("POINT(1 2)");
        let mut big_endian = vec![0, 0, 0, 0, 1];
        big_endian.extend(point[5..].chunks(8).flat_map(|c| c.iter().rev().copied().collect::<Vec<_>>()));
        assert!(wkb_problem(&big_endian).unwrap().contains("big-endian"));
        let mut ewkb = point.clone();
        ewkb[4] = 0x20; // the SRID flag
        assert!(wkb_problem(&ewkb).unwrap().contains("EWKB"));
        let mut unknown = point.clone();
        unknown[1] = 8;
        assert!(wkb_problem(&unknown).unwrap().contains("not one of WKB's"));
        assert!(wkb_problem(&[]).unwrap().contains("the WKB ends"));
        // A MULTIPOINT holds points only.
        let mut multi = duckdb_wkb("MULTIPOINT((1 2))");
        multi[10] = 2;
        assert!(wkb_problem(&multi).unwrap().contains("in a collection of type 4"), "{:?}", wkb_problem(&multi));
    }
}
