//! Getting a statement's description: from a schema database (writing the
//! offline cache when asked) or from the offline cache.

use andamios_core::cache;
use andamios_core::describe::{DescribeError, QueryDescription};
use andamios_core::schema::{self, SchemaSource, SourceSettings};
use andamios_core::DuckErrorType;
use std::path::PathBuf;

/// A description and the files it was derived from (for the compiler to track).
#[derive(Debug)]
pub(crate) struct Described {
    pub(crate) query: QueryDescription,
    pub(crate) tracked: Vec<PathBuf>,
}

/// Describes `sql` for the crate being compiled.
pub(crate) fn describe(sql: &str) -> Result<Described, String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or("CARGO_MANIFEST_DIR is not set: the query macros run under cargo")?;
    describe_with(&SourceSettings::from_env(manifest_dir), sql)
}

/// What to do about a file that a statement reads and the macros did not
/// find, from DuckDB's message (`No files found that match the pattern
/// "data/x.csv"`): when they read it, and where from if its path is
/// relative.
fn missing_file_hint(message: &str) -> String {
    let when = "The macros read the file while the crate compiles, to learn its columns, so it must exist then \
                (for a file that the program writes before it reads it, run the statement with `andamios::query(...)`, \
                which is checked when it runs)";
    let pattern = message.split('"').nth(1).unwrap_or_default();
    if std::path::Path::new(pattern).is_absolute() {
        return format!("{when}.");
    }
    let compiled_in = std::env::current_dir().map(|dir| format!("{}, ", dir.display())).unwrap_or_default();
    format!(
        "{when}. A relative path is read from the working folder: while the crate compiles, {compiled_in}where \
         cargo runs the compiler (the workspace's root); when the program runs, the folder it runs in (for \
         `cargo run`, the one you run it in). Write the path from there, or an absolute one."
    )
}

/// Why a statement could not be described against `source`, with what to
/// do where DuckDB's message leaves it open.
fn failure(source: &SchemaSource, e: &DescribeError) -> String {
    match (source, e) {
        (SchemaSource::Empty, DescribeError::Database(cause)) if cause.kind() == DuckErrorType::Catalog => {
            // DuckDB's "Did you mean" can only name a system table here.
            let message = e.to_string();
            let message: Vec<&str> =
                message.lines().filter(|line| !line.trim_start().starts_with("Did you mean")).collect();
            format!("{}\n{}", message.join("\n"), schema::NO_SCHEMA)
        }
        (_, DescribeError::Database(cause)) if cause.message().contains("No files found that match") => {
            format!("{e}\n{}", missing_file_hint(cause.message()))
        }
        (_, DescribeError::Database(cause))
            if cause.kind() == DuckErrorType::Catalog || cause.message().contains("Referenced column") =>
        {
            let message = e.to_string();
            let message: Vec<&str> = message.lines().filter(|line| !suggests_a_system_table(line)).collect();
            let qualified = cause.message().contains("because schema \"");
            let elsewhere = if qualified { ELSEWHERE } else { "" };
            format!("{}\n{}{elsewhere}", message.join("\n"), checked_against(source))
        }
        _ => e.to_string(),
    }
}

/// What a catalog error of a qualified name (`lookup.t`) adds: the schema
/// or database it names may exist only when the program runs.
const ELSEWHERE: &str = " A database attached when the program runs (with `PoolOptions::attach`, say) is \
     unknown to the macros until ANDAMIOS_ATTACH names it (`ANDAMIOS_ATTACH=lookup=data/lookup.duckdb`, in the \
     environment or .env: the macros then copy its schema); or run the statement with `query_unchecked!`.";

/// Which schema a statement was checked against, for an error that a
/// table or column is unknown: a `DATABASE_URL` (in a `.env` file, say)
/// takes the place of the migrations folder, which can surprise.
fn checked_against(source: &SchemaSource) -> String {
    match source {
        SchemaSource::Database { url, .. } => format!("Checked against the schema of DATABASE_URL `{url}`."),
        SchemaSource::Migrations(dir) => {
            let folder = dir.file_name().map_or_else(|| dir.display().to_string(), |f| f.to_string_lossy().into());
            format!("Checked against the schema that the migrations in `{folder}/` build.")
        }
        SchemaSource::Offline(_) | SchemaSource::Empty => String::new(),
    }
}

/// Whether `line` is DuckDB's "Did you mean" naming one of its own
/// catalog tables (`sqlite_master`, `pg_sequences`): where the schema has
/// no table of a name like the one asked for, DuckDB suggests those.
fn suggests_a_system_table(line: &str) -> bool {
    let Some(suggested) = line.trim_start().strip_prefix("Did you mean \"") else {
        return false;
    };
    ["sqlite_", "pg_", "duckdb_", "information_schema"].iter().any(|system| suggested.starts_with(system))
}

/// Describes `sql` with explicit settings.
pub(crate) fn describe_with(settings: &SourceSettings, sql: &str) -> Result<Described, String> {
    let source = settings.resolve()?;
    let described = match &source {
        SchemaSource::Offline(dir) => {
            let (query, path) = cache::read(dir, sql, package().as_deref()).map_err(|e| e.to_string())?;
            return Ok(Described { tracked: vec![path], query });
        }
        SchemaSource::Database { .. } | SchemaSource::Migrations(_) | SchemaSource::Empty => {
            let db = schema::open(&source, &settings.attachments()?)?;
            let query = db.describe(sql).map_err(|e| failure(&source, &e))?;
            Described { query, tracked: db.migrations.iter().map(|m| m.path.clone()).collect() }
        }
    };
    if let Some(dir) = std::env::var_os("ANDAMIOS_CACHE_DIR").filter(|d| !d.is_empty()) {
        // A folder per package: `andamios prepare` combines them, and keeps
        // apart what packages with different schemas describe differently.
        let dir = PathBuf::from(dir).join(package().unwrap_or_default());
        cache::write(&dir, &described.query)
            .map_err(|e| format!("cannot write the offline cache entry for this query: {e}"))?;
    }
    Ok(described)
}

/// The package being compiled, as cargo names it.
fn package() -> Option<String> {
    std::env::var("CARGO_PKG_NAME").ok().filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate with no schema source: no migrations, no cache, no URL.
    fn sourceless() -> SourceSettings {
        let manifest_dir = std::env::temp_dir().join(format!("andamios-sourceless-{}", std::process::id()));
        SourceSettings { manifest_dir, ..SourceSettings::default() }
    }

    #[test]
    fn without_a_schema_a_statement_on_files_is_checked_and_one_on_tables_says_what_to_give() {
        let csv = std::env::temp_dir().join(format!("andamios-sourceless-{}.csv", std::process::id()));
        std::fs::write(&csv, "name,score\nana,3\n").unwrap();
        let described = describe_with(&sourceless(), &format!("SELECT name, score FROM read_csv('{}')", csv.display()));
        std::fs::remove_file(&csv).unwrap();
        let names: Vec<_> = described.unwrap().query.columns.into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["name", "score"]);

        let err = describe_with(&sourceless(), "SELECT id FROM users").unwrap_err();
        assert!(err.starts_with("Catalog Error: Table with name users does not exist"), "{err}");
        assert!(err.contains("There is no schema") && err.contains("`migrations/` folder"), "{err}");
        assert!(!err.contains("Did you mean"), "{err}");
    }

    #[test]
    fn an_unknown_table_says_which_schema_it_was_looked_for_in() {
        let manifest_dir = std::env::temp_dir().join(format!("andamios-unknown-table-{}", std::process::id()));
        std::fs::create_dir_all(manifest_dir.join("migrations")).unwrap();
        std::fs::write(manifest_dir.join("migrations/1_init.sql"), "CREATE TABLE users (id BIGINT);").unwrap();
        let settings = SourceSettings { manifest_dir: manifest_dir.clone(), ..SourceSettings::default() };
        let err = describe_with(&settings, "SELECT id FROM customers").unwrap_err();
        assert!(err.contains("Table with name customers does not exist"), "{err}");
        assert!(err.ends_with("\nChecked against the schema that the migrations in `migrations/` build."), "{err}");
        assert!(!err.contains("sqlite_master"), "{err}");
        let err = describe_with(&settings, "SELECT id FROM user").unwrap_err();
        assert!(err.contains("Did you mean \"users\""), "{err}");
        let err = describe_with(&settings, "SELECT nickname FROM users").unwrap_err();
        assert!(err.contains("Referenced column \"nickname\" not found") && err.contains("Checked against"), "{err}");
        let err = describe_with(&settings, "SELECT * FROM lookup.t").unwrap_err();
        assert!(
            err.contains("schema \"lookup\" does not exist")
                && err.contains("`PoolOptions::attach`")
                && err.contains("until ANDAMIOS_ATTACH names it"),
            "{err}"
        );
        std::fs::remove_dir_all(&manifest_dir).unwrap();
    }

    #[test]
    fn a_database_named_in_andamios_attach_is_checked_against() {
        let manifest_dir = std::env::temp_dir().join(format!("andamios-attach-setting-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&manifest_dir);
        std::fs::create_dir_all(&manifest_dir).unwrap();
        let lookup = manifest_dir.join("lookup.duckdb");
        let file = andamios_core::ffi::Database::open(&lookup.display().to_string(), &Default::default()).unwrap();
        file.connect().unwrap().execute_batch("CREATE TABLE countries (code VARCHAR NOT NULL, name VARCHAR);").unwrap();
        drop(file);
        // With no migrations: the empty schema, and the attached one.
        let settings = SourceSettings {
            manifest_dir: manifest_dir.clone(),
            attach: Some(format!("lookup={}", lookup.display())),
            ..SourceSettings::default()
        };
        let described = describe_with(&settings, "SELECT code, name FROM lookup.countries WHERE code = $1").unwrap();
        let columns: Vec<(&str, bool)> =
            described.query.columns.iter().map(|c| (c.name.as_str(), c.nullable)).collect();
        assert_eq!(columns, [("code", false), ("name", true)]);
        let err = describe_with(&settings, "SELECT capital FROM lookup.countries").unwrap_err();
        assert!(err.contains("Referenced column \"capital\" not found"), "{err}");
        let broken = SourceSettings { attach: Some("lookup".into()), ..settings };
        let err = describe_with(&broken, "SELECT 1").unwrap_err();
        assert!(err.starts_with("ANDAMIOS_ATTACH: `lookup` is not `name=path`"), "{err}");
        std::fs::remove_dir_all(&manifest_dir).unwrap();
    }

    #[test]
    fn a_missing_file_says_when_it_is_read_and_where_relative_paths_are_read_from() {
        let err = describe_with(&sourceless(), "SELECT * FROM read_csv('no/such/file.csv')").unwrap_err();
        let here = std::env::current_dir().unwrap();
        assert!(err.contains("No files found") && err.contains("it must exist then"), "{err}");
        assert!(err.contains(&format!("while the crate compiles, {}, where cargo", here.display())), "{err}");
        let err = describe_with(&sourceless(), "SELECT * FROM read_csv('/no/such/file.csv')").unwrap_err();
        assert!(err.contains("which is checked when it runs)."), "{err}");
        assert!(!err.contains("relative path"), "{err}");
    }
}
