use std::fmt;

/// Declares [`DuckErrorType`] and its mapping from the C API's codes in one
/// list, by the codes' names, so that a code DuckDB renumbers or adds is
/// never read as another class.
macro_rules! duck_error_types {
    ($($class:ident = $code:ident,)*) => {
        /// The error class DuckDB attaches to a failed statement
        /// (`duckdb_error_type` in the C API).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #[allow(missing_docs)]
        pub enum DuckErrorType {
            $($class,)*
            /// A code this version of Andamios does not know.
            Other(u32),
        }

        impl DuckErrorType {
            pub(crate) fn from_code(code: u32) -> Self {
                match code {
                    $(libduckdb_sys::$code => DuckErrorType::$class,)*
                    _ => DuckErrorType::Other(code),
                }
            }
        }
    };
}

duck_error_types! {
    Invalid = duckdb_error_type_DUCKDB_ERROR_INVALID,
    OutOfRange = duckdb_error_type_DUCKDB_ERROR_OUT_OF_RANGE,
    Conversion = duckdb_error_type_DUCKDB_ERROR_CONVERSION,
    UnknownType = duckdb_error_type_DUCKDB_ERROR_UNKNOWN_TYPE,
    Decimal = duckdb_error_type_DUCKDB_ERROR_DECIMAL,
    MismatchType = duckdb_error_type_DUCKDB_ERROR_MISMATCH_TYPE,
    DivideByZero = duckdb_error_type_DUCKDB_ERROR_DIVIDE_BY_ZERO,
    ObjectSize = duckdb_error_type_DUCKDB_ERROR_OBJECT_SIZE,
    InvalidType = duckdb_error_type_DUCKDB_ERROR_INVALID_TYPE,
    Serialization = duckdb_error_type_DUCKDB_ERROR_SERIALIZATION,
    Transaction = duckdb_error_type_DUCKDB_ERROR_TRANSACTION,
    NotImplemented = duckdb_error_type_DUCKDB_ERROR_NOT_IMPLEMENTED,
    Expression = duckdb_error_type_DUCKDB_ERROR_EXPRESSION,
    Catalog = duckdb_error_type_DUCKDB_ERROR_CATALOG,
    Parser = duckdb_error_type_DUCKDB_ERROR_PARSER,
    Planner = duckdb_error_type_DUCKDB_ERROR_PLANNER,
    Scheduler = duckdb_error_type_DUCKDB_ERROR_SCHEDULER,
    Executor = duckdb_error_type_DUCKDB_ERROR_EXECUTOR,
    Constraint = duckdb_error_type_DUCKDB_ERROR_CONSTRAINT,
    Index = duckdb_error_type_DUCKDB_ERROR_INDEX,
    Stat = duckdb_error_type_DUCKDB_ERROR_STAT,
    Connection = duckdb_error_type_DUCKDB_ERROR_CONNECTION,
    Syntax = duckdb_error_type_DUCKDB_ERROR_SYNTAX,
    Settings = duckdb_error_type_DUCKDB_ERROR_SETTINGS,
    Binder = duckdb_error_type_DUCKDB_ERROR_BINDER,
    Network = duckdb_error_type_DUCKDB_ERROR_NETWORK,
    Optimizer = duckdb_error_type_DUCKDB_ERROR_OPTIMIZER,
    NullPointer = duckdb_error_type_DUCKDB_ERROR_NULL_POINTER,
    Io = duckdb_error_type_DUCKDB_ERROR_IO,
    Interrupt = duckdb_error_type_DUCKDB_ERROR_INTERRUPT,
    Fatal = duckdb_error_type_DUCKDB_ERROR_FATAL,
    Internal = duckdb_error_type_DUCKDB_ERROR_INTERNAL,
    InvalidInput = duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT,
    OutOfMemory = duckdb_error_type_DUCKDB_ERROR_OUT_OF_MEMORY,
    Permission = duckdb_error_type_DUCKDB_ERROR_PERMISSION,
    ParameterNotResolved = duckdb_error_type_DUCKDB_ERROR_PARAMETER_NOT_RESOLVED,
    ParameterNotAllowed = duckdb_error_type_DUCKDB_ERROR_PARAMETER_NOT_ALLOWED,
    Dependency = duckdb_error_type_DUCKDB_ERROR_DEPENDENCY,
    Http = duckdb_error_type_DUCKDB_ERROR_HTTP,
    MissingExtension = duckdb_error_type_DUCKDB_ERROR_MISSING_EXTENSION,
    Autoload = duckdb_error_type_DUCKDB_ERROR_AUTOLOAD,
    Sequence = duckdb_error_type_DUCKDB_ERROR_SEQUENCE,
    DataCorruption = duckdb_error_type_DUCKDB_ERROR_DATA_CORRUPTION,
    InvalidConfiguration = duckdb_error_type_DUCKDB_INVALID_CONFIGURATION,
    ResourceInUse = duckdb_error_type_DUCKDB_ERROR_RESOURCE_IN_USE,
}

/// An error reported by DuckDB: its class and its message, verbatim (including
/// the `LINE 1: ...` excerpt and caret DuckDB adds to parser and binder errors),
/// followed by what to do where DuckDB's message leaves that open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuckDbError {
    kind: DuckErrorType,
    message: String,
    script_statement: Option<ScriptStatement>,
    /// Of a script, the failed statement's own text, when known.
    statement_sql: Option<String>,
}

/// Which statement of a script failed (see [`DuckDbError::script_statement`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptStatement {
    /// The failed statement's position in the script, counting from 0.
    pub index: usize,
    /// How many statements the script has.
    pub count: usize,
}

/// What to do about errors whose messages DuckDB words for another setting:
/// `(what such messages say, the hint)`.
const HINTS: &[(&[&str], &str)] = &[
    (
        &["Cannot prepare multiple statements at once"],
        " Run a script of several statements with `execute_batch`, or one statement per query.",
    ),
    (
        &["attached in read-only mode", "Cannot append to a readonly database"],
        "\n  The database named there is read-only: the pool's own, opened with `PoolOptions::access_mode` or \
         `?access_mode=read_only` in the URL, or one attached with `(READ_ONLY)`. Open or attach it read-write to \
         change it.",
    ),
    (
        &["Cannot create index with outstanding updates"],
        "\n  DuckDB cannot add a constraint or an index to a table in the transaction that updated it: commit \
         the UPDATE first. A migration runs in one transaction: put the UPDATE in one migration and the ALTER \
         (SET NOT NULL, a key, an index) in the next.",
    ),
    (
        &["Failed to attach database: database with name"],
        "\n  An attached database belongs to the whole DuckDB instance: every connection of a pool, and every pool \
         on the same file in this process, sees it. Attach it once, or write `ATTACH IF NOT EXISTS` (as an \
         `after_connect` hook, which runs on each new connection, must).",
    ),
    (
        &["in read-only mode: database does not exist"],
        "\n  DuckDB opens a database file read-only only where it exists. Read-only are a pool opened with \
         `access_mode=read_only`, and a file a migration attaches while the macros check queries or for a \
         `#[andamios::test]`: these never create or change a file, and read a relative path from the folder the \
         compiler runs in (the workspace's root) or the test does (the crate's).",
    ),
    (
        &["can only write to a single attached database"],
        "\n  A DuckDB transaction writes to one database: commit what it wrote to one before writing to \
         another. A migration runs in one transaction that records it in the pool's database, so it cannot \
         write to an attached one: change that database from a pool of its own, opened on its file.",
    ),
    (
        &["Cannot detach database"],
        "\n  A database a transaction read from stays attached until it ends; in a migration, which runs in \
         one transaction, leave the DETACH out: the database stays attached until the pool closes.",
    ),
    (
        &["Cannot CHECKPOINT", "Cannot FORCE CHECKPOINT"],
        "\n  A checkpoint runs outside a transaction only (and each migration runs in one): run it on its own \
         (`pool.execute_batch(\"CHECKPOINT\")`), or leave it to DuckDB, which checkpoints by itself as its \
         write-ahead log grows.",
    ),
    (
        &["extension \"json\"", "extension 'json"],
        "\n  Andamios' DuckDB has the JSON extension compiled in: there is nothing to install or load.",
    ),
    (
        &["Out of Memory Error"],
        "\n  A pool sets them for its database with `PoolOptions::memory_limit` and `threads` (or \
         `?memory_limit=4GB&threads=2` in the URL). DuckDB spills large sorts, joins and aggregates to its \
         `temp_directory` (`<database file>.tmp`, or `.tmp` in the working folder for an in-memory database); \
         what it cannot spill must fit the limit.",
    ),
    (
        &["extension 'parquet", "extension \"parquet\"", "exists in the parquet extension"],
        "\n  Andamios compiles DuckDB's Parquet extension in with its `parquet` feature \
         (`andamios = { version = \"...\", features = [\"parquet\"] }`): nothing to download.",
    ),
    (
        &[
            "extension 'icu",
            "the icu extension needs to be loaded",
            "(TIMESTAMP WITH TIME ZONE, INTERVAL)",
            "(INTERVAL, TIMESTAMP WITH TIME ZONE)",
        ],
        "\n  The bundled DuckDB has no ICU extension (time zones and their arithmetic), so it works in UTC: \
         leave out the `TimeZone` and `Calendar` settings, use `now()::TIMESTAMP` (UTC) and \
         `now()::TIMESTAMP::DATE` instead of `current_date` or `today()`, and TIMESTAMP rather than TIMESTAMPTZ \
         arithmetic.",
    ),
];

impl DuckDbError {
    /// An error of `kind` with `message`.
    pub fn new(kind: DuckErrorType, message: impl Into<String>) -> Self {
        let mut message = message.into();
        let hint = HINTS.iter().find(|(says, _)| says.iter().any(|said| message.contains(said)));
        // Once: a message wrapped in another (with context) has it already.
        if let Some((_, hint)) = hint.filter(|(_, hint)| !message.contains(hint)) {
            message.push_str(hint);
        }
        DuckDbError { kind, message, script_statement: None, statement_sql: None }
    }

    /// The same error, raised by statement `index` of a script of `count`,
    /// whose text is `sql` where it is known.
    pub fn in_script(self, index: usize, count: usize, sql: Option<&str>) -> Self {
        let script_statement = Some(ScriptStatement { index, count });
        DuckDbError { script_statement, statement_sql: sql.map(str::to_owned), ..self }
    }

    /// For an error that a statement of a script raised, which one it was.
    pub fn script_statement(&self) -> Option<ScriptStatement> {
        self.script_statement
    }

    /// For an error that a statement of a script raised, that statement's
    /// text, where it is known.
    pub fn statement_sql(&self) -> Option<&str> {
        self.statement_sql.as_deref()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_their_classes() {
        assert_eq!(
            DuckErrorType::from_code(libduckdb_sys::duckdb_error_type_DUCKDB_ERROR_INVALID),
            DuckErrorType::Invalid
        );
        assert_eq!(
            DuckErrorType::from_code(libduckdb_sys::duckdb_error_type_DUCKDB_ERROR_CONSTRAINT),
            DuckErrorType::Constraint
        );
        assert_eq!(
            DuckErrorType::from_code(libduckdb_sys::duckdb_error_type_DUCKDB_ERROR_RESOURCE_IN_USE),
            DuckErrorType::ResourceInUse
        );
        assert_eq!(DuckErrorType::from_code(1000), DuckErrorType::Other(1000));
    }

    #[test]
    fn messages_that_leave_the_next_step_open_get_a_hint() {
        let icu = DuckDbError::new(
            DuckErrorType::Autoload,
            "Extension Autoloading Error: An error occurred while trying to automatically install the required extension 'icu:",
        );
        assert!(icu.message().contains("now()::TIMESTAMP::DATE"), "{icu}");
        let plus = DuckDbError::new(
            DuckErrorType::Binder,
            "Binder Error: No function matches the given name and argument types '+(TIMESTAMP WITH TIME ZONE, INTERVAL)'.",
        );
        assert!(plus.message().contains("no ICU extension"), "{plus}");
        let time_zone = DuckDbError::new(
            DuckErrorType::InvalidInput,
            "Invalid Input Error: To set the \"TimeZone\" setting, the icu extension needs to be loaded. But it could not be autoloaded.",
        );
        assert!(time_zone.message().contains("leave out the `TimeZone` and `Calendar` settings"), "{time_zone}");
        let outstanding = DuckDbError::new(
            DuckErrorType::Transaction,
            "TransactionContext Error: Cannot create index with outstanding updates",
        );
        assert!(outstanding.message().contains("commit the UPDATE first"), "{outstanding}");
        let read_only = DuckDbError::new(
            DuckErrorType::InvalidInput,
            "Invalid Input Error: Cannot execute statement of type \"EXECUTE\" on database \"ro\" which is attached in read-only mode!",
        );
        assert!(read_only.message().contains("Open or attach it read-write"), "{read_only}");
        let wrapped = DuckDbError::new(read_only.kind(), format!("cannot append to `t`: {}", read_only.message()));
        assert_eq!(wrapped.message().matches("Open or attach it read-write").count(), 1, "{wrapped}");
        let attached = DuckDbError::new(
            DuckErrorType::Binder,
            "Binder Error: Failed to attach database: database with name \"o\" already exists",
        );
        assert!(attached.message().contains("`ATTACH IF NOT EXISTS`"), "{attached}");
        let parquet = DuckDbError::new(
            DuckErrorType::Autoload,
            "Extension Autoloading Error: An error occurred while trying to automatically install the required extension 'parquet:\nFailed to download extension \"parquet\"",
        );
        assert!(parquet.message().ends_with("features = [\"parquet\"] }`): nothing to download."), "{parquet}");
        let memory = DuckDbError::new(
            DuckErrorType::OutOfMemory,
            "Out of Memory Error: failed to pin block of size 256.0 KiB (28.4 MiB/28.6 MiB used)",
        );
        assert!(memory.message().contains("`PoolOptions::memory_limit` and `threads`"), "{memory}");
        let json = DuckDbError::new(
            DuckErrorType::Io,
            "IO Error: Failed to download extension \"json\" at URL \"http://extensions.duckdb.org/v2.0.0/linux_amd64/json.duckdb_extension.gz\"\nExtension \"json\" is an existing extension.",
        );
        assert!(json.message().ends_with("nothing to install or load."), "{json}");
        let plain = DuckDbError::new(DuckErrorType::Binder, "Binder Error: no such column");
        assert_eq!(plain.message(), "Binder Error: no such column");
    }
}
