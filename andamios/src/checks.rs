//! Compile-time checks of the checked macros' arguments: one marker type per
//! DuckDB parameter type, and `ArgFor<Marker>` for the Rust types that fit.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

/// Marker types, one per DuckDB parameter type.
#[allow(missing_debug_implementations)]
pub mod sql {
    macro_rules! markers {
        ($($name:ident => $sql:literal),*) => {$(
            #[doc = concat!("The DuckDB type ", $sql, ".")]
            pub enum $name {}
        )*};
    }
    markers!(Boolean => "BOOLEAN", TinyInt => "TINYINT", SmallInt => "SMALLINT", Integer => "INTEGER",
        BigInt => "BIGINT", HugeInt => "HUGEINT", UTinyInt => "UTINYINT", USmallInt => "USMALLINT",
        UInteger => "UINTEGER", UBigInt => "UBIGINT", UHugeInt => "UHUGEINT", Float => "FLOAT",
        Double => "DOUBLE", Decimal => "DECIMAL", Varchar => "VARCHAR", Json => "JSON", Blob => "BLOB",
        Date => "DATE", Time => "TIME", Timestamp => "TIMESTAMP", TimestampTz => "TIMESTAMP WITH TIME ZONE",
        Interval => "INTERVAL", Uuid => "UUID", Enum => "ENUM", Struct => "STRUCT", Map => "MAP",
        TimeTz => "TIME WITH TIME ZONE", Bit => "BIT", BigNum => "BIGNUM");

    /// The DuckDB type `T[]`.
    pub struct List<T>(std::marker::PhantomData<T>);
}

/// A Rust value that may be bound to a parameter of DuckDB type `M`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound to this parameter: DuckDB expects a value of type {M}",
    label = "this argument's type does not fit the parameter",
    note = "cast the argument to a fitting Rust type, cast the parameter in SQL (`$1::TYPE`), or write `arg as _` to skip the check"
)]
pub trait ArgFor<M> {}

/// Checks, at compile time only, that `_value` fits a parameter of type `M`.
#[inline(always)]
pub fn check_arg<M, T: ArgFor<M> + ?Sized>(_value: &T) {}

/// A column's value that fits a `query_as!` struct field of type `F`: the
/// same type, or a newtype of it with `#[derive(Type)]` (the derive adds
/// that implementation). `C` is a marker type named after the column, so
/// that a mismatch names it.
#[diagnostic::on_unimplemented(
    message = "column `{C}` is read as `{Self}`, which does not fit its field's type `{F}`",
    label = "the field of column `{C}` has another type",
    note = "make the field `{Self}` (a `#[derive(Type)]` newtype of it fits too); or change what the column is \
            read as: cast it in SQL (`col::TYPE AS col`), say that it is never NULL (`AS \"col!\"`), or give its \
            Rust type (`AS \"col: Type\"`)"
)]
pub trait IntoField<F, C> {
    /// The value, as the field's type.
    fn into_field(self) -> F;
}

impl<T, C> IntoField<T, C> for T {
    #[inline(always)]
    fn into_field(self) -> T {
        self
    }
}

/// A column that is never NULL also fits a field that allows NULL (a
/// struct shared with queries where the column can be). (Not named in the
/// error for a field of another type, where it would only distract.)
#[diagnostic::do_not_recommend]
impl<T, C> IntoField<Option<T>, C> for T {
    #[inline(always)]
    fn into_field(self) -> Option<T> {
        Some(self)
    }
}

/// A list whose values the plan shows are never NULL (`list(x)` of a NOT
/// NULL `x`) also fits a field that allows them. (Not named in the error
/// for a field of another type, where it would only distract.)
#[diagnostic::do_not_recommend]
impl<T, C> IntoField<Vec<Option<T>>, C> for Vec<T> {
    #[inline(always)]
    fn into_field(self) -> Vec<Option<T>> {
        self.into_iter().map(Some).collect()
    }
}

/// The same for the values of a MAP (`histogram(x)`'s counts).
#[diagnostic::do_not_recommend]
impl<K: Eq + std::hash::Hash, V, C> IntoField<HashMap<K, Option<V>>, C> for HashMap<K, V> {
    #[inline(always)]
    fn into_field(self) -> HashMap<K, Option<V>> {
        self.into_iter().map(|(k, v)| (k, Some(v))).collect()
    }
}

/// Never built. A second implementation keeps rustc from taking a field's
/// type from its column's before it checks that the two are the same: a
/// mismatch then gets the message of `IntoField` instead of "mismatched
/// types" without the column's name.
#[allow(missing_debug_implementations)]
pub struct NotAField<T>(T);

impl<T, C> IntoField<NotAField<T>, C> for T {
    fn into_field(self) -> NotAField<T> {
        NotAField(self)
    }
}

/// `value` as a struct field's type (see `IntoField`); column `C`.
#[inline(always)]
pub fn into_field<C, V: IntoField<F, C>, F>(value: V) -> F {
    value.into_field()
}

/// [`IntoField`] for a column that can be NULL: it fits an `Option` field
/// whose inner type its value fits (the same type, or a newtype of it with
/// `#[derive(Type)]`), and nothing else.
#[diagnostic::on_unimplemented(
    message = "column `{C}` is read as `{Self}`, which does not fit its field's type `{F}`",
    label = "the field of column `{C}` has another type",
    note = "make the field `{Self}` (or an `Option` of a `#[derive(Type)]` newtype of what it holds); or \
            change what the column is read as: cast it in SQL (`col::TYPE AS col`), say that it is never NULL \
            (`AS \"col!\"`), or give its Rust type (`AS \"col: Type\"`)"
)]
pub trait IntoNullableField<F, C> {
    /// The value, as the field's type.
    fn into_field(self) -> F;
}

impl<V: IntoField<F, C>, F, C> IntoNullableField<Option<F>, C> for Option<V> {
    #[inline(always)]
    fn into_field(self) -> Option<F> {
        self.map(IntoField::into_field)
    }
}

/// Never used, as for `IntoField`: with one implementation only, rustc
/// would take the field's type from it and report "mismatched types".
impl<T, C> IntoNullableField<NotAField<T>, C> for T {
    fn into_field(self) -> NotAField<T> {
        NotAField(self)
    }
}

/// `value`, of a column that can be NULL, as a struct field's type (see
/// `IntoNullableField`); column `C`.
#[inline(always)]
pub fn into_nullable_field<C, V: IntoNullableField<F, C>, F>(value: V) -> F {
    value.into_field()
}

/// Whether the values of a list column can be NULL: the third parameter of
/// [`FromList`], which `query_as!` picks from the statement's plan.
#[allow(missing_debug_implementations)]
pub enum PlainElements {}

/// See [`PlainElements`].
#[allow(missing_debug_implementations)]
pub enum NullableElements {}

/// A list column's value that fits a `query_as!` field element `F`: the
/// same type, a `#[derive(Type)]` newtype of it, an `Option` of it for a
/// value that is never NULL (`IntoField`); an `Option` of the same or of
/// a newtype for one that can be (`N` tells which).
#[diagnostic::on_unimplemented(
    message = "column `{C}` holds values read as `{Self}`, which do not fit its field's values of type `{F}`",
    label = "the field of column `{C}` has another type",
    note = "make the field's values `{Self}` (for values that can be NULL, `Option`s of what they hold, or of a \
            `#[derive(Type)]` newtype of it); or change what the column is read as: cast it in SQL \
            (`col::TYPE[] AS col`), or give its Rust type (`AS \"col: Type\"`)"
)]
pub trait IntoElement<F, C, N> {
    /// The value, as the field's element type.
    fn into_element(self) -> F;
}

impl<E: IntoField<F, C>, F, C> IntoElement<F, C, PlainElements> for E {
    #[inline(always)]
    fn into_element(self) -> F {
        self.into_field()
    }
}

impl<E: IntoField<F, C>, F, C> IntoElement<Option<F>, C, NullableElements> for Option<E> {
    #[inline(always)]
    fn into_element(self) -> Option<F> {
        self.map(IntoField::into_field)
    }
}

/// A list column's values (`Vec<E>`) that fit a `query_as!` field of type
/// `Self`, value by value: a `Vec` of what each value fits (see
/// `IntoElement`: `Vec<UserId>` for a `BIGINT[]`), an `Option` of one, or
/// a `#[derive(Type)]` newtype of one (the derive adds that
/// implementation). `C` names the column; `N` tells whether its values can
/// be NULL.
#[diagnostic::on_unimplemented(
    message = "column `{C}` is a list of `{E}`, which does not fit its field's type `{Self}`",
    label = "the field of column `{C}` has another type",
    note = "make the field a `Vec` of `{E}` (or of a `#[derive(Type)]` newtype of what it holds); or change what \
            the column is read as: cast it in SQL (`col::TYPE[] AS col`), say that it is never NULL (`AS \"col!\"`), \
            or give its Rust type (`AS \"col: Type\"`)"
)]
pub trait FromList<E, C, N>: Sized {
    /// The field holding `values`.
    fn from_list(values: Vec<E>) -> Self;
}

impl<E: IntoElement<F, C, N>, F, C, N> FromList<E, C, N> for Vec<F> {
    #[inline]
    fn from_list(values: Vec<E>) -> Self {
        // In place, without a new allocation, when `F` is `E` or a
        // newtype of it: the standard library reuses the vector.
        values.into_iter().map(IntoElement::into_element).collect()
    }
}

/// A list that is never NULL also fits a field that allows NULL.
impl<E, C, N, T: FromList<E, C, N>> FromList<E, C, N> for Option<T> {
    #[inline]
    fn from_list(values: Vec<E>) -> Self {
        Some(T::from_list(values))
    }
}

/// `values`, of a list column that is never NULL, as a struct field's type
/// (see `FromList`); column `C`.
#[inline(always)]
pub fn list_field<C, N, E, F: FromList<E, C, N>>(values: Vec<E>) -> F {
    F::from_list(values)
}

/// [`FromList`] for a list column that can be NULL: it fits an `Option`
/// of a field that its list fits, and nothing else.
#[diagnostic::on_unimplemented(
    message = "column `{C}` is read as `{Self}`, which does not fit its field's type `{F}`",
    label = "the field of column `{C}` has another type",
    note = "make the field an `Option` of a `Vec` of the list's values (or of a `#[derive(Type)]` newtype of \
            what they hold); or change what the column is read as: cast it in SQL (`col::TYPE[] AS col`), say \
            that it is never NULL (`AS \"col!\"`), or give its Rust type (`AS \"col: Type\"`)"
)]
pub trait IntoNullableList<F, C, N> {
    /// The value, as the field's type.
    fn into_field(self) -> F;
}

impl<E, T: FromList<E, C, N>, C, N> IntoNullableList<Option<T>, C, N> for Option<Vec<E>> {
    #[inline]
    fn into_field(self) -> Option<T> {
        self.map(T::from_list)
    }
}

/// Never used, as for `IntoField`: with one implementation only, rustc
/// would take the field's type from it and report "mismatched types".
impl<T, C, N> IntoNullableList<NotAField<T>, C, N> for T {
    fn into_field(self) -> NotAField<T> {
        NotAField(self)
    }
}

/// `value`, of a list column that can be NULL, as a struct field's type
/// (see `IntoNullableList`); column `C`.
#[inline(always)]
pub fn nullable_list_field<C, N, V: IntoNullableList<F, C, N>, F>(value: V) -> F {
    value.into_field()
}

/// The field of a column that can be NULL, whose type the field decides
/// (a STRUCT read into a struct of the caller's): it must be an `Option`.
#[diagnostic::on_unimplemented(
    message = "column `{C}` can be NULL, so its field must be an `Option`, not `{Self}`",
    label = "the field of column `{C}` cannot hold a NULL",
    note = "make the field an `Option`; or say that the column is never NULL (`AS \"col!\"`)"
)]
pub trait OptionField<C> {}

impl<T, C> OptionField<C> for Option<T> {}

/// `value`, of a column that can be NULL, as its field (see `OptionField`);
/// column `C`.
#[inline(always)]
pub fn option_field<C, F: OptionField<C>>(value: F) -> F {
    value
}

impl<M, T: ArgFor<M> + ?Sized> ArgFor<M> for &T {}
impl<M, T: ArgFor<M>> ArgFor<M> for Option<T> {}

macro_rules! fits {
    ($marker:ident: $($t:ty),*) => {$(impl ArgFor<sql::$marker> for $t {})*};
}
fits!(Boolean: bool);
fits!(TinyInt: i8);
fits!(SmallInt: i8, i16, u8);
fits!(Integer: i8, i16, i32, u8, u16);
fits!(BigInt: i8, i16, i32, i64, u8, u16, u32);
fits!(HugeInt: i8, i16, i32, i64, i128, u8, u16, u32, u64);
fits!(UTinyInt: u8);
fits!(USmallInt: u8, u16);
fits!(UInteger: u8, u16, u32);
fits!(UBigInt: u8, u16, u32, u64);
fits!(UHugeInt: u8, u16, u32, u64, u128);
fits!(Float: f32);
fits!(Double: f32, f64);
fits!(Decimal: crate::types::Decimal, i8, i16, i32, i64, u8, u16, u32);
fits!(Varchar: str, String, Box<str>, Arc<str>, Rc<str>, Cow<'_, str>);
fits!(Json: str, String, Box<str>, Arc<str>, Rc<str>, Cow<'_, str>);
fits!(Enum: str, String, Box<str>, Arc<str>, Rc<str>, Cow<'_, str>);
fits!(TimeTz: crate::types::TimeTz);
fits!(Bit: crate::types::BitString);
fits!(BigNum: crate::types::BigNum, i8, i16, i32, i64, i128, u8, u16, u32, u64, u128);
fits!(Blob: [u8], Vec<u8>);
fits!(Date: crate::types::Date);
fits!(Time: crate::types::Time);
// A date is its midnight, as DuckDB casts it: `ts >= $1` takes a date.
fits!(Timestamp: crate::types::Timestamp, crate::types::Date);
fits!(TimestampTz: crate::types::TimestampTz);
fits!(Interval: crate::types::Interval, std::time::Duration);

impl<M, T: ArgFor<M>> ArgFor<sql::List<M>> for Vec<T> {}
impl<M, T: ArgFor<M>> ArgFor<sql::List<M>> for [T] {}
impl<M, T: ArgFor<M>, const N: usize> ArgFor<sql::List<M>> for [T; N] {}
impl<const N: usize> ArgFor<sql::Blob> for [u8; N] {}
impl<K, V, S> ArgFor<sql::Map> for HashMap<K, V, S> {}
impl<K, V> ArgFor<sql::Map> for BTreeMap<K, V> {}
impl<K, V> ArgFor<sql::Map> for Vec<(K, V)> {}

#[cfg(feature = "chrono")]
mod chrono_fits {
    use super::*;
    fits!(Date: chrono::NaiveDate);
    fits!(Time: chrono::NaiveTime);
    fits!(Timestamp: chrono::NaiveDateTime, chrono::NaiveDate);
    fits!(TimestampTz: chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::FixedOffset>);
    fits!(Interval: chrono::TimeDelta);
}

#[cfg(feature = "time")]
mod time_fits {
    use super::*;
    fits!(Date: time::Date);
    fits!(Time: time::Time);
    fits!(Timestamp: time::PrimitiveDateTime, time::Date);
    fits!(TimestampTz: time::OffsetDateTime);
    fits!(Interval: time::Duration);
}

#[cfg(feature = "compact_str")]
mod compact_str_fits {
    use super::*;
    fits!(Varchar: compact_str::CompactString);
    fits!(Json: compact_str::CompactString);
    fits!(Enum: compact_str::CompactString);
}
#[cfg(feature = "uuid")]
fits!(Uuid: uuid::Uuid);
#[cfg(feature = "rust_decimal")]
fits!(Decimal: rust_decimal::Decimal);
#[cfg(feature = "json")]
fits!(Json: serde_json::Value);
#[cfg(feature = "json")]
impl<T: serde::Serialize> ArgFor<sql::Json> for crate::types::Json<T> {}
