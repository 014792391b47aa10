//! Andamios: compile-time checked SQL for DuckDB, with an async runtime on tokio.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> andamios::Result<()> {
//! use andamios::{FromRow, Pool};
//!
//! #[derive(Debug, FromRow)]
//! struct City {
//!     name: String,
//!     population: i64,
//! }
//!
//! let pool = Pool::connect("duckdb::memory:").await?;
//! pool.execute_batch("CREATE TABLE city (name VARCHAR NOT NULL, population BIGINT NOT NULL)").await?;
//! pool.append("city", vec![("Lisbon".to_owned(), 545_000i64), ("Porto".to_owned(), 232_000)]).await?;
//!
//! let big: Vec<City> = andamios::query_as("SELECT name, population FROM city WHERE population > $1 ORDER BY name")
//!     .bind(300_000i64)
//!     .fetch_all(&pool)
//!     .await?;
//! assert_eq!(big[0].name, "Lisbon");
//! # Ok(()) }
//! ```
//!
//! Statements run on pooled DuckDB connections, each served by its own
//! thread: DuckDB never blocks the async runtime, and results cross threads
//! as whole decoded chunks.
#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod acquire;
mod append;
mod checks;
mod connection;
mod error;
mod executor;
pub mod migrate;
mod parallel_decode;
mod pool;
mod query;
mod query_builder;
mod row;
mod timer;
mod transaction;
pub mod types;

/// The Arrow crates that [`Query::fetch_arrow`] speaks (feature `arrow`),
/// re-exported so that their versions match.
#[cfg(feature = "arrow")]
pub mod arrow {
    pub use arrow_array as array;
    pub use arrow_array::RecordBatch;
    pub use arrow_schema as schema;
}

pub use acquire::{Acquire, AcquireFuture, Acquired};
pub use andamios_macros::{migrate, test, AppendRow, FromRow, Type};
pub use andamios_macros::{
    query, query_as, query_as_unchecked, query_file, query_file_as, query_file_as_unchecked, query_file_scalar,
    query_file_scalar_unchecked, query_file_unchecked, query_scalar, query_scalar_unchecked, query_unchecked,
};
pub use append::AppendRow;
pub use connection::{Connection, PoolConnection, STREAM_BUFFER_CHUNKS};
pub use error::{DatabaseErrorKind, Error, Result, ScriptStatement};
pub use executor::Executor;
pub use pool::{AccessMode, HookFuture, Pool, PoolOptions, TRANSACTION_ATTEMPTS};
#[cfg(feature = "arrow")]
pub use query::ArrowStream;
pub use query::{query, query_as, query_scalar, Query, QueryAs, QueryScalar, RowStream, ScalarStream};
pub use query_builder::{QueryBuilder, Separated};
pub use row::{BatchColumn, ColumnIndex, FromRow, Row, RowBatch};
pub use transaction::Transaction;

/// Items used by code the derives and macros generate. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::append::{write_column, AppendError};
    pub use crate::checks::{
        check_arg, into_field, into_nullable_field, list_field, nullable_list_field, option_field, sql, ArgFor,
        FromList, IntoElement, IntoField, IntoNullableList, NullableElements, PlainElements,
    };
    pub use crate::executor::{ConnectionFuture, MaybeOwned};
    pub use crate::migrate::run_test;
    pub use crate::query::query_as_via;
    pub use crate::row::{flattened_rows_missing, try_from_failed};
    pub use crate::types::decode_support::*;
    pub use andamios_core::ffi::{ChunkWriter, ColumnRef, ColumnWriter};
    pub use andamios_core::{DuckType, Value};
}
