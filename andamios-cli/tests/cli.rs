//! The `andamios` binary on temporary projects.

use andamios_core::cache;
use andamios_core::describe::describe;
use andamios_core::ffi::{Database, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn andamios(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_andamios"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("ANDAMIOS_OFFLINE")
        .env_remove("ANDAMIOS_ATTACH")
        .output()
        .expect("the andamios binary runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn write(path: impl AsRef<Path>, contents: &str) {
    let path = path.as_ref();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn url(dir: &Path) -> String {
    format!("duckdb:{}", dir.join("app.duckdb").display())
}

fn query_one(dir: &Path, sql: &str) -> Option<i64> {
    let db = Database::open(dir.join("app.duckdb").to_str().unwrap(), &OpenOptions::default()).unwrap();
    let conn = db.connect().unwrap();
    let mut stmt = conn.prepare(sql).ok()?;
    let mut result = stmt.execute(false).ok()?;
    let ty = result.columns()[0].ty.clone();
    let chunk = result.next_chunk().ok()??;
    let column = chunk.column(0, &ty)?;
    column.get::<i64>(0)
}

#[test]
fn migrate_run_info_and_revert_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = andamios(d, &["migrate", "add", "create users", "--reversible"]);
    assert!(out.status.success(), "{}", text(&out));
    let files: Vec<PathBuf> = std::fs::read_dir(d.join("migrations")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let up = files.iter().find(|p| !p.to_string_lossy().ends_with(".down.sql")).unwrap().clone();
    let down = files.iter().find(|p| p.to_string_lossy().ends_with(".down.sql")).unwrap().clone();
    assert!(up.file_name().unwrap().to_string_lossy().ends_with("_create_users.sql"));
    write(&up, "CREATE TABLE users (id BIGINT PRIMARY KEY);");
    write(&down, "DROP TABLE users;");
    write(d.join("migrations/99999999999999_add_posts.sql"), "CREATE TABLE posts (id BIGINT);");

    let url = url(d);
    let out = andamios(d, &["migrate", "run", "--dry-run", "--database-url", &url]);
    assert!(text(&out).contains("does not exist yet"), "{}", text(&out));
    assert!(text(&out).contains("would apply") && text(&out).contains("add posts"), "{}", text(&out));
    let out =
        andamios(d, &["migrate", "run", "--dry-run", "--target-version", "99999999999998", "--database-url", &url]);
    assert!(text(&out).contains("create users") && !text(&out).contains("add posts"), "{}", text(&out));
    // Reading commands never write: no database for a path that has none.
    let out = andamios(d, &["migrate", "info", "--database-url", &url]);
    assert!(!out.status.success() && text(&out).contains("does not exist: check the path"), "{}", text(&out));
    assert!(text(&out).contains("`andamios migrate run`") && !text(&out).contains("IO Error"), "{}", text(&out));
    let out = andamios(d, &["migrate", "revert", "--database-url", &url]);
    assert!(!out.status.success() && text(&out).contains("nothing to revert"), "{}", text(&out));
    assert!(!d.join("app.duckdb").exists(), "neither a dry run, info nor revert creates the database");
    drop(Database::open(d.join("app.duckdb").to_str().unwrap(), &OpenOptions::default()).unwrap());
    let out = andamios(d, &["migrate", "info", "--database-url", &url]);
    assert_eq!(text(&out).matches("pending").count(), 2, "{}", text(&out));
    let out = andamios(d, &["migrate", "run", "--dry-run", "--database-url", &url]);
    assert_eq!(text(&out).matches("would apply").count(), 2, "{}", text(&out));
    assert_eq!(
        query_one(d, "SELECT count(*) FROM duckdb_tables() WHERE table_name = '_andamios_migrations'"),
        Some(0),
        "info and a dry run leave an empty database as it was"
    );
    let out = andamios(d, &["migrate", "run", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("applied") && text(&out).contains("create users"), "{}", text(&out));
    let out = andamios(d, &["migrate", "run", "--dry-run", "--database-url", &url]);
    assert!(text(&out).contains("nothing to apply"), "{}", text(&out));
    let out = andamios(d, &["migrate", "info", "--database-url", &url]);
    assert_eq!(text(&out).matches("applied").count(), 2, "{}", text(&out));
    assert!(text(&out).contains("[reversible]"));

    // The latest has no down file: revert explains.
    let out = andamios(d, &["migrate", "revert", "--database-url", &url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("cannot be reverted"), "{}", text(&out));
    std::fs::remove_file(d.join("migrations/99999999999999_add_posts.sql")).unwrap();
    let out = andamios(d, &["migrate", "revert", "--database-url", &url]);
    assert!(!out.status.success(), "an applied migration whose file is gone is an error");
    let out = andamios(d, &["migrate", "info", "--database-url", &url]);
    let listed = text(&out);
    assert!(listed.contains("99999999999999  add posts") && listed.contains("its file is MISSING"), "{listed}");
    write(d.join("migrations/99999999999999_add_posts.sql"), "CREATE TABLE posts (id BIGINT);");
    write(d.join("migrations/99999999999999_add_posts.down.sql"), "DROP TABLE posts;");
    // Down to the start, past an older one with no down file: not even the
    // newest is reverted, and a dry run says so first.
    std::fs::rename(&down, d.join("elsewhere.sql")).unwrap();
    let everything = ["migrate", "revert", "--target-version", "0", "--database-url", &url];
    let out = andamios(d, &[&everything[..], &["--dry-run"]].concat());
    assert!(!out.status.success() && text(&out).contains("nothing was reverted"), "{}", text(&out));
    let out = andamios(d, &everything);
    assert!(!out.status.success() && text(&out).contains("nothing was reverted"), "{}", text(&out));
    assert_eq!(query_one(d, "SELECT count(*) FROM _andamios_migrations"), Some(2));
    assert_eq!(query_one(d, "SELECT count(*) FROM posts"), Some(0), "posts is still there");
    std::fs::rename(d.join("elsewhere.sql"), &down).unwrap();
    let out = andamios(d, &[&everything[..], &["--dry-run"]].concat());
    let listed = text(&out);
    let (posts, users) = (listed.find("would revert 99999999999999 add posts"), listed.find("create users"));
    assert!(posts.is_some() && users.is_some() && posts < users, "newest first: {listed}");
    assert_eq!(query_one(d, "SELECT count(*) FROM _andamios_migrations"), Some(2), "a dry run reverts nothing");
    // Without a target, only the latest.
    let out = andamios(d, &["migrate", "revert", "--dry-run", "--database-url", &url]);
    assert_eq!(text(&out).matches("would revert").count(), 1, "{}", text(&out));
    let out = andamios(d, &["migrate", "revert", "--database-url", &url]);
    assert!(out.status.success() && text(&out).contains("reverted 99999999999999"), "{}", text(&out));
    assert_eq!(query_one(d, "SELECT count(*) FROM _andamios_migrations"), Some(1));
    let out = andamios(d, &["migrate", "revert", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(query_one(d, "SELECT count(*) FROM _andamios_migrations"), Some(0));
    let out = andamios(d, &["migrate", "revert", "--database-url", &url]);
    assert!(out.status.success() && text(&out).contains("nothing to revert"), "{}", text(&out));
    assert_eq!(query_one(d, "SELECT count(*) FROM users"), None, "users was dropped");
}

#[test]
fn build_script_has_cargo_rebuild_when_migrations_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = andamios(d, &["migrate", "build-script"]);
    assert!(!out.status.success() && text(&out).contains("Cargo.toml"), "{}", text(&out));
    write(d.join("Cargo.toml"), "[package]\nname = \"app\"\n");
    // Until the crate has the build script, adding a migration says why it needs one.
    let out = andamios(d, &["migrate", "add", "first"]);
    assert!(text(&out).contains("andamios migrate build-script"), "{}", text(&out));
    let out = andamios(d, &["migrate", "build-script"]);
    assert!(out.status.success(), "{}", text(&out));
    let script = std::fs::read_to_string(d.join("build.rs")).unwrap();
    assert!(script.contains("println!(\"cargo:rerun-if-changed=migrations\");"), "{script}");
    let out = andamios(d, &["migrate", "add", "second"]);
    assert!(out.status.success() && !text(&out).contains("build-script"), "{}", text(&out));
    let out = andamios(d, &["migrate", "build-script"]);
    assert!(out.status.success() && text(&out).contains("already"), "{}", text(&out));
    // Another build script is left alone unless forced, with the line to add.
    write(d.join("build.rs"), "fn main() {}\n");
    let out = andamios(d, &["migrate", "build-script"]);
    assert!(!out.status.success() && text(&out).contains("cargo:rerun-if-changed=migrations"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(d.join("build.rs")).unwrap(), "fn main() {}\n");
    let out = andamios(d, &["migrate", "build-script", "--force"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(d.join("build.rs")).unwrap(), script);

    // A folder of migrations that ANDAMIOS_ATTACH names is watched too,
    // from a member crate's folder; a database file is not.
    write(d.join("Cargo.toml"), "[workspace]\nmembers = [\"app\"]\n");
    write(d.join("app/Cargo.toml"), "[package]\nname = \"app\"\nedition = \"2021\"\n");
    write(d.join("app/src/lib.rs"), "");
    write(d.join("schema/lookup/1_countries.sql"), "CREATE TABLE countries (code VARCHAR);");
    write(d.join(".env"), "ANDAMIOS_ATTACH=lookup=schema/lookup,geo=geo.duckdb\n");
    let app = d.join("app");
    let out = andamios(&app, &["migrate", "build-script"]);
    assert!(out.status.success(), "{}", text(&out));
    let script = std::fs::read_to_string(app.join("build.rs")).unwrap();
    assert!(script.contains("cargo:rerun-if-changed=migrations\");"), "{script}");
    assert!(script.contains("cargo:rerun-if-changed=../schema/lookup\");"), "{script}");
    assert!(!script.contains("geo"), "{script}");
    write(app.join("build.rs"), "fn main() { println!(\"cargo:rerun-if-changed=migrations\"); }\n");
    let out = andamios(&app, &["migrate", "build-script"]);
    assert!(!out.status.success() && text(&out).contains("add this line"), "{}", text(&out));
    assert!(text(&out).contains("cargo:rerun-if-changed=../schema/lookup"), "{}", text(&out));
}

#[test]
fn a_migration_just_added_runs_before_it_holds_sql() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(andamios(d, &["migrate", "add", "later"]).status.success());
    let url = url(d);
    // The new file holds only a comment: no statement to run, no error.
    let out = andamios(d, &["migrate", "run", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(query_one(d, "SELECT count(*) FROM _andamios_migrations"), Some(1));
}

#[test]
fn a_changed_applied_migration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d.join("migrations/1_init.sql"), "CREATE TABLE t (x INTEGER);");
    let url = url(d);
    assert!(andamios(d, &["migrate", "run", "--database-url", &url]).status.success());
    write(d.join("migrations/1_init.sql"), "CREATE TABLE t (x BIGINT);");
    let out = andamios(d, &["migrate", "run", "--database-url", &url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("migration 1 (init) was changed after it was applied"), "{}", text(&out));
    let out = andamios(d, &["migrate", "run", "--dry-run", "--database-url", &url]);
    assert!(!out.status.success(), "a dry run fails where the run would: {}", text(&out));
    assert!(text(&out).contains("migration 1 (init) was changed after it was applied"), "{}", text(&out));
    let out = andamios(d, &["migrate", "info", "--database-url", &url]);
    assert!(text(&out).contains("CHANGED"), "{}", text(&out));
}

#[test]
fn a_failing_migration_leaves_no_partial_schema() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d.join("migrations/1_ok.sql"), "CREATE TABLE a (x INTEGER);");
    write(d.join("migrations/2_broken.sql"), "CREATE TABLE b (y INTEGER);\nINSERT INTO b VALUES ('not a number');");
    let url = url(d);
    let out = andamios(d, &["migrate", "run", "--database-url", &url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("migration 2 (broken) failed and was rolled back"), "{}", text(&out));
    assert!(
        text(&out).contains("in SQL: INSERT INTO b VALUES ('not a number')\n  (statement 2 of 2 in the script)"),
        "{}",
        text(&out)
    );
    assert_eq!(query_one(d, "SELECT count(*) FROM a"), Some(0), "the first migration stays");
    assert_eq!(query_one(d, "SELECT count(*) FROM b"), None, "no half of the second");
    assert_eq!(query_one(d, "SELECT max(version) FROM _andamios_migrations"), Some(1));
}

#[test]
fn migrations_run_with_the_databases_andamios_attach_names_attached_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    {
        let db = Database::open(d.join("lookup.duckdb").to_str().unwrap(), &OpenOptions::default()).unwrap();
        db.connect().unwrap().execute_batch("CREATE TABLE countries (code VARCHAR, name VARCHAR)").unwrap();
    }
    let written = std::fs::read(d.join("lookup.duckdb")).unwrap();
    write(d.join(".env"), "ANDAMIOS_ATTACH=lookup=lookup.duckdb\n");
    write(
        d.join("migrations/1_init.sql"),
        "CREATE TABLE users (id BIGINT, country VARCHAR);\n\
         CREATE TABLE known_countries AS SELECT code FROM lookup.countries;",
    );
    let url = url(d);
    let out = andamios(d, &["database", "setup", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(query_one(d, "SELECT count(*) FROM known_countries"), Some(0));
    assert_eq!(std::fs::read(d.join("lookup.duckdb")).unwrap(), written, "attached read-only");

    // A folder (the attachment's schema as SQL, for the macros) is no file
    // to attach: migrations that do not read it run.
    write(d.join("lookup_schema/1_countries.sql"), "CREATE TABLE countries (code VARCHAR);");
    write(d.join(".env"), "ANDAMIOS_ATTACH=lookup=lookup.duckdb,geo=lookup_schema\n");
    write(d.join("migrations/2_more.sql"), "CREATE TABLE more (x INTEGER);");
    let out = andamios(d, &["migrate", "run", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out));

    // Where the file is missing, the run fails, and says why.
    std::fs::remove_file(d.join("app.duckdb")).unwrap();
    std::fs::remove_file(d.join("lookup.duckdb")).unwrap();
    let out = andamios(d, &["migrate", "run", "--database-url", &url]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("ANDAMIOS_ATTACH names `lookup` at `lookup.duckdb`, which does not exist here"),
        "{}",
        text(&out)
    );
}

#[test]
fn database_create_drop_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = url(d);
    write(d.join("migrations/1_init.sql"), "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
    assert!(andamios(d, &["database", "create", "--database-url", &url]).status.success());
    assert!(d.join("app.duckdb").exists());
    assert!(andamios(d, &["database", "reset", "-y", "--database-url", &url]).status.success());
    assert_eq!(query_one(d, "SELECT count(*) FROM t"), Some(1));
    assert!(andamios(d, &["database", "drop", "-y", "--database-url", &url]).status.success());
    assert!(!d.join("app.duckdb").exists());
    // setup: creates the file and applies the migrations, then only the new ones.
    let out = andamios(d, &["database", "setup", "--database-url", &url]);
    assert!(text(&out).contains("created") && text(&out).contains("applied 1 migration\n"), "{}", text(&out));
    write(d.join("migrations/2_more.sql"), "INSERT INTO t VALUES (2);");
    let out = andamios(d, &["database", "reset", "-y", "--database-url", &url]);
    assert!(text(&out).contains("applied 2 migrations"), "{}", text(&out));
    let out = andamios(d, &["database", "setup", "--database-url", &url]);
    assert!(text(&out).contains("applied 0 migrations"), "{}", text(&out));
    std::fs::write(d.join("migrations/3_last.sql"), "INSERT INTO t VALUES (3);").unwrap();
    let out = andamios(d, &["database", "setup", "--database-url", &url]);
    assert!(text(&out).contains("set up") && text(&out).contains("applied 1 migration\n"), "{}", text(&out));
    assert_eq!(query_one(d, "SELECT count(*) FROM t"), Some(3));
    std::fs::remove_file(d.join("migrations/2_more.sql")).unwrap();
    std::fs::remove_file(d.join("migrations/3_last.sql")).unwrap();
    assert!(andamios(d, &["database", "drop", "-y", "--database-url", &url]).status.success());
    let out = andamios(d, &["database", "create"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("DATABASE_URL"), "{}", text(&out));
    // A .env file is read.
    write(d.join(".env"), &format!("DATABASE_URL={url}\n"));
    assert!(andamios(d, &["database", "create"]).status.success());
    assert!(d.join("app.duckdb").exists());
}

#[test]
fn drop_and_reset_delete_only_a_confirmed_unused_duckdb_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = url(d);
    write(d.join("migrations/1_init.sql"), "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
    assert!(andamios(d, &["migrate", "run", "--database-url", &url]).status.success());

    // Not in a terminal and no -y: nothing is deleted.
    for command in ["drop", "reset"] {
        let out = andamios(d, &["database", command, "--database-url", &url]);
        assert!(!out.status.success());
        assert!(text(&out).contains("without confirmation") && text(&out).contains("-y"), "{}", text(&out));
        assert_eq!(query_one(d, "SELECT count(*) FROM t"), Some(1), "{command} kept the data");
    }

    // Another process has the file open: it would keep writing to a deleted file.
    {
        let held = Database::open(d.join("app.duckdb").to_str().unwrap(), &OpenOptions::default()).unwrap();
        for command in ["drop", "reset"] {
            let out = andamios(d, &["database", command, "-y", "--database-url", &url]);
            assert!(!out.status.success());
            assert!(text(&out).contains("open in another process"), "{}", text(&out));
        }
        drop(held);
    }
    assert_eq!(query_one(d, "SELECT count(*) FROM t"), Some(1));

    // A file that is not a DuckDB database (a mistyped URL) is never deleted.
    let csv = d.join("data.csv");
    write(&csv, "id,name\n1,a\n");
    let out = andamios(d, &["database", "drop", "-y", "--database-url", &format!("duckdb:{}", csv.display())]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not a DuckDB database file"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "id,name\n1,a\n");

    assert!(andamios(d, &["database", "drop", "-y", "--database-url", &url]).status.success());
    assert!(!d.join("app.duckdb").exists());
}

#[test]
fn verify_reports_drift_against_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("app.duckdb");
    let create =
        "CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, age INTEGER, email VARCHAR NOT NULL)";
    {
        let db = Database::open(path.to_str().unwrap(), &OpenOptions::default()).unwrap();
        let conn = db.connect().unwrap();
        conn.execute_batch(create).unwrap();
        for sql in [
            "SELECT id, name FROM users WHERE id = $1",
            "SELECT age, email FROM users",
            "SELECT id, list(email) AS emails FROM users GROUP BY id",
            "SELECT id, list({'e': email}) AS cards FROM users GROUP BY id",
        ] {
            cache::write(&d.join(".andamios-cache"), &describe(&conn, sql).unwrap()).unwrap();
        }
    }
    let url = url(d);
    let out = andamios(d, &["verify", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("4 cached queries match"), "{}", text(&out));

    // Production drifted: a column dropped, a type changed, a NOT NULL
    // dropped (so a list of its values can hold NULLs too, and so can the
    // STRUCTs in a list).
    {
        let db = Database::open(path.to_str().unwrap(), &OpenOptions::default()).unwrap();
        let conn = db.connect().unwrap();
        conn.execute_batch(
            "DROP TABLE users;
             CREATE TABLE users (id BIGINT PRIMARY KEY, age BIGINT, email VARCHAR);",
        )
        .unwrap();
    }
    let out = andamios(d, &["verify", "--database-url", &url]);
    assert!(!out.status.success());
    let report = text(&out);
    assert!(report.contains("no longer valid") && report.contains("name"), "{report}");
    assert!(report.contains("column `age` changed type: INTEGER -> BIGINT"), "{report}");
    assert!(report.contains("column `email` can now be NULL"), "{report}");
    assert!(report.contains("the values inside column `emails` can now be NULL"), "{report}");
    assert!(report.contains("the values inside column `cards` can now be NULL"), "{report}");
    assert!(report.contains("4 of 4 cached queries drifted"), "{report}");
}

#[test]
fn verify_attaches_the_databases_the_program_attaches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (app, lookup) = (d.join("app.duckdb"), d.join("lookup.duckdb"));
    {
        let db = Database::open(lookup.to_str().unwrap(), &OpenOptions::default()).unwrap();
        db.connect().unwrap().execute_batch("CREATE TABLE countries (code VARCHAR NOT NULL, name VARCHAR)").unwrap();
    }
    {
        let db = Database::open(app.to_str().unwrap(), &OpenOptions::default()).unwrap();
        let conn = db.connect().unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE users (id BIGINT, country VARCHAR); ATTACH '{}' AS lookup (READ_ONLY);",
            lookup.display()
        ))
        .unwrap();
        let sql = "SELECT u.id, c.name FROM users u JOIN lookup.countries c ON c.code = u.country";
        cache::write(&d.join(".andamios-cache"), &describe(&conn, sql).unwrap()).unwrap();
    }
    let url = url(d);
    let out = andamios(d, &["verify", "--database-url", &url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no longer valid") && text(&out).contains("lookup"), "{}", text(&out));
    let attach = format!("lookup={}", lookup.display());
    let out = andamios(d, &["verify", "--database-url", &url, "--attach", &attach]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 cached queries match"), "{}", text(&out));
    // From `.env`, as the macros read it.
    std::fs::write(d.join(".env"), format!("ANDAMIOS_ATTACH={attach}\n")).unwrap();
    let out = andamios(d, &["verify", "--database-url", &url]);
    assert!(out.status.success(), "{}", text(&out));
    let out = andamios(d, &["verify", "--database-url", &url, "--attach", "lookup"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("`lookup` is not `name=path`"), "{}", text(&out));
    // A folder of migrations builds the schema for the macros; verify
    // checks real databases, and asks for the file.
    write(d.join("lookup_schema/1_countries.sql"), "CREATE TABLE countries (code VARCHAR NOT NULL, name VARCHAR);");
    std::fs::write(d.join(".env"), "ANDAMIOS_ATTACH=lookup=lookup_schema\n").unwrap();
    let out = andamios(d, &["verify", "--database-url", &url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("`--attach lookup=path/to/lookup.duckdb`"), "{}", text(&out));
    let out = andamios(d, &["verify", "--database-url", &url, "--attach", &attach]);
    assert!(out.status.success(), "{}", text(&out));
}

/// `andamios ... | head`: output cut short ends the command quietly, with
/// the status of a SIGPIPE, not a panic.
#[test]
fn a_closed_standard_output_ends_the_command_quietly() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // More lines than a pipe holds: the command cannot finish before the reader goes.
    for version in 1..=1500 {
        write(d.join(format!("migrations/{version}_step.sql")), "SELECT 1;");
    }
    drop(Database::open(d.join("app.duckdb").to_str().unwrap(), &OpenOptions::default()).unwrap());
    let mut child = Command::new(env!("CARGO_BIN_EXE_andamios"))
        .args(["migrate", "info", "--database-url", &url(d)])
        .current_dir(d)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the first line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["prepare", "--help"],
        &["verify", "--help"],
        &["migrate", "add", "--help"],
        &["migrate", "run", "--help"],
        &["migrate", "revert", "--help"],
        &["migrate", "info", "--help"],
        &["database", "create", "--help"],
        &["database", "setup", "--help"],
        &["database", "drop", "--help"],
        &["database", "reset", "--help"],
    ] {
        let out = andamios(dir.path(), args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("Usage"), "{args:?}");
    }
}

/// The workspace this test belongs to, and its target folder.
fn repo_and_target() -> (PathBuf, PathBuf) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let exe = std::env::current_exe().unwrap();
    // <target>/debug/deps/cli-<hash>
    (repo, exe.ancestors().nth(3).unwrap().to_path_buf())
}

/// A crate that uses the checked macros, inside this repository's folder
/// (so it shares its cargo configuration) but a workspace of its own, built
/// in the same target folder (so DuckDB is not compiled again).
fn macro_project(name: &str) -> (PathBuf, PathBuf) {
    let (repo, target) = repo_and_target();
    let dir = repo.join("target").join("cli-test-projects").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let profile = "opt-level = 3\ndebug = false\ndebug-assertions = false\noverflow-checks = false\n";
    write(
        dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\nandamios = {{ path = {:?} }}\n\n[profile.dev.package.libduckdb-sys]\n{profile}",
            repo.join("andamios").display().to_string()
        ),
    );
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    write(
        dir.join("migrations/1_init.sql"),
        "CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, email VARCHAR);",
    );
    write(
        dir.join("src/main.rs"),
        "fn main() {\n    let _ = andamios::query!(\"SELECT id, name FROM users WHERE id = $1\", 1i64);\n    let _ = andamios::query_scalar!(\"SELECT count(*) FROM users\");\n}\n",
    );
    (dir, target)
}

fn prepare(dir: &Path, target: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_andamios"))
        .arg("prepare")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("DATABASE_URL")
        .env_remove("ANDAMIOS_OFFLINE")
        .env_remove("ANDAMIOS_CACHE_DIR")
        .output()
        .expect("the andamios binary runs")
}

#[test]
fn prepare_writes_the_cache_and_check_reports_changes() {
    let (dir, target) = macro_project("prepare-demo");
    let cache_dir = dir.join(".andamios-cache");

    // Nothing prepared yet: --check fails and names both queries as missing.
    let out = prepare(&dir, &target, &["--check"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(text(&out).matches("missing").count(), 2, "{}", text(&out));

    let out = prepare(&dir, &target, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let files: Vec<String> =
        std::fs::read_dir(&cache_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    let sql = "SELECT id, name FROM users WHERE id = $1";
    let (entry, _) = cache::read(&cache_dir, sql, None).unwrap();
    assert_eq!(
        entry.columns.iter().map(|c| (c.name.as_str(), c.nullable)).collect::<Vec<_>>(),
        [("id", false), ("name", false)]
    );
    let out = prepare(&dir, &target, &["--check"]);
    assert!(out.status.success(), "{}", text(&out));

    // A migration changes a column the cache describes: --check shows the diff.
    write(dir.join("migrations/2_loosen.sql"), "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;");
    let out = prepare(&dir, &target, &["--check"]);
    assert!(!out.status.success());
    let report = text(&out);
    assert!(report.contains("stale"), "{report}");
    assert!(
        report.contains("-       \"nullable\": false") && report.contains("+       \"nullable\": true"),
        "{report}"
    );

    // A query that changed: its old entry is unused, the new one missing.
    std::fs::remove_file(dir.join("migrations/2_loosen.sql")).unwrap();
    write(dir.join("src/main.rs"), "fn main() {\n    let _ = andamios::query!(\"SELECT name FROM users\");\n}\n");
    let out = prepare(&dir, &target, &["--check"]);
    assert!(!out.status.success());
    let report = text(&out);
    assert!(report.contains("missing") && report.contains("unused"), "{report}");
    let out = prepare(&dir, &target, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read_dir(&cache_dir).unwrap().count(), 1, "unused entries are removed");

    // No migrations: the queries that need no table are checked against an
    // empty database, and the cache is written from that, not read.
    std::fs::remove_dir_all(dir.join("migrations")).unwrap();
    write(dir.join("src/main.rs"), "fn main() {\n    let _ = andamios::query!(\"SELECT 42 AS answer\");\n}\n");
    for args in [&[][..], &["--check"], &[], &["--check"]] {
        let out = prepare(&dir, &target, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let (entry, _) = cache::read(&cache_dir, "SELECT 42 AS answer", None).unwrap();
    assert_eq!(entry.columns.iter().map(|c| (c.name.as_str(), c.nullable)).collect::<Vec<_>>(), [("answer", false)]);
    assert_eq!(std::fs::read_dir(&cache_dir).unwrap().count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two packages of one workspace, with schemas of their own, that hold the
/// same SQL: where they describe it alike they share an entry, where they
/// differ each reads its own offline, and `verify` checks each package
/// against its own database.
#[test]
fn packages_with_different_schemas_keep_their_own_descriptions() {
    let (repo, target) = repo_and_target();
    let dir = repo.join("target").join("cli-test-projects").join("two-schemas");
    let _ = std::fs::remove_dir_all(&dir);
    let profile = "opt-level = 3\ndebug = false\ndebug-assertions = false\noverflow-checks = false\n";
    write(
        dir.join("Cargo.toml"),
        &format!("[workspace]\nmembers = [\"api\", \"jobs\"]\nresolver = \"2\"\n\n[profile.dev.package.libduckdb-sys]\n{profile}"),
    );
    std::fs::copy(repo.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // `name` is NOT NULL in api's schema, nullable in jobs': each package's
    // code compiles only with its own description of the same statement.
    for (package, not_null, name_type) in [("api", " NOT NULL", "String"), ("jobs", "", "Option<String>")] {
        write(
            dir.join(package).join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nandamios = {{ path = {:?} }}\n",
                repo.join("andamios").display().to_string()
            ),
        );
        write(
            dir.join(package).join("migrations/1_init.sql"),
            &format!("CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR{not_null});"),
        );
        write(
            dir.join(package).join("src/lib.rs"),
            &format!(
                "pub async fn names(pool: &andamios::Pool) -> andamios::Result<Vec<{name_type}>> {{\n    let rows = andamios::query!(\"SELECT name FROM users\").fetch_all(pool).await?;\n    let _ = andamios::query_scalar!(\"SELECT count(*) FROM users\");\n    Ok(rows.into_iter().map(|r| r.name).collect())\n}}\n"
            ),
        );
    }
    let out = prepare(&dir, &target, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(
            "packages api, jobs describe `SELECT name FROM users` differently (their schemas differ): each gets an entry of its own"
        ),
        "{}",
        text(&out)
    );
    let cache_dir = dir.join(".andamios-cache");
    let mut files: Vec<String> =
        std::fs::read_dir(&cache_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    let names = "SELECT name FROM users";
    let mut expected = [
        cache::file_name("SELECT count(*) FROM users"),
        cache::package_file_name(names, "api"),
        cache::package_file_name(names, "jobs"),
    ];
    expected.sort();
    assert_eq!(files, expected);
    let shared = std::fs::read_to_string(cache_dir.join(cache::file_name("SELECT count(*) FROM users"))).unwrap();
    assert_eq!(cache::read_entry(Path::new("shared"), &shared).unwrap().packages, ["api", "jobs"]);
    let out = prepare(&dir, &target, &["--check"]);
    assert!(out.status.success(), "{}", text(&out));

    // Offline, from the cache alone, both packages compile.
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--workspace", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .env("ANDAMIOS_OFFLINE", "true")
        .env_remove("DATABASE_URL")
        .env_remove("ANDAMIOS_CACHE_DIR")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));

    // A database with jobs' schema: api's own entry drifts from it, unless
    // only jobs' queries are checked.
    {
        let db = Database::open(dir.join("app.duckdb").to_str().unwrap(), &OpenOptions::default()).unwrap();
        db.connect().unwrap().execute_batch("CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR)").unwrap();
    }
    let url = url(&dir);
    let out = andamios(&dir, &["verify", "--database-url", &url]);
    assert!(!out.status.success());
    let report = text(&out);
    assert!(report.contains(&format!("DRIFT {} (api)", cache::package_file_name(names, "api"))), "{report}");
    assert!(report.contains("1 of 3 cached queries drifted"), "{report}");
    assert!(report.contains("several packages (api, jobs)") && report.contains("--package"), "{report}");
    let out = andamios(&dir, &["verify", "--database-url", &url, "--package", "jobs"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 cached queries match"), "{}", text(&out));
    let out = andamios(&dir, &["verify", "--database-url", &url, "-p", "web"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no cached query belongs to package `web`; the cache holds queries of: api, jobs"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The commands that work on a database refuse an in-memory one, which
/// would be gone when they end, with what to give instead.
#[test]
fn commands_on_a_database_refuse_an_in_memory_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d.join("migrations/1_first.sql"), "CREATE TABLE t (x INTEGER);");
    std::fs::create_dir_all(d.join(".andamios-cache")).unwrap();
    for args in [
        &["migrate", "info"][..],
        &["migrate", "run"],
        &["migrate", "run", "--dry-run"],
        &["migrate", "revert"],
        &["database", "create"],
        &["database", "setup"],
        &["verify"],
    ] {
        let out = andamios(d, &[args, &["--database-url", "duckdb::memory:"]].concat());
        assert!(!out.status.success(), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains(
                "duckdb::memory: is an in-memory database, which is gone when this command ends; give a database \
                 file: --database-url duckdb:path/to/app.duckdb"
            ),
            "{args:?}: {}",
            text(&out)
        );
    }
    assert!(std::fs::read_dir(d).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains("memory")));
}
