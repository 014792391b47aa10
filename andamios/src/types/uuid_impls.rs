use super::decode::{valid, Decode, DecodeError};
use super::encode::Encode;
use andamios_core::ffi::ColumnRef;
use andamios_core::{DuckType, Value};
use uuid::Uuid;

/// DuckDB stores a UUID as a HUGEINT with the top bit flipped, so that
/// UUIDs sort as their text does.
const FLIP: u128 = 1 << 127;

impl Decode for Uuid {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Uuid)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        valid(column, row)?;
        column.get::<u128>(row).map(|v| Uuid::from_u128(v ^ FLIP)).ok_or(DecodeError::Mismatch)
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
