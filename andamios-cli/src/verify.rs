//! `andamios verify`: describe every cached statement against a database
//! (no compiler) and report where the database drifted from the cache.

use crate::{database_file, settings_here, Outcome};
use andamios_core::cache;
use andamios_core::describe::{describe, DescribedColumn, QueryDescription};
use andamios_core::ffi::{Database, OpenOptions};
use andamios_core::schema::{parse_attachments, Attachment, CACHE_DIR_NAME};
use std::collections::BTreeSet;
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
    /// Check only the queries of this package (repeat for more): for a
    /// workspace whose packages use different databases.
    #[arg(long, short = 'p', value_name = "NAME")]
    package: Vec<String>,
    /// A database the program attaches when it runs, as NAME=PATH (repeat
    /// for more; default: ANDAMIOS_ATTACH, as the macros read it), attached
    /// read-only to check the queries that name it.
    #[arg(long, value_name = "NAME=PATH")]
    attach: Vec<String>,
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

/// The databases to attach: from `--attach`, else `ANDAMIOS_ATTACH` (the
/// environment or the nearest `.env`).
fn attachments(flags: &[String]) -> Result<Vec<Attachment>, String> {
    if !flags.is_empty() {
        return parse_attachments(&flags.join(","));
    }
    settings_here()?.attachments()
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
    for Attachment { name, path } in attachments(&args.attach)? {
        if std::path::Path::new(&path).is_dir() {
            return Err(format!(
                "ANDAMIOS_ATTACH gives `{name}` as a folder of migrations, `{path}`, which builds its schema for the \
                 macros; verify checks the databases the program runs on: give the file it attaches, \
                 `--attach {name}=path/to/{name}.duckdb`"
            ));
        }
        let quoted = path.replace('\'', "''");
        conn.execute_batch(&format!("ATTACH '{quoted}' AS \"{name}\" (READ_ONLY)"))
            .map_err(|e| format!("cannot attach `{name}` from `{path}`: {}", e.message()))?;
    }
    let mut all = Vec::with_capacity(entries.len());
    for (name, text) in &entries {
        all.push((name, cache::read_entry(&args.cache.join(name), text).map_err(|e| e.to_string())?));
    }
    let packages: BTreeSet<&str> = all.iter().flat_map(|(_, e)| e.packages.iter().map(String::as_str)).collect();
    if let Some(unknown) = args.package.iter().find(|p| !packages.contains(p.as_str())) {
        let known: Vec<&str> = packages.iter().copied().collect();
        return Err(format!(
            "no cached query belongs to package `{unknown}`; the cache holds queries of: {}",
            if known.is_empty() {
                "no named package (run `andamios prepare` again)".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    // Entries that name no package (from an older prepare) are always checked.
    let wanted = |entry: &cache::CacheEntry| {
        args.package.is_empty() || entry.packages.is_empty() || entry.packages.iter().any(|p| args.package.contains(p))
    };
    let mut checked = 0;
    let mut drifted = 0;
    for (name, entry) in all.iter().filter(|(_, entry)| wanted(entry)) {
        checked += 1;
        let problems = match describe(&conn, &entry.query.sql) {
            Ok(now) => drift(&entry.query, &now),
            Err(e) => vec![format!("no longer valid: {e}")],
        };
        if !problems.is_empty() {
            drifted += 1;
            let sql: String = entry.query.sql.split_whitespace().collect::<Vec<_>>().join(" ");
            let from =
                if entry.packages.is_empty() { String::new() } else { format!(" ({})", entry.packages.join(", ")) };
            say!("DRIFT {name}{from}\n  {sql}");
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
        if args.package.is_empty() && packages.len() > 1 {
            let list: Vec<&str> = packages.iter().copied().collect();
            say!(
                "the cache holds the queries of several packages ({}); where they use different databases, check each against its own with `--package`",
                list.join(", ")
            );
        }
        Ok(ExitCode::FAILURE)
    }
}
