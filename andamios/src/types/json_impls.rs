use super::decode::{text, Decode, DecodeError};
use super::encode::Encode;
use super::temporal::{Date, Interval, Time, TimeTz, Timestamp, TimestampTz};
use super::variant::variant_value;
use andamios_core::ffi::ColumnRef;
use andamios_core::{DuckType, Value};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON and VARCHAR text, parsed; and VARIANT values: objects, arrays,
/// text, booleans and numbers as themselves (a DECIMAL through `f64`),
/// dates, times, timestamps, intervals and UUIDs as their text.
impl Decode for serde_json::Value {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Json | DuckType::Varchar | DuckType::Variant)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        if let DuckType::Variant = column.duck_type() {
            if !column.is_valid(row) {
                return Err(DecodeError::UnexpectedNull);
            }
            return json_of_variant(variant_value(column, row)?);
        }
        serde_json::from_str(text(column, row)?).map_err(|e| DecodeError::OutOfRange(format!("invalid JSON: {e}")))
    }
}

/// A value read from a VARIANT (see [`variant_value`]) as JSON.
fn json_of_variant(value: Value) -> Result<serde_json::Value, DecodeError> {
    use serde_json::Value as Json;
    let number = |n: Option<serde_json::Number>, what: &dyn std::fmt::Display| {
        n.map(Json::Number).ok_or_else(|| DecodeError::OutOfRange(format!("{what} is no JSON number")))
    };
    Ok(match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(b),
        Value::TinyInt(n) => n.into(),
        Value::SmallInt(n) => n.into(),
        Value::Integer(n) => n.into(),
        Value::BigInt(n) => n.into(),
        Value::UTinyInt(n) => n.into(),
        Value::USmallInt(n) => n.into(),
        Value::UInteger(n) => n.into(),
        Value::UBigInt(n) => n.into(),
        Value::HugeInt(n) => number(i64::try_from(n).ok().map(Into::into), &n)?,
        Value::UHugeInt(n) => number(u64::try_from(n).ok().map(Into::into), &n)?,
        Value::Float(n) => number(serde_json::Number::from_f64(f64::from(n)), &n)?,
        Value::Double(n) => number(serde_json::Number::from_f64(n), &n)?,
        Value::Decimal(d) => number(d.to_string().parse().ok().and_then(serde_json::Number::from_f64), &d)?,
        Value::Varchar(text) => Json::String(text),
        Value::Date(days) => Json::String(Date { days }.to_string()),
        Value::Time(micros) => Json::String(Time { micros }.to_string()),
        Value::TimeTz { micros, offset_seconds } => Json::String(TimeTz { micros, offset_seconds }.to_string()),
        Value::Timestamp(micros) => Json::String(Timestamp { micros }.to_string()),
        Value::TimestampTz(micros) => Json::String(TimestampTz { micros }.to_string()),
        Value::Interval { months, days, micros } => Json::String(Interval { months, days, micros }.to_string()),
        Value::Uuid(bits) => {
            let hex = format!("{bits:032x}");
            Json::String(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
        }
        Value::List { items, .. } => Json::Array(items.into_iter().map(json_of_variant).collect::<Result<_, _>>()?),
        Value::Struct { ty: DuckType::Struct { fields }, values } => Json::Object(
            fields
                .into_iter()
                .zip(values)
                .map(|((key, _), v)| Ok((key, json_of_variant(v)?)))
                .collect::<Result<_, _>>()?,
        ),
        other => {
            let kind = match other {
                Value::Blob(_) => "a BLOB",
                Value::Bit(_) => "a BIT string",
                Value::BigNum(_) => "a BIGNUM",
                Value::Geometry(_) => "a GEOMETRY",
                Value::TimeNs(_) | Value::TimestampNs(_) | Value::TimestampTzNs(_) => "a time in nanoseconds",
                _ => "a value",
            };
            return Err(DecodeError::OutOfRange(format!(
                "a VARIANT holding {kind}, which has no JSON form here; read the column as \
                 `andamios::types::Value`, or cast it in SQL: `col::JSON`"
            )));
        }
    })
}

impl Encode for serde_json::Value {
    fn duck_type() -> DuckType {
        DuckType::Json
    }

    fn to_value(&self) -> Value {
        Value::Varchar(self.to_string())
    }
}

/// A value stored as JSON in DuckDB and as `T` in Rust (feature `json`):
/// any serde type, such as a `#[derive(Serialize, Deserialize)]` struct.
/// Decoding parses the JSON (or VARCHAR) text into `T`; binding and
/// appending serialise `T`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// use andamios::types::Json;
/// use std::collections::BTreeMap;
///
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// let widths = BTreeMap::from([("name".to_owned(), 20u16), ("email".to_owned(), 40)]);
/// let Json(back): Json<BTreeMap<String, u16>> =
///     andamios::query_scalar("SELECT $1::JSON").bind(Json(&widths)).fetch_one(&pool).await?;
/// assert_eq!(back, widths);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Json<T>(pub T);

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Json(value)
    }
}

impl<T: DeserializeOwned> Decode for Json<T> {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Json | DuckType::Varchar)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        if !column.is_valid(row) {
            // SQL NULL is JSON null to a `T` that takes it (`Option<U>`, `()`).
            return T::deserialize(serde_json::Value::Null).map(Json).map_err(|_| DecodeError::UnexpectedNull);
        }
        // The error names the Rust type (`type_name`); serde says what did not fit.
        serde_json::from_str(text(column, row)?)
            .map(Json)
            .map_err(|e| DecodeError::OutOfRange(format!("the JSON does not fit: {e}")))
    }

    fn type_name() -> String {
        format!("Json<{}>", super::decode::short_type_name(std::any::type_name::<T>()))
    }
}

impl<T: Serialize> Encode for Json<T> {
    fn duck_type() -> DuckType {
        DuckType::Json
    }

    fn to_value(&self) -> Value {
        match serde_json::to_string(&self.0) {
            Ok(text) => Value::Varchar(text),
            Err(e) => Value::Unencodable(format!("cannot serialise the value as JSON: {e}")),
        }
    }
}
