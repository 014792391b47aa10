use super::decode::{Decode, DecodeError};
use super::encode::Encode;
use super::temporal::{
    days_from_civil, finite_days, interval_micros, interval_value, is_timestamp_tz, time_nanos, time_out_of_range,
    timestamp_nanos, Time,
};
use andamios_core::ffi::ColumnRef;
use andamios_core::{DuckType, Value};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

fn epoch() -> NaiveDateTime {
    DateTime::UNIX_EPOCH.naive_utc()
}

impl Decode for NaiveDate {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Date)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let days = finite_days(column, row)?;
        epoch()
            .date()
            .checked_add_signed(chrono::Duration::days(i64::from(days)))
            .ok_or_else(|| DecodeError::OutOfRange(format!("{days} days")))
    }
}

impl Encode for NaiveDate {
    fn duck_type() -> DuckType {
        DuckType::Date
    }

    fn to_value(&self) -> Value {
        Value::Date(days_from_civil(self.year(), self.month(), self.day()))
    }
}

impl Decode for NaiveTime {
    fn accepts(ty: &DuckType) -> bool {
        Time::accepts(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let nanos = time_nanos(column, row)?;
        let secs = (nanos / 1_000_000_000) as u32;
        NaiveTime::from_num_seconds_from_midnight_opt(secs, (nanos % 1_000_000_000) as u32)
            .ok_or_else(|| time_out_of_range(nanos))
    }
}

impl Encode for NaiveTime {
    fn duck_type() -> DuckType {
        DuckType::Time
    }

    fn to_value(&self) -> Value {
        let nanos = i64::from(self.num_seconds_from_midnight()) * 1_000_000_000 + i64::from(self.nanosecond());
        if nanos % 1_000 != 0 {
            return Value::TimeNs(nanos);
        }
        Value::Time(nanos / 1_000)
    }
}

fn from_nanos(nanos: i128) -> Result<NaiveDateTime, DecodeError> {
    let secs = nanos.div_euclid(1_000_000_000) as i64;
    let sub = nanos.rem_euclid(1_000_000_000) as u32;
    DateTime::from_timestamp(secs, sub)
        .map(|d| d.naive_utc())
        .ok_or_else(|| DecodeError::OutOfRange(format!("{nanos} ns")))
}

impl Decode for NaiveDateTime {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Timestamp | DuckType::TimestampS | DuckType::TimestampMs | DuckType::TimestampNs)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        from_nanos(timestamp_nanos(column, row)?)
    }
}

impl Encode for NaiveDateTime {
    fn duck_type() -> DuckType {
        DuckType::Timestamp
    }

    fn to_value(&self) -> Value {
        let utc = self.and_utc();
        if !utc.timestamp_subsec_nanos().is_multiple_of(1_000) {
            if let Some(nanos) = utc.timestamp_nanos_opt() {
                return Value::TimestampNs(nanos);
            }
        }
        Value::Timestamp(utc.timestamp_micros())
    }
}

impl Decode for DateTime<Utc> {
    fn accepts(ty: &DuckType) -> bool {
        is_timestamp_tz(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        from_nanos(timestamp_nanos(column, row)?).map(|n| n.and_utc())
    }
}

impl Encode for DateTime<Utc> {
    fn duck_type() -> DuckType {
        DuckType::TimestampTz
    }

    fn to_value(&self) -> Value {
        timestamp_tz_value(self.timestamp_subsec_nanos(), self.timestamp_nanos_opt(), self.timestamp_micros())
    }
}

/// A TIMESTAMPTZ of whole microseconds, else a TIMESTAMPTZ_NS where the
/// nanoseconds fit one (a chrono value keeps nanoseconds).
fn timestamp_tz_value(subsec_nanos: u32, nanos: Option<i64>, micros: i64) -> Value {
    match nanos {
        Some(nanos) if !subsec_nanos.is_multiple_of(1_000) => Value::TimestampTzNs(nanos),
        _ => Value::TimestampTz(micros),
    }
}

/// A TIMESTAMPTZ read back has offset +00:00: DuckDB keeps the instant, not
/// the offset it was written with.
impl Decode for DateTime<FixedOffset> {
    fn accepts(ty: &DuckType) -> bool {
        is_timestamp_tz(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        DateTime::<Utc>::decode(column, row).map(|utc| utc.fixed_offset())
    }
}

impl Encode for DateTime<FixedOffset> {
    fn duck_type() -> DuckType {
        DuckType::TimestampTz
    }

    fn to_value(&self) -> Value {
        timestamp_tz_value(self.timestamp_subsec_nanos(), self.timestamp_nanos_opt(), self.timestamp_micros())
    }
}

/// An INTERVAL of whole microseconds; reads one without months, counting a
/// day as 24 hours.
impl Encode for chrono::TimeDelta {
    fn duck_type() -> DuckType {
        DuckType::Interval
    }

    fn to_value(&self) -> Value {
        interval_value(self.num_microseconds())
    }
}

impl Decode for chrono::TimeDelta {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Interval)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let micros = interval_micros(column, row)?;
        i64::try_from(micros)
            .map(chrono::TimeDelta::microseconds)
            .map_err(|_| DecodeError::OutOfRange(format!("{micros} µs")))
    }
}
