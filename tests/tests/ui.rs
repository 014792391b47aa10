//! Compile errors of the checked macros (trybuild).
//!
//! trybuild builds the cases in its own target folder. To keep that from
//! compiling DuckDB's C++ again in a slow debug build, the cases get the same
//! profile settings as the workspace (a cargo config file in that folder),
//! and share the unpacked DuckDB sources, so that a ccache (with
//! `CCACHE_BASEDIR`, as `.ci/run` sets) serves the objects it already has.

use std::path::{Path, PathBuf};

fn target_dir() -> PathBuf {
    // <target>/debug/deps/ui-<hash>
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors().nth(3).expect("the target folder").to_path_buf()
}

fn prepare_trybuild_folder() {
    let target = target_dir();
    let folder = target.join("tests").join("trybuild");
    std::fs::create_dir_all(folder.join(".cargo")).unwrap();
    std::fs::write(
        folder.join(".cargo").join("config.toml"),
        "[profile.dev.package.libduckdb-sys]\nopt-level = 3\ndebug = false\ndebug-assertions = false\noverflow-checks = false\n",
    )
    .unwrap();
    let sources = target.join("duckdb-sources");
    let link = folder.join("duckdb-sources");
    if sources.is_dir() && std::fs::symlink_metadata(&link).is_err() {
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink(&sources, &link);
    }
}

fn manifest(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).display().to_string()
}

#[test]
fn compile_errors() {
    prepare_trybuild_folder();
    for var in ["DATABASE_URL", "ANDAMIOS_OFFLINE", "ANDAMIOS_CACHE_DIR", "ANDAMIOS_OFFLINE_DIR"] {
        std::env::remove_var(var);
    }
    // The cases are compiled in trybuild's folder, not beside this crate.
    std::env::set_var("ANDAMIOS_MIGRATIONS", manifest("migrations"));
    {
        let cases = trybuild::TestCases::new();
        cases.compile_fail("tests/ui/checked/*.rs");
    }

    // No schema source at all.
    std::env::remove_var("ANDAMIOS_MIGRATIONS");
    std::env::set_var("ANDAMIOS_OFFLINE_DIR", manifest("tests/ui/no-such-cache"));
    {
        let cases = trybuild::TestCases::new();
        cases.compile_fail("tests/ui/no_source/*.rs");
    }

    // Offline, with an entry missing.
    std::env::set_var("ANDAMIOS_OFFLINE", "true");
    std::env::set_var("ANDAMIOS_OFFLINE_DIR", manifest("tests/ui/empty-cache"));
    {
        let cases = trybuild::TestCases::new();
        cases.compile_fail("tests/ui/offline/*.rs");
    }
}
