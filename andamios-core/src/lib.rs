//! Shared core of Andamios.
//!
//! This crate holds what the compile-time macros, the async runtime and the
//! command-line tool all need: the DuckDB C-API layer ([`ffi`], the only
//! module with `unsafe` code), descriptions of DuckDB types ([`DuckType`]),
//! owned values for binding ([`Value`]) and DuckDB's errors ([`DuckDbError`]).
//!
//! ```
//! use andamios_core::ffi::Database;
//!
//! let db = Database::open(":memory:", &Default::default()).unwrap();
//! let conn = db.connect().unwrap();
//! let stmt = conn.prepare("SELECT 40 + $1::INTEGER AS answer").unwrap();
//! let described = stmt.describe();
//! assert_eq!(described.columns[0].name, "answer");
//! ```
#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]
#![deny(unsafe_op_in_unsafe_fn)]

/// Implements `Debug` as the type's `Display`, for the value types whose
/// fields are an encoding (days since 1970, a mantissa and a scale): a
/// `{:?}` of a row shows `2024-01-01` and `12.50`, as chrono's and
/// rust_decimal's types print, not `Date { days: 19723 }`.
#[doc(hidden)]
#[macro_export]
macro_rules! debug_as_display {
    ($($type:ty),+ $(,)?) => {$(
        impl ::std::fmt::Debug for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self, f)
            }
        }
    )+};
}

#[cfg(feature = "arrow")]
mod arrow_export;
#[cfg(feature = "arrow")]
mod arrow_ranges;
mod bignum;
mod bit_string;
pub mod cache;
pub mod describe;
mod duck_type;
mod error;
pub mod ffi;
mod json_syntax;
pub mod migrate;
pub mod named_params;
pub(crate) mod nullability;
pub mod schema;
pub mod script;
mod value;
mod wkb;

pub use bignum::BigNum;
pub use bit_string::BitString;
pub use duck_type::{DuckType, StatementKind};
pub use error::{DuckDbError, DuckErrorType, ScriptStatement};
pub use json_syntax::json_syntax_problem;
pub use value::{map_entries_problem, Decimal, ParseValueError, Value};
#[doc(hidden)]
pub use value::{time_tz_bits, time_tz_from_bits};
pub use wkb::wkb_problem;
