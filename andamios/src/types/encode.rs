use super::temporal::{is_infinite_timestamp, to_coarser};
use andamios_core::ffi::ColumnWriter;
use andamios_core::{json_syntax_problem, BigNum, BitString, Decimal, DuckType, Value};
use std::collections::{BTreeMap, HashMap};

/// Why a value could not be written into a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError(pub String);

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Rust type whose values can be bound to parameters and appended to tables.
pub trait Encode {
    /// The DuckDB type values of this Rust type have.
    fn duck_type() -> DuckType
    where
        Self: Sized;

    /// The value to bind to a parameter.
    fn to_value(&self) -> Value;

    /// Writes the value into an appender's column at the current row.
    fn write(&self, column: &mut ColumnWriter<'_>) -> Result<(), EncodeError> {
        write_value(column, &self.to_value())
    }

    /// The DuckDB type this value takes in a VARIANT column, where only
    /// the value knows it (a [`Value`]): `None` where [`Encode::duck_type`]
    /// tells, `Null` for a NULL, which any type holds.
    #[doc(hidden)]
    fn variant_part_type(&self) -> Option<Result<DuckType, String>> {
        None
    }

    /// The DuckDB type of `Vec<Self>`: a LIST, except for `u8` (a BLOB).
    #[doc(hidden)]
    fn vec_type() -> DuckType
    where
        Self: Sized,
    {
        DuckType::list(Self::duck_type())
    }

    /// The value of a `Vec<Self>`.
    #[doc(hidden)]
    fn vec_value(items: &[Self]) -> Value
    where
        Self: Sized,
    {
        Value::List { element: Self::duck_type(), items: items.iter().map(Encode::to_value).collect() }
    }
}

impl<T: Encode> Encode for &T {
    fn duck_type() -> DuckType {
        T::duck_type()
    }

    fn to_value(&self) -> Value {
        (**self).to_value()
    }

    fn write(&self, column: &mut ColumnWriter<'_>) -> Result<(), EncodeError> {
        (**self).write(column)
    }

    fn variant_part_type(&self) -> Option<Result<DuckType, String>> {
        (**self).variant_part_type()
    }
}

fn mismatch(column: &ColumnWriter<'_>, value: &Value) -> EncodeError {
    EncodeError(format!(
        "a value of type {} does not fit column type {}: the appender does not cast one kind of value into \
         another, as an INSERT does; give a value of the column's type, or INSERT it (DuckDB casts a bound value)",
        value.duck_type(),
        column.duck_type()
    ))
}

/// The text in backquotes, cut after 60 characters.
fn quoted_start(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("`{}...`", &text[..cut]),
        None => format!("`{text}`"),
    }
}

fn integer_of(value: &Value) -> Option<i128> {
    Some(match *value {
        Value::TinyInt(v) => v.into(),
        Value::SmallInt(v) => v.into(),
        Value::Integer(v) => v.into(),
        Value::BigInt(v) => v.into(),
        Value::HugeInt(v) => v,
        Value::UTinyInt(v) => v.into(),
        Value::USmallInt(v) => v.into(),
        Value::UInteger(v) => v.into(),
        Value::UBigInt(v) => v.into(),
        Value::UHugeInt(v) => i128::try_from(v).ok()?,
        _ => return None,
    })
}

fn interval_bits(months: i32, days: i32, micros: i64) -> u128 {
    let mut bytes = [0u8; 16];
    bytes[..4].copy_from_slice(&months.to_le_bytes());
    bytes[4..8].copy_from_slice(&days.to_le_bytes());
    bytes[8..].copy_from_slice(&micros.to_le_bytes());
    u128::from_le_bytes(bytes)
}

/// Writes any [`Value`] into a column of a compatible type, converting
/// integers and timestamps exactly (out-of-range values are errors).
pub(crate) fn write_value(column: &mut ColumnWriter<'_>, value: &Value) -> Result<(), EncodeError> {
    match value {
        Value::Null => {
            column.set_null();
            return Ok(());
        }
        Value::Unencodable(reason) => return Err(EncodeError(reason.clone())),
        _ => {}
    }
    if let Some(problem) = value.range_problem() {
        return Err(EncodeError(problem));
    }
    let ty = column.duck_type().clone();
    let out_of_range = |v: &dyn std::fmt::Display| EncodeError(format!("{v} is out of range for column type {ty}"));
    let written = match (&ty, value) {
        (DuckType::Boolean, Value::Boolean(b)) => column.put(u8::from(*b)),
        (DuckType::Float, Value::Float(v)) => column.put(*v),
        (DuckType::Double, Value::Double(v)) => column.put(*v),
        (DuckType::Double, Value::Float(v)) => column.put(f64::from(*v)),
        (DuckType::Varchar, Value::Varchar(s) | Value::Enum(s)) => column.put_bytes(s.as_bytes()),
        (DuckType::Json, Value::Varchar(s)) => {
            // DuckDB's appender would store it, and every JSON function
            // would then fail on the table.
            if let Some(problem) = json_syntax_problem(s) {
                return Err(EncodeError(format!(
                    "{} is not JSON ({problem}), which a JSON column holds; write valid JSON, or use a VARCHAR \
                     column for any text",
                    quoted_start(s)
                )));
            }
            column.put_bytes(s.as_bytes())
        }
        (DuckType::Blob, Value::Blob(b) | Value::Geometry(b)) => column.put_bytes(b),
        // The appender stores the bytes as they are: they must be WKB in
        // the form DuckDB stores.
        (DuckType::Geometry, Value::Geometry(wkb) | Value::Blob(wkb)) => {
            if let Some(problem) = andamios_core::wkb_problem(wkb) {
                return Err(EncodeError(format!("not WKB that a GEOMETRY column holds: {problem}")));
            }
            column.put_bytes(wkb)
        }
        (DuckType::Enum { members }, Value::Varchar(s) | Value::Enum(s)) => {
            let index = members
                .iter()
                .position(|m| m == s)
                .ok_or_else(|| EncodeError(format!("'{s}' is not a member of {ty}")))?;
            match members.len() {
                0..=255 => column.put(index as u8),
                256..=65535 => column.put(index as u16),
                _ => column.put(index as u32),
            }
        }
        (DuckType::Date, Value::Date(d)) => column.put(*d),
        (DuckType::Time, Value::Time(t)) => column.put(*t),
        (DuckType::TimeNs, Value::Time(t)) => column.put(t.checked_mul(1_000).ok_or_else(|| out_of_range(t))?),
        (DuckType::TimeNs, Value::TimeNs(t)) => column.put(*t),
        (DuckType::Time, Value::TimeNs(t)) => column.put(to_coarser(*t, 1_000)),
        (DuckType::TimeTz, Value::TimeTz { micros, offset_seconds }) => {
            let bits = andamios_core::time_tz_bits(*micros, *offset_seconds);
            column.put(bits.ok_or_else(|| out_of_range(&format!("{micros} µs at offset {offset_seconds} s")))?)
        }
        (DuckType::Bit, Value::Bit(bits)) => column.put_bytes(bits.storage()),
        (DuckType::BigNum, Value::BigNum(n)) => column.put_bytes(&n.to_storage()),
        (DuckType::BigNum, v) if integer_of(v).is_some() || matches!(v, Value::UHugeInt(_)) => {
            let n = match *v {
                Value::UHugeInt(u) => BigNum::from(u),
                _ => BigNum::from(integer_of(v).unwrap_or_default()),
            };
            column.put_bytes(&n.to_storage())
        }
        (DuckType::Timestamp | DuckType::TimestampTz, Value::Timestamp(t) | Value::TimestampTz(t)) => column.put(*t),
        // `infinity` and `-infinity` are the same values in every precision.
        (DuckType::TimestampS | DuckType::TimestampMs | DuckType::TimestampNs, Value::Timestamp(t))
            if is_infinite_timestamp(*t) =>
        {
            column.put(*t)
        }
        (DuckType::TimestampS, Value::Timestamp(t)) => column.put(to_coarser(*t, 1_000_000)),
        (DuckType::TimestampMs, Value::Timestamp(t)) => column.put(to_coarser(*t, 1_000)),
        (DuckType::TimestampNs, Value::TimestampNs(t)) | (DuckType::TimestampTzNs, Value::TimestampTzNs(t)) => {
            column.put(*t)
        }
        (DuckType::TimestampTzNs, Value::TimestampTz(t)) if is_infinite_timestamp(*t) => column.put(*t),
        (DuckType::TimestampTzNs, Value::TimestampTz(t)) => {
            column.put(t.checked_mul(1_000).ok_or_else(|| out_of_range(t))?)
        }
        (DuckType::Timestamp, Value::TimestampNs(t)) | (DuckType::TimestampTz, Value::TimestampTzNs(t)) => {
            column.put(if is_infinite_timestamp(*t) { *t } else { to_coarser(*t, 1_000) })
        }
        (DuckType::TimestampNs, Value::Timestamp(t)) => {
            column.put(t.checked_mul(1_000).ok_or_else(|| out_of_range(t))?)
        }
        (DuckType::Interval, Value::Interval { months, days, micros }) => {
            column.put(interval_bits(*months, *days, *micros))
        }
        (DuckType::Uuid, Value::Uuid(u)) => column.put(*u ^ super::decode::UUID_FLIP),
        (DuckType::Decimal { width, scale }, Value::Decimal(d)) => {
            let Some(rescaled) = d.rescale(*scale) else {
                return Err(if d.scale() > *scale {
                    EncodeError(d.scale_problem(&ty, *scale))
                } else {
                    out_of_range(d)
                });
            };
            put_decimal(column, *width, rescaled.mantissa()).ok_or_else(|| out_of_range(d))?
        }
        (DuckType::Decimal { width, scale }, v) if integer_of(v).is_some() => {
            let d = Decimal::new(integer_of(v).unwrap_or_default(), 0);
            let m = d.rescale(*scale).ok_or_else(|| out_of_range(&d))?.mantissa();
            put_decimal(column, *width, m).ok_or_else(|| out_of_range(&d))?
        }
        (DuckType::List { .. }, Value::List { items, .. }) => {
            written(column.put_list(items.len(), |i, child| write_value(child, &items[i])))?
        }
        (DuckType::Array { size, .. }, Value::List { items, .. }) => {
            if items.len() != *size {
                return Err(EncodeError(format!(
                    "{} element(s) do not fit column type {ty}, which holds {size}",
                    items.len()
                )));
            }
            written(column.put_array(items.len(), |i, child| write_value(child, &items[i])))?
        }
        (DuckType::Map { .. }, Value::Map { entries, .. }) => {
            if let Some(problem) = andamios_core::map_entries_problem(entries) {
                return Err(EncodeError(problem));
            }
            written(column.put_map(entries.len(), |i, key, value| {
                write_value(key, &entries[i].0)?;
                write_value(value, &entries[i].1)
            }))?
        }
        (DuckType::Struct { fields }, Value::Struct { ty: DuckType::Struct { fields: given }, values }) => {
            // By name, as DuckDB matches a struct's fields.
            let position = |name: &str| given.iter().position(|(g, _)| g.eq_ignore_ascii_case(name));
            if let Some((missing, _)) = fields.iter().find(|(name, _)| position(name).is_none()) {
                return Err(EncodeError(format!(
                    "a value of type {} has no field `{missing}` of column type {ty}; name the Rust fields as the column's",
                    value.duck_type()
                )));
            }
            // A field the column lacks would be lost.
            if let Some((extra, _)) =
                given.iter().find(|(g, _)| !fields.iter().any(|(name, _)| g.eq_ignore_ascii_case(name)))
            {
                return Err(EncodeError(format!(
                    "a value of type {} has a field `{extra}` that column type {ty} has not; name the Rust fields as the column's",
                    value.duck_type()
                )));
            }
            written(column.put_struct(|_, name, field| {
                let value = position(name).and_then(|p| values.get(p)).unwrap_or(&Value::Null);
                write_value(field, value).map_err(|e| EncodeError(format!("field `{name}`: {e}")))
            }))?
        }
        (DuckType::Union { members }, Value::Union { ty: DuckType::Union { members: given }, tag, value: inner }) => {
            // By member name, as DuckDB matches a struct's fields.
            let Some((name, _)) = given.get(*tag) else { return Err(mismatch(column, value)) };
            let Some(position) = members.iter().position(|(member, _)| member.eq_ignore_ascii_case(name)) else {
                return Err(EncodeError(format!(
                    "column type {ty} has no member `{name}`; name the value's member as one of the column's"
                )));
            };
            written(column.put_union(position, |member| {
                write_value(member, inner).map_err(|e| EncodeError(format!("member `{name}`: {e}")))
            }))?
        }
        // A plain value: the one member of its type, as DuckDB casts one.
        (DuckType::Union { members }, v) if !matches!(v, Value::Union { .. }) => {
            let own = v.duck_type();
            let mut of_its_type = members.iter().enumerate().filter(|(_, (_, member))| *member == own);
            match (of_its_type.next(), of_its_type.next()) {
                (Some((position, _)), None) => written(column.put_union(position, |member| write_value(member, v)))?,
                (None, _) => {
                    return Err(EncodeError(format!(
                        "no member of column type {ty} holds {own} values; give a value of a member's type"
                    )))
                }
                (Some((_, (first, _))), Some((_, (second, _)))) => {
                    return Err(EncodeError(format!(
                        "members `{first}` and `{second}` of column type {ty} both hold {own} values; give a \
                         Value::Union that names the member"
                    )))
                }
            }
        }
        (_, v) => match integer_of(v) {
            Some(i) => {
                let fits = match ty {
                    DuckType::TinyInt => i8::try_from(i).ok().map(|v| column.put(v)),
                    DuckType::SmallInt => i16::try_from(i).ok().map(|v| column.put(v)),
                    DuckType::Integer => i32::try_from(i).ok().map(|v| column.put(v)),
                    DuckType::BigInt => i64::try_from(i).ok().map(|v| column.put(v)),
                    DuckType::HugeInt => Some(column.put(i)),
                    DuckType::UTinyInt => u8::try_from(i).ok().map(|v| column.put(v)),
                    DuckType::USmallInt => u16::try_from(i).ok().map(|v| column.put(v)),
                    DuckType::UInteger => u32::try_from(i).ok().map(|v| column.put(v)),
                    DuckType::UBigInt => u64::try_from(i).ok().map(|v| column.put(v)),
                    DuckType::UHugeInt => u128::try_from(i).ok().map(|v| column.put(v)),
                    // Exactly, as DuckDB's INSERT would store them.
                    DuckType::Double | DuckType::Float => {
                        let exact = match ty {
                            DuckType::Double => Some(i as f64).filter(|f| *f as i128 == i).map(|f| column.put(f)),
                            _ => Some(i as f32).filter(|f| *f as i128 == i).map(|f| column.put(f)),
                        };
                        Some(exact.ok_or_else(|| EncodeError(format!("{i} has no exact value of column type {ty}")))?)
                    }
                    _ => return Err(mismatch(column, value)),
                };
                fits.ok_or_else(|| out_of_range(&i))?
            }
            None => false,
        },
    };
    if written {
        Ok(())
    } else {
        Err(mismatch(column, value))
    }
}

/// Whether a nested writer ran (`None`: the column is not of its kind),
/// with the first error of its elements.
fn written(outcome: Option<Result<(), EncodeError>>) -> Result<bool, EncodeError> {
    outcome.map_or(Ok(false), |result| result.map(|()| true))
}

fn put_decimal(column: &mut ColumnWriter<'_>, width: u8, mantissa: i128) -> Option<bool> {
    Some(match width {
        0..=4 => column.put(i16::try_from(mantissa).ok()?),
        5..=9 => column.put(i32::try_from(mantissa).ok()?),
        10..=18 => column.put(i64::try_from(mantissa).ok()?),
        _ => column.put(mantissa),
    })
}

macro_rules! encode_scalar {
    ($($t:ty => $variant:ident),*) => {$(
        impl Encode for $t {
            fn duck_type() -> DuckType {
                DuckType::$variant
            }

            fn to_value(&self) -> Value {
                Value::$variant(*self)
            }

            #[inline]
            fn write(&self, column: &mut ColumnWriter<'_>) -> Result<(), EncodeError> {
                // Same type: one store. Otherwise convert through Value.
                if *column.duck_type() == DuckType::$variant && column.put(*self) {
                    return Ok(());
                }
                write_value(column, &self.to_value())
            }
        }
    )*};
}
encode_scalar!(i8 => TinyInt, i16 => SmallInt, i32 => Integer, i64 => BigInt, i128 => HugeInt,
    u16 => USmallInt, u32 => UInteger, u64 => UBigInt, u128 => UHugeInt,
    f32 => Float, f64 => Double);

impl Encode for u8 {
    fn duck_type() -> DuckType {
        DuckType::UTinyInt
    }

    fn to_value(&self) -> Value {
        Value::UTinyInt(*self)
    }

    fn vec_type() -> DuckType {
        DuckType::Blob
    }

    fn vec_value(items: &[Self]) -> Value {
        Value::Blob(items.to_vec())
    }
}

impl Encode for bool {
    fn duck_type() -> DuckType {
        DuckType::Boolean
    }

    fn to_value(&self) -> Value {
        Value::Boolean(*self)
    }
}

impl Encode for &str {
    fn duck_type() -> DuckType {
        DuckType::Varchar
    }

    fn to_value(&self) -> Value {
        Value::Varchar((*self).to_owned())
    }

    #[inline]
    fn write(&self, column: &mut ColumnWriter<'_>) -> Result<(), EncodeError> {
        // JSON text is checked first, in `write_value`.
        if *column.duck_type() == DuckType::Varchar && column.put_bytes(self.as_bytes()) {
            return Ok(());
        }
        write_value(column, &self.to_value())
    }
}

impl Encode for Decimal {
    fn duck_type() -> DuckType {
        DuckType::Decimal { width: 38, scale: 10 }
    }

    fn to_value(&self) -> Value {
        Value::Decimal(*self)
    }
}

impl Encode for BigNum {
    fn duck_type() -> DuckType {
        DuckType::BigNum
    }

    fn to_value(&self) -> Value {
        Value::BigNum(self.clone())
    }
}

impl Encode for BitString {
    fn duck_type() -> DuckType {
        DuckType::Bit
    }

    fn to_value(&self) -> Value {
        Value::Bit(self.clone())
    }
}

impl<T: Encode> Encode for Option<T> {
    fn duck_type() -> DuckType {
        T::duck_type()
    }

    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }

    #[inline]
    fn write(&self, column: &mut ColumnWriter<'_>) -> Result<(), EncodeError> {
        match self {
            Some(v) => v.write(column),
            None => {
                column.set_null();
                Ok(())
            }
        }
    }

    fn variant_part_type(&self) -> Option<Result<DuckType, String>> {
        match self {
            Some(v) => v.variant_part_type(),
            None => Some(Ok(DuckType::Null)),
        }
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn duck_type() -> DuckType {
        T::vec_type()
    }

    fn to_value(&self) -> Value {
        T::vec_value(self)
    }
}

/// A Rust array is a DuckDB ARRAY of its length (`[f32; 384]`, an
/// embedding, is a `FLOAT[384]`), except `[u8; N]`: a BLOB, as `Vec<u8>`.
impl<T: Encode, const N: usize> Encode for [T; N] {
    fn duck_type() -> DuckType {
        match T::vec_type() {
            DuckType::List { element } => DuckType::Array { element, size: N },
            other => other,
        }
    }

    fn to_value(&self) -> Value {
        T::vec_value(self)
    }
}

/// Owned text, written as the `&str` it holds.
macro_rules! encode_text {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            fn duck_type() -> DuckType {
                DuckType::Varchar
            }

            fn to_value(&self) -> Value {
                Value::Varchar(self.to_string())
            }

            #[inline]
            fn write(&self, column: &mut ColumnWriter<'_>) -> Result<(), EncodeError> {
                (&**self).write(column)
            }
        }
    )*};
}
encode_text!(String, Box<str>, std::sync::Arc<str>, std::rc::Rc<str>, std::borrow::Cow<'_, str>);
#[cfg(feature = "compact_str")]
encode_text!(compact_str::CompactString);

impl<T: Encode> Encode for &[T] {
    fn duck_type() -> DuckType {
        T::vec_type()
    }

    fn to_value(&self) -> Value {
        T::vec_value(self)
    }
}

fn map_value<'a, K: Encode + 'a, V: Encode + 'a>(entries: impl Iterator<Item = (&'a K, &'a V)>) -> Value {
    Value::Map {
        ty: DuckType::Map { key: Box::new(K::duck_type()), value: Box::new(V::duck_type()) },
        entries: entries.map(|(k, v)| (k.to_value(), v.to_value())).collect(),
    }
}

/// A pair binds as a STRUCT(key, value), and a `Vec` of pairs as a MAP, in
/// the `Vec`'s order.
impl<K: Encode, V: Encode> Encode for (K, V) {
    fn duck_type() -> DuckType {
        DuckType::Struct { fields: vec![("key".into(), K::duck_type()), ("value".into(), V::duck_type())] }
    }

    fn to_value(&self) -> Value {
        Value::Struct { ty: Self::duck_type(), values: vec![self.0.to_value(), self.1.to_value()] }
    }

    fn vec_type() -> DuckType {
        DuckType::Map { key: Box::new(K::duck_type()), value: Box::new(V::duck_type()) }
    }

    fn vec_value(items: &[Self]) -> Value {
        map_value(items.iter().map(|(k, v)| (k, v)))
    }
}

impl<K: Encode, V: Encode, S> Encode for HashMap<K, V, S> {
    fn duck_type() -> DuckType {
        DuckType::Map { key: Box::new(K::duck_type()), value: Box::new(V::duck_type()) }
    }

    fn to_value(&self) -> Value {
        map_value(self.iter())
    }
}

impl<K: Encode, V: Encode> Encode for BTreeMap<K, V> {
    fn duck_type() -> DuckType {
        DuckType::Map { key: Box::new(K::duck_type()), value: Box::new(V::duck_type()) }
    }

    fn to_value(&self) -> Value {
        map_value(self.iter())
    }
}

impl Encode for Value {
    fn duck_type() -> DuckType {
        DuckType::Unknown
    }

    fn to_value(&self) -> Value {
        self.clone()
    }

    /// Its own type, with the parts of a value read from a VARIANT typed by
    /// what they hold (see [`Value::with_variant_parts_typed`]).
    fn variant_part_type(&self) -> Option<Result<DuckType, String>> {
        Some(self.with_variant_parts_typed().map(|typed| typed.as_ref().unwrap_or(self).duck_type()))
    }
}
