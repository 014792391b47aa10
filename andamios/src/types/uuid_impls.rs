use super::decode::{uuid_bits, Decode, DecodeError};
use super::encode::Encode;
use andamios_core::ffi::ColumnRef;
use andamios_core::{DuckType, Value};
use uuid::Uuid;

impl Decode for Uuid {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Uuid)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        uuid_bits(column, row).map(Uuid::from_u128)
    }
}

impl Encode for Uuid {
    fn duck_type() -> DuckType {
        DuckType::Uuid
    }

    fn to_value(&self) -> Value {
        Value::Uuid(self.as_u128())
    }
}
