//! Arrow values that DuckDB has no value for: dates, times and timestamps
//! outside its ranges. DuckDB's Arrow conversion stores them as they come,
//! and then fails on them with an error that invalidates the database (see
//! [`Value::range_problem`]). And values that the appender would store
//! changed or broken (see [`value_problem`]): text that is not JSON for a
//! JSON column, and DECIMALs that DuckDB would round.

use crate::{Decimal, DuckType, Value};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The first value of `array` (nested ones included) that DuckDB has no
/// value for, and why.
pub(crate) fn range_problem(array: &dyn Array) -> Option<String> {
    let first = |values: &mut dyn Iterator<Item = Option<Value>>| values.flatten().find_map(|v| v.range_problem());
    // A value whose conversion to microseconds overflows (`None`) is
    // checked as one below the range, which reports it.
    let time = |micros: Option<i64>| match micros {
        Some(micros) => Value::Time(micros),
        None => Value::Time(-1),
    };
    match array.data_type() {
        DataType::Date32 => first(&mut array.as_primitive::<Date32Type>().iter().map(|d| d.map(Value::Date))),
        DataType::Date64 => first(
            &mut array
                .as_primitive::<Date64Type>()
                .iter()
                .map(|ms| ms.map(|ms| Value::Date(i32::try_from(ms.div_euclid(86_400_000)).unwrap_or(i32::MIN)))),
        ),
        DataType::Time32(TimeUnit::Second) => first(
            &mut array
                .as_primitive::<Time32SecondType>()
                .iter()
                .map(|s| s.map(|s| time(i64::from(s).checked_mul(1_000_000)))),
        ),
        DataType::Time32(_) => first(
            &mut array
                .as_primitive::<Time32MillisecondType>()
                .iter()
                .map(|ms| ms.map(|ms| time(i64::from(ms).checked_mul(1_000)))),
        ),
        DataType::Time64(TimeUnit::Microsecond) => {
            first(&mut array.as_primitive::<Time64MicrosecondType>().iter().map(|us| us.map(|us| time(Some(us)))))
        }
        DataType::Time64(_) => first(&mut array.as_primitive::<Time64NanosecondType>().iter().map(|ns| {
            // Checked in nanoseconds: 24:00:00 and one nanosecond is too late.
            ns.map(|ns| time((0..=MICROS_PER_DAY * 1_000).contains(&ns).then_some(ns / 1_000)))
        })),
        DataType::Timestamp(unit, zone) => {
            let at = |micros: Option<i64>| {
                let micros = micros.unwrap_or(i64::MIN);
                if zone.is_some() {
                    Value::TimestampTz(micros)
                } else {
                    Value::Timestamp(micros)
                }
            };
            match unit {
                TimeUnit::Second => first(
                    &mut array
                        .as_primitive::<TimestampSecondType>()
                        .iter()
                        .map(|s| s.map(|s| at(s.checked_mul(1_000_000)))),
                ),
                TimeUnit::Millisecond => first(
                    &mut array
                        .as_primitive::<TimestampMillisecondType>()
                        .iter()
                        .map(|ms| ms.map(|ms| at(ms.checked_mul(1_000)))),
                ),
                TimeUnit::Microsecond => first(
                    &mut array.as_primitive::<TimestampMicrosecondType>().iter().map(|us| us.map(|us| at(Some(us)))),
                ),
                TimeUnit::Nanosecond => first(
                    &mut array.as_primitive::<TimestampNanosecondType>().iter().map(|ns| ns.map(Value::TimestampNs)),
                ),
            }
        }
        DataType::List(_) => range_problem(array.as_list::<i32>().values().as_ref()),
        DataType::LargeList(_) => range_problem(array.as_list::<i64>().values().as_ref()),
        DataType::FixedSizeList(..) => range_problem(array.as_fixed_size_list().values().as_ref()),
        DataType::Struct(_) => array.as_struct().columns().iter().find_map(|c| range_problem(c.as_ref())),
        DataType::Map(..) => {
            let map = array.as_map();
            range_problem(map.keys().as_ref()).or_else(|| range_problem(map.values().as_ref()))
        }
        _ => None,
    }
}

/// The first value of `array`, bound for a table column of type `ty`,
/// that the appender would store changed or broken, and why: text that is
/// not JSON for a JSON column, and a DECIMAL with more digits after the
/// point than the column keeps, which DuckDB would round (as an INSERT
/// does, but `append` refuses to). Values nested in LISTs, ARRAYs and
/// STRUCTs too.
pub(crate) fn value_problem(array: &dyn Array, ty: &DuckType) -> Option<String> {
    match (ty, array.data_type()) {
        (DuckType::List { element } | DuckType::Array { element, .. }, DataType::List(_)) => {
            value_problem(array.as_list::<i32>().values().as_ref(), element)
        }
        (DuckType::List { element } | DuckType::Array { element, .. }, DataType::LargeList(_)) => {
            value_problem(array.as_list::<i64>().values().as_ref(), element)
        }
        (DuckType::List { element } | DuckType::Array { element, .. }, DataType::FixedSizeList(..)) => {
            value_problem(array.as_fixed_size_list().values().as_ref(), element)
        }
        (DuckType::Struct { fields }, DataType::Struct(_)) => {
            array.as_struct().columns().iter().zip(fields).find_map(|(c, (_, ty))| value_problem(c.as_ref(), ty))
        }
        (DuckType::Json, _) => json_problem(array),
        (DuckType::Decimal { scale, .. }, DataType::Decimal128(_, from)) if i16::from(*from) > i16::from(*scale) => {
            let from = *from as u8;
            array.as_primitive::<Decimal128Type>().iter().flatten().find_map(|mantissa| {
                let value = Decimal::new(mantissa, from);
                value.rescale(*scale).is_none().then(|| value.scale_problem(ty, *scale))
            })
        }
        _ => None,
    }
}

/// The first text of `array` that is not JSON, and why.
fn json_problem(array: &dyn Array) -> Option<String> {
    let not_json = |text: &str| {
        crate::json_syntax_problem(text).map(|problem| format!("`{text}` is not JSON ({problem}) for a JSON column"))
    };
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().flatten().find_map(not_json),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().flatten().find_map(not_json),
        DataType::Utf8View => array.as_string_view().iter().flatten().find_map(not_json),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Date32Array, ListArray, Time64NanosecondArray, TimestampMicrosecondArray, TimestampSecondArray};

    #[test]
    fn finds_dates_times_and_timestamps_duckdb_cannot_hold() {
        assert!(range_problem(&Date32Array::from(vec![Some(0), None, Some(i32::MIN)])).is_some());
        assert!(range_problem(&Date32Array::from(vec![Some(-i32::MAX), Some(i32::MAX)])).is_none());
        assert!(range_problem(&TimestampMicrosecondArray::from(vec![i64::MIN])).is_some());
        assert!(range_problem(&TimestampMicrosecondArray::from(vec![-i64::MAX, 0])).is_none());
        assert!(range_problem(&TimestampSecondArray::from(vec![i64::MAX / 10])).is_some(), "overflows in microseconds");
        assert!(range_problem(&Time64NanosecondArray::from(vec![86_400_000_000_001])).is_some());
        assert!(range_problem(&Time64NanosecondArray::from(vec![86_400_000_000_000])).is_none());
        let nested = ListArray::from_iter_primitive::<Date32Type, _, _>(vec![Some(vec![Some(1), Some(i32::MIN)])]);
        assert!(range_problem(&nested).is_some());
    }

    #[test]
    fn finds_decimals_that_the_column_would_round() {
        use arrow_array::Decimal128Array;
        let column = DuckType::Decimal { width: 6, scale: 1 };
        let exact =
            Decimal128Array::from(vec![Some(12_300), None, Some(-100)]).with_precision_and_scale(10, 3).unwrap();
        assert_eq!(value_problem(&exact, &column), None);
        let rounded = Decimal128Array::from(vec![Some(12_300), Some(12_345)]).with_precision_and_scale(10, 3).unwrap();
        assert_eq!(
            value_problem(&rounded, &column).as_deref(),
            Some(
                "12.345 has 3 digits after the point, and column type DECIMAL(6,1) keeps 1: round it first (an \
                 INSERT would round it to the nearest), or give the column a larger scale"
            )
        );
        // Fewer digits after the point than the column keeps: nothing to round.
        let coarse = Decimal128Array::from(vec![Some(5)]).with_precision_and_scale(10, 0).unwrap();
        assert_eq!(value_problem(&coarse, &column), None);
        let mut lists = arrow_array::builder::ListBuilder::new(
            arrow_array::builder::Decimal128Builder::new().with_precision_and_scale(10, 3).unwrap(),
        );
        lists.values().append_slice(&[12_300, 12_345]);
        lists.append(true);
        let nested = lists.finish();
        assert!(value_problem(&nested, &DuckType::list(column)).unwrap().starts_with("12.345 has 3 digits"));
    }

    #[test]
    fn finds_text_that_is_not_json_for_json_columns() {
        use arrow_array::StringArray;
        let texts = StringArray::from(vec![Some("[1]"), None, Some("{")]);
        assert_eq!(
            value_problem(&texts, &DuckType::Json).as_deref(),
            Some("`{` is not JSON (expected a member name (a string in double quotes) at byte 1) for a JSON column")
        );
        assert_eq!(value_problem(&texts, &DuckType::Varchar), None);
        let mut lists = arrow_array::builder::ListBuilder::new(arrow_array::builder::StringBuilder::new());
        lists.append_value([Some("1"), Some("nope")]);
        let lists = lists.finish();
        assert!(value_problem(&lists, &DuckType::list(DuckType::Json)).unwrap().starts_with("`nope` is not JSON"));
        assert_eq!(value_problem(&lists, &DuckType::list(DuckType::Varchar)), None);
    }
}
