//! `andamios migrate add|run|revert|info|build-script`.

use crate::{database_file, migration_pool_options, runtime, settings_here, with_attach_note, Outcome};
use andamios::migrate::Migrator;
use andamios::{AccessMode, Pool};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Migration commands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Create a new migration file named after the current time.
    Add {
        /// What the migration does, e.g. `create_users`.
        name: String,
        /// Also create a `.down.sql` file that reverts it.
        #[arg(long, short)]
        reversible: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Apply pending migrations.
    Run {
        /// Stop after this version.
        #[arg(long)]
        target_version: Option<i64>,
        /// Only list what would be applied.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Revert the latest applied migration (or down to `--target-version`).
    Revert {
        /// Revert every migration newer than this version.
        #[arg(long)]
        target_version: Option<i64>,
        /// Only list what would be reverted.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
    /// List migrations and whether each is applied.
    Info {
        #[command(flatten)]
        common: Common,
    },
    /// Write a build.rs that has cargo rebuild the crate when a migration
    /// is added, changed or removed: `migrate!()` and the checked macros
    /// read the folder while the crate compiles, and cargo does not watch
    /// it by itself.
    BuildScript {
        /// Replace an existing build.rs.
        #[arg(long)]
        force: bool,
        /// The migrations folder.
        #[arg(long, default_value = "migrations")]
        source: PathBuf,
    },
}

/// The line of a build script that has cargo watch the folder `source`.
fn rerun_line(source: &Path) -> String {
    format!("println!(\"cargo:rerun-if-changed={}\");", source.display())
}

/// The folders the crate's build script has cargo watch: `source`, and
/// each folder of migrations that `ANDAMIOS_ATTACH` names (the schema of
/// an attached database), written from the crate's folder. Those are
/// relative to the workspace's root, where the compiler runs.
fn watched_folders(source: &Path) -> Result<Vec<PathBuf>, String> {
    let here = std::env::current_dir().map_err(|e| e.to_string())?;
    let attached: Vec<PathBuf> = settings_here()?.attachments()?.into_iter().map(|a| PathBuf::from(a.path)).collect();
    // From the workspace's root to the crate's folder, for relative paths
    // (an absolute one is joined to neither).
    let (root, up) = if attached.iter().any(|p| p.is_relative()) {
        let root = crate::prepare::workspace_root(Some(Path::new("Cargo.toml")))?;
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let depth = canonical(&here).strip_prefix(canonical(&root)).map_or(0, |inside| inside.components().count());
        (root, std::iter::repeat_n("..", depth).collect())
    } else {
        (PathBuf::new(), PathBuf::new())
    };
    let folders = attached.iter().filter(|p| root.join(p).is_dir()).map(|p| up.join(p));
    Ok(std::iter::once(source.to_path_buf()).chain(folders).collect())
}

/// Writes `build.rs` beside `migrations` (in the current folder, where
/// Cargo.toml is), unless one exists and `force` is not given.
fn build_script(source: &Path, force: bool) -> Outcome {
    let path = Path::new("build.rs");
    if !Path::new("Cargo.toml").is_file() {
        return Err("run `andamios migrate build-script` in the folder of the crate's Cargo.toml".into());
    }
    let folders = watched_folders(source)?;
    let lines: Vec<String> = folders.iter().map(|folder| rerun_line(folder)).collect();
    if path.exists() && !force {
        let existing = std::fs::read_to_string(path).unwrap_or_default();
        let missing: Vec<&String> = folders
            .iter()
            .zip(&lines)
            .filter(|(folder, _)| !existing.contains(&format!("rerun-if-changed={}", folder.display())))
            .map(|(_, line)| line)
            .collect();
        if missing.is_empty() {
            say!("build.rs already has cargo watch {}", source.display());
            return Ok(ExitCode::SUCCESS);
        }
        let missing: Vec<&str> = missing.iter().map(|line| line.as_str()).collect();
        return Err(format!(
            "build.rs exists: add {} to its main function, or pass --force to replace the file:\n    {}",
            if missing.len() == 1 { "this line" } else { "these lines" },
            missing.join("\n    ")
        ));
    }
    let script = format!(
        "// Written by `andamios migrate build-script`.\nfn main() {{\n    // Rebuild when a migration is added, changed or removed: `migrate!()` and\n    // the checked macros read the folder while the crate compiles.\n    {}\n}}\n",
        lines.join("\n    ")
    );
    std::fs::write(path, script).map_err(|e| format!("cannot write build.rs: {e}"))?;
    say!("created build.rs: cargo now rebuilds the crate when a migration in {} changes", source.display());
    Ok(ExitCode::SUCCESS)
}

/// Whether the crate in the current folder has cargo watch `source`.
fn watches_migrations(source: &Path) -> bool {
    std::fs::read_to_string("build.rs").is_ok_and(|s| s.contains(&format!("rerun-if-changed={}", source.display())))
}

/// Options shared by the migration commands.
#[derive(Debug, clap::Args)]
pub(crate) struct Common {
    /// The migrations folder.
    #[arg(long, default_value = "migrations")]
    source: PathBuf,
    /// The database (default: DATABASE_URL).
    #[arg(long)]
    database_url: Option<String>,
}

/// The file name part of a migration called `name`: its letters and
/// digits, in any script (`añadir_índice`), lower-cased, and `_` between
/// words.
fn slug(name: &str) -> String {
    name.trim()
        .chars()
        .flat_map(|c| if c.is_alphanumeric() { c.to_lowercase().collect::<Vec<_>>() } else { vec!['_'] })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// `YYYYMMDDhhmmss` of now (UTC), the version of a new migration.
fn timestamp_version() -> i64 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = andamios::types::Date { days: days as i32 }.ymd();
    let date = (i64::from(year) * 100 + i64::from(month)) * 100 + i64::from(day);
    ((date * 100 + rem / 3600) * 100 + rem / 60 % 60) * 100 + rem % 60
}

fn add(dir: &Path, name: &str, reversible: bool) -> Outcome {
    let slug = slug(name);
    if slug.is_empty() {
        return Err("give the migration a name made of letters or digits, e.g. `create_users`".into());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let existing = andamios_core::migrate::read_dir(dir).map_err(|e| e.0)?;
    let version = timestamp_version().max(existing.last().map_or(0, |m| m.version + 1));
    let up = dir.join(format!("{version}_{slug}.sql"));
    std::fs::write(&up, format!("-- {name}\n")).map_err(|e| format!("cannot write {}: {e}", up.display()))?;
    say!("created {}", up.display());
    if reversible {
        let down = dir.join(format!("{version}_{slug}.down.sql"));
        std::fs::write(&down, format!("-- revert: {name}\n"))
            .map_err(|e| format!("cannot write {}: {e}", down.display()))?;
        say!("created {}", down.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The migrations of `common`, a pool of one connection to `url` (see
/// [`migration_pool_options`]), and what to add to a migration's error.
/// Commands that only read (`migrate info`, the dry runs) open it
/// read-only: a mistyped path is then an error, not a new empty database.
fn connect(
    common: &Common,
    url: &str,
    access: AccessMode,
) -> Result<(Migrator, tokio::runtime::Runtime, Pool, String), String> {
    let migrator = Migrator::from_dir(&common.source).map_err(|e| e.to_string())?;
    let rt = runtime()?;
    let (options, note) = migration_pool_options(access)?;
    let pool = rt.block_on(options.connect(url)).map_err(|e| format!("cannot open {url}: {e}"))?;
    Ok((migrator, rt, pool, note))
}

pub(crate) fn run(command: Command) -> Outcome {
    match command {
        Command::Add { name, reversible, common } => {
            let outcome = add(&common.source, &name, reversible)?;
            if Path::new("Cargo.toml").is_file() && !watches_migrations(&common.source) {
                say!(
                    "note: cargo does not rebuild a crate when a migration is added, so `migrate!()` and the checked \
                     macros would not see it; `andamios migrate build-script` writes a build.rs that makes it"
                );
            }
            Ok(outcome)
        }
        Command::BuildScript { force, source } => build_script(&source, force),
        Command::Run { target_version, dry_run, common } => {
            let (url, path) = database_file(common.database_url.clone())?;
            if dry_run {
                let pending: Vec<(i64, String)> = if !path.exists() {
                    say!("{} does not exist yet: `migrate run` creates it", path.display());
                    let migrator = Migrator::from_dir(&common.source).map_err(|e| e.to_string())?;
                    migrator.up_to(target_version).map(|m| (m.version, m.description.clone())).collect()
                } else {
                    let (migrator, rt, pool, _) = connect(&common, &url, AccessMode::ReadOnly)?;
                    let pending = rt.block_on(migrator.pending(&pool, target_version)).map_err(|e| e.to_string())?;
                    pending.into_iter().map(|m| (m.version, m.description.clone())).collect()
                };
                if pending.is_empty() {
                    say!("nothing to apply");
                }
                for (version, description) in pending {
                    say!("would apply {version} {description}");
                }
                return Ok(ExitCode::SUCCESS);
            }
            let (migrator, rt, pool, note) = connect(&common, &url, AccessMode::ReadWrite)?;
            let applied =
                rt.block_on(migrator.run_to(&pool, target_version)).map_err(|e| with_attach_note(e, &note))?;
            if applied.is_empty() {
                say!("nothing to apply: the database is up to date");
            }
            for v in applied {
                let m = migrator.migrations().iter().find(|m| m.version == v).expect("applied from this set");
                say!("applied {} {}", m.version, m.description);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Revert { target_version, dry_run, common } => {
            let (url, path) = database_file(common.database_url.clone())?;
            if !path.exists() {
                return Err(format!("{} does not exist: there is nothing to revert", path.display()));
            }
            let access = if dry_run { AccessMode::ReadOnly } else { AccessMode::ReadWrite };
            let (migrator, rt, pool, note) = connect(&common, &url, access)?;
            if dry_run {
                let to_undo = rt.block_on(migrator.to_undo(&pool, target_version)).map_err(|e| e.to_string())?;
                if to_undo.is_empty() {
                    say!("nothing to revert");
                }
                for m in to_undo {
                    say!("would revert {} {}", m.version, m.description);
                }
                return Ok(ExitCode::SUCCESS);
            }
            let reverted = rt.block_on(migrator.undo(&pool, target_version)).map_err(|e| with_attach_note(e, &note))?;
            if reverted.is_empty() {
                say!("nothing to revert");
            }
            for v in reverted {
                say!("reverted {v}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Info { common } => {
            let (url, path) = database_file(common.database_url.clone())?;
            if !path.exists() {
                return Err(format!(
                    "{} does not exist: check the path, or create it and apply the migrations with `andamios migrate run`",
                    path.display()
                ));
            }
            let (migrator, rt, pool, _) = connect(&common, &url, AccessMode::ReadOnly)?;
            let info = rt.block_on(migrator.info(&pool)).map_err(|e| e.to_string())?;
            for m in info {
                let state = match (&m.applied, m.changed) {
                    (Some(a), _) if m.missing => {
                        format!("applied {}, but its file is MISSING: restore it", a.installed_on)
                    }
                    (Some(_), true) => "CHANGED since applied".to_owned(),
                    (Some(a), false) => format!("applied {} ({} ms)", a.installed_on, a.execution_ms),
                    (None, _) => "pending".to_owned(),
                };
                let reversible = if m.reversible { " [reversible]" } else { "" };
                say!("{:>16}  {:<32} {state}{reversible}", m.version, m.description);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_versions() {
        assert_eq!(slug("Create Users!"), "create_users");
        assert_eq!(slug("  "), "");
        assert_eq!(slug("Añadir Índice/../x"), "añadir_índice_x");
        let v = timestamp_version();
        assert!(v > 20_240_101_000_000 && v < 99_991_231_235_959, "{v}");
    }
}
