use crate::{BigNum, BitString, DuckType};
use std::fmt;

/// An exact decimal number: `mantissa * 10^-scale`.
///
/// DuckDB's DECIMAL(width, scale) holds up to 38 digits; this type keeps every
/// one of them (it never goes through `f64`).
///
/// ```
/// use andamios_core::Decimal;
/// let price: Decimal = "12.50".parse().unwrap();
/// assert_eq!(price.mantissa(), 1250);
/// assert_eq!(price.scale(), 2);
/// assert_eq!(price.to_string(), "12.50");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i128,
    scale: u8,
}

/// The most digits a DuckDB DECIMAL holds after the point (and in all).
const MAX_DECIMAL_SCALE: u8 = 38;

impl Decimal {
    /// `mantissa * 10^-scale`.
    ///
    /// DuckDB's DECIMAL holds at most 38 digits, at most 38 of them after
    /// the point. A scale above 38 drops trailing zeros down to 38; where
    /// the digits are not zeros, binding or appending the value is an error
    /// that says so, not a different number.
    pub fn new(mantissa: i128, scale: u8) -> Self {
        let exact = Decimal { mantissa, scale };
        if scale > MAX_DECIMAL_SCALE {
            return exact.rescale(MAX_DECIMAL_SCALE).unwrap_or(exact);
        }
        exact
    }

    /// The integer digits, without the decimal point.
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// Digits after the decimal point.
    pub fn scale(&self) -> u8 {
        self.scale
    }

    /// Number of significant digits (at least 1).
    pub fn digits(&self) -> u8 {
        let mut n = self.mantissa.unsigned_abs();
        let mut digits = 1;
        while n >= 10 {
            n /= 10;
            digits += 1;
        }
        digits
    }

    /// Why this number, which has more digits after the point than the
    /// `scale` of column type `ty` keeps, is not appended: the appender does
    /// not round, where an INSERT would.
    #[doc(hidden)]
    pub fn scale_problem(&self, ty: &DuckType, scale: u8) -> String {
        format!(
            "{self} has {} digits after the point, and column type {ty} keeps {scale}: round it first (an INSERT \
             would round it to the nearest), or give the column a larger scale",
            self.scale
        )
    }

    /// The same number with `scale` digits after the point, or `None` when
    /// that would drop non-zero digits or overflow.
    pub fn rescale(&self, scale: u8) -> Option<Decimal> {
        if scale >= self.scale {
            let factor = 10i128.checked_pow(u32::from(scale - self.scale))?;
            Some(Decimal::new(self.mantissa.checked_mul(factor)?, scale))
        } else {
            let factor = 10i128.checked_pow(u32::from(self.scale - scale))?;
            (self.mantissa % factor == 0).then(|| Decimal::new(self.mantissa / factor, scale))
        }
    }
}

crate::debug_as_display!(Decimal);

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

/// Text that does not spell a value of the type it was parsed as (a
/// [`Decimal`], a [`BigNum`](crate::BigNum), a [`BitString`](crate::BitString)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseValueError {
    text: String,
    expected: &'static str,
}

impl ParseValueError {
    pub(crate) fn new(text: &str, expected: &'static str) -> Self {
        ParseValueError { text: text.to_owned(), expected }
    }
}

impl fmt::Display for ParseValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not {}", self.text, self.expected)
    }
}

impl std::error::Error for ParseValueError {}

impl std::str::FromStr for Decimal {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseValueError::new(s, "a decimal number (digits with an optional sign and point)");
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            || frac.len() > 38
        {
            return Err(err());
        }
        let mut mantissa: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mantissa = mantissa.checked_mul(10).and_then(|m| m.checked_add(i128::from(b - b'0'))).ok_or_else(err)?;
        }
        Ok(Decimal::new(if negative { -mantissa } else { mantissa }, frac.len() as u8))
    }
}

/// The largest TIMETZ offset DuckDB stores, in seconds (15:59:59).
const TIME_TZ_MAX_OFFSET: i64 = 16 * 60 * 60 - 1;

/// DuckDB's packing of a TIME WITH TIME ZONE, `micros << 24 | (MAX_OFFSET -
/// offset)`, or `None` for a time outside 00:00..=24:00 or an offset beyond
/// ±15:59:59 (DuckDB does not check them).
#[doc(hidden)]
pub fn time_tz_bits(micros: i64, offset_seconds: i32) -> Option<u64> {
    let offset = i64::from(offset_seconds);
    if !(0..=86_400_000_000).contains(&micros) || offset.abs() > TIME_TZ_MAX_OFFSET {
        return None;
    }
    Some((micros as u64) << 24 | (TIME_TZ_MAX_OFFSET - offset) as u64)
}

/// The inverse of [`time_tz_bits`]: microseconds and offset in seconds.
#[doc(hidden)]
pub fn time_tz_from_bits(bits: u64) -> (i64, i32) {
    ((bits >> 24) as i64, (TIME_TZ_MAX_OFFSET - (bits & 0xFF_FFFF) as i64) as i32)
}

/// An owned DuckDB value, as bound to a statement parameter.
///
/// Each variant is bound with DuckDB's own bind function for that type
/// (`duckdb_bind_int64`, `duckdb_bind_varchar_length`, ...); nested values
/// are built as DuckDB values of the carried element type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Value {
    Null,
    Boolean(bool),
    TinyInt(i8),
    SmallInt(i16),
    Integer(i32),
    BigInt(i64),
    HugeInt(i128),
    UTinyInt(u8),
    USmallInt(u16),
    UInteger(u32),
    UBigInt(u64),
    UHugeInt(u128),
    Float(f32),
    Double(f64),
    Decimal(Decimal),
    Varchar(String),
    Blob(Vec<u8>),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since midnight.
    Time(i64),
    /// Microseconds since midnight, local time, and the offset from UTC in
    /// seconds (east positive).
    TimeTz {
        micros: i64,
        offset_seconds: i32,
    },
    /// Nanoseconds since midnight (TIME_NS).
    TimeNs(i64),
    /// Microseconds since 1970-01-01 00:00:00.
    Timestamp(i64),
    /// Nanoseconds since 1970-01-01 00:00:00.
    TimestampNs(i64),
    /// Microseconds since 1970-01-01 00:00:00 UTC.
    TimestampTz(i64),
    /// Nanoseconds since 1970-01-01 00:00:00 UTC (TIMESTAMPTZ_NS).
    TimestampTzNs(i64),
    Interval {
        months: i32,
        days: i32,
        micros: i64,
    },
    Uuid(u128),
    Bit(BitString),
    BigNum(BigNum),
    /// A GEOMETRY, as the WKB (well-known binary) DuckDB stores it;
    /// bound as a BLOB, which DuckDB casts where a GEOMETRY is expected.
    Geometry(Vec<u8>),
    /// A list whose elements have type `element`.
    List {
        element: DuckType,
        items: Vec<Value>,
    },
    /// A struct of named fields, in the order of `ty`'s fields.
    Struct {
        ty: DuckType,
        values: Vec<Value>,
    },
    /// A map from `key` type to `value` type.
    Map {
        ty: DuckType,
        entries: Vec<(Value, Value)>,
    },
    /// A value of a UNION type `ty`: member number `tag` (from 0, in the
    /// type's order) holding `value`.
    Union {
        ty: DuckType,
        tag: usize,
        value: Box<Value>,
    },
    /// An enum member, bound as text and cast by DuckDB to the parameter's ENUM.
    Enum(String),
    /// A Rust value that could not be converted (a serialiser failed):
    /// binding or appending it is an error with this reason.
    #[doc(hidden)]
    Unencodable(String),
}

/// Why `entries` cannot make a MAP, if they cannot: a NULL key, or a key
/// that comes twice. (DuckDB's appender would store either, as a MAP that
/// reads as `{invalid}` or with both entries.)
pub fn map_entries_problem(entries: &[(Value, Value)]) -> Option<String> {
    if entries.iter().any(|(key, _)| matches!(key, Value::Null)) {
        return Some("a MAP key is NULL; MAP keys cannot be".into());
    }
    // Keys compared by their debug form: `Value` has no `Hash` (floats).
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    entries
        .iter()
        .find(|(key, _)| !seen.insert(format!("{key:?}")))
        .map(|(key, _)| format!("the MAP key {key:?} comes twice; MAP keys are unique"))
}

/// DuckDB's earliest TIMESTAMP, 290309-12-22 (BC) 00:00:00, in
/// microseconds; `-infinity` (`-i64::MAX`) lies below it.
const EARLIEST_TIMESTAMP: i64 = -9_223_372_022_400_000_000;

impl Value {
    /// Why DuckDB has no such value, for a DATE, TIME or TIMESTAMP outside
    /// its range: DuckDB would store it, and then fail on it, with an error
    /// that invalidates the whole database.
    pub fn range_problem(&self) -> Option<String> {
        match *self {
            Value::Date(days) if days == i32::MIN => {
                Some(format!("{days} days is not a DATE: DuckDB's dates end at -2147483646 days (and -infinity)"))
            }
            Value::Time(micros) if !(0..=86_400_000_000).contains(&micros) => {
                Some(format!("{micros} µs is not a TIME: a TIME lies from 00:00:00 to 24:00:00"))
            }
            Value::TimeNs(nanos) if !(0..=86_400_000_000_000).contains(&nanos) => {
                Some(format!("{nanos} ns is not a TIME_NS: a TIME lies from 00:00:00 to 24:00:00"))
            }
            Value::Timestamp(micros) | Value::TimestampTz(micros)
                if micros < EARLIEST_TIMESTAMP && micros != -i64::MAX =>
            {
                Some(format!(
                    "{micros} µs is not a TIMESTAMP: DuckDB's timestamps start at 290309-12-22 (BC) 00:00:00 \
                     ({EARLIEST_TIMESTAMP} µs; and -infinity)"
                ))
            }
            Value::Decimal(d) if d.mantissa().unsigned_abs() >= 10u128.pow(38) => {
                Some(format!("{d} has {} digits: a DECIMAL holds at most 38", d.mantissa().unsigned_abs().ilog10() + 1))
            }
            Value::Decimal(d) if d.scale() > MAX_DECIMAL_SCALE => {
                Some(format!("{d} has {} digits after the point: a DECIMAL holds at most 38", d.scale()))
            }
            Value::TimestampNs(nanos) if nanos == i64::MIN => {
                Some(format!("{nanos} ns is not a TIMESTAMP_NS: it is below DuckDB's range"))
            }
            Value::TimestampTzNs(nanos) if nanos == i64::MIN => {
                Some(format!("{nanos} ns is not a TIMESTAMPTZ_NS: it is below DuckDB's range"))
            }
            _ => None,
        }
    }

    /// A value read from a VARIANT, whose arrays and objects are lists and
    /// structs of VARIANT parts, with each part typed by what it holds:
    /// DuckDB creates no VARIANT values itself, but it creates these and
    /// casts them to a VARIANT parameter. An array's items must then share
    /// one type, NULLs aside (integers of different widths are read as
    /// BIGINT). `None` for a value without VARIANT parts.
    pub fn with_variant_parts_typed(&self) -> Result<Option<Value>, String> {
        let typed = |value: &Value| Ok::<_, String>(value.with_variant_parts_typed()?.unwrap_or_else(|| value.clone()));
        match self {
            Value::List { element: DuckType::Variant, items } => {
                let mut items = items.iter().map(typed).collect::<Result<Vec<_>, _>>()?;
                let element = one_type_for(&mut items, "an array")?;
                Ok(Some(Value::List { element, items }))
            }
            Value::Map { ty: DuckType::Map { key, value: variant }, entries } if **variant == DuckType::Variant => {
                let (keys, values): (Vec<_>, Vec<_>) = entries.iter().map(|(k, v)| (k.clone(), v)).unzip();
                let mut values = values.into_iter().map(typed).collect::<Result<Vec<_>, _>>()?;
                let value = one_type_for(&mut values, "a MAP's values")?;
                let ty = DuckType::Map { key: key.clone(), value: Box::new(value) };
                Ok(Some(Value::Map { ty, entries: keys.into_iter().zip(values).collect() }))
            }
            Value::Struct { ty: DuckType::Struct { fields }, values }
                if fields.iter().any(|(_, ty)| *ty == DuckType::Variant) =>
            {
                let mut values = values.iter().map(typed).collect::<Result<Vec<_>, _>>()?;
                let fields = fields
                    .iter()
                    .zip(&mut values)
                    .map(|((name, ty), value)| {
                        let ty = match ty {
                            DuckType::Variant => one_type_for(std::slice::from_mut(value), "a field")?,
                            ty => ty.clone(),
                        };
                        Ok((name.clone(), ty))
                    })
                    .collect::<Result<_, String>>()?;
                Ok(Some(Value::Struct { ty: DuckType::Struct { fields }, values }))
            }
            _ => Ok(None),
        }
    }

    /// An integer of any width that fits an `i64`.
    fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::TinyInt(n) => Some(n.into()),
            Value::SmallInt(n) => Some(n.into()),
            Value::Integer(n) => Some(n.into()),
            Value::BigInt(n) => Some(n),
            Value::HugeInt(n) => n.try_into().ok(),
            Value::UTinyInt(n) => Some(n.into()),
            Value::USmallInt(n) => Some(n.into()),
            Value::UInteger(n) => Some(n.into()),
            Value::UBigInt(n) => n.try_into().ok(),
            Value::UHugeInt(n) => n.try_into().ok(),
            _ => None,
        }
    }

    /// The DuckDB type of this value (`Null` for NULL).
    pub fn duck_type(&self) -> DuckType {
        use Value::*;
        match self {
            Null => DuckType::Null,
            Boolean(_) => DuckType::Boolean,
            TinyInt(_) => DuckType::TinyInt,
            SmallInt(_) => DuckType::SmallInt,
            Integer(_) => DuckType::Integer,
            BigInt(_) => DuckType::BigInt,
            HugeInt(_) => DuckType::HugeInt,
            UTinyInt(_) => DuckType::UTinyInt,
            USmallInt(_) => DuckType::USmallInt,
            UInteger(_) => DuckType::UInteger,
            UBigInt(_) => DuckType::UBigInt,
            UHugeInt(_) => DuckType::UHugeInt,
            Float(_) => DuckType::Float,
            Double(_) => DuckType::Double,
            Decimal(d) => DuckType::Decimal {
                width: d.digits().max(d.scale().saturating_add(1)).min(MAX_DECIMAL_SCALE),
                scale: d.scale().min(MAX_DECIMAL_SCALE),
            },
            Varchar(_) | Enum(_) => DuckType::Varchar,
            Blob(_) => DuckType::Blob,
            Date(_) => DuckType::Date,
            Time(_) => DuckType::Time,
            TimeNs(_) => DuckType::TimeNs,
            TimeTz { .. } => DuckType::TimeTz,
            Timestamp(_) => DuckType::Timestamp,
            TimestampNs(_) => DuckType::TimestampNs,
            TimestampTz(_) => DuckType::TimestampTz,
            TimestampTzNs(_) => DuckType::TimestampTzNs,
            Interval { .. } => DuckType::Interval,
            Uuid(_) => DuckType::Uuid,
            Bit(_) => DuckType::Bit,
            BigNum(_) => DuckType::BigNum,
            Geometry(_) => DuckType::Geometry,
            List { element, .. } => DuckType::list(element.clone()),
            Struct { ty, .. } | Map { ty, .. } | Union { ty, .. } => ty.clone(),
            Unencodable(_) => DuckType::Unknown,
        }
    }
}

/// The one DuckDB type of `values`, parts of a VARIANT that DuckDB must
/// hold as one type (in a list, a map's values or a struct field: `what`),
/// NULLs aside; integers of different widths become BIGINTs where they fit.
fn one_type_for(values: &mut [Value], what: &str) -> Result<DuckType, String> {
    let mut types = Vec::new();
    for ty in values.iter().filter(|v| **v != Value::Null).map(Value::duck_type) {
        if !types.contains(&ty) {
            types.push(ty);
        }
    }
    if types.len() > 1 && values.iter().all(|v| *v == Value::Null || v.as_i64().is_some()) {
        for value in values.iter_mut() {
            if let Some(n) = value.as_i64() {
                *value = Value::BigInt(n);
            }
        }
        types = vec![DuckType::BigInt];
    }
    match types.as_slice() {
        // All NULL, or none: any type holds them.
        [] => Ok(DuckType::Varchar),
        [one] => Ok(one.clone()),
        [first, second, ..] => Err(format!(
            "{what} read from a VARIANT holds both {first} and {second} values, and DuckDB holds them as one \
             type: give it as JSON, which DuckDB reads into a VARIANT of any shape (bind JSON text and cast it \
             in SQL, `$1::JSON::VARIANT`, or append a `serde_json::Value`)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_variant_are_typed_by_what_they_hold() {
        let array = |items| Value::List { element: DuckType::Variant, items };
        assert_eq!(Value::Integer(1).with_variant_parts_typed(), Ok(None));
        let typed = Value::List { element: DuckType::Integer, items: vec![Value::Integer(1)] };
        assert_eq!(typed.with_variant_parts_typed(), Ok(None));
        assert_eq!(
            array(vec![Value::Null, Value::Varchar("a".into())]).with_variant_parts_typed(),
            Ok(Some(Value::List { element: DuckType::Varchar, items: vec![Value::Null, Value::Varchar("a".into())] }))
        );
        assert_eq!(
            array(vec![Value::UBigInt(1), Value::BigInt(-1)]).with_variant_parts_typed(),
            Ok(Some(Value::List { element: DuckType::BigInt, items: vec![Value::BigInt(1), Value::BigInt(-1)] }))
        );
        let mixed = array(vec![Value::Integer(1), Value::Varchar("a".into()), Value::Integer(2)]);
        assert!(mixed
            .with_variant_parts_typed()
            .unwrap_err()
            .contains("an array read from a VARIANT holds both INTEGER and VARCHAR"));
        let map = |values: Vec<Value>| Value::Map {
            ty: DuckType::Map { key: Box::new(DuckType::Varchar), value: Box::new(DuckType::Variant) },
            entries: values.into_iter().enumerate().map(|(i, v)| (Value::Varchar(i.to_string()), v)).collect(),
        };
        let ty = DuckType::Map { key: Box::new(DuckType::Varchar), value: Box::new(DuckType::BigInt) };
        let entries =
            vec![(Value::Varchar("0".into()), Value::BigInt(1)), (Value::Varchar("1".into()), Value::BigInt(-2))];
        assert_eq!(
            map(vec![Value::UBigInt(1), Value::BigInt(-2)]).with_variant_parts_typed(),
            Ok(Some(Value::Map { ty, entries }))
        );
        let mixed = map(vec![Value::Double(0.5), Value::Boolean(true)]).with_variant_parts_typed();
        assert!(mixed.unwrap_err().contains("a MAP's values read from a VARIANT holds both DOUBLE and BOOLEAN"));
        let too_big = array(vec![Value::UBigInt(u64::MAX), Value::BigInt(-1)]).with_variant_parts_typed();
        assert!(too_big.unwrap_err().contains("both UBIGINT and BIGINT"));
        let object = Value::Struct {
            ty: DuckType::Struct { fields: vec![("a".into(), DuckType::Variant), ("b".into(), DuckType::Variant)] },
            values: vec![array(vec![Value::Double(0.5)]), Value::Null],
        };
        let fields = vec![("a".into(), DuckType::list(DuckType::Double)), ("b".into(), DuckType::Varchar)];
        let values = vec![Value::List { element: DuckType::Double, items: vec![Value::Double(0.5)] }, Value::Null];
        assert_eq!(
            object.with_variant_parts_typed(),
            Ok(Some(Value::Struct { ty: DuckType::Struct { fields }, values }))
        );
    }

    #[test]
    fn dates_times_and_timestamps_outside_duckdbs_range_are_refused() {
        let wide = Value::Decimal(Decimal::new(i128::MIN, 2));
        assert!(wide.range_problem().unwrap().contains("39 digits"));
        assert_eq!(Value::Decimal(Decimal::new(10i128.pow(38) - 1, 0)).range_problem(), None);
        for bad in [Value::Date(i32::MIN), Value::Time(-1), Value::Time(86_400_000_001), Value::Timestamp(i64::MIN)] {
            assert!(bad.range_problem().is_some(), "{bad:?}");
        }
        let earliest = Value::TimestampTz(EARLIEST_TIMESTAMP);
        for good in [Value::Date(-i32::MAX), Value::Time(86_400_000_000), Value::Timestamp(-i64::MAX), earliest] {
            assert_eq!(good.range_problem(), None, "{good:?}");
        }
        assert!(Value::TimestampTz(EARLIEST_TIMESTAMP - 1).range_problem().is_some());
    }

    #[test]
    fn map_entries_need_unique_keys_that_are_not_null() {
        let entry = |k: Value| (k, Value::Integer(1));
        assert_eq!(map_entries_problem(&[entry(Value::Integer(1)), entry(Value::BigInt(1))]), None);
        assert!(map_entries_problem(&[entry(Value::Null)]).unwrap().contains("NULL"));
        let twice =
            map_entries_problem(&[entry(Value::Double(0.5)), entry(Value::Integer(2)), entry(Value::Double(0.5))]);
        assert!(twice.unwrap().contains("Double(0.5) comes twice"));
    }

    #[test]
    fn decimal_parses_and_prints_exactly() {
        for text in ["0", "1.5", "-0.05", "12345678901234567890123456789.012345678", "-7"] {
            let d: Decimal = text.parse().unwrap();
            assert_eq!(d.to_string(), text);
        }
        assert_eq!("+.5".parse::<Decimal>().unwrap().to_string(), "0.5");
        let err = "1.2.3".parse::<Decimal>().unwrap_err();
        assert_eq!(err.to_string(), "`1.2.3` is not a decimal number (digits with an optional sign and point)");
        assert!("abc".parse::<Decimal>().is_err());
        assert!("".parse::<Decimal>().is_err());
    }

    #[test]
    fn time_tz_packs_as_duckdb_does() {
        // 10:30:00+02, as DuckDB stores it.
        let stored = 37_800_000_000u64 << 24 | (57_599 - 7_200);
        assert_eq!(time_tz_bits(37_800_000_000, 7_200), Some(stored));
        assert_eq!(time_tz_from_bits(stored), (37_800_000_000, 7_200));
        assert_eq!(time_tz_from_bits(time_tz_bits(0, -57_599).unwrap()), (0, -57_599));
        assert_eq!(time_tz_bits(0, 57_600), None);
        assert_eq!(time_tz_bits(-1, 0), None);
        assert_eq!(time_tz_bits(86_400_000_001, 0), None);
    }

    #[test]
    fn decimal_scales_past_38_drop_zeros_or_are_refused() {
        let zeros = Decimal::new(15 * 10i128.pow(20), 41);
        assert_eq!((zeros.mantissa(), zeros.scale()), (15 * 10i128.pow(17), 38));
        assert_eq!(Value::Decimal(zeros).range_problem(), None);
        let digits = Decimal::new(15, 41);
        assert_eq!((digits.mantissa(), digits.scale()), (15, 41));
        assert_eq!(digits.to_string(), format!("0.{}15", "0".repeat(39)));
        let problem = Value::Decimal(digits).range_problem().unwrap();
        assert!(problem.ends_with("has 41 digits after the point: a DECIMAL holds at most 38"), "{problem}");
        assert_eq!(Value::Decimal(Decimal::new(1, 255)).duck_type(), DuckType::Decimal { width: 38, scale: 38 });
    }

    #[test]
    fn decimal_rescales_without_losing_digits() {
        let d = Decimal::new(150, 2);
        assert_eq!(d.rescale(4), Some(Decimal::new(15000, 4)));
        assert_eq!(d.rescale(1), Some(Decimal::new(15, 1)));
        assert_eq!(Decimal::new(151, 2).rescale(1), None);
    }
}
