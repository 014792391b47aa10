//! Plain date and time types, for use without the chrono or time features.

use super::decode::{valid, Decode, DecodeError};
use super::encode::Encode;
use andamios_core::ffi::ColumnRef;
use andamios_core::{DuckType, Value};
use std::fmt;

/// Days since 1970-01-01 for a proleptic Gregorian date.
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// The proleptic Gregorian date `days` after 1970-01-01.
pub(crate) fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((yoe + era * 400 + i64::from(month <= 2)) as i32, month, day)
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

andamios_core::debug_as_display!(Date, Time, TimeTz, Timestamp, TimestampTz, Interval);

/// A DuckDB DATE: days since 1970-01-01.
///
/// ```
/// use andamios::types::Date;
/// let d = Date::from_ymd(2024, 2, 29).unwrap();
/// assert_eq!(d.to_string(), "2024-02-29");
/// assert_eq!(d.ymd(), (2024, 2, 29));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01 (negative before).
    pub days: i32,
}

impl Date {
    /// DuckDB's `infinity` DATE, later than every other.
    pub const INFINITY: Date = Date { days: i32::MAX };
    /// DuckDB's `-infinity` DATE, earlier than every other.
    pub const NEG_INFINITY: Date = Date { days: -i32::MAX };

    /// Whether the date is neither `infinity` nor `-infinity`.
    ///
    /// ```
    /// use andamios::types::Date;
    /// assert!(Date::from_ymd(2024, 1, 1).unwrap().is_finite());
    /// assert!(!Date::INFINITY.is_finite());
    /// assert_eq!(Date::NEG_INFINITY.to_string(), "-infinity");
    /// ```
    pub fn is_finite(&self) -> bool {
        *self != Date::INFINITY && *self != Date::NEG_INFINITY
    }

    /// The date, or `None` when the month or day does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        let days = days_from_civil(year, month, day);
        (civil_from_days(days) == (year, month, day)).then_some(Date { days })
    }

    /// Year, month (1-12) and day (1-31).
    pub fn ymd(&self) -> (i32, u32, u32) {
        civil_from_days(self.days)
    }
}

/// Writes `infinity` or `-infinity` as DuckDB does, for `value` equal to
/// `infinity` or to its negation; `false` for any other value.
fn write_infinity<T: PartialEq + std::ops::Neg<Output = T>>(
    f: &mut fmt::Formatter<'_>,
    value: T,
    infinity: T,
) -> Option<fmt::Result> {
    if value == infinity {
        Some(f.write_str("infinity"))
    } else if value == -infinity {
        Some(f.write_str("-infinity"))
    } else {
        None
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(written) = write_infinity(f, self.days, Date::INFINITY.days) {
            return written;
        }
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A DuckDB TIME: microseconds since midnight.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    /// Microseconds since midnight.
    pub micros: i64,
}

impl Time {
    /// The time, or `None` when out of range.
    pub fn from_hms_micro(hour: u32, minute: u32, second: u32, micro: u32) -> Option<Time> {
        (hour < 24 && minute < 60 && second < 60 && micro < 1_000_000).then(|| Time {
            micros: ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second)) * 1_000_000
                + i64::from(micro),
        })
    }
}

fn write_time(f: &mut fmt::Formatter<'_>, micros: i64) -> fmt::Result {
    let (secs, frac) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    write!(f, "{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)?;
    if frac != 0 {
        // DuckDB leaves the trailing zeros out: `10:30:00.0005`.
        f.write_str(format!(".{frac:06}").trim_end_matches('0'))?;
    }
    Ok(())
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.micros)
    }
}

/// A DuckDB TIME WITH TIME ZONE: local time and its UTC offset.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeTz {
    /// Microseconds since midnight, local time.
    pub micros: i64,
    /// Offset from UTC in seconds (east positive).
    pub offset_seconds: i32,
}

/// As DuckDB writes a TIMETZ: `10:30:00+02`, `10:30:00-01:30`.
impl fmt::Display for TimeTz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.micros)?;
        let sign = if self.offset_seconds < 0 { '-' } else { '+' };
        let offset = self.offset_seconds.unsigned_abs();
        write!(f, "{sign}{:02}", offset / 3600)?;
        let (minutes, seconds) = (offset / 60 % 60, offset % 60);
        if minutes != 0 || seconds != 0 {
            write!(f, ":{minutes:02}")?;
        }
        if seconds != 0 {
            write!(f, ":{seconds:02}")?;
        }
        Ok(())
    }
}

impl TimeTz {
    fn from_bits(bits: u64) -> TimeTz {
        let (micros, offset_seconds) = andamios_core::time_tz_from_bits(bits);
        TimeTz { micros, offset_seconds }
    }
}

/// A DuckDB TIMESTAMP (and TIMESTAMP_S/_MS/_NS): microseconds since
/// 1970-01-01 00:00:00, without a time zone.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Microseconds since the epoch.
    pub micros: i64,
}

/// DuckDB's `infinity` TIMESTAMP, in every precision.
const INFINITE_TIMESTAMP: i64 = i64::MAX;

/// Whether a raw timestamp, in any precision, is `infinity` or `-infinity`
/// (the same values in every precision).
#[inline]
pub(crate) fn is_infinite_timestamp(raw: i64) -> bool {
    raw.unsigned_abs() == INFINITE_TIMESTAMP.unsigned_abs()
}

/// `value` in a unit `per` times coarser (nanoseconds to microseconds:
/// 1,000), rounded to the nearest, halves away from zero, as DuckDB casts
/// a time or timestamp to a coarser precision: a value appended or read in
/// another precision is the one an INSERT or a cast in SQL gives.
#[inline]
pub(crate) fn to_coarser(value: i64, per: i64) -> i64 {
    let (whole, rest) = (value / per, value % per);
    if rest.unsigned_abs() * 2 >= per.unsigned_abs() {
        whole + value.signum()
    } else {
        whole
    }
}

impl Timestamp {
    /// DuckDB's `infinity` TIMESTAMP, later than every other.
    pub const INFINITY: Timestamp = Timestamp { micros: INFINITE_TIMESTAMP };
    /// DuckDB's `-infinity` TIMESTAMP, earlier than every other.
    pub const NEG_INFINITY: Timestamp = Timestamp { micros: -INFINITE_TIMESTAMP };

    /// Whether the timestamp is neither `infinity` nor `-infinity`.
    pub fn is_finite(&self) -> bool {
        !is_infinite_timestamp(self.micros)
    }

    /// The timestamp of `date` at `time`.
    pub fn new(date: Date, time: Time) -> Timestamp {
        Timestamp { micros: i64::from(date.days) * MICROS_PER_DAY + time.micros }
    }

    /// The date part.
    pub fn date(&self) -> Date {
        Date { days: self.micros.div_euclid(MICROS_PER_DAY) as i32 }
    }

    /// The time part.
    pub fn time(&self) -> Time {
        Time { micros: self.micros.rem_euclid(MICROS_PER_DAY) }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(written) = write_infinity(f, self.micros, INFINITE_TIMESTAMP) {
            return written;
        }
        write!(f, "{} {}", self.date(), self.time())
    }
}

/// A DuckDB TIMESTAMP WITH TIME ZONE: microseconds since the epoch, UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimestampTz {
    /// Microseconds since 1970-01-01 00:00:00 UTC.
    pub micros: i64,
}

impl TimestampTz {
    /// DuckDB's `infinity` TIMESTAMPTZ, later than every other.
    pub const INFINITY: TimestampTz = TimestampTz { micros: INFINITE_TIMESTAMP };
    /// DuckDB's `-infinity` TIMESTAMPTZ, earlier than every other.
    pub const NEG_INFINITY: TimestampTz = TimestampTz { micros: -INFINITE_TIMESTAMP };

    /// Whether the timestamp is neither `infinity` nor `-infinity`.
    pub fn is_finite(&self) -> bool {
        !is_infinite_timestamp(self.micros)
    }
}

impl fmt::Display for TimestampTz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(written) = write_infinity(f, self.micros, INFINITE_TIMESTAMP) {
            return written;
        }
        write!(f, "{}+00", Timestamp { micros: self.micros })
    }
}

/// A DuckDB INTERVAL: months, days and microseconds, kept apart as DuckDB does.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Interval {
    /// Whole months.
    pub months: i32,
    /// Whole days.
    pub days: i32,
    /// Microseconds.
    pub micros: i64,
}

impl Decode for Date {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Date)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        valid(column, row)?;
        column.get::<i32>(row).map(|days| Date { days }).ok_or(DecodeError::Mismatch)
    }
}

impl Decode for Time {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Time | DuckType::TimeNs)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        valid(column, row)?;
        let raw = column.get::<i64>(row).ok_or(DecodeError::Mismatch)?;
        Ok(Time { micros: if matches!(column.duck_type(), DuckType::TimeNs) { to_coarser(raw, 1_000) } else { raw } })
    }
}

/// A TIME or TIME_NS, in nanoseconds since midnight.
#[cfg_attr(not(any(feature = "chrono", feature = "time")), allow(dead_code))]
pub(crate) fn time_nanos(column: &ColumnRef<'_>, row: usize) -> Result<i64, DecodeError> {
    valid(column, row)?;
    let raw = column.get::<i64>(row).ok_or(DecodeError::Mismatch)?;
    match column.duck_type() {
        DuckType::TimeNs => Ok(raw),
        DuckType::Time => Ok(raw * 1_000),
        _ => Err(DecodeError::Mismatch),
    }
}

/// The error for a TIME that a Rust time type has no value for: DuckDB's
/// `24:00:00` (the end of a day), which only [`Time`] holds.
#[cfg(any(feature = "chrono", feature = "time"))]
pub(crate) fn time_out_of_range(nanos: i64) -> DecodeError {
    let shown = Time { micros: nanos.div_euclid(1_000) };
    DecodeError::OutOfRange(format!("{shown} (the end of a day, which `andamios::types::Time` holds)"))
}

impl Decode for TimeTz {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::TimeTz)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        valid(column, row)?;
        column.get::<u64>(row).map(TimeTz::from_bits).ok_or(DecodeError::Mismatch)
    }
}

/// Any TIMESTAMP flavour, in microseconds since the epoch; `infinity` and
/// `-infinity` (the same values in every precision) stay what they are.
#[inline]
pub(crate) fn timestamp_micros(column: &ColumnRef<'_>, row: usize) -> Result<i64, DecodeError> {
    valid(column, row)?;
    let raw = column.get::<i64>(row).ok_or(DecodeError::Mismatch)?;
    micros_of_timestamp(raw, column.duck_type())
}

/// A TIMESTAMP stored as `raw` in the unit of `ty`, in microseconds since
/// the epoch; `infinity` and `-infinity` as they are.
#[inline]
pub(crate) fn micros_of_timestamp(raw: i64, ty: &DuckType) -> Result<i64, DecodeError> {
    if is_infinite_timestamp(raw) {
        return Ok(raw);
    }
    let overflow = || DecodeError::OutOfRange(format!("{raw} in {ty}"));
    match ty {
        DuckType::Timestamp | DuckType::TimestampTz => Ok(raw),
        DuckType::TimestampS => raw.checked_mul(1_000_000).ok_or_else(overflow),
        DuckType::TimestampMs => raw.checked_mul(1_000).ok_or_else(overflow),
        DuckType::TimestampNs | DuckType::TimestampTzNs => Ok(to_coarser(raw, 1_000)),
        _ => Err(DecodeError::Mismatch),
    }
}

/// Any TIMESTAMP flavour, in nanoseconds since the epoch.
#[cfg_attr(not(any(feature = "chrono", feature = "time")), allow(dead_code))]
/// `infinity` and `-infinity` are [`DecodeError::Infinite`]: the types
/// read this way have no value for them.
pub(crate) fn timestamp_nanos(column: &ColumnRef<'_>, row: usize) -> Result<i128, DecodeError> {
    let micros = timestamp_micros(column, row)?;
    if is_infinite_timestamp(micros) {
        return Err(DecodeError::Infinite(infinity_name(micros > 0)));
    }
    if matches!(column.duck_type(), DuckType::TimestampNs | DuckType::TimestampTzNs) {
        return column.get::<i64>(row).map(i128::from).ok_or(DecodeError::Mismatch);
    }
    Ok(i128::from(micros) * 1_000)
}

/// A DATE's days since the epoch; `infinity` and `-infinity` are
/// [`DecodeError::Infinite`], for the types that have no value for them.
#[cfg_attr(not(any(feature = "chrono", feature = "time")), allow(dead_code))]
pub(crate) fn finite_days(column: &ColumnRef<'_>, row: usize) -> Result<i32, DecodeError> {
    let date = Date::decode(column, row)?;
    if date.is_finite() {
        Ok(date.days)
    } else {
        Err(DecodeError::Infinite(infinity_name(date.days > 0)))
    }
}

fn infinity_name(positive: bool) -> &'static str {
    if positive {
        "infinity"
    } else {
        "-infinity"
    }
}

/// TIMESTAMPTZ, in either precision.
pub(crate) fn is_timestamp_tz(ty: &DuckType) -> bool {
    matches!(ty, DuckType::TimestampTz | DuckType::TimestampTzNs)
}

fn is_timestamp(ty: &DuckType) -> bool {
    matches!(ty, DuckType::Timestamp | DuckType::TimestampS | DuckType::TimestampMs | DuckType::TimestampNs)
}

impl Decode for Timestamp {
    fn accepts(ty: &DuckType) -> bool {
        is_timestamp(ty)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        timestamp_micros(column, row).map(|micros| Timestamp { micros })
    }
}

impl Decode for TimestampTz {
    fn accepts(ty: &DuckType) -> bool {
        is_timestamp_tz(ty)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        timestamp_micros(column, row).map(|micros| TimestampTz { micros })
    }
}

impl Decode for Interval {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Interval)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        valid(column, row)?;
        let bytes = column.get::<u128>(row).ok_or(DecodeError::Mismatch)?.to_le_bytes();
        let word = |r: std::ops::Range<usize>| bytes[r].to_vec();
        Ok(Interval {
            months: i32::from_le_bytes(word(0..4).try_into().expect("4 bytes")),
            days: i32::from_le_bytes(word(4..8).try_into().expect("4 bytes")),
            micros: i64::from_le_bytes(word(8..16).try_into().expect("8 bytes")),
        })
    }
}

impl Encode for Date {
    fn duck_type() -> DuckType {
        DuckType::Date
    }

    fn to_value(&self) -> Value {
        Value::Date(self.days)
    }
}

impl Encode for Time {
    fn duck_type() -> DuckType {
        DuckType::Time
    }

    fn to_value(&self) -> Value {
        Value::Time(self.micros)
    }
}

impl Encode for TimeTz {
    fn duck_type() -> DuckType {
        DuckType::TimeTz
    }

    fn to_value(&self) -> Value {
        Value::TimeTz { micros: self.micros, offset_seconds: self.offset_seconds }
    }
}

impl Encode for Timestamp {
    fn duck_type() -> DuckType {
        DuckType::Timestamp
    }

    fn to_value(&self) -> Value {
        Value::Timestamp(self.micros)
    }
}

impl Encode for TimestampTz {
    fn duck_type() -> DuckType {
        DuckType::TimestampTz
    }

    fn to_value(&self) -> Value {
        Value::TimestampTz(self.micros)
    }
}

impl Encode for Interval {
    fn duck_type() -> DuckType {
        DuckType::Interval
    }

    fn to_value(&self) -> Value {
        Value::Interval { months: self.months, days: self.days, micros: self.micros }
    }
}

/// As DuckDB writes an INTERVAL: `1 year 2 months 3 days 04:05:06.7`.
impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (count, unit) in [(self.months / 12, "year"), (self.months % 12, "month"), (self.days, "day")] {
            if count != 0 {
                let plural = if count == 1 || count == -1 { "" } else { "s" };
                parts.push(format!("{count} {unit}{plural}"));
            }
        }
        if self.micros != 0 || parts.is_empty() {
            let sign = if self.micros < 0 { "-" } else { "" };
            let micros = self.micros.unsigned_abs();
            let (hours, minutes) = (micros / 3_600_000_000, micros / 60_000_000 % 60);
            let (seconds, fraction) = (micros / 1_000_000 % 60, micros % 1_000_000);
            let mut time = format!("{sign}{hours:02}:{minutes:02}:{seconds:02}");
            if fraction != 0 {
                time.push_str(format!(".{fraction:06}").trim_end_matches('0'));
            }
            parts.push(time);
        }
        f.write_str(&parts.join(" "))
    }
}

impl Interval {
    /// An interval of `micros` microseconds (no months, no days).
    pub fn from_micros(micros: i64) -> Interval {
        Interval { months: 0, days: 0, micros }
    }

    /// The length in microseconds, a day counted as 24 hours; `None` when
    /// the interval has months, whose length varies.
    ///
    /// ```
    /// use andamios::types::Interval;
    /// assert_eq!(Interval { months: 0, days: 1, micros: 5 }.fixed_micros(), Some(86_400_000_005));
    /// assert_eq!(Interval { months: 1, days: 0, micros: 0 }.fixed_micros(), None);
    /// ```
    pub fn fixed_micros(&self) -> Option<i128> {
        (self.months == 0).then(|| i128::from(self.days) * i128::from(MICROS_PER_DAY) + i128::from(self.micros))
    }
}

/// The INTERVAL at `row` as a fixed length in microseconds (see
/// [`Interval::fixed_micros`]), for the duration types.
pub(crate) fn interval_micros(column: &ColumnRef<'_>, row: usize) -> Result<i128, DecodeError> {
    let interval = Interval::decode(column, row)?;
    interval.fixed_micros().ok_or_else(|| {
        DecodeError::OutOfRange(format!(
            "{} month(s), whose length varies (read it as andamios::types::Interval, or convert it in SQL with \
             `epoch(x)` for seconds)",
            interval.months
        ))
    })
}

/// An interval of `micros`, or why DuckDB's INTERVAL cannot hold it.
pub(crate) fn interval_value(micros: Option<i64>) -> Value {
    match micros {
        Some(micros) => Value::Interval { months: 0, days: 0, micros },
        None => Value::Unencodable("the duration is longer than an INTERVAL holds (about 292,000 years)".into()),
    }
}

/// Binds as an INTERVAL of whole microseconds (finer parts are dropped);
/// reads an INTERVAL without months, counting a day as 24 hours.
impl Encode for std::time::Duration {
    fn duck_type() -> DuckType {
        DuckType::Interval
    }

    fn to_value(&self) -> Value {
        interval_value(i64::try_from(self.as_micros()).ok())
    }
}

impl Decode for std::time::Duration {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Interval)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let micros = interval_micros(column, row)?;
        u64::try_from(micros)
            .map(std::time::Duration::from_micros)
            .map_err(|_| DecodeError::OutOfRange(format!("{micros} µs, below zero")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coarser_values_round_to_the_nearest_halves_away_from_zero() {
        let cases = [(0, 0), (499, 0), (500, 1), (1_499, 1), (1_500, 2), (-499, 0), (-500, -1), (-1_500, -2)];
        for (nanos, micros) in cases {
            assert_eq!(to_coarser(nanos, 1_000), micros, "{nanos}");
        }
        assert_eq!(to_coarser(i64::MAX, 1_000), i64::MAX / 1_000 + 1);
        assert_eq!(to_coarser(i64::MIN, 1_000_000), i64::MIN / 1_000_000 - 1);
    }

    #[test]
    fn civil_dates_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (1969, 12, 31), (1, 1, 1), (9999, 12, 31), (-44, 3, 15)] {
            let days = days_from_civil(y, m, d);
            assert_eq!(civil_from_days(days), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 2), 1);
        assert!(Date::from_ymd(2023, 2, 29).is_none());
    }

    #[test]
    fn timestamps_split_and_print() {
        let ts = Timestamp::new(Date::from_ymd(1969, 12, 31).unwrap(), Time::from_hms_micro(23, 59, 59, 5).unwrap());
        assert_eq!(ts.to_string(), "1969-12-31 23:59:59.000005");
        assert_eq!(ts.micros, -999_995);
    }

    #[test]
    fn debug_prints_values_as_duckdb_writes_them() {
        use andamios_core::{BigNum, BitString, Decimal};
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Row {
            day: Date,
            never: Date,
            at: Time,
            zoned: TimeTz,
            stamp: Timestamp,
            stamp_tz: TimestampTz,
            span: Interval,
            price: Decimal,
            big: BigNum,
            bits: BitString,
        }
        let row = Row {
            day: Date::from_ymd(2024, 2, 29).unwrap(),
            never: Date::INFINITY,
            at: Time::from_hms_micro(12, 30, 0, 500_000).unwrap(),
            zoned: TimeTz { micros: 3_600_000_000, offset_seconds: 7200 },
            stamp: Timestamp::new(Date::from_ymd(2024, 1, 1).unwrap(), Time::from_hms_micro(8, 0, 0, 0).unwrap()),
            stamp_tz: TimestampTz { micros: 0 },
            span: Interval { months: 14, days: 3, micros: 1_500_000 },
            price: Decimal::new(-1250, 2),
            big: BigNum::from_sign_and_magnitude(true, &[1, 0]),
            bits: BitString::from_bits([true, false, true]),
        };
        assert_eq!(
            format!("{row:?}"),
            "Row { day: 2024-02-29, never: infinity, at: 12:30:00.5, zoned: 01:00:00+02, \
             stamp: 2024-01-01 08:00:00, stamp_tz: 1970-01-01 00:00:00+00, \
             span: 1 year 2 months 3 days 00:00:01.5, price: -12.50, big: -256, bits: 101 }"
        );
        assert_eq!(format!("{:?}", andamios_core::Value::Decimal(Decimal::new(5, 1))), "Decimal(0.5)");
    }

    #[test]
    fn timetz_unpacks_offset() {
        let bits = andamios_core::time_tz_bits(3_600_000_000, 7200).unwrap();
        assert_eq!(TimeTz::from_bits(bits), TimeTz { micros: 3_600_000_000, offset_seconds: 7200 });
    }
}
