use super::decode::{Decode, DecodeError};
use super::encode::Encode;
use super::temporal::{
    finite_days, interval_micros, interval_value, is_timestamp_tz, time_nanos, time_out_of_range, timestamp_nanos,
    Time as PlainTime,
};
use andamios_core::ffi::ColumnRef;
use andamios_core::{DuckType, Value};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

impl Decode for Date {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Date)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let days = finite_days(column, row)?;
        Date::from_julian_day(UNIX_EPOCH_JULIAN_DAY + days).map_err(|e| DecodeError::OutOfRange(e.to_string()))
    }
}

impl Encode for Date {
    fn duck_type() -> DuckType {
        DuckType::Date
    }

    fn to_value(&self) -> Value {
        Value::Date(self.to_julian_day() - UNIX_EPOCH_JULIAN_DAY)
    }
}

impl Decode for Time {
    fn accepts(ty: &DuckType) -> bool {
        PlainTime::accepts(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let nanos = time_nanos(column, row)?;
        let secs = nanos / 1_000_000_000;
        Time::from_hms_nano(
            (secs / 3600) as u8,
            (secs / 60 % 60) as u8,
            (secs % 60) as u8,
            (nanos % 1_000_000_000) as u32,
        )
        .map_err(|_| time_out_of_range(nanos))
    }
}

impl Encode for Time {
    fn duck_type() -> DuckType {
        DuckType::Time
    }

    fn to_value(&self) -> Value {
        let (h, m, s, nano) = self.as_hms_nano();
        let nanos = ((i64::from(h) * 60 + i64::from(m)) * 60 + i64::from(s)) * 1_000_000_000 + i64::from(nano);
        if nanos % 1_000 != 0 {
            return Value::TimeNs(nanos);
        }
        Value::Time(nanos / 1_000)
    }
}

fn from_nanos(nanos: i128) -> Result<OffsetDateTime, DecodeError> {
    OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|e| DecodeError::OutOfRange(e.to_string()))
}

impl Decode for PrimitiveDateTime {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Timestamp | DuckType::TimestampS | DuckType::TimestampMs | DuckType::TimestampNs)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        from_nanos(timestamp_nanos(column, row)?).map(|t| PrimitiveDateTime::new(t.date(), t.time()))
    }
}

impl Encode for PrimitiveDateTime {
    fn duck_type() -> DuckType {
        DuckType::Timestamp
    }

    fn to_value(&self) -> Value {
        let nanos = self.assume_utc().unix_timestamp_nanos();
        if nanos % 1_000 != 0 {
            if let Ok(n) = i64::try_from(nanos) {
                return Value::TimestampNs(n);
            }
        }
        Value::Timestamp((nanos / 1_000) as i64)
    }
}

impl Decode for OffsetDateTime {
    fn accepts(ty: &DuckType) -> bool {
        is_timestamp_tz(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        from_nanos(timestamp_nanos(column, row)?)
    }
}

impl Encode for OffsetDateTime {
    fn duck_type() -> DuckType {
        DuckType::TimestampTz
    }

    fn to_value(&self) -> Value {
        let nanos = self.unix_timestamp_nanos();
        if nanos % 1_000 != 0 {
            if let Ok(n) = i64::try_from(nanos) {
                return Value::TimestampTzNs(n);
            }
        }
        Value::TimestampTz((nanos / 1_000) as i64)
    }
}

/// An INTERVAL of whole microseconds; reads one without months, counting a
/// day as 24 hours.
impl Encode for time::Duration {
    fn duck_type() -> DuckType {
        DuckType::Interval
    }

    fn to_value(&self) -> Value {
        interval_value(i64::try_from(self.whole_microseconds()).ok())
    }
}

impl Decode for time::Duration {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Interval)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let micros = interval_micros(column, row)?;
        i64::try_from(micros)
            .map(time::Duration::microseconds)
            .map_err(|_| DecodeError::OutOfRange(format!("{micros} µs")))
    }
}
