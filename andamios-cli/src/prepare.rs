//! `andamios prepare [--check]`: regenerate the offline cache by compiling
//! the workspace with the macros told to write their descriptions.

use crate::{diff, Outcome};
use andamios_core::cache;
use andamios_core::schema::CACHE_DIR_NAME;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Arguments of `prepare`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Do not write anything: fail, with a diff, when the cache is not current.
    #[arg(long)]
    check: bool,
    /// The workspace (default: the one around the current folder).
    #[arg(long)]
    manifest_path: Option<PathBuf>,
    /// Extra arguments for `cargo check`, after `--`.
    #[arg(last = true)]
    cargo_args: Vec<String>,
}

/// The root folder of the workspace of `manifest_path` (default: the one
/// around the current folder), as cargo names it.
pub(crate) fn workspace_root(manifest_path: Option<&Path>) -> Result<PathBuf, String> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(path) = manifest_path {
        cmd.arg("--manifest-path").arg(path);
    }
    let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cannot read cargo metadata: {e}"))?;
    metadata
        .get("workspace_root")
        .and_then(|v| v.as_str())
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata did not name the workspace root".into())
}

/// The cache entries of `dir`, by file name.
fn entries(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    cache::entries(dir).map_err(|e| format!("cannot read the offline cache {}: {e}", dir.display()))
}

/// The entries the macros wrote into `dir`, by package: each package's in
/// a folder named after it, and those of code outside any package in `dir`
/// itself (package `""`).
fn written(dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, String>>, String> {
    let mut out = BTreeMap::from([(String::new(), entries(dir)?)]);
    let folders = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for folder in folders {
        let folder = folder.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if folder.file_type().is_ok_and(|t| t.is_dir()) {
            out.insert(folder.file_name().to_string_lossy().into_owned(), entries(&folder.path())?);
        }
    }
    Ok(out)
}

/// `sql` on one line, cut to 70 characters.
fn one_line(sql: &str) -> String {
    let sql: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if sql.len() > 70 {
        format!("{}...", &sql[..sql.char_indices().nth(67).map_or(sql.len(), |(i, _)| i)])
    } else {
        sql
    }
}

fn first_line_of_sql(path: &Path, text: &str) -> String {
    match cache::read_entry(path, text) {
        Ok(entry) => one_line(&entry.query.sql),
        Err(_) => "(unreadable entry)".into(),
    }
}

pub(crate) fn run(args: Args) -> Outcome {
    let root = workspace_root(args.manifest_path.as_deref())?;
    let committed_dir = root.join(CACHE_DIR_NAME);
    let fresh_dir = std::env::temp_dir().join(format!("andamios-prepare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh_dir);
    std::fs::create_dir_all(&fresh_dir).map_err(|e| format!("cannot create {}: {e}", fresh_dir.display()))?;

    eprintln!("andamios: compiling the workspace to describe every checked query...");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.arg("check").arg("--workspace").arg("--all-targets");
    if let Some(path) = &args.manifest_path {
        cmd.arg("--manifest-path").arg(path);
    }
    cmd.args(&args.cargo_args)
        .current_dir(&root)
        // A new folder each run: the macros track this variable, so cargo
        // expands them again even where nothing else changed.
        .env("ANDAMIOS_CACHE_DIR", &fresh_dir)
        .env("ANDAMIOS_OFFLINE", "false")
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&fresh_dir);
        return Err("cargo check failed (see above); fix the errors, then run `andamios prepare` again".into());
    }

    let combined = written(&fresh_dir).and_then(|written| {
        cache::combine(&written).map_err(|e| format!("cannot read what the macros wrote to the offline cache: {e}"))
    });
    let (combined, committed) = match combined.and_then(|fresh| Ok((fresh, entries(&committed_dir)?))) {
        Ok(both) => both,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&fresh_dir);
            return Err(e);
        }
    };
    for (sql, packages) in &combined.described_apart {
        eprintln!(
            "andamios: packages {} describe `{}` differently (their schemas differ): each gets an entry of its own",
            packages.join(", "),
            one_line(sql)
        );
    }
    let fresh = combined.entries;
    let mut report = Vec::new();
    for (name, text) in &fresh {
        match committed.get(name) {
            None => report.push(format!("  missing  {name}  {}", first_line_of_sql(&fresh_dir.join(name), text))),
            Some(old) if old != text => report.push(format!(
                "  stale    {name}  {}\n{}",
                first_line_of_sql(&fresh_dir.join(name), text),
                diff::lines(old, text)
            )),
            Some(_) => {}
        }
    }
    for (name, text) in &committed {
        if !fresh.contains_key(name) {
            report.push(format!("  unused   {name}  {}", first_line_of_sql(&committed_dir.join(name), text)));
        }
    }

    let outcome = if args.check {
        if report.is_empty() {
            say!("andamios: the offline cache is current ({} queries)", fresh.len());
            Ok(ExitCode::SUCCESS)
        } else {
            say!("andamios: the offline cache in {} is not current:", committed_dir.display());
            for line in &report {
                say!("{line}");
            }
            say!("run `andamios prepare` and commit {CACHE_DIR_NAME}/");
            Ok(ExitCode::FAILURE)
        }
    } else {
        std::fs::create_dir_all(&committed_dir).map_err(|e| e.to_string())?;
        for (name, text) in &fresh {
            if committed.get(name) != Some(text) {
                cache::write_entry_file(&committed_dir, name, text).map_err(|e| format!("cannot write {name}: {e}"))?;
            }
        }
        for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
            std::fs::remove_file(committed_dir.join(name)).map_err(|e| format!("cannot remove {name}: {e}"))?;
        }
        for line in &report {
            say!("{}", line.lines().next().unwrap_or_default());
        }
        say!("andamios: wrote {} queries to {} ({} changed)", fresh.len(), committed_dir.display(), report.len());
        Ok(ExitCode::SUCCESS)
    };
    let _ = std::fs::remove_dir_all(&fresh_dir);
    outcome
}
