use super::decode::{Decode, DecodeError};
use super::encode::Encode;
use andamios_core::ffi::ColumnRef;
use andamios_core::{Decimal, DuckType, Value};

impl Decode for rust_decimal::Decimal {
    fn accepts(ty: &DuckType) -> bool {
        Decimal::accepts(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let d = Decimal::decode(column, row)?;
        rust_decimal::Decimal::try_from_i128_with_scale(d.mantissa(), u32::from(d.scale()))
            .map_err(|_| DecodeError::OutOfRange(format!("{d} does not fit rust_decimal's 28 digits")))
    }
}

impl Encode for rust_decimal::Decimal {
    fn duck_type() -> DuckType {
        DuckType::Decimal { width: 38, scale: 10 }
    }

    fn to_value(&self) -> Value {
        Value::Decimal(Decimal::new(self.mantissa(), self.scale() as u8))
    }
}
