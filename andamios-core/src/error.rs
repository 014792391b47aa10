use std::fmt;

/// The error class DuckDB attaches to a failed statement
/// (`duckdb_error_type` in the C API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum DuckErrorType {
    Invalid,
    OutOfRange,
    Conversion,
    UnknownType,
    Decimal,
    MismatchType,
    DivideByZero,
    ObjectSize,
    InvalidType,
    Serialization,
    Transaction,
    NotImplemented,
    Expression,
    Catalog,
    Parser,
    Planner,
    Scheduler,
    Executor,
    Constraint,
    Index,
    Stat,
    Connection,
    Syntax,
    Settings,
    Binder,
    Network,
    Optimizer,
    NullPointer,
    Io,
    Interrupt,
    Fatal,
    Internal,
    InvalidInput,
    OutOfMemory,
    Permission,
    ParameterNotResolved,
    ParameterNotAllowed,
    Dependency,
    Http,
    MissingExtension,
    Autoload,
    Sequence,
    /// A code this version of Andamios does not know.
    Other(u32),
}

impl DuckErrorType {
    pub(crate) fn from_code(code: u32) -> Self {
        use DuckErrorType::*;
        const TABLE: [DuckErrorType; 42] = [
            Invalid,
            OutOfRange,
            Conversion,
            UnknownType,
            Decimal,
            MismatchType,
            DivideByZero,
            ObjectSize,
            InvalidType,
            Serialization,
            Transaction,
            NotImplemented,
            Expression,
            Catalog,
            Parser,
            Planner,
            Scheduler,
            Executor,
            Constraint,
            Index,
            Stat,
            Connection,
            Syntax,
            Settings,
            Binder,
            Network,
            Optimizer,
            NullPointer,
            Io,
            Interrupt,
            Fatal,
            Internal,
            InvalidInput,
            OutOfMemory,
            Permission,
            ParameterNotResolved,
            ParameterNotAllowed,
            Dependency,
            Http,
            MissingExtension,
            Autoload,
            Sequence,
        ];
        TABLE.get(code as usize).copied().unwrap_or(Other(code))
    }
}

/// An error reported by DuckDB: its class and its message, verbatim (including
/// the `LINE 1: ...` excerpt and caret DuckDB adds to parser and binder errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuckDbError {
    kind: DuckErrorType,
    message: String,
}

impl DuckDbError {
    /// An error of `kind` with `message`.
    pub fn new(kind: DuckErrorType, message: impl Into<String>) -> Self {
        DuckDbError { kind, message: message.into() }
    }

    /// DuckDB's class for this error.
    pub fn kind(&self) -> DuckErrorType {
        self.kind
    }

    /// DuckDB's message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DuckDbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DuckDbError {}
