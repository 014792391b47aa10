//! The `parquet` feature: DuckDB's Parquet extension is compiled in, so
//! reading and writing Parquet files works with no network.
#![cfg(feature = "parquet")]

use andamios::{query_as, query_scalar, Pool};

#[tokio::test]
async fn writes_and_reads_parquet_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.parquet");
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch(&format!(
        "COPY (SELECT range AS id, 'event-' || range AS name FROM range(10000)) TO '{}' (FORMAT parquet)",
        file.display()
    ))
    .await
    .unwrap();
    let sql = "SELECT id, name FROM read_parquet($1) WHERE id % 1000 = 0 ORDER BY id";
    let rows: Vec<(i64, String)> = query_as(sql).bind(file.display().to_string()).fetch_all(&pool).await.unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[3], (3000, "event-3000".to_owned()));
    let loaded: String = query_scalar(
        "SELECT string_agg(extension_name, ',') FROM duckdb_extensions() WHERE loaded AND extension_name = 'parquet'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(loaded, "parquet");
}
