//! The async runtime against a real (embedded) DuckDB.

use andamios::{query, query_as, query_scalar, DatabaseErrorKind, Error, FromRow, Pool, PoolOptions};
use futures::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn memory_pool(max: usize) -> Pool {
    memory_pool_with(PoolOptions::new().max_connections(max)).await
}

async fn memory_pool_with(options: PoolOptions) -> Pool {
    options.connect("duckdb::memory:").await.unwrap()
}

#[tokio::test]
async fn fetch_methods_and_execute() {
    let pool = memory_pool(2).await;
    pool.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR); INSERT INTO t VALUES (1, 'a'), (2, 'b');",
    )
    .await
    .unwrap();
    let changed = query("UPDATE t SET name = upper(name) WHERE id >= $1").bind(1).execute(&pool).await.unwrap();
    assert_eq!(changed, 2);
    let row = query("SELECT id, name FROM t WHERE id = $1").bind(2).fetch_one(&pool).await.unwrap();
    assert_eq!(row.get::<i32, _>("id"), 2);
    assert_eq!(row.try_get::<String, _>(1).unwrap(), "B");
    assert!(query("SELECT * FROM t WHERE id = 9").fetch_optional(&pool).await.unwrap().is_none());
    assert!(matches!(query("SELECT * FROM t WHERE id = 9").fetch_one(&pool).await, Err(Error::RowNotFound)));
    let names: Vec<String> = query_scalar("SELECT name FROM t ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(names, ["A", "B"]);
    let count: i64 = query_scalar("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 2);
    // With RETURNING, DuckDB's result is the rows: one per row changed.
    let changed =
        query("INSERT INTO t SELECT range, 'r' FROM range(10, 13) RETURNING id").execute(&pool).await.unwrap();
    assert_eq!(changed, 3);
    let changed = query("DELETE FROM t WHERE name = 'r' RETURNING *").execute(&pool).await.unwrap();
    assert_eq!(changed, 3);
    // A query run with `execute` runs to its end (its rows read and
    // dropped a chunk at a time, not held), and changed no rows.
    pool.execute_batch("CREATE SEQUENCE seq").await.unwrap();
    assert_eq!(query("SELECT nextval('seq') FROM range(5000)").execute(&pool).await.unwrap(), 0);
    let next: i64 = query_scalar("SELECT nextval('seq')").fetch_one(&pool).await.unwrap();
    assert_eq!(next, 5001);
    let err = query("SELECT CASE WHEN range = 4000 THEN error('late') END FROM range(5000)")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("late"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_on_the_multi_thread_runtime() {
    let pool = memory_pool(2).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(
                async move { query_scalar::<i64>("SELECT $1::BIGINT * 2").bind(i as i64).fetch_one(&pool).await },
            )
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.await.unwrap().unwrap(), i as i64 * 2);
    }
}

/// Every executor, every fetch method and a stream, inside `tokio::spawn`
/// (which needs `Send` futures for every lifetime: SQLx's `Executor` fails
/// to be "general enough" for `&mut conn` there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_executor_runs_in_spawned_tasks() {
    let pool = memory_pool(2).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    let task = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut conn = pool.acquire().await?;
            query("INSERT INTO t VALUES (1)").execute(&mut conn).await?;
            query("INSERT INTO t VALUES (2)").execute(&mut *conn).await?;
            let mut tx = conn.begin().await?;
            query("INSERT INTO t VALUES (3)").execute(&mut tx).await?;
            let rows: Vec<(i32,)> = query_as("SELECT x FROM t ORDER BY x").fetch_all(&mut *tx).await?;
            tx.commit().await?;
            let mut tx = pool.begin().await?;
            let first: Option<i32> = query_scalar("SELECT min(x) FROM t").fetch_optional(&mut tx).await?;
            tx.rollback().await?;
            let mut stream = query_scalar::<i32>("SELECT x FROM t ORDER BY x").fetch(&pool);
            let mut streamed = Vec::new();
            while let Some(x) = stream.next().await {
                streamed.push(x?);
            }
            let row = query("SELECT count(*) AS n FROM t").fetch_one(&mut conn).await?;
            Ok::<_, Error>((rows.len(), first, streamed, row.get::<i64, _>("n")))
        })
    };
    let (rows, first, streamed, n) = task.await.unwrap().unwrap();
    assert_eq!((rows, first, streamed, n), (3, Some(1), vec![1, 2, 3], 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_never_exceeds_max_connections() {
    let pool = memory_pool(4).await;
    let current = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let (pool, current, peak) = (pool.clone(), Arc::clone(&current), Arc::clone(&peak));
            tokio::spawn(async move {
                let mut conn = pool.acquire().await.unwrap();
                let now = current.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                assert!(pool.num_in_use() <= 4);
                let v: i64 = query_scalar("SELECT $1::BIGINT").bind(i as i64).fetch_one(&mut conn).await.unwrap();
                assert_eq!(v, i as i64);
                current.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!((1..=4).contains(&peak), "peak {peak}");
    assert!(pool.num_idle() <= 4);
}

#[tokio::test]
async fn exhausted_pool_times_out_and_closed_pool_refuses() {
    let pool = memory_pool_with(PoolOptions::new().max_connections(1).acquire_timeout(Duration::from_millis(50))).await;
    let held = pool.acquire().await.unwrap();
    match pool.acquire().await {
        Err(Error::PoolTimedOut(d)) => assert_eq!(d, Duration::from_millis(50)),
        other => panic!("expected PoolTimedOut, got {other:?}"),
    }
    drop(held);
    pool.acquire().await.unwrap();
    pool.close().await;
    assert!(matches!(pool.acquire().await, Err(Error::PoolClosed)));
    // Closing again is harmless.
    pool.close().await;
}

/// What one pool does in `pool_runs_without_tokio_timers`: a waiter that
/// times out, one that a returned connection serves, and the reaper.
async fn time_out_serve_and_reap() -> (bool, i64, usize, usize) {
    let pool = PoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(100))
        .idle_timeout(Duration::from_millis(40))
        .connect("duckdb::memory:")
        .await
        .unwrap();
    let held = pool.acquire().await.unwrap();
    let timed_out = matches!(pool.acquire().await, Err(Error::PoolTimedOut(_)));
    let giver = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        drop(held);
    });
    let mut conn = pool.acquire().await.expect("the connection given back serves the waiter");
    let v: i64 = query_scalar("SELECT 7::BIGINT").fetch_one(&mut conn).await.unwrap();
    drop(conn);
    giver.join().unwrap();
    let size_before = pool.size();
    std::thread::sleep(Duration::from_millis(400));
    (timed_out, v, size_before, pool.size())
}

#[test]
fn pool_runs_without_tokio_timers() {
    // A runtime built without `enable_time`: tokio's timers would panic.
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(runtime.block_on(time_out_serve_and_reap()), (true, 7, 1, 0));
    // No tokio runtime at all.
    assert_eq!(futures::executor::block_on(time_out_serve_and_reap()), (true, 7, 1, 0));
}

#[tokio::test]
async fn dropping_a_running_query_interrupts_it() {
    let pool = memory_pool(1).await;
    let mut conn = pool.acquire().await.unwrap();
    // Each way a fetch runs: streaming with a limit, materialized (fixed-width
    // rows), and streaming on two threads (strings).
    let slow = "SELECT count(*) FROM range(10000000000) a";
    let slow_text = "SELECT count(*)::VARCHAR FROM range(10000000000) a";
    // The query would run for minutes; the timeout drops its future.
    let limit = Duration::from_millis(200);
    let timed_out = [
        tokio::time::timeout(limit, query_scalar::<i64>(slow).fetch_one(&mut conn)).await.is_err(),
        tokio::time::timeout(limit, query_scalar::<i64>(slow).fetch_all(&mut conn)).await.is_err(),
        tokio::time::timeout(limit, query_scalar::<String>(slow_text).fetch_all(&mut conn)).await.is_err(),
    ];
    assert_eq!(timed_out, [true; 3], "a query finished unexpectedly");
    // A script stops at its interrupted statement: the one after it never runs.
    let script = format!("CREATE TABLE before (x INTEGER); {slow}; CREATE TABLE after (x INTEGER)");
    assert!(tokio::time::timeout(limit, conn.execute_batch(&script)).await.is_err(), "the script finished");
    // Within a second the same connection answers the next query: the
    // others were interrupted (each took milliseconds when measured).
    let next = tokio::time::timeout(Duration::from_secs(1), query_scalar::<i32>("SELECT 7").fetch_one(&mut conn))
        .await
        .expect("an interrupted query kept the connection busy")
        .unwrap();
    assert_eq!(next, 7);
    let tables: Vec<String> =
        query_scalar("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetch_all(&mut conn).await.unwrap();
    assert_eq!(tables, ["before"]);
    drop(conn);
    // Back in the pool, healthy.
    assert_eq!(query_scalar::<i32>("SELECT 8").fetch_one(&pool).await.unwrap(), 8);
}

/// Decodes a text value, and notes whether the decode helper thread
/// decoded any.
struct TextOnHelper;

static TEXT_DECODED_ON_HELPER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl FromRow for TextOnHelper {
    fn from_row(row: &andamios::Row) -> andamios::Result<Self> {
        if std::thread::current().name() == Some("andamios-decode") {
            TEXT_DECODED_ON_HELPER.store(true, Ordering::Relaxed);
        }
        let _text: String = row.try_get(0)?;
        Ok(TextOnHelper)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_query_while_two_threads_decode_it_interrupts_it() {
    let pool = memory_pool(1).await;
    let mut conn = pool.acquire().await.unwrap();
    // Endless rows with strings: decoded by the connection thread and the
    // helper while DuckDB scans (md5 keeps the rows, and so the memory the
    // decoded ones take before the timeout, few).
    let endless = "SELECT md5(range::VARCHAR) FROM range(10000000000)";
    let timed_out =
        tokio::time::timeout(Duration::from_millis(300), query_as::<TextOnHelper>(endless).fetch_all(&mut conn))
            .await
            .is_err();
    assert!(timed_out, "an endless query finished");
    if std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        assert!(
            TEXT_DECODED_ON_HELPER.load(Ordering::Relaxed),
            "the helper was not decoding when the query was dropped"
        );
    }
    let next = tokio::time::timeout(Duration::from_secs(1), query_scalar::<i32>("SELECT 7").fetch_one(&mut conn))
        .await
        .expect("an interrupted query kept the connection busy")
        .unwrap();
    assert_eq!(next, 7);
    // The helper serves the next large result whole and in order.
    let rows: Vec<(i64, String)> =
        query_as("SELECT range, range::VARCHAR FROM range(300000)").fetch_all(&mut conn).await.unwrap();
    assert_eq!(rows.len(), 300_000);
    assert!(rows.iter().enumerate().all(|(i, (n, text))| *n == i as i64 && *text == i.to_string()));
}

#[tokio::test]
async fn conflicting_transactions_report_conflict() {
    let pool = memory_pool(2).await;
    pool.execute_batch(
        "CREATE TABLE acct (id INTEGER PRIMARY KEY, balance INTEGER); INSERT INTO acct VALUES (1, 100);",
    )
    .await
    .unwrap();
    let mut winner = pool.begin().await.unwrap();
    let mut loser = pool.begin().await.unwrap();
    query("UPDATE acct SET balance = 50 WHERE id = 1").execute(&mut winner).await.unwrap();
    let err = match query("UPDATE acct SET balance = 0 WHERE id = 1").execute(&mut loser).await {
        Ok(_) => loser.commit().await.unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Conflict), "{err}");
    assert!(err.is_retryable());
    winner.commit().await.unwrap();
    let balance: i32 = query_scalar("SELECT balance FROM acct WHERE id = 1").fetch_one(&pool).await.unwrap();
    assert_eq!(balance, 50);
}

#[tokio::test]
async fn transactions_roll_back_on_drop_and_do_not_nest() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    {
        let mut tx = pool.begin().await.unwrap();
        query("INSERT INTO t VALUES (1)").execute(&mut tx).await.unwrap();
        assert!(matches!(tx.begin().await, Err(Error::NestedTransaction)));
        // `&mut *tx` is the transaction's connection, still in the transaction.
        query("INSERT INTO t VALUES (10)").execute(&mut *tx).await.unwrap();
        assert!(matches!((*tx).begin().await, Err(Error::NestedTransaction)));
    }
    let n: i64 = query_scalar("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 0, "the dropped transaction was rolled back");

    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (2)").execute(&mut tx).await.unwrap();
    query("INSERT INTO t VALUES (4)").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    // `&mut *conn` on a pooled connection, as SQLx code writes it, is the
    // same connection as `&mut conn`.
    let mut conn = pool.acquire().await.unwrap();
    query("CREATE TEMP TABLE mine (x INTEGER)").execute(&mut *conn).await.unwrap();
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM mine").fetch_one(&mut conn).await.unwrap(), 0);
    drop(conn);
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (3)").execute(&mut tx).await.unwrap();
    tx.rollback().await.unwrap();
    let xs: Vec<i32> = query_scalar("SELECT x FROM t ORDER BY x").fetch_all(&pool).await.unwrap();
    assert_eq!(xs, [2, 4]);

    let mut conn = pool.acquire().await.unwrap();
    let tx = conn.begin().await.unwrap();
    drop(tx);
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&mut conn).await.unwrap(), 2);
    // Inside one begun with raw SQL, too (DuckDB aborts that one).
    query("BEGIN").execute(&mut conn).await.unwrap();
    assert!(matches!(conn.begin().await, Err(Error::NestedTransaction)));
    query("INSERT INTO t VALUES (5)").execute(&mut conn).await.unwrap();
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&mut conn).await.unwrap(), 3);
    drop(conn);

    // A connection swapped out of a transaction through `&mut *tx` goes
    // back to the pool rolled back: no Transaction is left to end it.
    let pool = memory_pool(2).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (1)").execute(&mut tx).await.unwrap();
    let mut spare = pool.acquire().await.unwrap();
    std::mem::swap(&mut *tx, &mut *spare);
    drop(spare);
    drop(tx);
    let mut both = [pool.acquire().await.unwrap(), pool.acquire().await.unwrap()];
    for conn in &mut both {
        assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&mut *conn).await.unwrap(), 0);
        conn.begin().await.unwrap().commit().await.unwrap();
    }
}

#[tokio::test]
async fn a_transaction_left_open_does_not_outlive_its_checkout() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    let count = || async { query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap() };
    // A raw BEGIN on the pool: its connection goes back with the transaction
    // open, and the next caller must not find itself inside it.
    query("BEGIN").execute(&pool).await.unwrap();
    query("INSERT INTO t VALUES (1)").execute(&pool).await.unwrap();
    pool.begin().await.unwrap().commit().await.unwrap();
    // A script that begins a transaction and ends without a COMMIT.
    pool.execute_batch("BEGIN; INSERT INTO t VALUES (2);").await.unwrap();
    assert_eq!(count().await, 1, "the INSERT after the raw BEGIN ran on its own; the script's was rolled back");
    // On one checked-out connection, raw BEGIN ... COMMIT works as written.
    let mut conn = pool.acquire().await.unwrap();
    query("BEGIN").execute(&mut conn).await.unwrap();
    query("INSERT INTO t VALUES (3)").execute(&mut conn).await.unwrap();
    query("COMMIT").execute(&mut conn).await.unwrap();
    drop(conn);
    // A failed statement inside a raw transaction leaves it aborted; that too ends with the checkout.
    let mut conn = pool.acquire().await.unwrap();
    query("BEGIN").execute(&mut conn).await.unwrap();
    assert!(query("SELECT nope").execute(&mut conn).await.is_err());
    drop(conn);
    assert_eq!(count().await, 2);
}

#[tokio::test]
async fn errors_are_classified_and_name_the_column() {
    let pool = memory_pool(1).await;
    pool.execute_batch(
        "CREATE TABLE p (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, qty INTEGER CHECK (qty >= 0));
         CREATE TABLE c (pid INTEGER REFERENCES p(id));
         INSERT INTO p VALUES (1, 'a', 1);",
    )
    .await
    .unwrap();
    let kind = |sql: &'static str| {
        let pool = pool.clone();
        async move { query(sql).execute(&pool).await.unwrap_err().database_kind() }
    };
    assert_eq!(kind("INSERT INTO p VALUES (1, 'dup', 1)").await, Some(DatabaseErrorKind::UniqueViolation));
    assert_eq!(kind("INSERT INTO p VALUES (2, NULL, 1)").await, Some(DatabaseErrorKind::NotNullViolation));
    assert_eq!(kind("INSERT INTO p VALUES (3, 'c', -1)").await, Some(DatabaseErrorKind::CheckViolation));
    assert_eq!(kind("INSERT INTO c VALUES (42)").await, Some(DatabaseErrorKind::ForeignKeyViolation));
    assert_eq!(kind("SELEC 1").await, Some(DatabaseErrorKind::Syntax));
    assert_eq!(kind("SELECT nope FROM p").await, Some(DatabaseErrorKind::Catalog));

    let err = query_scalar::<i32>("SELECT name FROM p").fetch_one(&pool).await.unwrap_err();
    match &err {
        Error::Decode { column, expected, found, .. } => {
            assert_eq!(column, "name");
            assert_eq!(expected, "i32");
            assert_eq!(found, "VARCHAR");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("`name`") && message.contains("VARCHAR") && message.contains("i32"), "{message}");
    assert_eq!(err.sql(), Some("SELECT name FROM p"));
    assert!(message.ends_with("\n  in SQL: SELECT name FROM p"), "{message}");
    // Also in a stream, and of a bad argument.
    let mut stream = query_scalar::<i32>("SELECT name FROM p").fetch(&pool);
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.sql(), Some("SELECT name FROM p"), "{err}");
    drop(stream);
    let err = query("SELECT $1::INTEGER").bind(1).bind(2).execute(&pool).await.unwrap_err();
    assert!(matches!(&err, Error::Encode { .. }) && err.sql() == Some("SELECT $1::INTEGER"), "{err:?}");

    let err = query_scalar::<i32>("SELECT NULL::INTEGER AS maybe").fetch_one(&pool).await.unwrap_err();
    assert!(err.to_string().contains("Option<i32>"), "{err}");
    // A NULL inside a LIST, MAP or STRUCT is not a NULL value: the error
    // says which type to make an Option.
    let err = query_scalar::<Vec<i32>>("SELECT [1, NULL] AS xs").fetch_one(&pool).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { column, found, .. } if column == "xs" && found == "INTEGER[] holding a NULL"),
        "{err:?}"
    );
    assert!(err.to_string().contains("values inside Vec<i32> an Option"), "{err}");
    let nested: Vec<Vec<Option<i32>>> = query_scalar("SELECT [[1, NULL]]").fetch_one(&pool).await.unwrap();
    assert_eq!(nested, [vec![Some(1), None]]);
    let err = query_scalar::<Vec<Vec<i32>>>("SELECT [[1], [NULL]]").fetch_one(&pool).await.unwrap_err();
    assert!(err.to_string().contains("INTEGER[][] holding a NULL"), "{err}");
    let err = query_scalar::<std::collections::HashMap<String, i32>>("SELECT MAP {'a': NULL::INTEGER}")
        .fetch_one(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("holding a NULL"), "{err}");
    let err = query_scalar::<(i32, String)>("SELECT {'n': 1, 's': NULL::VARCHAR}").fetch_one(&pool).await.unwrap_err();
    assert!(err.to_string().contains("holding a NULL"), "{err}");
    let err = query_scalar::<Vec<i32>>("SELECT NULL::INTEGER[]").fetch_one(&pool).await.unwrap_err();
    assert!(err.to_string().contains("use Option<Vec<i32>>"), "{err}");
    // A column the result does not have, by position and by name.
    let err = query_as::<(i64, String, i32)>("SELECT 1::BIGINT, 'a'").fetch_one(&pool).await.unwrap_err();
    assert!(matches!(err, Error::ColumnIndexOutOfBounds { index: 2, len: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("the result has 2 column(s)"), "{err}");
    // It names the statement, as DuckDB's errors do.
    assert_eq!(err.sql(), Some("SELECT 1::BIGINT, 'a'"));
    assert!(err.to_string().ends_with("\n  in SQL: SELECT 1::BIGINT, 'a'"), "{err}");
    let row = query("SELECT 1 AS id, 'a' AS name").fetch_one(&pool).await.unwrap();
    assert_eq!(format!("{row:?}"), r#"Row { id: Integer(1), name: Varchar("a") }"#);
    let err = row.try_get::<String, _>("title").unwrap_err();
    assert!(
        matches!(&err, Error::ColumnNotFound { name, columns, .. } if name == "title" && columns == &["id", "name"]),
        "{err:?}"
    );
    assert!(err.to_string().contains("its columns are id, name"), "{err}");
    // A row read after its statement ran does not know it.
    assert_eq!(err.sql(), None);
    let err = query("SELECT $1::INTEGER").execute(&pool).await.unwrap_err();
    assert!(err.to_string().contains("1 parameter(s) but 0 value(s)"), "{err}");
    // A gap in the numbering: the value bound could never reach `$2`.
    let err = query("SELECT $2::INTEGER").bind(1).execute(&pool).await.unwrap_err();
    assert!(err.to_string().contains("has no $1 but a parameter numbered past it"), "{err}");
    let err = query("SELECT nope").execute(&pool).await.unwrap_err();
    assert_eq!(err.sql(), Some("SELECT nope"));
    // Two statements in one query: the error says where scripts go.
    let err = query("INSERT INTO p VALUES (5, 'e', 1); SELECT 1").execute(&pool).await.unwrap_err();
    assert!(err.to_string().contains("with `execute_batch`"), "{err}");
    let rows: i64 = query_scalar("SELECT count(*) FROM p").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 1);

    // A statement of a script that fails is named, and quoted alone.
    let script = "INSERT INTO p VALUES (6, 'f', 1);\n-- the same id again\nINSERT INTO p VALUES (6, 'g', 1); INSERT INTO p VALUES (7, 'h', 1);";
    let err = pool.execute_batch(script).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::UniqueViolation), "{err}");
    assert_eq!(err.script_statement(), Some(andamios::ScriptStatement { index: 1, count: 3 }));
    assert_eq!(err.sql(), Some("INSERT INTO p VALUES (6, 'g', 1)"));
    assert!(
        err.to_string().ends_with("\n  in SQL: INSERT INTO p VALUES (6, 'g', 1)\n  (statement 2 of 3 in the script)"),
        "{err}"
    );
    let ids: Vec<i64> = query_scalar("SELECT id FROM p ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(ids, [1, 6]);
    // A syntax error anywhere in a script runs none of it.
    let err = pool.execute_batch("INSERT INTO p VALUES (8, 'i', 1); SELEC 1").await.unwrap_err();
    assert_eq!((err.database_kind(), err.script_statement()), (Some(DatabaseErrorKind::Syntax), None), "{err}");
    let rows: i64 = query_scalar("SELECT count(*) FROM p").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 2);
}

#[tokio::test]
async fn a_statement_over_the_memory_limit_is_out_of_memory_and_the_pool_serves_on() {
    let pool = memory_pool_with(PoolOptions::new().max_connections(1).memory_limit("30MB").threads(1)).await;
    // One list of 3M strings of ~100 bytes: an aggregate DuckDB cannot spill.
    let err =
        query("SELECT len(list(range || repeat('x', 100))) FROM range(3000000)").execute(&pool).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::OutOfMemory), "{err}");
    assert!(err.to_string().contains("`PoolOptions::memory_limit` and `threads`"), "{err}");
    let n: i64 = query_scalar("SELECT count(*) FROM range(1000)").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 1000);
}

#[derive(Debug, FromRow, PartialEq)]
struct Item {
    id: i64,
    #[andamios(rename = "label")]
    name: String,
    #[andamios(default)]
    missing: Option<i32>,
    #[andamios(skip)]
    skipped: u8,
    #[andamios(try_from = "i64")]
    small: u8,
    #[andamios(flatten)]
    extra: Extra,
}

#[derive(Debug, FromRow, PartialEq)]
#[andamios(rename_all = "camelCase")]
struct Extra {
    extra_note: Option<String>,
}

#[tokio::test]
async fn derived_from_row_reads_by_name() {
    let pool = memory_pool(1).await;
    let items: Vec<Item> =
        query_as(r#"SELECT 'x' AS label, 7::BIGINT AS id, 5::BIGINT AS small, NULL::VARCHAR AS "extraNote""#)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        items,
        [Item { id: 7, name: "x".into(), missing: None, skipped: 0, small: 5, extra: Extra { extra_note: None } }]
    );
    let err = query_as::<Item>(r#"SELECT 'x' AS label, 7::BIGINT AS id, 500::BIGINT AS small, NULL AS "extraNote""#)
        .fetch_one(&pool)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Decode { column, .. } if column == "small"), "{err}");
    let err = query_as::<Item>("SELECT 1 AS id").fetch_one(&pool).await.unwrap_err();
    assert!(err.to_string().contains("label"), "{err}");
    // Names differing in case only match, as DuckDB's do (the columns of
    // a CSV file's header, say); an exact match comes first.
    let items: Vec<Item> = query_as(
        r#"SELECT 'x' AS "Label", 7::BIGINT AS "ID", 5::BIGINT AS small, 1 AS "MISSING", NULL::VARCHAR AS extranote"#,
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!((items[0].id, items[0].name.as_str(), items[0].missing), (7, "x", Some(1)));
    let row = query(r#"SELECT 1 AS "A", 2 AS a"#).fetch_one(&pool).await.unwrap();
    assert_eq!((row.get::<i32, _>("a"), row.get::<i32, _>("A")), (2, 1));
    assert!(row.has_column("A") && !row.has_column("b"));
}

#[derive(Debug, FromRow, PartialEq)]
struct Outer {
    a: i32,
    #[andamios(flatten)]
    inner: Inner,
}

#[derive(Debug, FromRow, PartialEq)]
struct Inner {
    b: i32,
}

#[tokio::test]
async fn flattened_fields_at_the_same_position_read_their_own_column() {
    let pool = memory_pool(1).await;
    // Outer's first field matches column 0; Inner's first field must not
    // reuse that match.
    let rows: Vec<Outer> = query_as("SELECT range::INTEGER AS a, range::INTEGER * 10 AS b FROM range(3000)")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(rows[2999], Outer { a: 2999, inner: Inner { b: 29990 } });
}

#[tokio::test]
async fn streaming_holds_a_bounded_number_of_rows() {
    let pool = memory_pool(1).await;
    let mut stream = query_scalar::<i64>("SELECT range FROM range(10000000)").fetch(&pool);
    let bound = (andamios::STREAM_BUFFER_CHUNKS + 2) * 2048;
    let (mut seen, mut peak, mut sum) = (0u64, 0usize, 0i128);
    while let Some(v) = stream.next().await {
        let v = v.unwrap();
        sum += i128::from(v);
        seen += 1;
        if seen % 4096 == 0 {
            // Let the producer run ahead as far as it can before measuring.
            tokio::task::yield_now().await;
        }
        let buffered = stream.rows_in_flight();
        peak = peak.max(buffered);
        assert!(buffered <= bound, "{buffered} rows buffered, bound {bound}");
    }
    assert_eq!(stream.rows_in_flight(), 0, "every row was yielded");
    assert_eq!(seen, 10_000_000);
    assert_eq!(sum, 9_999_999i128 * 10_000_000 / 2);
    assert!(peak > 0, "the stream never buffered: the measurement is broken");
    // One chunk: the rows not yet yielded of the batch being yielded count.
    let mut stream = query_scalar::<i64>("SELECT range FROM range(1000)").fetch(&pool);
    for left in (0..1000).rev() {
        stream.next().await.unwrap().unwrap();
        assert_eq!(stream.rows_in_flight(), left);
    }
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn dropping_a_stream_stops_the_query() {
    let pool = memory_pool(1).await;
    {
        let mut stream = query_scalar::<i64>("SELECT range FROM range(100000000)").fetch(&pool);
        assert_eq!(stream.next().await.unwrap().unwrap(), 0);
    }
    let v = tokio::time::timeout(Duration::from_secs(10), query_scalar::<i32>("SELECT 1").fetch_one(&pool))
        .await
        .expect("the dropped stream kept the connection busy")
        .unwrap();
    assert_eq!(v, 1);
}

#[tokio::test]
async fn dropping_a_stream_after_its_pool_closed_returns() {
    // Leaked so that the stream (which borrows the pool) can move to a thread.
    let pool: &'static Pool = Box::leak(Box::new(memory_pool(1).await));
    let mut stream = query_scalar::<i64>("SELECT range FROM range(100000000)").fetch(pool);
    assert_eq!(stream.next().await.unwrap().unwrap(), 0);
    // The connection thread is now blocked on the stream's full buffer.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let closed = pool.close();
    // Closing the stream's connection waits for its thread, which must
    // first be released from the buffer.
    let (dropped_tx, dropped_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(stream);
        let _ = dropped_tx.send(());
    });
    assert!(dropped_rx.recv_timeout(Duration::from_secs(10)).is_ok(), "dropping the stream hung");
    tokio::time::timeout(Duration::from_secs(10), closed).await.expect("the pool did not finish closing");
}

#[derive(Debug, andamios::AppendRow)]
struct Reading {
    sensor: i32,
    value: f64,
    note: Option<String>,
}

#[tokio::test]
async fn bulk_append_is_all_or_nothing() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE r (sensor INTEGER PRIMARY KEY, value DOUBLE NOT NULL, note VARCHAR)")
        .await
        .unwrap();
    let n = pool
        .append(
            "r",
            (0..5000).map(|i| Reading {
                sensor: i,
                value: f64::from(i) / 2.0,
                note: (i % 2 == 0).then(|| format!("n{i}")),
            }),
        )
        .await
        .unwrap();
    assert_eq!(n, 5000);
    let (count, notes): (i64, i64) = query_as("SELECT count(*), count(note) FROM r").fetch_one(&pool).await.unwrap();
    assert_eq!((count, notes), (5000, 2500));

    // A duplicate key in the middle of a batch: nothing of the batch stays.
    let err = pool.append("r", (4990..6000).map(|i| (i, 1.0f64, None::<String>))).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::UniqueViolation), "{err}");
    // Wrong arity and wrong type are errors too.
    let err = pool.append("r", vec![(9000, 1.0f64)]).await.unwrap_err();
    assert!(err.to_string().contains("3 column(s) but each row has 2 value(s)"), "{err}");
    // A generated column takes no value, and the error says why it is not counted.
    pool.execute_batch("CREATE TABLE doubled (a INTEGER, twice INTEGER GENERATED ALWAYS AS (a * 2))").await.unwrap();
    let err = pool.append("doubled", vec![(1i32, 2i32)]).await.unwrap_err();
    assert!(
        err.to_string().contains("1 column(s) to fill (and 1 generated column(s), which DuckDB computes)"),
        "{err}"
    );
    pool.append("doubled", vec![(1i32,)]).await.unwrap();
    let twice: i32 = query_scalar("SELECT twice FROM doubled").fetch_one(&pool).await.unwrap();
    assert_eq!(twice, 2);
    let rows = vec![(9001i64, 1.0f64, None::<&str>), (9002i64, 2.0f64, None), (9003i64, f64::NAN, Some("n"))];
    let mut rows: Vec<(i64, andamios::types::Value, Option<&str>)> =
        rows.into_iter().map(|(id, x, note)| (id, andamios::types::Value::Double(x), note)).collect();
    rows[2].1 = andamios::types::Value::Varchar("not a number".into());
    let err = pool.append("r", rows).await.unwrap_err();
    assert!(
        err.to_string().contains("the row at index 2, column `value` (DOUBLE) of table r: a value of type VARCHAR"),
        "{err}"
    );
    assert!(err.to_string().contains("give a value of the column's type, or INSERT it"), "{err}");
    // A DECIMAL with more digits after the point than the column keeps is
    // not rounded behind the caller's back.
    pool.execute_batch("CREATE TABLE prices (amount DECIMAL(6, 2))").await.unwrap();
    let err = pool.append("prices", vec![(andamios::types::Decimal::new(1235, 3),)]).await.unwrap_err();
    assert!(
        err.to_string().contains("1.235 has 3 digits after the point, and column type DECIMAL(6,2) keeps 2"),
        "{err}"
    );
    pool.append("prices", vec![(andamios::types::Decimal::new(1230, 3),)]).await.unwrap();
    // An integer goes into a DOUBLE column where it is exact, as INSERT stores it.
    let err = pool.append("r", vec![(9004i64, (1i64 << 53) + 1, None::<String>)]).await.unwrap_err();
    assert!(err.to_string().contains("9007199254740993 has no exact value of column type DOUBLE"), "{err}");
    pool.append("r", vec![(9005i64, 1i64 << 53, None::<String>)]).await.unwrap();
    let exact: f64 = query_scalar("SELECT value FROM r WHERE sensor = 9005").fetch_one(&pool).await.unwrap();
    assert_eq!(exact, (1u64 << 53) as f64);
    pool.execute_batch("DELETE FROM r WHERE sensor = 9005").await.unwrap();
    let count: i64 = query_scalar("SELECT count(*) FROM r").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 5000);
}

#[tokio::test]
async fn file_database_is_shared_by_connections_and_read_only_mode_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.duckdb");
    let url = format!("duckdb:{}", path.display());
    {
        let pool = memory_pool_at(&url).await;
        pool.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)").await.unwrap();
        let mut a = pool.acquire().await.unwrap();
        let mut b = pool.acquire().await.unwrap();
        query("INSERT INTO t VALUES (2)").execute(&mut a).await.unwrap();
        assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&mut b).await.unwrap(), 2);
    }
    let ro = PoolOptions::new().access_mode(andamios::AccessMode::ReadOnly).connect(&url).await.unwrap();
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&ro).await.unwrap(), 2);
    let err = query("INSERT INTO t VALUES (3)").execute(&ro).await.unwrap_err();
    assert!(err.to_string().contains("Open or attach it read-write"), "{err}");
    let err = ro.append("t", [(3,)]).await.unwrap_err();
    assert!(err.to_string().contains("Open or attach it read-write"), "{err}");
    assert!(matches!(Pool::connect("postgres://nope").await, Err(Error::Configuration(_))));
}

#[tokio::test]
async fn two_pools_on_one_file_share_it_and_keep_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("duckdb:{}", dir.path().join("app.duckdb").display());
    {
        let app = memory_pool_at(&url).await;
        app.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
        // A second pool on the same file, as a background job or a test
        // helper might open: it shares the open database.
        let job = memory_pool_at(&url).await;
        app.execute_batch("INSERT INTO t SELECT range FROM range(1000)").await.unwrap();
        job.execute_batch("INSERT INTO t SELECT range FROM range(1000)").await.unwrap();
        for pool in [&app, &job] {
            assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(pool).await.unwrap(), 2000);
            pool.execute_batch("CHECKPOINT").await.unwrap();
        }
        // Other options cannot share it: a clear error, not a second instance.
        let err = PoolOptions::new().access_mode(andamios::AccessMode::ReadOnly).connect(&url).await.unwrap_err();
        assert!(err.to_string().contains("same options"), "{err}");
    }
    let reopened = memory_pool_at(&url).await;
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&reopened).await.unwrap(), 2000);
}

/// Set by `opening_errors_say_what_to_do` for the copy of this test binary
/// it starts: the database file that copy tries to open.
const LOCKED_FILE_VAR: &str = "ANDAMIOS_TEST_LOCKED_FILE";

/// Run as a separate process by `opening_errors_say_what_to_do` (DuckDB's
/// file lock is per process); prints the error of opening the file.
#[tokio::test]
#[ignore = "the second process of opening_errors_say_what_to_do, which runs it"]
async fn open_file_locked_by_another_process() {
    let path = std::env::var(LOCKED_FILE_VAR).expect("run by opening_errors_say_what_to_do");
    let err = Pool::connect(&format!("duckdb:{path}")).await.unwrap_err();
    println!("OPEN ERROR: {err}");
}

#[tokio::test]
async fn opening_errors_say_what_to_do() {
    for (url, expected) in [
        // An empty path (an unset variable) must not silently open a database in memory.
        ("duckdb:", "names no database"),
        ("duckdb:app.duckdb?access_mode=readonly", "not an access mode"),
    ] {
        let err = Pool::connect(url).await.unwrap_err();
        assert!(matches!(&err, Error::Configuration(m) if m.contains(expected)), "{url}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder").join("app.duckdb");
    let err = Pool::connect(&format!("duckdb:{}", missing.display())).await.unwrap_err();
    assert!(err.to_string().contains("does not exist: DuckDB creates the database file, but not its folders"), "{err}");
    // A folder, named as one or not: DuckDB would make a file of the first.
    let err = Pool::connect(&format!("duckdb:{}/", dir.path().display())).await.unwrap_err();
    assert!(matches!(&err, Error::Configuration(m) if m.contains("names a folder")), "{err}");
    let err = Pool::connect(&format!("duckdb:{}", dir.path().display())).await.unwrap_err();
    let in_it = dir.path().join("app.duckdb");
    assert!(
        err.to_string().contains(&format!("is a folder: name the database file in it, `duckdb:{}`", in_it.display())),
        "{err}"
    );
    let err = Pool::connect("duckdb::memory:?no_such_setting=1").await.unwrap_err();
    assert!(err.to_string().contains("duckdb_settings()"), "{err}");
    let absent = dir.path().join("absent.duckdb");
    let err = Pool::connect(&format!("duckdb:{}?access_mode=read_only", absent.display())).await.unwrap_err();
    assert!(err.to_string().contains("read-only only where it exists"), "{err}");

    // Another process holding the file gets told about read-only mode.
    let path = dir.path().join("held.duckdb");
    let _holder = memory_pool_at(&format!("duckdb:{}", path.display())).await;
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "open_file_locked_by_another_process", "--ignored", "--nocapture", "--test-threads=1"])
        .env(LOCKED_FILE_VAR, &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    assert!(child.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&child.stderr));
    let error = &stdout[stdout.find("OPEN ERROR: ").unwrap_or_else(|| panic!("{stdout}"))..];
    assert!(error.contains("Conflicting lock"), "{error}");
    assert!(error.contains("another process has the file open") && error.contains("access_mode=read_only"), "{error}");
}

#[tokio::test]
async fn appending_to_a_missing_table_names_it_and_says_to_create_it() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    let err = pool.append("nope", vec![(1i32,)]).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Catalog), "{err}");
    assert!(err.to_string().starts_with("cannot append to `nope`: "), "{err}");
    assert!(err.to_string().contains("create it first"), "{err}");
    let err = pool.append("\"nope", vec![(1i32,)]).await.unwrap_err();
    assert!(err.to_string().contains("a quote that does not close"), "{err}");
    pool.execute_batch("CREATE VIEW v AS SELECT 1 AS a").await.unwrap();
    let err = pool.append("v", vec![(1i32,)]).await.unwrap_err();
    assert!(err.to_string().contains("this is a view"), "{err}");
}

#[tokio::test]
async fn append_names_tables_as_sql_does() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch(
        r#"CREATE SCHEMA s; CREATE TABLE s.t (a INTEGER); CREATE TABLE "My ""Big"" Table" (a INTEGER);
           CREATE TABLE "x.y" (a INTEGER); ATTACH ':memory:' AS other; CREATE SCHEMA other.s;
           CREATE TABLE other.s.t (a INTEGER); CREATE TABLE other.o (a INTEGER)"#,
    )
    .await
    .unwrap();
    for (name, value) in [
        ("s.t", 1),
        ("S.T", 2),
        (r#""My ""Big"" Table""#, 3),
        ("My \"Big\" Table", 4),
        (r#""x.y""#, 5),
        ("other.s.t", 6),
        (r#"other."s".t"#, 7),
        // Catalog and table: the attached database's default schema.
        ("other.o", 8),
    ] {
        pool.append(name, vec![(value,)]).await.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let sums: (i64, i64, i64, i64, i64) = query_as(
        r#"SELECT (SELECT sum(a) FROM s.t), (SELECT sum(a) FROM "My ""Big"" Table"), (SELECT sum(a) FROM "x.y"),
                  (SELECT sum(a) FROM other.s.t), (SELECT sum(a) FROM other.o)"#,
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(sums, (3, 7, 5, 13, 8));
    let err = pool.append("x.y", vec![(1,)]).await.unwrap_err();
    assert!(err.to_string().contains("in double quotes"), "{err}");

    // A connection's temporary table, by its name or as `temp.name` (the
    // README's way to a large set of ids to join).
    let mut conn = pool.acquire().await.unwrap();
    conn.execute_batch("CREATE TEMP TABLE ids (id BIGINT)").await.unwrap();
    conn.append("ids", (0..3).map(|i| (i,))).await.unwrap();
    conn.append("temp.ids", (3..5).map(|i| (i,))).await.unwrap();
    let ids: i64 = query_scalar("SELECT sum(id) FROM ids").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(ids, 10);
}

#[tokio::test]
async fn append_columns_leaves_the_other_columns_to_their_defaults() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch(
        "CREATE SEQUENCE ids START 10;
         CREATE TABLE events (id BIGINT DEFAULT nextval('ids'), kind VARCHAR NOT NULL, note VARCHAR,
                              stamped TIMESTAMP DEFAULT now()::TIMESTAMP, n INTEGER NOT NULL DEFAULT 7)",
    )
    .await
    .unwrap();
    // Named in another order than the table's; 5,000 rows: more than a chunk.
    let rows = (0..5000).map(|i| (i, format!("k{i}")));
    assert_eq!(pool.append_columns("events", &["n", "kind"], rows).await.unwrap(), 5000);
    let (count, first, last, notes, untimed): (i64, i64, i64, i64, i64) =
        query_as("SELECT count(*), min(id), max(id), count(note), count(*) FILTER (WHERE stamped IS NULL) FROM events")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((count, first, last, notes, untimed), (5000, 10, 5009, 0, 0));
    let (kind, n): (String, i32) =
        query_as("SELECT kind, n FROM events WHERE id = 5009").fetch_one(&pool).await.unwrap();
    assert_eq!((kind.as_str(), n), ("k4999", 4999));

    // A NOT NULL column without a default, left out: nothing of the batch stays.
    let err = pool.append_columns("events", &["note"], vec![(Some("x".to_owned()),)]).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::NotNullViolation), "{err}");
    // A column the table does not have, or named twice.
    for columns in [&["kind", "nope"][..], &["kind", "kind"]] {
        let err = pool.append_columns("events", columns, vec![("a".to_owned(), "b".to_owned())]).await.unwrap_err();
        assert!(err.to_string().contains("cannot append to columns") && err.to_string().contains("once"), "{err}");
    }
    // Rows that do not hold one value per named column.
    let err = pool.append_columns("events", &["kind", "n"], vec![("a".to_owned(),)]).await.unwrap_err();
    assert!(err.to_string().contains("2 column(s) were named but each row has 1 value(s)"), "{err}");
    // Without names, the arity error points here.
    let err = pool.append("events", vec![("a".to_owned(),)]).await.unwrap_err();
    assert!(err.to_string().contains("append_columns"), "{err}");
    let after: i64 = query_scalar("SELECT count(*) FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(after, 5000);

    // Inside a transaction, the rows are part of it.
    let mut tx = pool.begin().await.unwrap();
    tx.append_columns("events", &["kind"], vec![("in tx".to_owned(),)]).await.unwrap();
    drop(tx);
    let after: i64 = query_scalar("SELECT count(*) FROM events").fetch_one(&pool).await.unwrap();
    assert_eq!(after, 5000);
}

async fn memory_pool_at(url: &str) -> Pool {
    PoolOptions::new().max_connections(2).connect(url).await.unwrap()
}

/// A pool of up to `max` in-memory connections, each running `sql` in
/// `after_connect`.
async fn memory_pool_running(max: usize, sql: &'static str) -> Pool {
    PoolOptions::new()
        .max_connections(max)
        .after_connect(move |conn| Box::pin(async move { conn.execute_batch(sql).await }))
        .connect("duckdb::memory:")
        .await
        .unwrap()
}

#[tokio::test]
async fn after_connect_runs_on_every_new_connection() {
    let pool = memory_pool_running(2, "SET VARIABLE greeting = 'hola'").await;
    let g: String = query_scalar("SELECT getvariable('greeting')").fetch_one(&pool).await.unwrap();
    assert_eq!(g, "hola");
}

/// `connect` opens a first connection, as SQLx's does: a failing hook fails
/// it, instead of the first query, and the error says it came from the
/// hook, keeping DuckDB's kind and the hook's statement.
#[tokio::test]
async fn a_failing_after_connect_hook_fails_connect() {
    let err = PoolOptions::new()
        .after_connect(|conn| Box::pin(async move { conn.execute_batch("SET no_such_setting = 1").await }))
        .connect("duckdb::memory:")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no_such_setting"), "{err}");
    assert!(err.to_string().contains("from the pool's `PoolOptions::after_connect` hook"), "{err}");
    assert_eq!(err.sql(), Some("SET no_such_setting = 1"));
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Catalog));

    // The same on an acquire that opens a connection after `connect`.
    let opened = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&opened);
    let pool = PoolOptions::new()
        .max_connections(2)
        .after_connect(move |conn| {
            let first = counted.fetch_add(1, Ordering::SeqCst) == 0;
            Box::pin(async move {
                if first {
                    Ok(())
                } else {
                    conn.execute_batch("SELECT * FROM no_such_table").await
                }
            })
        })
        .connect("duckdb::memory:")
        .await
        .unwrap();
    let _held = pool.acquire().await.unwrap();
    let err = pool.acquire().await.unwrap_err();
    assert!(err.to_string().contains("from the pool's `PoolOptions::after_connect` hook"), "{err}");
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Catalog));
}

/// Each connection streams results with a small buffer ahead of its reads
/// (see `STREAMING_BUFFER` in connection.rs); `after_connect` may set
/// another.
#[tokio::test]
async fn connections_stream_with_a_small_buffer_unless_told_otherwise() {
    let setting = "SELECT current_setting('streaming_buffer_size')";
    let pool = memory_pool(1).await;
    let default: String = query_scalar(setting).fetch_one(&pool).await.unwrap();
    assert_eq!(default, "976.5 KiB");
    let pool = memory_pool_running(1, "SET streaming_buffer_size = '64MB'").await;
    let chosen: String = query_scalar(setting).fetch_one(&pool).await.unwrap();
    assert_eq!(chosen, "61.0 MiB");
}

/// An attached database belongs to the DuckDB instance that all of a
/// pool's connections share: `after_connect` attaches it once with
/// `IF NOT EXISTS`, and a plain ATTACH on the second connection fails with
/// an error that says so.
#[tokio::test]
async fn a_database_attached_in_after_connect_serves_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.duckdb");
    let setup = Pool::connect(&format!("duckdb:{}", other.display())).await.unwrap();
    setup
        .execute_batch("CREATE TABLE lookup (k INTEGER, v VARCHAR); INSERT INTO lookup VALUES (1, 'one')")
        .await
        .unwrap();
    setup.close().await;
    let attaching = |if_not_exists: &'static str| {
        let sql = format!("ATTACH {if_not_exists}'{}' AS o (READ_ONLY)", other.display());
        PoolOptions::new().max_connections(3).after_connect(move |conn| {
            let sql = sql.clone();
            Box::pin(async move { conn.execute_batch(&sql).await })
        })
    };

    let pool = attaching("IF NOT EXISTS ")
        .connect(&format!("duckdb:{}", dir.path().join("a.duckdb").display()))
        .await
        .unwrap();
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = pool.acquire().await.unwrap();
        let v: String = query_scalar("SELECT v FROM o.lookup WHERE k = 1").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(v, "one");
        held.push(conn);
    }
    let err = query("INSERT INTO o.lookup VALUES (2, 'two')").execute(&mut *held[0]).await.unwrap_err();
    assert!(err.to_string().contains("attached with `(READ_ONLY)`"), "{err}");
    drop(held);

    let pool = attaching("").connect(&format!("duckdb:{}", dir.path().join("b.duckdb").display())).await.unwrap();
    let _first = pool.acquire().await.unwrap();
    let err = pool.acquire().await.unwrap_err();
    assert!(err.to_string().contains("write `ATTACH IF NOT EXISTS`"), "{err}");
}

#[test]
fn slow_statements_are_logged() {
    use std::io::Write;
    #[derive(Clone, Default)]
    struct Buf(Arc<std::sync::Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let pool = memory_pool_with(PoolOptions::new().slow_statement_threshold(Duration::ZERO)).await;
        query_scalar::<i32>("SELECT 41 + 1").fetch_one(&pool).await.unwrap();
    });
    let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("slow statement") && log.contains("SELECT 41 + 1"), "{log}");
}

#[tokio::test]
async fn min_connections_open_up_front_and_idle_ones_expire() {
    let pool = memory_pool_with(
        PoolOptions::new().max_connections(3).min_connections(2).idle_timeout(Duration::from_millis(30)),
    )
    .await;
    assert_eq!(pool.num_idle(), 2, "min_connections are opened by connect");
    let (a, b, c) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    assert_eq!((pool.num_in_use(), pool.size()), (3, 3));
    drop((a, b, c));
    assert_eq!((pool.num_idle(), pool.size()), (3, 3));
    // One connection in steady use never expires; the two left idle past the
    // timeout are closed down to the minimum, although every acquire finds
    // the busy one first.
    for _ in 0..8 {
        let mut conn = pool.acquire().await.unwrap();
        query("SELECT 1").execute(&mut conn).await.unwrap();
        drop(conn);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    assert_eq!((pool.num_idle(), pool.size()), (2, 2));
    let (a, b) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    drop((a, b));
    assert_eq!(pool.num_idle(), 2);
}

#[tokio::test]
async fn idle_connections_close_without_any_acquire() {
    let pool = memory_pool_with(PoolOptions::new().max_connections(3).idle_timeout(Duration::from_millis(30))).await;
    let (a, b, c) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    drop((a, b, c));
    assert_eq!(pool.num_idle(), 3);
    let deadline = Instant::now() + Duration::from_secs(5);
    while pool.num_idle() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(pool.num_idle(), 0, "idle connections outlived their timeout with nothing acquiring");
    // A closed connection is simply reopened on demand.
    let one: i32 = query_scalar("SELECT 1").fetch_one(&pool).await.unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn closing_the_pool_wakes_waiters() {
    let pool = memory_pool_with(PoolOptions::new().max_connections(1).acquire_timeout(Duration::from_secs(30))).await;
    let held = pool.acquire().await.unwrap();
    let waiter = {
        let pool = pool.clone();
        tokio::spawn(async move { pool.acquire().await.map(|_| ()) })
    };
    tokio::task::yield_now().await;
    let closed = pool.close();
    assert!(matches!(waiter.await.unwrap(), Err(Error::PoolClosed)));
    assert!(pool.is_closed());
    drop(held);
    tokio::time::timeout(Duration::from_secs(10), closed).await.expect("the pool did not finish closing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_pool_waits_for_its_connections_then_releases_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("duckdb:{}", dir.path().join("app.duckdb").display());
    let pool = memory_pool_at(&url).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    // A task still working: its uncommitted transaction rolls back when
    // its connection goes back to the closed pool.
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (1)").execute(&mut tx).await.unwrap();
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let returned = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let task = {
        let returned = Arc::clone(&returned);
        tokio::spawn(async move {
            go_rx.await.unwrap();
            query("INSERT INTO t VALUES (2)").execute(&mut tx).await.unwrap();
            returned.store(true, Ordering::SeqCst);
            drop(tx);
        })
    };
    let closed = tokio::spawn(pool.close());
    tokio::task::yield_now().await;
    assert!(!closed.is_finished(), "close returned with a connection still checked out");
    go_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), closed).await.expect("close never returned").unwrap();
    assert!(returned.load(Ordering::SeqCst), "close returned before the connection did");
    task.await.unwrap();
    // `pool` is still alive, but the file is closed: it opens again, with
    // other options too, and the rolled-back rows are not in it.
    let reader = PoolOptions::new().access_mode(andamios::AccessMode::ReadOnly).connect(&url).await.unwrap();
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&reader).await.unwrap(), 0);
    assert!(matches!(pool.acquire().await, Err(Error::PoolClosed)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_busy_pool_closes_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("duckdb:{}", dir.path().join("busy.duckdb").display());
    let pool = PoolOptions::new().max_connections(4).connect(&url).await.unwrap();
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    // Tasks checking connections out and back in while the pool closes.
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(
                async move { while query("INSERT INTO t VALUES ($1)").bind(i).execute(&pool).await.is_ok() {} },
            )
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    tokio::time::timeout(Duration::from_secs(30), pool.close()).await.expect("close never returned");
    for task in tasks {
        task.await.unwrap();
    }
    // Every connection closed, and with them the file: it opens read-only.
    let reader = PoolOptions::new().access_mode(andamios::AccessMode::ReadOnly).connect(&url).await.unwrap();
    assert!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&reader).await.unwrap() > 0);
}

/// Runs two statements on whatever it is given.
async fn insert_two<'c>(db: impl andamios::Acquire<'c>, x: i32) -> andamios::Result<()> {
    let mut conn = db.acquire().await?;
    query("INSERT INTO t VALUES ($1)").bind(x).execute(&mut *conn).await?;
    query("INSERT INTO t VALUES ($1)").bind(x).execute(&mut *conn).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acquire_lends_a_connection_or_checks_one_out() {
    use andamios::Acquire;
    let pool = memory_pool(2).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    let count = |x: i32| {
        let pool = pool.clone();
        async move { query_scalar::<i64>("SELECT count(*) FROM t WHERE x = $1").bind(x).fetch_one(&pool).await.unwrap() }
    };

    // A pool: a connection of its own, back in the pool afterwards (and the
    // future is Send, so it can be spawned).
    let spawned = {
        let pool = pool.clone();
        tokio::spawn(async move { insert_two(&pool, 1).await })
    };
    spawned.await.unwrap().unwrap();
    assert_eq!(count(1).await, 2);
    assert_eq!(pool.num_in_use(), 0);

    // The caller's connection and transaction: the statements run inside it.
    let mut conn = pool.acquire().await.unwrap();
    insert_two(&mut conn, 2).await.unwrap();
    insert_two(&mut *conn, 3).await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    insert_two(&mut tx, 4).await.unwrap();
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t WHERE x = 4").fetch_one(&mut tx).await.unwrap(), 2);
    tx.rollback().await.unwrap();
    assert_eq!((count(2).await, count(3).await, count(4).await), (2, 2, 0));
    drop(conn);

    // Transactions through the trait, in spawned tasks (where SQLx's
    // `Acquire` is "not general enough"); no nesting.
    let spawned = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut tx = Acquire::begin(&pool).await?;
            assert!(matches!(Acquire::begin(&mut tx).await, Err(Error::NestedTransaction)));
            insert_two(&mut tx, 5).await?;
            tx.commit().await?;
            let mut conn = pool.acquire().await?;
            let tx = Acquire::begin(&mut conn).await?;
            drop(tx);
            insert_two(&mut conn, 6).await
        })
    };
    spawned.await.unwrap().unwrap();
    assert_eq!((count(5).await, count(6).await), (2, 2));
    assert_eq!(pool.num_in_use(), 0);
}

#[tokio::test]
async fn appends_inside_a_transaction_roll_back_with_it() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    assert_eq!(tx.append("t", (0..100).map(|i| (i,))).await.unwrap(), 100);
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&mut tx).await.unwrap(), 100);
    tx.rollback().await.unwrap();
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap(), 0);
}

/// Rows that stop at row 5,000 until `dropped` is set, having said so on
/// `reached`: an append of them is mid-way when its future is dropped.
fn rows_paused_mid_way(
    reached: tokio::sync::oneshot::Sender<()>,
    dropped: Arc<std::sync::atomic::AtomicBool>,
) -> impl Iterator<Item = (i32,)> + Send + 'static {
    let mut reached = Some(reached);
    (0..10_000).map(move |i| {
        if i == 5_000 {
            let _ = reached.take().map(|reached| reached.send(()));
            while !dropped.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        (i,)
    })
}

/// Drops `append` once its rows said they `reached` the middle, then
/// lets them go on.
async fn dropped_mid_way(
    append: impl std::future::Future<Output = andamios::Result<u64>>,
    reached: tokio::sync::oneshot::Receiver<()>,
    dropped: Arc<std::sync::atomic::AtomicBool>,
) {
    tokio::select! {
        done = append => panic!("the append ended before it was dropped: {done:?}"),
        _ = reached => {}
    }
    dropped.store(true, Ordering::SeqCst);
}

/// Dropping an append's future (a timeout, a `select!`) stops it, as it
/// stops a query: none of its rows land, in its own transaction or in the
/// caller's, which it aborts. Before, the rows already given to the
/// appender ran on to the end and were committed, so a caller retrying
/// after a timeout loaded them twice.
#[tokio::test]
async fn a_dropped_append_keeps_none_of_its_rows() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    let (reached, reached_rx) = tokio::sync::oneshot::channel();
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rows = rows_paused_mid_way(reached, Arc::clone(&dropped));
    dropped_mid_way(pool.append("t", rows), reached_rx, dropped).await;
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap(), 0);

    let mut tx = pool.begin().await.unwrap();
    tx.append("t", [(1,)]).await.unwrap();
    let (reached, reached_rx) = tokio::sync::oneshot::channel();
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rows = rows_paused_mid_way(reached, Arc::clone(&dropped));
    dropped_mid_way(tx.append("t", rows), reached_rx, dropped).await;
    let err = tx.commit().await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Transaction), "{err}");
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap(), 0);

    // The connection appends again.
    assert_eq!(pool.append("t", (0..3).map(|i| (i,))).await.unwrap(), 3);
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap(), 3);
}

/// Dropping `execute_batch`'s future stops the script: DuckDB's interrupt
/// stops the statement that runs, and the statements after it do not run.
/// Before, an interrupt that came while DuckDB parsed the script, or
/// between two statements, was lost, and the script ran on to its end
/// after its caller gave up on it.
#[tokio::test]
async fn a_dropped_script_runs_no_further_statement() {
    let pool = memory_pool(2).await;
    pool.execute_batch("CREATE TABLE c (x INTEGER)").await.unwrap();
    let script: String = (0..20_000).map(|i| format!("INSERT INTO c VALUES ({i});\n")).collect();
    let count = || async { query_scalar::<i64>("SELECT count(*) FROM c").fetch_one(&pool).await.unwrap() };
    // Dropped while DuckDB parses the script, or runs its first statements:
    // an interrupt then finds no statement running.
    let timed_out = tokio::time::timeout(Duration::from_millis(20), pool.execute_batch(&script)).await;
    assert!(timed_out.is_err(), "the script ended before it was dropped");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopped_at = count().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count().await, stopped_at, "the script ran on after its future was dropped");
    assert!(stopped_at < 20_000, "{stopped_at}");
    // Both connections serve the next statements.
    let (a, b) = tokio::join!(count(), count());
    assert_eq!((a, b), (stopped_at, stopped_at));
}

/// A statement whose future is dropped while DuckDB prepares it, or while
/// its values are bound, does not run. DuckDB forgets an interrupt that comes before a statement runs
/// (each statement outside a transaction starts with none): before, such
/// an INSERT went on to land after its caller gave up on it.
#[tokio::test]
async fn a_statement_dropped_before_it_runs_does_not_run() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (x BIGINT)").await.unwrap();
    // Slow to prepare (a long IN list to parse and bind), quick to run.
    let list: Vec<String> = (0..100_000).map(|i| (i * 2 + 1_000_000).to_string()).collect();
    let sql = format!("INSERT INTO t SELECT range FROM range(1000) WHERE range NOT IN ({})", list.join(", "));
    let timed_out = tokio::time::timeout(Duration::from_millis(5), query(&sql).execute(&pool)).await;
    assert!(timed_out.is_err(), "the statement ended before it was dropped");
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap(), 0);
    // Run to its end, it lands.
    assert_eq!(query(&sql).execute(&pool).await.unwrap(), 1000);

    // The same while a long list is bound to it (quick to prepare).
    pool.execute_batch("DELETE FROM t").await.unwrap();
    let sql = "INSERT INTO t SELECT range FROM range(1000) WHERE len($1::BIGINT[]) > 0";
    let list: Vec<i64> = (0..300_000).collect();
    let timed_out = tokio::time::timeout(Duration::from_millis(5), query(sql).bind(list.clone()).execute(&pool)).await;
    assert!(timed_out.is_err(), "the statement ended before it was dropped");
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap(), 0);
    assert_eq!(query(sql).bind(list).execute(&pool).await.unwrap(), 1000);
}

/// A dropped transaction's rollback runs even when the next statement's
/// future is dropped before the connection's thread gets to either:
/// otherwise the statements after it would run inside the old transaction,
/// and be rolled back with it once the connection went back to the pool.
#[tokio::test]
async fn a_dropped_transaction_rolls_back_before_the_next_statement() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    for _ in 0..5 {
        let mut tx = conn.begin().await.unwrap();
        query("INSERT INTO t VALUES (1)").execute(&mut tx).await.unwrap();
        // Keeps the connection's thread busy for a moment after its future
        // is dropped (an interrupt takes effect within milliseconds).
        let slow = query_scalar::<i64>("SELECT count(*) FROM range(10000000000)").fetch_one(&mut tx);
        assert!(tokio::time::timeout(Duration::from_millis(20), slow).await.is_err());
        drop(tx);
        // Sent, then dropped at once: cancelled before it starts.
        let _ = tokio::time::timeout(Duration::ZERO, query("SELECT 1").execute(&mut conn)).await;
        query("INSERT INTO t VALUES (2)").execute(&mut conn).await.unwrap();
    }
    drop(conn);
    let rows: Vec<i32> = query_scalar("SELECT x FROM t").fetch_all(&pool).await.unwrap();
    assert_eq!(rows, [2; 5]);
}

/// Ready at `deadline`, to the microsecond (tokio's timer counts
/// milliseconds): polled again at once until then.
struct Deadline(Instant);

impl std::future::Future for Deadline {
    type Output = ();

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        if Instant::now() >= self.0 {
            return std::task::Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// Transactions whose futures are dropped at any point (as BEGIN runs, in
/// a statement, during COMMIT) never leave a transaction open behind them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_dropped_at_any_point_leave_no_transaction_behind() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (x INTEGER)").await.unwrap();
    for delay in 0..400u64 {
        let transfer = async {
            let mut tx = pool.begin().await?;
            query("INSERT INTO t VALUES (1)").execute(&mut tx).await?;
            tx.commit().await
        };
        tokio::select! {
            _ = transfer => {}
            () = Deadline(Instant::now() + Duration::from_micros(delay)) => {}
        }
        // The only connection: a transaction left open would take this
        // statement in, and an aborted one would refuse it.
        query("INSERT INTO t VALUES (2)").execute(&pool).await.unwrap();
    }
    let twos: i64 = query_scalar("SELECT count(*) FROM t WHERE x = 2").fetch_one(&pool).await.unwrap();
    assert_eq!(twos, 400);
}

/// DuckDB aborts a transaction in which a statement fails, and answers its
/// COMMIT with a rollback and no error: `commit` must not report the lost
/// changes as committed.
#[tokio::test]
async fn a_transaction_in_which_a_statement_failed_does_not_commit() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (id BIGINT PRIMARY KEY, small TINYINT)").await.unwrap();
    let count = || async { query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap() };

    // A failed statement whose error the caller ignored.
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (1, 1)").execute(&mut tx).await.unwrap();
    assert!(query("INSERT INTO t VALUES (1, 1)").execute(&mut tx).await.is_err());
    let err = tx.commit().await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Transaction), "{err}");
    assert!(err.to_string().contains("cannot commit: a statement in this transaction failed"), "{err}");
    assert_eq!(count().await, 0);

    // An append whose bad row comes after a whole chunk was appended: the
    // transaction is aborted, so those rows cannot be committed either.
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (1, 1)").execute(&mut tx).await.unwrap();
    let rows = (10..5000i64).map(|i| (i, if i == 3000 { 1000 } else { 1i64 }));
    let err = tx.append("t", rows).await.unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
    let after = query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&mut tx).await.unwrap_err();
    assert_eq!(after.database_kind(), Some(DatabaseErrorKind::Transaction), "{after}");
    assert!(tx.commit().await.is_err());
    assert_eq!(count().await, 0);

    // A constraint violation in an append: DuckDB aborts the transaction.
    let mut tx = pool.begin().await.unwrap();
    let err = tx.append("t", (0..5000i64).map(|i| (if i == 3000 { 1 } else { i }, 1i8))).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::UniqueViolation), "{err}");
    assert!(tx.commit().await.is_err());
    assert_eq!(count().await, 0);

    // The connection is healthy, and a transaction without failures commits.
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (1, 1)").execute(&mut tx).await.unwrap();
    tx.append("t", (2..5000i64).map(|i| (i, 1i8))).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count().await, 4999);
}

#[tokio::test]
async fn a_raw_commit_of_an_aborted_transaction_is_an_error() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (id BIGINT PRIMARY KEY)").await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    async fn count(conn: &mut andamios::PoolConnection) -> i64 {
        query_scalar("SELECT count(*) FROM t").fetch_one(conn).await.unwrap()
    }

    // As one statement: DuckDB would roll back and report success.
    query("BEGIN").execute(&mut *conn).await.unwrap();
    query("INSERT INTO t VALUES (1)").execute(&mut *conn).await.unwrap();
    assert!(query("INSERT INTO t VALUES (1)").execute(&mut *conn).await.is_err());
    let err = query("COMMIT").execute(&mut *conn).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Transaction), "{err}");
    assert!(err.to_string().contains("cannot commit: a statement in this transaction failed"), "{err}");
    // Rolled back, and the connection is outside any transaction.
    assert_eq!(count(&mut conn).await, 0);
    query("INSERT INTO t VALUES (2)").execute(&mut *conn).await.unwrap();
    assert_eq!(count(&mut conn).await, 1);

    // As a script, spelled `END`.
    conn.execute_batch("BEGIN; INSERT INTO t VALUES (3)").await.unwrap();
    assert!(conn.execute_batch("INSERT INTO t VALUES (3)").await.is_err());
    let err = conn.execute_batch("-- done\nEND;").await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Transaction), "{err}");
    assert_eq!(count(&mut conn).await, 1);

    // A transaction whose failure was before its BEGIN commits.
    assert!(query("INSERT INTO t VALUES (2)").execute(&mut *conn).await.is_err());
    query("BEGIN").execute(&mut *conn).await.unwrap();
    query("INSERT INTO t VALUES (4)").execute(&mut *conn).await.unwrap();
    query("COMMIT").execute(&mut *conn).await.unwrap();
    assert_eq!(count(&mut conn).await, 2);
}

#[tokio::test]
async fn sql_that_ends_a_transaction_is_refused_inside_a_transaction() {
    let pool = memory_pool(1).await;
    pool.execute_batch("CREATE TABLE t (id BIGINT)").await.unwrap();
    let count = || async { query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap() };

    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (1)").execute(&mut tx).await.unwrap();
    for sql in ["COMMIT", "ROLLBACK", "BEGIN TRANSACTION", "END"] {
        let err = query(sql).execute(&mut tx).await.unwrap_err();
        assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Transaction), "{err}");
        assert!(err.to_string().contains("Transaction::commit or rollback"), "{err}");
    }
    // A script ending in COMMIT runs none of its statements.
    let err = tx.execute_batch("INSERT INTO t VALUES (2); COMMIT;").await.unwrap_err();
    assert!(err.to_string().contains("cannot run BEGIN, COMMIT or ROLLBACK as SQL inside a Transaction"), "{err}");
    // The transaction is whole and still open: dropping it keeps nothing.
    drop(tx);
    assert_eq!(count().await, 0);

    let mut tx = pool.begin().await.unwrap();
    tx.execute_batch("INSERT INTO t VALUES (1); INSERT INTO t VALUES ('COMMIT;'::VARCHAR.len())").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count().await, 2);

    // A script of no statement (blank, or comments only) runs nothing, in a
    // transaction or not, and so does a migration that holds one.
    for empty in ["", "\n  \n", "-- nothing here yet"] {
        pool.execute_batch(empty).await.unwrap();
        let mut tx = pool.begin().await.unwrap();
        tx.execute_batch(empty).await.unwrap();
        tx.commit().await.unwrap();
    }
    let placeholder = andamios::migrate::Migration::new(1, "placeholder", "-- filled in later\n", None);
    let applied = andamios::migrate::Migrator::new(vec![placeholder]).unwrap().run(&pool).await.unwrap();
    assert_eq!(applied, [1]);

    // A migration ending in COMMIT is refused before anything runs.
    let committing = andamios::migrate::Migration::new(1, "add", "CREATE TABLE u (x INTEGER); COMMIT;", None);
    let err = andamios::migrate::Migrator::new(vec![committing]).unwrap_err();
    assert!(err.to_string().contains("migration 1 (add) contains COMMIT"), "{err}");

    // Outside a Transaction, raw transaction control works as before.
    let mut conn = pool.acquire().await.unwrap();
    conn.execute_batch("BEGIN; INSERT INTO t VALUES (3); COMMIT;").await.unwrap();
    query("BEGIN").execute(&mut *conn).await.unwrap();
    query("INSERT INTO t VALUES (4)").execute(&mut *conn).await.unwrap();
    query("COMMIT").execute(&mut *conn).await.unwrap();
    drop(conn);
    assert_eq!(count().await, 4);
}

#[derive(Debug, FromRow, PartialEq)]
struct Numbered {
    n: i64,
    label: String,
    #[andamios(flatten)]
    inner: Inner,
}

/// Records the name of each thread that decoded a row.
#[derive(Debug)]
struct DecodedOn(i64);

static DECODE_THREADS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// A row type whose `FromRow` panics at row 250,000. (Not `DecodedOn`,
/// whose record of threads another test reads meanwhile.)
#[derive(Debug)]
struct PanicsAtRow250k;

impl FromRow for PanicsAtRow250k {
    fn from_row(row: &andamios::Row) -> andamios::Result<Self> {
        if row.try_get::<i64, _>(0)? == 250_000 {
            panic!("a FromRow impl that panics");
        }
        Ok(PanicsAtRow250k)
    }
}

impl FromRow for DecodedOn {
    fn from_row(row: &andamios::Row) -> andamios::Result<Self> {
        let n: i64 = row.try_get(0)?;
        if n % 2048 == 0 {
            // A slow first row per chunk: the helper thread, which takes
            // chunks as they come, surely gets some even on a busy machine.
            std::thread::sleep(Duration::from_millis(1));
        }
        let name = std::thread::current().name().unwrap_or("").to_owned();
        let mut threads = DECODE_THREADS.lock().unwrap();
        if !threads.contains(&name) {
            threads.push(name);
        }
        Ok(DecodedOn(n))
    }
}

/// More than two groups of chunks (a group is 128k rows) and a part-group at the end.
const LARGE: usize = 300_001;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_results_decode_on_two_threads_in_order() {
    let sql = format!(
        "SELECT range AS n, 'row ' || range AS label, (range % 7)::INTEGER AS b FROM range({LARGE}) ORDER BY range"
    );
    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    for threads in [1, 2] {
        let pool = memory_pool_with(PoolOptions::new().max_connections(1).threads(threads)).await;
        let rows: Vec<Numbered> = query_as(&sql).fetch_all(&pool).await.unwrap();
        assert_eq!(rows.len(), LARGE);
        for (i, row) in rows.iter().enumerate() {
            let expected = Numbered { n: i as i64, label: format!("row {i}"), inner: Inner { b: (i % 7) as i32 } };
            assert_eq!(row, &expected, "row {i} with threads = {threads}");
        }
        let tuples: Vec<(i64, String)> =
            query_as(&sql.replace(", (range % 7)::INTEGER AS b", "")).fetch_all(&pool).await.unwrap();
        assert!(tuples.iter().enumerate().all(|(i, (n, label))| *n == i as i64 && *label == format!("row {i}")));

        // The helper thread decodes rows with strings; fixed-width rows
        // stay on one thread until the statement has given a large result.
        for (sql, helps) in [
            ("SELECT range, 'x' AS label FROM range(200000) ORDER BY range", true),
            ("SELECT range FROM range(200000) ORDER BY range", false),
            ("SELECT range FROM range(200000) ORDER BY range", true),
        ] {
            DECODE_THREADS.lock().unwrap().clear();
            let rows: Vec<DecodedOn> = query_as(sql).fetch_all(&pool).await.unwrap();
            assert!(rows.iter().enumerate().all(|(i, r)| r.0 == i as i64));
            let helper_used = DECODE_THREADS.lock().unwrap().iter().any(|name| name == "andamios-decode");
            assert_eq!(helper_used, helps && two_cores, "threads = {threads}: {sql}");
        }
    }
}

/// A large `fetch_all` gives its result room for the statement's last
/// result, or 2M rows: results that grow past that room, shrink, turn small
/// or empty stay whole and in order, and a smaller one keeps little spare
/// room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_sized_from_the_last_one_grow_and_shrink() {
    let pool = memory_pool_with(PoolOptions::new().max_connections(1)).await;
    let sql = "SELECT range AS n, 'row ' || range AS label FROM range($1) ORDER BY range";
    for size in [LARGE, LARGE, 500_000, 140_000, 10, 0, 2_500_000, LARGE, LARGE] {
        let rows: Vec<(i64, String)> = query_as(sql).bind(size as i64).fetch_all(&pool).await.unwrap();
        assert_eq!(rows.len(), size);
        for (i, (n, label)) in rows.iter().enumerate() {
            assert!(*n == i as i64 && *label == format!("row {i}"), "row {i} of {size}: {n} {label}");
        }
        assert!(rows.capacity() <= size + size / 8, "{size} rows in room for {}", rows.capacity());
    }
}

#[tokio::test]
async fn large_fixed_width_results_keep_order_values_and_nulls() {
    let pool = memory_pool(1).await;
    let sql = format!(
        "SELECT range AS n, (range * 0.5)::DOUBLE AS half,
                CASE WHEN range % 3 = 0 THEN NULL ELSE (range % 1000)::INTEGER END AS maybe
         FROM range({LARGE}) ORDER BY range"
    );
    let rows: Vec<(i64, f64, Option<i32>)> = query_as(&sql).fetch_all(&pool).await.unwrap();
    assert_eq!(rows.len(), LARGE);
    for (i, row) in rows.iter().enumerate() {
        let maybe = (i % 3 != 0).then_some((i % 1000) as i32);
        assert_eq!(*row, (i as i64, i as f64 * 0.5, maybe), "row {i}");
    }
    // A NULL far into the result, in a field that takes none, names its column.
    let err = query_as::<(i64, i32)>(&sql.replace(", (range * 0.5)::DOUBLE AS half", "")).fetch_all(&pool).await;
    assert!(
        matches!(&err, Err(Error::Decode { column, found, .. }) if column == "maybe" && found == "NULL"),
        "{err:?}"
    );
    let message = err.unwrap_err().to_string();
    assert!(
        message.starts_with(
            "cannot decode column `maybe` (NULL) into Rust type i32: the value is NULL; use Option<i32> for a \
             column that can be NULL\n  in SQL: SELECT"
        ),
        "{message}"
    );
    let err = query_scalar::<Vec<String>>("SELECT 1 AS one").fetch_one(&pool).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode column `one` (INTEGER) into Rust type Vec<String>: read it as i32 (or another integer type \
         its values fit) or Decimal\n  in SQL: SELECT 1 AS one"
    );
    // DuckDB failing halfway through computing the rows is the query's error.
    let failing = "SELECT (CASE WHEN range = 200000 THEN 'x' ELSE '1' END)::INTEGER AS n FROM range(300000)";
    let err = query_scalar::<i32>(failing).fetch_all(&pool).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Conversion), "{err}");
    // A column whose type comes from its parameter, fixed-width or not.
    let labels: Vec<(i64, String)> =
        query_as("SELECT range, $1 AS label FROM range(5000)").bind("x").fetch_all(&pool).await.unwrap();
    assert!(labels.iter().enumerate().all(|(i, (n, label))| *n == i as i64 && label == "x"));
    let sevens: Vec<(i64, i64)> =
        query_as("SELECT range, $1 AS v FROM range(5000)").bind(7i64).fetch_all(&pool).await.unwrap();
    assert!(sevens.iter().enumerate().all(|(i, pair)| *pair == (i as i64, 7)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_failures_in_either_half_of_a_large_result_are_reported() {
    let pool = memory_pool(1).await;
    // In the first group, the second, and the second with later groups
    // still waiting: the helper or this connection's thread may decode any
    // of them, and either way the error is the call's.
    for null_at in [1_000, 140_000, 200_000] {
        let sql = format!(
            "SELECT CASE WHEN range = {null_at} THEN NULL ELSE range END AS n, 'x' AS label
             FROM range({LARGE}) ORDER BY range"
        );
        let err = query_as::<(i64, String)>(&sql).fetch_all(&pool).await.unwrap_err();
        assert!(
            matches!(&err, Error::Decode { column, found, .. } if column == "n" && found == "NULL"),
            "NULL at {null_at}: {err}"
        );
    }
    // The same, for a statement whose last result sized this one's: its
    // helper has allocated the result before the failure.
    let sql = format!(
        "SELECT CASE WHEN range = $1 THEN NULL ELSE range END AS n, 'x' AS label FROM range({LARGE}) ORDER BY range"
    );
    for null_at in [-1, 1_000, -1, 200_000, -1] {
        let result = query_as::<(i64, String)>(&sql).bind(null_at).fetch_all(&pool).await;
        match result {
            Ok(rows) => assert!(null_at < 0 && rows.len() == LARGE && rows[LARGE - 1].0 == LARGE as i64 - 1),
            Err(err) => assert!(null_at >= 0 && matches!(err, Error::Decode { .. }), "NULL at {null_at}: {err}"),
        }
    }
    // A panicking FromRow (row 250000) fails the call with its message,
    // and the connection serves the next query.
    let err = query_as::<PanicsAtRow250k>(&format!("SELECT range, 'x' AS label FROM range({LARGE}) ORDER BY range"))
        .fetch_all(&pool)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Panicked(message) if message == "a FromRow impl that panics"), "{err}");
    let n: i64 = query_scalar("SELECT 41 + 1").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 42);
    // So does its decoding helper thread.
    let rows: Vec<(i64, String)> =
        query_as(&format!("SELECT range, 'x' FROM range({LARGE}) ORDER BY range")).fetch_all(&pool).await.unwrap();
    assert_eq!(rows.len(), LARGE);
    assert_eq!(rows[LARGE - 1].0, LARGE as i64 - 1);
}

/// A row type whose decoding panics at a given value.
struct PanicsAt(i64);

impl FromRow for PanicsAt {
    fn from_row(row: &andamios::Row) -> andamios::Result<Self> {
        let n: i64 = row.try_get(0)?;
        assert_ne!(n, 5000, "a FromRow impl that panics");
        Ok(PanicsAt(n))
    }
}

#[tokio::test]
async fn panics_in_the_callers_code_are_errors_and_leave_nothing_half_done() {
    let pool = memory_pool(1).await;
    // A stream ends with the panic as an error, not as if it had reached
    // its last row.
    let mut stream = query_as::<PanicsAt>("SELECT range FROM range(10000)").fetch(&pool);
    let mut seen = 0;
    let err = loop {
        match stream.next().await {
            Some(Ok(PanicsAt(n))) => seen = n + 1,
            Some(Err(err)) => break err,
            None => panic!("the stream ended without an error after {seen} rows"),
        }
    };
    assert!(matches!(&err, Error::Panicked(message) if message.contains("a FromRow impl that panics")), "{err}");
    assert!(seen <= 5000);
    drop(stream);

    // An append whose rows' iterator panics after a whole chunk was written
    // keeps none of them, and leaves the connection outside any transaction.
    pool.execute_batch("CREATE TABLE t (x BIGINT)").await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let panicking_rows = || {
        (0..5000i64).map(|i| {
            assert_ne!(i, 3000, "an iterator that panics");
            (i,)
        })
    };
    let err = conn.append("t", panicking_rows()).await.unwrap_err();
    assert!(matches!(&err, Error::Panicked(message) if message.contains("an iterator that panics")), "{err}");
    query("INSERT INTO t VALUES (-1)").execute(&mut conn).await.unwrap();
    drop(conn);
    let rows: Vec<i64> = query_scalar("SELECT x FROM t").fetch_all(&pool).await.unwrap();
    assert_eq!(rows, [-1]);

    // Inside a transaction, it aborts the transaction.
    let mut tx = pool.begin().await.unwrap();
    assert!(matches!(tx.append("t", panicking_rows()).await, Err(Error::Panicked(_))));
    assert!(tx.commit().await.is_err());
    assert_eq!(query_scalar::<i64>("SELECT count(*) FROM t").fetch_one(&pool).await.unwrap(), 1);
}

#[tokio::test]
async fn derived_from_row_and_from_rows_agree() {
    let pool = memory_pool(1).await;
    // Two chunks' worth of rows, with and without the `default` column.
    for missing in ["", ", CASE WHEN range % 2 = 0 THEN range::INTEGER END AS missing"] {
        let sql = format!(
            r#"SELECT range AS id, 'item ' || range AS label, (range % 200)::BIGINT AS small,
                  CASE WHEN range % 3 = 0 THEN 'note' END AS "extraNote"{missing}
               FROM range(3000) ORDER BY range"#
        );
        let batched: Vec<Item> = query_as(&sql).fetch_all(&pool).await.unwrap();
        let rows = query(&sql).fetch_all(&pool).await.unwrap();
        let one_by_one: Vec<Item> = rows.iter().map(|row| Item::from_row(row).unwrap()).collect();
        assert_eq!(batched.len(), 3000);
        assert_eq!(batched, one_by_one);
        assert_eq!(batched[2].missing, if missing.is_empty() { None } else { Some(2) });
        assert_eq!(batched[2997].extra.extra_note.as_deref(), Some("note"));
        assert_eq!(batched[2998].extra.extra_note, None);
        let tuples: Vec<(i64, String)> = query_as(&sql).fetch_all(&pool).await.unwrap();
        let tuples_one_by_one: Vec<(i64, String)> =
            rows.iter().map(|row| <(i64, String)>::from_row(row).unwrap()).collect();
        assert_eq!(tuples, tuples_one_by_one);
    }
    // A try_from failure is reported the same way by both paths.
    let sql = "SELECT 1::BIGINT AS id, 'x' AS label, 300::BIGINT AS small, NULL::VARCHAR AS \"extraNote\"";
    let batched = query_as::<Item>(sql).fetch_all(&pool).await.unwrap_err();
    let row = query(sql).fetch_one(&pool).await.unwrap();
    let single = Item::from_row(&row).unwrap_err();
    assert_eq!(batched.to_string(), format!("{single}\n  in SQL: {sql}"));
    assert!(matches!(&batched, Error::Decode { column, .. } if column == "small"), "{batched}");
}

/// Fields in another order than the table's columns, two of one type among them.
#[derive(Debug, andamios::AppendRow)]
#[andamios(rename_all = "camelCase")]
struct Transfer {
    to_account: i64,
    from_account: i64,
    #[andamios(rename = "amount_cents")]
    cents: i64,
}

#[tokio::test]
async fn a_derived_row_fills_the_columns_its_fields_name() {
    let pool = memory_pool(1).await;
    pool.execute_batch(
        r#"CREATE SEQUENCE ids;
        CREATE TABLE transfers (id BIGINT DEFAULT nextval('ids'), "fromAccount" BIGINT NOT NULL,
            "toAccount" BIGINT NOT NULL, amount_cents BIGINT NOT NULL, note VARCHAR DEFAULT 'none')"#,
    )
    .await
    .unwrap();
    let rows = [
        Transfer { to_account: 2, from_account: 1, cents: 500 },
        Transfer { to_account: 1, from_account: 3, cents: 7 },
    ];
    assert_eq!(pool.append("transfers", rows).await.unwrap(), 2);
    let stored: Vec<(i64, i64, i64, i64, String)> =
        query_as("SELECT * FROM transfers ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(stored, [(1, 1, 2, 500, "none".to_owned()), (2, 3, 1, 7, "none".to_owned())]);

    // A field that names no column: the error names it, and nothing lands.
    #[derive(andamios::AppendRow)]
    struct Stray {
        #[andamios(rename = "fromAccount")]
        from: i64,
        #[andamios(rename = "toAccount")]
        to: i64,
        cents: i64,
    }
    let err = pool.append("transfers", [Stray { from: 1, to: 2, cents: 3 }]).await.unwrap_err();
    assert!(err.to_string().contains("column `cents`") && err.to_string().contains("rename"), "{err}");
    let count: i64 = query_scalar("SELECT count(*) FROM transfers").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 2);
}

/// Without the `parquet` feature, a Parquet statement says which feature
/// compiles the extension in. (Auto-loading is off: the test needs no
/// network, which DuckDB would otherwise try for a download.)
#[cfg(not(feature = "parquet"))]
#[tokio::test]
async fn parquet_without_its_feature_names_the_feature() {
    let pool = PoolOptions::new()
        .setting("autoinstall_known_extensions", "false")
        .setting("autoload_known_extensions", "false")
        .connect("duckdb::memory:")
        .await
        .unwrap();
    let err = query("COPY (SELECT 1) TO 'never-written.parquet' (FORMAT parquet)").execute(&pool).await.unwrap_err();
    assert!(err.to_string().contains("its `parquet` feature"), "{err}");
}

/// Values bound by name go to their parameters whatever the order; a
/// name the statement lacks, a parameter left without a value, a name
/// bound twice and a mix of both ways are errors that say so.
#[tokio::test]
async fn values_bind_by_name() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    let diff: i64 = query_scalar("SELECT $hi - $lo")
        .bind_named("lo", 3i64)
        .bind_named("$HI", 10i64)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(diff, 7);
    let pair: (String, i64) = query_as("SELECT $name, $n * $n")
        .bind_named("n", 4i64)
        .bind_named("name", "four")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pair, ("four".to_owned(), 16));
    let cases: [(andamios::Query, &str); 4] = [
        (query("SELECT $a::INT").bind_named("b", 1), "the statement has no parameter `$b`; it has $a"),
        (query("SELECT $a::INT + $b::INT").bind_named("a", 1), "no value was bound for `$b`"),
        (query("SELECT $a::INT").bind_named("a", 1).bind_named("A", 2), "`$a` was bound twice"),
        (query("SELECT $a::INT + $b::INT").bind(1).bind_named("b", 2), "not some of each"),
    ];
    for (statement, expected) in cases {
        let err = statement.execute(&pool).await.unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
        assert!(err.to_string().contains("in SQL: SELECT $a"), "{err}");
    }
    // The connection still serves statements bound in order.
    let n: i64 = query_scalar("SELECT $1::BIGINT").bind(5i64).fetch_one(&pool).await.unwrap();
    assert_eq!(n, 5);
}

#[tokio::test]
async fn migrations_checked_out_with_other_line_endings_are_not_changed_ones() {
    use andamios::migrate::{Migration, Migrator};
    let pool = memory_pool(1).await;
    let lf = ["CREATE TABLE a (\n  x INTEGER\n);\n", "CREATE TABLE b (\n  y INTEGER\n);\n"];
    let with = |texts: [&str; 2], crlf: bool| {
        let sql = |text: &str| if crlf { text.replace('\n', "\r\n") } else { text.to_owned() };
        Migrator::new(vec![Migration::new(1, "a", &sql(texts[0]), None), Migration::new(2, "b", &sql(texts[1]), None)])
            .unwrap()
    };
    // Applied from an LF checkout, checked from a CRLF one (git's
    // `core.autocrlf` on Windows): nothing changed, nothing to apply.
    assert_eq!(with(lf, false).run(&pool).await.unwrap(), [1, 2]);
    let on_windows = with(lf, true);
    assert!(on_windows.run(&pool).await.unwrap().is_empty());
    assert!(on_windows.info(&pool).await.unwrap().iter().all(|m| m.applied.is_some() && !m.changed));
    // A database that recorded the raw bytes of a CRLF file (as checksums
    // were before) is accepted by an LF checkout too.
    let crlf_bytes = lf[0].replace('\n', "\r\n");
    query("UPDATE _andamios_migrations SET checksum = $1 WHERE version = 1")
        .bind(andamios_core::migrate::sha256(crlf_bytes.as_bytes()))
        .execute(&pool)
        .await
        .unwrap();
    assert!(with(lf, false).run(&pool).await.unwrap().is_empty());
    // An edit is still refused, whatever its line endings.
    let edited = with(["CREATE TABLE a (\n  x BIGINT\n);\n", lf[1]], true);
    let err = edited.run(&pool).await.unwrap_err();
    assert!(err.to_string().contains("migration 1 (a) was changed after it was applied"), "{err}");
    assert!(edited.info(&pool).await.unwrap()[0].changed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migration_runs_on_one_database_apply_each_migration_once() {
    use andamios::migrate::{Migration, Migrator};
    let migrator = || {
        let migrations = (1..=4).map(|v| {
            let sql = format!("CREATE TABLE t{v} (x INTEGER); INSERT INTO t{v} SELECT range FROM range(50000);");
            Migration::new(v, "t", &sql, None)
        });
        Migrator::new(migrations.collect()).unwrap()
    };
    // Three tasks on one pool, and two pools on one file: each migration is
    // applied by one run, and the others wait, then find nothing to do.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("duckdb:{}", dir.path().join("app.duckdb").display());
    let pools =
        [PoolOptions::new().max_connections(4).connect(&url).await.unwrap(), Pool::connect(&url).await.unwrap()];
    let runs: Vec<_> = [0, 0, 0, 1, 1]
        .into_iter()
        .map(|p| {
            let pool = pools[p].clone();
            tokio::spawn(async move { migrator().run(&pool).await })
        })
        .collect();
    let mut applied = Vec::new();
    for run in runs {
        applied.extend(run.await.unwrap().unwrap());
    }
    applied.sort_unstable();
    assert_eq!(applied, [1, 2, 3, 4]);
    let rows: i64 = query_scalar("SELECT count(*) FROM t4").fetch_one(&pools[1]).await.unwrap();
    assert_eq!(rows, 50_000);
}

#[tokio::test]
async fn a_migration_duckdb_cannot_run_in_one_transaction_says_how_to_split_it() {
    use andamios::migrate::{Migration, Migrator};
    let pool = memory_pool(1).await;
    let create = Migration::new(1, "create", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1), (2);", None);
    // Backfilling a new column and making it NOT NULL in one migration:
    // DuckDB refuses the ALTER in the transaction of the UPDATE.
    let backfill = "ALTER TABLE a ADD COLUMN y INTEGER; UPDATE a SET y = x * 2;";
    let in_one = Migration::new(2, "backfill", &format!("{backfill} ALTER TABLE a ALTER y SET NOT NULL;"), None);
    let err = Migrator::new(vec![create.clone(), in_one]).unwrap().run(&pool).await.unwrap_err();
    assert!(err.to_string().contains("put the UPDATE in one migration and the ALTER"), "{err}");
    // Split as the error says, it applies.
    let split = vec![
        create,
        Migration::new(2, "backfill", backfill, None),
        Migration::new(3, "not null", "ALTER TABLE a ALTER y SET NOT NULL;", None),
    ];
    assert_eq!(Migrator::new(split).unwrap().run(&pool).await.unwrap(), [2, 3]);
    let err = query("INSERT INTO a VALUES (3, NULL)").execute(&pool).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::NotNullViolation), "{err}");
}

#[tokio::test]
async fn a_migration_that_fails_as_it_is_recorded_or_committed_is_named_and_rolled_back() {
    use andamios::migrate::{Migration, Migrator};
    let pool = memory_pool(1).await;
    // DuckDB runs it, but the migration's record then goes to a second
    // database in the same transaction, which DuckDB refuses.
    let attached = Migration::new(
        1,
        "side table",
        "CREATE TABLE mine (x INTEGER); ATTACH IF NOT EXISTS ':memory:' AS side; CREATE TABLE side.t (x INTEGER);",
        None,
    );
    let err = Migrator::new(vec![attached]).unwrap().run(&pool).await.unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("migration error: migration 1 (side table) failed and was rolled back: "), "{err}");
    assert!(message.contains("it cannot write to an attached one"), "{err}");
    let left: i64 = query_scalar(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('mine', 't', '_andamios_migrations') AND NOT internal",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 1, "only the (empty) table of applied migrations is left");
    let err = Migrator::new(vec![Migration::new(1, "tidy", "CREATE TABLE a (x INTEGER); CHECKPOINT;", None)])
        .unwrap()
        .run(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("or leave it to DuckDB"), "{err}");

    // Reading an attached database, to copy its rows, is fine.
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.duckdb").display().to_string().replace('\'', "''");
    pool.execute_batch(&format!("ATTACH '{old}' AS old; CREATE TABLE old.t AS SELECT 7 AS x; DETACH old;"))
        .await
        .unwrap();
    let import =
        Migration::new(1, "import", &format!("ATTACH '{old}' AS old; CREATE TABLE mine AS SELECT x FROM old.t;"), None);
    let detached = Migration::new(1, "import", &format!("{} DETACH old;", import.sql), None);
    let err = Migrator::new(vec![detached]).unwrap().run(&pool).await.unwrap_err();
    assert!(err.to_string().contains("leave the DETACH out"), "{err}");
    assert_eq!(Migrator::new(vec![import]).unwrap().run(&pool).await.unwrap(), [1]);
    let x: i32 = query_scalar("SELECT x FROM mine").fetch_one(&pool).await.unwrap();
    assert_eq!(x, 7);
}

/// A `#[andamios::test]` database is thrown away: its migrations and
/// fixtures write no file, where `andamios migrate run` writes them.
#[test]
fn a_test_databases_migrations_write_no_file() {
    use andamios::migrate::{run_test, Migration, Migrator};
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.csv");
    std::fs::write(&backup, "x\n1\n2\n").unwrap();
    let quoted = backup.display().to_string().replace('\'', "''");
    let archive = format!(
        "CREATE TABLE a AS SELECT 3 AS x; COPY a TO '{quoted}' (HEADER); DROP TABLE a; CREATE TABLE b (x INTEGER);"
    );
    let migrator = Migrator::new(vec![Migration::new(1, "archive", &archive, None)]).unwrap();
    let fixture = format!("INSERT INTO b VALUES (4); COPY b TO '{quoted}' (HEADER);");
    run_test(Some(migrator.clone()), &[], &[("b", &fixture)], |pool| async move {
        let applied: i64 = query_scalar("SELECT count(*) FROM _andamios_migrations").fetch_one(&pool).await.unwrap();
        assert_eq!(applied, 1);
        let fixture_rows: i64 = query_scalar("SELECT count(*) FROM b").fetch_one(&pool).await.unwrap();
        assert_eq!(fixture_rows, 1);
    });
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "x\n1\n2\n", "the real export is kept");
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let pool = memory_pool(1).await;
        migrator.run(&pool).await.unwrap();
    });
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "x\n3\n", "a real run writes it");
}

/// Many tasks move money between accounts in transactions on a pool of a
/// file, retrying on `Conflict`, while some transactions are dropped before
/// their commit and some statements are cut short by a timeout. The total
/// is kept, every committed transfer left its one log row (appended inside
/// the transaction) and no dropped one did, and the pool ends whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transfers_with_conflicts_drops_and_timeouts_keep_the_books() {
    const TASKS: usize = 24;
    const TRANSFERS: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("duckdb:{}", dir.path().join("bank.duckdb").display());
    let pool =
        PoolOptions::new().max_connections(6).acquire_timeout(Duration::from_secs(60)).connect(&url).await.unwrap();
    pool.execute_batch(
        "CREATE TABLE account (id INTEGER PRIMARY KEY, balance BIGINT NOT NULL);
         INSERT INTO account SELECT range, 1000 FROM range(10);
         CREATE TABLE transfer_log (task INTEGER, amount BIGINT)",
    )
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let (mut committed, mut conflicts) = (0, 0);
            for i in 0..TRANSFERS {
                let (from, to) = ((task * 7 + i) % 10, (task * 3 + i * 5 + 1) % 10);
                let dropped = i % 7 == 3;
                loop {
                    let moved: andamios::Result<()> = async {
                        let mut tx = pool.begin().await?;
                        query("UPDATE account SET balance = balance - 1 WHERE id = $1")
                            .bind(from as i32)
                            .execute(&mut tx)
                            .await?;
                        query("UPDATE account SET balance = balance + 1 WHERE id = $1")
                            .bind(to as i32)
                            .execute(&mut tx)
                            .await?;
                        tx.append("transfer_log", vec![(task as i32, 1i64)]).await?;
                        if dropped {
                            return Ok(());
                        }
                        tx.commit().await
                    }
                    .await;
                    match moved {
                        Ok(()) => break,
                        Err(e) if e.database_kind() == Some(DatabaseErrorKind::Conflict) => conflicts += 1,
                        Err(e) => panic!("transfer {i} of task {task}: {e}"),
                    }
                }
                committed += usize::from(!dropped);
                if i % 11 == 0 {
                    let slow = query_scalar::<i64>("SELECT count(*) FROM range(1000000000)").fetch_one(&pool);
                    assert!(tokio::time::timeout(Duration::from_millis(2), slow).await.is_err());
                }
            }
            (committed, conflicts)
        }));
    }
    let (mut committed, mut conflicts) = (0, 0);
    for task in tasks {
        let (c, k) = task.await.unwrap();
        committed += c;
        conflicts += k;
    }
    let total: i64 = query_scalar("SELECT sum(balance)::BIGINT FROM account").fetch_one(&pool).await.unwrap();
    assert_eq!(total, 10_000);
    let logged: i64 = query_scalar("SELECT count(*) FROM transfer_log").fetch_one(&pool).await.unwrap();
    assert_eq!(logged as usize, committed);
    assert_eq!(committed, TASKS * (0..TRANSFERS).filter(|i| i % 7 != 3).count());
    // The contention is real: some transactions had to be retried.
    assert!(conflicts > 0);
    assert_eq!((pool.size(), pool.num_in_use()), (6, 0));
}

#[test]
fn a_test_database_gets_the_schemas_of_the_attached_databases_empty_for_its_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let lookup = dir.path().join("lookup.duckdb");
    {
        let db = andamios_core::ffi::Database::open(&lookup.display().to_string(), &Default::default()).unwrap();
        db.connect()
            .unwrap()
            .execute_batch(
                "CREATE TABLE countries (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
                 INSERT INTO countries VALUES ('es', 'Spain');",
            )
            .unwrap();
    }
    let written = std::fs::read(&lookup).unwrap();
    let path = lookup.display().to_string();
    let fixture = [("fixtures/countries.sql", "INSERT INTO lookup.countries VALUES ('fr', 'France');")];
    andamios::__private::run_test(None, &[("lookup", &path)], &fixture, |pool| async move {
        let codes: Vec<String> = query_scalar("SELECT code FROM lookup.countries").fetch_all(&pool).await.unwrap();
        assert_eq!(codes, ["fr"], "the fixture's row, none of the file's");
        let err = query("INSERT INTO lookup.countries VALUES ('fr', 'again')").execute(&pool).await.unwrap_err();
        assert_eq!(err.database_kind(), Some(DatabaseErrorKind::UniqueViolation), "its constraints came along");
    });
    assert_eq!(std::fs::read(&lookup).unwrap(), written, "the file is left as it was");

    // A folder of migrations makes the schema as well.
    let folder = dir.path().join("lookup_schema");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("1_countries.sql"), "CREATE TABLE countries (code VARCHAR PRIMARY KEY);").unwrap();
    let folder = folder.display().to_string();
    let fixture = [("fixtures/countries.sql", "INSERT INTO lookup.countries VALUES ('pt');")];
    andamios::__private::run_test(None, &[("lookup", &folder)], &fixture, |pool| async move {
        let codes: Vec<String> = query_scalar("SELECT code FROM lookup.countries").fetch_all(&pool).await.unwrap();
        assert_eq!(codes, ["pt"]);
        // And the test's own statements still go to its own database.
        query("CREATE TABLE mine (x INTEGER)").execute(&pool).await.unwrap();
        let home: String = query_scalar("SELECT database_name FROM duckdb_tables() WHERE table_name = 'mine'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(home, "memory");
    });

    let missing = dir.path().join("geo.duckdb").display().to_string();
    let failed = std::panic::catch_unwind(|| {
        andamios::__private::run_test(None, &[("geo", &missing)], &[], |_pool| async move {});
    })
    .unwrap_err();
    let message = failed.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("cannot attach `geo` from") && message.contains("for this test"), "{message}");
    assert!(!dir.path().join("geo.duckdb").exists());
}

#[tokio::test]
async fn a_pool_attaches_databases_on_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let lookup = dir.path().join("lookup.duckdb");
    {
        let db = andamios_core::ffi::Database::open(&lookup.display().to_string(), &Default::default()).unwrap();
        db.connect().unwrap().execute_batch("CREATE TABLE countries AS SELECT 'es' AS code").unwrap();
    }
    let path = lookup.display().to_string();
    let pool = memory_pool_with(
        PoolOptions::new().max_connections(2).attach("lookup", &path, andamios::AccessMode::ReadOnly).after_connect(
            |conn| {
                Box::pin(async move {
                    conn.execute_batch("SET VARIABLE seen = (SELECT count(*) FROM lookup.countries)").await
                })
            },
        ),
    )
    .await;
    let (mut first, mut second) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    for conn in [&mut first, &mut second] {
        let code: String = query_scalar("SELECT code FROM lookup.countries").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(code, "es");
        let seen: i64 = query_scalar("SELECT getvariable('seen')").fetch_one(&mut *conn).await.unwrap();
        assert_eq!(seen, 1, "attached before the after_connect hook ran");
    }
    let err = query("INSERT INTO lookup.countries VALUES ('fr')").execute(&mut first).await.unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    drop((first, second));
    pool.close().await;

    let missing = dir.path().join("geo.duckdb").display().to_string();
    let err = PoolOptions::new()
        .attach("geo", &missing, andamios::AccessMode::ReadOnly)
        .connect("duckdb::memory:")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("PoolOptions::attach"), "{err}");
    assert!(!dir.path().join("geo.duckdb").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_transaction_retries_conflicts_and_nothing_else() {
    let pool = memory_pool(4).await;
    pool.execute_batch("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT); INSERT INTO counter VALUES (1, 0);")
        .await
        .unwrap();

    // Concurrent increments of one row: the losers of each conflict retry.
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.transaction(|tx| {
                    Box::pin(async move {
                        let n: i64 = query_scalar("SELECT n FROM counter WHERE id = 1").fetch_one(&mut *tx).await?;
                        tokio::task::yield_now().await;
                        query("UPDATE counter SET n = $1 WHERE id = 1").bind(n + 1).execute(&mut *tx).await?;
                        Ok(n + 1)
                    })
                })
                .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let n: i64 = query_scalar("SELECT n FROM counter").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 4, "every increment committed once");

    // A row another transaction holds conflicts at every attempt.
    let mut holder = pool.begin().await.unwrap();
    query("UPDATE counter SET n = 100 WHERE id = 1").execute(&mut holder).await.unwrap();
    let mut attempts = 0;
    let err = pool
        .transaction(|tx| {
            attempts += 1;
            Box::pin(async move { query("UPDATE counter SET n = -1 WHERE id = 1").execute(&mut *tx).await })
        })
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(attempts, andamios::TRANSACTION_ATTEMPTS);
    holder.commit().await.unwrap();

    // Any other error is returned at once, its writes rolled back.
    let mut attempts = 0;
    let err = pool
        .transaction(|tx| {
            attempts += 1;
            Box::pin(async move {
                query("UPDATE counter SET n = 0").execute(&mut *tx).await?;
                query("INSERT INTO counter VALUES (1, 0)").execute(&mut *tx).await
            })
        })
        .await
        .unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::UniqueViolation));
    assert_eq!(attempts, 1);
    let n: i64 = query_scalar("SELECT n FROM counter").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 100, "the failed transaction's update was rolled back");
}
