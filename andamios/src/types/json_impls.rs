use super::decode::{text, Decode, DecodeError};
use super::encode::Encode;
use andamios_core::ffi::ColumnRef;
use andamios_core::{DuckType, Value};
use serde::de::DeserializeOwned;
use serde::Serialize;

impl Decode for serde_json::Value {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Json | DuckType::Varchar)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        serde_json::from_str(text(column, row)?).map_err(|e| DecodeError::OutOfRange(format!("invalid JSON: {e}")))
    }
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
