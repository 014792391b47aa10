//! The one error type of Andamios.

use andamios_core::{DuckDbError, DuckErrorType};
use std::time::Duration;

pub use andamios_core::ScriptStatement;

/// Result alias with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong running a statement.
///
/// Match on the variant to react: [`Error::RowNotFound`] for a missing row,
/// [`Error::Database`] with [`DatabaseErrorKind::Conflict`] to retry a
/// transaction, [`DatabaseErrorKind::UniqueViolation`] for a duplicate key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `fetch_one` found no row.
    #[error("the query returned no rows (use fetch_optional to allow that)")]
    RowNotFound,
    /// No connection became free within the pool's acquire timeout.
    #[error("timed out after {0:?} waiting for a pooled connection (raise PoolOptions::max_connections or acquire_timeout, or hold connections for less time)")]
    PoolTimedOut(Duration),
    /// The pool was closed.
    #[error("the pool is closed")]
    PoolClosed,
    /// A value could not be decoded into the requested Rust type.
    #[error("cannot decode column `{column}` ({found}) into Rust type {expected}{}{}", hint.as_deref().map(|h| format!(": {h}")).unwrap_or_default(), context(sql.as_deref(), None))]
    Decode {
        /// The column's name (or index).
        column: String,
        /// The Rust type asked for.
        expected: String,
        /// The DuckDB type found (or `NULL`).
        found: String,
        /// What to do about it, when there is something to say.
        hint: Option<String>,
        /// The statement whose row it was, when known (not for a
        /// [`Row`](crate::Row) read after its statement ran).
        sql: Option<String>,
    },
    /// The row has no column of that name (`Row::try_get("name")`, a field
    /// of a derived `FromRow` struct).
    #[error("no column named `{name}` in the result: its columns are {}; select it, or rename the field to match (`#[andamios(rename = \"...\")]`){}", columns.join(", "), context(sql.as_deref(), None))]
    ColumnNotFound {
        /// The name asked for.
        name: String,
        /// The names of the result's columns.
        columns: Vec<String>,
        /// The statement whose result it was, when known.
        sql: Option<String>,
    },
    /// The row has no column at that position (`Row::try_get(3)`, a tuple
    /// with more fields than the result has columns).
    #[error("no column at position {index}: the result has {len} column(s); select one column for each value the row type reads{}", context(sql.as_deref(), None))]
    ColumnIndexOutOfBounds {
        /// The 0-based position asked for.
        index: usize,
        /// How many columns the result has.
        len: usize,
        /// The statement whose result it was, when known.
        sql: Option<String>,
    },
    /// A value could not be bound or appended.
    #[error("cannot encode {what}: {message}{}", context(sql.as_deref(), None))]
    Encode {
        /// The parameter or column concerned.
        what: String,
        /// What went wrong.
        message: String,
        /// The statement a parameter was bound to, when known.
        sql: Option<String>,
    },
    /// DuckDB rejected the statement.
    #[error("{message}{}", context(sql.as_deref(), *script_statement))]
    Database {
        /// What kind of failure this is.
        kind: DatabaseErrorKind,
        /// DuckDB's message, verbatim.
        message: String,
        /// The statement that failed, when known: of a script, the one
        /// statement (or the whole script, where its text is not known).
        sql: Option<String>,
        /// Of a script of several statements, which one failed.
        script_statement: Option<ScriptStatement>,
    },
    /// A transaction was started inside another one.
    #[error("cannot begin a transaction inside another: DuckDB has no SAVEPOINT, so nested transactions are not supported; run these statements in the outer transaction")]
    NestedTransaction,
    /// An I/O failure outside DuckDB (files, folders).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A configuration value was invalid (a URL, an option).
    #[error("invalid configuration: {0}")]
    Configuration(String),
    /// A migration failed or does not match what was applied.
    #[error("migration error: {0}")]
    Migrate(String),
    /// The connection's worker thread stopped (it was shut down).
    #[error("the connection's worker thread stopped unexpectedly")]
    WorkerGone,
    /// Code of the caller's that runs on the connection's threads (a
    /// `FromRow` impl, the rows given to `append`) panicked. The statement
    /// was abandoned (an append keeps none of its rows), and the
    /// connection serves the next one.
    #[error("a panic in code run on the connection's thread (a FromRow impl, the rows of an append): {0}")]
    Panicked(String),
}

/// Kinds of [`Error::Database`] a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DatabaseErrorKind {
    /// A write conflicted with a concurrent transaction; retry the transaction.
    Conflict,
    /// A UNIQUE or PRIMARY KEY constraint was violated.
    UniqueViolation,
    /// A FOREIGN KEY constraint was violated.
    ForeignKeyViolation,
    /// A NOT NULL constraint was violated.
    NotNullViolation,
    /// A CHECK constraint was violated.
    CheckViolation,
    /// The SQL could not be parsed.
    Syntax,
    /// A table, column, function or type does not exist or does not fit
    /// (DuckDB's catalog and binder errors).
    Catalog,
    /// The query was interrupted (its future was dropped).
    Interrupted,
    /// A value could not be converted or was out of range.
    Conversion,
    /// The database file could not be opened, read or written.
    Io,
    /// A transaction-state error other than a conflict.
    Transaction,
    /// The statement needed more memory than the database's limit allows
    /// (`PoolOptions::memory_limit`), and could not spill to disk. Fewer
    /// rows, fewer DuckDB threads or a higher limit make it fit.
    OutOfMemory,
    /// Any other DuckDB error.
    Other,
}

impl Error {
    /// The database error kind, when this is a [`Error::Database`].
    pub fn database_kind(&self) -> Option<DatabaseErrorKind> {
        match self {
            Error::Database { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The SQL that failed, when known (of a script, the statement that
    /// failed: see [`script_statement`](Self::script_statement)): DuckDB's
    /// errors, and a value that did not bind or decode, or a column not
    /// found, in a statement's rows.
    pub fn sql(&self) -> Option<&str> {
        match self {
            Error::Database { sql, .. }
            | Error::Decode { sql, .. }
            | Error::ColumnNotFound { sql, .. }
            | Error::ColumnIndexOutOfBounds { sql, .. }
            | Error::Encode { sql, .. } => sql.as_deref(),
            _ => None,
        }
    }

    /// This error, naming `statement` as the SQL it came from where it
    /// names none yet.
    pub(crate) fn in_statement(mut self, statement: &str) -> Error {
        match &mut self {
            Error::Database { sql, .. }
            | Error::Decode { sql, .. }
            | Error::ColumnNotFound { sql, .. }
            | Error::ColumnIndexOutOfBounds { sql, .. }
            | Error::Encode { sql, .. } => {
                sql.get_or_insert_with(|| statement.to_owned());
            }
            _ => {}
        }
        self
    }

    /// This error, saying that it came from the pool's `after_connect`
    /// hook: the caller sees it where it acquired a connection (or
    /// connected the pool), so without this it would read as its own
    /// statement's failure. Errors that carry a message say it there;
    /// the others are the hook's own and pass as they are.
    pub(crate) fn in_after_connect(self) -> Error {
        self.noting(
            "\n  (from the pool's `PoolOptions::after_connect` hook, which runs on each new connection: the \
             connection was not opened; fix the hook)",
        )
    }

    /// The error of a [`PoolOptions::attach`](crate::PoolOptions::attach)
    /// statement, saying where it came from.
    pub(crate) fn in_attach(self) -> Error {
        self.noting("\n  (attaching a database of `PoolOptions::attach`, on a new connection: it was not opened)")
    }

    /// The error with `note` after its message.
    fn noting(mut self, note: &str) -> Error {
        match &mut self {
            Error::Database { message, .. }
            | Error::Encode { message, .. }
            | Error::Migrate(message)
            | Error::Configuration(message) => message.push_str(note),
            _ => {}
        }
        self
    }

    /// Of a script of several statements (`execute_batch`, a migration),
    /// which one failed. Those before it ran: outside a transaction, their
    /// changes stay.
    pub fn script_statement(&self) -> Option<ScriptStatement> {
        match self {
            Error::Database { script_statement, .. } => *script_statement,
            _ => None,
        }
    }

    /// Whether retrying the transaction may succeed (a write-write conflict).
    pub fn is_retryable(&self) -> bool {
        self.database_kind() == Some(DatabaseErrorKind::Conflict)
    }

    /// [`Error::Panicked`], with the panic's message.
    pub(crate) fn panicked(payload: Box<dyn std::any::Any + Send>) -> Error {
        let message = match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => payload.downcast_ref::<&str>().map_or("(a panic without a message)", |m| m).to_owned(),
        };
        Error::Panicked(message)
    }

    pub(crate) fn from_duckdb(err: DuckDbError, sql: Option<&str>) -> Error {
        let script_statement = err.script_statement().filter(|at| at.count > 1);
        let sql = if script_statement.is_some() { err.statement_sql().or(sql) } else { sql };
        Error::Database {
            kind: classify(&err),
            message: err.message().to_owned(),
            sql: sql.map(str::to_owned),
            script_statement,
        }
    }
}

impl From<DuckDbError> for Error {
    fn from(err: DuckDbError) -> Self {
        Error::from_duckdb(err, None)
    }
}

fn classify(err: &DuckDbError) -> DatabaseErrorKind {
    let message = err.message();
    let lower = message.to_ascii_lowercase();
    match err.kind() {
        DuckErrorType::Constraint => {
            if lower.contains("foreign key") {
                DatabaseErrorKind::ForeignKeyViolation
            } else if lower.contains("not null") {
                DatabaseErrorKind::NotNullViolation
            } else if lower.contains("check constraint") {
                DatabaseErrorKind::CheckViolation
            } else {
                DatabaseErrorKind::UniqueViolation
            }
        }
        DuckErrorType::Transaction => {
            if lower.contains("conflict") {
                DatabaseErrorKind::Conflict
            } else {
                DatabaseErrorKind::Transaction
            }
        }
        DuckErrorType::Interrupt => DatabaseErrorKind::Interrupted,
        DuckErrorType::Parser | DuckErrorType::Syntax => DatabaseErrorKind::Syntax,
        DuckErrorType::Catalog | DuckErrorType::Binder => DatabaseErrorKind::Catalog,
        DuckErrorType::Conversion
        | DuckErrorType::OutOfRange
        | DuckErrorType::Decimal
        | DuckErrorType::MismatchType => DatabaseErrorKind::Conversion,
        DuckErrorType::Io => DatabaseErrorKind::Io,
        DuckErrorType::OutOfMemory => DatabaseErrorKind::OutOfMemory,
        _ if lower.contains("conflict") => DatabaseErrorKind::Conflict,
        _ if lower.starts_with("interrupt") => DatabaseErrorKind::Interrupted,
        _ => DatabaseErrorKind::Other,
    }
}

/// What an [`Error::Database`] message says after DuckDB's: the SQL, and
/// of a script, which statement failed.
fn context(sql: Option<&str>, script_statement: Option<ScriptStatement>) -> String {
    let quoted = sql.map(quoted_sql).unwrap_or_default();
    match script_statement {
        None => quoted,
        Some(ScriptStatement { index, count }) => {
            format!("{quoted}\n  (statement {} of {count} in the script)", index + 1)
        }
    }
}

/// The SQL an error message quotes, cut short past [`QUOTED_SQL_CHARS`]
/// characters: a generated statement can run to megabytes, and DuckDB's
/// message already points at the place. [`Error::sql`] keeps it whole.
fn quoted_sql(sql: &str) -> String {
    match sql.char_indices().nth(QUOTED_SQL_CHARS) {
        None => format!("\n  in SQL: {sql}"),
        Some((cut, _)) => format!(
            "\n  in SQL: {}… ({} more bytes; `Error::sql()` has the whole statement)",
            &sql[..cut],
            sql.len() - cut
        ),
    }
}

/// How much of the SQL an error message quotes.
const QUOTED_SQL_CHARS: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_statement_is_quoted_in_part_and_kept_whole() {
        let database = |sql: String| Error::Database {
            kind: DatabaseErrorKind::Syntax,
            message: "Parser Error: too deep".into(),
            sql: Some(sql),
            script_statement: None,
        };
        let short = database("SELECT 1".into());
        assert_eq!(short.to_string(), "Parser Error: too deep\n  in SQL: SELECT 1");
        // Multi-byte characters: the cut falls between characters.
        let long = format!("SELECT '{}'", "é".repeat(3000));
        let err = database(long.clone());
        let text = err.to_string();
        assert!(text.len() < 2200, "{} bytes", text.len());
        assert!(text.contains("… (") && text.contains("more bytes; `Error::sql()` has the whole statement"), "{text}");
        assert_eq!(err.sql(), Some(long.as_str()));
    }

    #[test]
    fn classifies_constraint_messages() {
        let cases = [
            (
                "Constraint Error: Duplicate key \"id: 1\" violates primary key constraint.",
                DatabaseErrorKind::UniqueViolation,
            ),
            (
                "Constraint Error: Violates foreign key constraint because key \"id: 9\" does not exist",
                DatabaseErrorKind::ForeignKeyViolation,
            ),
            ("Constraint Error: NOT NULL constraint failed: t.name", DatabaseErrorKind::NotNullViolation),
            (
                "Constraint Error: CHECK constraint failed on table t with expression CHECK((x > 0))",
                DatabaseErrorKind::CheckViolation,
            ),
        ];
        for (message, kind) in cases {
            assert_eq!(classify(&DuckDbError::new(DuckErrorType::Constraint, message)), kind, "{message}");
        }
        let conflict = DuckDbError::new(
            DuckErrorType::Transaction,
            "TransactionContext Error: Catalog write-write conflict on alter",
        );
        assert_eq!(classify(&conflict), DatabaseErrorKind::Conflict);
        let memory = DuckDbError::new(
            DuckErrorType::OutOfMemory,
            "Out of Memory Error: failed to allocate data of size 16.0 MiB (16.3 MiB/28.6 MiB used)",
        );
        assert_eq!(classify(&memory), DatabaseErrorKind::OutOfMemory);
    }
}
