//! Which threads DuckDB's work runs on, seen from the operating system.
//! A test binary of its own: it counts the threads of the whole process.

#![cfg(target_os = "linux")]

use andamios::{query_scalar, PoolOptions};

fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .map(|task| std::fs::read_to_string(task.unwrap().path().join("comm")).unwrap().trim_end().to_owned())
        .collect()
}

#[test]
fn duckdb_worker_threads_are_named_duckdb_not_after_the_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("app-runtime")
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = PoolOptions::new().threads(3).connect("duckdb::memory:").await.unwrap();
        let sum: i64 = query_scalar("SELECT sum(range)::BIGINT FROM range(1000000)").fetch_one(&pool).await.unwrap();
        assert_eq!(sum, 499_999_500_000);
        let names = thread_names();
        // At least DuckDB's `threads - 1` workers (it starts helpers of its own too).
        assert!(names.iter().filter(|name| *name == "duckdb").count() >= 2, "threads: {names:?}");
        // The runtime's one worker, and no DuckDB thread named after it.
        assert_eq!(names.iter().filter(|name| *name == "app-runtime").count(), 1, "threads: {names:?}");
        assert!(names.iter().any(|name| name == "andamios-connec"), "threads: {names:?}");
    });
}
