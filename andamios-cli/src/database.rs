//! `andamios database create|setup|drop|reset` for file databases.

use crate::{database_file, migration_pool_options, runtime, with_attach_note, Outcome};
use andamios::migrate::Migrator;
use andamios_core::ffi::{Database, OpenOptions};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Database commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Create the database file (empty).
    Create(Common),
    /// Create the database file if it does not exist, and apply every
    /// pending migration.
    Setup {
        #[command(flatten)]
        common: Common,
        /// The migrations folder.
        #[arg(long, default_value = "migrations")]
        source: PathBuf,
    },
    /// Delete the database file and its write-ahead log (asks first).
    Drop {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Drop, create, and apply every migration (asks first).
    Reset {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        confirm: Confirm,
        /// The migrations folder.
        #[arg(long, default_value = "migrations")]
        source: PathBuf,
    },
}

/// Options shared by the database commands.
#[derive(Debug, clap::Args)]
pub(crate) struct Common {
    /// The database (default: DATABASE_URL).
    #[arg(long)]
    database_url: Option<String>,
}

/// Consent to delete a database file.
#[derive(Debug, clap::Args)]
pub(crate) struct Confirm {
    /// Delete without asking (needed when not run in a terminal).
    #[arg(short = 'y', long)]
    yes: bool,
}

fn create(url: &str) -> Result<(), String> {
    let rt = runtime()?;
    rt.block_on(async {
        let pool = andamios::Pool::connect(url).await?;
        pool.execute_batch("CHECKPOINT").await
    })
    .map_err(|e| format!("cannot create {url}: {e}"))
}

/// Checks that `path` may be deleted: it must be a DuckDB database that no
/// other process has open, and the user must agree. Deleting the file of a
/// running application would lose every write it makes afterwards, to a
/// file that no longer has a name.
fn confirm_delete(path: &Path, confirm: &Confirm) -> Result<(), String> {
    if !path.exists() {
        return Ok(());
    }
    ensure_duckdb_file(path)?;
    ensure_not_open_elsewhere(path)?;
    if confirm.yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(format!(
            "not deleting {} without confirmation: run the command in a terminal to be asked, or pass -y",
            path.display()
        ));
    }
    eprint!("Delete the database {} and its write-ahead log? [y/N] ", path.display());
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer).map_err(|e| format!("cannot read the answer: {e}"))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
        Ok(())
    } else {
        Err(format!("{} was not deleted", path.display()))
    }
}

/// A DuckDB file starts with a checksum and the magic bytes `DUCK`; an empty
/// file is what DuckDB makes of a new database before its first checkpoint.
fn ensure_duckdb_file(path: &Path) -> Result<(), String> {
    let mut header = Vec::with_capacity(12);
    std::fs::File::open(path)
        .and_then(|file| file.take(12).read_to_end(&mut header))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if header.is_empty() || header.get(8..12) == Some(b"DUCK".as_slice()) {
        Ok(())
    } else {
        Err(format!(
            "{} is not a DuckDB database file; not deleting it (check DATABASE_URL or --database-url)",
            path.display()
        ))
    }
}

/// DuckDB locks a database file while a process has it open; opening it
/// here fails on that lock if another process (an application, a shell)
/// still uses the file.
fn ensure_not_open_elsewhere(path: &Path) -> Result<(), String> {
    let name = path.to_str().ok_or_else(|| format!("{} is not a UTF-8 path", path.display()))?;
    match Database::open(name, &OpenOptions::default()) {
        Ok(_) => Ok(()),
        Err(e) if e.message().contains("lock") => Err(format!(
            "{} is open in another process; stop it first, or it would go on writing to a deleted file\n  DuckDB: {}",
            path.display(),
            e.message()
        )),
        // A damaged file can still be deleted; nothing else can have it open.
        Err(_) => Ok(()),
    }
}

fn drop_file(path: &Path) -> Result<bool, String> {
    let mut removed = false;
    for p in [path.to_path_buf(), PathBuf::from(format!("{}.wal", path.display()))] {
        match std::fs::remove_file(&p) {
            Ok(()) => removed = true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot delete {}: {e}", p.display())),
        }
    }
    Ok(removed)
}

/// `1 migration`, `2 migrations`.
fn migrations(count: usize) -> String {
    format!("{count} migration{}", if count == 1 { "" } else { "s" })
}

/// Opens `url` (creating the file) and applies the pending migrations;
/// returns how many it applied.
fn apply_all(url: &str, migrator: &Migrator) -> Result<usize, String> {
    let rt = runtime()?;
    let (options, note) = migration_pool_options(andamios::AccessMode::ReadWrite)?;
    let applied = rt
        .block_on(async { migrator.run(&options.connect(url).await?).await })
        .map_err(|e| with_attach_note(e, &note))?;
    Ok(applied.len())
}

pub(crate) fn run(command: Command) -> Outcome {
    match command {
        Command::Create(common) => {
            let (url, path) = database_file(common.database_url.clone())?;
            if path.exists() {
                say!("{} already exists", path.display());
            } else {
                create(&url)?;
                say!("created {}", path.display());
            }
        }
        Command::Setup { common, source } => {
            let (url, path) = database_file(common.database_url.clone())?;
            let migrator = Migrator::from_dir(&source).map_err(|e| e.to_string())?;
            let existed = path.exists();
            let applied = apply_all(&url, &migrator).map_err(|e| format!("cannot set up {url}: {e}"))?;
            let what = if existed { "set up" } else { "created" };
            say!("{what} {} and applied {}", path.display(), migrations(applied));
        }
        Command::Drop { common, confirm } => {
            let (_, path) = database_file(common.database_url.clone())?;
            confirm_delete(&path, &confirm)?;
            if drop_file(&path)? {
                say!("dropped {}", path.display());
            } else {
                say!("{} does not exist", path.display());
            }
        }
        Command::Reset { common, confirm, source } => {
            let (url, path) = database_file(common.database_url.clone())?;
            let migrator = Migrator::from_dir(&source).map_err(|e| e.to_string())?;
            confirm_delete(&path, &confirm)?;
            drop_file(&path)?;
            let applied = apply_all(&url, &migrator).map_err(|e| format!("cannot reset {url}: {e}"))?;
            say!("reset {} and applied {}", path.display(), migrations(applied));
        }
    }
    Ok(ExitCode::SUCCESS)
}
