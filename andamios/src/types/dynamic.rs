//! Any value, whatever its type: [`Value`] as a [`Decode`] type, for code
//! that does not know a result's columns in advance (printing, exporting).

use super::decode::{decode_list, decode_map, union_member, uuid_bits, Decode, DecodeError};
use super::temporal::{timestamp_micros, Date, Interval, Time, TimeTz};
use super::variant::variant_value;
use andamios_core::ffi::ColumnRef;
use andamios_core::{BigNum, BitString, Decimal, DuckType, Value};

/// Reads any value as the [`Value`] of its type, NULL as [`Value::Null`]:
/// nested ones as lists, structs and maps of values, ENUM members as
/// [`Value::Enum`], JSON as text, a VARIANT as the value it holds (an
/// object as a struct and an array as a list, of parts typed VARIANT).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// use andamios::types::Value;
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// let row = andamios::query("SELECT 42 AS answer, [1, NULL] AS xs").fetch_one(&pool).await?;
/// assert_eq!(row.try_get::<Value, _>("answer")?, Value::Integer(42));
/// let Value::List { items, .. } = row.try_get::<Value, _>("xs")? else { unreachable!() };
/// assert_eq!(items, [Value::Integer(1), Value::Null]);
///
/// // A VARIANT: here an object of a number and an array.
/// let doc: Value = andamios::query_scalar("SELECT {'n': 1, 'tags': ['a']}::VARIANT").fetch_one(&pool).await?;
/// let Value::Struct { ty, values } = &doc else { unreachable!() };
/// assert_eq!(ty.to_string(), "STRUCT(n VARIANT, tags VARIANT)");
/// assert_eq!(values[0], Value::Integer(1));
/// // It binds back; DuckDB casts it to the VARIANT parameter.
/// let again: Value = andamios::query_scalar("SELECT $1::VARIANT").bind(doc.clone()).fetch_one(&pool).await?;
/// assert_eq!(again, doc);
/// # Ok(()) }
/// ```
impl Decode for Value {
    fn accepts(ty: &DuckType) -> bool {
        match ty {
            DuckType::Other { .. } | DuckType::Unknown => false,
            DuckType::Union { members } => members.iter().all(|(_, ty)| Value::accepts(ty)),
            DuckType::List { element } | DuckType::Array { element, .. } => Value::accepts(element),
            DuckType::Struct { fields } => fields.iter().all(|(_, ty)| Value::accepts(ty)),
            DuckType::Map { key, value } => Value::accepts(key) && Value::accepts(value),
            _ => true,
        }
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        if !column.is_valid(row) {
            return Ok(Value::Null);
        }
        let ty = column.duck_type();
        Ok(match ty {
            DuckType::Null => Value::Null,
            DuckType::Boolean => Value::Boolean(bool::decode(column, row)?),
            DuckType::TinyInt => Value::TinyInt(i8::decode(column, row)?),
            DuckType::SmallInt => Value::SmallInt(i16::decode(column, row)?),
            DuckType::Integer => Value::Integer(i32::decode(column, row)?),
            DuckType::BigInt => Value::BigInt(i64::decode(column, row)?),
            DuckType::HugeInt => Value::HugeInt(i128::decode(column, row)?),
            DuckType::UTinyInt => Value::UTinyInt(u8::decode(column, row)?),
            DuckType::USmallInt => Value::USmallInt(u16::decode(column, row)?),
            DuckType::UInteger => Value::UInteger(u32::decode(column, row)?),
            DuckType::UBigInt => Value::UBigInt(u64::decode(column, row)?),
            DuckType::UHugeInt => Value::UHugeInt(u128::decode(column, row)?),
            DuckType::Float => Value::Float(f32::decode(column, row)?),
            DuckType::Double => Value::Double(f64::decode(column, row)?),
            DuckType::Decimal { .. } => Value::Decimal(Decimal::decode(column, row)?),
            DuckType::Varchar | DuckType::Json => Value::Varchar(String::decode(column, row)?),
            DuckType::Enum { .. } => Value::Enum(String::decode(column, row)?),
            DuckType::Blob => Value::Blob(Vec::<u8>::decode(column, row)?),
            DuckType::Geometry => Value::Geometry(Vec::<u8>::decode(column, row)?),
            DuckType::Bit => Value::Bit(BitString::decode(column, row)?),
            DuckType::BigNum => Value::BigNum(BigNum::decode(column, row)?),
            DuckType::Date => Value::Date(Date::decode(column, row)?.days),
            DuckType::Time => Value::Time(Time::decode(column, row)?.micros),
            DuckType::TimeNs => Value::TimeNs(column.get::<i64>(row).ok_or(DecodeError::Mismatch)?),
            DuckType::TimeTz => {
                let TimeTz { micros, offset_seconds } = TimeTz::decode(column, row)?;
                Value::TimeTz { micros, offset_seconds }
            }
            DuckType::TimestampNs => Value::TimestampNs(column.get::<i64>(row).ok_or(DecodeError::Mismatch)?),
            DuckType::TimestampTz => Value::TimestampTz(timestamp_micros(column, row)?),
            DuckType::TimestampTzNs => Value::TimestampTzNs(column.get::<i64>(row).ok_or(DecodeError::Mismatch)?),
            DuckType::Timestamp | DuckType::TimestampS | DuckType::TimestampMs => {
                Value::Timestamp(timestamp_micros(column, row)?)
            }
            DuckType::Interval => {
                let Interval { months, days, micros } = Interval::decode(column, row)?;
                Value::Interval { months, days, micros }
            }
            DuckType::Uuid => Value::Uuid(uuid_bits(column, row)?),
            DuckType::List { element } | DuckType::Array { element, .. } => {
                Value::List { element: (**element).clone(), items: decode_list(column, row)? }
            }
            DuckType::Struct { fields } => {
                let values = (0..fields.len())
                    .map(|i| Value::decode(column.child(i).ok_or(DecodeError::Mismatch)?, row))
                    .collect::<Result<_, _>>()?;
                Value::Struct { ty: ty.clone(), values }
            }
            DuckType::Map { .. } => Value::Map { ty: ty.clone(), entries: decode_map(column, row)? },
            DuckType::Union { .. } => {
                let (tag, member) = union_member(column, row)?;
                Value::Union { ty: ty.clone(), tag, value: Box::new(Value::decode(member, row)?) }
            }
            DuckType::Variant => variant_value(column, row)?,
            _ => return Err(DecodeError::Mismatch),
        })
    }
}
