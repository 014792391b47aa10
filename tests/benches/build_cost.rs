//! Build cost of the checked macros: `cargo check` of a generated crate with
//! 200 distinct `query!` calls against a 20-table schema from migrations,
//! after touching its source, against the same crate with the SQL in
//! `andamios::query()` calls, and against the checked crate built offline.
//!
//! The crates are generated inside this repository's folder (so they share
//! its cargo configuration) with workspaces of their own, and checked in this
//! build's target folder (so no dependency is compiled again).

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const TABLES: usize = 20;
const QUERIES: usize = 200;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn target_dir() -> PathBuf {
    // <target>/release/deps/build_cost-<hash>
    std::env::current_exe().unwrap().ancestors().nth(3).unwrap().to_path_buf()
}

fn schema() -> String {
    (0..TABLES)
        .map(|t| {
            format!(
                "CREATE TABLE t{t} (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, note VARCHAR, amount DECIMAL(12,2), created_at TIMESTAMP NOT NULL, parent BIGINT);\n"
            )
        })
        .collect()
}

/// The `i`-th statement: distinct text, a join on every other one.
fn statement(i: usize) -> String {
    let t = i % TABLES;
    let u = (i + 1) % TABLES;
    if i.is_multiple_of(2) {
        format!("SELECT a.id, a.name, a.note, a.amount + {i} AS amount FROM t{t} a WHERE a.id > $1 AND a.name <> $2")
    } else {
        format!("SELECT a.id, b.name AS other, count(*) OVER () AS total_{i} FROM t{t} a LEFT JOIN t{u} b ON b.parent = a.id WHERE a.id = $1 AND b.note = $2")
    }
}

fn generate(name: &str, checked: bool) -> PathBuf {
    let dir = repo().join("target").join("bench-projects").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(dir.join("migrations").join("1_schema.sql"), schema()).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\nandamios = {{ path = {:?} }}\n\n[profile.dev.package.libduckdb-sys]\nopt-level = 3\ndebug = false\ndebug-assertions = false\noverflow-checks = false\n\n[profile.dev.build-override]\ndebug = false\n",
            repo().join("andamios").display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let mut src = String::from("#![allow(unused)]\n");
    for i in 0..QUERIES {
        let sql = statement(i);
        if checked {
            src.push_str(&format!("fn q{i}() {{ let _ = andamios::query!({sql:?}, 1i64, \"x\"); }}\n"));
        } else {
            src.push_str(&format!("fn q{i}() {{ let _ = andamios::query({sql:?}).bind(1i64).bind(\"x\"); }}\n"));
        }
    }
    src.push_str("fn main() {}\n");
    std::fs::write(dir.join("src").join("main.rs"), src).unwrap();
    dir
}

fn check(dir: &Path, offline: Option<&Path>) {
    // Touch the source so that cargo checks (and expands) it again.
    let main = dir.join("src").join("main.rs");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text).unwrap();
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.arg("check").arg("--quiet").current_dir(dir).env("CARGO_TARGET_DIR", target_dir());
    for var in ["DATABASE_URL", "ANDAMIOS_CACHE_DIR", "ANDAMIOS_OFFLINE_DIR", "ANDAMIOS_MIGRATIONS"] {
        cmd.env_remove(var);
    }
    match offline {
        Some(cache) => cmd.env("ANDAMIOS_OFFLINE", "true").env("ANDAMIOS_OFFLINE_DIR", cache),
        None => cmd.env_remove("ANDAMIOS_OFFLINE"),
    };
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn build_cost(c: &mut Criterion) {
    let checked = generate("bench-checked", true);
    let unchecked = generate("bench-unchecked", false);
    // Warm up both (and write the offline cache of the checked crate, which
    // the macros put in a folder named after its package).
    let written = checked.join("target").join("andamios-written");
    let cache = written.join("bench-checked");
    let mut warm = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    let out = warm
        .arg("check")
        .arg("--quiet")
        .current_dir(&checked)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("ANDAMIOS_CACHE_DIR", &written)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    check(&unchecked, None);

    let mut group = c.benchmark_group("cargo_check_200_queries");
    group.sample_size(10).measurement_time(Duration::from_secs(60));
    group.bench_function("runtime_query_calls", |b| b.iter(|| check(&unchecked, None)));
    group.bench_function("checked_query_macros_from_migrations", |b| b.iter(|| check(&checked, None)));
    group.bench_function("checked_query_macros_offline", |b| b.iter(|| check(&checked, Some(&cache))));
    group.finish();
}

criterion_group!(benches, build_cost);
criterion_main!(benches);
