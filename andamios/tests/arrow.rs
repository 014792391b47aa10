//! `Query::fetch_arrow` against a real DuckDB (feature `arrow`): every value
//! of a multi-chunk result, the schema, NULLs, nested types, an empty result,
//! parameters, transactions and errors.
#![cfg(feature = "arrow")]

use andamios::arrow::array::{
    Array, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, ListArray, StringArray,
    StructArray, TimestampMicrosecondArray,
};
use andamios::arrow::schema::{DataType, TimeUnit};
use andamios::arrow::RecordBatch;
use andamios::{query, query_as, DatabaseErrorKind, Pool};

const ROWS: i64 = 5000;

fn column<'b, A: 'static>(batch: &'b RecordBatch, name: &str) -> &'b A {
    let column = batch.column_by_name(name).unwrap_or_else(|| panic!("no column {name}"));
    column.as_any().downcast_ref::<A>().unwrap_or_else(|| panic!("column {name} is {}", column.data_type()))
}

#[tokio::test]
async fn every_value_of_a_result_of_several_chunks() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch(&format!(
        "CREATE TABLE m AS SELECT range AS id, (range * 0.5)::DOUBLE AS score, 'name-' || range AS name,
                DATE '2024-01-01' + (range % 400)::INTEGER AS day,
                CASE WHEN range % 3 = 0 THEN NULL ELSE (range % 1000)::INTEGER END AS maybe,
                (range / 8)::DECIMAL(18, 3) AS price, range % 2 = 0 AS even,
                TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(range) AS stamp,
                [range, range + 1] AS pair, {{'k': range, 'v': 'x'}} AS kv
         FROM range({ROWS})"
    ))
    .await
    .unwrap();
    let sql = "SELECT id, score, name, day, maybe, price, even, stamp, pair, kv FROM m ORDER BY id";
    let batches = query(sql).fetch_arrow(&pool).await.unwrap();
    assert!(batches.len() >= 3, "{} batches", batches.len());

    let schema = batches[0].schema();
    let types: Vec<_> = schema.fields().iter().map(|f| (f.name().as_str(), f.data_type().clone())).collect();
    assert_eq!(types[0], ("id", DataType::Int64));
    assert_eq!(types[1], ("score", DataType::Float64));
    assert_eq!(types[2], ("name", DataType::Utf8));
    assert_eq!(types[3], ("day", DataType::Date32));
    assert_eq!(types[4], ("maybe", DataType::Int32));
    assert_eq!(types[5], ("price", DataType::Decimal128(18, 3)));
    assert_eq!(types[6], ("even", DataType::Boolean));
    assert_eq!(types[7], ("stamp", DataType::Timestamp(TimeUnit::Microsecond, None)));
    assert!(matches!(types[8].1, DataType::List(_)), "{:?}", types[8]);
    assert!(matches!(types[9].1, DataType::Struct(_)), "{:?}", types[9]);

    // The same rows, decoded by the typed API, to compare against.
    type Expected = (i64, f64, String, andamios::types::Date, Option<i32>, bool);
    let expected: Vec<Expected> =
        query_as("SELECT id, score, name, day, maybe, even FROM m ORDER BY id").fetch_all(&pool).await.unwrap();
    let mut i = 0usize;
    for batch in &batches {
        assert!(batch.schema() == schema);
        let (ids, scores, names) = (
            column::<Int64Array>(batch, "id"),
            column::<Float64Array>(batch, "score"),
            column::<StringArray>(batch, "name"),
        );
        let (days, maybes) = (column::<Date32Array>(batch, "day"), column::<Int32Array>(batch, "maybe"));
        let (prices, evens) = (column::<Decimal128Array>(batch, "price"), column::<BooleanArray>(batch, "even"));
        let (ats, pairs, kvs) = (
            column::<TimestampMicrosecondArray>(batch, "stamp"),
            column::<ListArray>(batch, "pair"),
            column::<StructArray>(batch, "kv"),
        );
        for r in 0..batch.num_rows() {
            let (id, score, name, day, maybe, even) = &expected[i];
            assert_eq!(ids.value(r), *id);
            assert_eq!(scores.value(r), *score);
            assert_eq!(names.value(r), name);
            assert_eq!(days.value(r), day.days);
            assert_eq!(maybes.is_valid(r).then(|| maybes.value(r)), *maybe, "row {i}");
            // id / 8 to three decimals: id * 0.125, stored as id * 125.
            assert_eq!(prices.value(r), i128::from(*id) * 125);
            assert_eq!(evens.value(r), *even);
            assert_eq!(ats.value(r), 1_704_067_200_000_000 + id);
            let pair = pairs.value(r);
            let pair = pair.as_any().downcast_ref::<Int64Array>().unwrap();
            assert_eq!((pair.value(0), pair.value(1)), (*id, id + 1));
            let k = kvs.column_by_name("k").unwrap().as_any().downcast_ref::<Int64Array>().unwrap();
            assert_eq!(k.value(r), *id);
            i += 1;
        }
    }
    assert_eq!(i, ROWS as usize);
}

#[tokio::test]
async fn empty_results_parameters_transactions_and_errors() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch("CREATE TABLE t (id BIGINT PRIMARY KEY, label VARCHAR)").await.unwrap();

    // No rows: one empty batch, with the schema.
    let batches = query("SELECT id, label FROM t").fetch_arrow(&pool).await.unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].num_rows(), 0);
    let names: Vec<_> = batches[0].schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["id", "label"]);

    // Parameters, and a transaction's own uncommitted rows.
    let mut tx = pool.begin().await.unwrap();
    query("INSERT INTO t VALUES (1, 'one'), (2, NULL), (3, 'three')").execute(&mut *tx).await.unwrap();
    let batches =
        query("SELECT id, label FROM t WHERE id >= $1 ORDER BY id").bind(2i64).fetch_arrow(&mut *tx).await.unwrap();
    let labels = column::<StringArray>(&batches[0], "label");
    assert_eq!((labels.len(), labels.is_null(0), labels.value(1)), (2, true, "three"));
    tx.rollback().await.unwrap();
    let batches = query("SELECT count(*) AS n FROM t").fetch_arrow(&pool).await.unwrap();
    assert_eq!(column::<Int64Array>(&batches[0], "n").value(0), 0);

    // Errors are the database's, with the SQL.
    let err = query("SELECT nope FROM t").fetch_arrow(&pool).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Catalog), "{err}");
    assert_eq!(err.sql(), Some("SELECT nope FROM t"));
    let err = query("SELECT (CASE WHEN range = 4000 THEN 'x' ELSE '1' END)::INTEGER FROM range(5000)")
        .fetch_arrow(&pool)
        .await
        .unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Conversion), "{err}");
    // The connection serves the next query.
    let batches = query("SELECT 42 AS answer").fetch_arrow(&pool).await.unwrap();
    assert_eq!(column::<Int32Array>(&batches[0], "answer").value(0), 42);
}

#[tokio::test]
async fn batches_round_trip_through_append_arrow() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch(
        "CREATE TABLE src AS SELECT range AS id, 'v' || range AS label,
                CASE WHEN range % 4 = 0 THEN NULL ELSE range * 0.25 END AS score, [range] AS xs
         FROM range(10000);
         CREATE TABLE dst (id BIGINT PRIMARY KEY, label VARCHAR, score DOUBLE, xs BIGINT[]);",
    )
    .await
    .unwrap();
    let batches = query("SELECT * FROM src ORDER BY id").fetch_arrow(&pool).await.unwrap();
    // One batch of many rows too: it is appended a vector's rows at a time.
    let one = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap();
    assert_eq!(one.num_rows(), 10_000);
    assert_eq!(pool.append_arrow("dst", vec![one]).await.unwrap(), 10_000);
    let same: i64 = andamios::query_scalar(
        "SELECT count(*) FROM src JOIN dst USING (id)
         WHERE src.label = dst.label AND src.score IS NOT DISTINCT FROM dst.score AND src.xs = dst.xs",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(same, 10_000);

    // A duplicate key in a later batch: none of the call's rows land.
    pool.execute_batch("DELETE FROM dst WHERE id >= 5000").await.unwrap();
    let again = query("SELECT * FROM src WHERE id >= 4000 ORDER BY id").fetch_arrow(&pool).await.unwrap();
    let err = pool.append_arrow("dst", again).await.unwrap_err();
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::UniqueViolation), "{err}");
    let count: i64 = andamios::query_scalar("SELECT count(*) FROM dst").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 5000);

    // Wrong shape or type: an error that names the problem.
    let narrow = query("SELECT id, label FROM src").fetch_arrow(&pool).await.unwrap();
    let err = pool.append_arrow("dst", narrow).await.unwrap_err();
    assert!(err.to_string().contains("the table has 4 columns but the batch has 2"), "{err}");
    let wrong =
        query("SELECT 'not a number' AS id, label, score, xs FROM src LIMIT 3").fetch_arrow(&pool).await.unwrap();
    let err = pool.append_arrow("dst", wrong).await.unwrap_err();
    assert!(err.to_string().contains("VARCHAR"), "{err}");
    let count: i64 = andamios::query_scalar("SELECT count(*) FROM dst").fetch_one(&pool).await.unwrap();
    assert_eq!(count, 5000);

    // Columns named after the table's go to them in any order (in any
    // case), even where their types would let them fill each other's.
    pool.execute_batch("CREATE TABLE pair (a INTEGER, b INTEGER)").await.unwrap();
    let swapped = query("SELECT 2 AS B, 1 AS a").fetch_arrow(&pool).await.unwrap();
    assert_eq!(pool.append_arrow("pair", swapped).await.unwrap(), 1);
    let reordered = query("SELECT label, id, score, xs FROM src WHERE id >= 9000").fetch_arrow(&pool).await.unwrap();
    assert_eq!(pool.append_arrow("dst", reordered).await.unwrap(), 1000);
    // Names that are not the table's go by position, as before.
    let unnamed = query("SELECT 3 AS x, 4 AS y").fetch_arrow(&pool).await.unwrap();
    pool.append_arrow("pair", unnamed).await.unwrap();
    let pairs: Vec<(i32, i32)> = andamios::query_as("SELECT a, b FROM pair ORDER BY a").fetch_all(&pool).await.unwrap();
    assert_eq!(pairs, [(1, 2), (3, 4)]);
    let moved: i64 = andamios::query_scalar(
        "SELECT count(*) FROM src JOIN dst USING (id) WHERE id >= 9000 AND src.label = dst.label AND src.xs = dst.xs",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(moved, 1000);
}

#[tokio::test]
async fn streams_batches_with_bounded_buffering() {
    use futures::StreamExt;
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    let mut stream =
        query("SELECT range AS n, 'x' || range AS s FROM range(300000) ORDER BY n").fetch_arrow_stream(&pool);
    let mut next = 0i64;
    let mut batches = 0;
    while let Some(batch) = stream.next().await {
        let batch = batch.unwrap();
        let n = column::<Int64Array>(&batch, "n");
        for r in 0..batch.num_rows() {
            assert_eq!(n.value(r), next);
            next += 1;
        }
        batches += 1;
        // Converted ahead of the consumer: a few batches at most.
        assert!(stream.rows_in_flight() <= andamios::STREAM_BUFFER_CHUNKS + 2, "{}", stream.rows_in_flight());
    }
    assert_eq!(next, 300_000);
    assert!(batches > 100);

    // No rows: one batch of none, with the schema.
    let empty: Vec<_> = query("SELECT 1 AS one WHERE false").fetch_arrow_stream(&pool).collect().await;
    assert_eq!(empty.len(), 1);
    let empty = empty.into_iter().next().unwrap().unwrap();
    assert_eq!((empty.num_rows(), empty.schema().field(0).name().as_str()), (0, "one"));

    // A failure mid-way is the stream's last item.
    let items: Vec<_> =
        query("SELECT (CASE WHEN range = 200000 THEN 'x' ELSE '1' END)::INTEGER AS v FROM range(300000)")
            .fetch_arrow_stream(&pool)
            .collect()
            .await;
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.database_kind(), Some(DatabaseErrorKind::Conversion), "{last}");
    assert!(items[..items.len() - 1].iter().all(Result::is_ok));

    // Dropping a stream of a query that would run for minutes stops it, and
    // the pool's one connection serves the next query within a second.
    let pool = andamios::PoolOptions::new().max_connections(1).connect("duckdb::memory:").await.unwrap();
    let mut endless = query("SELECT range AS n FROM range(10000000000)").fetch_arrow_stream(&pool);
    assert!(endless.next().await.unwrap().is_ok());
    drop(endless);
    let answer =
        tokio::time::timeout(std::time::Duration::from_secs(1), query("SELECT 42 AS answer").fetch_arrow(&pool))
            .await
            .expect("the dropped stream kept the connection busy")
            .unwrap();
    assert_eq!(column::<Int32Array>(&answer[0], "answer").value(0), 42);
}

/// Dates, times and timestamps DuckDB cannot hold are refused, with the
/// column: DuckDB's Arrow conversion would store them, then fail on them in
/// a way that invalidates the whole database.
#[tokio::test]
async fn append_arrow_refuses_values_outside_duckdbs_ranges() {
    use andamios::arrow::array::{ArrayRef, Time64MicrosecondArray};
    use andamios::arrow::schema::{Field, Schema};
    use std::sync::Arc;
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch("CREATE TABLE r (d DATE, ts TIMESTAMP, t TIME)").await.unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("d", DataType::Date32, true),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, None), true),
        Field::new("t", DataType::Time64(TimeUnit::Microsecond), true),
    ]));
    let batch = |d: i32, ts: i64, t: i64| {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Date32Array::from(vec![d])),
            Arc::new(TimestampMicrosecondArray::from(vec![ts])),
            Arc::new(Time64MicrosecondArray::from(vec![t])),
        ];
        RecordBatch::try_new(Arc::clone(&schema), columns).unwrap()
    };
    for (bad, says) in [
        (batch(i32::MIN, 0, 0), "column `d` of the batch: -2147483648 days is not a DATE"),
        (batch(0, i64::MIN, 0), "column `ts` of the batch: -9223372036854775808 µs is not a TIMESTAMP"),
        (batch(0, 0, -5), "column `t` of the batch: -5 µs is not a TIME"),
    ] {
        let err = pool.append_arrow("r", vec![batch(1, 1, 1), bad]).await.unwrap_err();
        assert!(err.to_string().contains(says), "{err}");
    }
    pool.append_arrow("r", vec![batch(-i32::MAX, -i64::MAX, 86_400_000_000)]).await.unwrap();
    let text: String =
        andamios::query_scalar("SELECT d || ' ' || ts || ' ' || t FROM r").fetch_one(&pool).await.unwrap();
    assert_eq!(text, "-infinity -infinity 24:00:00");
}

#[tokio::test]
async fn append_arrow_refuses_text_that_is_not_json_for_a_json_column() {
    use std::sync::Arc;
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch("CREATE TABLE docs (id INTEGER, doc JSON)").await.unwrap();
    let batch = |doc: &str| {
        RecordBatch::try_from_iter([
            ("id", Arc::new(Int32Array::from(vec![1])) as _),
            ("doc", Arc::new(StringArray::from(vec![doc])) as _),
        ])
        .unwrap()
    };
    let err = pool.append_arrow("docs", vec![batch("{\"a\": 1}"), batch("not json")]).await.unwrap_err();
    assert!(err.to_string().contains("column `doc` of the batch: `not json` is not JSON"), "{err}");
    assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Other), "{err:?}");
    pool.append_arrow("docs", vec![batch("{\"a\": 1}"), batch("[2,]")]).await.unwrap();
    let values: Vec<Option<String>> = query_as::<(Option<String>,)>("SELECT doc->>'$[0]' FROM docs ORDER BY rowid")
        .fetch_all(&pool)
        .await
        .unwrap()
        .into_iter()
        .map(|(v,)| v)
        .collect();
    assert_eq!(values, [None, Some("2".to_owned())], "the failed batch kept nothing; JSON functions read the rest");
}

/// The batch sizes of `arrow_batch_size(rows)` and the value each batch
/// starts with, from `fetch_arrow` and from `fetch_arrow_stream`; every
/// value is checked in order.
async fn sized_batches(pool: &Pool, sql: &str, rows: usize) -> Vec<(usize, i64)> {
    use futures::StreamExt;
    let fetched = query(sql).arrow_batch_size(rows).fetch_arrow(pool).await.unwrap();
    let streamed: Vec<RecordBatch> =
        query(sql).arrow_batch_size(rows).fetch_arrow_stream(pool).map(Result::unwrap).collect().await;
    assert_eq!(fetched, streamed);
    let mut next = 0;
    let mut sizes = Vec::new();
    for batch in &fetched {
        assert_eq!(batch.schema(), fetched[0].schema());
        let (n, s) = (column::<Int64Array>(batch, "n"), column::<StringArray>(batch, "s"));
        sizes.push((batch.num_rows(), if batch.num_rows() > 0 { n.value(0) } else { -1 }));
        for r in 0..batch.num_rows() {
            assert_eq!((n.value(r), s.value(r)), (next, format!("x{next}").as_str()));
            next += 1;
        }
    }
    sizes
}

#[tokio::test]
async fn batches_of_a_chosen_number_of_rows() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    let sql = "SELECT range AS n, 'x' || range AS s FROM range(12345) ORDER BY n";
    // Larger than a chunk: chunks joined, the last chunk split between two batches.
    assert_eq!(sized_batches(&pool, sql, 5000).await, [(5000, 0), (5000, 5000), (2345, 10_000)]);
    // Smaller than a chunk: slices of chunks.
    let small = sized_batches(&pool, sql, 1000).await;
    assert_eq!(small.len(), 13);
    assert!(small[..12].iter().enumerate().all(|(i, &(rows, first))| rows == 1000 && first == 1000 * i as i64));
    assert_eq!(small[12], (345, 12_000));
    // More than the result: one batch. Exactly the result: one batch.
    assert_eq!(sized_batches(&pool, sql, 1_000_000).await, [(12_345, 0)]);
    assert_eq!(sized_batches(&pool, sql, 12_345).await, [(12_345, 0)]);
    // Zero is taken as one.
    assert_eq!(sized_batches(&pool, "SELECT range AS n, 'x' || range AS s FROM range(3)", 0).await.len(), 3);
    // No rows: still one batch of none, with the schema.
    assert_eq!(sized_batches(&pool, "SELECT 1::BIGINT AS n, 'x' AS s WHERE false", 5000).await, [(0, -1)]);
}

/// DuckDB's Arrow export writes a TIME WITH TIME ZONE without its offset,
/// a BIT as its internal bytes and a UHUGEINT of 2^127 or more as a
/// negative number: such results are errors, not changed data. With
/// `arrow_lossless_conversion`, they come out as DuckDB's extension types
/// and go back in exactly.
#[tokio::test]
async fn values_the_arrow_export_would_change_are_refused_unless_it_is_lossless() {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    for (sql, says) in [
        (
            "SELECT TIMETZ '10:00:00+01' AS t",
            "column `t` (TIME WITH TIME ZONE): in Arrow, TIME WITH TIME ZONE values lose their offset",
        ),
        (
            "SELECT 1 AS id, ['101'::BIT] AS bits",
            "column `bits` (BIT[]): in Arrow, BIT values come out as DuckDB's internal bytes",
        ),
        (
            "SELECT {'at': [TIMETZ '10:00:00+01']} AS s",
            "column `s` (STRUCT(at TIME WITH TIME ZONE[])): in Arrow, TIME WITH TIME ZONE",
        ),
        (
            "SELECT range::UHUGEINT * 85070591730234615865843651857942052864 AS u FROM range(3)",
            "column `u` holds the UHUGEINT 170141183460469231731687303715884105728, which does not fit",
        ),
    ] {
        let err = query(sql).fetch_arrow(&pool).await.unwrap_err();
        assert_eq!(err.database_kind(), Some(DatabaseErrorKind::Conversion), "{err}");
        assert!(err.to_string().contains(says), "{sql}: {err}");
        assert!(err.to_string().contains("?arrow_lossless_conversion=true"), "{err}");
    }
    let stream_err = futures::TryStreamExt::try_collect::<Vec<_>>(
        query("SELECT TIMETZ '10:00:00+01' AS t").fetch_arrow_stream(&pool),
    )
    .await
    .unwrap_err();
    assert!(stream_err.to_string().contains("lose their offset"), "{stream_err}");
    // UHUGEINTs below 2^127 fit.
    let batches =
        query("SELECT 170141183460469231731687303715884105727::UHUGEINT AS u").fetch_arrow(&pool).await.unwrap();
    assert_eq!(column::<Decimal128Array>(&batches[0], "u").value(0), i128::MAX);

    let lossless = Pool::connect("duckdb::memory:?arrow_lossless_conversion=true").await.unwrap();
    lossless
        .execute_batch(
            "CREATE TABLE odd AS SELECT range AS id, TIMETZ '10:00:00+01' AS t, '10110'::BIT AS b,
                    [(range % 4)::UHUGEINT * 85070591730234615865843651857942052864] AS u
             FROM range(3000);
             CREATE TABLE copy AS FROM odd LIMIT 0;",
        )
        .await
        .unwrap();
    let batches = query("SELECT * FROM odd").fetch_arrow(&lossless).await.unwrap();
    assert_eq!(lossless.append_arrow("copy", batches).await.unwrap(), 3000);
    let differing: i64 =
        andamios::query_scalar("SELECT count(*) FROM (FROM odd EXCEPT FROM copy)").fetch_one(&lossless).await.unwrap();
    assert_eq!(differing, 0);
}

/// A DECIMAL with more digits after the point than its column keeps would
/// be rounded by DuckDB's Arrow conversion, as an INSERT rounds; the
/// appender refuses it instead, as `append` does, and keeps no row.
#[tokio::test]
async fn append_arrow_refuses_decimals_the_column_would_round() {
    use andamios::arrow::array::ArrayRef;
    use std::sync::Arc;
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch("CREATE TABLE prices (p DECIMAL(6,1))").await.unwrap();
    let batch = |mantissas: Vec<i128>| {
        let prices = Decimal128Array::from(mantissas).with_precision_and_scale(10, 3).unwrap();
        RecordBatch::try_from_iter([("p", Arc::new(prices) as ArrayRef)]).unwrap()
    };
    let err = pool.append_arrow("prices", vec![batch(vec![1_000]), batch(vec![12_300, 12_345])]).await.unwrap_err();
    assert!(
        err.to_string().contains(
            "column `p` of the batch: 12.345 has 3 digits after the point, and column type DECIMAL(6,1) keeps 1"
        ),
        "{err}"
    );
    let kept: i64 = andamios::query_scalar("SELECT count(*) FROM prices").fetch_one(&pool).await.unwrap();
    assert_eq!(kept, 0);
    // Digits that are zeros go in as they are.
    pool.append_arrow("prices", vec![batch(vec![12_300, -100])]).await.unwrap();
    let stored: Vec<String> =
        andamios::query_scalar("SELECT p::VARCHAR FROM prices ORDER BY p").fetch_all(&pool).await.unwrap();
    assert_eq!(stored, ["-0.1", "12.3"]);
}
