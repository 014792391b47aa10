//! Where the macros find the schema to check statements against.
//!
//! In order: `ANDAMIOS_OFFLINE=true` (the offline cache only), `DATABASE_URL`
//! (the process environment, then `.env` files from the crate's folder up),
//! the crate's migrations folder applied to an in-memory DuckDB, the
//! offline cache, then an empty database (for statements that read files
//! only). A schema database is built once per process and reused until its
//! migration files change.

use crate::describe::{describe_cached, DescribeError, QueryDescription, TableCache};
use crate::ffi::{Connection, Database, OpenOptions};
use crate::migrate::{self, Migration};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Name of the folder that holds the offline cache.
pub const CACHE_DIR_NAME: &str = ".andamios-cache";

/// Where a crate's statements are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// Only the offline cache in this folder.
    Offline(PathBuf),
    /// A database file, opened read-only.
    Database {
        /// The URL as given.
        url: String,
        /// The file.
        path: String,
    },
    /// Migrations applied to an in-memory database.
    Migrations(PathBuf),
    /// None of the others: an empty in-memory database, which checks the
    /// statements that need no table (`SELECT * FROM read_csv('f.csv')`);
    /// for the others, [`NO_SCHEMA`] says what to give.
    Empty,
}

/// What to give the macros when a statement names a table that an empty
/// database (see [`SchemaSource::Empty`]) lacks.
pub const NO_SCHEMA: &str = concat!(
    "There is no schema to check this query against, only an empty database (which checks statements that read ",
    "files alone); give one of:\n",
    "  - a `migrations/` folder beside the crate's Cargo.toml (or set ANDAMIOS_MIGRATIONS to the folder),\n",
    "  - DATABASE_URL=duckdb:path/to/app.duckdb, in the environment or a .env file,\n",
    "  - an offline cache, `.andamios-cache/` (written by `andamios prepare`), with ANDAMIOS_OFFLINE=true",
);

/// The settings that choose a source, read from the environment by the
/// macros (and set explicitly by tests and the CLI).
#[derive(Debug, Clone, Default)]
pub struct SourceSettings {
    /// `ANDAMIOS_OFFLINE`.
    pub offline: bool,
    /// `DATABASE_URL`.
    pub database_url: Option<String>,
    /// The folder of the crate being compiled (`CARGO_MANIFEST_DIR`).
    pub manifest_dir: PathBuf,
    /// `ANDAMIOS_MIGRATIONS`: the migrations folder, relative to the crate
    /// (default `migrations`).
    pub migrations: Option<PathBuf>,
    /// `ANDAMIOS_OFFLINE_DIR`: where to read the cache (default: the nearest
    /// `.andamios-cache` from the crate's folder up).
    pub offline_dir: Option<PathBuf>,
    /// `ANDAMIOS_CACHE_DIR` is set: `andamios prepare` is writing the
    /// offline cache, which then cannot be the source.
    pub preparing: bool,
    /// `ANDAMIOS_ATTACH`: databases the program attaches when it runs, as
    /// written (see [`parse_attachments`]).
    pub attach: Option<String>,
}

/// A database file the program attaches when it runs (with
/// `PoolOptions::attach`, say), named in `ANDAMIOS_ATTACH` so that
/// the macros know its schema: they copy it (no rows) into a database of
/// that name beside the schema they check against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name statements give it (`lookup` in `lookup.countries`).
    pub name: String,
    /// The file, relative to the folder the compiler runs in (the
    /// workspace's root), as `DATABASE_URL`'s.
    pub path: String,
}

/// Parses `ANDAMIOS_ATTACH`: `name=path` entries separated by commas
/// (`lookup=data/lookup.duckdb,geo=/srv/geo.duckdb`).
pub fn parse_attachments(text: &str) -> Result<Vec<Attachment>, String> {
    let mut attachments: Vec<Attachment> = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((name, path)) = entry.split_once('=').map(|(n, p)| (n.trim(), p.trim())) else {
            return Err(format!(
                "ANDAMIOS_ATTACH: `{entry}` is not `name=path`; write each database the program attaches as \
                 `lookup=data/lookup.duckdb`, separated by commas"
            ));
        };
        let identifier = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !identifier {
            return Err(format!(
                "ANDAMIOS_ATTACH: `{name}` is not a database name: use letters, digits and `_`, as the name the \
                 program's ATTACH gives it (`ATTACH 'data/lookup.duckdb' AS lookup`)"
            ));
        }
        if ["main", "memory", "system", "temp"].iter().any(|taken| name.eq_ignore_ascii_case(taken)) {
            return Err(format!("ANDAMIOS_ATTACH: `{name}` is a name DuckDB keeps for itself; attach it as another"));
        }
        if attachments.iter().any(|a| a.name.eq_ignore_ascii_case(name)) {
            return Err(format!("ANDAMIOS_ATTACH names `{name}` twice"));
        }
        let path = path.strip_prefix("duckdb:").unwrap_or(path);
        if path.is_empty() || path == ":memory:" {
            return Err(format!(
                "ANDAMIOS_ATTACH: `{name}` names no database file; give the file the program attaches: \
                 `{name}=data/{name}.duckdb`"
            ));
        }
        attachments.push(Attachment { name: name.to_owned(), path: path.to_owned() });
    }
    Ok(attachments)
}

impl SourceSettings {
    /// Reads the settings from the process environment and `.env` files.
    pub fn from_env(manifest_dir: PathBuf) -> SourceSettings {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let dotenv = read_dotenv(&manifest_dir);
        let lookup = |name: &str| env(name).or_else(|| dotenv.get(name).cloned());
        SourceSettings {
            offline: lookup("ANDAMIOS_OFFLINE").is_some_and(|v| matches!(v.as_str(), "true" | "1" | "yes")),
            database_url: lookup("DATABASE_URL"),
            migrations: lookup("ANDAMIOS_MIGRATIONS").map(PathBuf::from),
            offline_dir: lookup("ANDAMIOS_OFFLINE_DIR").map(PathBuf::from),
            preparing: env("ANDAMIOS_CACHE_DIR").is_some(),
            attach: lookup("ANDAMIOS_ATTACH"),
            manifest_dir,
        }
    }

    /// The migrations folder of the crate.
    pub fn migrations_dir(&self) -> PathBuf {
        let dir = self.migrations.clone().unwrap_or_else(|| PathBuf::from("migrations"));
        if dir.is_absolute() {
            dir
        } else {
            self.manifest_dir.join(dir)
        }
    }

    /// The offline cache folder to read: explicit, or the nearest existing
    /// `.andamios-cache` from the crate's folder up (else the crate's own).
    pub fn offline_dir(&self) -> PathBuf {
        if let Some(dir) = &self.offline_dir {
            return if dir.is_absolute() { dir.clone() } else { self.manifest_dir.join(dir) };
        }
        self.manifest_dir
            .ancestors()
            .map(|d| d.join(CACHE_DIR_NAME))
            .find(|d| d.is_dir())
            .unwrap_or_else(|| self.manifest_dir.join(CACHE_DIR_NAME))
    }

    /// The databases of `ANDAMIOS_ATTACH`.
    pub fn attachments(&self) -> Result<Vec<Attachment>, String> {
        self.attach.as_deref().map_or(Ok(Vec::new()), parse_attachments)
    }

    /// Picks the source; an error only for a `DATABASE_URL` that names no
    /// DuckDB database.
    pub fn resolve(&self) -> Result<SchemaSource, String> {
        if self.offline {
            return Ok(SchemaSource::Offline(self.offline_dir()));
        }
        if let Some(url) = &self.database_url {
            let path = database_path(url)?;
            return Ok(SchemaSource::Database { url: url.clone(), path });
        }
        let migrations = self.migrations_dir();
        if migrations.is_dir() {
            return Ok(SchemaSource::Migrations(migrations));
        }
        let offline = self.offline_dir();
        // Read while it is being written, the cache would describe only
        // what it already holds, and `prepare` drop the rest.
        if offline.is_dir() && !self.preparing {
            return Ok(SchemaSource::Offline(offline));
        }
        Ok(SchemaSource::Empty)
    }
}

/// Parses a DuckDB URL: `duckdb::memory:` (in memory) or
/// `duckdb:path/to/file.duckdb`, optionally followed by `?setting=value&...`
/// (`access_mode=read_only`, `threads=4`, `memory_limit=1GB`, any other
/// DuckDB setting). Returns the path (`:memory:` for memory) and the options.
pub fn parse_url(url: &str) -> Result<(String, OpenOptions), String> {
    let rest = url
        .strip_prefix("duckdb:")
        .ok_or_else(|| format!("`{url}` is not a DuckDB URL: use `duckdb:path/to/file.duckdb` or `duckdb::memory:`"))?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut open = OpenOptions::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| format!("`{pair}` in `{url}` is not `setting=value`"))?;
        match key {
            "access_mode" | "mode" => {
                open.read_only = match value.to_ascii_lowercase().as_str() {
                    "read_only" => true,
                    "read_write" | "automatic" => false,
                    _ => {
                        return Err(format!(
                            "{key}=`{value}` in `{url}` is not an access mode: use `read_only`, `read_write` or \
                             `automatic`"
                        ))
                    }
                }
            }
            "threads" => open.threads = Some(value.parse().map_err(|_| format!("threads=`{value}` is not a number"))?),
            "memory_limit" => open.memory_limit = Some(value.to_owned()),
            _ => open.settings.push((key.to_owned(), value.to_owned())),
        }
    }
    // An empty path would open an in-memory database where a file was
    // likely meant (an unset variable in `duckdb:${PATH}`): its data would
    // vanish with the process.
    if path.is_empty() {
        return Err(format!(
            "`{url}` names no database: use `duckdb:path/to/file.duckdb`, or `duckdb::memory:` for a database in memory"
        ));
    }
    // DuckDB would create a file of that name, where an in-memory
    // database was meant.
    if path == ":memory" {
        return Err(format!(
            "`{url}` names a file `:memory`: for a database in memory write `duckdb::memory:`, with the closing colon"
        ));
    }
    // DuckDB would create a file named after the folder.
    if path.ends_with('/') || path.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(format!(
            "`{url}` names a folder, `{path}`: name the database file in it, `duckdb:{path}app.duckdb`"
        ));
    }
    Ok((path.to_owned(), open))
}

/// The file path of a `duckdb:` URL (`:memory:` for an in-memory one).
pub fn database_path(url: &str) -> Result<String, String> {
    parse_url(url).map(|(path, _)| path)
}

/// `KEY=VALUE` lines of the nearest `.env` from `dir` up.
fn read_dotenv(dir: &Path) -> HashMap<String, String> {
    let Some(text) = dir.ancestors().find_map(|d| std::fs::read_to_string(d.join(".env")).ok()) else {
        return HashMap::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), dotenv_value(v)))
        .collect()
}

/// A `.env` value as dotenv tools read it: in quotes, what they enclose;
/// otherwise up to a ` #` comment. (`DATABASE_URL=duckdb:app.duckdb  #
/// local` names `app.duckdb`, not a file whose name holds the comment.)
fn dotenv_value(raw: &str) -> String {
    let raw = raw.trim();
    for quote in ['"', '\''] {
        if let Some(quoted) = raw.strip_prefix(quote) {
            if let Some((value, _)) = quoted.split_once(quote) {
                return value.to_owned();
            }
        }
    }
    let comment = raw.match_indices('#').find(|&(at, _)| raw[..at].ends_with(char::is_whitespace));
    comment.map_or(raw, |(at, _)| &raw[..at]).trim_end().to_owned()
}

/// A database to describe statements against, shared within the process.
#[derive(Debug)]
pub struct SchemaDatabase {
    conn: Mutex<(Connection, TableCache)>,
    /// The migration files it was built from (empty for a database file).
    pub migrations: Vec<Migration>,
}

impl SchemaDatabase {
    fn new(conn: Connection, migrations: Vec<Migration>) -> SchemaDatabase {
        SchemaDatabase { conn: Mutex::new((conn, TableCache::default())), migrations }
    }

    /// Runs `f` with the connection (one caller at a time).
    pub fn with_connection<R>(&self, f: impl FnOnce(&Connection) -> R) -> R {
        let guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&guard.0)
    }

    /// Describes `sql`, remembering what the schema's tables declare.
    pub fn describe(&self, sql: &str) -> Result<QueryDescription, DescribeError> {
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let (conn, cache) = &mut *guard;
        describe_cached(conn, sql, cache)
    }
}

/// Schema databases (or why one could not be built), by source and content:
/// a broken migration is applied once per compiler run, not once per query.
type Memo = Mutex<HashMap<String, Result<Arc<SchemaDatabase>, Arc<Failure>>>>;

/// Why a schema database could not be built. Every query checked against
/// it fails with it, but only the first is told all of DuckDB's message
/// (its caret excerpt, the statement), the others its first line: else one
/// broken migration would fill a build's output once per query.
#[derive(Debug)]
struct Failure {
    message: String,
    told: AtomicBool,
}

impl Failure {
    fn new(message: String) -> Arc<Failure> {
        Arc::new(Failure { message, told: AtomicBool::new(false) })
    }

    /// The message, in full the first time.
    fn tell(&self) -> String {
        // A message of one line is the same in full.
        if !self.told.swap(true, Ordering::Relaxed) || !self.message.contains('\n') {
            return self.message.clone();
        }
        let headline = self.message.lines().next().unwrap_or_default();
        format!("{headline} (in full at the first query checked)")
    }
}

/// The memo's answer, as `open` gives it.
fn told(known: &Result<Arc<SchemaDatabase>, Arc<Failure>>) -> Result<Arc<SchemaDatabase>, String> {
    known.clone().map_err(|failure| failure.tell())
}

fn memo() -> &'static Memo {
    static MEMO: OnceLock<Memo> = OnceLock::new();
    MEMO.get_or_init(Memo::default)
}

/// The schema database remembered under `key`, or the one `build` gives,
/// remembered in place of those under keys that `stale` picks (the same
/// source's, before its files changed).
fn remembered(
    key: String,
    stale: impl Fn(&str) -> bool,
    build: impl FnOnce() -> Result<Arc<SchemaDatabase>, String>,
) -> Result<Arc<SchemaDatabase>, String> {
    if let Some(known) = memo().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return told(known);
    }
    let built = build().map_err(Failure::new);
    let mut memo = memo().lock().unwrap_or_else(|e| e.into_inner());
    memo.retain(|k, _| !stale(k));
    memo.insert(key, built.clone());
    told(&built)
}

/// Opens (or reuses) the schema database of `source`, with the schema of
/// each of `attach` copied into a database of its name.
pub fn open(source: &SchemaSource, attach: &[Attachment]) -> Result<Arc<SchemaDatabase>, String> {
    // The key changes when a file (or its write-ahead log) does.
    let stamp = |file: &str| std::fs::metadata(file).ok().map(|m| (m.modified().ok(), m.len()));
    let stamps = |file: &str| format!("{:?}:{:?}", stamp(file), stamp(&format!("{file}.wal")));
    let attach = attach.iter().map(|a| read_attachment(a, CHECKING)).collect::<Result<Vec<_>, _>>()?;
    let attach = attach.as_slice();
    let attached: String = attach.iter().map(|a| a.fingerprint(stamps)).collect();
    match source {
        SchemaSource::Offline(_) => Err("the offline cache is not a database".into()),
        SchemaSource::Database { url, path } => {
            let key = format!("db:{path}:{}{attached}", stamps(path));
            let same_file = format!("db:{path}:");
            remembered(key, |k| k.starts_with(&same_file), || schema_snapshot(url, path, attach))
        }
        SchemaSource::Empty => {
            let empty = "(an empty database)";
            remembered(
                format!("{empty}{attached}"),
                |k| k.starts_with(empty),
                || build_from_migrations(Vec::new(), attach),
            )
        }
        SchemaSource::Migrations(dir) => {
            let migrations = migrate::read_dir(dir).map_err(|e| e.0)?;
            // The key changes when any migration file does.
            let folder = dir.display().to_string();
            let mut fingerprint = folder.clone();
            for m in &migrations {
                fingerprint.push_str(&format!(":{}:{}", m.version, migrate::hex(&m.checksum)));
            }
            fingerprint.push_str(&attached);
            let same_folder = |k: &str| {
                k.strip_prefix(folder.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '|']))
            };
            remembered(fingerprint, same_folder, || build_from_migrations(migrations, attach))
        }
    }
}

/// Makes the schema of `attachment` in a new in-memory database of its
/// name: its file's schema copied (no rows), the file closed again at
/// once, as the macros do for `DATABASE_URL`'s; or, for a folder, its
/// migrations applied there (a schema kept as SQL beside the code, which
/// a build or CI can make without the file). Returns the migrations it
/// applied, for the build to track. An `#[andamios::test]` database gets
/// its attachments this way too: their tables, empty, for its fixtures to
/// fill. `purpose` ends the first words of an error:
/// "cannot attach `lookup` from `path` (ANDAMIOS_ATTACH) {purpose}".
pub fn attach_schema(conn: &Connection, attachment: &Attachment, purpose: &str) -> Result<Vec<Migration>, String> {
    read_attachment(attachment, purpose)?.attach(conn)
}

/// An attachment, with what its schema is made from read: its file, or
/// its folder's migrations (read once, for the memo's key and the build).
struct ReadAttachment<'a> {
    attachment: &'a Attachment,
    /// For a folder, its migrations.
    migrations: Option<Vec<Migration>>,
    /// How an error begins: "cannot attach `lookup` from `path`
    /// (ANDAMIOS_ATTACH) {purpose}".
    what: String,
}

/// Reads `attachment`: an error where its file or folder is missing, or
/// the folder's migrations cannot be read.
fn read_attachment<'a>(attachment: &'a Attachment, purpose: &str) -> Result<ReadAttachment<'a>, String> {
    let Attachment { name, path } = attachment;
    let what = format!("cannot attach `{name}` from `{path}` (ANDAMIOS_ATTACH) {purpose}");
    let path = Path::new(path);
    if !path.exists() {
        if path.is_absolute() {
            return Err(format!("{what}: the file does not exist."));
        }
        let from = std::env::current_dir().map(|dir| format!(", {}", dir.display())).unwrap_or_default();
        return Err(format!(
            "{what}: the file does not exist. A relative path is read from the folder cargo runs the compiler \
             in{from} (the workspace's root); write it from there, or an absolute one."
        ));
    }
    let migrations =
        if path.is_dir() { Some(migrate::read_dir(path).map_err(|e| format!("{what}: {}", e.0))?) } else { None };
    Ok(ReadAttachment { attachment, migrations, what })
}

impl ReadAttachment<'_> {
    /// What decides its schema, for the memo's key: its migrations'
    /// checksums for a folder, else its file's size and time.
    fn fingerprint(&self, stamps: impl Fn(&str) -> String) -> String {
        let Attachment { name, path } = self.attachment;
        let what = match &self.migrations {
            Some(migrations) => migrations
                .iter()
                .map(|m| format!("{}:{}", m.version, migrate::hex(&m.checksum)))
                .collect::<Vec<_>>()
                .join(","),
            None => stamps(path),
        };
        format!("|attach:{name}={path}:{what}")
    }

    /// Makes its schema on `conn` (see [`attach_schema`]).
    fn attach(&self, conn: &Connection) -> Result<Vec<Migration>, String> {
        let (Attachment { name, path }, what) = (self.attachment, &self.what);
        conn.execute_batch(&format!("ATTACH ':memory:' AS \"{name}\""))
            .map_err(|e| format!("{what}: {}", e.message()))?;
        let Some(migrations) = &self.migrations else {
            copy_schema(conn, path, name, "Stop it, or have the program attach the file read-only.")
                .map_err(|e| format!("{what}: {e}"))?;
            return Ok(Vec::new());
        };
        let home = current_database(conn).map_err(|e| format!("{what}: {}", e.message()))?;
        conn.execute_batch(&format!("USE \"{name}\"")).map_err(|e| format!("{what}: {}", e.message()))?;
        let applied = apply_migrations(conn, migrations, &[]);
        conn.execute_batch(&format!("USE \"{}\"", home.replace('"', "\"\"")))
            .map_err(|e| format!("{what}: {}", e.message()))?;
        applied.map_err(|e| format!("{what}: {e}"))?;
        Ok(migrations.clone())
    }
}

/// The database `conn` uses (`USE`): where statements without one go.
fn current_database(conn: &Connection) -> Result<String, crate::DuckDbError> {
    let mut result = conn.prepare("SELECT current_database()")?.execute(false)?;
    let ty = crate::DuckType::Varchar;
    let chunk = result.next_chunk()?;
    let name = chunk.as_ref().and_then(|c| c.column(0, &ty)?.text(0)?.ok().map(str::to_owned));
    Ok(name.unwrap_or_else(|| "memory".to_owned()))
}

/// Copies the schema of the database file at `path` (tables, views, types,
/// macros, sequences; no rows) into the database `into`, the file attached
/// read-only for the copy only. A file kept open would keep its lock: in a
/// long-lived process (rust-analyzer's macro server), the application
/// could no longer open it to write. `when_locked` says what to do where
/// another process holds it.
fn copy_schema(conn: &Connection, path: &str, into: &str, when_locked: &str) -> Result<(), String> {
    let quoted = path.replace('\'', "''");
    let copied = conn.execute_batch(&format!(
        "ATTACH '{quoted}' AS andamios_schema_source (READ_ONLY);
         COPY FROM DATABASE andamios_schema_source TO \"{into}\" (SCHEMA);"
    ));
    let detached = conn.execute_batch("DETACH DATABASE IF EXISTS andamios_schema_source");
    copied.and(detached).map_err(|e| {
        let message = e.message();
        if message.contains("lock") {
            format!(
                "the file is locked by another process (a running application holds it; DuckDB allows one writer \
                 per file). {when_locked}\nDuckDB said: {message}"
            )
        } else {
            message.to_owned()
        }
    })
}

/// The options of a database opened to check queries while a crate
/// compiles: DuckDB must not download the extensions a statement needs
/// (a build reaches no network, or hangs on a slow one); one installed
/// beforehand still loads.
fn compile_time_options() -> OpenOptions {
    OpenOptions { settings: vec![("autoinstall_known_extensions".into(), "false".into())], ..OpenOptions::default() }
}

/// The schema of the database file at `path` copied into a new in-memory
/// database (see [`copy_schema`]), with the schemas of `attach`.
fn schema_snapshot(url: &str, path: &str, attach: &[ReadAttachment<'_>]) -> Result<Arc<SchemaDatabase>, String> {
    let db = Database::open(":memory:", &compile_time_options()).map_err(|e| e.to_string())?;
    let conn = db.connect().map_err(|e| e.to_string())?;
    copy_schema(
        &conn,
        path,
        "memory",
        "Stop it, or unset DATABASE_URL to check against the migrations folder instead.",
    )
    .map_err(|e| format!("cannot open DATABASE_URL `{url}` to check this query: {e}"))?;
    let mut applied = Vec::new();
    for a in attach {
        applied.extend(a.attach(&conn)?);
    }
    Ok(Arc::new(SchemaDatabase::new(conn, applied)))
}

/// What the macros attach a database for (see [`attach_schema`]).
const CHECKING: &str = "to check this query";

/// Applies `migrations` to a new in-memory database, after the schemas of
/// `attach`: the program attaches those in `after_connect`, before its
/// migrations run, which may read them (a view over `lookup.countries`).
fn build_from_migrations(
    migrations: Vec<Migration>,
    attach: &[ReadAttachment<'_>],
) -> Result<Arc<SchemaDatabase>, String> {
    let db = Database::open(":memory:", &compile_time_options()).map_err(|e| e.to_string())?;
    let conn = db.connect().map_err(|e| e.to_string())?;
    let mut applied = Vec::new();
    for a in attach {
        applied.extend(a.attach(&conn)?);
    }
    apply_migrations(&conn, &migrations, attach)?;
    applied.extend(migrations);
    Ok(Arc::new(SchemaDatabase::new(conn, applied)))
}

/// Applies `migrations` on `conn`, each in a transaction of its own, as
/// `andamios migrate run` and `Migrator::run` apply it: what cannot run in
/// one fails here too. `attach` (what was attached before) explains a
/// migration that attaches one of those names again.
fn apply_migrations(conn: &Connection, migrations: &[Migration], attach: &[ReadAttachment<'_>]) -> Result<(), String> {
    for m in migrations {
        let applied =
            conn.execute_batch("BEGIN TRANSACTION").and_then(|()| migrate::apply_writing_no_file(conn, &m.sql));
        applied.and_then(|()| conn.execute_batch("COMMIT")).map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            let statement = match e.script_statement().filter(|at| at.count > 1) {
                Some(at) => format!(
                    "\n  in its statement {} of {}{}",
                    at.index + 1,
                    at.count,
                    e.statement_sql().map(|text| format!(": {text}")).unwrap_or_default()
                ),
                None => String::new(),
            };
            // Only a file a migration attached is read-only here.
            let read_only = if e.message().contains("read-only mode") { ATTACHED_READ_ONLY } else { "" };
            let attached_twice = attach
                .iter()
                .map(|a| a.attachment)
                .find(|a| e.message().contains(&format!("database with name \"{}\" already exists", a.name)))
                .map(|a| {
                    format!(
                        "\n  ANDAMIOS_ATTACH attaches `{}` before the migrations run, as the program's \
                         `after_connect` does.",
                        a.name
                    )
                })
                .unwrap_or_default();
            format!(
                "migration {} failed while building the schema to check queries: {}{statement}{read_only}{attached_twice}",
                m.path.display(),
                e.message()
            )
        })?;
    }
    Ok(())
}

/// What the error of a migration adds where a file it attached was read-only.
const ATTACHED_READ_ONLY: &str = "\n  While the crate compiles, the macros attach database files read-only, so that a \
     build never creates or changes one: no migration can write to a file it attaches (nor can one at run \
     time: a migration records itself in the pool's database in the same transaction, and a DuckDB \
     transaction writes to one database).";

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("andamios-schema-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn resolves_sources_in_order() {
        let dir = temp("order");
        let settings = SourceSettings { manifest_dir: dir.clone(), ..SourceSettings::default() };
        assert_eq!(settings.resolve().unwrap(), SchemaSource::Empty);
        std::fs::create_dir_all(dir.join(CACHE_DIR_NAME)).unwrap();
        assert_eq!(settings.resolve().unwrap(), SchemaSource::Offline(dir.join(CACHE_DIR_NAME)));
        let preparing = SourceSettings { preparing: true, ..settings.clone() };
        assert_eq!(preparing.resolve().unwrap(), SchemaSource::Empty);
        std::fs::create_dir_all(dir.join("migrations")).unwrap();
        assert_eq!(settings.resolve().unwrap(), SchemaSource::Migrations(dir.join("migrations")));
        let with_url = SourceSettings { database_url: Some("duckdb:app.duckdb".into()), ..settings.clone() };
        assert!(matches!(with_url.resolve().unwrap(), SchemaSource::Database { path, .. } if path == "app.duckdb"));
        let offline = SourceSettings { offline: true, ..with_url };
        assert!(matches!(offline.resolve().unwrap(), SchemaSource::Offline(_)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parses_urls() {
        assert_eq!(parse_url("duckdb::memory:").unwrap().0, ":memory:");
        assert!(parse_url("duckdb:").unwrap_err().contains("names no database"));
        assert!(parse_url("duckdb://?threads=2").unwrap_err().contains("names no database"));
        let folder = parse_url("duckdb:data/?threads=2").unwrap_err();
        assert!(folder.contains("names a folder, `data/`: name the database file in it, `duckdb:data/app.duckdb`"));
        assert!(!parse_url("duckdb:a.duckdb?access_mode=READ_WRITE").unwrap().1.read_only);
        assert!(parse_url("duckdb:a.duckdb?mode=READ_ONLY").unwrap().1.read_only);
        assert!(parse_url("duckdb:a.duckdb?access_mode=readonly").unwrap_err().contains("not an access mode"));
        let (path, open) = parse_url("duckdb:data/app.duckdb?access_mode=read_only&threads=2&TimeZone=UTC").unwrap();
        assert_eq!(path, "data/app.duckdb");
        assert!(open.read_only);
        assert_eq!(open.threads, Some(2));
        assert_eq!(open.settings, vec![("TimeZone".to_owned(), "UTC".to_owned())]);
        assert!(parse_url("postgres://x").unwrap_err().contains("not a DuckDB URL"));
        assert!(parse_url("duckdb:x?threads=many").unwrap_err().contains("not a number"));
        assert_eq!(database_path("duckdb://a.duckdb?threads=1").unwrap(), "a.duckdb");
        assert!(parse_url("duckdb::memory").unwrap_err().contains("`duckdb::memory:`, with the closing colon"));
        assert!(parse_url("duckdb::memory?threads=1").unwrap_err().contains("closing colon"));
        assert_eq!(database_path("duckdb::memory:").unwrap(), ":memory:");
    }

    #[test]
    fn reads_dotenv_files_from_parents() {
        let dir = temp("dotenv");
        std::fs::write(dir.join(".env"), "# comment\nexport DATABASE_URL=\"duckdb:x.duckdb\"\nANDAMIOS_OFFLINE=true\n")
            .unwrap();
        let child = dir.join("crate");
        std::fs::create_dir_all(&child).unwrap();
        let vars = read_dotenv(&child);
        assert_eq!(vars["DATABASE_URL"], "duckdb:x.duckdb");
        assert_eq!(vars["ANDAMIOS_OFFLINE"], "true");
        std::fs::write(dir.join(".env"), "ANDAMIOS_ATTACH=lookup=data/lookup.duckdb\n").unwrap();
        let settings = SourceSettings::from_env(child);
        assert_eq!(settings.attachments().unwrap()[0].path, "data/lookup.duckdb");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dotenv_values_leave_out_quotes_and_comments() {
        assert_eq!(dotenv_value(" duckdb:app.duckdb  # the local one"), "duckdb:app.duckdb");
        assert_eq!(dotenv_value("duckdb:app.duckdb\t# tab"), "duckdb:app.duckdb");
        assert_eq!(dotenv_value("duckdb:a.duckdb\t# tab, then # space"), "duckdb:a.duckdb");
        assert_eq!(dotenv_value("\"duckdb:my #1.duckdb\" # quoted"), "duckdb:my #1.duckdb");
        assert_eq!(dotenv_value("'duckdb:x.duckdb'"), "duckdb:x.duckdb");
        assert_eq!(dotenv_value("duckdb:a#b.duckdb"), "duckdb:a#b.duckdb");
        assert_eq!(dotenv_value("\"unclosed"), "\"unclosed");
        assert_eq!(dotenv_value(""), "");
    }

    #[test]
    fn builds_from_migrations_once_and_again_after_a_change() {
        let dir = temp("build");
        std::fs::write(dir.join("1_init.sql"), "CREATE TABLE a (x INTEGER);").unwrap();
        let source = SchemaSource::Migrations(dir.clone());
        let first = open(&source, &[]).unwrap();
        assert!(Arc::ptr_eq(&first, &open(&source, &[]).unwrap()), "reused within the process");
        std::fs::write(dir.join("2_more.sql"), "CREATE TABLE b (y INTEGER);").unwrap();
        // One just made by `andamios migrate add` holds only a comment.
        std::fs::write(dir.join("3_later.sql"), "-- later\n").unwrap();
        let second = open(&source, &[]).unwrap();
        assert!(!Arc::ptr_eq(&first, &second), "rebuilt after a change");
        second.with_connection(|c| c.prepare("SELECT y FROM b").map(|_| ())).unwrap();
        // DuckDB is not let download an extension while a crate compiles.
        let err = second.describe("SELECT current_date").unwrap_err().to_string();
        assert!(err.contains("no ICU extension") && !err.contains("download"), "{err}");
        std::fs::write(dir.join("4_bad.sql"), "CREATE TABLE oops (").unwrap();
        let err = open(&source, &[]).unwrap_err();
        assert!(err.contains("4_bad.sql") && err.contains("LINE 1: CREATE TABLE oops ("), "{err}");
        // The next query is told the first line only.
        let again = open(&source, &[]).unwrap_err();
        assert!(again.starts_with(err.lines().next().unwrap()), "{again}");
        assert!(!again.contains("LINE 1") && again.ends_with("(in full at the first query checked)"), "{again}");
        // Of several statements, the one that failed is named and quoted.
        std::fs::write(dir.join("4_bad.sql"), "CREATE TABLE c (z INTEGER);\nALTER TABLE nope ADD COLUMN w INTEGER;")
            .unwrap();
        let err = open(&source, &[]).unwrap_err();
        assert!(err.ends_with("\n  in its statement 2 of 2: ALTER TABLE nope ADD COLUMN w INTEGER"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn migrations_attach_database_files_read_only() {
        let dir = temp("attach");
        let side = dir.join("side.duckdb");
        // Written as DuckDB also takes a path: in double quotes.
        let quoted = side.display().to_string().replace('"', "\"\"");
        std::fs::write(
            dir.join("1_init.sql"),
            format!("CREATE TABLE a (x INTEGER);\nATTACH \"{quoted}\" AS side (READ_ONLY false);"),
        )
        .unwrap();
        let source = SchemaSource::Migrations(dir.clone());
        // A file that does not exist is not created.
        let err = open(&source, &[]).unwrap_err();
        assert!(
            err.contains("database does not exist")
                && err.contains("these never create or change a file")
                && err.ends_with("a DuckDB transaction writes to one database)."),
            "{err}"
        );
        assert!(!side.exists());

        let file = Database::open(&side.display().to_string(), &compile_time_options()).unwrap();
        file.connect().unwrap().execute_batch("CREATE TABLE t (y INTEGER); INSERT INTO t VALUES (1);").unwrap();
        drop(file);
        let written = std::fs::read(&side).unwrap();
        // One that exists is read, and neither written to by a migration...
        std::fs::write(dir.join("2_copy.sql"), "CREATE TABLE b AS SELECT y FROM side.t; -- a copy\nDROP TABLE side.t;")
            .unwrap();
        let err = open(&source, &[]).unwrap_err();
        assert!(
            err.contains("attached in read-only mode") && err.contains("build never creates or changes one"),
            "{err}"
        );
        // ...nor changed by being attached.
        std::fs::write(dir.join("2_copy.sql"), "CREATE TABLE b AS SELECT y FROM side.t; -- a copy").unwrap();
        let schema = open(&source, &[]).unwrap();
        schema.with_connection(|c| c.prepare("SELECT y FROM b").map(|_| ())).unwrap();
        assert_eq!(std::fs::read(&side).unwrap(), written);
        drop(schema);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parses_the_databases_to_attach() {
        let parsed = parse_attachments(" lookup=data/lookup.duckdb , geo = duckdb:/srv/geo.duckdb,").unwrap();
        let pairs: Vec<(&str, &str)> = parsed.iter().map(|a| (a.name.as_str(), a.path.as_str())).collect();
        assert_eq!(pairs, [("lookup", "data/lookup.duckdb"), ("geo", "/srv/geo.duckdb")]);
        assert_eq!(parse_attachments("").unwrap(), []);
        let err = |text: &str| parse_attachments(text).unwrap_err();
        assert!(err("data/lookup.duckdb").contains("is not `name=path`"));
        assert!(err("my-db=x.duckdb").contains("`my-db` is not a database name"));
        assert!(err("1st=x.duckdb").contains("is not a database name"));
        assert!(err("memory=x.duckdb").contains("DuckDB keeps for itself"));
        assert!(err("a=x.duckdb,A=y.duckdb").contains("names `A` twice"));
        assert!(err("a=").contains("`a` names no database file"));
        assert!(err("a=duckdb::memory:").contains("names no database file"));
    }

    #[test]
    fn an_attached_database_lends_its_schema_and_is_read_again_when_it_changes() {
        let dir = temp("attach-setting");
        std::fs::create_dir_all(dir.join("migrations")).unwrap();
        std::fs::write(dir.join("migrations/1_init.sql"), "CREATE TABLE users (id BIGINT NOT NULL, country VARCHAR);")
            .unwrap();
        let lookup = dir.join("lookup.duckdb");
        let file = Database::open(&lookup.display().to_string(), &compile_time_options()).unwrap();
        file.connect()
            .unwrap()
            .execute_batch(
                "CREATE TABLE countries (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, population BIGINT);
                 INSERT INTO countries VALUES ('es', 'Spain', 48000000);",
            )
            .unwrap();
        drop(file);
        let written = std::fs::read(&lookup).unwrap();
        let attach = [Attachment { name: "lookup".into(), path: lookup.display().to_string() }];
        let source = SchemaSource::Migrations(dir.join("migrations"));
        let schema = open(&source, &attach).unwrap();
        let described = schema
            .describe("SELECT u.id, c.name, c.population FROM users u JOIN lookup.countries c ON c.code = u.country")
            .unwrap();
        let columns: Vec<(&str, bool)> = described.columns.iter().map(|c| (c.name.as_str(), c.nullable)).collect();
        assert_eq!(columns, [("id", false), ("name", false), ("population", true)]);
        // Its schema only, and the file left as it was, and closed: a
        // program can open it to write.
        schema.with_connection(|c| c.execute_batch("SELECT error('a row was copied') FROM lookup.countries")).unwrap();
        assert_eq!(std::fs::read(&lookup).unwrap(), written);
        let file = Database::open(&lookup.display().to_string(), &compile_time_options()).unwrap();
        file.connect().unwrap().execute_batch("ALTER TABLE countries ADD COLUMN capital VARCHAR;").unwrap();
        drop(file);
        let again = open(&source, &attach).unwrap();
        assert!(!Arc::ptr_eq(&schema, &again), "built again after the file changed");
        again.describe("SELECT capital FROM lookup.countries").unwrap();
        // Without the setting, the name is unknown.
        let plain = open(&source, &[]).unwrap();
        assert!(plain.describe("SELECT name FROM lookup.countries").is_err());

        let missing = [Attachment { name: "geo".into(), path: dir.join("geo.duckdb").display().to_string() }];
        let err = open(&source, &missing).unwrap_err();
        assert!(err.contains("cannot attach `geo` from") && err.contains("the file does not exist"), "{err}");
        // The next query is told the same: there is no more of it to leave out.
        assert_eq!(open(&source, &missing).unwrap_err(), err);
        assert!(!dir.join("geo.duckdb").exists());

        let quoted = lookup.display().to_string().replace('\'', "''");
        std::fs::write(dir.join("migrations/2_attach.sql"), format!("ATTACH '{quoted}' AS lookup;")).unwrap();
        let err = open(&source, &attach).unwrap_err();
        assert!(
            err.contains("2_attach.sql failed")
                && err.contains("`ATTACH IF NOT EXISTS`")
                && err.ends_with(
                    "ANDAMIOS_ATTACH attaches `lookup` before the migrations run, as the program's \
                                  `after_connect` does."
                ),
            "{err}"
        );
        // A migration may read it, as it may when the program runs.
        std::fs::write(
            dir.join("migrations/2_attach.sql"),
            "CREATE VIEW spanish AS SELECT u.id, c.name FROM users u JOIN lookup.countries c ON c.code = u.country;",
        )
        .unwrap();
        open(&source, &attach).unwrap().describe("SELECT id, name FROM spanish").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_attached_folder_of_migrations_makes_that_databases_schema() {
        let dir = temp("attach-folder");
        std::fs::create_dir_all(dir.join("migrations")).unwrap();
        std::fs::create_dir_all(dir.join("lookup")).unwrap();
        std::fs::write(
            dir.join("lookup/1_countries.sql"),
            "CREATE TABLE countries (code VARCHAR NOT NULL, name VARCHAR);",
        )
        .unwrap();
        std::fs::write(
            dir.join("migrations/1_init.sql"),
            "CREATE TABLE users (id BIGINT, country VARCHAR);\n\
             CREATE VIEW named AS SELECT u.id, c.name FROM users u JOIN lookup.countries c ON c.code = u.country;",
        )
        .unwrap();
        let attach = [Attachment { name: "lookup".into(), path: dir.join("lookup").display().to_string() }];
        let source = SchemaSource::Migrations(dir.join("migrations"));
        let schema = open(&source, &attach).unwrap();
        let described = schema.describe("SELECT code, name FROM lookup.countries").unwrap();
        let columns: Vec<(&str, bool)> = described.columns.iter().map(|c| (c.name.as_str(), c.nullable)).collect();
        assert_eq!(columns, [("code", false), ("name", true)]);
        schema.describe("SELECT id, name FROM named").unwrap();
        // Its migrations are inputs of the build, and a change is seen.
        let tracked: Vec<_> = schema.migrations.iter().map(|m| m.path.clone()).collect();
        assert!(tracked.contains(&dir.join("lookup/1_countries.sql")), "{tracked:?}");
        std::fs::write(dir.join("lookup/2_capital.sql"), "ALTER TABLE countries ADD COLUMN capital VARCHAR;").unwrap();
        open(&source, &attach).unwrap().describe("SELECT capital FROM lookup.countries").unwrap();
        std::fs::write(dir.join("lookup/3_bad.sql"), "ALTER TABLE nope ADD COLUMN x INTEGER;").unwrap();
        let err = open(&source, &attach).unwrap_err();
        assert!(err.contains("cannot attach `lookup`") && err.contains("3_bad.sql failed"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn migrations_that_export_rows_are_checked_but_write_no_file() {
        let dir = temp("export");
        let backup = dir.join("backup.csv");
        std::fs::write(&backup, "x\n1\n2\n").unwrap();
        let at = |name: &str| dir.join(name).display().to_string().replace('\'', "''");
        std::fs::write(
            dir.join("1_archive.sql"),
            format!(
                "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);\nCOPY a TO '{}' (HEADER);\n\
                 EXPORT DATABASE '{}';\nDROP TABLE a; CREATE TABLE b (y INTEGER);",
                at("backup.csv"),
                at("exported")
            ),
        )
        .unwrap();
        let source = SchemaSource::Migrations(dir.clone());
        let schema = open(&source, &[]).unwrap();
        schema.with_connection(|c| c.prepare("SELECT y FROM b").map(|_| ())).unwrap();
        assert_eq!(std::fs::read_to_string(&backup).unwrap(), "x\n1\n2\n", "the real export is kept");
        assert!(!dir.join("exported").exists(), "nothing exported");
        // A checked query exporting the database is parsed only.
        let described = schema.describe(&format!("EXPORT DATABASE '{}' (FORMAT parquet)", at("by_query"))).unwrap();
        assert!(described.params.is_empty() && described.columns.is_empty());
        assert!(!dir.join("by_query").exists());
        assert!(schema.describe("EXPORT DATABASE").is_err());
        drop(schema);
        // Checked all the same: in order, against the tables of the moment.
        std::fs::write(dir.join("1_archive.sql"), format!("CREATE TABLE b (y INTEGER);\nCOPY a TO '{}';", at("a.csv")))
            .unwrap();
        let err = open(&source, &[]).unwrap_err();
        assert!(
            err.contains("Table with name a does not exist") && err.contains("in its statement 2 of 2: COPY a TO"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_database_files_schema_is_copied_and_the_file_left_free() {
        let dir = temp("snapshot");
        let path = dir.join("data.duckdb").display().to_string();
        let write = |sql: &str| {
            let db = Database::open(&path, &OpenOptions::default()).unwrap();
            db.connect().unwrap().execute_batch(sql).unwrap();
        };
        write(
            "CREATE TYPE mood AS ENUM ('up', 'down'); CREATE SCHEMA app;
             CREATE TABLE app.users (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, m mood);
             CREATE VIEW names AS SELECT name FROM app.users; CREATE MACRO twice(x) AS x * 2;
             INSERT INTO app.users VALUES (1, 'a', 'up');",
        );
        let source = SchemaSource::Database { url: format!("duckdb:{path}"), path: path.clone() };
        let schema = open(&source, &[]).unwrap();
        let described =
            schema.describe("SELECT twice(id) AS t, name, m FROM app.users JOIN names USING (name)").unwrap();
        let columns: Vec<_> = described.columns.iter().map(|c| (c.name.as_str(), c.nullable)).collect();
        assert_eq!(columns, [("t", false), ("name", false), ("m", true)]);
        assert_eq!(described.columns[2].ty, crate::DuckType::Enum { members: vec!["up".into(), "down".into()] });
        assert!(Arc::ptr_eq(&schema, &open(&source, &[]).unwrap()), "reused while the file is unchanged");
        // The file is not held open: the application can write to it.
        write("CREATE TABLE app.events (id BIGINT);");
        let changed = open(&source, &[]).unwrap();
        assert!(!Arc::ptr_eq(&schema, &changed), "copied again after a change");
        changed.describe("SELECT id FROM app.events").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_schema_that_cannot_be_copied_is_read_from_the_file() {
        let dir = temp("uncopyable");
        let path = dir.join("data.duckdb").display().to_string();
        let csv = dir.join("rows.csv");
        std::fs::write(&csv, "a,b\n1,x\n").unwrap();
        {
            let db = Database::open(&path, &OpenOptions::default()).unwrap();
            let sql =
                format!("CREATE VIEW rows AS SELECT * FROM read_csv('{}'); CREATE TABLE t (id INTEGER)", csv.display());
            db.connect().unwrap().execute_batch(&sql).unwrap();
        }
        std::fs::remove_file(&csv).unwrap();
        let source = SchemaSource::Database { url: format!("duckdb:{path}"), path: path.clone() };
        let schema = open(&source, &[]).unwrap();
        schema.describe("SELECT id FROM t").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Helper for the next test: holds a database file open in a separate
    /// process (run as `lock_holder --exact` with ANDAMIOS_TEST_HOLD set).
    #[test]
    fn lock_holder() {
        let Ok(path) = std::env::var("ANDAMIOS_TEST_HOLD") else { return };
        let db = Database::open(&path, &OpenOptions::default()).unwrap();
        let _conn = db.connect().unwrap();
        std::fs::write(format!("{path}.ready"), "").unwrap();
        std::thread::sleep(std::time::Duration::from_secs(20));
    }

    #[test]
    fn a_locked_database_file_is_explained() {
        let dir = temp("locked");
        let path = dir.join("app.duckdb").display().to_string();
        let mut holder = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["schema::tests::lock_holder", "--exact", "--nocapture"])
            .env("ANDAMIOS_TEST_HOLD", &path)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let ready = std::path::PathBuf::from(format!("{path}.ready"));
        for _ in 0..200 {
            if ready.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let source = SchemaSource::Database { url: format!("duckdb:{path}"), path: path.clone() };
        let err = open(&source, &[]).unwrap_err();
        holder.kill().unwrap();
        let _ = holder.wait();
        assert!(err.contains("locked by another process") && err.contains("migrations"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
