//! Migrations: `migrations/<version>_<description>.sql` files applied in
//! order, each in its own transaction, recorded in `_andamios_migrations`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> andamios::Result<()> {
//! use andamios::migrate::{Migration, Migrator};
//!
//! let migrator = Migrator::new(vec![
//!     Migration::new(1, "create users", "CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL);", Some("DROP TABLE users;")),
//!     Migration::new(2, "add email", "ALTER TABLE users ADD COLUMN email VARCHAR;", None),
//! ])?;
//! let pool = andamios::Pool::connect("duckdb::memory:").await?;
//! migrator.run(&pool).await?;
//! assert!(migrator.info(&pool).await?.iter().all(|m| m.applied.is_some()));
//! # Ok(()) }
//! ```
//!
//! `andamios::migrate!()` embeds a crate's `migrations/` folder at compile time.

use crate::error::{Error, Result};
use crate::pool::Pool;
use crate::{query, query_as};
use andamios_core::ffi::Database;
use andamios_core::migrate::{hex, read_dir};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

const TABLE: &str = "_andamios_migrations";

/// Holds the migration lock of `pool`'s database until dropped: one run or
/// undo at a time on one database in this process. DuckDB lets one process
/// write a file, so no other process can migrate it meanwhile; without the
/// lock, two runs would both find a migration pending, and the second would
/// fail on a write-write conflict or a table that now exists.
async fn migrating(pool: &Pool) -> Result<tokio::sync::OwnedMutexGuard<()>> {
    /// A database: its file, which pools opened on it share, or in memory
    /// the one pool's handle.
    enum Instance {
        File(PathBuf),
        Memory(Weak<Database>),
    }
    static LOCKS: Mutex<Vec<(Instance, Arc<tokio::sync::Mutex<()>>)>> = Mutex::new(Vec::new());
    let database = pool.database()?;
    let lock = {
        let mut locks = LOCKS.lock().unwrap_or_else(|e| e.into_inner());
        // A database in memory is gone with its last handle, and its lock
        // with it.
        locks.retain(|(instance, _)| !matches!(instance, Instance::Memory(db) if db.strong_count() == 0));
        let this = |instance: &Instance| match (instance, database.file()) {
            (Instance::File(path), Some(file)) => path == file,
            (Instance::Memory(db), None) => Weak::as_ptr(db) == Arc::as_ptr(&database),
            _ => false,
        };
        match locks.iter().find(|(instance, _)| this(instance)) {
            Some((_, lock)) => Arc::clone(lock),
            None => {
                let lock = Arc::new(tokio::sync::Mutex::new(()));
                let instance = match database.file() {
                    Some(file) => Instance::File(file.to_owned()),
                    None => Instance::Memory(Arc::downgrade(&database)),
                };
                locks.push((instance, Arc::clone(&lock)));
                lock
            }
        }
    };
    Ok(lock.lock_owned().await)
}

pub use andamios_core::migrate::Migration;

/// A migration's state in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationInfo {
    /// Version.
    pub version: i64,
    /// Description.
    pub description: String,
    /// When and how long it took, if applied.
    pub applied: Option<Applied>,
    /// Whether the file differs from what was applied.
    pub changed: bool,
    /// Whether it can be reverted.
    pub reversible: bool,
    /// Whether it was applied to the database but no migration file has its
    /// version any more (deleted, or renamed to another version): `run`
    /// and `undo` refuse to go on until it is restored.
    pub missing: bool,
}

/// When a migration was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// `installed_on`, as DuckDB prints it.
    pub installed_on: String,
    /// Milliseconds it took.
    pub execution_ms: i64,
}

/// Applies and reverts a set of migrations.
#[derive(Debug, Clone)]
pub struct Migrator {
    migrations: Vec<Migration>,
}

#[derive(Debug)]
struct AppliedRow {
    version: i64,
    description: String,
    checksum: Vec<u8>,
    installed_on: String,
    execution_ms: i64,
}

impl crate::FromRow for AppliedRow {
    fn from_row(row: &crate::Row) -> Result<Self> {
        Ok(AppliedRow {
            version: row.try_get(0)?,
            description: row.try_get(1)?,
            checksum: row.try_get(2)?,
            installed_on: row.try_get(3)?,
            execution_ms: row.try_get(4)?,
        })
    }
}

impl Migrator {
    /// A migrator for `migrations` (in any order; versions must be unique).
    pub fn new(mut migrations: Vec<Migration>) -> Result<Migrator> {
        for migration in &migrations {
            migration.check_transaction_control().map_err(|e| Error::Migrate(e.0))?;
        }
        migrations.sort_by_key(|m| m.version);
        if let Some(pair) = migrations.windows(2).find(|w| w[0].version == w[1].version) {
            return Err(Error::Migrate(format!(
                "two migrations have version {}; give one a new version",
                pair[0].version
            )));
        }
        Ok(Migrator { migrations })
    }

    /// Reads the migrations in `dir` at run time.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrator> {
        Migrator::new(read_dir(dir.as_ref()).map_err(|e| Error::Migrate(e.0))?)
    }

    /// Embedded migrations (what `migrate!()` expands to).
    #[doc(hidden)]
    pub fn from_static(items: &[(i64, &str, &str, Option<&str>)]) -> Migrator {
        let migrations = items.iter().map(|(v, d, up, down)| Migration::new(*v, d, up, *down)).collect();
        Migrator::new(migrations).expect("migrate!() checked the versions at compile time")
    }

    /// The migrations, in version order.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// The applied migrations, creating the table that records them first.
    async fn applied(&self, pool: &Pool) -> Result<Vec<AppliedRow>> {
        pool.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {TABLE} (
                version BIGINT PRIMARY KEY,
                description VARCHAR NOT NULL,
                checksum BLOB NOT NULL,
                installed_on TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
                execution_time BIGINT NOT NULL
            )"
        ))
        .await?;
        Self::recorded(pool).await
    }

    /// The applied migrations, writing nothing: none while the table that
    /// records them does not exist, so that a read-only database can be read.
    async fn applied_so_far(&self, pool: &Pool) -> Result<Vec<AppliedRow>> {
        let recorded: bool = crate::query_scalar(
            "SELECT count(*) > 0 FROM duckdb_tables()
             WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = $1",
        )
        .bind(TABLE)
        .fetch_one(pool)
        .await?;
        if !recorded {
            return Ok(Vec::new());
        }
        Self::recorded(pool).await
    }

    /// The rows of the table that records the applied migrations.
    async fn recorded(pool: &Pool) -> Result<Vec<AppliedRow>> {
        query_as(&format!(
            "SELECT version, description, checksum, installed_on::VARCHAR, execution_time FROM {TABLE} ORDER BY version"
        ))
        .fetch_all(pool)
        .await
    }

    /// Fails when an applied migration's file changed or disappeared.
    fn verify(&self, applied: &[AppliedRow]) -> Result<()> {
        for row in applied {
            match self.migrations.iter().find(|m| m.version == row.version) {
                Some(m) if !m.has_checksum(&row.checksum) => {
                    return Err(Error::Migrate(format!(
                        "migration {} ({}) was changed after it was applied (checksum {} now, {} when applied); restore the file and add a new migration for the change",
                        m.version,
                        m.description,
                        &hex(&m.checksum)[..12],
                        &hex(&row.checksum)[..12.min(row.checksum.len() * 2)]
                    )))
                }
                Some(_) => {}
                None => {
                    return Err(Error::Migrate(format!(
                        "migration {} was applied to the database but its file is missing; restore it",
                        row.version
                    )))
                }
            }
        }
        Ok(())
    }

    /// Applies every pending migration.
    pub async fn run(&self, pool: &Pool) -> Result<Vec<i64>> {
        self.run_to(pool, None).await
    }

    /// The migrations up to `target` (all when `None`), in order: what
    /// [`run_to`](Self::run_to) applies to a database that has none yet.
    pub fn up_to(&self, target: Option<i64>) -> impl Iterator<Item = &Migration> {
        self.migrations.iter().filter(move |m| target.is_none_or(|t| m.version <= t))
    }

    /// What [`run_to`](Self::run_to) would do, writing nothing: the
    /// migrations it would apply, in order, or the error it would give (an
    /// applied migration changed or missing). A read-only pool will do.
    pub async fn pending(&self, pool: &Pool, target: Option<i64>) -> Result<Vec<&Migration>> {
        let applied = self.applied_so_far(pool).await?;
        self.verify(&applied)?;
        Ok(self.up_to(target).filter(|m| !is_applied(m, &applied)).collect())
    }

    /// Applies pending migrations up to `target` (all when `None`); returns
    /// the versions applied. Each runs in its own transaction: a failing one
    /// leaves the database as it was before it. Runs on one database, in
    /// this process, wait for each other (tasks that each migrate at start,
    /// say): the later finds the migrations applied, and applies none.
    pub async fn run_to(&self, pool: &Pool, target: Option<i64>) -> Result<Vec<i64>> {
        self.apply(pool, target, false).await
    }

    /// [`run_to`](Self::run_to); with `writing_no_file`, for a database
    /// made to be thrown away (a `#[andamios::test]`'s), each migration
    /// runs as the macros run it while a crate compiles: a test then never
    /// overwrites a real export with its own rows, nor creates a database
    /// file a migration attaches (see
    /// [`andamios_core::migrate::apply_writing_no_file`]).
    async fn apply(&self, pool: &Pool, target: Option<i64>, writing_no_file: bool) -> Result<Vec<i64>> {
        let _migrating = migrating(pool).await?;
        let applied = self.applied(pool).await?;
        self.verify(&applied)?;
        let mut done = Vec::new();
        for m in self.up_to(target).filter(|m| !is_applied(m, &applied)) {
            let started = Instant::now();
            let mut tx = pool.begin().await?;
            // Recording the migration and committing can fail because of
            // what it did (it wrote to an attached database, say): either
            // way the migration is named, and rolled back whole.
            let applied = async {
                if writing_no_file {
                    let sql = m.sql.clone();
                    tx.worker.run(move |s| s.execute_batch_writing_no_file(&sql)).await??;
                } else {
                    tx.execute_batch(&m.sql).await?;
                }
                query(&format!(
                    "INSERT INTO {TABLE} (version, description, checksum, execution_time) VALUES ($1, $2, $3, $4)"
                ))
                .bind(m.version)
                .bind(m.description.as_str())
                .bind(m.checksum.clone())
                .bind(started.elapsed().as_millis() as i64)
                .execute(&mut tx)
                .await?;
                tx.commit().await
            };
            applied.await.map_err(|e| {
                Error::Migrate(format!("migration {} ({}) failed and was rolled back: {e}", m.version, m.description))
            })?;
            done.push(m.version);
        }
        Ok(done)
    }

    /// Reverts the applied migrations newer than `target` (with `None`, the
    /// latest applied one), newest first; returns the versions reverted.
    /// Each has to have a down file, or none is reverted.
    pub async fn undo(&self, pool: &Pool, target: Option<i64>) -> Result<Vec<i64>> {
        let _migrating = migrating(pool).await?;
        let applied = self.applied(pool).await?;
        let mut done = Vec::new();
        for m in self.to_revert(&applied, target)? {
            let down = m.down_sql.as_deref().expect("checked by to_revert");
            let mut tx = pool.begin().await?;
            let reverted = async {
                tx.execute_batch(down).await?;
                query(&format!("DELETE FROM {TABLE} WHERE version = $1")).bind(m.version).execute(&mut tx).await?;
                tx.commit().await
            };
            reverted.await.map_err(|e| {
                Error::Migrate(format!(
                    "reverting migration {} ({}) failed and was rolled back: {e}",
                    m.version, m.description
                ))
            })?;
            done.push(m.version);
        }
        Ok(done)
    }

    /// What [`undo`](Self::undo) would revert down to `target`, newest first,
    /// or why it would revert nothing. Writes nothing, so a read-only pool
    /// will do.
    pub async fn to_undo(&self, pool: &Pool, target: Option<i64>) -> Result<Vec<&Migration>> {
        let applied = self.applied_so_far(pool).await?;
        self.to_revert(&applied, target)
    }

    /// Of `applied`, the migrations newer than `target` (the latest one
    /// for `None`), newest first; an error if one of them has no down file.
    fn to_revert(&self, applied: &[AppliedRow], target: Option<i64>) -> Result<Vec<&Migration>> {
        self.verify(applied)?;
        // By default only the latest: down to the one applied before it.
        let target = target.unwrap_or_else(|| applied.iter().rev().nth(1).map_or(i64::MIN, |a| a.version));
        let newer = applied.iter().rev().filter(|a| a.version > target);
        newer
            .map(|row| {
                let m = self.migrations.iter().find(|m| m.version == row.version).expect("verified above");
                match m.down_sql {
                    Some(_) => Ok(m),
                    None => Err(Error::Migrate(format!(
                        "migration {} ({}) cannot be reverted: it has no {}_*.down.sql file; nothing was reverted",
                        m.version, m.description, m.version
                    ))),
                }
            })
            .collect()
    }

    /// Every migration, known or applied, and its state, in version order.
    /// Writes nothing, so a read-only pool will do.
    pub async fn info(&self, pool: &Pool) -> Result<Vec<MigrationInfo>> {
        let applied = self.applied_so_far(pool).await?;
        let when = |r: &AppliedRow| Applied { installed_on: r.installed_on.clone(), execution_ms: r.execution_ms };
        let known = self.migrations.iter().map(|m| {
            let row = applied.iter().find(|a| a.version == m.version);
            MigrationInfo {
                version: m.version,
                description: m.description.clone(),
                applied: row.map(when),
                changed: row.is_some_and(|r| !m.has_checksum(&r.checksum)),
                reversible: m.down_sql.is_some(),
                missing: false,
            }
        });
        let missing =
            applied.iter().filter(|r| !self.migrations.iter().any(|m| m.version == r.version)).map(|r| MigrationInfo {
                version: r.version,
                description: r.description.clone(),
                applied: Some(when(r)),
                changed: false,
                reversible: false,
                missing: true,
            });
        let mut info: Vec<MigrationInfo> = known.chain(missing).collect();
        info.sort_by_key(|m| m.version);
        Ok(info)
    }
}

/// Whether `migration` is one of the `applied` ones.
fn is_applied(migration: &Migration, applied: &[AppliedRow]) -> bool {
    applied.iter().any(|a| a.version == migration.version)
}

/// What a test function may return.
#[doc(hidden)]
pub trait TestOutcome {
    /// Panics with the error, if any.
    fn check(self);
}

impl TestOutcome for () {
    fn check(self) {}
}

impl<E: std::fmt::Display> TestOutcome for std::result::Result<(), E> {
    fn check(self) {
        if let Err(e) = self {
            panic!("test failed: {e}");
        }
    }
}

/// Runs a `#[andamios::test]`: fresh in-memory pool, the schemas of the
/// databases `ANDAMIOS_ATTACH` names (`attach`: name and absolute path, as
/// the macro read them; their tables empty), migrations, fixtures, body.
#[doc(hidden)]
pub fn run_test<F, Fut>(migrator: Option<Migrator>, attach: &[(&str, &str)], fixtures: &[(&str, &str)], body: F)
where
    F: FnOnce(Pool) -> Fut,
    Fut: std::future::Future,
    Fut::Output: TestOutcome,
{
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(async move {
        let pool =
            Pool::connect("duckdb::memory:").await.unwrap_or_else(|e| panic!("cannot open the test database: {e}"));
        let mut conn = pool.acquire().await.unwrap_or_else(|e| panic!("cannot open the test database: {e}"));
        for (name, path) in attach {
            let attachment = andamios_core::schema::Attachment { name: name.to_string(), path: path.to_string() };
            let attached = conn
                .worker
                .run(move |s| andamios_core::schema::attach_schema(&s.conn, &attachment, "for this test"))
                .await;
            let attached = attached.unwrap_or_else(|e| panic!("cannot attach `{name}`: {e}"));
            // The message names the database, the file and ANDAMIOS_ATTACH.
            attached.unwrap_or_else(|e| panic!("{e}"));
        }
        drop(conn);
        if let Some(migrator) = migrator {
            migrator.apply(&pool, None, true).await.unwrap_or_else(|e| panic!("cannot apply the migrations: {e}"));
        }
        for (name, sql) in fixtures {
            let sql = sql.to_string();
            let mut conn = pool.acquire().await.unwrap_or_else(|e| panic!("cannot load fixture {name}: {e}"));
            let loaded = conn.worker.run(move |s| s.execute_batch_writing_no_file(&sql)).await;
            loaded.and_then(|loaded| loaded).unwrap_or_else(|e| panic!("fixture {name} failed: {e}"));
        }
        body(pool).await.check();
    });
}
