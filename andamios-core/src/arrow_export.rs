//! What DuckDB's Arrow export cannot hold. Unless the database sets
//! `arrow_lossless_conversion`, DuckDB writes a TIME WITH TIME ZONE as a
//! TIME without its offset, a BIT as its internal bytes (a padding count,
//! then the bits), and a UHUGEINT as a signed DECIMAL(38,0), where one of
//! 2^127 or more wraps around to a negative number. All three without an
//! error. With the setting, DuckDB writes its own types as Arrow extension
//! types (`arrow.opaque`), which it reads back exactly; the checks here
//! then find nothing to say.

use crate::ffi::ColumnDescription;
use crate::DuckType;
use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema};

/// What to write instead, said after every problem found here.
const WHAT_TO_DO: &str = "cast the column in SQL (`col::VARCHAR`), or open the database with \
     `?arrow_lossless_conversion=true` in its URL (or `PoolOptions::setting`): DuckDB then writes its own \
     types as Arrow extension types, which it reads back exactly, but which other Arrow readers see as bytes";

/// The first column of `schema`, DuckDB's export of `columns`, whose Arrow
/// type cannot hold its values, whatever they are: why, as an error message.
pub(crate) fn lossy_column(columns: &[ColumnDescription], schema: &Schema) -> Option<String> {
    columns.iter().zip(schema.fields()).find_map(|(column, field)| {
        let loss = lossy_part(&column.ty, field, true)?;
        Some(format!("column `{}` ({}): in Arrow, {loss}; {WHAT_TO_DO}", column.name, column.ty))
    })
}

/// What DuckDB's export of `ty` as `field` loses, if anything. A UHUGEINT
/// at the top (`top`) is checked value by value instead (see
/// [`unsigned_overflow`]).
fn lossy_part(ty: &DuckType, field: &Field, top: bool) -> Option<&'static str> {
    if field.metadata().contains_key("ARROW:extension:name") {
        return None;
    }
    match (ty, field.data_type()) {
        (DuckType::TimeTz, _) => Some("TIME WITH TIME ZONE values lose their offset from UTC (DuckDB writes TIMEs)"),
        (DuckType::Bit, _) => Some("BIT values come out as DuckDB's internal bytes, not as their bits"),
        (DuckType::UHugeInt, DataType::Decimal128(..)) if !top => Some(
            "UHUGEINT values of 2^127 or more wrap around to negative numbers (DuckDB writes a signed \
             DECIMAL(38,0))",
        ),
        (DuckType::List { element } | DuckType::Array { element, .. }, data_type) => match data_type {
            DataType::List(inner)
            | DataType::LargeList(inner)
            | DataType::FixedSizeList(inner, _)
            | DataType::ListView(inner)
            | DataType::LargeListView(inner) => lossy_part(element, inner, false),
            _ => None,
        },
        (DuckType::Struct { fields: parts } | DuckType::Union { members: parts }, data_type) => {
            let inner: Vec<&Field> = match data_type {
                DataType::Struct(fields) => fields.iter().map(|f| f.as_ref()).collect(),
                DataType::Union(fields, _) => fields.iter().map(|(_, f)| f.as_ref()).collect(),
                _ => return None,
            };
            parts.iter().zip(inner).find_map(|((_, ty), field)| lossy_part(ty, field, false))
        }
        (DuckType::Map { key, value }, DataType::Map(entries, _)) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => {
                lossy_part(key, &kv[0], false).or_else(|| lossy_part(value, &kv[1], false))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The positions of the top-level UHUGEINT columns that DuckDB exported as
/// a signed DECIMAL(38,0), whose values [`unsigned_overflow`] checks.
pub(crate) fn signed_uhugeint_columns(columns: &[ColumnDescription], schema: &Schema) -> Vec<usize> {
    columns
        .iter()
        .zip(schema.fields())
        .enumerate()
        .filter(|(_, (column, field))| {
            column.ty == DuckType::UHugeInt && matches!(field.data_type(), DataType::Decimal128(..))
        })
        .map(|(i, _)| i)
        .collect()
}

/// The first UHUGEINT of 2^127 or more in `batch`'s `columns` (see
/// [`signed_uhugeint_columns`]), which DuckDB wrapped around to a negative
/// number: what it was, as an error message.
pub(crate) fn unsigned_overflow(
    batch: &RecordBatch,
    positions: &[usize],
    columns: &[ColumnDescription],
) -> Option<String> {
    positions.iter().find_map(|&i| {
        let values = batch.column(i).as_primitive_opt::<Decimal128Type>()?;
        let wrapped = values.iter().flatten().find(|v| *v < 0)?;
        Some(format!(
            "column `{}` holds the UHUGEINT {}, which does not fit the signed DECIMAL(38,0) that DuckDB writes \
             a UHUGEINT as in Arrow (it would read {wrapped}); {WHAT_TO_DO}",
            columns[i].name, wrapped as u128
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Arc;

    fn column(name: &str, ty: DuckType) -> ColumnDescription {
        ColumnDescription { name: name.into(), ty }
    }

    #[test]
    fn types_that_lose_values_are_found_at_any_depth_unless_exported_as_extensions() {
        let time_tz = Field::new("t", DataType::Time64(arrow_schema::TimeUnit::Microsecond), true);
        let list = DataType::List(Arc::new(Field::new("l", DataType::Binary, true)));
        let columns = [
            column("id", DuckType::Integer),
            column("bits", DuckType::List { element: Box::new(DuckType::Bit) }),
            column("t", DuckType::TimeTz),
        ];
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int32, true),
            Field::new("bits", list.clone(), true),
            time_tz.clone(),
        ]);
        let err = lossy_column(&columns, &schema).unwrap();
        assert!(
            err.starts_with("column `bits` (BIT[]): in Arrow, BIT values come out as DuckDB's internal bytes"),
            "{err}"
        );
        assert!(err.contains("arrow_lossless_conversion=true"), "{err}");
        let err = lossy_column(&columns[2..], &Schema::new(vec![time_tz])).unwrap();
        assert!(
            err.starts_with("column `t` (TIME WITH TIME ZONE): in Arrow, TIME WITH TIME ZONE values lose"),
            "{err}"
        );

        // As DuckDB's extension types, nothing is lost.
        let opaque: HashMap<String, String> = [("ARROW:extension:name".to_owned(), "arrow.opaque".to_owned())].into();
        let exact = Schema::new(vec![
            Field::new("id", DataType::Int32, true),
            Field::new(
                "bits",
                DataType::List(Arc::new(Field::new("l", DataType::Binary, true).with_metadata(opaque.clone()))),
                true,
            ),
            Field::new("t", DataType::FixedSizeBinary(8), true).with_metadata(opaque),
        ]);
        assert_eq!(lossy_column(&columns, &exact), None);
        // A top-level UHUGEINT is checked value by value.
        let wide = [column("u", DuckType::UHugeInt)];
        let as_decimal = Schema::new(vec![Field::new("u", DataType::Decimal128(38, 0), true)]);
        assert_eq!(lossy_column(&wide, &as_decimal), None);
        assert_eq!(signed_uhugeint_columns(&wide, &as_decimal), [0]);
        // Values are checked at the top only: inside a list, refused outright.
        let listed = [column("us", DuckType::List { element: Box::new(DuckType::UHugeInt) })];
        let decimals = DataType::List(Arc::new(Field::new("l", DataType::Decimal128(38, 0), true)));
        let err = lossy_column(&listed, &Schema::new(vec![Field::new("us", decimals, true)])).unwrap();
        assert!(err.contains("UHUGEINT values of 2^127 or more wrap around"), "{err}");
        assert!(signed_uhugeint_columns(&listed, &as_decimal).is_empty());
    }

    #[test]
    fn a_uhugeint_that_wrapped_around_is_found_with_its_value() {
        let columns = [column("u", DuckType::UHugeInt)];
        let values =
            arrow_array::Decimal128Array::from(vec![Some(1), None, Some(-1)]).with_precision_and_scale(38, 0).unwrap();
        let batch = RecordBatch::try_from_iter([("u", Arc::new(values) as arrow_array::ArrayRef)]).unwrap();
        let err = unsigned_overflow(&batch, &[0], &columns).unwrap();
        assert!(err.starts_with(&format!("column `u` holds the UHUGEINT {}", u128::MAX)), "{err}");
        let small = arrow_array::Decimal128Array::from(vec![Some(1), None]).with_precision_and_scale(38, 0).unwrap();
        let batch = RecordBatch::try_from_iter([("u", Arc::new(small) as arrow_array::ArrayRef)]).unwrap();
        assert_eq!(unsigned_overflow(&batch, &[0], &columns), None);
    }
}
