//! `QueryBuilder` against a real DuckDB: dynamic filters, multi-row VALUES,
//! IN lists of values and of tuples, and what bad input gives.

use andamios::{DatabaseErrorKind, Error, FromRow, Pool, PoolOptions, QueryBuilder};

#[derive(Debug, Clone, PartialEq, FromRow)]
struct Reading {
    id: i64,
    sensor: String,
    value: Option<f64>,
}

fn readings() -> Vec<Reading> {
    (0..1000)
        .map(|i| Reading { id: i, sensor: format!("s{}", i % 7), value: (i % 5 != 0).then_some(i as f64 / 4.0) })
        .collect()
}

async fn pool_with_readings() -> Pool {
    let pool = PoolOptions::new().max_connections(2).connect("duckdb::memory:").await.unwrap();
    pool.execute_batch("CREATE TABLE reading (id BIGINT PRIMARY KEY, sensor VARCHAR NOT NULL, value DOUBLE)")
        .await
        .unwrap();
    let mut insert = QueryBuilder::new("INSERT INTO reading (id, sensor, value) ");
    insert.push_values(readings(), |mut row, r| {
        row.push_bind(r.id).push_bind(r.sensor).push_bind(r.value);
    });
    assert!(insert.sql().ends_with("($2998, $2999, $3000)"), "{}", &insert.sql()[insert.sql().len() - 40..]);
    assert_eq!(insert.build().execute(&pool).await.unwrap(), 1000);
    pool
}

#[tokio::test]
async fn multi_row_values_insert_every_value_and_null() {
    let pool = pool_with_readings().await;
    let stored: Vec<Reading> =
        andamios::query_as("SELECT id, sensor, value FROM reading ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(stored, readings());
}

#[tokio::test]
async fn optional_filters_select_what_the_same_filters_select_in_rust() {
    let pool = pool_with_readings().await;
    let sensors = [None, Some(vec!["s1"]), Some(vec!["s2", "s3", "s4"])];
    let minimums = [None, Some(100.0)];
    let nulls = [None, Some(true), Some(false)];
    for sensor in &sensors {
        for min in minimums {
            for null in nulls {
                let mut q = QueryBuilder::new("SELECT id, sensor, value FROM reading WHERE true");
                if let Some(names) = sensor {
                    q.push(" AND sensor IN (");
                    let mut list = q.separated(", ");
                    for name in names {
                        list.push_bind(*name);
                    }
                    list.push_unseparated(")");
                }
                if let Some(min) = min {
                    q.push(" AND value >= ").push_bind(min);
                }
                if let Some(is_null) = null {
                    q.push(if is_null { " AND value IS NULL" } else { " AND value IS NOT NULL" });
                }
                q.push(" ORDER BY id");
                let got: Vec<Reading> = q.build_query_as().fetch_all(&pool).await.unwrap();
                let expected: Vec<Reading> = readings()
                    .into_iter()
                    .filter(|r| sensor.as_ref().is_none_or(|names| names.contains(&r.sensor.as_str())))
                    .filter(|r| min.is_none_or(|min| r.value.is_some_and(|v| v >= min)))
                    .filter(|r| null.is_none_or(|is_null| r.value.is_none() == is_null))
                    .collect();
                assert_eq!(got, expected, "{}", q.sql());
            }
        }
    }
}

#[tokio::test]
async fn tuples_scalars_reuse_and_transactions() {
    let pool = pool_with_readings().await;
    // Row 10 is sensor s3, so (10, 's2') matches nothing.
    let mut q = QueryBuilder::new("SELECT id FROM reading WHERE (id, sensor) IN ");
    q.push_tuples([(3i64, "s3"), (10, "s2"), (11, "s4")], |mut t, (id, sensor)| {
        t.push_bind(id).push_bind(sensor);
    });
    q.push(" ORDER BY id");
    assert_eq!(q.sql(), "SELECT id FROM reading WHERE (id, sensor) IN (($1, $2), ($3, $4), ($5, $6)) ORDER BY id");
    let ids: Vec<i64> = q.build_query_scalar().fetch_all(&pool).await.unwrap();
    assert_eq!(ids, [3, 11]);
    // Built twice, the same statement; reset, a new one from the same start.
    let again: Vec<i64> = q.build_query_scalar().fetch_all(&pool).await.unwrap();
    assert_eq!(again, ids);
    q.reset().push("((1, 's1'))");
    let one: i64 = q.build_query_scalar().fetch_one(&pool).await.unwrap();
    assert_eq!(one, 1);
    // An empty list is `()`: IN it is false, NOT IN it true, as in SQL.
    for (test, matching) in [("IN", 0), ("NOT IN", 1000)] {
        let mut q = QueryBuilder::new(format!("SELECT count(*) FROM reading WHERE (id, sensor) {test} "));
        q.push_tuples(Vec::<(i64, &str)>::new(), |mut t, (id, sensor)| {
            t.push_bind(id).push_bind(sensor);
        });
        assert!(q.sql().ends_with(" ()"), "{}", q.sql());
        let count: i64 = q.build_query_scalar().fetch_one(&pool).await.unwrap();
        assert_eq!(count, matching, "{test}");
    }

    // Inside a transaction, through `&mut *tx`; rolled back with it.
    let mut tx = pool.begin().await.unwrap();
    let mut update = QueryBuilder::new("UPDATE reading SET ");
    let mut set = update.separated(", ");
    set.push("sensor = ").push_bind_unseparated("moved");
    set.push("value = ").push_bind_unseparated(-1.0f64);
    update.push(" WHERE id < ").push_bind(10i64);
    assert_eq!(update.build().execute(&mut *tx).await.unwrap(), 10);
    let moved: i64 = andamios::query_scalar("SELECT count(*) FROM reading WHERE sensor = 'moved'")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(moved, 10);
    tx.rollback().await.unwrap();
    let moved: i64 =
        andamios::query_scalar("SELECT count(*) FROM reading WHERE sensor = 'moved'").fetch_one(&pool).await.unwrap();
    assert_eq!(moved, 0);
}

#[tokio::test]
async fn bad_input_is_an_error_that_shows_the_sql() {
    let pool = pool_with_readings().await;
    // No rows to insert: an empty VALUES, which DuckDB rejects, and the
    // SQL shown says why.
    let mut empty = QueryBuilder::new("INSERT INTO reading (id, sensor, value) ");
    empty.push_values(Vec::<Reading>::new(), |mut row, r| {
        row.push_bind(r.id);
    });
    let err = empty.build().execute(&pool).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Syntax), "{err}");
    assert!(
        err.to_string().contains(
            "in SQL: INSERT INTO reading (id, sensor, value) VALUES /* no rows: push_values was given none; skip a statement with nothing to insert */"
        ),
        "{err}"
    );

    // A value of the wrong type for its column.
    let mut wrong = QueryBuilder::new("INSERT INTO reading (id, sensor, value) ");
    wrong.push_values([("not a number", "s1")], |mut row, (id, sensor)| {
        row.push_bind(id).push_bind(sensor).push("NULL");
    });
    let err = wrong.build().execute(&pool).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Conversion), "{err}");

    // A duplicate key in a multi-row insert: none of its rows land.
    let mut duplicate = QueryBuilder::new("INSERT INTO reading (id, sensor) ");
    duplicate.push_values([5000i64, 5001, 5000], |mut row, id| {
        row.push_bind(id).push_bind("new");
    });
    let err = duplicate.build().execute(&pool).await.unwrap_err();
    assert!(matches!(&err, Error::Database { kind: DatabaseErrorKind::UniqueViolation, .. }), "{err}");
    let count: i64 = andamios::query_scalar("SELECT count(*) FROM reading").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 1000);
}
