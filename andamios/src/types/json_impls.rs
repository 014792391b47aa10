use super::decode::{text, Decode, DecodeError};
use super::encode::Encode;
use andamios_core::ffi::ColumnRef;
use andamios_core::{DuckType, Value};

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
