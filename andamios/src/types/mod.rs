//! Conversions between Rust values and DuckDB values, both directions.
//!
//! | DuckDB | Rust |
//! | --- | --- |
//! | BOOLEAN | `bool` |
//! | TINYINT .. BIGINT, HUGEINT | `i8` .. `i64`, `i128` |
//! | UTINYINT .. UBIGINT, UHUGEINT | `u8` .. `u64`, `u128` |
//! | FLOAT, DOUBLE | `f32`, `f64` |
//! | DECIMAL(p,s) | [`Decimal`] (exact), `rust_decimal::Decimal` (feature `rust_decimal`) |
//! | VARCHAR | `String`, `Box<str>`, `Arc<str>`, `Rc<str>`, `compact_str::CompactString` (feature `compact_str`: up to 24 bytes without an allocation); `&str`, `Cow<str>` (bind) |
//! | BLOB | `Vec<u8>`, `[u8; N]` (a BLOB of `N` bytes: a hash), `&[u8]` (bind) |
//! | DATE, TIME, TIME_NS, TIMESTAMP*, TIMESTAMPTZ, TIMESTAMPTZ_NS | [`Date`], [`Time`], [`Timestamp`], [`TimestampTz`] (microseconds); chrono and time types with their features (nanoseconds where the column has them) |
//! | TIME WITH TIME ZONE | [`TimeTz`] |
//! | BIT | [`BitString`] |
//! | BIGNUM | [`BigNum`] (any size), or any Rust integer the value fits |
//! | INTERVAL | [`Interval`] |
//! | UUID | `uuid::Uuid` (feature `uuid`) |
//! | JSON | `serde_json::Value` or `Json<T>` for any serde type (feature `json`), `String` |
//! | ENUM | `String`, or a `#[derive(Type)]` Rust enum |
//! | LIST, ARRAY | `Vec<T>`; `[T; N]` for an ARRAY of length `N` (`[f32; 384]`, an embedding) or a LIST of `N` values |
//! | STRUCT | a `#[derive(Type)]` struct |
//! | MAP | `HashMap<K, V>`, `BTreeMap<K, V>` |
//! | UNION | a `#[derive(Type)]` enum whose variants hold one value each (`enum Reading { Number(f64), Text(String) }`), matched by member name |
//! | NULL | `Option<T>` |
//! | any | [`Value`], which holds any of them |
//! | GEOMETRY | `Vec<u8>`, its WKB (binds as a BLOB: write `$1::GEOMETRY`; appends little-endian ISO WKB) |
//! | VARIANT | [`Value`] (objects as structs, arrays as lists, of VARIANT parts), `serde_json::Value` (feature `json`); binding and appending cast other values (JSON into objects and arrays) |
//! | any of these | a `#[derive(Type)]` newtype (`struct UserId(i64);`) over its Rust type |
//!
//! Integers decode from any DuckDB integer type whose value fits (DuckDB's
//! `sum` of INTEGER is a HUGEINT, say); a value that does not fit is an error.

mod decode;
mod dynamic;
mod encode;
mod temporal;
mod variant;

#[cfg(feature = "chrono")]
mod chrono_impls;
#[cfg(feature = "json")]
mod json_impls;
#[cfg(feature = "rust_decimal")]
mod rust_decimal_impls;
#[cfg(feature = "time")]
mod time_impls;
#[cfg(feature = "uuid")]
mod uuid_impls;

pub use andamios_core::{BigNum, BitString, Decimal, DuckType, ParseValueError, Value};
#[doc(hidden)]
pub use decode::decode_support;
pub(crate) use decode::mismatch_hint;
pub use decode::{Decode, DecodeError};
pub use encode::{Encode, EncodeError};
#[cfg(feature = "json")]
pub use json_impls::Json;
pub use temporal::{Date, Interval, Time, TimeTz, Timestamp, TimestampTz};
