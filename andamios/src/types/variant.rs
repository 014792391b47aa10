//! VARIANT values. DuckDB stores a row of a VARIANT column as a tree of
//! typed values (see [`ColumnRef::child`] for its parts): each value has a
//! type id and an offset into the row's bytes, where a scalar keeps its
//! bytes and an object or array the number and position of its children.
//! [`variant_value`] reads the tree as a [`Value`]: objects as structs whose
//! fields are VARIANTs, in key order, arrays as lists of VARIANTs.

use super::decode::{DecodeError, UUID_FLIP};
use super::temporal::micros_of_timestamp;
use andamios_core::ffi::ColumnRef;
use andamios_core::{time_tz_from_bits, BigNum, BitString, Decimal, DuckType, Value};
use std::ops::Range;

/// How deep a tree is followed: deeper nesting is refused, so that a
/// malformed tree whose children lead back up cannot recurse without end.
const MAX_DEPTH: usize = 1_000;

/// Row `row` of a VARIANT column as a [`Value`]: a row that holds one
/// (callers decide what a NULL row is), though a NULL inside it is
/// [`Value::Null`].
pub(crate) fn variant_value(column: &ColumnRef<'_>, row: usize) -> Result<Value, DecodeError> {
    Tree::of_row(column, row)?.value(0, 0)
}

/// One row's tree: ranges of the parts' lists that belong to the row, and
/// its bytes.
struct Tree<'c, 'a> {
    keys: &'c ColumnRef<'a>,
    keys_at: Range<usize>,
    key_indexes: &'c ColumnRef<'a>,
    value_indexes: &'c ColumnRef<'a>,
    children_at: Range<usize>,
    type_ids: &'c ColumnRef<'a>,
    byte_offsets: &'c ColumnRef<'a>,
    values_at: Range<usize>,
    bytes: &'a [u8],
}

fn malformed(what: impl std::fmt::Display) -> DecodeError {
    DecodeError::OutOfRange(format!("a malformed VARIANT value: {what}"))
}

fn part<'c, 'a>(column: &'c ColumnRef<'a>, index: usize) -> Result<&'c ColumnRef<'a>, DecodeError> {
    column.child(index).ok_or(DecodeError::Mismatch)
}

impl<'c, 'a> Tree<'c, 'a> {
    fn of_row(column: &'c ColumnRef<'a>, row: usize) -> Result<Self, DecodeError> {
        let [keys, children, values, data] = [0, 1, 2, 3].map(|i| part(column, i));
        let (keys, children, values, data) = (keys?, children?, values?, data?);
        let range = |list: &ColumnRef<'_>, what| list.list_range(row).ok_or_else(|| malformed(what));
        let (child, value) = (part(children, 0)?, part(values, 0)?);
        Ok(Tree {
            keys: part(keys, 0)?,
            keys_at: range(keys, "its keys")?,
            key_indexes: part(child, 0)?,
            value_indexes: part(child, 1)?,
            children_at: range(children, "its children")?,
            type_ids: part(value, 0)?,
            byte_offsets: part(value, 1)?,
            values_at: range(values, "its values")?,
            bytes: data.bytes(row).unwrap_or_default(),
        })
    }

    /// Value `index` of the row (0 is the root), `depth` levels down.
    fn value(&self, index: usize, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(malformed(format!("nested more than {MAX_DEPTH} levels deep")));
        }
        let at = nth(&self.values_at, index).ok_or_else(|| malformed(format!("no value {index}")))?;
        let type_id = self.type_ids.get::<u8>(at).ok_or_else(|| malformed("a value without a type"))?;
        let offset = self.byte_offsets.get::<u32>(at).ok_or_else(|| malformed("a value without an offset"))?;
        let mut bytes = Bytes(self.bytes.get(offset as usize..).ok_or_else(|| malformed("an offset past its bytes"))?);
        let timestamp = |raw: i64, ty: DuckType| micros_of_timestamp(raw, &ty);
        Ok(match type_id {
            0 => Value::Null,
            1 => Value::Boolean(true),
            2 => Value::Boolean(false),
            3 => Value::TinyInt(i8::from_le_bytes(bytes.array()?)),
            4 => Value::SmallInt(i16::from_le_bytes(bytes.array()?)),
            5 => Value::Integer(i32::from_le_bytes(bytes.array()?)),
            6 => Value::BigInt(i64::from_le_bytes(bytes.array()?)),
            7 => Value::HugeInt(i128::from_le_bytes(bytes.array()?)),
            8 => Value::UTinyInt(u8::from_le_bytes(bytes.array()?)),
            9 => Value::USmallInt(u16::from_le_bytes(bytes.array()?)),
            10 => Value::UInteger(u32::from_le_bytes(bytes.array()?)),
            11 => Value::UBigInt(u64::from_le_bytes(bytes.array()?)),
            12 => Value::UHugeInt(u128::from_le_bytes(bytes.array()?)),
            13 => Value::Float(f32::from_le_bytes(bytes.array()?)),
            14 => Value::Double(f64::from_le_bytes(bytes.array()?)),
            15 => {
                let (width, scale) = (bytes.varint()?, bytes.varint()?);
                let mantissa = match width {
                    0..=4 => i128::from(i16::from_le_bytes(bytes.array()?)),
                    5..=9 => i128::from(i32::from_le_bytes(bytes.array()?)),
                    10..=18 => i128::from(i64::from_le_bytes(bytes.array()?)),
                    _ => i128::from_le_bytes(bytes.array()?),
                };
                let scale = u8::try_from(scale).map_err(|_| malformed(format!("a DECIMAL of scale {scale}")))?;
                Value::Decimal(Decimal::new(mantissa, scale))
            }
            16 => {
                let text = std::str::from_utf8(bytes.sized()?).map_err(|e| malformed(format!("invalid UTF-8: {e}")))?;
                Value::Varchar(text.to_owned())
            }
            17 => Value::Blob(bytes.sized()?.to_vec()),
            18 => Value::Uuid(u128::from_le_bytes(bytes.array()?) ^ UUID_FLIP),
            19 => Value::Date(i32::from_le_bytes(bytes.array()?)),
            20 => Value::Time(i64::from_le_bytes(bytes.array()?)),
            21 => Value::TimeNs(i64::from_le_bytes(bytes.array()?)),
            22 => Value::Timestamp(timestamp(i64::from_le_bytes(bytes.array()?), DuckType::TimestampS)?),
            23 => Value::Timestamp(timestamp(i64::from_le_bytes(bytes.array()?), DuckType::TimestampMs)?),
            24 => Value::Timestamp(i64::from_le_bytes(bytes.array()?)),
            25 => Value::TimestampNs(i64::from_le_bytes(bytes.array()?)),
            26 => {
                let (micros, offset_seconds) = time_tz_from_bits(u64::from_le_bytes(bytes.array()?));
                Value::TimeTz { micros, offset_seconds }
            }
            27 => Value::TimestampTz(i64::from_le_bytes(bytes.array()?)),
            28 => Value::Interval {
                months: i32::from_le_bytes(bytes.array()?),
                days: i32::from_le_bytes(bytes.array()?),
                micros: i64::from_le_bytes(bytes.array()?),
            },
            29 => {
                let mut members = Vec::new();
                for child in self.children(&mut bytes)? {
                    let key = nth(&self.keys_at, self.index(self.key_indexes, child)?)
                        .and_then(|at| self.keys.text(at))
                        .and_then(Result::ok)
                        .ok_or_else(|| malformed("an object's key"))?;
                    members.push((key, self.value(self.index(self.value_indexes, child)?, depth + 1)?));
                }
                // In key order, as DuckDB reads an object (its text, its
                // JSON, a cast to a STRUCT), whatever order it was built in.
                members.sort_by_key(|(key, _)| *key);
                let (fields, values) =
                    members.into_iter().map(|(key, value)| ((key.to_owned(), DuckType::Variant), value)).unzip();
                Value::Struct { ty: DuckType::Struct { fields }, values }
            }
            30 => {
                let items = self
                    .children(&mut bytes)?
                    .map(|child| self.value(self.index(self.value_indexes, child)?, depth + 1))
                    .collect::<Result<_, _>>()?;
                Value::List { element: DuckType::Variant, items }
            }
            31 => {
                let stored = bytes.sized()?;
                Value::BigNum(BigNum::from_storage(stored).ok_or_else(|| malformed("a BIGNUM's bytes"))?)
            }
            32 => {
                let stored = bytes.sized()?;
                Value::Bit(BitString::from_storage(stored).ok_or_else(|| malformed("a BIT value's bytes"))?)
            }
            33 => Value::Geometry(bytes.sized()?.to_vec()),
            34 => Value::TimestampTzNs(i64::from_le_bytes(bytes.array()?)),
            other => {
                return Err(DecodeError::OutOfRange(format!(
                    "a VARIANT holding a value of type id {other}, which this version of Andamios does not know; \
                     cast it in SQL: `col::JSON` or `col::VARCHAR`"
                )))
            }
        })
    }

    /// The positions, in the children's list, of an object's or array's
    /// children: a count and, when there are some, where they start.
    fn children(&self, bytes: &mut Bytes<'_>) -> Result<Range<usize>, DecodeError> {
        let count = bytes.varint()? as usize;
        let first = if count == 0 { 0 } else { bytes.varint()? as usize };
        if first.checked_add(count).is_none_or(|end| end > self.children_at.len()) {
            return Err(malformed(format!("children {first}..+{count} of {}", self.children_at.len())));
        }
        let start = self.children_at.start + first;
        Ok(start..start + count)
    }

    /// A child's key or value index, from `indexes` at its position `child`.
    fn index(&self, indexes: &ColumnRef<'_>, child: usize) -> Result<usize, DecodeError> {
        indexes.get::<u32>(child).map(|i| i as usize).ok_or_else(|| malformed("a child without an index"))
    }
}

/// Position `index` within `range`, if it is there.
fn nth(range: &Range<usize>, index: usize) -> Option<usize> {
    range.start.checked_add(index).filter(|&at| at < range.end)
}

/// The bytes of one value, read from the front.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or_else(|| malformed("a value cut short"))?;
        self.0 = rest;
        Ok(*head)
    }

    /// An unsigned LEB128 number, as DuckDB writes lengths and counts.
    fn varint(&mut self) -> Result<u32, DecodeError> {
        let mut value = 0u32;
        for shift in (0..32).step_by(7) {
            let [byte] = self.array::<1>()?;
            value |= u32::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed("a length of more than 32 bits"))
    }

    /// Bytes preceded by their length.
    fn sized(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.varint()? as usize;
        if len > self.0.len() {
            return Err(malformed("a value cut short"));
        }
        let (value, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_leb128_and_short_bytes_are_errors() {
        let mut bytes = Bytes(&[0xE5, 0x8E, 0x26, 0x02, b'h', b'i', 0x05, b'x']);
        assert_eq!(bytes.varint().unwrap(), 624_485);
        assert_eq!(bytes.sized().unwrap(), b"hi");
        assert!(matches!(bytes.sized(), Err(DecodeError::OutOfRange(m)) if m.contains("cut short")));
        assert!(Bytes(&[0x80]).varint().is_err());
        let long = Bytes(&[0xFF; 6]).varint();
        assert!(matches!(long, Err(DecodeError::OutOfRange(m)) if m.contains("more than 32 bits")));
        assert!(Bytes(&[1, 2, 3]).array::<4>().is_err());
        assert_eq!(Bytes(&[1, 2, 3, 4]).array::<4>().unwrap(), [1, 2, 3, 4]);
    }

    #[test]
    fn positions_stay_inside_their_ranges() {
        assert_eq!(nth(&(10..12), 1), Some(11));
        assert_eq!(nth(&(10..12), 2), None);
        assert_eq!(nth(&(10..12), usize::MAX), None);
    }
}
