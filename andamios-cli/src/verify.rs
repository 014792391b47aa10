//! `andamios verify`: describe every cached statement against a database
//! (no compiler) and report where the database drifted from the cache.

use crate::{database_file, Outcome};
use andamios_core::cache;
use andamios_core::describe::{describe, DescribedColumn, QueryDescription};
use andamios_core::ffi::{Database, OpenOptions};
use andamios_core::schema::CACHE_DIR_NAME;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The database to check (default: DATABASE_URL).
    #[arg(long)]
    database_url: Option<String>,
    /// The offline cache folder.
    #[arg(long, default_value = CACHE_DIR_NAME)]
    cache: PathBuf,
}

/// How `now` differs from `cached`, one line per difference.
pub(crate) fn drift(cached: &QueryDescription, now: &QueryDescription) -> Vec<String> {
    let mut out = Vec::new();
    if cached.params != now.params {
        let show = |p: &[andamios_core::DuckType]| p.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
        out.push(format!("parameters changed: ({}) -> ({})", show(&cached.params), show(&now.params)));
    }
    let find = |cols: &[DescribedColumn], name: &str| cols.iter().find(|c| c.name == name).cloned();
    for old in &cached.columns {
        match find(&now.columns, &old.name) {
            None => out.push(format!("column `{}` is gone", old.name)),
            Some(new) => {
                if new.ty != old.ty {
                    out.push(format!("column `{}` changed type: {} -> {}", old.name, old.ty, new.ty));
                }
                // Tighter (NOT NULL now) is harmless; looser breaks decoding.
                if new.nullable && !old.nullable {
                    out.push(format!("column `{}` can now be NULL (the code reads it as not NULL)", old.name));
                }
                if (new.elements_nullable && !old.elements_nullable) || (new.nested_nullable && !old.nested_nullable) {
                    out.push(format!(
                        "the values inside column `{}` can now be NULL (the code reads them as not NULL)",
                        old.name
                    ));
                }
            }
        }
    }
    for new in &now.columns {
        if find(&cached.columns, &new.name).is_none() {
            out.push(format!("column `{}` is new", new.name));
        }
    }
    out
}

pub(crate) fn run(args: Args) -> Outcome {
    if !args.cache.is_dir() {
        return Err(format!("no offline cache at {}; run `andamios prepare` first", args.cache.display()));
    }
    let entries = cache::entries(&args.cache)
        .map_err(|e| format!("cannot read the offline cache {}: {e}", args.cache.display()))?;
    let (url, path) = database_file(args.database_url)?;
    let db = Database::open(&path.to_string_lossy(), &OpenOptions { read_only: true, ..OpenOptions::default() })
        .map_err(|e| format!("cannot open {url}: {}", e.message()))?;
    let conn = db.connect().map_err(|e| e.to_string())?;
    let checked = entries.len();
    let mut drifted = 0;
    for (name, text) in &entries {
        let entry = cache::read_entry(&args.cache.join(name), text).map_err(|e| e.to_string())?;
        let problems = match describe(&conn, &entry.query.sql) {
            Ok(now) => drift(&entry.query, &now),
            Err(e) => vec![format!("no longer valid: {e}")],
        };
        if !problems.is_empty() {
            drifted += 1;
            let sql: String = entry.query.sql.split_whitespace().collect::<Vec<_>>().join(" ");
            say!("DRIFT {name}\n  {sql}");
            for p in problems {
                say!("  - {p}");
            }
        }
    }
    if drifted == 0 {
        say!("andamios: {checked} cached queries match {url}");
        Ok(ExitCode::SUCCESS)
    } else {
        say!("andamios: {drifted} of {checked} cached queries drifted from {url}");
        Ok(ExitCode::FAILURE)
    }
}
