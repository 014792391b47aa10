//! Migration files: `migrations/<version>_<description>.sql`, with an
//! optional `<version>_<description>.down.sql` that reverts it.

use crate::ffi::Connection;
use crate::{script, DuckDbError};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// One migration read from its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The version: the number before the first `_`.
    pub version: i64,
    /// The description: the rest of the name, `_` read as spaces.
    pub description: String,
    /// The SQL that applies it.
    pub sql: String,
    /// The SQL that reverts it, when a `.down.sql` file exists.
    pub down_sql: Option<String>,
    /// SHA-256 of `sql` with its line endings as LF, to notice a changed
    /// file after it was applied (see [`checksum`]).
    pub checksum: Vec<u8>,
    /// Where it was read from (empty when embedded).
    pub path: PathBuf,
    /// Where the `.down.sql` was read from.
    pub down_path: Option<PathBuf>,
}

impl Migration {
    /// A migration from its parts (embedded ones have no file paths).
    pub fn new(version: i64, description: &str, sql: &str, down_sql: Option<&str>) -> Migration {
        Migration {
            version,
            description: description.to_owned(),
            sql: sql.to_owned(),
            down_sql: down_sql.map(str::to_owned),
            checksum: checksum(sql),
            path: PathBuf::new(),
            down_path: None,
        }
    }
}

impl Migration {
    /// Whether `recorded`, the checksum stored when the migration was
    /// applied, is of this migration's SQL: its own [`checksum`], or, from
    /// a database applied before line endings were set aside, SHA-256 of
    /// its bytes as they were, with CRLF or LF line endings.
    pub fn has_checksum(&self, recorded: &[u8]) -> bool {
        if recorded == self.checksum {
            return true;
        }
        let lf = self.sql.replace("\r\n", "\n");
        recorded == sha256(self.sql.as_bytes()) || recorded == sha256(lf.replace('\n', "\r\n").as_bytes())
    }

    /// An error when the migration (or its `.down.sql`) begins or ends a
    /// transaction: each one runs in a transaction of its own, which its
    /// COMMIT would end part-way.
    pub fn check_transaction_control(&self) -> Result<(), MigrationError> {
        for (sql, kind) in [(Some(&self.sql), ""), (self.down_sql.as_ref(), " (its .down.sql)")] {
            if let Some(keyword) = sql.and_then(|sql| crate::script::transaction_control(sql)) {
                return Err(MigrationError(format!(
                    "migration {} ({}){kind} contains {}: each migration runs in a transaction of its own, \
                     which a COMMIT would end part-way; leave BEGIN, COMMIT and ROLLBACK out of it",
                    self.version,
                    self.description,
                    keyword.to_uppercase()
                )));
            }
        }
        Ok(())
    }
}

/// A migration folder that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationError(pub String);

impl fmt::Display for MigrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MigrationError {}

/// Runs a migration's SQL (or a test's fixture) on a database made to
/// check or test against (the macros' schema while a crate compiles, a
/// `#[andamios::test]`'s): as it is, but writing no file. A database file it attaches is attached
/// read-only (see [`script::attach_read_only`]), and a statement that only
/// writes rows out to files is checked but not run (see
/// [`script::exports_rows`]): run there, it would overwrite a real export
/// with the rows of an empty database.
pub fn apply_writing_no_file(conn: &Connection, sql: &str) -> Result<(), DuckDbError> {
    // Each statement as it runs here, and whether it only exports rows.
    let statements: Vec<(Cow<'_, str>, bool)> = script::statements(sql)
        .into_iter()
        .map(|s| (script::attach_read_only(s).map_or(Cow::Borrowed(s), Cow::Owned), script::exports_rows(s)))
        .collect();
    if statements.iter().all(|(statement, exports)| matches!(statement, Cow::Borrowed(_)) && !exports) {
        return conn.execute_batch(sql);
    }
    let count = statements.len();
    for (index, (statement, exports)) in statements.iter().enumerate() {
        let done = if *exports { check_export(conn, statement) } else { conn.execute_batch(statement) };
        done.map_err(|e| e.in_script(index, count, Some(statement)))?;
    }
    Ok(())
}

/// Checks `statement`, one that only writes rows out to files, without
/// running it: DuckDB binds a `COPY ... TO` without writing, but binding an
/// `EXPORT DATABASE` creates its folder, so that one is parsed only.
fn check_export(conn: &Connection, statement: &str) -> Result<(), DuckDbError> {
    if script::exports_database(statement) {
        conn.count_statements(statement).map(drop)
    } else {
        conn.prepare(statement).map(drop)
    }
}

/// The checksum of a migration's SQL: SHA-256 of its text with each CRLF
/// line ending read as LF. A checkout on Windows (git's `core.autocrlf`)
/// and one elsewhere then agree, and a database migrated from one is not
/// refused as changed by the other.
pub fn checksum(sql: &str) -> Vec<u8> {
    if sql.contains("\r\n") {
        sha256(sql.replace("\r\n", "\n").as_bytes())
    } else {
        sha256(sql.as_bytes())
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses `<version>_<description>` out of a file name, with the kind of file.
fn parse_name(file_name: &str) -> Option<(i64, String, bool)> {
    let (stem, down) = if let Some(stem) = file_name.strip_suffix(".down.sql") {
        (stem, true)
    } else if let Some(stem) = file_name.strip_suffix(".up.sql") {
        (stem, false)
    } else {
        (file_name.strip_suffix(".sql")?, false)
    };
    let (version, description) = stem.split_once('_')?;
    let version = version.parse().ok()?;
    Some((version, description.replace('_', " "), down))
}

/// Reads every migration in `dir`, ordered by version.
pub fn read_dir(dir: &Path) -> Result<Vec<Migration>, MigrationError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            "; `andamios migrate add <name>` creates it with a first migration"
        } else {
            ""
        };
        MigrationError(format!("cannot read the migrations folder {}: {e}{hint}", dir.display()))
    })?;
    let mut ups: Vec<Migration> = Vec::new();
    let mut downs: Vec<(i64, String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| MigrationError(format!("cannot list {}: {e}", dir.display())))?;
        let path = entry.path();
        let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if !file_name.ends_with(".sql") {
            continue;
        }
        let (version, description, down) = parse_name(file_name).ok_or_else(|| {
            MigrationError(format!(
                "migration file {} is not named <version>_<description>.sql (for example 20240101120000_create_users.sql)",
                path.display()
            ))
        })?;
        let sql = std::fs::read_to_string(&path)
            .map_err(|e| MigrationError(format!("cannot read migration {}: {e}", path.display())))?;
        if down {
            downs.push((version, sql, path));
        } else {
            if let Some(other) = ups.iter().find(|m| m.version == version) {
                return Err(MigrationError(format!(
                    "two migrations have version {version}: {} and {}; give one a new version",
                    other.path.display(),
                    path.display()
                )));
            }
            ups.push(Migration {
                version,
                description,
                checksum: checksum(&sql),
                sql,
                down_sql: None,
                path,
                down_path: None,
            });
        }
    }
    for (version, sql, path) in downs {
        let up = ups.iter_mut().find(|m| m.version == version).ok_or_else(|| {
            MigrationError(format!("{} reverts version {version}, but no migration has that version", path.display()))
        })?;
        up.down_sql = Some(sql);
        up.down_path = Some(path);
    }
    for migration in &ups {
        migration.check_transaction_control()?;
    }
    ups.sort_by_key(|m| m.version);
    Ok(ups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_do_not_change_a_checksum_and_old_ones_still_match() {
        let lf = "CREATE TABLE t (\n  x INTEGER\n);\n";
        let crlf = lf.replace('\n', "\r\n");
        let (on_unix, on_windows) = (Migration::new(1, "t", lf, None), Migration::new(1, "t", &crlf, None));
        assert_eq!(on_unix.checksum, on_windows.checksum);
        assert_eq!(on_unix.checksum, sha256(lf.as_bytes()), "an LF file keeps the checksum it always had");
        // Recorded from the raw bytes of either, before line endings were
        // set aside: both files match both.
        for recorded in [sha256(lf.as_bytes()), sha256(crlf.as_bytes())] {
            assert!(on_unix.has_checksum(&recorded) && on_windows.has_checksum(&recorded));
        }
        // A change is still a change.
        let changed = Migration::new(1, "t", &lf.replace("INTEGER", "BIGINT"), None);
        assert!(!changed.has_checksum(&on_unix.checksum) && !changed.has_checksum(&sha256(crlf.as_bytes())));
    }

    #[test]
    fn a_migration_that_begins_or_ends_a_transaction_is_refused() {
        let plain =
            Migration::new(1, "ok", "CREATE TABLE t (s VARCHAR DEFAULT 'COMMIT'); -- COMMIT", Some("DROP TABLE t"));
        assert_eq!(plain.check_transaction_control(), Ok(()));
        let committing = Migration::new(2, "add t", "CREATE TABLE t (x INTEGER);\ncommit;", None);
        let err = committing.check_transaction_control().unwrap_err();
        assert!(
            err.0.starts_with("migration 2 (add t) contains COMMIT: each migration runs in a transaction"),
            "{err}"
        );
        let down = Migration::new(3, "x", "SELECT 1", Some("BEGIN; DROP TABLE t; END;"));
        assert!(down.check_transaction_control().unwrap_err().0.contains("(its .down.sql) contains BEGIN"));
    }

    #[test]
    fn parses_names() {
        assert_eq!(parse_name("1_init.sql"), Some((1, "init".into(), false)));
        assert_eq!(parse_name("20240101_add_users_table.down.sql"), Some((20240101, "add users table".into(), true)));
        assert_eq!(parse_name("3_x.up.sql"), Some((3, "x".into(), false)));
        assert_eq!(parse_name("init.sql"), None);
        assert_eq!(parse_name("v1_init.sql"), None);
    }

    #[test]
    fn reads_a_folder_in_version_order() {
        let dir = std::env::temp_dir().join(format!("andamios-migrate-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("2_second.sql"), "CREATE TABLE b (x INTEGER);").unwrap();
        std::fs::write(dir.join("1_first.sql"), "CREATE TABLE a (x INTEGER);").unwrap();
        std::fs::write(dir.join("1_first.down.sql"), "DROP TABLE a;").unwrap();
        std::fs::write(dir.join("README.md"), "not a migration").unwrap();
        let migrations = read_dir(&dir).unwrap();
        assert_eq!(migrations.iter().map(|m| m.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(migrations[0].down_sql.as_deref(), Some("DROP TABLE a;"));
        assert_eq!(migrations[1].down_sql, None);
        std::fs::write(dir.join("bad.sql"), "").unwrap();
        assert!(read_dir(&dir).unwrap_err().0.contains("is not named"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(read_dir(&dir).unwrap_err().0.contains("`andamios migrate add <name>` creates it"));
    }
}
