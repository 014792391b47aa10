//! `andamios`: prepare the offline cache, verify a database against it, run
//! migrations and manage database files.
#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]

/// `println!` that ends the process quietly when standard output is closed
/// (`andamios verify | head`), with the status a SIGPIPE would give,
/// instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::write_line(format_args!($($arg)*))
    };
}

mod database;
mod diff;
mod migrate;
mod prepare;
mod verify;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Compile-time checked SQL for DuckDB: the command-line companion.
#[derive(Debug, Parser)]
#[command(name = "andamios", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Regenerate `.andamios-cache/` for every crate that uses the checked macros.
    Prepare(prepare::Args),
    /// Describe every cached statement against a database and report drift.
    Verify(verify::Args),
    /// Create, apply, revert and list migrations.
    #[command(subcommand)]
    Migrate(migrate::Command),
    /// Create, drop or reset a database file.
    #[command(subcommand)]
    Database(database::Command),
}

/// Where an error message ends up: printed, then exit code 1.
type Outcome = Result<ExitCode, String>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Prepare(args) => prepare::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Migrate(command) => migrate::run(command),
        Command::Database(command) => database::run(command),
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Writes one line to standard output (see `say!`).
fn write_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(line).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// The settings the macros read (`DATABASE_URL`, `ANDAMIOS_ATTACH`, ...),
/// from the environment and the nearest `.env` from the current folder up.
fn settings_here() -> Result<andamios_core::schema::SourceSettings, String> {
    let here = std::env::current_dir().map_err(|e| e.to_string())?;
    Ok(andamios_core::schema::SourceSettings::from_env(here))
}

/// `DATABASE_URL` from the flag, the environment or the nearest `.env`.
fn database_url(flag: Option<String>) -> Result<String, String> {
    if let Some(url) = flag.filter(|u| !u.is_empty()) {
        return Ok(url);
    }
    settings_here()?
        .database_url
        .ok_or_else(|| "no database given: pass --database-url duckdb:path/to/app.duckdb or set DATABASE_URL (the environment or a .env file)".to_owned())
}

/// The URL of the database file the command works on (see
/// [`database_url`]), and the file's path. An in-memory database is an
/// error: it would be gone when the command ends.
fn database_file(flag: Option<String>) -> Result<(String, PathBuf), String> {
    let url = database_url(flag)?;
    let path = andamios_core::schema::database_path(&url)?;
    if path == ":memory:" {
        return Err(format!(
            "{url} is an in-memory database, which is gone when this command ends; give a database file: \
             --database-url duckdb:path/to/app.duckdb (or DATABASE_URL)"
        ));
    }
    Ok((url, PathBuf::from(path)))
}

/// The options of a pool that applies migrations: one connection, with the
/// databases `ANDAMIOS_ATTACH` names attached read-only, as the program's
/// `after_connect` attaches them before its migrations run (a migration
/// may read them, and the macros check it so). A file missing here is left
/// out; the second value is what to add to an error that may come of it.
fn migration_pool_options(access: andamios::AccessMode) -> Result<(andamios::PoolOptions, String), String> {
    let attachments = settings_here()?.attachments()?;
    // A folder is the attachment's schema as migrations, for the macros:
    // nothing to attach here.
    let attachments = attachments.into_iter().filter(|a| !std::path::Path::new(&a.path).is_dir());
    let (present, missing): (Vec<_>, Vec<_>) = attachments.partition(|a| std::path::Path::new(&a.path).exists());
    let note = missing
        .iter()
        .map(|a| {
            format!(
                "\n  ANDAMIOS_ATTACH names `{}` at `{}`, which does not exist here, so it was not attached",
                a.name, a.path
            )
        })
        .collect();
    let mut options = andamios::PoolOptions::new().max_connections(1).access_mode(access);
    for a in &present {
        options = options.attach(&a.name, &a.path, andamios::AccessMode::ReadOnly);
    }
    Ok((options, note))
}

/// A migration's error, with `note` (see [`migration_pool_options`]) where
/// it is DuckDB's unknown name, which a database left out may cause.
fn with_attach_note(e: andamios::Error, note: &str) -> String {
    let message = e.to_string();
    // A migration's error is `Error::Migrate`, DuckDB's kind kept in its text.
    if message.contains("Catalog Error") {
        format!("{message}{note}")
    } else {
        message
    }
}

/// A current-thread runtime for the async library calls.
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())
}
