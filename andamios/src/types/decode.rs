use andamios_core::ffi::ColumnRef;
use andamios_core::{BigNum, BitString, Decimal, DuckType};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// Why a value could not be decoded; turned into [`crate::Error::Decode`]
/// with the column's name by the row reader.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The value is NULL and the Rust type is not an `Option`.
    UnexpectedNull,
    /// A value inside the LIST, ARRAY, MAP or STRUCT is NULL, and the Rust
    /// type that holds it is not an `Option` (`Vec<i32>` for `[1, NULL]`).
    NullInside,
    /// The Rust type cannot hold values of this DuckDB type.
    Mismatch,
    /// The value does not fit the Rust type.
    OutOfRange(String),
    /// The value is DuckDB's `infinity` or `-infinity` (a DATE or a
    /// TIMESTAMP, as written here), which the Rust type has no value for.
    Infinite(&'static str),
}

/// A Rust type that values of some DuckDB types decode into.
///
/// Decoding reads DuckDB's vectors directly: `decode` is called with a
/// column of a data chunk and a row index.
pub trait Decode: Sized {
    /// Whether values of DuckDB type `ty` decode into `Self`.
    fn accepts(ty: &DuckType) -> bool;

    /// Decodes row `row` of `column`, whose type `accepts` approved.
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError>;

    /// Whether `Vec<Self>` accepts `ty`: a LIST or ARRAY of `Self`, and for
    /// `u8` also a BLOB.
    #[doc(hidden)]
    fn accepts_vec(ty: &DuckType) -> bool {
        is_list_of::<Self>(ty)
    }

    /// Decodes a `Vec<Self>`.
    #[doc(hidden)]
    fn decode_vec(column: &ColumnRef<'_>, row: usize) -> Result<Vec<Self>, DecodeError> {
        decode_list(column, row)
    }

    /// The members of a DuckDB ENUM that `Self` decodes, when `Self` mirrors
    /// one (`#[derive(Type)]` on a Rust enum); `Option` and `Vec` pass their
    /// element's on. The checked macros compare them with the ENUM of a
    /// column typed `AS "col: MyEnum"` at compile time.
    #[doc(hidden)]
    const ENUM_MEMBERS: Option<&'static [&'static str]> = None;

    /// Why `Self` does not accept `ty`, where the type can say more than
    /// the usual hint: a `#[derive(Type)]` struct names each field the
    /// STRUCT lacks or holds as another type, a `#[derive(Type)]` enum each
    /// UNION member it has no variant for or reads as another type (and
    /// both accept exactly the types this finds nothing wrong with).
    /// `Option`, `Vec` and newtypes pass on their inner type's.
    #[doc(hidden)]
    fn mismatch_detail(ty: &DuckType) -> Option<String> {
        let _ = ty;
        None
    }

    /// Name of the Rust type, for error messages: as written in code
    /// (`String`, `Vec<Date>`), without module paths.
    fn type_name() -> String {
        short_type_name(std::any::type_name::<Self>())
    }
}

/// Whether `ty` is a LIST or ARRAY of `T`, or of untyped NULLs (`[]`,
/// `[NULL]`), which fit any element type.
fn is_list_of<T: Decode>(ty: &DuckType) -> bool {
    match ty {
        DuckType::List { element } | DuckType::Array { element, .. } => {
            matches!(**element, DuckType::Null) || T::accepts(element)
        }
        _ => false,
    }
}

/// The LIST or ARRAY at `row`, each element decoded as `T`.
pub(crate) fn decode_list<T: Decode>(column: &ColumnRef<'_>, row: usize) -> Result<Vec<T>, DecodeError> {
    valid(column, row)?;
    let range = column.list_range(row).ok_or(DecodeError::Mismatch)?;
    let child = column.child(0).ok_or(DecodeError::Mismatch)?;
    range.map(|i| decode_inside(child, i)).collect()
}

/// Decodes a value inside a LIST, ARRAY, MAP or STRUCT: one that is NULL
/// where `T` is not an `Option` is [`DecodeError::NullInside`], so that the
/// error does not say the whole value is NULL.
#[inline]
pub(crate) fn decode_inside<T: Decode>(column: &ColumnRef<'_>, row: usize) -> Result<T, DecodeError> {
    T::decode(column, row).map_err(|e| match e {
        DecodeError::UnexpectedNull => DecodeError::NullInside,
        other => other,
    })
}

/// The member of the UNION at `row`: its number (from 0) and its column.
pub(crate) fn union_member<'c, 'a>(
    column: &'c ColumnRef<'a>,
    row: usize,
) -> Result<(usize, &'c ColumnRef<'a>), DecodeError> {
    valid(column, row)?;
    // The first child is the tag; the members follow.
    let tag = usize::from(column.child(0).and_then(|tags| tags.get::<u8>(row)).ok_or(DecodeError::Mismatch)?);
    Ok((tag, column.child(tag + 1).ok_or(DecodeError::Mismatch)?))
}

/// DuckDB stores a UUID as a HUGEINT with the top bit flipped, so that
/// UUIDs sort as their text does.
pub(crate) const UUID_FLIP: u128 = 1 << 127;

/// The UUID at `row`, as its 128 bits.
pub(crate) fn uuid_bits(column: &ColumnRef<'_>, row: usize) -> Result<u128, DecodeError> {
    valid(column, row)?;
    column.get::<u128>(row).map(|stored| stored ^ UUID_FLIP).ok_or(DecodeError::Mismatch)
}

/// `alloc::vec::Vec<my_app::Mood>` as `Vec<Mood>`: each path keeps its last segment.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut short = String::with_capacity(full.len());
    let mut segment_start = 0;
    for (i, c) in full.char_indices() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            continue;
        }
        short.push_str(last_segment(&full[segment_start..i]));
        short.push(c);
        segment_start = i + c.len_utf8();
    }
    short.push_str(last_segment(&full[segment_start..]));
    short
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// `UnexpectedNull` when the value at `row` is NULL.
#[inline]
pub(crate) fn valid(column: &ColumnRef<'_>, row: usize) -> Result<(), DecodeError> {
    if column.is_valid(row) {
        Ok(())
    } else {
        Err(DecodeError::UnexpectedNull)
    }
}

/// Reads the fixed-width value at `row` or reports why not.
#[inline]
fn fixed<T: andamios_core::ffi::Primitive>(column: &ColumnRef<'_>, row: usize) -> Result<T, DecodeError> {
    valid(column, row)?;
    column.get::<T>(row).ok_or(DecodeError::Mismatch)
}

/// The bytes of a string-like value at `row` (VARCHAR, BLOB, BIT, BIGNUM),
/// or why there are none.
#[inline]
fn stored<'a>(column: &ColumnRef<'a>, row: usize) -> Result<&'a [u8], DecodeError> {
    valid(column, row)?;
    column.bytes(row).ok_or(DecodeError::Mismatch)
}

/// Any DuckDB integer (or a DECIMAL of scale 0) widened to i128.
#[inline]
pub(crate) fn integer(column: &ColumnRef<'_>, row: usize) -> Result<i128, DecodeError> {
    Ok(match column.duck_type() {
        DuckType::TinyInt => i128::from(fixed::<i8>(column, row)?),
        DuckType::SmallInt => i128::from(fixed::<i16>(column, row)?),
        DuckType::Integer => i128::from(fixed::<i32>(column, row)?),
        DuckType::BigInt => i128::from(fixed::<i64>(column, row)?),
        DuckType::HugeInt => fixed::<i128>(column, row)?,
        DuckType::UTinyInt => i128::from(fixed::<u8>(column, row)?),
        DuckType::USmallInt => i128::from(fixed::<u16>(column, row)?),
        DuckType::UInteger => i128::from(fixed::<u32>(column, row)?),
        DuckType::UBigInt => i128::from(fixed::<u64>(column, row)?),
        DuckType::UHugeInt => {
            let v = fixed::<u128>(column, row)?;
            i128::try_from(v).map_err(|_| DecodeError::OutOfRange(v.to_string()))?
        }
        DuckType::BigNum => {
            let n = BigNum::decode(column, row)?;
            i128::try_from(&n).map_err(|n| DecodeError::OutOfRange(n.to_string()))?
        }
        _ => return Err(DecodeError::Mismatch),
    })
}

fn is_integer(ty: &DuckType) -> bool {
    use DuckType::*;
    matches!(
        ty,
        TinyInt | SmallInt | Integer | BigInt | HugeInt | UTinyInt | USmallInt | UInteger | UBigInt | UHugeInt | BigNum
    )
}

macro_rules! decode_integer {
    ($($t:ty => $exact:ident),*) => {$(
        impl Decode for $t {
            fn accepts(ty: &DuckType) -> bool {
                is_integer(ty)
            }

            #[inline]
            fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
                // The exact type first: no widening work on the hot path.
                if let DuckType::$exact = column.duck_type() {
                    return fixed::<$t>(column, row);
                }
                let wide = integer(column, row)?;
                <$t>::try_from(wide).map_err(|_| DecodeError::OutOfRange(wide.to_string()))
            }
        }
    )*};
}
decode_integer!(i8 => TinyInt, i16 => SmallInt, i32 => Integer, i64 => BigInt, i128 => HugeInt,
    u16 => USmallInt, u32 => UInteger, u64 => UBigInt);

impl Decode for u8 {
    fn accepts(ty: &DuckType) -> bool {
        is_integer(ty)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        if let DuckType::UTinyInt = column.duck_type() {
            return fixed::<u8>(column, row);
        }
        let wide = integer(column, row)?;
        u8::try_from(wide).map_err(|_| DecodeError::OutOfRange(wide.to_string()))
    }

    fn accepts_vec(ty: &DuckType) -> bool {
        // A GEOMETRY reads as the WKB DuckDB stores.
        matches!(ty, DuckType::Blob | DuckType::Varchar | DuckType::Geometry)
            || matches!(ty, DuckType::List { element } | DuckType::Array { element, .. } if is_integer(element))
    }

    fn decode_vec(column: &ColumnRef<'_>, row: usize) -> Result<Vec<Self>, DecodeError> {
        valid(column, row)?;
        match column.bytes(row) {
            Some(bytes) => Ok(bytes.to_vec()),
            None => {
                let range = column.list_range(row).ok_or(DecodeError::Mismatch)?;
                let child = column.child(0).ok_or(DecodeError::Mismatch)?;
                range.map(|i| u8::decode(child, i)).collect()
            }
        }
    }
}

impl Decode for u128 {
    fn accepts(ty: &DuckType) -> bool {
        is_integer(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        match column.duck_type() {
            DuckType::UHugeInt => return fixed::<u128>(column, row),
            // Above i128::MAX: not through `integer`.
            DuckType::BigNum => {
                return u128::try_from(&BigNum::decode(column, row)?)
                    .map_err(|n| DecodeError::OutOfRange(n.to_string()))
            }
            _ => {}
        }
        let wide = integer(column, row)?;
        u128::try_from(wide).map_err(|_| DecodeError::OutOfRange(wide.to_string()))
    }
}

impl Decode for bool {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Boolean)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        Ok(fixed::<u8>(column, row)? != 0)
    }
}

impl Decode for f32 {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Float)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        fixed::<f32>(column, row)
    }
}

impl Decode for f64 {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Double | DuckType::Float)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        match column.duck_type() {
            DuckType::Float => fixed::<f32>(column, row).map(f64::from),
            _ => fixed::<f64>(column, row),
        }
    }
}

impl Decode for BigNum {
    fn accepts(ty: &DuckType) -> bool {
        is_integer(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        match column.duck_type() {
            DuckType::BigNum => {
                let bytes = stored(column, row)?;
                BigNum::from_storage(bytes).ok_or_else(|| DecodeError::OutOfRange(format!("BIGNUM bytes {bytes:?}")))
            }
            DuckType::UHugeInt => fixed::<u128>(column, row).map(BigNum::from),
            _ => integer(column, row).map(BigNum::from),
        }
    }
}

impl Decode for BitString {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Bit)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let bytes = stored(column, row)?;
        BitString::from_storage(bytes).ok_or_else(|| DecodeError::OutOfRange(format!("BIT bytes {bytes:?}")))
    }
}

/// The text of a VARCHAR/JSON value or the member name of an ENUM value.
#[inline]
pub(crate) fn text<'a>(column: &ColumnRef<'a>, row: usize) -> Result<&'a str, DecodeError> {
    valid(column, row)?;
    match column.duck_type() {
        DuckType::Enum { members } => {
            let index = match members.len() {
                0..=255 => column.get::<u8>(row).map(usize::from),
                256..=65535 => column.get::<u16>(row).map(usize::from),
                _ => column.get::<u32>(row).map(|i| i as usize),
            }
            .ok_or(DecodeError::Mismatch)?;
            members.get(index).map(String::as_str).ok_or_else(|| DecodeError::OutOfRange(format!("enum index {index}")))
        }
        _ => {
            let text = column.text(row).ok_or(DecodeError::Mismatch)?;
            text.map_err(|e| DecodeError::OutOfRange(format!("invalid UTF-8: {e}")))
        }
    }
}

impl Decode for String {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Varchar | DuckType::Json | DuckType::Enum { .. })
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        text(column, row).map(str::to_owned)
    }
}

/// Text held other than as a `String`.
macro_rules! decode_text {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn accepts(ty: &DuckType) -> bool {
                String::accepts(ty)
            }

            #[inline]
            fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
                text(column, row).map(<$t>::from)
            }
        }
    )*};
}
decode_text!(Box<str>, std::sync::Arc<str>, std::rc::Rc<str>);
#[cfg(feature = "compact_str")]
decode_text!(compact_str::CompactString);

/// A DuckDB ARRAY of length `N`, or a LIST that holds `N` values (as
/// `Vec<T>` reads them: `[u8; 32]` reads a BLOB of 32 bytes, a hash say).
impl<T: Decode, const N: usize> Decode for [T; N] {
    fn accepts(ty: &DuckType) -> bool {
        T::accepts_vec(ty) && !matches!(ty, DuckType::Array { size, .. } if *size != N)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        let values = T::decode_vec(column, row)?;
        let len = values.len();
        values.try_into().map_err(|_| DecodeError::OutOfRange(format!("(of {len} values)")))
    }

    fn type_name() -> String {
        format!("[{}; {N}]", T::type_name())
    }
}

impl Decode for Decimal {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Decimal { .. }) || is_integer(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        match column.duck_type() {
            DuckType::Decimal { width, scale } => {
                let mantissa = match width {
                    0..=4 => i128::from(fixed::<i16>(column, row)?),
                    5..=9 => i128::from(fixed::<i32>(column, row)?),
                    10..=18 => i128::from(fixed::<i64>(column, row)?),
                    _ => fixed::<i128>(column, row)?,
                };
                Ok(Decimal::new(mantissa, *scale))
            }
            _ => Ok(Decimal::new(integer(column, row)?, 0)),
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    const ENUM_MEMBERS: Option<&'static [&'static str]> = T::ENUM_MEMBERS;

    fn accepts(ty: &DuckType) -> bool {
        // A bare NULL has type NULL: it fits any Option.
        matches!(ty, DuckType::Null) || T::accepts(ty)
    }

    fn mismatch_detail(ty: &DuckType) -> Option<String> {
        T::mismatch_detail(ty)
    }

    #[inline]
    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        if column.is_valid(row) {
            T::decode(column, row).map(Some)
        } else {
            Ok(None)
        }
    }

    fn type_name() -> String {
        format!("Option<{}>", T::type_name())
    }
}

impl<T: Decode> Decode for Vec<T> {
    const ENUM_MEMBERS: Option<&'static [&'static str]> = T::ENUM_MEMBERS;

    fn accepts(ty: &DuckType) -> bool {
        T::accepts_vec(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        T::decode_vec(column, row)
    }

    fn mismatch_detail(ty: &DuckType) -> Option<String> {
        match ty {
            DuckType::List { element } | DuckType::Array { element, .. } => {
                T::mismatch_detail(element).map(|detail| format!("in its elements, {detail}"))
            }
            _ => None,
        }
    }

    fn type_name() -> String {
        format!("Vec<{}>", T::type_name())
    }
}

pub(crate) fn decode_map<K: Decode, V: Decode, M: FromIterator<(K, V)>>(
    column: &ColumnRef<'_>,
    row: usize,
) -> Result<M, DecodeError> {
    valid(column, row)?;
    let range = column.list_range(row).ok_or(DecodeError::Mismatch)?;
    let (keys, values) = (column.child(0).ok_or(DecodeError::Mismatch)?, column.child(1).ok_or(DecodeError::Mismatch)?);
    range.map(|i| Ok((decode_inside(keys, i)?, decode_inside(values, i)?))).collect()
}

fn accepts_map<K: Decode, V: Decode>(ty: &DuckType) -> bool {
    matches!(ty, DuckType::Map { key, value } if K::accepts(key) && V::accepts(value))
}

/// A pair: a STRUCT of two fields, read by position. `Vec<(K, V)>` reads a
/// LIST of such STRUCTs, and a MAP, its entries in the MAP's order.
impl<K: Decode, V: Decode> Decode for (K, V) {
    fn accepts(ty: &DuckType) -> bool {
        matches!(ty, DuckType::Struct { fields } if fields.len() == 2 && K::accepts(&fields[0].1) && V::accepts(&fields[1].1))
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        valid(column, row)?;
        let (first, second) =
            (column.child(0).ok_or(DecodeError::Mismatch)?, column.child(1).ok_or(DecodeError::Mismatch)?);
        Ok((decode_inside(first, row)?, decode_inside(second, row)?))
    }

    fn accepts_vec(ty: &DuckType) -> bool {
        accepts_map::<K, V>(ty) || is_list_of::<Self>(ty)
    }

    fn decode_vec(column: &ColumnRef<'_>, row: usize) -> Result<Vec<Self>, DecodeError> {
        match column.duck_type() {
            DuckType::Map { .. } => decode_map(column, row),
            _ => decode_list(column, row),
        }
    }

    fn type_name() -> String {
        format!("({}, {})", K::type_name(), V::type_name())
    }
}

impl<K: Decode + Eq + Hash, V: Decode> Decode for HashMap<K, V> {
    fn accepts(ty: &DuckType) -> bool {
        accepts_map::<K, V>(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        decode_map(column, row)
    }
}

impl<K: Decode + Ord, V: Decode> Decode for BTreeMap<K, V> {
    fn accepts(ty: &DuckType) -> bool {
        accepts_map::<K, V>(ty)
    }

    fn decode(column: &ColumnRef<'_>, row: usize) -> Result<Self, DecodeError> {
        decode_map(column, row)
    }
}

#[doc(hidden)]
pub mod decode_support {
    //! Used by `#[derive(Type)]` (reading struct fields by name) and by the
    //! checked macros (ENUM members).
    use super::*;

    /// Field `name` of the STRUCT at `row` of `column`.
    pub fn decode_struct_field<T: Decode>(column: &ColumnRef<'_>, name: &str, row: usize) -> Result<T, DecodeError> {
        let field = match column.duck_type() {
            DuckType::Struct { fields } => fields
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case(name))
                .and_then(|i| column.child(i))
                .ok_or(DecodeError::Mismatch)?,
            _ => return Err(DecodeError::Mismatch),
        };
        decode_inside(field, row)
    }

    /// The UNION at `row` of `column`: its member's name and column.
    pub fn union_value<'c, 'a>(
        column: &'c ColumnRef<'a>,
        row: usize,
    ) -> Result<(&'a str, &'c ColumnRef<'a>), DecodeError> {
        let (tag, value) = union_member(column, row)?;
        match column.duck_type() {
            DuckType::Union { members } => Ok((members.get(tag).ok_or(DecodeError::Mismatch)?.0.as_str(), value)),
            _ => Err(DecodeError::Mismatch),
        }
    }

    /// Decodes a value inside a LIST, ARRAY, MAP, STRUCT or UNION.
    pub fn decode_inside<T: Decode>(column: &ColumnRef<'_>, row: usize) -> Result<T, DecodeError> {
        super::decode_inside(column, row)
    }

    /// Why a `#[derive(Type)]` struct's field that is a `T` does not
    /// read a STRUCT field of type `ty`; `None` when it does.
    pub fn field_mismatch<T: Decode>(ty: &DuckType) -> Option<String> {
        (!T::accepts(ty)).then(|| format!("which {} does not read: {}", T::type_name(), super::mismatch_hint::<T>(ty)))
    }

    /// [`field_mismatch`] of one field's Rust type.
    pub type FieldMismatchFn = fn(&DuckType) -> Option<String>;

    /// Why STRUCT type `ty` does not decode as a `#[derive(Type)]` struct
    /// with `fields` (each SQL name with its type's [`field_mismatch`]):
    /// the fields the STRUCT lacks, and those it holds as a type the
    /// struct's field does not read. `None` when all fit, or `ty` is no
    /// STRUCT.
    pub fn struct_mismatch(ty: &DuckType, fields: &[(&str, FieldMismatchFn)]) -> Option<String> {
        let DuckType::Struct { fields: present } = ty else { return None };
        let mut missing = Vec::new();
        let mut problems = Vec::new();
        for (name, mismatch) in fields {
            match present.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                None => missing.push(format!("`{name}`")),
                Some((_, field_ty)) => {
                    problems.extend(mismatch(field_ty).map(|why| format!("its field `{name}` is {field_ty}, {why}")))
                }
            }
        }
        let present: Vec<&str> = present.iter().map(|(n, _)| n.as_str()).collect();
        one_sentence(
            missing,
            |names| format!("the STRUCT has no field {names} (it has {})", present.join(", ")),
            problems,
        )
    }

    /// Why UNION type `ty` does not decode as a `#[derive(Type)]` enum
    /// with `variants` (each SQL name with its payload's
    /// [`field_mismatch`]): the members no variant is named after, and
    /// those whose type the variant's payload does not read. `None` when
    /// all fit, or `ty` is no UNION.
    pub fn union_mismatch(ty: &DuckType, variants: &[(&str, FieldMismatchFn)]) -> Option<String> {
        let DuckType::Union { members } = ty else { return None };
        let mut unmatched = Vec::new();
        let mut problems = Vec::new();
        for (member, member_ty) in members {
            match variants.iter().find(|(name, _)| member.eq_ignore_ascii_case(name)) {
                None => unmatched.push(format!("`{member}`")),
                Some((_, mismatch)) => problems
                    .extend(mismatch(member_ty).map(|why| format!("its member `{member}` is {member_ty}, {why}"))),
            }
        }
        let variants: Vec<&str> = variants.iter().map(|(name, _)| *name).collect();
        let lead =
            |names| format!("no variant is named after its member {names} (the variants read {})", variants.join(", "));
        one_sentence(unmatched, lead, problems)
    }

    /// What is wrong with a STRUCT or UNION, in one sentence: `lead` of
    /// the names that match nothing (if any), then the other `problems`.
    fn one_sentence(
        unmatched: Vec<String>,
        lead: impl FnOnce(String) -> String,
        problems: Vec<String>,
    ) -> Option<String> {
        let lead = (!unmatched.is_empty()).then(|| lead(unmatched.join(" or ")));
        let all: Vec<String> = lead.into_iter().chain(problems).collect();
        (!all.is_empty()).then(|| all.join("; "))
    }

    /// Whether a Rust type whose [`Decode::ENUM_MEMBERS`] are `members`
    /// decodes the DuckDB ENUM value `member`; a type that is no mirrored
    /// enum (a `String`) decodes every value. `const`, for the checked
    /// macros' compile-time check.
    pub const fn enum_has_member(members: Option<&[&str]>, member: &str) -> bool {
        let Some(members) = members else { return true };
        let mut i = 0;
        while i < members.len() {
            if str_eq(members[i], member) {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn str_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    /// The enum member at `row`, as text.
    pub fn enum_text<'a>(column: &ColumnRef<'a>, row: usize) -> Result<&'a str, DecodeError> {
        text(column, row)
    }
}

/// What to do when a column of DuckDB type `ty` does not decode as `T`:
/// the Rust types that read it, and the SQL cast that makes it one `T`
/// reads (`sum(price)::DOUBLE` for an `f64` from a DECIMAL).
#[cold]
pub(crate) fn mismatch_hint<T: Decode>(ty: &DuckType) -> String {
    if let Some(detail) = T::mismatch_detail(ty) {
        return detail;
    }
    if let Some(casts) = ty.readable_casts() {
        return format!("Andamios reads no Rust type from {ty}; cast it in SQL: {casts}");
    }
    let mut readers = readers_of(ty);
    if integer_name(ty).is_some() {
        readers[0].push_str(" (or another integer type its values fit)");
    }
    let readers = match readers.as_slice() {
        [] => "a type that decodes it (see `andamios::types`)".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let cast = [
        (DuckType::Double, "DOUBLE"),
        (DuckType::Decimal { width: 18, scale: 3 }, "DECIMAL(18, 3)"),
        (DuckType::BigInt, "BIGINT"),
        (DuckType::Varchar, "VARCHAR"),
        (DuckType::Boolean, "BOOLEAN"),
        (DuckType::Date, "DATE"),
        (DuckType::Timestamp, "TIMESTAMP"),
        (DuckType::TimestampTz, "TIMESTAMPTZ"),
        (DuckType::Blob, "BLOB"),
    ]
    .into_iter()
    .find(|(target, _)| T::accepts(target));
    match cast {
        Some((_, target)) => {
            format!("read it as {readers}, or cast it in SQL to a type {} reads: `col::{target}`", T::type_name())
        }
        None => format!("read it as {readers}"),
    }
}

/// The Rust integer of the same width and sign as the DuckDB integer `ty`.
fn integer_name(ty: &DuckType) -> Option<&'static str> {
    use DuckType as D;
    Some(match ty {
        D::TinyInt => "i8",
        D::SmallInt => "i16",
        D::Integer => "i32",
        D::BigInt => "i64",
        D::HugeInt => "i128",
        D::UTinyInt => "u8",
        D::USmallInt => "u16",
        D::UInteger => "u32",
        D::UBigInt => "u64",
        D::UHugeInt => "u128",
        _ => return None,
    })
}

/// The usual Rust types (one per family, as the checked macros choose
/// them) that decode values of `ty`.
fn readers_of(ty: &DuckType) -> Vec<String> {
    use DuckType as D;
    let first = |ty: &DuckType| readers_of(ty).into_iter().next().unwrap_or_else(|| "T".to_owned());
    if let Some(integer) = integer_name(ty) {
        return vec![integer.to_owned(), "Decimal".to_owned()];
    }
    match ty {
        D::List { element } | D::Array { element, .. } => return vec![format!("Vec<{}>", first(element))],
        D::Map { key, value } => return vec![format!("HashMap<{}, {}>", first(key), first(value))],
        D::Struct { .. } => return vec!["a struct that derives `andamios::Type`".to_owned()],
        D::Union { .. } => return vec!["an enum that derives `andamios::Type`".to_owned()],
        D::Enum { .. } => return vec!["String".to_owned(), "an enum that derives `andamios::Type`".to_owned()],
        D::Variant if cfg!(feature = "json") => return vec!["Value".to_owned(), "serde_json::Value".to_owned()],
        D::Variant => return vec!["Value".to_owned()],
        _ => {}
    }
    let mut names = Vec::new();
    macro_rules! readers {
        ($($(#[$cfg:meta])* $t:ty => $name:literal),* $(,)?) => {$(
            $(#[$cfg])*
            if <$t as Decode>::accepts(ty) {
                names.push($name.to_owned());
            }
        )*};
    }
    readers!(
        bool => "bool",
        f64 => "f64",
        String => "String",
        Decimal => "Decimal",
        #[cfg(feature = "rust_decimal")]
        rust_decimal::Decimal => "rust_decimal::Decimal",
        BigNum => "BigNum",
        BitString => "BitString",
        crate::types::Date => "Date",
        crate::types::Time => "Time",
        crate::types::TimeTz => "TimeTz",
        crate::types::Timestamp => "Timestamp",
        crate::types::TimestampTz => "TimestampTz",
        crate::types::Interval => "Interval",
        #[cfg(feature = "chrono")]
        chrono::NaiveDate => "chrono::NaiveDate",
        #[cfg(feature = "chrono")]
        chrono::NaiveTime => "chrono::NaiveTime",
        #[cfg(feature = "chrono")]
        chrono::NaiveDateTime => "chrono::NaiveDateTime",
        #[cfg(feature = "chrono")]
        chrono::DateTime<chrono::Utc> => "chrono::DateTime<Utc>",
        #[cfg(feature = "time")]
        time::Date => "time::Date",
        #[cfg(feature = "time")]
        time::PrimitiveDateTime => "time::PrimitiveDateTime",
        #[cfg(feature = "time")]
        time::OffsetDateTime => "time::OffsetDateTime",
        #[cfg(feature = "uuid")]
        uuid::Uuid => "uuid::Uuid",
    );
    if cfg!(feature = "json") && matches!(ty, D::Json) {
        names.push("serde_json::Value".to_owned());
    }
    if matches!(ty, D::Blob | D::Geometry) {
        names.push("Vec<u8>".to_owned());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mismatch_names_the_types_that_read_the_column_and_the_cast_for_the_one_asked_for() {
        let money = DuckType::Decimal { width: 38, scale: 2 };
        let decimals = if cfg!(feature = "rust_decimal") { "Decimal or rust_decimal::Decimal" } else { "Decimal" };
        assert_eq!(
            mismatch_hint::<f64>(&money),
            format!("read it as {decimals}, or cast it in SQL to a type f64 reads: `col::DOUBLE`")
        );
        assert_eq!(
            mismatch_hint::<String>(&DuckType::list(DuckType::Integer)),
            "read it as Vec<i32>, or cast it in SQL to a type String reads: `col::VARCHAR`"
        );
        assert_eq!(
            mismatch_hint::<bool>(&DuckType::SmallInt),
            "read it as i16 (or another integer type its values fit) or Decimal, or cast it in SQL to a type bool \
             reads: `col::BOOLEAN`"
        );
        // No cast gives a list of strings; a VARIANT is read as a Value.
        assert_eq!(mismatch_hint::<Vec<String>>(&DuckType::Double), "read it as f64");
        let variant = mismatch_hint::<String>(&DuckType::Variant);
        assert!(variant.starts_with("read it as Value") && variant.ends_with("`col::VARCHAR`"), "{variant}");
    }

    #[test]
    fn type_names_are_short() {
        assert_eq!(String::type_name(), "String");
        assert_eq!(<Option<Vec<crate::types::Date>>>::type_name(), "Option<Vec<Date>>");
        assert_eq!(<HashMap<String, i64>>::type_name(), "HashMap<String, i64>");
        assert_eq!(short_type_name("(i32, [u8; 16], &'static my_app::Name)"), "(i32, [u8; 16], &'static Name)");
    }

    #[test]
    fn enum_member_check_is_exact() {
        use decode_support::enum_has_member;
        assert!(enum_has_member(None, "anything"));
        assert!(enum_has_member(Some(&["happy", "sad"]), "sad"));
        assert!(!enum_has_member(Some(&["happy", "sad"]), "Sad"));
        assert!(!enum_has_member(Some(&["happy", "sad"]), "sa"));
        assert!(!enum_has_member(Some(&[]), ""));
    }
}
