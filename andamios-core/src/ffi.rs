//! The DuckDB C-API layer: the one module of Andamios with `unsafe` code.
//!
//! Every handle DuckDB gives out is owned by exactly one Rust value here and
//! released in its `Drop`. Readers and writers of data chunks check types and
//! bounds before they touch memory, so the rest of the project stays safe.
//!
//! Threading: a [`Database`] is shared by all its connections (`Send + Sync`,
//! DuckDB synchronises it internally). A [`Connection`] and its statements are
//! `Send` but not `Sync`: one thread uses them at a time. An
//! [`InterruptHandle`] may be used from any thread.

#[cfg(test)]
use crate::ScriptStatement;
use crate::{Decimal, DuckDbError, DuckErrorType, DuckType, StatementKind, Value};
use libduckdb_sys as sys;
use std::collections::HashMap;
use std::ffi::{c_char, CStr, CString};
use std::marker::PhantomData;
use std::ops::Range;
use std::ptr;
use std::sync::{Arc, LazyLock, OnceLock};

/// Rows in a full DuckDB data chunk (`STANDARD_VECTOR_SIZE`).
pub fn vector_size() -> usize {
    // SAFETY: a pure function of the library's build configuration.
    unsafe { sys::duckdb_vector_size() as usize }
}

/// The error of a script stopped before statement `index` of `count`.
fn stop_if_cancelled(cancelled: impl Fn() -> bool, index: usize, count: usize) -> Result<(), DuckDbError> {
    if !cancelled() {
        return Ok(());
    }
    let e = DuckDbError::new(
        DuckErrorType::Interrupt,
        "INTERRUPT Error: the script was cancelled before this statement, which did not run",
    );
    Err(e.in_script(index, count, None))
}

fn c_string(text: &str, what: &str) -> Result<CString, DuckDbError> {
    CString::new(text).map_err(|_| {
        DuckDbError::new(DuckErrorType::InvalidInput, format!("{what} contains a NUL byte, which DuckDB cannot accept"))
    })
}

/// Copies a C string DuckDB owns into a `String`.
///
/// # Safety
/// `text` is null or points to a NUL-terminated string valid for this call.
unsafe fn borrowed_string(text: *const c_char) -> String {
    if text.is_null() {
        return String::new();
    }
    // SAFETY: non-null and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(text) }.to_string_lossy().into_owned()
}

/// Copies and frees a C string DuckDB allocated for the caller.
///
/// # Safety
/// `text` is null or was allocated by DuckDB and is owned by the caller.
unsafe fn owned_string(text: *mut c_char) -> String {
    // SAFETY: see the function's contract.
    let s = unsafe { borrowed_string(text) };
    if !text.is_null() {
        // SAFETY: DuckDB allocated it and ownership passed to us.
        unsafe { sys::duckdb_free(text.cast()) };
    }
    s
}

/// Settings for opening a database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Open the file read-only (several processes may then read it).
    pub read_only: bool,
    /// Worker threads DuckDB may use (`threads` setting).
    pub threads: Option<usize>,
    /// Memory limit, as DuckDB spells it (`"2GB"`).
    pub memory_limit: Option<String>,
    /// Other DuckDB settings, by name.
    pub settings: Vec<(String, String)>,
}

/// An open DuckDB database instance (a file or `:memory:`).
#[derive(Debug)]
pub struct Database {
    raw: sys::duckdb_database,
    /// The database file, as an absolute path (`None` in memory).
    file: Option<std::path::PathBuf>,
}

// SAFETY: a duckdb_database is an instance handle that DuckDB synchronises
// internally; connecting from several threads is its documented use.
unsafe impl Send for Database {}
// SAFETY: as above; `&Database` only allows `connect`, which is thread-safe.
unsafe impl Sync for Database {}

/// DuckDB's cache of open databases, one for the whole process: opening a
/// file that is already open returns the instance that has it. Two
/// instances on one file would each keep their own buffers and write-ahead
/// log, and one's checkpoint would silently discard the other's commits.
/// (`:memory:` is never cached: each open is a new database.) The cache
/// holds weak references, so a database still closes with its last handle.
struct InstanceCache(sys::duckdb_instance_cache);

// SAFETY: DuckDB guards the cache with a mutex of its own and documents
// `duckdb_get_or_create_from_cache` for use from any thread.
unsafe impl Send for InstanceCache {}
// SAFETY: as above; the handle itself is never written after creation.
unsafe impl Sync for InstanceCache {}

fn instance_cache() -> &'static InstanceCache {
    static CACHE: OnceLock<InstanceCache> = OnceLock::new();
    // SAFETY: no arguments; the result is checked for null where it is used.
    // Never destroyed: it lives as long as the process.
    CACHE.get_or_init(|| InstanceCache(unsafe { sys::duckdb_create_instance_cache() }))
}

struct Config(sys::duckdb_config);

impl Drop for Config {
    fn drop(&mut self) {
        // SAFETY: created by duckdb_create_config and destroyed once.
        unsafe { sys::duckdb_destroy_config(&mut self.0) };
    }
}

impl Database {
    /// Opens `path` (`":memory:"` or empty for an in-memory database).
    ///
    /// A file this process already has open is not opened a second time:
    /// the new handle shares the open instance, which requires the same
    /// options (an error says so otherwise).
    pub fn open(path: &str, options: &OpenOptions) -> Result<Arc<Database>, DuckDbError> {
        let c_path = c_string(path, "the database path")?;
        let mut config = Config(ptr::null_mut());
        // SAFETY: out-pointer to a local; checked for failure below.
        if unsafe { sys::duckdb_create_config(&mut config.0) } != sys::DuckDBSuccess {
            return Err(DuckDbError::new(DuckErrorType::OutOfMemory, "DuckDB could not allocate a configuration"));
        }
        let mut settings: Vec<(String, String)> = Vec::new();
        if options.read_only {
            settings.push(("access_mode".into(), "READ_ONLY".into()));
        }
        if let Some(threads) = options.threads {
            settings.push(("threads".into(), threads.to_string()));
        }
        if let Some(limit) = &options.memory_limit {
            settings.push(("memory_limit".into(), limit.clone()));
        }
        settings.extend(options.settings.iter().cloned());
        for (name, value) in &settings {
            let c_name = c_string(name, "a setting name")?;
            let c_value = c_string(value, "a setting value")?;
            // SAFETY: valid config and NUL-terminated strings that outlive the call.
            if unsafe { sys::duckdb_set_config(config.0, c_name.as_ptr(), c_value.as_ptr()) } != sys::DuckDBSuccess {
                return Err(DuckDbError::new(
                    DuckErrorType::Settings,
                    format!(
                        "DuckDB rejected the setting {name} = '{value}' when opening the database; check the \
                         name and value against `SELECT name, scope FROM duckdb_settings()` (a setting of \
                         scope LOCAL applies to one connection: run `SET {name} = ...` on each connection)"
                    ),
                ));
            }
        }
        let cache = instance_cache();
        if cache.0.is_null() {
            return Err(DuckDbError::new(DuckErrorType::OutOfMemory, "DuckDB could not allocate its instance cache"));
        }
        let mut raw = ptr::null_mut();
        let mut error: *mut c_char = ptr::null_mut();
        // SAFETY: a live cache, valid path, out-pointers and config (DuckDB
        // copies the config); the error string, if any, is ours to free
        // (owned_string does).
        let state =
            unsafe { sys::duckdb_get_or_create_from_cache(cache.0, c_path.as_ptr(), &mut raw, config.0, &mut error) };
        // SAFETY: `error` is null or allocated by DuckDB for us.
        let message = unsafe { owned_string(error) };
        if state != sys::DuckDBSuccess {
            let kind = if message.contains("lock") { DuckErrorType::Io } else { DuckErrorType::Connection };
            let hint = open_failure_hint(path, &message);
            return Err(DuckDbError::new(kind, format!("could not open DuckDB database '{path}': {message}{hint}")));
        }
        // Opened, a file exists: its absolute path names the instance.
        let file = (path != ":memory:" && !path.is_empty()).then(|| std::fs::canonicalize(path).ok()).flatten();
        Ok(Arc::new(Database { raw, file }))
    }

    /// The database file, as an absolute path; `None` for a database in
    /// memory. Handles opened on one file share its instance (see
    /// [`Database::open`]) and have the same path.
    pub fn file(&self) -> Option<&std::path::Path> {
        self.file.as_deref()
    }

    /// Opens a new connection to this database.
    pub fn connect(self: &Arc<Self>) -> Result<Connection, DuckDbError> {
        let mut raw = ptr::null_mut();
        // SAFETY: self.raw is an open database; out-pointer to a local.
        if unsafe { sys::duckdb_connect(self.raw, &mut raw) } != sys::DuckDBSuccess {
            return Err(DuckDbError::new(DuckErrorType::Connection, "DuckDB refused a new connection"));
        }
        Ok(Connection {
            statements: HashMap::new(),
            uses: 0,
            raw: Arc::new(RawConnection { raw, _db: Arc::clone(self) }),
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // SAFETY: opened by duckdb_get_or_create_from_cache; connections hold
        // an Arc to us, so none is alive any more. Closing releases this
        // handle; the instance closes with the last handle on it.
        unsafe { sys::duckdb_close(&mut self.raw) };
    }
}

#[derive(Debug)]
struct RawConnection {
    raw: sys::duckdb_connection,
    _db: Arc<Database>,
}

// SAFETY: the handle is used by one thread at a time (Connection is not Sync)
// except for duckdb_interrupt, which DuckDB allows from any thread.
unsafe impl Send for RawConnection {}
// SAFETY: shared references only reach duckdb_interrupt (InterruptHandle).
unsafe impl Sync for RawConnection {}

impl Drop for RawConnection {
    fn drop(&mut self) {
        // SAFETY: connected by duckdb_connect, disconnected once, after every
        // statement of the connection (Connection drops its cache first).
        unsafe { sys::duckdb_disconnect(&mut self.raw) };
    }
}

/// Interrupts the query running on a connection, from any thread.
#[derive(Debug, Clone)]
pub struct InterruptHandle {
    conn: Arc<RawConnection>,
}

impl InterruptHandle {
    /// Asks DuckDB to stop the connection's running query; it then fails
    /// with an `Interrupt` error.
    pub fn interrupt(&self) {
        // SAFETY: the connection is alive (we hold an Arc) and duckdb_interrupt
        // only sets an atomic flag on its client context.
        unsafe { sys::duckdb_interrupt(self.conn.raw) };
    }
}

/// A connection, with its cache of prepared statements.
#[derive(Debug)]
pub struct Connection {
    // Declared before `raw` so that statements are destroyed before the
    // connection they belong to is disconnected.
    statements: HashMap<String, CachedStatement>,
    /// Counts uses of cached statements, to find the least recent one.
    uses: u64,
    raw: Arc<RawConnection>,
}

/// A prepared statement in a connection's cache, with when it was last used.
#[derive(Debug)]
struct CachedStatement {
    stmt: Statement,
    last_used: u64,
}

/// The type of a UNION vector's first child, which holds each row's member
/// number.
static UNION_TAG: DuckType = DuckType::UTinyInt;

/// The parts a VARIANT vector is stored as, its children in DuckDB's order
/// (`LogicalType::VARIANT`): the keys of its objects; the children of its
/// objects and arrays (a key's and a value's index each); each value's type
/// and where its bytes start; and the bytes. A row's first value is its root.
static VARIANT_PARTS: LazyLock<[DuckType; 4]> = LazyLock::new(|| {
    let pair = |a: &str, a_ty, b: &str, b_ty| DuckType::Struct { fields: vec![(a.into(), a_ty), (b.into(), b_ty)] };
    [
        DuckType::list(DuckType::Varchar),
        DuckType::list(pair("keys_index", DuckType::UInteger, "values_index", DuckType::UInteger)),
        DuckType::list(pair("type_id", DuckType::UTinyInt, "byte_offset", DuckType::UInteger)),
        DuckType::Blob,
    ]
});

/// How many prepared statements a connection keeps.
const STATEMENT_CACHE_CAPACITY: usize = 256;

impl Connection {
    /// A handle that can interrupt this connection's queries from another thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle { conn: Arc::clone(&self.raw) }
    }

    /// Runs one or more `;`-separated statements in order, discarding
    /// their results.
    ///
    /// The whole script is parsed first, so a syntax error anywhere in it
    /// runs none of it. The first statement that fails stops the script;
    /// its error says which statement it was
    /// ([`DuckDbError::script_statement`]). Those before it ran.
    pub fn execute_batch(&self, sql: &str) -> Result<(), DuckDbError> {
        self.execute_batch_unless(sql, || false)
    }

    /// [`execute_batch`](Self::execute_batch), stopping before the next
    /// statement once `cancelled` says so, with an
    /// [`DuckErrorType::Interrupt`] error. [`InterruptHandle::interrupt`]
    /// stops the statement that runs, but not the script: DuckDB forgets an
    /// interrupt that comes between two statements.
    pub fn execute_batch_unless(&self, sql: &str, cancelled: impl Fn() -> bool) -> Result<(), DuckDbError> {
        let script = ExtractedStatements::parse(self, sql)?;
        let texts = crate::script::statements(sql);
        if texts.len() == script.count {
            // Each statement's own text, which DuckDB parses again: measured
            // as fast as the whole script in one `duckdb_query`, where
            // running the statements parsed above (prepare, then execute)
            // took 40% longer (3,000 one-row INSERTs: 2.0 against 2.9 s).
            for (index, text) in texts.into_iter().enumerate() {
                stop_if_cancelled(&cancelled, index, script.count)?;
                self.run_discarding(text).map_err(|e| e.in_script(index, script.count, Some(text)))?;
            }
        } else {
            // The text splits otherwise than DuckDB's parser reads it (SQL
            // this version does not foresee): the statements parsed above.
            self.run_parsed(&script, cancelled)?;
        }
        Ok(())
    }

    /// Runs the statements of `script`, parsed on this connection, in order,
    /// unless `cancelled`.
    fn run_parsed(&self, script: &ExtractedStatements, cancelled: impl Fn() -> bool) -> Result<(), DuckDbError> {
        for index in 0..script.count {
            stop_if_cancelled(&cancelled, index, script.count)?;
            script
                .prepare(self, index)
                .and_then(|mut stmt| stmt.execute(false).map(drop))
                .map_err(|e| e.in_script(index, script.count, None))?;
        }
        Ok(())
    }

    /// Runs `sql` (one statement, or a script DuckDB runs whole), discarding
    /// its result.
    fn run_discarding(&self, sql: &str) -> Result<(), DuckDbError> {
        let c_sql = c_string(sql, "the SQL text")?;
        let mut result = QueryResult::empty();
        // SAFETY: open connection, NUL-terminated SQL, out-pointer to a result
        // that QueryResult destroys whatever the outcome.
        let state = unsafe { sys::duckdb_query(self.raw.raw, c_sql.as_ptr(), &mut result.raw) };
        if state != sys::DuckDBSuccess {
            return Err(result.error());
        }
        Ok(())
    }

    /// Prepares one statement.
    pub fn prepare(&self, sql: &str) -> Result<Statement, DuckDbError> {
        let c_sql = c_string(sql, "the SQL text")?;
        let mut raw = ptr::null_mut();
        // SAFETY: open connection; DuckDB always sets `raw`, even on failure,
        // and Statement's Drop destroys it.
        let state = unsafe { sys::duckdb_prepare(self.raw.raw, c_sql.as_ptr(), &mut raw) };
        let stmt = Statement::prepared(raw, state, self)?;
        if let Some(problem) = numbering_problem(&stmt.param_names()) {
            return Err(DuckDbError::new(DuckErrorType::InvalidInput, problem));
        }
        Ok(stmt)
    }

    /// Counts the statements in `sql` as DuckDB's parser splits them.
    pub fn count_statements(&self, sql: &str) -> Result<usize, DuckDbError> {
        Ok(ExtractedStatements::parse(self, sql)?.count)
    }

    /// The cached prepared statement for `sql`, preparing it on first use.
    /// A full cache makes room by dropping its least recently used
    /// statement: SQL built at run time (many distinct texts) does not
    /// push out the statements an application runs all the time.
    pub fn prepare_cached(&mut self, sql: &str) -> Result<&mut Statement, DuckDbError> {
        self.uses += 1;
        if !self.statements.contains_key(sql) {
            let stmt = self.prepare(sql)?;
            if self.statements.len() >= STATEMENT_CACHE_CAPACITY {
                let oldest = self.statements.iter().min_by_key(|(_, cached)| cached.last_used).map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    self.statements.remove(&oldest);
                }
            }
            self.statements.insert(sql.to_owned(), CachedStatement { stmt, last_used: 0 });
        }
        let cached = self.statements.get_mut(sql).expect("inserted above");
        cached.last_used = self.uses;
        Ok(&mut cached.stmt)
    }

    /// Drops every cached prepared statement (after a schema change).
    pub fn clear_statement_cache(&mut self) {
        self.statements.clear();
    }

    /// An appender that adds rows to `table`, in `schema` of `catalog` (the
    /// default ones where `None`).
    pub fn appender(&self, catalog: Option<&str>, schema: Option<&str>, table: &str) -> Result<Appender, DuckDbError> {
        let c_table = c_string(table, "the table name")?;
        let c_schema = schema.map(|s| c_string(s, "the schema name")).transpose()?;
        let c_catalog = catalog.map(|c| c_string(c, "the catalog name")).transpose()?;
        let mut raw = ptr::null_mut();
        // SAFETY: open connection, NUL-terminated names (catalog and schema
        // may be null); DuckDB sets `raw` even on failure and Appender's Drop
        // destroys it.
        let state = unsafe {
            sys::duckdb_appender_create_ext(
                self.raw.raw,
                c_catalog.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
                c_schema.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
                c_table.as_ptr(),
                &mut raw,
            )
        };
        let mut appender = Appender { raw, types: Vec::new(), conn: Arc::clone(&self.raw) };
        if state != sys::DuckDBSuccess {
            return Err(appender.error());
        }
        appender.read_column_types();
        Ok(appender)
    }
}

/// What to do about a database that would not open, from DuckDB's message.
fn open_failure_hint(path: &str, message: &str) -> String {
    if message.contains("different configuration") {
        "\n  this process already has the file open with other options (access mode, threads, memory_limit or \
         settings), and DuckDB opens a file once per process: open it with the same options, or share the pool \
         that has it"
            .to_owned()
    } else if message.contains("Conflicting lock") {
        "\n  another process has the file open: DuckDB lets one process open a file to write, or several to only \
         read; close it there, or open it with `access_mode=read_only` in every process"
            .to_owned()
    } else if message.contains("options were not recognized") {
        "\n  a URL's `?name=value` pairs and `PoolOptions::setting` are DuckDB settings: see `SELECT name, \
         description FROM duckdb_settings()`"
            .to_owned()
    } else if message.contains("Is a directory") {
        format!(
            "\n  '{path}' is a folder: name the database file in it, `duckdb:{}`",
            std::path::Path::new(path).join("app.duckdb").display()
        )
    } else if message.contains("No such file or directory") {
        match std::path::Path::new(path).parent().filter(|dir| !dir.as_os_str().is_empty() && !dir.exists()) {
            Some(dir) => format!(
                "\n  the folder '{}' does not exist: DuckDB creates the database file, but not its folders",
                dir.display()
            ),
            None => String::new(),
        }
    } else {
        String::new()
    }
}

fn classify_message(message: &str) -> DuckErrorType {
    let prefix = message.split(':').next().unwrap_or("");
    match prefix {
        "Parser Error" => DuckErrorType::Parser,
        "Syntax Error" => DuckErrorType::Syntax,
        "Binder Error" => DuckErrorType::Binder,
        "Catalog Error" => DuckErrorType::Catalog,
        "Conversion Error" => DuckErrorType::Conversion,
        "Constraint Error" => DuckErrorType::Constraint,
        "Invalid Input Error" => DuckErrorType::InvalidInput,
        "Not implemented Error" => DuckErrorType::NotImplemented,
        "Transaction Error" | "TransactionContext Error" => DuckErrorType::Transaction,
        _ => DuckErrorType::Invalid,
    }
}

/// An owned `duckdb_logical_type`.
struct LogicalType(sys::duckdb_logical_type);

impl Drop for LogicalType {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: owned handle, destroyed once.
            unsafe { sys::duckdb_destroy_logical_type(&mut self.0) };
        }
    }
}

impl LogicalType {
    /// Describes the type fully, recursing into nested types.
    fn describe(&self) -> DuckType {
        if self.0.is_null() {
            return DuckType::Unknown;
        }
        let raw = self.0;
        // SAFETY (all calls below): `raw` is a valid logical type for the
        // duration of this function; child types returned by DuckDB are owned
        // by us and wrapped in LogicalType so they are destroyed; strings
        // returned by the dictionary/name functions are ours to free.
        let id = unsafe { sys::duckdb_get_type_id(raw) };
        let alias = unsafe { owned_string(sys::duckdb_logical_type_get_alias(raw)) };
        match id {
            sys::DUCKDB_TYPE_DUCKDB_TYPE_INVALID => DuckType::Unknown,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN => DuckType::Boolean,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TINYINT => DuckType::TinyInt,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT => DuckType::SmallInt,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER => DuckType::Integer,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT => DuckType::BigInt,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT => DuckType::HugeInt,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT => DuckType::UTinyInt,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT => DuckType::USmallInt,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER => DuckType::UInteger,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT => DuckType::UBigInt,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT => DuckType::UHugeInt,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_FLOAT => DuckType::Float,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE => DuckType::Double,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR if alias.eq_ignore_ascii_case("json") => DuckType::Json,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => DuckType::Varchar,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_BLOB => DuckType::Blob,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_BIT => DuckType::Bit,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_BIGNUM => DuckType::BigNum,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_DATE => DuckType::Date,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIME => DuckType::Time,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIME_NS => DuckType::TimeNs,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIME_TZ => DuckType::TimeTz,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP => DuckType::Timestamp,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_S => DuckType::TimestampS,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_MS => DuckType::TimestampMs,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_NS => DuckType::TimestampNs,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ => DuckType::TimestampTz,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ_NS => DuckType::TimestampTzNs,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_GEOMETRY => DuckType::Geometry,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_VARIANT => DuckType::Variant,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_INTERVAL => DuckType::Interval,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_UUID => DuckType::Uuid,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_SQLNULL => DuckType::Null,
            sys::DUCKDB_TYPE_DUCKDB_TYPE_DECIMAL => DuckType::Decimal {
                width: unsafe { sys::duckdb_decimal_width(raw) },
                scale: unsafe { sys::duckdb_decimal_scale(raw) },
            },
            sys::DUCKDB_TYPE_DUCKDB_TYPE_ENUM => {
                let size = unsafe { sys::duckdb_enum_dictionary_size(raw) };
                let members = (0..u64::from(size))
                    .map(|i| unsafe { owned_string(sys::duckdb_enum_dictionary_value(raw, i)) })
                    .collect();
                DuckType::Enum { members }
            }
            sys::DUCKDB_TYPE_DUCKDB_TYPE_LIST => {
                let child = LogicalType(unsafe { sys::duckdb_list_type_child_type(raw) });
                DuckType::list(child.describe())
            }
            sys::DUCKDB_TYPE_DUCKDB_TYPE_ARRAY => {
                let child = LogicalType(unsafe { sys::duckdb_array_type_child_type(raw) });
                let size = unsafe { sys::duckdb_array_type_array_size(raw) } as usize;
                DuckType::Array { element: Box::new(child.describe()), size }
            }
            sys::DUCKDB_TYPE_DUCKDB_TYPE_MAP => {
                let key = LogicalType(unsafe { sys::duckdb_map_type_key_type(raw) });
                let value = LogicalType(unsafe { sys::duckdb_map_type_value_type(raw) });
                DuckType::Map { key: Box::new(key.describe()), value: Box::new(value.describe()) }
            }
            sys::DUCKDB_TYPE_DUCKDB_TYPE_STRUCT => {
                let count = unsafe { sys::duckdb_struct_type_child_count(raw) };
                let fields = (0..count)
                    .map(|i| {
                        let name = unsafe { owned_string(sys::duckdb_struct_type_child_name(raw, i)) };
                        let ty = LogicalType(unsafe { sys::duckdb_struct_type_child_type(raw, i) });
                        (name, ty.describe())
                    })
                    .collect();
                DuckType::Struct { fields }
            }
            sys::DUCKDB_TYPE_DUCKDB_TYPE_UNION => {
                let count = unsafe { sys::duckdb_union_type_member_count(raw) };
                let members = (0..count)
                    .map(|i| {
                        let name = unsafe { owned_string(sys::duckdb_union_type_member_name(raw, i)) };
                        let ty = LogicalType(unsafe { sys::duckdb_union_type_member_type(raw, i) });
                        (name, ty.describe())
                    })
                    .collect();
                DuckType::Union { members }
            }
            other => DuckType::Other { id: other },
        }
    }

    /// A STRUCT or UNION type of the named `parts`, made by DuckDB's
    /// `make` (`duckdb_create_struct_type` or `duckdb_create_union_type`).
    fn with_named_parts(
        parts: &[(String, DuckType)],
        what: &str,
        make: unsafe extern "C" fn(
            *mut sys::duckdb_logical_type,
            *mut *const std::os::raw::c_char,
            sys::idx_t,
        ) -> sys::duckdb_logical_type,
    ) -> Result<LogicalType, DuckDbError> {
        let types = parts.iter().map(|(_, t)| LogicalType::create(t)).collect::<Result<Vec<_>, _>>()?;
        let names = parts.iter().map(|(n, _)| c_string(n, what)).collect::<Result<Vec<_>, _>>()?;
        let mut raw_types: Vec<_> = types.iter().map(|t| t.0).collect();
        let mut raw_names: Vec<_> = names.iter().map(|n| n.as_ptr()).collect();
        // SAFETY: two arrays of `parts.len()` valid types and names that
        // outlive the call; DuckDB copies them.
        Ok(LogicalType(unsafe { make(raw_types.as_mut_ptr(), raw_names.as_mut_ptr(), parts.len() as u64) }))
    }

    /// DuckDB's JSON type: a VARCHAR named JSON, which its casts parse
    /// (where [`create`](Self::create) makes a plain VARCHAR of a JSON
    /// value, as it is bound and appended).
    fn json() -> Result<LogicalType, DuckDbError> {
        let ty = LogicalType::create(&DuckType::Varchar)?;
        let alias = c_string("JSON", "a type alias")?;
        // SAFETY: a valid type of ours and a NUL-terminated name DuckDB copies.
        unsafe { sys::duckdb_logical_type_set_alias(ty.0, alias.as_ptr()) };
        Ok(ty)
    }

    /// Builds a DuckDB logical type from a description.
    fn create(ty: &DuckType) -> Result<LogicalType, DuckDbError> {
        use DuckType as T;
        let simple = |id: sys::duckdb_type| {
            // SAFETY: creating a type from a plain id has no preconditions.
            LogicalType(unsafe { sys::duckdb_create_logical_type(id) })
        };
        Ok(match ty {
            T::Boolean => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN),
            T::TinyInt => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TINYINT),
            T::SmallInt => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT),
            T::Integer => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER),
            T::BigInt => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT),
            T::HugeInt => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT),
            T::UTinyInt => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT),
            T::USmallInt => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT),
            T::UInteger => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER),
            T::UBigInt => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT),
            T::UHugeInt => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT),
            T::Float => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_FLOAT),
            T::Double => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE),
            T::Varchar | T::Json => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR),
            T::Blob => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_BLOB),
            T::Date => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_DATE),
            T::Time => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIME),
            T::TimeNs => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIME_NS),
            T::TimeTz => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIME_TZ),
            T::Bit => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_BIT),
            T::BigNum => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_BIGNUM),
            T::Timestamp => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP),
            T::TimestampS => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_S),
            T::TimestampMs => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_MS),
            T::TimestampNs => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_NS),
            T::TimestampTz => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ),
            T::TimestampTzNs => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ_NS),
            T::Geometry => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_GEOMETRY),
            T::Interval => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_INTERVAL),
            T::Uuid => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_UUID),
            T::Null => simple(sys::DUCKDB_TYPE_DUCKDB_TYPE_SQLNULL),
            // SAFETY: width and scale are plain numbers DuckDB validates.
            T::Decimal { width, scale } => LogicalType(unsafe { sys::duckdb_create_decimal_type(*width, *scale) }),
            T::List { element } => {
                let child = LogicalType::create(element)?;
                // SAFETY: valid child type; DuckDB copies it.
                LogicalType(unsafe { sys::duckdb_create_list_type(child.0) })
            }
            T::Array { element, size } => {
                let child = LogicalType::create(element)?;
                // SAFETY: valid child type; DuckDB copies it.
                LogicalType(unsafe { sys::duckdb_create_array_type(child.0, *size as u64) })
            }
            T::Map { key, value } => {
                let k = LogicalType::create(key)?;
                let v = LogicalType::create(value)?;
                // SAFETY: valid key and value types; DuckDB copies them.
                LogicalType(unsafe { sys::duckdb_create_map_type(k.0, v.0) })
            }
            T::Struct { fields } => {
                LogicalType::with_named_parts(fields, "a struct field name", sys::duckdb_create_struct_type)?
            }
            T::Union { members } => {
                LogicalType::with_named_parts(members, "a union member name", sys::duckdb_create_union_type)?
            }
            T::Enum { members } => {
                let names = members.iter().map(|n| c_string(n, "an enum member")).collect::<Result<Vec<_>, _>>()?;
                let mut raw_names: Vec<_> = names.iter().map(|n| n.as_ptr()).collect();
                // SAFETY: an array of valid member names that outlives the call.
                LogicalType(unsafe { sys::duckdb_create_enum_type(raw_names.as_mut_ptr(), members.len() as u64) })
            }
            T::Variant => {
                return Err(DuckDbError::new(
                    DuckErrorType::NotImplemented,
                    "Andamios cannot create VARIANT values: bind a value of another type in a statement \
                     (`INSERT INTO t VALUES ($1)`), or append values (a `Value` keeps its own type) to a VARIANT \
                     column, and DuckDB casts them to VARIANT",
                ))
            }
            other => {
                return Err(DuckDbError::new(
                    DuckErrorType::NotImplemented,
                    format!("Andamios cannot create values of DuckDB type {other}"),
                ))
            }
        })
    }
}

/// The shape of a prepared statement, as DuckDB bound it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// Parameter types, in order (`Unknown` where DuckDB could not infer one).
    pub params: Vec<DuckType>,
    /// Parameter names (`"1"`, `"2"`, ... for positional parameters).
    pub param_names: Vec<String>,
    /// Result columns.
    pub columns: Vec<ColumnDescription>,
    /// What kind of statement this is.
    pub kind: StatementKind,
}

/// One result column of a prepared statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDescription {
    /// Column name (alias).
    pub name: String,
    /// Full logical type.
    pub ty: DuckType,
}

/// A prepared statement.
#[derive(Debug)]
pub struct Statement {
    raw: sys::duckdb_prepared_statement,
    _conn: Arc<RawConnection>,
    /// See [`Statement::last_row_count`].
    last_row_count: Option<usize>,
}

// SAFETY: used by one thread at a time (not Sync); DuckDB statements are not
// tied to the thread that created them.
unsafe impl Send for Statement {}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: created by duckdb_prepare, destroyed once, before its
        // connection (we hold an Arc to it).
        unsafe { sys::duckdb_destroy_prepare(&mut self.raw) };
    }
}

/// Numbered parameters with a gap (`$2` with no `$1`): the values bound fill
/// `$1`, `$2`, ... in order, so one of them could never be given. DuckDB
/// prepares such a statement, then fails at run time with a message that
/// names no parameter. It names the parameters it counts by number, and
/// the one missing from that count by the empty string.
fn numbering_problem(names: &[String]) -> Option<String> {
    let missing = names.iter().position(String::is_empty)? + 1;
    Some(format!(
        "the statement has no ${missing} but a parameter numbered past it: parameters are numbered from $1 with no \
         gaps, and the values bound fill $1, $2, ... in order; renumber them"
    ))
}

impl Statement {
    /// The statement DuckDB set `raw` to while preparing it on `conn` with
    /// the outcome `state`, or DuckDB's error for it (then destroyed).
    fn prepared(
        raw: sys::duckdb_prepared_statement,
        state: sys::duckdb_state,
        conn: &Connection,
    ) -> Result<Self, DuckDbError> {
        let stmt = Statement { raw, _conn: Arc::clone(&conn.raw), last_row_count: None };
        if state != sys::DuckDBSuccess {
            // SAFETY: the statement handle is valid; the message is owned by it.
            let message = unsafe { borrowed_string(sys::duckdb_prepare_error(stmt.raw)) };
            return Err(DuckDbError::new(classify_message(&message), message));
        }
        Ok(stmt)
    }

    /// Number of parameters.
    pub fn param_count(&self) -> usize {
        // SAFETY: valid prepared statement.
        unsafe { sys::duckdb_nparams(self.raw) as usize }
    }

    /// Type of parameter `index` (0-based).
    pub fn param_type(&self, index: usize) -> DuckType {
        // SAFETY: valid statement; DuckDB returns null for an index out of range.
        let ty = LogicalType(unsafe { sys::duckdb_param_logical_type(self.raw, index as u64 + 1) });
        ty.describe()
    }

    /// The parameters' names: `1` for `$1` (and for the first `?`), `id`
    /// for `$id`.
    pub fn param_names(&self) -> Vec<String> {
        (0..self.param_count())
            .map(|i| {
                // SAFETY: valid statement and 1-based index in range; the name is ours to free.
                unsafe { owned_string(sys::duckdb_parameter_name(self.raw, i as u64 + 1).cast_mut()) }
            })
            .collect()
    }

    /// Describes parameters, result columns and statement kind.
    pub fn describe(&self) -> Description {
        let params = (0..self.param_count()).map(|i| self.param_type(i)).collect();
        let param_names = self.param_names();
        let columns = (0..self.column_count())
            .map(|i| {
                // SAFETY: index in range; the name is ours to free.
                let name = unsafe { owned_string(sys::duckdb_prepared_statement_column_name(self.raw, i).cast_mut()) };
                ColumnDescription { name, ty: self.column_type(i) }
            })
            .collect();
        Description { params, param_names, columns, kind: self.kind() }
    }

    /// How many rows its last result had, as recorded by the caller with
    /// [`record_row_count`](Self::record_row_count): a guess at the next
    /// result's size, kept as long as the statement is cached.
    pub fn last_row_count(&self) -> Option<usize> {
        self.last_row_count
    }

    /// Records how many rows a result of this statement had.
    pub fn record_row_count(&mut self, rows: usize) {
        self.last_row_count = Some(rows);
    }

    /// What kind of statement this is.
    pub fn kind(&self) -> StatementKind {
        // SAFETY: valid statement.
        statement_kind(unsafe { sys::duckdb_prepared_statement_type(self.raw) })
    }

    /// The types of the result's columns, as far as preparing tells them
    /// (`Unknown` where they depend on a parameter's type).
    pub fn column_types(&self) -> impl Iterator<Item = DuckType> + '_ {
        (0..self.column_count()).map(|i| self.column_type(i))
    }

    fn column_count(&self) -> u64 {
        // SAFETY: valid statement.
        unsafe { sys::duckdb_prepared_statement_column_count(self.raw) }
    }

    fn column_type(&self, index: u64) -> DuckType {
        // SAFETY: valid statement, index in range (callers iterate column_count);
        // the type is ours to free (LogicalType's Drop).
        LogicalType(unsafe { sys::duckdb_prepared_statement_column_logical_type(self.raw, index) }).describe()
    }

    /// Removes all bound values.
    pub fn clear_bindings(&mut self) {
        // SAFETY: valid statement.
        unsafe { sys::duckdb_clear_bindings(self.raw) };
    }

    /// Binds `value` to parameter `index` (0-based) with DuckDB's bind
    /// function for the value's type.
    pub fn bind(&mut self, index: usize, value: &Value) -> Result<(), DuckDbError> {
        if let Some(problem) = value.range_problem() {
            return Err(DuckDbError::new(
                DuckErrorType::OutOfRange,
                format!("cannot bind parameter ${}: {problem}", index + 1),
            ));
        }
        let idx = index as u64 + 1;
        let raw = self.raw;
        // SAFETY (all binds): valid statement; DuckDB checks the index and
        // copies the value (strings and blobs are copied before returning).
        let state = unsafe {
            match value {
                Value::Null => sys::duckdb_bind_null(raw, idx),
                Value::Boolean(v) => sys::duckdb_bind_boolean(raw, idx, *v),
                Value::TinyInt(v) => sys::duckdb_bind_int8(raw, idx, *v),
                Value::SmallInt(v) => sys::duckdb_bind_int16(raw, idx, *v),
                Value::Integer(v) => sys::duckdb_bind_int32(raw, idx, *v),
                Value::BigInt(v) => sys::duckdb_bind_int64(raw, idx, *v),
                Value::HugeInt(v) => sys::duckdb_bind_hugeint(raw, idx, hugeint(*v)),
                Value::UTinyInt(v) => sys::duckdb_bind_uint8(raw, idx, *v),
                Value::USmallInt(v) => sys::duckdb_bind_uint16(raw, idx, *v),
                Value::UInteger(v) => sys::duckdb_bind_uint32(raw, idx, *v),
                Value::UBigInt(v) => sys::duckdb_bind_uint64(raw, idx, *v),
                Value::UHugeInt(v) => sys::duckdb_bind_uhugeint(raw, idx, uhugeint(*v)),
                Value::Float(v) => sys::duckdb_bind_float(raw, idx, *v),
                Value::Double(v) => sys::duckdb_bind_double(raw, idx, *v),
                Value::Decimal(d) => sys::duckdb_bind_decimal(raw, idx, decimal(d)),
                Value::Varchar(s) | Value::Enum(s) => {
                    sys::duckdb_bind_varchar_length(raw, idx, s.as_ptr().cast(), s.len() as u64)
                }
                Value::Blob(b) | Value::Geometry(b) => {
                    sys::duckdb_bind_blob(raw, idx, b.as_ptr().cast(), b.len() as u64)
                }
                Value::Date(days) => sys::duckdb_bind_date(raw, idx, sys::duckdb_date { days: *days }),
                Value::Time(micros) => sys::duckdb_bind_time(raw, idx, sys::duckdb_time { micros: *micros }),
                Value::Timestamp(micros) => {
                    sys::duckdb_bind_timestamp(raw, idx, sys::duckdb_timestamp { micros: *micros })
                }
                Value::TimestampTz(micros) => {
                    sys::duckdb_bind_timestamp_tz(raw, idx, sys::duckdb_timestamp { micros: *micros })
                }
                Value::Interval { months, days, micros } => sys::duckdb_bind_interval(
                    raw,
                    idx,
                    sys::duckdb_interval { months: *months, days: *days, micros: *micros },
                ),
                Value::TimestampNs(_)
                | Value::TimestampTzNs(_)
                | Value::TimeNs(_)
                | Value::Unencodable(_)
                | Value::TimeTz { .. }
                | Value::Bit(_)
                | Value::BigNum(_)
                | Value::Uuid(_)
                | Value::List { .. }
                | Value::Struct { .. }
                | Value::Map { .. }
                | Value::Union { .. } => {
                    let failed = |kind, message: &str| {
                        DuckDbError::new(kind, format!("cannot bind parameter ${}: {message}", index + 1))
                    };
                    let typed = value
                        .with_variant_parts_typed()
                        .map_err(|message| failed(DuckErrorType::InvalidInput, &message))?;
                    let owned = OwnedValue::create(typed.as_ref().unwrap_or(value))
                        .map_err(|e| failed(e.kind(), e.message()))?;
                    sys::duckdb_bind_value(raw, idx, owned.0)
                }
            }
        };
        if state != sys::DuckDBSuccess {
            // SAFETY: valid statement; the message is owned by it.
            let detail = unsafe { borrowed_string(sys::duckdb_prepare_error(raw)) };
            return Err(DuckDbError::new(
                DuckErrorType::InvalidInput,
                format!(
                    "cannot bind a {} value to parameter ${}{}",
                    value.duck_type(),
                    index + 1,
                    if detail.is_empty() { String::new() } else { format!(": {detail}") }
                ),
            ));
        }
        Ok(())
    }

    /// Executes with the bound parameters. A streaming result computes
    /// chunks as they are fetched; a materialised one runs the whole query
    /// (in parallel) first.
    pub fn execute(&mut self, streaming: bool) -> Result<QueryResult, DuckDbError> {
        let mut result = QueryResult::empty();
        // SAFETY: valid statement; out-pointer to a result that QueryResult
        // destroys whatever the outcome.
        let state = unsafe {
            if streaming {
                sys::duckdb_execute_prepared_streaming(self.raw, &mut result.raw)
            } else {
                sys::duckdb_execute_prepared(self.raw, &mut result.raw)
            }
        };
        if state != sys::DuckDBSuccess {
            return Err(result.error());
        }
        result.load_columns();
        result.kind = self.kind();
        Ok(result)
    }
}

/// A script parsed into its statements, not yet prepared.
struct ExtractedStatements {
    raw: sys::duckdb_extracted_statements,
    count: usize,
}

impl ExtractedStatements {
    /// Parses the script `sql` on `conn`.
    fn parse(conn: &Connection, sql: &str) -> Result<Self, DuckDbError> {
        let c_sql = c_string(sql, "the SQL text")?;
        let mut raw = ptr::null_mut();
        // SAFETY: open connection and NUL-terminated SQL; DuckDB sets `raw`
        // whatever the outcome, and Drop destroys it.
        let count = unsafe { sys::duckdb_extract_statements(conn.raw.raw, c_sql.as_ptr(), &mut raw) };
        let script = ExtractedStatements { raw, count: count as usize };
        if count == 0 {
            // SAFETY: `raw` is valid after the call; the message is owned by it.
            let message = unsafe { borrowed_string(sys::duckdb_extract_statements_error(script.raw)) };
            // No message: the script holds no statement (blank, or only
            // comments), which is no error.
            if !message.is_empty() {
                return Err(DuckDbError::new(classify_message(&message), message));
            }
        }
        Ok(script)
    }

    /// Prepares statement `index` (below `count`) on `conn`, the connection
    /// that parsed the script.
    fn prepare(&self, conn: &Connection, index: usize) -> Result<Statement, DuckDbError> {
        let mut raw = ptr::null_mut();
        // SAFETY: open connection, valid extracted statements, `index` below
        // their count; DuckDB always sets `raw`, which Statement's Drop
        // destroys.
        let state = unsafe { sys::duckdb_prepare_extracted_statement(conn.raw.raw, self.raw, index as u64, &mut raw) };
        Statement::prepared(raw, state, conn)
    }
}

impl Drop for ExtractedStatements {
    fn drop(&mut self) {
        // SAFETY: created by duckdb_extract_statements, destroyed once.
        unsafe { sys::duckdb_destroy_extracted(&mut self.raw) };
    }
}

fn statement_kind(raw: sys::duckdb_statement_type) -> StatementKind {
    match raw {
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT => StatementKind::Select,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INSERT => StatementKind::Insert,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_UPDATE => StatementKind::Update,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_DELETE => StatementKind::Delete,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_MERGE_INTO => StatementKind::Merge,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CREATE => StatementKind::Create,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_ALTER => StatementKind::Alter,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_DROP => StatementKind::Drop,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_TRANSACTION => StatementKind::Transaction,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_COPY => StatementKind::Copy,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_EXPLAIN => StatementKind::Explain,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_PRAGMA => StatementKind::Pragma,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SET
        | sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_VARIABLE_SET => StatementKind::Set,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CALL => StatementKind::Call,
        sys::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_MULTI => StatementKind::Multi,
        _ => StatementKind::Other,
    }
}

fn hugeint(v: i128) -> sys::duckdb_hugeint {
    sys::duckdb_hugeint { lower: v as u64, upper: (v >> 64) as i64 }
}

fn uhugeint(v: u128) -> sys::duckdb_uhugeint {
    sys::duckdb_uhugeint { lower: v as u64, upper: (v >> 64) as u64 }
}

fn decimal(d: &Decimal) -> sys::duckdb_decimal {
    let width = d.digits().max(d.scale() + 1).min(38);
    sys::duckdb_decimal { width, scale: d.scale(), value: hugeint(d.mantissa()) }
}

/// An owned `duckdb_value`, for nested parameters.
struct OwnedValue(sys::duckdb_value);

impl Drop for OwnedValue {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: owned handle, destroyed once.
            unsafe { sys::duckdb_destroy_value(&mut self.0) };
        }
    }
}

impl OwnedValue {
    fn create(value: &Value) -> Result<OwnedValue, DuckDbError> {
        if let Some(problem) = value.range_problem() {
            return Err(DuckDbError::new(DuckErrorType::OutOfRange, problem));
        }
        // SAFETY (all creates): plain inputs or valid child values / types
        // that outlive the call; DuckDB copies what it needs and returns an
        // owned value (checked for null at the end).
        let raw = unsafe {
            match value {
                Value::Null => sys::duckdb_create_null_value(),
                Value::Boolean(v) => sys::duckdb_create_bool(*v),
                Value::TinyInt(v) => sys::duckdb_create_int8(*v),
                Value::SmallInt(v) => sys::duckdb_create_int16(*v),
                Value::Integer(v) => sys::duckdb_create_int32(*v),
                Value::BigInt(v) => sys::duckdb_create_int64(*v),
                Value::HugeInt(v) => sys::duckdb_create_hugeint(hugeint(*v)),
                Value::UTinyInt(v) => sys::duckdb_create_uint8(*v),
                Value::USmallInt(v) => sys::duckdb_create_uint16(*v),
                Value::UInteger(v) => sys::duckdb_create_uint32(*v),
                Value::UBigInt(v) => sys::duckdb_create_uint64(*v),
                Value::UHugeInt(v) => sys::duckdb_create_uhugeint(uhugeint(*v)),
                Value::Float(v) => sys::duckdb_create_float(*v),
                Value::Double(v) => sys::duckdb_create_double(*v),
                Value::Decimal(d) => sys::duckdb_create_decimal(decimal(d)),
                Value::Varchar(s) | Value::Enum(s) => {
                    sys::duckdb_create_varchar_length(s.as_ptr().cast(), s.len() as u64)
                }
                Value::Blob(b) | Value::Geometry(b) => sys::duckdb_create_blob(b.as_ptr(), b.len() as u64),
                Value::Date(days) => sys::duckdb_create_date(sys::duckdb_date { days: *days }),
                Value::Time(micros) => sys::duckdb_create_time(sys::duckdb_time { micros: *micros }),
                Value::Timestamp(micros) => sys::duckdb_create_timestamp(sys::duckdb_timestamp { micros: *micros }),
                Value::TimestampNs(nanos) => {
                    sys::duckdb_create_timestamp_ns(sys::duckdb_timestamp_ns { nanos: *nanos })
                }
                Value::TimestampTz(micros) => {
                    sys::duckdb_create_timestamp_tz(sys::duckdb_timestamp { micros: *micros })
                }
                Value::TimestampTzNs(nanos) => {
                    sys::duckdb_create_timestamp_tz_ns(sys::duckdb_timestamp_ns { nanos: *nanos })
                }
                Value::TimeNs(nanos) => sys::duckdb_create_time_ns(sys::duckdb_time_ns { nanos: *nanos }),
                Value::Interval { months, days, micros } => {
                    sys::duckdb_create_interval(sys::duckdb_interval { months: *months, days: *days, micros: *micros })
                }
                Value::Uuid(v) => sys::duckdb_create_uuid(uhugeint(*v)),
                Value::Unencodable(reason) => {
                    return Err(DuckDbError::new(DuckErrorType::InvalidInput, reason.clone()))
                }
                Value::TimeTz { micros, offset_seconds } => match crate::value::time_tz_bits(*micros, *offset_seconds) {
                    Some(bits) => sys::duckdb_create_time_tz_value(sys::duckdb_time_tz { bits }),
                    None => {
                        return Err(DuckDbError::new(
                            DuckErrorType::OutOfRange,
                            format!(
                                "TIMETZ {micros} µs at offset {offset_seconds} s is out of range (00:00 to 24:00, offsets within ±15:59:59)"
                            ),
                        ))
                    }
                },
                // DuckDB only reads `data` (its storage format) and copies it.
                Value::Bit(bits) => sys::duckdb_create_bit(sys::duckdb_bit {
                    data: bits.storage().as_ptr().cast_mut(),
                    size: bits.storage().len() as u64,
                }),
                // DuckDB only reads the big-endian magnitude and copies it; zero is one 0 byte.
                Value::BigNum(n) => {
                    let magnitude: &[u8] = if n.magnitude().is_empty() { &[0] } else { n.magnitude() };
                    sys::duckdb_create_bignum(sys::duckdb_bignum {
                        data: magnitude.as_ptr().cast_mut(),
                        size: magnitude.len() as u64,
                        is_negative: n.is_negative(),
                    })
                }
                Value::List { element, items } => {
                    let ty = LogicalType::create(element)?;
                    let children = items.iter().map(OwnedValue::create).collect::<Result<Vec<_>, _>>()?;
                    let mut raw: Vec<_> = children.iter().map(|c| c.0).collect();
                    sys::duckdb_create_list_value(ty.0, raw.as_mut_ptr(), raw.len() as u64)
                }
                Value::Struct { ty, values } => {
                    // DuckDB reads one child per field of `ty`.
                    let fields = match ty {
                        DuckType::Struct { fields } => fields.len(),
                        _ => usize::MAX,
                    };
                    if values.len() != fields {
                        return Err(DuckDbError::new(
                            DuckErrorType::InvalidInput,
                            format!("a STRUCT value has {} value(s) for type {ty}", values.len()),
                        ));
                    }
                    let ty = LogicalType::create(ty)?;
                    let children = values.iter().map(OwnedValue::create).collect::<Result<Vec<_>, _>>()?;
                    let mut raw: Vec<_> = children.iter().map(|c| c.0).collect();
                    sys::duckdb_create_struct_value(ty.0, raw.as_mut_ptr())
                }
                Value::Union { ty, tag, value } => {
                    // DuckDB reads the member `tag` names, of the member's type.
                    let member = match ty {
                        DuckType::Union { members } => members.get(*tag),
                        _ => None,
                    };
                    let Some((name, member_ty)) = member else {
                        return Err(DuckDbError::new(
                            DuckErrorType::InvalidInput,
                            format!("a UNION value has member number {tag}, which type {ty} does not have"),
                        ));
                    };
                    // DuckDB takes a member's value of the member's type only.
                    if value.duck_type() != *member_ty {
                        return Err(DuckDbError::new(
                            DuckErrorType::InvalidInput,
                            format!(
                                "member `{name}` of {ty} holds {member_ty} values, and this one is a {}",
                                value.duck_type()
                            ),
                        ));
                    }
                    let inner = OwnedValue::create(value)?;
                    let ty = LogicalType::create(ty)?;
                    sys::duckdb_create_union_value(ty.0, *tag as u64, inner.0)
                }
                Value::Map { ty, entries } => {
                    if let Some(problem) = crate::value::map_entries_problem(entries) {
                        return Err(DuckDbError::new(DuckErrorType::InvalidInput, problem));
                    }
                    let ty = LogicalType::create(ty)?;
                    let keys = entries.iter().map(|(k, _)| OwnedValue::create(k)).collect::<Result<Vec<_>, _>>()?;
                    let values = entries.iter().map(|(_, v)| OwnedValue::create(v)).collect::<Result<Vec<_>, _>>()?;
                    let mut raw_keys: Vec<_> = keys.iter().map(|c| c.0).collect();
                    let mut raw_values: Vec<_> = values.iter().map(|c| c.0).collect();
                    sys::duckdb_create_map_value(
                        ty.0,
                        raw_keys.as_mut_ptr(),
                        raw_values.as_mut_ptr(),
                        entries.len() as u64,
                    )
                }
            }
        };
        if raw.is_null() {
            return Err(DuckDbError::new(
                DuckErrorType::InvalidInput,
                format!("DuckDB rejected a {} value (its parts do not match the declared type)", value.duck_type()),
            ));
        }
        Ok(OwnedValue(raw))
    }
}

/// A query result: its columns and its data chunks.
#[derive(Debug)]
pub struct QueryResult {
    raw: sys::duckdb_result,
    columns: Vec<ColumnDescription>,
    /// The prepared statement's kind: the result's own says only EXECUTE.
    kind: StatementKind,
}

// SAFETY: the result is owned and used by one thread at a time.
unsafe impl Send for QueryResult {}

impl Drop for QueryResult {
    fn drop(&mut self) {
        // SAFETY: duckdb_destroy_result accepts a zeroed result as well as a
        // filled one, and is called once.
        unsafe { sys::duckdb_destroy_result(&mut self.raw) };
    }
}

impl QueryResult {
    fn empty() -> QueryResult {
        QueryResult {
            // SAFETY: duckdb_result is a plain C struct for which all-zero is
            // the documented "no result" state.
            raw: unsafe { std::mem::zeroed() },
            columns: Vec::new(),
            kind: StatementKind::Other,
        }
    }

    fn error(&mut self) -> DuckDbError {
        // SAFETY: a result filled by a failed call; the message is owned by it.
        let message = unsafe { borrowed_string(sys::duckdb_result_error(&mut self.raw)) };
        // SAFETY: as above.
        let code = unsafe { sys::duckdb_result_error_type(&mut self.raw) };
        let kind = DuckErrorType::from_code(code);
        let kind = if kind == DuckErrorType::Invalid { classify_message(&message) } else { kind };
        DuckDbError::new(kind, message)
    }

    fn load_columns(&mut self) {
        // SAFETY: a successful result.
        let count = unsafe { sys::duckdb_column_count(&mut self.raw) };
        self.columns = (0..count)
            .map(|i| {
                // SAFETY: index in range; the name is owned by the result, the type by us.
                let name = unsafe { borrowed_string(sys::duckdb_column_name(&mut self.raw, i)) };
                // SAFETY: as above.
                let ty = LogicalType(unsafe { sys::duckdb_column_logical_type(&mut self.raw, i) });
                ColumnDescription { name, ty: ty.describe() }
            })
            .collect();
    }

    /// The result's columns.
    pub fn columns(&self) -> &[ColumnDescription] {
        &self.columns
    }

    /// A converter of this result's chunks into Arrow record batches.
    #[cfg(feature = "arrow")]
    pub fn arrow_converter(&mut self) -> Result<ArrowConverter, DuckDbError> {
        ArrowConverter::for_result(self)
    }

    /// Rows inserted, updated or deleted by the statement. With RETURNING,
    /// DuckDB counts none (its result is the rows, not their count), so the
    /// count is that of the rows returned, one per row changed.
    pub fn rows_changed(&mut self) -> u64 {
        let changes_rows = matches!(
            self.kind,
            StatementKind::Insert | StatementKind::Update | StatementKind::Delete | StatementKind::Merge
        );
        // SAFETY: a successful result, read by value.
        let returns = unsafe { sys::duckdb_result_return_type(self.raw) };
        if changes_rows && returns == sys::duckdb_result_type_DUCKDB_RESULT_TYPE_QUERY_RESULT {
            return self.row_count().map_or(0, |rows| rows as u64);
        }
        // SAFETY: a successful result.
        unsafe { sys::duckdb_rows_changed(&mut self.raw) }
    }

    /// How many rows a materialized result holds; `None` for a streaming
    /// one, whose rows are counted only once they have all been fetched.
    pub fn row_count(&mut self) -> Option<usize> {
        // SAFETY: a successful result, read by value.
        if unsafe { sys::duckdb_result_is_streaming(self.raw) } {
            return None;
        }
        // DuckDB lists duckdb_row_count as deprecated (outside its stable
        // API) but offers nothing else yet that counts a materialized result,
        // and says such functions stay until an alternative exists.
        // SAFETY: a successful, materialized result.
        let rows = unsafe { sys::duckdb_row_count(&mut self.raw) };
        usize::try_from(rows).ok()
    }

    /// The next chunk of rows, `Ok(None)` at the end.
    pub fn next_chunk(&mut self) -> Result<Option<DataChunk>, DuckDbError> {
        // SAFETY: a successful result; the chunk, if any, is ours to destroy.
        let raw = unsafe { sys::duckdb_fetch_chunk(self.raw) };
        if raw.is_null() {
            // SAFETY: as above; a non-null message means the stream failed.
            let message = unsafe { sys::duckdb_result_error(&mut self.raw) };
            if !message.is_null() {
                return Err(self.error());
            }
            return Ok(None);
        }
        Ok(Some(DataChunk { raw }))
    }
}

/// A chunk of up to [`vector_size`] rows, read column by column.
#[derive(Debug)]
pub struct DataChunk {
    raw: sys::duckdb_data_chunk,
}

// SAFETY: an owned chunk, used by one thread at a time.
unsafe impl Send for DataChunk {}

impl Drop for DataChunk {
    fn drop(&mut self) {
        // SAFETY: owned chunk, destroyed once.
        unsafe { sys::duckdb_destroy_data_chunk(&mut self.raw) };
    }
}

impl DataChunk {
    /// Number of rows.
    pub fn len(&self) -> usize {
        // SAFETY: valid chunk.
        unsafe { sys::duckdb_data_chunk_get_size(self.raw) as usize }
    }

    /// Whether the chunk has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        // SAFETY: valid chunk.
        unsafe { sys::duckdb_data_chunk_get_column_count(self.raw) as usize }
    }

    /// A reader of column `index`, whose type is `ty` (from
    /// [`QueryResult::columns`]). `None` when the index is out of range.
    pub fn column<'a>(&'a self, index: usize, ty: &'a DuckType) -> Option<ColumnRef<'a>> {
        if index >= self.column_count() {
            return None;
        }
        // SAFETY: index in range; the vector lives as long as the chunk,
        // which the returned reader borrows.
        let vector = unsafe { sys::duckdb_data_chunk_get_vector(self.raw, index as u64) };
        // SAFETY: the vector belongs to this chunk and has `len()` rows of `ty`.
        Some(unsafe { ColumnRef::new(vector, ty, self.len()) })
    }
}

/// A data chunk that owns its column readers, so that rows can be handed to
/// other threads (behind an `Arc`) and read there.
#[derive(Debug)]
pub struct ChunkView {
    // Declared first so the readers are dropped before the memory they point to.
    columns: Vec<ColumnRef<'static>>,
    descriptions: Arc<[ColumnDescription]>,
    len: usize,
    _chunk: DataChunk,
}

// SAFETY: the view only reads the chunk's memory, which nothing mutates after
// DuckDB produced it; concurrent reads from several threads are fine.
unsafe impl Send for ChunkView {}
// SAFETY: as above.
unsafe impl Sync for ChunkView {}

impl ChunkView {
    /// Wraps `chunk`, whose columns are described by `descriptions`.
    pub fn new(chunk: DataChunk, descriptions: Arc<[ColumnDescription]>) -> ChunkView {
        let len = chunk.len();
        let count = chunk.column_count().min(descriptions.len());
        let columns = (0..count)
            .map(|i| {
                // SAFETY: index in range. The vector lives as long as `chunk`
                // and the type as long as `descriptions` (heap data behind an
                // Arc, which does not move); both are owned by the view and
                // outlive `columns` (field order). The 'static lifetime never
                // escapes: `column` hands out readers bound to `&self`.
                unsafe {
                    let vector = sys::duckdb_data_chunk_get_vector(chunk.raw, i as u64);
                    let ty: &'static DuckType = &*(&descriptions[i].ty as *const DuckType);
                    ColumnRef::new(vector, ty, len)
                }
            })
            .collect();
        ChunkView { columns, descriptions, len, _chunk: chunk }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the chunk has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The column descriptions.
    pub fn descriptions(&self) -> &Arc<[ColumnDescription]> {
        &self.descriptions
    }

    /// Reader of column `index`.
    #[inline]
    pub fn column(&self, index: usize) -> Option<&ColumnRef<'_>> {
        self.columns.get(index)
    }
}

/// A read-only view of one column (a DuckDB vector) of a chunk.
///
/// Readers check the row against the vector's length and the Rust type's
/// width against the column's storage, so a wrong call returns `None` instead
/// of reading the wrong memory.
#[derive(Debug, Clone)]
pub struct ColumnRef<'a> {
    ty: &'a DuckType,
    /// `ty.physical_width()`, computed once: readers check it on every value.
    width: Option<usize>,
    len: usize,
    data: *const u8,
    validity: *const u64,
    children: Vec<ColumnRef<'a>>,
    _chunk: PhantomData<&'a DataChunk>,
}

/// Fixed-width values a vector may store, by width.
pub trait Primitive: Copy + private::Sealed {}

mod private {
    pub trait Sealed {}
}

macro_rules! primitive {
    ($($t:ty),*) => {$(
        impl private::Sealed for $t {}
        impl Primitive for $t {}
    )*};
}
primitive!(u8, i8, u16, i16, u32, i32, u64, i64, u128, i128, f32, f64);

/// DuckDB's `list_entry_t`: where a row's elements sit in the child vector.
#[repr(C)]
#[derive(Clone, Copy)]
struct ListEntry {
    offset: u64,
    length: u64,
}

impl<'a> ColumnRef<'a> {
    /// # Safety
    /// `vector` is a valid vector with `len` rows of type `ty` that lives for `'a`.
    unsafe fn new(vector: sys::duckdb_vector, ty: &'a DuckType, len: usize) -> ColumnRef<'a> {
        // SAFETY: valid vector per the contract; both pointers live as long as it.
        let data = unsafe { sys::duckdb_vector_get_data(vector) } as *const u8;
        // SAFETY: as above (null means "all valid").
        let validity = unsafe { sys::duckdb_vector_get_validity(vector) } as *const u64;
        let children = match ty {
            DuckType::List { element } => {
                // SAFETY: a LIST vector has one child vector of the element
                // type whose size DuckDB reports.
                unsafe {
                    let child = sys::duckdb_list_vector_get_child(vector);
                    let child_len = sys::duckdb_list_vector_get_size(vector) as usize;
                    vec![ColumnRef::new(child, element, child_len)]
                }
            }
            DuckType::Map { .. } => {
                // A MAP is stored as a LIST of STRUCT(key, value); the key and
                // value vectors are the struct's children.
                // SAFETY: as for LIST, then struct children 0 and 1 of the
                // entry struct, each with the child's length.
                unsafe {
                    let child = sys::duckdb_list_vector_get_child(vector);
                    let child_len = sys::duckdb_list_vector_get_size(vector) as usize;
                    let (key_ty, value_ty) = match ty {
                        DuckType::Map { key, value } => (&**key, &**value),
                        _ => unreachable!("matched above"),
                    };
                    vec![
                        ColumnRef::new(sys::duckdb_struct_vector_get_child(child, 0), key_ty, child_len),
                        ColumnRef::new(sys::duckdb_struct_vector_get_child(child, 1), value_ty, child_len),
                    ]
                }
            }
            DuckType::Array { element, size } => {
                // SAFETY: an ARRAY vector has one child with `size` elements per row.
                unsafe { vec![ColumnRef::new(sys::duckdb_array_vector_get_child(vector), element, len * size)] }
            }
            DuckType::Struct { fields } => fields
                .iter()
                .enumerate()
                // SAFETY: a STRUCT vector has one child per field, with the parent's length.
                .map(|(i, (_, fty))| unsafe {
                    ColumnRef::new(sys::duckdb_struct_vector_get_child(vector, i as u64), fty, len)
                })
                .collect(),
            DuckType::Union { members } => {
                // A UNION is a STRUCT whose first child is the UTINYINT tag.
                std::iter::once(&UNION_TAG)
                    .chain(members.iter().map(|(_, t)| t))
                    .enumerate()
                    // SAFETY: tag plus one child per member, each with the parent's length.
                    .map(|(i, t)| unsafe {
                        ColumnRef::new(sys::duckdb_struct_vector_get_child(vector, i as u64), t, len)
                    })
                    .collect()
            }
            DuckType::Variant => VARIANT_PARTS
                .iter()
                .enumerate()
                // SAFETY: a VARIANT vector is a STRUCT vector of the four
                // parts, each with the parent's length.
                .map(|(i, t)| unsafe { ColumnRef::new(sys::duckdb_struct_vector_get_child(vector, i as u64), t, len) })
                .collect(),
            _ => Vec::new(),
        };
        ColumnRef { ty, width: ty.physical_width(), len, data, validity, children, _chunk: PhantomData }
    }

    /// The column's DuckDB type.
    pub fn duck_type(&self) -> &'a DuckType {
        self.ty
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `row` holds a value (is in range and not NULL).
    #[inline]
    pub fn is_valid(&self, row: usize) -> bool {
        if row >= self.len {
            return false;
        }
        if self.validity.is_null() {
            return true;
        }
        // SAFETY: the validity mask has one bit per row, in u64 words, and
        // `row < len`.
        let word = unsafe { *self.validity.add(row / 64) };
        word & (1u64 << (row % 64)) != 0
    }

    /// The fixed-width value at `row`, or `None` when `row` is out of range
    /// or `T` is not the width this column stores.
    #[inline]
    pub fn get<T: Primitive>(&self, row: usize) -> Option<T> {
        if row >= self.len || self.data.is_null() || self.width != Some(std::mem::size_of::<T>()) {
            return None;
        }
        // SAFETY: the vector stores `len` values of exactly T's width (checked
        // above; every Primitive is valid for any bit pattern except bool,
        // which is not a Primitive) and `row < len`. DuckDB aligns vectors.
        Some(unsafe { (self.data as *const T).add(row).read_unaligned() })
    }

    /// The bytes of a VARCHAR, JSON, BLOB, BIT or BIGNUM value at `row`.
    #[inline]
    pub fn bytes(&self, row: usize) -> Option<&'a [u8]> {
        if row >= self.len
            || self.data.is_null()
            || !matches!(
                self.ty,
                DuckType::Varchar
                    | DuckType::Json
                    | DuckType::Blob
                    | DuckType::Bit
                    | DuckType::BigNum
                    | DuckType::Geometry
            )
        {
            return None;
        }
        // SAFETY: string vectors store 16-byte duckdb_string_t values and
        // `row < len`.
        let s = unsafe { &*(self.data as *const sys::duckdb_string_t).add(row) };
        // SAFETY: reading either union member's `length` is valid (both
        // start with it); inline strings live in the struct, others in the
        // vector's heap, both alive as long as the chunk ('a).
        unsafe {
            let len = s.value.inlined.length as usize;
            let ptr = if len <= 12 {
                s.value.inlined.inlined.as_ptr().cast::<u8>()
            } else {
                s.value.pointer.ptr.cast::<u8>()
            };
            Some(std::slice::from_raw_parts(ptr, len))
        }
    }

    /// The bytes at `row` (see [`bytes`](Self::bytes)) as text, checked to
    /// be UTF-8: DuckDB keeps VARCHAR so, but a BLOB holds any bytes.
    #[inline]
    pub fn text(&self, row: usize) -> Option<Result<&'a str, std::str::Utf8Error>> {
        let bytes = self.bytes(row)?;
        // Short strings are the common case, where a non-inlined UTF-8
        // check costs more than the ASCII scan that settles most of them.
        if bytes.is_ascii() {
            // SAFETY: ASCII bytes are valid UTF-8.
            return Some(Ok(unsafe { std::str::from_utf8_unchecked(bytes) }));
        }
        Some(std::str::from_utf8(bytes))
    }

    /// Where the elements of the LIST or MAP at `row` sit in [`child`](Self::child)
    /// (for an ARRAY, the fixed slice of the row).
    pub fn list_range(&self, row: usize) -> Option<Range<usize>> {
        if row >= self.len {
            return None;
        }
        let range = match self.ty {
            DuckType::List { .. } | DuckType::Map { .. } => {
                // SAFETY: LIST and MAP vectors store 16-byte list entries and `row < len`.
                let entry = unsafe { (self.data as *const ListEntry).add(row).read_unaligned() };
                entry.offset as usize..(entry.offset + entry.length) as usize
            }
            DuckType::Array { size, .. } => row * size..(row + 1) * size,
            _ => return None,
        };
        let child_len = self.children.first()?.len;
        (range.end <= child_len).then_some(range)
    }

    /// Child column `index`: the elements of a LIST or ARRAY (0), the keys
    /// (0) and values (1) of a MAP, the fields of a STRUCT, the tag (0)
    /// and members (1..) of a UNION, or the parts of a VARIANT: its objects'
    /// keys (0, a LIST of VARCHAR), its objects' and arrays' children (1, a
    /// LIST of STRUCT(keys_index UINTEGER, values_index UINTEGER)), its
    /// values (2, a LIST of STRUCT(type_id UTINYINT, byte_offset UINTEGER))
    /// and their bytes (3, a BLOB).
    pub fn child(&self, index: usize) -> Option<&ColumnRef<'a>> {
        self.children.get(index)
    }
}

/// Adds rows to one table through DuckDB's appender, a data chunk at a time.
#[derive(Debug)]
pub struct Appender {
    raw: sys::duckdb_appender,
    types: Vec<DuckType>,
    /// Keeps the connection open while the appender lives (and lends its
    /// handle to the Arrow conversion).
    #[cfg_attr(not(feature = "arrow"), allow(dead_code))]
    conn: Arc<RawConnection>,
}

// SAFETY: used by one thread at a time.
unsafe impl Send for Appender {}

impl Drop for Appender {
    fn drop(&mut self) {
        // SAFETY: created by duckdb_appender_create_ext, destroyed once.
        // Destroying flushes what is buffered; callers that care about
        // errors call `flush` first, and transactions decide what stays.
        unsafe { sys::duckdb_appender_destroy(&mut self.raw) };
    }
}

impl Appender {
    /// Types of the columns it appends to: the table's, or those named
    /// with [`set_columns`](Self::set_columns).
    pub fn column_types(&self) -> &[DuckType] {
        &self.types
    }

    fn read_column_types(&mut self) {
        // SAFETY: valid appender.
        let count = unsafe { sys::duckdb_appender_column_count(self.raw) };
        self.types = (0..count)
            .map(|i| {
                // SAFETY: index in range; the logical type is ours to destroy.
                let ty = unsafe { LogicalType(sys::duckdb_appender_column_type(self.raw, i)) };
                ty.describe()
            })
            .collect();
    }

    /// Appends to the columns `names` only, in that order; the others take
    /// their defaults (NULL when they have none). Call before appending.
    pub fn set_columns(&mut self, names: &[&str]) -> Result<(), DuckDbError> {
        for name in names {
            let c_name = c_string(name, "the column name")?;
            // SAFETY: valid appender with nothing appended yet, NUL-terminated name.
            if unsafe { sys::duckdb_appender_add_column(self.raw, c_name.as_ptr()) } != sys::DuckDBSuccess {
                // DuckDB's message does not say which.
                let e = self.error();
                return Err(DuckDbError::new(e.kind(), format!("column `{name}`: {}", e.message())));
            }
        }
        self.read_column_types();
        Ok(())
    }

    fn error(&mut self) -> DuckDbError {
        // SAFETY: valid (possibly failed) appender; the error data is ours.
        let data = unsafe { sys::duckdb_appender_error_data(self.raw) };
        take_error_data(data).unwrap_or_else(|| DuckDbError::new(DuckErrorType::Invalid, "the appender failed"))
    }

    /// A new empty chunk with this table's column types.
    pub fn new_chunk(&self) -> Result<ChunkWriter, DuckDbError> {
        ChunkWriter::new(&self.types)
    }

    /// A new empty chunk with this table's column types but for its
    /// VARIANT columns, which take the type of the values appended to them
    /// (`value_types`, one per column): DuckDB creates no VARIANT values
    /// from outside, but casts a chunk's columns to the table's types as it
    /// appends them, JSON text into VARIANT objects and arrays too.
    pub fn new_chunk_for(&self, value_types: &[DuckType]) -> Result<ChunkWriter, DuckDbError> {
        if !self.types.contains(&DuckType::Variant) {
            return self.new_chunk();
        }
        let types = self
            .types
            .iter()
            .enumerate()
            .map(|(i, ty)| match (ty, value_types.get(i)) {
                (DuckType::Variant, Some(given))
                    if !matches!(given, DuckType::Variant | DuckType::Unknown | DuckType::Null) =>
                {
                    Ok(given.clone())
                }
                (DuckType::Variant, _) => Err(DuckDbError::new(
                    DuckErrorType::NotImplemented,
                    format!(
                        "column {} is a VARIANT, and the appender fills one with values whose DuckDB type it knows \
                         (an integer, a String, a Vec, a `Value`, a serde_json::Value as JSON...), as tuples and \
                         `#[derive(AppendRow)]` rows tell it: append those, or bind each value in a statement \
                         (`INSERT INTO t VALUES ($1)`), which DuckDB casts",
                        i + 1
                    ),
                )),
                (ty, _) => Ok(ty.clone()),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let json_in_variant = |i: usize| self.types[i] == DuckType::Variant && types[i] == DuckType::Json;
        let logical = types
            .iter()
            .enumerate()
            .map(|(i, ty)| if json_in_variant(i) { LogicalType::json() } else { LogicalType::create(ty) })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ChunkWriter::of_logical_types(&types, logical))
    }

    /// Appends the rows of `chunk`, then empties it for reuse.
    pub fn append(&mut self, chunk: &mut ChunkWriter) -> Result<(), DuckDbError> {
        // SAFETY: valid chunk whose size was set within its capacity.
        unsafe { sys::duckdb_data_chunk_set_size(chunk.raw, chunk.len as u64) };
        // SAFETY: valid appender and a chunk of the appender's column types.
        let state = unsafe { sys::duckdb_append_data_chunk(self.raw, chunk.raw) };
        chunk.reset();
        if state != sys::DuckDBSuccess {
            return Err(self.error());
        }
        Ok(())
    }

    /// Writes buffered rows to the table, reporting constraint violations.
    pub fn flush(&mut self) -> Result<(), DuckDbError> {
        // SAFETY: valid appender.
        if unsafe { sys::duckdb_appender_flush(self.raw) } != sys::DuckDBSuccess {
            return Err(self.error());
        }
        Ok(())
    }
}

/// DuckDB's reading of an Arrow schema, for converting batches of it.
#[cfg(feature = "arrow")]
struct ConvertedArrowSchema(sys::duckdb_arrow_converted_schema);

#[cfg(feature = "arrow")]
impl Drop for ConvertedArrowSchema {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: owned, destroyed once.
            unsafe { sys::duckdb_destroy_arrow_converted_schema(&mut self.0) };
        }
    }
}

#[cfg(feature = "arrow")]
impl Appender {
    /// Appends an Arrow record batch whose columns are the table's, in
    /// order; DuckDB converts each slice of [`vector_size`] rows and casts
    /// columns whose type differs from the table's (an error when it cannot).
    pub fn append_arrow(&mut self, batch: &arrow_array::RecordBatch) -> Result<(), DuckDbError> {
        if batch.num_columns() != self.types.len() {
            return Err(DuckDbError::new(
                DuckErrorType::InvalidInput,
                format!(
                    "the table has {} columns but the batch has {}; give the batch one column per table column, in table order",
                    self.types.len(),
                    batch.num_columns()
                ),
            ));
        }
        for ((column, field), ty) in batch.columns().iter().zip(batch.schema().fields()).zip(&self.types) {
            let problem = crate::arrow_ranges::range_problem(column.as_ref())
                .map(|problem| (DuckErrorType::OutOfRange, problem))
                .or_else(|| {
                    crate::arrow_ranges::value_problem(column.as_ref(), ty)
                        .map(|problem| (DuckErrorType::InvalidInput, problem))
                });
            if let Some((kind, problem)) = problem {
                return Err(DuckDbError::new(kind, format!("column `{}` of the batch: {problem}", field.name())));
            }
        }
        let mut ffi_schema =
            arrow_schema::ffi::FFI_ArrowSchema::try_from(batch.schema().as_ref()).map_err(arrow_error)?;
        let mut converted = ConvertedArrowSchema(ptr::null_mut());
        // SAFETY: an open connection and a C Data Interface schema that we keep
        // (and release on drop); DuckDB fills `converted`, which we destroy.
        let error = unsafe {
            sys::duckdb_schema_from_arrow(
                self.conn.raw,
                (&mut ffi_schema as *mut arrow_schema::ffi::FFI_ArrowSchema).cast::<sys::ArrowSchema>(),
                &mut converted.0,
            )
        };
        if let Some(error) = take_error_data(error) {
            return Err(error);
        }
        let step = vector_size();
        let mut offset = 0;
        while offset < batch.num_rows() {
            let slice = batch.slice(offset, step.min(batch.num_rows() - offset));
            let data = arrow_array::Array::into_data(arrow_array::StructArray::from(slice));
            let mut ffi_array = arrow_array::ffi::FFI_ArrowArray::new(&data);
            let mut chunk = DataChunk { raw: ptr::null_mut() };
            // SAFETY: an open connection, an exported array of the schema that
            // `converted` was made from. DuckDB takes the array's data over
            // (clearing its release callback, so that dropping `ffi_array`
            // releases nothing) and fills `chunk`, which we destroy.
            let error = unsafe {
                sys::duckdb_data_chunk_from_arrow(
                    self.conn.raw,
                    (&mut ffi_array as *mut arrow_array::ffi::FFI_ArrowArray).cast::<sys::ArrowArray>(),
                    converted.0,
                    &mut chunk.raw,
                )
            };
            if let Some(error) = take_error_data(error) {
                return Err(error);
            }
            // SAFETY: valid appender and chunk of at most a vector's rows.
            if unsafe { sys::duckdb_append_data_chunk(self.raw, chunk.raw) } != sys::DuckDBSuccess {
                return Err(self.error());
            }
            offset += step;
        }
        Ok(())
    }
}

/// A data chunk being filled, column by column, for an [`Appender`].
#[derive(Debug)]
pub struct ChunkWriter {
    raw: sys::duckdb_data_chunk,
    types: Vec<DuckType>,
    /// Storage width of each column, computed once: writers check it per value.
    widths: Vec<Option<usize>>,
    len: usize,
    capacity: usize,
}

// SAFETY: an owned chunk, used by one thread at a time.
unsafe impl Send for ChunkWriter {}

impl Drop for ChunkWriter {
    fn drop(&mut self) {
        // SAFETY: owned chunk, destroyed once.
        unsafe { sys::duckdb_destroy_data_chunk(&mut self.raw) };
    }
}

impl ChunkWriter {
    /// An empty chunk with columns of `types`.
    pub fn new(types: &[DuckType]) -> Result<ChunkWriter, DuckDbError> {
        let logical = types.iter().map(LogicalType::create).collect::<Result<Vec<_>, _>>()?;
        Ok(ChunkWriter::of_logical_types(types, logical))
    }

    /// An empty chunk with columns of `types`, as DuckDB's `logical` types.
    fn of_logical_types(types: &[DuckType], logical: Vec<LogicalType>) -> ChunkWriter {
        let mut raw_types: Vec<_> = logical.iter().map(|t| t.0).collect();
        // SAFETY: an array of valid types that outlives the call; DuckDB copies them.
        let raw = unsafe { sys::duckdb_create_data_chunk(raw_types.as_mut_ptr(), raw_types.len() as u64) };
        let widths = types.iter().map(DuckType::physical_width).collect();
        ChunkWriter { raw, types: types.to_vec(), widths, len: 0, capacity: vector_size() }
    }

    /// Rows written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no rows were written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the chunk is full.
    pub fn is_full(&self) -> bool {
        self.len >= self.capacity
    }

    /// Column types.
    pub fn types(&self) -> &[DuckType] {
        &self.types
    }

    /// Counts one more row as written (after writing every column of it).
    pub fn commit_row(&mut self) {
        debug_assert!(self.len < self.capacity);
        self.len += 1;
    }

    fn reset(&mut self) {
        // SAFETY: valid chunk.
        unsafe { sys::duckdb_data_chunk_reset(self.raw) };
        self.len = 0;
    }

    /// A writer for column `index` at the row being written, or `None` when
    /// the index is out of range or the chunk is full.
    pub fn column(&mut self, index: usize) -> Option<ColumnWriter<'_>> {
        if index >= self.types.len() || self.is_full() {
            return None;
        }
        // SAFETY: index in range; the vector lives as long as the chunk,
        // which the writer borrows mutably.
        let vector = unsafe { sys::duckdb_data_chunk_get_vector(self.raw, index as u64) };
        Some(ColumnWriter {
            vector,
            ty: &self.types[index],
            width: self.widths[index],
            row: self.len,
            capacity: self.capacity,
            _chunk: PhantomData,
        })
    }
}

/// Writes one value of one row into a chunk's vector (or into a list's child
/// vector), checking widths and bounds.
#[derive(Debug)]
pub struct ColumnWriter<'a> {
    vector: sys::duckdb_vector,
    ty: &'a DuckType,
    /// `ty.physical_width()`, from the chunk's precomputed widths.
    width: Option<usize>,
    row: usize,
    capacity: usize,
    _chunk: PhantomData<&'a mut ChunkWriter>,
}

impl ColumnWriter<'_> {
    /// The column's DuckDB type.
    pub fn duck_type(&self) -> &DuckType {
        self.ty
    }

    /// Marks the row NULL (and, for a STRUCT, each of its fields: DuckDB
    /// expects a NULL struct's fields NULL too).
    pub fn set_null(&mut self) {
        // SAFETY: valid vector and `row < capacity`; ensure_validity_writable
        // allocates the mask before we write it.
        unsafe {
            sys::duckdb_vector_ensure_validity_writable(self.vector);
            let mask = sys::duckdb_vector_get_validity(self.vector);
            sys::duckdb_validity_set_row_invalid(mask, self.row as u64);
        }
        if let DuckType::Struct { fields } = self.ty {
            for i in 0..fields.len() {
                if let Some(mut field) = self.struct_field(i) {
                    field.set_null();
                }
            }
        }
        if let DuckType::Union { members } = self.ty {
            for i in 0..=members.len() {
                if let Some(mut part) = self.union_part(i) {
                    part.set_null();
                }
            }
        }
    }

    /// A writer for part `index` of this UNION row: 0 is the tag (a
    /// UTINYINT), the members follow; `None` when this is not a UNION
    /// column or it has no such part.
    fn union_part(&self, index: usize) -> Option<ColumnWriter<'_>> {
        let DuckType::Union { members } = self.ty else { return None };
        let ty = if index == 0 { &UNION_TAG } else { &members.get(index - 1)?.1 };
        // SAFETY: a UNION vector is a STRUCT vector of the tag and one child
        // per member, each as long as the union vector itself.
        let vector = unsafe { sys::duckdb_struct_vector_get_child(self.vector, index as u64) };
        Some(ColumnWriter::nested(vector, ty, self.row, self.capacity))
    }

    /// Writes a UNION row holding member number `tag` (from 0), whose value
    /// `write` writes; `None` when this is not a UNION column or it has no
    /// such member.
    pub fn put_union<E>(
        &mut self,
        tag: usize,
        write: impl FnOnce(&mut ColumnWriter<'_>) -> Result<(), E>,
    ) -> Option<Result<(), E>> {
        let DuckType::Union { members } = self.ty else { return None };
        if tag >= members.len() || self.row >= self.capacity {
            return None;
        }
        if !self.union_part(0)?.put(tag as u8) {
            return None;
        }
        // The other members are NULL, as in a union DuckDB builds.
        for i in (0..members.len()).filter(|&i| i != tag) {
            self.union_part(i + 1)?.set_null();
        }
        Some(write(&mut self.union_part(tag + 1)?))
    }

    /// A writer for field `index` of this STRUCT row; `None` when this is
    /// not a STRUCT column or it has no such field.
    fn struct_field(&self, index: usize) -> Option<ColumnWriter<'_>> {
        let DuckType::Struct { fields } = self.ty else { return None };
        let (_, ty) = fields.get(index)?;
        // SAFETY: a STRUCT vector has one child vector per field, each as
        // long as the struct vector itself.
        let vector = unsafe { sys::duckdb_struct_vector_get_child(self.vector, index as u64) };
        Some(ColumnWriter::nested(vector, ty, self.row, self.capacity))
    }

    /// A writer for `row` of a vector nested in this one (a field, an
    /// element), of type `ty`, holding `capacity` values.
    fn nested<'t>(vector: sys::duckdb_vector, ty: &'t DuckType, row: usize, capacity: usize) -> ColumnWriter<'t> {
        ColumnWriter { vector, ty, width: ty.physical_width(), row, capacity, _chunk: PhantomData }
    }

    /// Writes a STRUCT row, one field at a time through `write` (called
    /// with each field's position, name and writer, in the column's
    /// order); `None` when this is not a STRUCT column.
    pub fn put_struct<E>(
        &mut self,
        mut write: impl FnMut(usize, &str, &mut ColumnWriter<'_>) -> Result<(), E>,
    ) -> Option<Result<(), E>> {
        let DuckType::Struct { fields } = self.ty else { return None };
        if self.row >= self.capacity {
            return None;
        }
        for (i, (name, _)) in fields.iter().enumerate() {
            let mut field = self.struct_field(i)?;
            if let Err(e) = write(i, name, &mut field) {
                return Some(Err(e));
            }
        }
        Some(Ok(()))
    }

    /// Writes an ARRAY row of exactly the array's size, one element at a
    /// time through `write`; `None` when this is not an ARRAY column or
    /// `count` is not its size.
    pub fn put_array<E>(
        &mut self,
        count: usize,
        mut write: impl FnMut(usize, &mut ColumnWriter<'_>) -> Result<(), E>,
    ) -> Option<Result<(), E>> {
        let DuckType::Array { element, size } = self.ty else { return None };
        if count != *size || self.row >= self.capacity {
            return None;
        }
        // SAFETY: an ARRAY vector's child holds `size` elements per row of
        // the array vector, row after row.
        let child = unsafe { sys::duckdb_array_vector_get_child(self.vector) };
        for i in 0..count {
            let mut writer = ColumnWriter::nested(child, element, self.row * size + i, self.capacity * size);
            if let Err(e) = write(i, &mut writer) {
                return Some(Err(e));
            }
        }
        Some(Ok(()))
    }

    /// Writes a fixed-width value; `false` when `T` is not this column's storage width.
    #[inline]
    pub fn put<T: Primitive>(&mut self, value: T) -> bool {
        if self.width != Some(std::mem::size_of::<T>()) || self.row >= self.capacity {
            return false;
        }
        // SAFETY: the vector holds `capacity` values of T's width and `row < capacity`.
        unsafe {
            let data = sys::duckdb_vector_get_data(self.vector) as *mut T;
            data.add(self.row).write_unaligned(value);
        }
        true
    }

    /// Writes a VARCHAR or BLOB value, or a BIT, BIGNUM or GEOMETRY (WKB)
    /// in DuckDB's storage format; `false` for other column types.
    pub fn put_bytes(&mut self, bytes: &[u8]) -> bool {
        let is_string = matches!(
            self.ty,
            DuckType::Varchar | DuckType::Json | DuckType::Blob | DuckType::Bit | DuckType::BigNum | DuckType::Geometry
        );
        if !is_string || self.row >= self.capacity {
            return false;
        }
        // SAFETY: valid string vector, row in range; DuckDB copies the bytes.
        unsafe {
            sys::duckdb_vector_assign_string_element_len(
                self.vector,
                self.row as u64,
                bytes.as_ptr().cast(),
                bytes.len() as u64,
            )
        };
        true
    }

    /// Appends `count` elements to a LIST row and returns a writer for each
    /// through `write`; `None` when this is not a LIST column.
    pub fn put_list<E>(
        &mut self,
        count: usize,
        mut write: impl FnMut(usize, &mut ColumnWriter<'_>) -> Result<(), E>,
    ) -> Option<Result<(), E>> {
        let DuckType::List { element } = self.ty else { return None };
        self.put_entries(count, |i, child, row, capacity| {
            write(i, &mut ColumnWriter::nested(child, element, row, capacity))
        })
    }

    /// Appends `count` entries to a MAP row and returns writers for each
    /// entry's key and value through `write`; `None` when this is not a
    /// MAP column.
    pub fn put_map<E>(
        &mut self,
        count: usize,
        mut write: impl FnMut(usize, &mut ColumnWriter<'_>, &mut ColumnWriter<'_>) -> Result<(), E>,
    ) -> Option<Result<(), E>> {
        let DuckType::Map { key, value } = self.ty else { return None };
        self.put_entries(count, |i, child, row, capacity| {
            // SAFETY: a MAP's child is a STRUCT(key, value) vector, whose two
            // field vectors are as long as it is.
            let (keys, values) = unsafe {
                (sys::duckdb_struct_vector_get_child(child, 0), sys::duckdb_struct_vector_get_child(child, 1))
            };
            let mut key = ColumnWriter::nested(keys, key, row, capacity);
            write(i, &mut key, &mut ColumnWriter::nested(values, value, row, capacity))
        })
    }

    /// The shared part of LIST and MAP rows: room for `count` elements in
    /// the child vector, each handed to `write` with the child, its row
    /// there and the child's length.
    fn put_entries<E>(
        &mut self,
        count: usize,
        mut write: impl FnMut(usize, sys::duckdb_vector, usize, usize) -> Result<(), E>,
    ) -> Option<Result<(), E>> {
        if self.row >= self.capacity {
            return None;
        }
        // SAFETY: a LIST (or MAP) vector: reserve room in the child, then
        // record this row's entry and grow the child's size; the child is
        // fetched after the reserve, which may move it.
        let child = unsafe {
            let offset = sys::duckdb_list_vector_get_size(self.vector) as usize;
            if sys::duckdb_list_vector_reserve(self.vector, (offset + count) as u64) != sys::DuckDBSuccess {
                return None;
            }
            let entries = sys::duckdb_vector_get_data(self.vector) as *mut ListEntry;
            entries.add(self.row).write_unaligned(ListEntry { offset: offset as u64, length: count as u64 });
            sys::duckdb_list_vector_set_size(self.vector, (offset + count) as u64);
            (sys::duckdb_list_vector_get_child(self.vector), offset)
        };
        let (child, offset) = child;
        for i in 0..count {
            if let Err(e) = write(i, child, offset + i, offset + count) {
                return Some(Err(e));
            }
        }
        Some(Ok(()))
    }
}

/// The error that `data` holds, if any; `data` is destroyed either way.
fn take_error_data(mut data: sys::duckdb_error_data) -> Option<DuckDbError> {
    // SAFETY: error data DuckDB handed over, read, then destroyed once.
    unsafe {
        let error = sys::duckdb_error_data_has_error(data).then(|| {
            let code = sys::duckdb_error_data_error_type(data);
            let message = borrowed_string(sys::duckdb_error_data_message(data));
            let kind = DuckErrorType::from_code(code);
            let kind = if kind == DuckErrorType::Invalid { classify_message(&message) } else { kind };
            DuckDbError::new(kind, message)
        });
        sys::duckdb_destroy_error_data(&mut data);
        error
    }
}

/// Turns a result's data chunks into Arrow record batches, with DuckDB's
/// own conversion (feature `arrow`).
#[cfg(feature = "arrow")]
pub struct ArrowConverter {
    options: sys::duckdb_arrow_options,
    ffi_schema: arrow_schema::ffi::FFI_ArrowSchema,
    schema: arrow_schema::SchemaRef,
    /// The top-level UHUGEINT columns that DuckDB writes as signed
    /// decimals, checked batch by batch for values that wrapped around.
    signed_uhugeints: Vec<usize>,
    /// The result's columns, to name one in an error (only where there are
    /// `signed_uhugeints`).
    columns: Vec<ColumnDescription>,
}

#[cfg(feature = "arrow")]
impl std::fmt::Debug for ArrowConverter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrowConverter").field("schema", &self.schema).finish_non_exhaustive()
    }
}

// SAFETY: the options are a copy of the connection's settings, owned here and
// read by one thread at a time; the schema is plain owned data.
#[cfg(feature = "arrow")]
unsafe impl Send for ArrowConverter {}

#[cfg(feature = "arrow")]
impl Drop for ArrowConverter {
    fn drop(&mut self) {
        // SAFETY: owned options, destroyed once.
        unsafe { sys::duckdb_destroy_arrow_options(&mut self.options) };
    }
}

#[cfg(feature = "arrow")]
fn arrow_error(error: arrow_schema::ArrowError) -> DuckDbError {
    DuckDbError::new(DuckErrorType::Conversion, format!("Arrow conversion failed: {error}"))
}

#[cfg(feature = "arrow")]
impl ArrowConverter {
    fn for_result(result: &mut QueryResult) -> Result<ArrowConverter, DuckDbError> {
        // SAFETY: a successful result; the options are ours to destroy, which
        // the converter does from here on, whatever happens below.
        let options = unsafe { sys::duckdb_result_get_arrow_options(&mut result.raw) };
        let mut converter = ArrowConverter {
            options,
            ffi_schema: arrow_schema::ffi::FFI_ArrowSchema::empty(),
            schema: std::sync::Arc::new(arrow_schema::Schema::empty()),
            signed_uhugeints: Vec::new(),
            columns: Vec::new(),
        };
        // SAFETY: a successful result.
        let count = unsafe { sys::duckdb_column_count(&mut result.raw) };
        // SAFETY: indexes in range; the types are ours (dropped below), the
        // names the result's, alive as long as it is.
        let types: Vec<LogicalType> =
            (0..count).map(|i| LogicalType(unsafe { sys::duckdb_column_logical_type(&mut result.raw, i) })).collect();
        let mut raw_types: Vec<sys::duckdb_logical_type> = types.iter().map(|t| t.0).collect();
        // SAFETY: as above.
        let mut names: Vec<*const c_char> =
            (0..count).map(|i| unsafe { sys::duckdb_column_name(&mut result.raw, i) }).collect();
        // SAFETY: `count` types and names; FFI_ArrowSchema has the C Data
        // Interface layout that DuckDB fills, and releases it on drop.
        let error = unsafe {
            sys::duckdb_to_arrow_schema(
                converter.options,
                raw_types.as_mut_ptr(),
                names.as_mut_ptr(),
                count,
                (&mut converter.ffi_schema as *mut arrow_schema::ffi::FFI_ArrowSchema).cast::<sys::ArrowSchema>(),
            )
        };
        if let Some(error) = take_error_data(error) {
            return Err(error);
        }
        converter.schema =
            std::sync::Arc::new(arrow_schema::Schema::try_from(&converter.ffi_schema).map_err(arrow_error)?);
        // DuckDB's export loses some values without a word: refuse those
        // results rather than hand over changed data.
        if let Some(problem) = crate::arrow_export::lossy_column(result.columns(), &converter.schema) {
            return Err(DuckDbError::new(DuckErrorType::Conversion, problem));
        }
        converter.signed_uhugeints = crate::arrow_export::signed_uhugeint_columns(result.columns(), &converter.schema);
        if !converter.signed_uhugeints.is_empty() {
            converter.columns = result.columns().to_vec();
        }
        Ok(converter)
    }

    /// The schema of every batch.
    pub fn schema(&self) -> arrow_schema::SchemaRef {
        std::sync::Arc::clone(&self.schema)
    }

    /// One chunk's rows as a record batch.
    pub fn convert(&self, chunk: &DataChunk) -> Result<arrow_array::RecordBatch, DuckDbError> {
        use arrow_array::Array;
        let mut array = arrow_array::ffi::FFI_ArrowArray::empty();
        // SAFETY: a valid chunk of the result these options came from;
        // FFI_ArrowArray has the C Data Interface layout DuckDB fills.
        let error = unsafe {
            sys::duckdb_data_chunk_to_arrow(
                self.options,
                chunk.raw,
                (&mut array as *mut arrow_array::ffi::FFI_ArrowArray).cast::<sys::ArrowArray>(),
            )
        };
        if let Some(error) = take_error_data(error) {
            return Err(error);
        }
        // SAFETY: DuckDB filled `array` to match the struct schema it made
        // for this result; from_ffi takes it over and releases it.
        let data = unsafe { arrow_array::ffi::from_ffi(array, &self.ffi_schema) }.map_err(arrow_error)?;
        if !matches!(data.data_type(), arrow_schema::DataType::Struct(_)) {
            return Err(arrow_error(arrow_schema::ArrowError::SchemaError(format!(
                "DuckDB gave a chunk of type {}, not a struct of columns",
                data.data_type()
            ))));
        }
        let columns = arrow_array::StructArray::from(data);
        debug_assert_eq!(columns.null_count(), 0);
        let batch =
            arrow_array::RecordBatch::try_new(self.schema(), columns.columns().to_vec()).map_err(arrow_error)?;
        if let Some(problem) = crate::arrow_export::unsigned_overflow(&batch, &self.signed_uhugeints, &self.columns) {
            return Err(DuckDbError::new(DuckErrorType::Conversion, problem));
        }
        Ok(batch)
    }
}

/// Asks the kernel to back `spare`, memory the caller is about to fill
/// whole, with transparent huge pages where the system allows them on
/// request (Linux's `madvise` mode, its default). Filling a fresh 56 MB
/// vector of 1M rows then takes 28 page faults instead of 14,000: measured
/// here, 28 to 36 ms against 46 to 68 ms. Only the 2 MiB-aligned part of
/// `spare` is advised, so a buffer smaller than two huge pages may gain
/// nothing; elsewhere than Linux this does nothing.
pub fn advise_huge_pages<T>(spare: &mut [std::mem::MaybeUninit<T>]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE_PAGE: usize = 2 << 20;
        let start = spare.as_mut_ptr() as usize;
        let end = start + std::mem::size_of_val(spare);
        let first = start.next_multiple_of(HUGE_PAGE);
        let last = end & !(HUGE_PAGE - 1);
        if last > first {
            // SAFETY: the range lies inside `spare`, which the caller borrows
            // mutably, and MADV_HUGEPAGE changes only how the kernel backs its
            // pages, never what they hold. A refusal (a kernel without huge
            // pages) leaves the memory as it was, so the result is ignored.
            unsafe { libc::madvise(first as *mut libc::c_void, last - first, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = spare;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Connection {
        Database::open(":memory:", &OpenOptions::default()).unwrap().connect().unwrap()
    }

    #[test]
    fn describes_parameters_and_columns() {
        let conn = memory();
        conn.execute_batch(
            "CREATE TABLE u (id INTEGER PRIMARY KEY, name VARCHAR, price DECIMAL(10,2), tags VARCHAR[])",
        )
        .unwrap();
        let stmt = conn.prepare("SELECT id, name, price, tags FROM u WHERE id = $1 AND name = $2").unwrap();
        let d = stmt.describe();
        assert_eq!(d.params, vec![DuckType::Integer, DuckType::Varchar]);
        assert_eq!(d.kind, StatementKind::Select);
        let names: Vec<_> = d.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "name", "price", "tags"]);
        assert_eq!(d.columns[2].ty, DuckType::Decimal { width: 10, scale: 2 });
        assert_eq!(d.columns[3].ty, DuckType::list(DuckType::Varchar));
    }

    #[test]
    fn a_full_statement_cache_drops_its_least_recently_used_statement() {
        let mut conn = memory();
        conn.prepare_cached("SELECT 'hot'").unwrap().record_row_count(7);
        conn.prepare_cached("SELECT 'cold'").unwrap().record_row_count(7);
        // Many distinct texts, built at run time, with the hot one in use.
        for i in 0..2 * STATEMENT_CACHE_CAPACITY {
            conn.prepare_cached(&format!("SELECT {i}")).unwrap();
            conn.prepare_cached("SELECT 'hot'").unwrap();
            assert!(conn.statements.len() <= STATEMENT_CACHE_CAPACITY);
        }
        // Still the statement prepared first (it keeps what was recorded on it).
        assert_eq!(conn.prepare_cached("SELECT 'hot'").unwrap().last_row_count(), Some(7));
        assert_eq!(conn.prepare_cached("SELECT 'cold'").unwrap().last_row_count(), None, "prepared again");
    }

    #[test]
    fn numbered_parameters_with_a_gap_are_refused_when_prepared() {
        let conn = memory();
        let err = conn.prepare("SELECT $2::INTEGER").err().unwrap();
        assert_eq!(err.kind(), DuckErrorType::InvalidInput);
        assert!(err.message().starts_with("the statement has no $1 but a parameter numbered past it"), "{err}");
        let err = conn.prepare("SELECT $1::INTEGER, $3::INTEGER, $4::INTEGER").err().unwrap();
        assert!(err.message().starts_with("the statement has no $2 but"), "{err}");
        for sql in ["SELECT $1::INTEGER + $1", "SELECT ?::INTEGER, ?::INTEGER", "SELECT $a::INTEGER", "SELECT 1"] {
            conn.prepare(sql).unwrap();
        }
        assert_eq!(conn.prepare("SELECT $2::INTEGER, $1::INTEGER").unwrap().param_names(), ["1", "2"]);
    }

    #[test]
    fn a_rejected_setting_says_how_to_set_it() {
        let options =
            OpenOptions { settings: vec![("streaming_buffer_size".into(), "4MB".into())], ..OpenOptions::default() };
        let err = Database::open(":memory:", &options).unwrap_err();
        assert_eq!(err.kind(), DuckErrorType::Settings);
        assert!(err.message().contains("SET streaming_buffer_size = ..."), "{}", err.message());
    }

    #[test]
    fn column_types_before_execution_and_row_count_after() {
        let conn = memory();
        let mut stmt = conn.prepare("SELECT range AS i, 'x' || range AS s FROM range(5000)").unwrap();
        assert_eq!(stmt.column_types().collect::<Vec<_>>(), [DuckType::BigInt, DuckType::Varchar]);
        let mut materialized = stmt.execute(false).unwrap();
        assert_eq!(materialized.row_count(), Some(5000));
        let mut streaming = stmt.execute(true).unwrap();
        assert_eq!(streaming.row_count(), None);
        let mut rows = 0;
        while let Some(chunk) = streaming.next_chunk().unwrap() {
            rows += chunk.len();
        }
        assert_eq!(rows, 5000);
    }

    /// The first column of a query's first chunk, as text (`None` for NULL).
    fn first_column_texts(conn: &Connection, sql: &str) -> Vec<Option<String>> {
        let mut stmt = conn.prepare(sql).unwrap();
        let mut result = stmt.execute(false).unwrap();
        let ty = result.columns()[0].ty.clone();
        let chunk = result.next_chunk().unwrap().unwrap();
        let column = chunk.column(0, &ty).unwrap();
        (0..chunk.len()).map(|r| column.is_valid(r).then(|| column.text(r).unwrap().unwrap().to_owned())).collect()
    }

    /// The one BIGINT a query returns.
    fn single_i64(conn: &Connection, sql: &str) -> i64 {
        let mut stmt = conn.prepare(sql).unwrap();
        let mut result = stmt.execute(false).unwrap();
        let ty = result.columns()[0].ty.clone();
        let chunk = result.next_chunk().unwrap().unwrap();
        let value = chunk.column(0, &ty).unwrap().get::<i64>(0).unwrap();
        value
    }

    #[test]
    fn a_file_open_twice_in_a_process_is_one_instance() {
        let dir = std::env::temp_dir().join(format!("andamios-ffi-instance-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("shared.duckdb");
        let path = path.to_str().unwrap();
        {
            // Named otherwise, the file is the same, and so is the instance.
            let other_name = dir.join(".").join("shared.duckdb");
            let handles =
                [path, other_name.to_str().unwrap()].map(|p| Database::open(p, &OpenOptions::default()).unwrap());
            assert_eq!(handles[0].file(), Some(dir.canonicalize().unwrap().join("shared.duckdb").as_path()));
            assert_eq!(handles[0].file(), handles[1].file());
            assert_eq!(Database::open(":memory:", &OpenOptions::default()).unwrap().file(), None);
            let [first, second] = handles.map(|db| db.connect().unwrap());
            first.execute_batch("CREATE TABLE t (x BIGINT); INSERT INTO t SELECT range FROM range(1000)").unwrap();
            second.execute_batch("INSERT INTO t SELECT range FROM range(1000)").unwrap();
            assert_eq!(single_i64(&first, "SELECT count(*) FROM t"), 2000, "one instance sees both writes");
            first.execute_batch("CHECKPOINT").unwrap();
            second.execute_batch("CHECKPOINT").unwrap();

            // Other options cannot share the open instance: the error says what to do.
            let read_only = OpenOptions { read_only: true, ..OpenOptions::default() };
            let err = Database::open(path, &read_only).unwrap_err();
            assert!(err.message().contains("same options"), "{}", err.message());
        }
        // Closed with its last handle: reopened from the file, with every row.
        let reopened = Database::open(path, &OpenOptions::default()).unwrap().connect().unwrap();
        assert_eq!(single_i64(&reopened, "SELECT count(*) FROM t"), 2000);
        drop(reopened);
        std::fs::remove_dir_all(&dir).unwrap();

        // Each in-memory open is a database of its own.
        let (a, b) = (memory(), memory());
        a.execute_batch("CREATE TABLE only_in_a (x INTEGER)").unwrap();
        assert_eq!(b.prepare("SELECT * FROM only_in_a").unwrap_err().kind(), DuckErrorType::Catalog);
    }

    #[test]
    fn a_script_runs_statement_by_statement_and_its_error_names_the_one_that_failed() {
        let conn = memory();
        let csv = std::env::temp_dir().join(format!("andamios-ffi-script-{}.csv", std::process::id()));
        // What scripts hold besides tables and rows: transactions, macros,
        // types, settings, pragmas, attached databases, COPY, CHECKPOINT.
        conn.execute_batch(&format!(
            "BEGIN; CREATE TYPE mood AS ENUM ('happy', 'sad'); CREATE TABLE t (id INTEGER PRIMARY KEY, m mood);
             CREATE MACRO twice(x) AS x * 2; INSERT INTO t VALUES (twice(1), 'sad'); COMMIT;
             SET threads = 1; PRAGMA enable_checkpoint_on_shutdown; ATTACH ':memory:' AS other;
             CREATE TABLE other.u AS SELECT * FROM t; COPY t TO '{}' (HEADER); CHECKPOINT; -- done
             ",
            csv.display()
        ))
        .unwrap();
        assert_eq!(single_i64(&conn, "SELECT id::BIGINT FROM other.u WHERE m = 'sad'"), 2);
        assert!(std::fs::read_to_string(&csv).unwrap().starts_with("id,m"));
        std::fs::remove_file(&csv).unwrap();

        // The second of three fails: the first ran, the third did not.
        let err = conn
            .execute_batch(
                "INSERT INTO t VALUES (5, 'happy'); INSERT INTO t VALUES (2, 'sad'); INSERT INTO t VALUES (6, 'sad')",
            )
            .unwrap_err();
        assert_eq!(err.kind(), DuckErrorType::Constraint);
        assert_eq!(err.script_statement(), Some(ScriptStatement { index: 1, count: 3 }));
        assert_eq!(err.statement_sql(), Some("INSERT INTO t VALUES (2, 'sad')"));
        assert_eq!(single_i64(&conn, "SELECT count(*) FROM t"), 2);
        // One that does not bind is named too.
        let err = conn.execute_batch("SELECT 1; SELECT nope FROM t").unwrap_err();
        assert_eq!(
            (err.kind(), err.script_statement()),
            (DuckErrorType::Binder, Some(ScriptStatement { index: 1, count: 2 }))
        );
        // A `;` in a nested comment ends nothing.
        conn.execute_batch("/* a /* b */ ; c */ SELECT 1; SELECT 2").unwrap();
        // The statements as DuckDB parsed them, where the text would split
        // otherwise: the same, statement by statement.
        let script =
            ExtractedStatements::parse(&conn, "INSERT INTO t VALUES (9, 'sad'); SELECT nope; SELECT 1").unwrap();
        let err = conn.run_parsed(&script, || false).unwrap_err();
        assert_eq!(err.script_statement(), Some(ScriptStatement { index: 1, count: 3 }));
        assert_eq!(err.statement_sql(), None, "its text is not known there");
        assert_eq!(single_i64(&conn, "SELECT count(*) FROM t"), 3);
        // A syntax error anywhere runs nothing of the script.
        let err = conn
            .execute_batch("INSERT INTO t VALUES (7, 'sad'); INSERT INTO t VALUES (8, 'sad'); SELEC 1")
            .unwrap_err();
        assert_eq!((err.kind(), err.script_statement()), (DuckErrorType::Parser, None));
        assert_eq!(single_i64(&conn, "SELECT count(*) FROM t"), 3);
        // Cancelled once two statements ran: the others do not run, by
        // their text or as parsed.
        let checks = std::cell::Cell::new(0);
        let after_two = || {
            checks.set(checks.get() + 1);
            checks.get() > 2
        };
        let script =
            "INSERT INTO t VALUES (20, 'sad'); INSERT INTO t VALUES (21, 'sad'); INSERT INTO t VALUES (22, 'sad')";
        let err = conn.execute_batch_unless(script, after_two).unwrap_err();
        assert_eq!(
            (err.kind(), err.script_statement()),
            (DuckErrorType::Interrupt, Some(ScriptStatement { index: 2, count: 3 }))
        );
        assert_eq!(single_i64(&conn, "SELECT count(*) FROM t"), 5);
        checks.set(0);
        let script = ExtractedStatements::parse(&conn, &script.replace("VALUES (2", "VALUES (3")).unwrap();
        let err = conn.run_parsed(&script, after_two).unwrap_err();
        assert_eq!(err.kind(), DuckErrorType::Interrupt);
        assert_eq!(single_i64(&conn, "SELECT count(*) FROM t"), 7);
        assert!(conn.execute_batch("SELECT 1").is_ok());
    }

    #[test]
    fn scripts_split_as_duckdb_parses_them() {
        let conn = memory();
        let scripts = [
            "SELECT 1",
            "SELECT 1;",
            " ; ;SELECT 1;; ",
            "SELECT ';' AS a; SELECT 'it''s; fine'",
            "SELECT \"a;b\" FROM (SELECT 1 AS \"a;b\"); SELECT 2",
            "SELECT E'\\'; still' ; SELECT 'a\\'; SELECT 3",
            "SELECT $$;$$; SELECT $q$ $$ ; $q$; SELECT 4",
            "SELECT 1 AS a$b; SELECT 2 AS c$",
            "-- a; comment\nSELECT 1; -- trailing; comment",
            "/* a; /* nested; */ still; */ SELECT 1; /* end */",
            "SELECT 1 /* in; line */ + 2; SELECT 3 -- x;\n",
            "CREATE MACRO m(x) AS x + 1; SELECT m(1)",
            "CREATE TABLE s (v VARCHAR DEFAULT 'a;b', w VARCHAR DEFAULT $$c;d$$); DROP TABLE s",
            "SELECT [1, 2]; SELECT {'a': ';'}; SELECT MAP {';': 1}",
            "SELECT 'ñandú;'; SELECT '🦆'",
            "PRAGMA version; SET threads = 1; RESET threads",
        ];
        for script in scripts {
            let texts = crate::script::statements(script);
            assert_eq!(texts.len(), conn.count_statements(script).unwrap(), "{script:?} split as {texts:?}");
            for text in texts {
                assert_eq!(conn.count_statements(text).unwrap(), 1, "{text:?} of {script:?}");
            }
            conn.execute_batch(script).unwrap_or_else(|e| panic!("{script:?}: {e}"));
        }
    }

    #[test]
    fn text_is_checked_utf8_inline_or_not() {
        let conn = memory();
        let mut stmt = conn
            .prepare(
                "SELECT * FROM (VALUES ('ascii'::BLOB), ('a longer ascii string'::BLOB), (encode('ñandú')), \
                 (encode('a longer ñandú string')), ('\\xFF'::BLOB), ('prefix then \\xC3\\x28'::BLOB)) t(b)",
            )
            .unwrap();
        let mut result = stmt.execute(false).unwrap();
        let ty = result.columns()[0].ty.clone();
        let chunk = result.next_chunk().unwrap().unwrap();
        let column = chunk.column(0, &ty).unwrap();
        let texts: Vec<_> = (0..6).map(|row| column.text(row).unwrap().ok()).collect();
        assert_eq!(
            texts,
            [Some("ascii"), Some("a longer ascii string"), Some("ñandú"), Some("a longer ñandú string"), None, None]
        );
        assert!(column.text(6).is_none());
    }

    #[test]
    fn a_variant_column_exposes_its_parts() {
        let conn = memory();
        let mut stmt = conn.prepare("SELECT * FROM (VALUES ({'a': 7}::VARIANT), (NULL)) t(v)").unwrap();
        let mut result = stmt.execute(false).unwrap();
        let ty = result.columns()[0].ty.clone();
        assert_eq!(ty, DuckType::Variant);
        let chunk = result.next_chunk().unwrap().unwrap();
        let column = chunk.column(0, &ty).unwrap();
        assert!(column.is_valid(0) && !column.is_valid(1));
        let [keys, children, values, data] = [0, 1, 2, 3].map(|i| column.child(i).unwrap());
        assert!(column.child(4).is_none());
        // The object's one key; one child, that key's value; two values,
        // the object (type 29) and the integer 7 (type 5, four bytes).
        let key = keys.list_range(0).unwrap();
        assert_eq!(key.len(), 1);
        assert_eq!(keys.child(0).unwrap().text(key.start).unwrap().unwrap(), "a");
        let child = children.list_range(0).unwrap();
        assert_eq!(child.len(), 1);
        let child_parts = children.child(0).unwrap();
        assert_eq!(child_parts.child(0).unwrap().get::<u32>(child.start), Some(0));
        assert_eq!(child_parts.child(1).unwrap().get::<u32>(child.start), Some(1));
        let value = values.list_range(0).unwrap();
        let value_parts = values.child(0).unwrap();
        let type_ids: Vec<_> = value.clone().map(|i| value_parts.child(0).unwrap().get::<u8>(i).unwrap()).collect();
        assert_eq!(type_ids, [29, 5]);
        let offset = value_parts.child(1).unwrap().get::<u32>(value.start + 1).unwrap() as usize;
        assert_eq!(data.bytes(0).unwrap()[offset..offset + 4], 7i32.to_le_bytes());
    }

    #[test]
    fn untyped_parameter_is_unknown() {
        let stmt = memory().prepare("SELECT ? AS x").unwrap();
        assert_eq!(stmt.describe().params, vec![DuckType::Unknown]);
    }

    #[test]
    fn errors_carry_kind_and_caret() {
        let conn = memory();
        conn.execute_batch("CREATE TABLE u (id INTEGER)").unwrap();
        let err = conn.prepare("SELECT nope FROM u").unwrap_err();
        assert_eq!(err.kind(), DuckErrorType::Binder);
        assert!(err.message().contains("LINE 1"), "{}", err.message());
        assert_eq!(conn.count_statements("SELECT 1; SELECT 2").unwrap(), 2);
    }

    #[test]
    fn a_script_of_no_statement_runs_nothing_and_a_bad_one_fails() {
        let conn = memory();
        for empty in ["", "  \n", "-- only a comment", "/* a comment */ ;"] {
            assert_eq!(conn.count_statements(empty).unwrap(), 0, "{empty:?}");
            conn.execute_batch(empty).unwrap();
        }
        let err = conn.execute_batch("SELEC 1").unwrap_err();
        assert!(err.message().contains("syntax error"), "{}", err.message());
        assert!(crate::describe::describe(&conn, "-- nothing").unwrap_err().to_string().contains("holds no statement"));
    }

    #[test]
    fn rows_changed_counts_the_rows_of_a_returning_clause() {
        let conn = memory();
        conn.execute_batch("CREATE TABLE u (id INTEGER)").unwrap();
        let changed = |sql: &str| conn.prepare(sql).unwrap().execute(false).unwrap().rows_changed();
        assert_eq!(changed("INSERT INTO u SELECT range FROM range(5)"), 5);
        assert_eq!(changed("INSERT INTO u SELECT range FROM range(0)"), 0);
        assert_eq!(changed("INSERT INTO u SELECT range FROM range(3) RETURNING id"), 3);
        assert_eq!(changed("INSERT INTO u SELECT range FROM range(0) RETURNING id"), 0);
        assert_eq!(changed("UPDATE u SET id = id + 1 WHERE id < 2 RETURNING id"), 4);
        assert_eq!(changed("DELETE FROM u WHERE id >= 2 RETURNING *"), 6);
        assert_eq!(changed("SELECT * FROM u"), 0);
    }

    #[test]
    fn reads_chunks_with_nulls_strings_and_lists() {
        let conn = memory();
        let mut stmt = conn
            .prepare("SELECT i::BIGINT AS i, CASE WHEN i % 2 = 0 THEN NULL ELSE 'row number ' || i END AS s, [i, i + 1] AS l FROM range(3000) t(i)")
            .unwrap();
        let mut result = stmt.execute(false).unwrap();
        let types: Vec<_> = result.columns().iter().map(|c| c.ty.clone()).collect();
        let mut seen = 0;
        while let Some(chunk) = result.next_chunk().unwrap() {
            let ints = chunk.column(0, &types[0]).unwrap();
            let strings = chunk.column(1, &types[1]).unwrap();
            let lists = chunk.column(2, &types[2]).unwrap();
            assert!(ints.get::<i32>(0).is_none(), "width is checked");
            for row in 0..chunk.len() {
                let i = ints.get::<i64>(row).unwrap();
                assert_eq!(i, seen as i64);
                assert_eq!(strings.is_valid(row), i % 2 == 1);
                if i % 2 == 1 {
                    assert_eq!(strings.bytes(row).unwrap(), format!("row number {i}").as_bytes());
                }
                let range = lists.list_range(row).unwrap();
                let child = lists.child(0).unwrap();
                let items: Vec<i64> = range.map(|r| child.get::<i64>(r).unwrap()).collect();
                assert_eq!(items, [i, i + 1]);
                seen += 1;
            }
            assert!(ints.get::<i64>(chunk.len()).is_none(), "bounds are checked");
        }
        assert_eq!(seen, 3000);
    }

    #[test]
    fn a_struct_value_needs_one_value_per_field() {
        let ty = DuckType::Struct { fields: vec![("a".into(), DuckType::Integer), ("b".into(), DuckType::Integer)] };
        let short = Value::Struct { ty: ty.clone(), values: vec![Value::Integer(1)] };
        let Err(err) = OwnedValue::create(&short) else { panic!("a short struct was created") };
        assert!(err.message().contains("1 value(s) for type STRUCT"), "{err:?}");
        let not_a_struct = Value::Struct { ty: DuckType::Integer, values: vec![] };
        assert!(OwnedValue::create(&not_a_struct).is_err());
        let whole = Value::Struct { ty, values: vec![Value::Integer(1), Value::Null] };
        assert!(OwnedValue::create(&whole).is_ok());
    }

    #[test]
    fn a_variant_column_is_appended_as_the_values_type_and_cast() {
        let conn = memory();
        conn.execute_batch("CREATE TABLE t (i INTEGER, v VARIANT)").unwrap();
        let mut appender = conn.appender(None, None, "t").unwrap();
        assert!(appender.new_chunk_for(&[DuckType::Integer]).unwrap_err().message().contains("column 2 is a VARIANT"));
        let unknown = appender.new_chunk_for(&[DuckType::Integer, DuckType::Unknown]).unwrap_err();
        assert!(unknown.message().contains("whose DuckDB type it knows"), "{unknown}");
        let mut chunk = appender.new_chunk_for(&[DuckType::Integer, DuckType::Json]).unwrap();
        assert_eq!(chunk.types(), [DuckType::Integer, DuckType::Json]);
        for (i, json) in [r#"{"a": [1, 2]}"#, "3"].into_iter().enumerate() {
            assert!(chunk.column(0).unwrap().put(i as i32) && chunk.column(1).unwrap().put_bytes(json.as_bytes()));
            chunk.commit_row();
        }
        appender.append(&mut chunk).unwrap();
        appender.flush().unwrap();
        drop(appender);
        let texts = first_column_texts(&conn, "SELECT variant_typeof(v) || ' ' || v::VARCHAR FROM t ORDER BY i");
        assert_eq!(texts, [Some("OBJECT(a) {'a': [1, 2]}".to_owned()), Some("UINT64 3".to_owned())]);
        // A table without VARIANT columns keeps its own types.
        conn.execute_batch("CREATE TABLE plain (i INTEGER)").unwrap();
        let plain = conn.appender(None, None, "plain").unwrap();
        assert_eq!(plain.new_chunk_for(&[DuckType::Varchar]).unwrap().types(), [DuckType::Integer]);
    }

    #[test]
    fn appends_structs_maps_and_arrays() {
        let conn = memory();
        conn.execute_batch("CREATE TABLE t (s STRUCT(a INTEGER, b VARCHAR), m MAP(VARCHAR, BIGINT), a SMALLINT[2])")
            .unwrap();
        let mut appender = conn.appender(None, None, "t").unwrap();
        let mut chunk = appender.new_chunk().unwrap();
        for row in 0..3i16 {
            let mut s = chunk.column(0).unwrap();
            if row == 1 {
                s.set_null();
            } else {
                let written = s.put_struct(|i, name, field| {
                    let ok = if i == 0 { field.put(i32::from(row)) } else { field.put_bytes(name.as_bytes()) };
                    if ok {
                        Ok(())
                    } else {
                        Err(())
                    }
                });
                written.unwrap().unwrap();
            }
            let written = chunk.column(1).unwrap().put_map(row as usize, |i, key, value| {
                if key.put_bytes(format!("k{i}").as_bytes()) && value.put(i as i64) {
                    Ok(())
                } else {
                    Err(())
                }
            });
            written.unwrap().unwrap();
            let mut array = chunk.column(2).unwrap();
            assert!(array.put_array(3, |_, _| Ok::<(), ()>(())).is_none(), "the size is checked");
            array.put_array(2, |i, e| if e.put(row * 10 + i as i16) { Ok(()) } else { Err(()) }).unwrap().unwrap();
            // Each writer refuses the other kinds of column.
            assert!(chunk.column(0).unwrap().put_map(0, |_, _, _| Ok::<(), ()>(())).is_none());
            assert!(chunk.column(1).unwrap().put_struct(|_, _, _| Ok::<(), ()>(())).is_none());
            chunk.commit_row();
        }
        appender.append(&mut chunk).unwrap();
        appender.flush().unwrap();
        drop(appender);
        let rows = first_column_texts(&conn, "SELECT s::VARCHAR || ' ' || m::VARCHAR || ' ' || a::VARCHAR FROM t");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].as_deref(), Some("{'a': 0, 'b': b} {} [0, 1]"));
        assert_eq!(rows[1], None, "a NULL struct makes the concatenation NULL");
        assert_eq!(rows[2].as_deref(), Some("{'a': 2, 'b': b} {k0=0, k1=1} [20, 21]"));
        let matching =
            single_i64(&conn, "SELECT count(*) FROM t WHERE s IS NULL AND m = MAP {'k0': 0} AND a = [10, 11]");
        assert_eq!(matching, 1);
    }

    #[test]
    fn an_appender_of_named_columns_takes_their_types_and_refuses_unknown_names() {
        let conn = memory();
        conn.execute_batch("CREATE TABLE t (id BIGINT DEFAULT 5, name VARCHAR, flag BOOLEAN)").unwrap();
        let mut appender = conn.appender(None, None, "t").unwrap();
        assert_eq!(appender.column_types().len(), 3);
        appender.set_columns(&["flag", "name"]).unwrap();
        assert_eq!(appender.column_types(), [DuckType::Boolean, DuckType::Varchar]);
        let mut chunk = appender.new_chunk().unwrap();
        assert!(chunk.column(0).unwrap().put(1u8) && chunk.column(1).unwrap().put_bytes(b"x"));
        chunk.commit_row();
        appender.append(&mut chunk).unwrap();
        appender.flush().unwrap();
        let mut other = conn.appender(None, None, "t").unwrap();
        let err = other.set_columns(&["missing"]).unwrap_err();
        assert!(err.message().contains("missing"), "{err:?}");
        assert!(other.set_columns(&["nul\0"]).is_err());
    }

    #[test]
    fn binds_nested_values_and_appends_chunks() {
        let mut conn = memory();
        conn.execute_batch("CREATE TABLE t (id BIGINT, name VARCHAR, xs INTEGER[])").unwrap();
        let mut appender = conn.appender(None, None, "t").unwrap();
        let mut chunk = appender.new_chunk().unwrap();
        for i in 0..3i64 {
            assert!(chunk.column(0).unwrap().put(i));
            let mut name = chunk.column(1).unwrap();
            if i == 1 {
                name.set_null();
            } else {
                assert!(name.put_bytes(format!("a fairly long name {i}").as_bytes()));
            }
            let res: Option<Result<(), ()>> =
                chunk.column(2).unwrap().put_list(i as usize, |j, w| if w.put(j as i32) { Ok(()) } else { Err(()) });
            res.unwrap().unwrap();
            chunk.commit_row();
        }
        appender.append(&mut chunk).unwrap();
        appender.flush().unwrap();
        drop(appender);
        let stmt = conn.prepare_cached("SELECT count(*) FROM t WHERE xs = $1").unwrap();
        stmt.bind(0, &Value::List { element: DuckType::Integer, items: vec![Value::Integer(0), Value::Integer(1)] })
            .unwrap();
        let mut result = stmt.execute(false).unwrap();
        let chunk = result.next_chunk().unwrap().unwrap();
        let ty = result.columns()[0].ty.clone();
        assert_eq!(chunk.column(0, &ty).unwrap().get::<i64>(0), Some(1));
    }

    #[test]
    fn binds_bit_bignum_and_timetz_through_duckdb_values() {
        let conn = memory();
        let mut stmt = conn
            .prepare("SELECT $1::BIT::VARCHAR || ' ' || $2::BIGNUM::VARCHAR || ' ' || $3::TIMETZ::VARCHAR")
            .unwrap();
        let huge: crate::BigNum = "-98765432109876543210987654321098765432109876543210".parse().unwrap();
        stmt.bind(0, &Value::Bit("100000001".parse().unwrap())).unwrap();
        stmt.bind(1, &Value::BigNum(huge.clone())).unwrap();
        stmt.bind(2, &Value::TimeTz { micros: 3_600_000_000, offset_seconds: -3600 }).unwrap();
        let mut result = stmt.execute(false).unwrap();
        let ty = result.columns()[0].ty.clone();
        let chunk = result.next_chunk().unwrap().unwrap();
        let text = chunk.column(0, &ty).unwrap().bytes(0).map(|b| String::from_utf8_lossy(b).into_owned());
        assert_eq!(text.as_deref(), Some(format!("100000001 {huge} 01:00:00-01").as_str()));
        stmt.bind(1, &Value::BigNum(crate::BigNum::default())).unwrap();
        let err = stmt.bind(2, &Value::TimeTz { micros: 0, offset_seconds: 57_600 }).unwrap_err();
        assert_eq!(err.kind(), DuckErrorType::OutOfRange);
    }

    #[test]
    fn interrupt_stops_a_running_query() {
        let conn = memory();
        let handle = conn.interrupt_handle();
        let mut stmt = conn.prepare("SELECT count(*) FROM range(10000000000) a").unwrap();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            handle.interrupt();
        });
        let err = stmt.execute(false).unwrap_err();
        t.join().unwrap();
        assert_eq!(err.kind(), DuckErrorType::Interrupt, "{err}");
        conn.execute_batch("SELECT 1").unwrap();
    }

    #[test]
    fn huge_page_advice_keeps_values_and_marks_the_memory() {
        // Nothing to advise: no panic, no call.
        advise_huge_pages::<u64>(&mut []);
        let mut small: Vec<u8> = Vec::with_capacity(10);
        advise_huge_pages(small.spare_capacity_mut());

        let len = 3 << 20; // 24 MiB of u64: several whole huge pages
        let mut values: Vec<u64> = Vec::with_capacity(len);
        values.extend(0..1000);
        advise_huge_pages(values.spare_capacity_mut());
        values.extend(1000..len as u64);
        assert!(values.iter().enumerate().all(|(i, v)| *v == i as u64));

        // Where the kernel has transparent huge pages, the mapping that holds
        // the buffer now carries the advice ("hg" in its VmFlags).
        #[cfg(target_os = "linux")]
        if std::path::Path::new("/sys/kernel/mm/transparent_hugepage/enabled").exists() {
            let middle = values.as_ptr() as usize + len * 4;
            let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
            let mut flags_of_mapping = None;
            let mut inside = false;
            for line in smaps.lines() {
                let range = line.split_whitespace().next().and_then(|r| r.split_once('-'));
                if let Some((start, end)) = range.filter(|_| !line.starts_with("VmFlags")) {
                    if let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16)) {
                        inside = (start..end).contains(&middle);
                        continue;
                    }
                }
                if inside && line.starts_with("VmFlags:") {
                    flags_of_mapping = Some(line.to_owned());
                }
            }
            let flags = flags_of_mapping.expect("the buffer's mapping is listed");
            assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
        }
    }

    #[cfg(feature = "arrow")]
    #[test]
    fn chunks_convert_to_arrow_batches_with_the_result_schema() {
        use arrow_array::{Array, Int64Array, StringArray};
        let conn = memory();
        let mut stmt = conn
            .prepare("SELECT range AS n, CASE WHEN range % 2 = 0 THEN 'even' END AS label FROM range(3000)")
            .unwrap();
        let mut result = stmt.execute(false).unwrap();
        let converter = result.arrow_converter().unwrap();
        let names: Vec<_> = converter.schema().fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(names, ["n", "label"]);
        let mut seen = 0;
        while let Some(chunk) = result.next_chunk().unwrap() {
            let batch = converter.convert(&chunk).unwrap();
            assert_eq!(batch.num_rows(), chunk.len());
            let n = batch.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
            let label = batch.column(1).as_any().downcast_ref::<StringArray>().unwrap();
            for r in 0..batch.num_rows() {
                assert_eq!(n.value(r), seen as i64);
                assert_eq!(label.is_valid(r), seen % 2 == 0);
                seen += 1;
            }
        }
        assert_eq!(seen, 3000);
    }

    #[cfg(feature = "arrow")]
    #[test]
    fn arrow_batches_append_a_vector_at_a_time() {
        let conn = memory();
        conn.execute_batch("CREATE TABLE src AS SELECT range AS n, range::VARCHAR AS s FROM range(5000); CREATE TABLE dst (n BIGINT, s VARCHAR)").unwrap();
        let mut stmt = conn.prepare("SELECT n, s FROM src ORDER BY n").unwrap();
        let mut result = stmt.execute(false).unwrap();
        let converter = result.arrow_converter().unwrap();
        let mut appender = conn.appender(None, None, "dst").unwrap();
        while let Some(chunk) = result.next_chunk().unwrap() {
            appender.append_arrow(&converter.convert(&chunk).unwrap()).unwrap();
        }
        appender.flush().unwrap();
        drop(appender);
        let mut check = conn.prepare("SELECT count(*) FROM src JOIN dst USING (n) WHERE src.s = dst.s").unwrap();
        let mut result = check.execute(false).unwrap();
        let ty = result.columns()[0].ty.clone();
        let chunk = result.next_chunk().unwrap().unwrap();
        assert_eq!(chunk.column(0, &ty).unwrap().get::<i64>(0), Some(5000));
    }
}
