//! `andamios database create|drop|reset` for file databases.

use crate::{database_url, runtime, Outcome};
use andamios::migrate::Migrator;
use andamios_core::schema::database_path;
use std::path::PathBuf;
use std::process::ExitCode;

/// Database commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Create the database file (empty).
    Create(Common),
    /// Delete the database file and its write-ahead log.
    Drop(Common),
    /// Drop, create, and apply every migration.
    Reset {
        #[command(flatten)]
        common: Common,
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

fn file(common: &Common) -> Result<(String, PathBuf), String> {
    let url = database_url(common.database_url.clone())?;
    let path = database_path(&url)?;
    if path == ":memory:" {
        return Err(format!("{url} is an in-memory database; these commands manage database files"));
    }
    Ok((url, PathBuf::from(path)))
}

fn create(url: &str) -> Result<(), String> {
    let rt = runtime()?;
    rt.block_on(async {
        let pool = andamios::Pool::connect(url).await?;
        pool.execute_batch("CHECKPOINT").await
    })
    .map_err(|e| format!("cannot create {url}: {e}"))
}

fn drop_file(path: &std::path::Path) -> Result<bool, String> {
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

pub(crate) fn run(command: Command) -> Outcome {
    match command {
        Command::Create(common) => {
            let (url, path) = file(&common)?;
            if path.exists() {
                println!("{} already exists", path.display());
            } else {
                create(&url)?;
                println!("created {}", path.display());
            }
        }
        Command::Drop(common) => {
            let (_, path) = file(&common)?;
            if drop_file(&path)? {
                println!("dropped {}", path.display());
            } else {
                println!("{} does not exist", path.display());
            }
        }
        Command::Reset { common, source } => {
            let (url, path) = file(&common)?;
            let migrator = Migrator::from_dir(&source).map_err(|e| e.to_string())?;
            drop_file(&path)?;
            let rt = runtime()?;
            let applied = rt
                .block_on(async {
                    let pool = andamios::PoolOptions::new().max_connections(1).connect(&url).await?;
                    migrator.run(&pool).await
                })
                .map_err(|e| format!("cannot reset {url}: {e}"))?;
            println!("reset {} and applied {} migrations", path.display(), applied.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
