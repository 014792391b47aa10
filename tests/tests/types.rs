//! Every DuckDB type round-trips: bind -> select -> decode, with NULLs,
//! extremes and nested values; and the same values survive the appender.

use andamios::types::Json;
use andamios::types::{
    BigNum, BitString, Date, Decimal, Decode, Encode, Interval, Time, TimeTz, Timestamp, TimestampTz,
};
use andamios::{query, query_scalar, Pool, Type};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;

async fn pool() -> Pool {
    Pool::connect("duckdb::memory:").await.unwrap()
}

/// Binds `value` as `$1::sql_type`, selects it back and also reads it from a
/// table filled by the appender.
async fn round_trip<T>(pool: &Pool, sql_type: &str, value: T)
where
    T: Encode + Decode + Clone + PartialEq + Debug + Send + 'static,
{
    let selected: T =
        query_scalar(&format!("SELECT $1::{sql_type}")).bind(value.clone()).fetch_one(pool).await.unwrap();
    assert_eq!(selected, value, "select of {sql_type}");
    let nothing: Option<T> = query_scalar(&format!("SELECT NULL::{sql_type}")).fetch_one(pool).await.unwrap();
    assert_eq!(nothing, None, "NULL {sql_type}");
    let bound_null: Option<T> =
        query_scalar(&format!("SELECT $1::{sql_type}")).bind(None::<T>).fetch_one(pool).await.unwrap();
    assert_eq!(bound_null, None, "bound NULL {sql_type}");
}

async fn appended<T>(pool: &Pool, sql_type: &str, values: Vec<Option<T>>)
where
    T: Encode + Decode + Clone + PartialEq + Debug + Send + 'static,
{
    let table = format!("t_{}", sql_type.replace(|c: char| !c.is_ascii_alphanumeric(), "_").to_lowercase());
    pool.execute_batch(&format!("CREATE OR REPLACE TABLE {table} (i INTEGER, v {sql_type})")).await.unwrap();
    let rows: Vec<(i32, Option<T>)> = values.iter().cloned().enumerate().map(|(i, v)| (i as i32, v)).collect();
    pool.append(&table, rows).await.unwrap();
    let back: Vec<Option<T>> =
        query_scalar(&format!("SELECT v FROM {table} ORDER BY i")).fetch_all(pool).await.unwrap();
    assert_eq!(back, values, "append of {sql_type}");
}

macro_rules! both {
    ($pool:expr, $ty:expr, $($v:expr),+) => {{
        $(round_trip($pool, $ty, $v).await;)+
        appended($pool, $ty, vec![$(Some($v),)+ None]).await;
    }};
}

#[tokio::test]
async fn integers_floats_and_booleans() {
    let pool = &pool().await;
    both!(pool, "BOOLEAN", true, false);
    both!(pool, "TINYINT", i8::MIN, i8::MAX, 0i8);
    both!(pool, "SMALLINT", i16::MIN, i16::MAX);
    both!(pool, "INTEGER", i32::MIN, i32::MAX);
    both!(pool, "BIGINT", i64::MIN, i64::MAX);
    both!(pool, "HUGEINT", i128::MIN + 1, i128::MAX, -1i128);
    both!(pool, "UTINYINT", u8::MAX, 0u8);
    both!(pool, "USMALLINT", u16::MAX);
    both!(pool, "UINTEGER", u32::MAX);
    both!(pool, "UBIGINT", u64::MAX);
    both!(pool, "UHUGEINT", u128::MAX, 0u128);
    both!(pool, "FLOAT", f32::MIN, f32::MAX, 1.5f32);
    both!(pool, "DOUBLE", f64::MIN, f64::MAX, -0.25f64);
    // Integers widen and narrow when the value fits.
    let v: i64 = query_scalar("SELECT sum(x) FROM (VALUES (1), (2)) t(x)").fetch_one(pool).await.unwrap();
    assert_eq!(v, 3);
    let err = query_scalar::<i8>("SELECT 300").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("300"), "{err}");
}

#[tokio::test]
async fn text_blobs_and_json() {
    let pool = &pool().await;
    both!(pool, "VARCHAR", Box::<str>::from("boxed"));
    both!(pool, "VARCHAR", std::sync::Arc::<str>::from("shared"));
    // Inline up to 24 bytes, on the heap beyond.
    both!(
        pool,
        "VARCHAR",
        compact_str::CompactString::from("inline"),
        compact_str::CompactString::from("a text longer than twenty-four bytes ✓")
    );
    let cow: String =
        query_scalar("SELECT $1").bind(std::borrow::Cow::Borrowed("borrowed")).fetch_one(pool).await.unwrap();
    assert_eq!(cow, "borrowed");
    both!(pool, "VARCHAR", String::new(), "short".to_owned(), "a string longer than twelve bytes ✓".to_owned());
    both!(pool, "BLOB", vec![0u8, 255, 1, 2], Vec::<u8>::new(), vec![7u8; 100]);
    let s: String = query_scalar("SELECT $1").bind("borrowed &str").fetch_one(pool).await.unwrap();
    assert_eq!(s, "borrowed &str");
    let json = serde_json::json!({"a": [1, 2, {"b": null}], "c": "d"});
    both!(pool, "JSON", json.clone());
    let as_text: String = query_scalar("SELECT '{\"x\": 1}'::JSON").fetch_one(pool).await.unwrap();
    assert_eq!(as_text, "{\"x\": 1}");
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Settings {
    theme: String,
    columns: Vec<u8>,
    note: Option<String>,
}

#[tokio::test]
async fn json_of_any_serde_type() {
    let pool = &pool().await;
    let settings = Settings { theme: "dark".into(), columns: vec![1, 2], note: None };
    both!(pool, "JSON", Json(settings.clone()), Json(Settings { note: Some("é \"q\"".into()), ..settings.clone() }));
    let theme: String =
        query_scalar("SELECT $1::JSON ->> 'theme'").bind(Json(&settings)).fetch_one(pool).await.unwrap();
    assert_eq!(theme, "dark");
    // JSON of another shape names the Rust type.
    let err = query_scalar::<Json<Settings>>("SELECT '{\"theme\": 1}'::JSON AS s").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("Json<Settings>") && err.to_string().contains("invalid type"), "{err}");
    // A value serde_json cannot write is an error, never a panic or a NULL.
    let unwritable = Json(HashMap::from([((1, 2), 3)]));
    let err = query("SELECT $1::JSON").bind(&unwritable).execute(pool).await.unwrap_err();
    assert!(err.to_string().contains("key must be a string"), "{err}");
    let err = query("SELECT $1::JSON[]").bind(vec![unwritable.clone()]).execute(pool).await.unwrap_err();
    assert!(err.to_string().contains("key must be a string"), "{err}");
    pool.execute_batch("CREATE TABLE docs (d JSON)").await.unwrap();
    pool.append("docs", [(Json(settings.clone()),), (Json(settings.clone()),)]).await.unwrap();
    let err = pool.append("docs", vec![(unwritable,)]).await.unwrap_err();
    assert!(err.to_string().contains("key must be a string"), "{err}");
    let n: i64 = query_scalar("SELECT count(*) FROM docs").fetch_one(pool).await.unwrap();
    assert_eq!(n, 2, "the failed append kept nothing");
    // Text appended to a JSON column is checked as DuckDB's INSERT checks
    // it: the appender itself would store anything, and every JSON function
    // would then fail on the table.
    pool.append("docs", [("[1, 2,]",), ("{\"a\": NaN}",)]).await.unwrap();
    let err = pool.append("docs", [("{\"a\": 1}",), ("not json",)]).await.unwrap_err();
    assert!(err.to_string().contains("`not json` is not JSON (expected a value at byte 0)"), "{err}");
    let err = pool.append("docs", [(Some("[1".to_owned()),)]).await.unwrap_err();
    assert!(err.to_string().contains("`[1` is not JSON"), "{err}");
    pool.execute_batch("CREATE TABLE doc_lists (ds JSON[], s STRUCT(d JSON))").await.unwrap();
    let err = pool.append("doc_lists", [(vec!["1", "{"], andamios::types::Value::Null)]).await.unwrap_err();
    assert!(err.to_string().contains("`{` is not JSON"), "{err}");
    let field = andamios::types::Value::Struct {
        ty: andamios::types::DuckType::Struct { fields: vec![("d".to_owned(), andamios::types::DuckType::Json)] },
        values: vec![andamios::types::Value::Varchar("nope".to_owned())],
    };
    let err = pool.append("doc_lists", [(Vec::<&str>::new(), field)]).await.unwrap_err();
    assert!(err.to_string().contains("`nope` is not JSON"), "{err}");
    let n: i64 = query_scalar("SELECT count(*) FROM docs").fetch_one(pool).await.unwrap();
    assert_eq!(n, 4, "the failed appends kept nothing");
    let keys: Vec<Option<String>> =
        query_scalar("SELECT json_type(d) FROM docs ORDER BY rowid").fetch_all(pool).await.unwrap();
    assert_eq!(keys.len(), 4, "every JSON function reads the table");
}

#[derive(Debug, Clone, PartialEq, andamios::FromRow, andamios::AppendRow)]
struct Profile {
    id: i32,
    #[andamios(json)]
    settings: Settings,
    #[andamios(json, rename = "extra_tags")]
    tags: Option<Vec<String>>,
}

#[tokio::test]
async fn json_fields_of_derived_rows() {
    let pool = &pool().await;
    pool.execute_batch("CREATE TABLE profiles (id INTEGER, settings JSON, extra_tags JSON)").await.unwrap();
    let settings = Settings { theme: "light".into(), columns: vec![3], note: Some("n".into()) };
    let rows = vec![
        Profile { id: 1, settings: settings.clone(), tags: Some(vec!["a".into()]) },
        Profile { id: 2, settings: settings.clone(), tags: None },
    ];
    pool.append("profiles", rows.clone()).await.unwrap();
    let back: Vec<Profile> = andamios::query_as("SELECT * FROM profiles ORDER BY id").fetch_all(pool).await.unwrap();
    assert_eq!(back, rows);
    // SQL NULL is None for an Option field, and an error naming the column otherwise.
    pool.execute_batch("INSERT INTO profiles VALUES (3, NULL, NULL)").await.unwrap();
    let err = andamios::query_as::<Profile>("SELECT * FROM profiles WHERE id = 3").fetch_one(pool).await.unwrap_err();
    assert!(
        matches!(&err, andamios::Error::Decode { column, found, .. } if column == "settings" && found == "NULL"),
        "{err}"
    );
    let tags: Json<Option<Vec<String>>> =
        query_scalar("SELECT extra_tags FROM profiles WHERE id = 3").fetch_one(pool).await.unwrap();
    assert_eq!(tags.0, None);
}

#[tokio::test]
async fn decimals_are_exact() {
    let pool = &pool().await;
    both!(pool, "DECIMAL(4,2)", Decimal::new(-9999, 2), Decimal::new(1, 2));
    both!(pool, "DECIMAL(9,3)", Decimal::new(999_999_999, 3));
    both!(pool, "DECIMAL(18,6)", Decimal::new(-999_999_999_999_999_999, 6));
    let max38: Decimal = "9999999999999999999999999999.9999999999".parse().unwrap();
    both!(pool, "DECIMAL(38,10)", max38);
    let d: Decimal = query_scalar("SELECT 0.1::DECIMAL(10,1) + 0.2::DECIMAL(10,1)").fetch_one(pool).await.unwrap();
    assert_eq!(d.to_string(), "0.3");
    let rd = rust_decimal::Decimal::new(-12345678, 4);
    both!(pool, "DECIMAL(18,4)", rd);
    // More than 38 digits after the point: trailing zeros go; other digits
    // are an error, not a different number.
    let zeros: Decimal =
        query_scalar("SELECT $1").bind(Decimal::new(25 * 10i128.pow(10), 45)).fetch_one(pool).await.unwrap();
    assert_eq!(zeros, Decimal::new(25_000, 38));
    let err = query_scalar::<Decimal>("SELECT $1").bind(Decimal::new(25, 45)).fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("has 45 digits after the point: a DECIMAL holds at most 38"), "{err}");
}

#[tokio::test]
async fn dates_times_and_intervals() {
    let pool = &pool().await;
    both!(
        pool,
        "DATE",
        Date::from_ymd(2024, 2, 29).unwrap(),
        Date::from_ymd(1, 1, 1).unwrap(),
        Date::from_ymd(9999, 12, 31).unwrap()
    );
    both!(pool, "TIME", Time::from_hms_micro(23, 59, 59, 999_999).unwrap(), Time { micros: 0 });
    let ts = Timestamp::new(Date::from_ymd(1969, 7, 20).unwrap(), Time::from_hms_micro(20, 17, 40, 123_456).unwrap());
    both!(pool, "TIMESTAMP", ts);
    both!(pool, "TIMESTAMPTZ", TimestampTz { micros: 1_700_000_000_123_456 });
    both!(pool, "INTERVAL", Interval { months: 14, days: -3, micros: 5_000_001 });
    let d: Date = query_scalar("SELECT DATE '2000-01-02'").fetch_one(pool).await.unwrap();
    assert_eq!(d.to_string(), "2000-01-02");
    // Other precisions decode too.
    let s: Timestamp = query_scalar("SELECT TIMESTAMP_S '2020-01-01 00:00:01'").fetch_one(pool).await.unwrap();
    assert_eq!(s.to_string(), "2020-01-01 00:00:01");
    let ms: Timestamp = query_scalar("SELECT TIMESTAMP_MS '2020-01-01 00:00:00.123'").fetch_one(pool).await.unwrap();
    assert_eq!(ms.time().micros, 123_000);
    let tz: TimeTz = query_scalar("SELECT '10:30:00+02'::TIMETZ").fetch_one(pool).await.unwrap();
    assert_eq!(tz, TimeTz { micros: 37_800_000_000, offset_seconds: 7200 });
    both!(
        pool,
        "TIMETZ",
        TimeTz { micros: 37_800_000_000, offset_seconds: 7200 },
        TimeTz { micros: 0, offset_seconds: -(15 * 3600 + 59 * 60 + 59) },
        TimeTz { micros: 86_399_999_999, offset_seconds: 15 * 3600 + 59 * 60 + 59 }
    );
    let text: String = query_scalar("SELECT $1::TIMETZ::VARCHAR")
        .bind(TimeTz { micros: 37_800_000_000, offset_seconds: -5400 })
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(text, "10:30:00-01:30");
    let err = query("SELECT $1::TIMETZ").bind(TimeTz { micros: 0, offset_seconds: 16 * 3600 }).execute(pool).await;
    assert!(err.unwrap_err().to_string().contains("15:59:59"));
    for tz in [
        TimeTz { micros: 37_800_000_000, offset_seconds: 7200 },
        TimeTz { micros: 37_800_000_500, offset_seconds: -5400 },
        TimeTz { micros: 0, offset_seconds: -(15 * 3600 + 59 * 60 + 59) },
        TimeTz { micros: 86_399_999_999, offset_seconds: 0 },
        TimeTz { micros: 1, offset_seconds: 30 },
    ] {
        let text: String = query_scalar("SELECT $1::VARCHAR").bind(tz).fetch_one(pool).await.unwrap();
        assert_eq!(tz.to_string(), text, "{tz:?}");
    }
    for micros in [0, 1, 500, 37_800_000_500, 86_399_999_999] {
        let (time, stamp) = (Time { micros }, Timestamp { micros: micros - 5 * 86_400_000_000 });
        let text: (String, String) =
            andamios::query_as("SELECT $1::VARCHAR, $2::VARCHAR").bind(time).bind(stamp).fetch_one(pool).await.unwrap();
        assert_eq!((time.to_string(), stamp.to_string()), text);
    }
    // An Interval shows as DuckDB shows it.
    for interval in [
        Interval::default(),
        Interval { months: 14, days: 3, micros: 4 * 3_600_000_000 + 5_000_000 + 700_000 },
        Interval { months: -1, days: -1, micros: -1 },
        Interval { months: 12, days: 1, micros: 123 },
        Interval { months: i32::MIN, days: i32::MAX, micros: i64::MIN },
        Interval::from_micros(100 * 3_600_000_000),
    ] {
        let text: String = query_scalar("SELECT $1::VARCHAR").bind(interval).fetch_one(pool).await.unwrap();
        assert_eq!(interval.to_string(), text, "{interval:?}");
    }

    // Durations as INTERVALs of microseconds; read back counting a day as 24 hours.
    both!(pool, "INTERVAL", std::time::Duration::from_micros(90_061_000_001), std::time::Duration::ZERO);
    let day: std::time::Duration =
        query_scalar("SELECT INTERVAL 1 DAY + INTERVAL 2 SECOND").fetch_one(pool).await.unwrap();
    assert_eq!(day, std::time::Duration::from_secs(86_402));
    let later: Timestamp = query_scalar("SELECT TIMESTAMP '2024-01-01' + $1")
        .bind(std::time::Duration::from_secs(90))
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(later.to_string(), "2024-01-01 00:01:30");
    for (sql, says) in
        [("SELECT INTERVAL 1 MONTH", "1 month(s), whose length varies"), ("SELECT INTERVAL '-1 second'", "below zero")]
    {
        let err = query_scalar::<std::time::Duration>(sql).fetch_one(pool).await.unwrap_err();
        assert!(err.to_string().contains(says), "{sql}: {err}");
    }
    let err = query("SELECT $1::INTERVAL").bind(std::time::Duration::MAX).execute(pool).await.unwrap_err();
    assert!(err.to_string().contains("longer than an INTERVAL holds"), "{err}");

    // DuckDB's infinities: kept, shown as DuckDB shows them, in every precision.
    both!(pool, "DATE", Date::INFINITY, Date::NEG_INFINITY);
    both!(pool, "TIMESTAMP", Timestamp::INFINITY, Timestamp::NEG_INFINITY);
    both!(pool, "TIMESTAMPTZ", TimestampTz::INFINITY, TimestampTz::NEG_INFINITY);
    for precision in ["TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"] {
        let sql = format!("SELECT 'infinity'::{precision}, '-infinity'::{precision}");
        let (up, down): (Timestamp, Timestamp) = andamios::query_as(&sql).fetch_one(pool).await.unwrap();
        assert_eq!((up, down), (Timestamp::INFINITY, Timestamp::NEG_INFINITY), "{precision}");
    }
    let text: (String, String) = andamios::query_as("SELECT $1::DATE::VARCHAR, $2::TIMESTAMP::VARCHAR")
        .bind(Date::INFINITY)
        .bind(Timestamp::NEG_INFINITY)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(text, (Date::INFINITY.to_string(), Timestamp::NEG_INFINITY.to_string()));
    assert_eq!(TimestampTz::INFINITY.to_string(), "infinity");
    assert!(!Date::NEG_INFINITY.is_finite() && !TimestampTz::INFINITY.is_finite() && ts.is_finite());
    // Values outside DuckDB's ranges are refused, bound or appended: DuckDB
    // would store them, then fail on them in a way that invalidates the
    // whole database.
    pool.execute_batch("CREATE OR REPLACE TABLE ranges (d DATE, t TIME, ts TIMESTAMP)").await.unwrap();
    let bad: [(Date, Time, Timestamp, &str); 3] = [
        (Date { days: i32::MIN }, Time { micros: 0 }, Timestamp { micros: 0 }, "is not a DATE"),
        (Date { days: 0 }, Time { micros: -1 }, Timestamp { micros: 0 }, "is not a TIME"),
        (Date { days: 0 }, Time { micros: 0 }, Timestamp { micros: i64::MIN }, "is not a TIMESTAMP"),
    ];
    for (d, t, ts, says) in bad {
        let err = pool.append("ranges", vec![(d, t, ts)]).await.unwrap_err();
        assert!(err.to_string().contains(says), "{err}");
        let err = query("SELECT $1, $2, $3").bind(d).bind(t).bind(ts).execute(pool).await.unwrap_err();
        assert!(err.to_string().contains(says), "{err}");
        let err = query("SELECT $1").bind(vec![ts]).execute(pool).await;
        assert!(says != "is not a TIMESTAMP" || err.unwrap_err().to_string().contains(says));
    }
    let edges = (
        Date { days: -i32::MAX + 1 },
        Time { micros: 86_400_000_000 },
        Timestamp { micros: -9_223_372_022_400_000_000 },
    );
    pool.append("ranges", vec![edges]).await.unwrap();
    let text: String = query_scalar("SELECT d || ' ' || t || ' ' || ts FROM ranges").fetch_one(pool).await.unwrap();
    assert_eq!(text, "5877642-06-25 (BC) 24:00:00 290309-12-22 (BC) 00:00:00");
    // Infinities keep their meaning in every precision of column.
    pool.execute_batch("CREATE OR REPLACE TABLE inf (s TIMESTAMP_S, ms TIMESTAMP_MS, ns TIMESTAMP_NS)").await.unwrap();
    pool.append("inf", vec![(Timestamp::INFINITY, Timestamp::NEG_INFINITY, Timestamp::INFINITY)]).await.unwrap();
    let text: String = query_scalar("SELECT s || ' ' || ms || ' ' || ns FROM inf").fetch_one(pool).await.unwrap();
    assert_eq!(text, "infinity -infinity infinity");

    // TIME_NS columns take a Time when appending.
    appended(pool, "TIME_NS", vec![Some(Time::from_hms_micro(1, 2, 3, 456_789).unwrap()), None]).await;

    // Into a coarser column, a value is rounded as DuckDB casts one (to
    // the nearest, halves away from zero): an append stores what an INSERT
    // of the same value stores, and a read what a cast in SQL gives.
    pool.execute_batch(
        "CREATE OR REPLACE TABLE coarser (path VARCHAR, i INTEGER, s TIMESTAMP_S, ms TIMESTAMP_MS, us TIMESTAMP,
         tz TIMESTAMPTZ, t TIME)",
    )
    .await
    .unwrap();
    use andamios::types::Value;
    let offsets = [0i64, 499, 500, 501, 1_500, 999_999_500, -499, -500, -501, -1_500, -999_999_500];
    // After 1970 and before: a half goes away from zero, up and down.
    let bases = [1_700_000_000i64, -100_000_000];
    let day_end = 86_399_999_999_500i64;
    let rows: Vec<_> = bases
        .iter()
        .flat_map(|&base| offsets.iter().map(move |&offset| (base, offset)))
        .enumerate()
        .map(|(i, (base, offset))| {
            let time = if offset == 999_999_500 { day_end } else { 3_600_000_000_000 + offset };
            (
                i as i32,
                Value::Timestamp(base * 1_000_000 + offset),
                Value::Timestamp(base * 1_000_000 + offset),
                Value::TimestampNs(base * 1_000_000_000 + offset),
                Value::TimestampTzNs(base * 1_000_000_000 + offset),
                Value::TimeNs(time),
            )
        })
        .collect();
    pool.append_columns("coarser", &["i", "s", "ms", "us", "tz", "t"], rows.clone()).await.unwrap();
    pool.execute_batch("UPDATE coarser SET path = 'append'").await.unwrap();
    for (i, s, ms, us, tz, t) in rows {
        query("INSERT INTO coarser VALUES ('insert', $1, $2, $3, $4, $5, $6)")
            .bind(i)
            .bind(s)
            .bind(ms)
            .bind(us)
            .bind(tz)
            .bind(t)
            .execute(pool)
            .await
            .unwrap();
    }
    let differing: i64 = query_scalar(
        "SELECT count(*) FROM (SELECT i, s, ms, us, tz, t FROM coarser WHERE path = 'append'
         EXCEPT SELECT i, s, ms, us, tz, t FROM coarser WHERE path = 'insert')",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(differing, 0);
    // Offsets 500, 999,999,500 and -500 ns (or µs) after 1970, and -500 before.
    let rounded: Vec<(i64, i64, i64, String)> = andamios::query_as(
        "SELECT epoch(s)::BIGINT % 1000, epoch_ms(ms) % 1000000, epoch_us(us) % 1000000000, t::VARCHAR
         FROM coarser WHERE path = 'append' AND i IN (2, 5, 7, 18) ORDER BY i",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let expected =
        [(0, 1, 1, "01:00:00.000001"), (0, 0, 1_000_000, "24:00:00"), (0, 0, 0, "01:00:00"), (0, -1, -1, "01:00:00")];
    assert_eq!(rounded, expected.map(|(s, ms, us, t)| (s, ms, us, t.to_owned())));
    for (base, offset) in bases.iter().flat_map(|&base| offsets.iter().map(move |&offset| (base, offset))) {
        let sql = format!(
            "SELECT make_timestamp_ns({ns}), make_timestamp_ns({ns})::TIMESTAMP, $1::TIME_NS, $1::TIME_NS::TIME",
            ns = base * 1_000_000_000 + offset
        );
        let (read, cast, time_read, time_cast): (Timestamp, Timestamp, Time, Time) =
            andamios::query_as(&sql).bind(Value::TimeNs(3_600_000_000_000 + offset)).fetch_one(pool).await.unwrap();
        assert_eq!((read, time_read), (cast, time_cast), "{offset} ns");
    }
}

#[tokio::test]
async fn bit_strings_and_bignums() {
    let pool = &pool().await;
    let bits = |s: &str| s.parse::<BitString>().unwrap();
    both!(
        pool,
        "BIT",
        bits("0101"),
        bits("1"),
        bits("10000000"),
        bits("100000001"),
        bits(&"10".repeat(100)),
        BitString::from_bits([])
    );
    let text: String = query_scalar("SELECT $1::BIT::VARCHAR").bind(bits("0011")).fetch_one(pool).await.unwrap();
    assert_eq!(text, "0011");
    let counted: i64 = query_scalar("SELECT bit_count($1::BIT)").bind(bits("10111")).fetch_one(pool).await.unwrap();
    assert_eq!(counted, 4);

    let big = |s: &str| s.parse::<BigNum>().unwrap();
    let huge = "123456789012345678901234567890123456789012345678901234567890";
    both!(
        pool,
        "BIGNUM",
        big("0"),
        big("-1"),
        big("255"),
        big("-256"),
        BigNum::from(i128::MIN),
        BigNum::from(u128::MAX),
        big(huge),
        big(&format!("-{huge}"))
    );
    let text: String = query_scalar("SELECT $1::BIGNUM::VARCHAR").bind(big(huge)).fetch_one(pool).await.unwrap();
    assert_eq!(text, huge, "bound exactly, not through a float");
    // Integers that fit come out as Rust integers, and go in as BIGNUMs.
    let small: i64 = query_scalar("SELECT (-42)::BIGNUM").fetch_one(pool).await.unwrap();
    assert_eq!(small, -42);
    let max: u128 = query_scalar("SELECT $1::BIGNUM").bind(u128::MAX).fetch_one(pool).await.unwrap();
    assert_eq!(max, u128::MAX);
    let err = query_scalar::<i64>(&format!("SELECT '{huge}'::BIGNUM AS n")).fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains(huge) && err.to_string().contains("does not fit"), "{err}");
    appended(pool, "BIGNUM", vec![Some(BigNum::from(-7)), None]).await;
    pool.execute_batch("CREATE TABLE wide (n BIGNUM)").await.unwrap();
    pool.append("wide", [(i64::MIN,), (3,)]).await.unwrap();
    let back: Vec<String> = query_scalar("SELECT n::VARCHAR FROM wide ORDER BY n").fetch_all(pool).await.unwrap();
    assert_eq!(back, [i64::MIN.to_string(), "3".to_owned()]);
}

#[tokio::test]
async fn chrono_time_and_uuid_features() {
    let pool = &pool().await;
    let date = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    both!(pool, "DATE", date);
    let time = chrono::NaiveTime::from_hms_micro_opt(1, 2, 3, 4).unwrap();
    both!(pool, "TIME", time);
    let dt = date.and_time(time);
    both!(pool, "TIMESTAMP", dt);
    both!(pool, "TIMESTAMPTZ", dt.and_utc());
    // With an offset: the same instant comes back, at +00:00.
    let offset = chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
    let local = dt.and_local_timezone(offset).unwrap();
    both!(pool, "TIMESTAMPTZ", local);
    let back: chrono::DateTime<chrono::FixedOffset> =
        query_scalar("SELECT $1::TIMESTAMPTZ").bind(local).fetch_one(pool).await.unwrap();
    assert_eq!((back, back.offset().local_minus_utc()), (local, 0));
    assert_eq!(back.naive_utc(), dt - chrono::Duration::minutes(330));
    let ns: chrono::NaiveDateTime =
        query_scalar("SELECT TIMESTAMP_NS '2024-01-01 00:00:00.123456789'").fetch_one(pool).await.unwrap();
    assert_eq!(ns.and_utc().timestamp_subsec_nanos(), 123_456_789);
    // Nanoseconds survive where the column keeps them: TIME_NS,
    // TIMESTAMP_NS, TIMESTAMPTZ_NS; in microsecond columns they go.
    let time_ns = chrono::NaiveTime::from_hms_nano_opt(1, 2, 3, 123_456_789).unwrap();
    both!(pool, "TIME_NS", time_ns);
    let dt_ns = date.and_time(time_ns);
    both!(pool, "TIMESTAMP_NS", dt_ns);
    both!(pool, "TIMESTAMPTZ_NS", dt_ns.and_utc());
    let micros: chrono::DateTime<chrono::Utc> =
        query_scalar("SELECT $1::TIMESTAMPTZ").bind(dt_ns.and_utc()).fetch_one(pool).await.unwrap();
    assert_eq!(micros.timestamp_subsec_nanos() / 1_000, 123_457, "DuckDB's cast rounds");
    pool.execute_batch("CREATE TABLE stamps (t TIMESTAMPTZ)").await.unwrap();
    pool.append("stamps", vec![(chrono::DateTime::from_timestamp(1, 999).unwrap(),)]).await.unwrap();
    let stored: chrono::DateTime<chrono::Utc> = query_scalar("SELECT t FROM stamps").fetch_one(pool).await.unwrap();
    assert_eq!(stored, chrono::DateTime::from_timestamp(1, 1_000).unwrap(), "rounded, as an INSERT's cast");
    let time_ns = time::macros::time!(01:02:03.123_456_789);
    both!(pool, "TIME_NS", time_ns);
    both!(pool, "TIMESTAMPTZ_NS", time::macros::datetime!(2024-06-15 01:02:03.123_456_789 UTC));
    let plain: andamios::types::TimestampTz =
        query_scalar("SELECT '1970-01-01 00:00:01.000001999+00'::TIMESTAMPTZ_NS").fetch_one(pool).await.unwrap();
    assert_eq!(plain.micros, 1_000_002);

    // DuckDB's end of a day, 24:00:00, has no chrono or time value: the
    // error shows it as a time and names the type that holds it.
    for err in [
        query_scalar::<chrono::NaiveTime>("SELECT TIME '24:00:00' AS t").fetch_one(pool).await.unwrap_err(),
        query_scalar::<time::Time>("SELECT TIME '24:00:00' AS t").fetch_one(pool).await.unwrap_err(),
    ] {
        assert!(
            err.to_string().contains("the value 24:00:00 (the end of a day, which `andamios::types::Time` holds)"),
            "{err}"
        );
    }
    let end: andamios::types::Time = query_scalar("SELECT TIME '24:00:00'").fetch_one(pool).await.unwrap();
    assert_eq!(end.micros, 86_400_000_000);

    // An infinity has no chrono value: an error that says so, in every
    // precision (TIMESTAMP_NS's used to read as a day of 2262).
    for (sql, found) in [
        ("SELECT 'infinity'::DATE", "DATE infinity"),
        ("SELECT '-infinity'::TIMESTAMP", "TIMESTAMP -infinity"),
        ("SELECT 'infinity'::TIMESTAMP_NS", "TIMESTAMP_NS infinity"),
        ("SELECT 'infinity'::TIMESTAMP_S", "TIMESTAMP_S infinity"),
    ] {
        let err = if sql.ends_with("DATE") {
            query_scalar::<chrono::NaiveDate>(sql).fetch_one(pool).await.unwrap_err()
        } else {
            query_scalar::<chrono::NaiveDateTime>(sql).fetch_one(pool).await.unwrap_err()
        };
        let message = err.to_string();
        assert!(message.contains(found) && message.contains("isfinite"), "{sql}: {message}");
    }
    let err = query_scalar::<time::PrimitiveDateTime>("SELECT 'infinity'::TIMESTAMP").fetch_one(pool).await;
    assert!(err.unwrap_err().to_string().contains("TIMESTAMP infinity"));
    let err = query_scalar::<time::Date>("SELECT '-infinity'::DATE").fetch_one(pool).await;
    assert!(err.unwrap_err().to_string().contains("DATE -infinity"));

    both!(pool, "INTERVAL", chrono::TimeDelta::microseconds(-5_000_001), chrono::TimeDelta::days(3));
    both!(pool, "INTERVAL", time::Duration::microseconds(-5_000_001), time::Duration::days(3));
    let err = query_scalar::<chrono::TimeDelta>("SELECT INTERVAL 2 YEAR").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("24 month(s)"), "{err}");

    let tdate = time::macros::date!(2023 - 06 - 15);
    both!(pool, "DATE", tdate);
    let ttime = time::macros::time!(12:34:56.789);
    both!(pool, "TIME", ttime);
    both!(pool, "TIMESTAMP", time::PrimitiveDateTime::new(tdate, ttime));
    both!(pool, "TIMESTAMPTZ", time::macros::datetime!(2023-06-15 12:34:56.789 UTC));

    let id = uuid::Uuid::parse_str("a1a2a3a4-b1b2-c1c2-d1d2-d3d4d5d6d7d8").unwrap();
    both!(pool, "UUID", id, uuid::Uuid::nil(), uuid::Uuid::max());
    let text: String = query_scalar("SELECT $1::UUID::VARCHAR").bind(id).fetch_one(pool).await.unwrap();
    assert_eq!(text, id.to_string());
}

#[derive(Debug, Clone, PartialEq, Type)]
#[andamios(rename_all = "lowercase")]
enum Mood {
    Happy,
    Sad,
    #[andamios(rename = "meh")]
    Neutral,
}

#[derive(Debug, Clone, PartialEq, Type)]
struct Point {
    x: i32,
    label: Option<String>,
    tags: Vec<String>,
}

/// A DuckDB UNION: one member per variant, by name.
#[derive(Debug, Clone, PartialEq, Type)]
#[andamios(rename_all = "lowercase")]
enum Reading {
    Number(f64),
    Text(String),
    Tags(Vec<String>),
}

#[tokio::test]
async fn unions() {
    use andamios::types::{DuckType, Value};
    let pool = &pool().await;
    let ty = "UNION(number DOUBLE, text VARCHAR, tags VARCHAR[])";
    both!(pool, ty, Reading::Number(-1.5), Reading::Text("é".into()), Reading::Tags(vec!["a".into(), "b".into()]));
    // Read by member name: another order, fewer members.
    let read: Reading = query_scalar("SELECT union_value(text := 'hi')::UNION(text VARCHAR, number DOUBLE)")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(read, Reading::Text("hi".into()));
    // A member the enum lacks, or one of another type, cannot be read into
    // it, and the error says which.
    for (sql, expected) in [
        (
            "SELECT union_value(n := 1)::UNION(n INTEGER, text VARCHAR) AS r",
            "column `r` (UNION(n INTEGER, text VARCHAR)) into Rust type Reading: no variant is named after its member \
             `n` (the variants read number, text, tags)",
        ),
        (
            "SELECT union_value(text := 1)::UNION(text INTEGER) AS r",
            "into Rust type Reading: its member `text` is INTEGER, which String does not read: read it as i32 (or \
             another integer type its values fit) or Decimal, or cast it in SQL to a type String reads: `col::VARCHAR`",
        ),
    ] {
        let err = query_scalar::<Reading>(sql).fetch_one(pool).await.unwrap_err();
        assert!(err.to_string().ends_with(&format!("{expected}\n  in SQL: {sql}")), "{err}");
    }
    let err = query_scalar::<Reading>(&format!("SELECT union_value(number := NULL::DOUBLE)::{ty} AS r"))
        .fetch_one(pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("holding a NULL"), "{err}");

    // Any UNION reads as a Value, and a Value binds and appends as one.
    let value: Value = query_scalar(&format!("SELECT union_value(tags := ['x'])::{ty}")).fetch_one(pool).await.unwrap();
    let Value::Union { tag: 2, value: tags, .. } = &value else { panic!("{value:?}") };
    assert_eq!(**tags, Value::List { element: DuckType::Varchar, items: vec![Value::Varchar("x".into())] });
    let back: Reading = query_scalar("SELECT $1").bind(value.clone()).fetch_one(pool).await.unwrap();
    assert_eq!(back, Reading::Tags(vec!["x".into()]));
    pool.execute_batch(&format!("CREATE TABLE readings (i INTEGER, r {ty})")).await.unwrap();
    // A plain value goes into the one member of its type, as DuckDB casts it.
    let rows = vec![(1, Value::Double(2.5)), (2, Value::Varchar("t".into())), (3, value), (4, Value::Null)];
    pool.append("readings", rows).await.unwrap();
    let read: Vec<Option<Reading>> = query_scalar("SELECT r FROM readings ORDER BY i").fetch_all(pool).await.unwrap();
    assert_eq!(
        read,
        [Some(Reading::Number(2.5)), Some(Reading::Text("t".into())), Some(Reading::Tags(vec!["x".into()])), None]
    );
    let err = pool.append("readings", vec![(5, Value::Integer(1))]).await.unwrap_err();
    assert!(err.to_string().contains("no member of column type"), "{err}");
    let n: i64 = query_scalar("SELECT count(*) FROM readings").fetch_one(pool).await.unwrap();
    assert_eq!(n, 4, "the failed append kept nothing");
}

#[tokio::test]
async fn lists_arrays_structs_maps_and_enums() {
    let pool = &pool().await;
    both!(pool, "INTEGER[]", vec![1, 2, 3], Vec::<i32>::new());
    round_trip(pool, "VARCHAR[][]", vec![vec!["a".to_owned()], vec![], vec!["b".to_owned(), "c".to_owned()]]).await;
    round_trip(pool, "INTEGER[]", vec![Some(1), None, Some(3)]).await;
    let arr: Vec<f64> = query_scalar("SELECT [1.5, 2.5, 3.5]::DOUBLE[3]").fetch_one(pool).await.unwrap();
    assert_eq!(arr, [1.5, 2.5, 3.5]);
    // A Rust array is an ARRAY of its length: an embedding, say.
    both!(pool, "FLOAT[3]", [1.5f32, 0.0, -2.25]);
    both!(pool, "VARCHAR[2][1]", [[Some("a".to_owned()), None]]);
    let similarity: f32 = query_scalar("SELECT array_cosine_similarity($1::FLOAT[2], [1.0, 0.0]::FLOAT[2])")
        .bind([0.0f32, 2.0])
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(similarity, 0.0);
    let from_list: [i64; 2] = query_scalar("SELECT [7, 8]").fetch_one(pool).await.unwrap();
    assert_eq!(from_list, [7, 8]);
    let err = query_scalar::<[i64; 2]>("SELECT [7, 8, 9] AS xs").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("into Rust type [i64; 2]: the value (of 3 values) does not fit"), "{err}");
    // `[u8; N]` is a BLOB of N bytes, as `Vec<u8>` is a BLOB.
    let hash: [u8; 4] = query_scalar("SELECT '\\xDE\\xAD\\xBE\\xEF'::BLOB").fetch_one(pool).await.unwrap();
    assert_eq!(hash, [0xDE, 0xAD, 0xBE, 0xEF]);
    both!(pool, "BLOB", [1u8, 2, 3]);
    let err = query_scalar::<[f32; 2]>("SELECT [1, 2, 3]::FLOAT[3] AS xs").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("FLOAT[3]"), "{err}");

    pool.execute_batch("CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh')").await.unwrap();
    round_trip(pool, "mood", Mood::Neutral).await;
    appended(pool, "mood", vec![Some(Mood::Happy), None, Some(Mood::Sad)]).await;
    let as_text: String = query_scalar("SELECT 'sad'::mood").fetch_one(pool).await.unwrap();
    assert_eq!(as_text, "sad");

    let p = Point { x: -4, label: None, tags: vec!["t".into()] };
    round_trip(pool, "STRUCT(x INTEGER, label VARCHAR, tags VARCHAR[])", p.clone()).await;
    let from_sql: Point =
        query_scalar("SELECT {'x': 1, 'label': 'one', 'tags': ['a', 'b']}").fetch_one(pool).await.unwrap();
    assert_eq!(from_sql, Point { x: 1, label: Some("one".into()), tags: vec!["a".into(), "b".into()] });
    let points: Vec<Point> =
        query_scalar("SELECT [{'x': 1, 'label': NULL, 'tags': []}, {'x': 2, 'label': 'b', 'tags': ['z']}]")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[1].tags, ["z"]);
    // A STRUCT that does not fit says which fields are missing or mistyped,
    // in a list too.
    let err = query_scalar::<Point>("SELECT {'x': 'one', 'y': 2, 'tags': [1]} AS p").fetch_one(pool).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode column `p` (STRUCT(x VARCHAR, y INTEGER, tags INTEGER[])) into Rust type Point: the STRUCT \
         has no field `label` (it has x, y, tags); its field `x` is VARCHAR, which i32 does not read: read it as \
         String, or cast it in SQL to a type i32 reads: `col::BIGINT`; its field `tags` is INTEGER[], which \
         Vec<String> does not read: read it as Vec<i32>\n  in SQL: SELECT {'x': 'one', 'y': 2, 'tags': [1]} AS p"
    );
    let err = query_scalar::<Vec<Point>>("SELECT [{'x': 1, 'label': 'a', 'tags': [1]}] AS ps")
        .fetch_one(pool)
        .await
        .unwrap_err();
    assert!(
        err.to_string().ends_with(
            "into Rust type Vec<Point>: in its elements, its field `tags` is INTEGER[], which Vec<String> does not \
             read: read it as Vec<i32>\n  in SQL: SELECT [{'x': 1, 'label': 'a', 'tags': [1]}] AS ps"
        ),
        "{err}"
    );
    // A NULL field that the struct's type does not allow.
    let err = query_scalar::<Point>("SELECT {'x': NULL::INTEGER, 'label': 'one', 'tags': []} AS p")
        .fetch_one(pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("holding a NULL"), "{err}");

    let map: BTreeMap<String, i32> = [("a".to_owned(), 1), ("b".to_owned(), 2)].into();
    round_trip(pool, "MAP(VARCHAR, INTEGER)", map.clone()).await;
    let hmap: HashMap<i32, Vec<String>> = query_scalar("SELECT MAP {1: ['x'], 2: []}").fetch_one(pool).await.unwrap();
    assert_eq!(hmap[&1], ["x"]);
    assert!(hmap[&2].is_empty());
    // Nested columns append too: STRUCTs (by field name), MAPs, ARRAYs,
    // LISTs of them, and NULLs at every level.
    appended(pool, "MAP(VARCHAR, INTEGER)", vec![Some(map.clone()), None, Some(BTreeMap::new())]).await;
    appended(pool, "MAP(INTEGER, VARCHAR[])", vec![Some(hmap.clone())]).await;
    let reordered = "STRUCT(tags VARCHAR[], x INTEGER, label VARCHAR)";
    appended(pool, reordered, vec![Some(p.clone()), None, Some(Point { x: 7, label: Some("l".into()), tags: vec![] })])
        .await;
    appended(pool, &format!("{reordered}[]"), vec![Some(vec![p.clone(), p.clone()]), Some(vec![])]).await;
    appended(pool, "DOUBLE[3]", vec![Some(vec![1.5, -2.0, 0.0]), None, Some(vec![0.25, 0.5, 0.75])]).await;
    appended(pool, "INTEGER[2][]", vec![Some(vec![vec![Some(1), None], vec![Some(3), Some(4)]])]).await;
    pool.execute_batch("CREATE OR REPLACE TABLE short (a DOUBLE[3])").await.unwrap();
    let err = pool.append("short", vec![(vec![1.0f64],)]).await.unwrap_err();
    assert!(err.to_string().contains("1 element(s) do not fit column type DOUBLE[3], which holds 3"), "{err}");
    pool.execute_batch("CREATE OR REPLACE TABLE narrower (s STRUCT(x INTEGER, label VARCHAR))").await.unwrap();
    let err = pool.append("narrower", vec![(p.clone(),)]).await.unwrap_err();
    assert!(
        err.to_string().contains("has a field `tags` that column type STRUCT(x INTEGER, label VARCHAR) has not"),
        "{err}"
    );
    pool.execute_batch("CREATE OR REPLACE TABLE other_struct (s STRUCT(a INTEGER, b INTEGER, c INTEGER))")
        .await
        .unwrap();
    let err = pool.append("other_struct", vec![(p.clone(),)]).await.unwrap_err();
    assert!(
        err.to_string().contains("has no field `a` of column type STRUCT(a INTEGER, b INTEGER, c INTEGER)"),
        "{err}"
    );

    // A Vec of pairs keeps the MAP's order, both ways; it also reads a LIST
    // of two-field STRUCTs, and a pair reads one such STRUCT.
    let pairs = vec![("b".to_owned(), 2), ("a".to_owned(), 1), ("c".to_owned(), 3)];
    both!(pool, "MAP(VARCHAR, INTEGER)", pairs.clone());
    let text: String = query_scalar("SELECT $1::VARCHAR").bind(pairs.clone()).fetch_one(pool).await.unwrap();
    assert_eq!(text, "{b=2, a=1, c=3}");
    let listed: Vec<(i64, Option<String>)> =
        query_scalar("SELECT [{'n': 1, 's': 'x'}, {'n': 2, 's': NULL}]").fetch_one(pool).await.unwrap();
    assert_eq!(listed, [(1, Some("x".to_owned())), (2, None)]);
    let pair: (String, f64) = query_scalar("SELECT {'k': 'x', 'v': 0.5::DOUBLE}").fetch_one(pool).await.unwrap();
    assert_eq!(pair, ("x".to_owned(), 0.5));
    // A MAP cannot have a NULL key, or a key twice: neither binds nor
    // appends (DuckDB's appender would store an invalid MAP).
    let twice = vec![("a".to_owned(), 1), ("a".to_owned(), 2)];
    let err = query("SELECT $1::VARCHAR").bind(twice.clone()).execute(pool).await.unwrap_err();
    assert!(err.to_string().contains(r#"the MAP key Varchar("a") comes twice"#), "{err}");
    pool.execute_batch("CREATE OR REPLACE TABLE maps (m MAP(VARCHAR, INTEGER))").await.unwrap();
    let err = pool.append("maps", vec![(twice,)]).await.unwrap_err();
    assert!(err.to_string().contains("comes twice"), "{err}");
    let err = pool.append("maps", vec![(vec![(None::<String>, 1)],)]).await.unwrap_err();
    assert!(err.to_string().contains("a MAP key is NULL"), "{err}");
    let stored: i64 = query_scalar("SELECT count(*) FROM maps").fetch_one(pool).await.unwrap();
    assert_eq!(stored, 0);
    let err = query_scalar::<Vec<(i32, i32)>>("SELECT MAP {'a': 1}").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("Vec<(i32, i32)>"), "{err}");

    // A nested NULL inside a list decodes into Option.
    let nested: Vec<Option<Vec<i32>>> = query_scalar("SELECT [[1], NULL, []]").fetch_one(pool).await.unwrap();
    assert_eq!(nested, [Some(vec![1]), None, Some(vec![])]);
    // Rows with several nested columns decode by name.
    let row = query("SELECT [1,2] AS xs, {'x': 1, 'label': NULL, 'tags': []} AS p").fetch_one(pool).await.unwrap();
    assert_eq!(row.get::<Vec<i64>, _>("xs"), [1, 2]);
    assert_eq!(row.get::<Point, _>("p").x, 1);
}

/// A newtype binds, decodes and appends as the type it wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Type)]
struct UserId(i64);

#[derive(Debug, Clone, PartialEq, Type)]
struct Email(String);

/// Generic newtypes wrap whatever fits their parameter.
#[derive(Debug, Clone, PartialEq, Type)]
struct Tagged<T>(T);

#[derive(Debug, Clone, PartialEq, andamios::FromRow, andamios::AppendRow)]
struct Account {
    id: UserId,
    email: Option<Email>,
    mood: Tagged<Mood>,
}

#[tokio::test]
async fn newtypes_stand_for_the_type_they_wrap() {
    let pool = &pool().await;
    both!(pool, "BIGINT", UserId(i64::MIN), UserId(7));
    both!(pool, "VARCHAR", Email("a@example.com".into()), Email(String::new()));
    both!(pool, "DOUBLE[]", Tagged(vec![1.5, -2.0]));
    pool.execute_batch("CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh')").await.unwrap();
    round_trip(pool, "mood", Tagged(Mood::Sad)).await;
    let ids: Vec<UserId> = query_scalar("SELECT [3, 1, 2]::BIGINT[]").fetch_one(pool).await.unwrap();
    assert_eq!(ids, [UserId(3), UserId(1), UserId(2)]);
    // The wrapped type's ENUM members pass through, for the macros' check.
    assert_eq!(<Tagged<Mood> as Decode>::ENUM_MEMBERS, <Mood as Decode>::ENUM_MEMBERS);

    pool.execute_batch("CREATE TABLE account (id BIGINT PRIMARY KEY, email VARCHAR, mood mood NOT NULL)")
        .await
        .unwrap();
    let accounts = vec![
        Account { id: UserId(1), email: Some(Email("one@example.com".into())), mood: Tagged(Mood::Happy) },
        Account { id: UserId(2), email: None, mood: Tagged(Mood::Neutral) },
    ];
    pool.append("account", accounts.clone()).await.unwrap();
    let back: Vec<Account> = andamios::query_as("SELECT id, email, mood FROM account WHERE id = ANY($1) ORDER BY id")
        .bind(vec![UserId(1), UserId(2)])
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(back, accounts);

    // A NULL or a wrong type names the newtype.
    let err = query_scalar::<UserId>("SELECT NULL::BIGINT AS id").fetch_one(pool).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode column `id` (NULL) into Rust type UserId: the value is NULL; use Option<UserId> for a \
         column that can be NULL\n  in SQL: SELECT NULL::BIGINT AS id"
    );
    let err = query_scalar::<UserId>("SELECT 'x' AS id").fetch_one(pool).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot decode column `id` (VARCHAR) into Rust type UserId: read it as String, or cast it in SQL to a type \
         UserId reads: `col::BIGINT`\n  in SQL: SELECT 'x' AS id"
    );
}

#[tokio::test]
async fn any_value_reads_as_a_value() {
    use andamios::types::{DuckType, Value};
    let pool = &pool().await;
    pool.execute_batch("CREATE TYPE size AS ENUM ('s', 'm')").await.unwrap();
    let point = DuckType::Struct { fields: vec![("x".into(), DuckType::Integer), ("tag".into(), DuckType::Varchar)] };
    let cases = [
        ("NULL", Value::Null),
        ("true", Value::Boolean(true)),
        ("(-3)::TINYINT", Value::TinyInt(-3)),
        ("300::SMALLINT", Value::SmallInt(300)),
        ("42", Value::Integer(42)),
        ("9223372036854775807", Value::BigInt(i64::MAX)),
        ("(-170141183460469231731687303715884105728)::HUGEINT", Value::HugeInt(i128::MIN)),
        ("255::UTINYINT", Value::UTinyInt(255)),
        ("65535::USMALLINT", Value::USmallInt(65535)),
        ("4294967295::UINTEGER", Value::UInteger(u32::MAX)),
        ("18446744073709551615::UBIGINT", Value::UBigInt(u64::MAX)),
        ("340282366920938463463374607431768211455::UHUGEINT", Value::UHugeInt(u128::MAX)),
        ("1.5::FLOAT", Value::Float(1.5)),
        ("-0.25::DOUBLE", Value::Double(-0.25)),
        ("12.50::DECIMAL(10, 2)", Value::Decimal("12.50".parse().unwrap())),
        ("'héllo'", Value::Varchar("héllo".into())),
        ("'{\"a\": 1}'::JSON", Value::Varchar("{\"a\": 1}".into())),
        ("'m'::size", Value::Enum("m".into())),
        ("'\\x00\\xFF'::BLOB", Value::Blob(vec![0, 255])),
        ("'101'::BIT", Value::Bit("101".parse().unwrap())),
        ("DATE '1970-01-02'", Value::Date(1)),
        ("'infinity'::DATE", Value::Date(i32::MAX)),
        ("TIME '00:00:01.5'", Value::Time(1_500_000)),
        ("TIMETZ '00:00:01+01'", Value::TimeTz { micros: 1_000_000, offset_seconds: 3600 }),
        ("TIMESTAMP '1970-01-01 00:00:01'", Value::Timestamp(1_000_000)),
        ("TIMESTAMP_S '1970-01-01 00:00:02'", Value::Timestamp(2_000_000)),
        ("TIMESTAMP_NS '1970-01-01 00:00:00.000000003'", Value::TimestampNs(3)),
        ("'1970-01-01 00:00:00.000000003+00'::TIMESTAMPTZ_NS", Value::TimestampTzNs(3)),
        ("'00:00:00.000000007'::TIME_NS", Value::TimeNs(7)),
        ("'1970-01-01 00:00:01+00'::TIMESTAMPTZ", Value::TimestampTz(1_000_000)),
        ("INTERVAL 1 MONTH + INTERVAL 2 DAY", Value::Interval { months: 1, days: 2, micros: 0 }),
        ("'00000000-0000-0000-0000-000000000001'::UUID", Value::Uuid(1)),
        ("[1, NULL]", Value::List { element: DuckType::Integer, items: vec![Value::Integer(1), Value::Null] }),
        (
            "[1.5, 2.5]::DOUBLE[2]",
            Value::List { element: DuckType::Double, items: vec![Value::Double(1.5), Value::Double(2.5)] },
        ),
        (
            "{'x': 1, 'tag': NULL::VARCHAR}",
            Value::Struct { ty: point.clone(), values: vec![Value::Integer(1), Value::Null] },
        ),
        (
            "MAP {'k': [2]}",
            Value::Map {
                ty: DuckType::Map {
                    key: Box::new(DuckType::Varchar),
                    value: Box::new(DuckType::list(DuckType::Integer)),
                },
                entries: vec![(
                    Value::Varchar("k".into()),
                    Value::List { element: DuckType::Integer, items: vec![Value::Integer(2)] },
                )],
            },
        ),
    ];
    for (sql, expected) in cases {
        let value: Value = query_scalar(&format!("SELECT {sql}")).fetch_one(pool).await.unwrap();
        assert_eq!(value, expected, "{sql}");
        // And a value read binds back as the same value.
        if !matches!(expected, Value::Null | Value::Enum(_)) {
            let again: Value = query_scalar("SELECT $1").bind(value).fetch_one(pool).await.unwrap();
            assert_eq!(again, expected, "{sql} bound back");
        }
    }
    let union = DuckType::Union { members: vec![("i".into(), DuckType::Integer), ("s".into(), DuckType::Varchar)] };
    let value: Value = query_scalar("SELECT 1::UNION(i INTEGER, s VARCHAR)").fetch_one(pool).await.unwrap();
    assert_eq!(value, Value::Union { ty: union, tag: 0, value: Box::new(Value::Integer(1)) });
    let again: Value = query_scalar("SELECT $1").bind(value.clone()).fetch_one(pool).await.unwrap();
    assert_eq!(again, value);

    // A GEOMETRY reads as the WKB DuckDB stores, and binds back from it.
    let point = [1u8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x40];
    let wkb: Vec<u8> = query_scalar("SELECT 'POINT(1 2)'::GEOMETRY").fetch_one(pool).await.unwrap();
    assert_eq!(wkb, point);
    let value: Value = query_scalar("SELECT 'POINT(1 2)'::GEOMETRY").fetch_one(pool).await.unwrap();
    assert_eq!(value, Value::Geometry(point.to_vec()));
    let text: String = query_scalar("SELECT $1::GEOMETRY::VARCHAR").bind(value.clone()).fetch_one(pool).await.unwrap();
    assert_eq!(text, "POINT (1 2)");
    pool.execute_batch("CREATE TABLE places (g GEOMETRY)").await.unwrap();
    andamios::query("INSERT INTO places VALUES ($1)").bind(value.clone()).execute(pool).await.unwrap();
    // Appended as it is, so only in the form DuckDB stores: little-endian
    // ISO WKB (its cast, with `$1::GEOMETRY`, converts the others).
    pool.append("places", vec![(value,), (Value::Null,)]).await.unwrap();
    pool.append("places", vec![(point.to_vec(),)]).await.unwrap();
    let mut big_endian = vec![0u8, 0, 0, 0, 1];
    big_endian.extend(point[5..].chunks(8).flat_map(|c| c.iter().rev().copied().collect::<Vec<_>>()));
    let err = pool.append("places", vec![(big_endian.clone(),)]).await.unwrap_err();
    assert!(err.to_string().contains("big-endian part at byte 0"), "{err}");
    let err = pool.append("places", vec![(point[..10].to_vec(),)]).await.unwrap_err();
    assert!(err.to_string().contains("not WKB that a GEOMETRY column holds"), "{err}");
    let converted: String =
        query_scalar("SELECT $1::GEOMETRY::VARCHAR").bind(big_endian).fetch_one(pool).await.unwrap();
    assert_eq!(converted, "POINT (1 2)");
    let places: Vec<Option<String>> =
        query_scalar("SELECT g::VARCHAR FROM places ORDER BY g NULLS LAST").fetch_all(pool).await.unwrap();
    let expected = Some("POINT (1 2)".to_owned());
    assert_eq!(places, [expected.clone(), expected.clone(), expected, None]);
}

#[tokio::test]
async fn variants_read_as_values_and_json_and_bind_back() {
    use andamios::types::{DuckType, Value};
    use serde_json::json;
    let pool = &pool().await;
    let object = |fields: &[&str], values: Vec<Value>| Value::Struct {
        ty: DuckType::Struct { fields: fields.iter().map(|f| (f.to_string(), DuckType::Variant)).collect() },
        values,
    };
    let array = |items: Vec<Value>| Value::List { element: DuckType::Variant, items };
    let uuid = 0xa0eebc99_9c0b_4ef8_bb6d_6bb9bd380a11_u128;
    let cases = [
        ("42", Value::Integer(42)),
        ("'héllo'", Value::Varchar("héllo".into())),
        ("true", Value::Boolean(true)),
        ("false", Value::Boolean(false)),
        ("(-5)::TINYINT", Value::TinyInt(-5)),
        ("(-170141183460469231731687303715884105727)::HUGEINT", Value::HugeInt(i128::MIN + 1)),
        ("340282366920938463463374607431768211455::UHUGEINT", Value::UHugeInt(u128::MAX)),
        ("2.5::FLOAT", Value::Float(2.5)),
        ("1e300", Value::Double(1e300)),
        ("1.50::DECIMAL(5, 2)", Value::Decimal("1.50".parse().unwrap())),
        ("123456789012.345::DECIMAL(18, 3)", Value::Decimal("123456789012.345".parse().unwrap())),
        ("12345678901234567890.12::DECIMAL(38, 2)", Value::Decimal("12345678901234567890.12".parse().unwrap())),
        ("DATE '2024-02-29'", Value::Date(19_782)),
        ("TIME '10:11:12.5'", Value::Time(36_672_500_000)),
        ("TIME_NS '10:00:00.123456789'", Value::TimeNs(36_000_123_456_789)),
        ("TIMESTAMP '2024-01-01 10:00:00.123456'", Value::Timestamp(1_704_103_200_123_456)),
        ("TIMESTAMP_S '2024-01-01 10:00:00'", Value::Timestamp(1_704_103_200_000_000)),
        ("TIMESTAMP_MS '2024-01-01 10:00:00.123'", Value::Timestamp(1_704_103_200_123_000)),
        ("TIMESTAMP_NS '2024-01-01 10:00:00.123456789'", Value::TimestampNs(1_704_103_200_123_456_789)),
        ("'infinity'::TIMESTAMP", Value::Timestamp(i64::MAX)),
        ("'2024-01-01 10:00:00+00'::TIMESTAMPTZ", Value::TimestampTz(1_704_103_200_000_000)),
        ("'10:00:00+02'::TIMETZ", Value::TimeTz { micros: 36_000_000_000, offset_seconds: 7_200 }),
        ("INTERVAL '1 month 2 days 3 seconds'", Value::Interval { months: 1, days: 2, micros: 3_000_000 }),
        ("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID", Value::Uuid(uuid)),
        (r"'\xAA\xBB'::BLOB", Value::Blob(vec![0xAA, 0xBB])),
        ("'101'::BIT", Value::Bit("101".parse().unwrap())),
        (
            "'-123456789012345678901234567890'::BIGNUM",
            Value::BigNum("-123456789012345678901234567890".parse().unwrap()),
        ),
        ("[]::INTEGER[]", array(vec![])),
        ("[1, NULL, 3]", array(vec![Value::Integer(1), Value::Null, Value::Integer(3)])),
        (
            "{'a': 1, 'b': [1, 2], 'c': {'d': 'x'}}",
            object(
                &["a", "b", "c"],
                vec![
                    Value::Integer(1),
                    array(vec![Value::Integer(1), Value::Integer(2)]),
                    object(&["d"], vec![Value::Varchar("x".into())]),
                ],
            ),
        ),
        // An object's fields come in key order, however it was built.
        (r#"'{"z": 1, "y": 2}'::JSON"#, object(&["y", "z"], vec![Value::UBigInt(2), Value::UBigInt(1)])),
        (
            r#"'{"j": [1, "two", null], "k": -1}'::JSON"#,
            object(
                &["j", "k"],
                vec![array(vec![Value::UBigInt(1), Value::Varchar("two".into()), Value::Null]), Value::BigInt(-1)],
            ),
        ),
    ];
    for (sql, expected) in cases {
        let value: Value = query_scalar(&format!("SELECT ({sql})::VARIANT")).fetch_one(pool).await.unwrap();
        assert_eq!(value, expected, "{sql}");
        // The value binds back as the same VARIANT, but for an array of
        // values of different types, which a DuckDB list cannot hold.
        let again = query_scalar::<Value>("SELECT $1::VARIANT").bind(value.clone()).fetch_one(pool).await;
        if sql.contains("two") {
            let err = again.unwrap_err();
            assert!(err.to_string().contains("`$1::JSON::VARIANT`"), "{err}");
        } else {
            assert_eq!(again.unwrap(), expected, "{sql} bound back");
        }
    }
    // A NULL row is Value::Null, or None; a NULL inside is Value::Null.
    let null: Value = query_scalar("SELECT NULL::VARIANT").fetch_one(pool).await.unwrap();
    assert_eq!(null, Value::Null);
    let none: Option<Value> = query_scalar("SELECT NULL::VARIANT").fetch_one(pool).await.unwrap();
    assert_eq!(none, None);
    // Integers of different widths in one array bind back as BIGINTs.
    let mixed: Value =
        query_scalar("SELECT [1::TINYINT::VARIANT, 300::VARIANT]::VARIANT").fetch_one(pool).await.unwrap();
    let again: Value = query_scalar("SELECT $1::VARIANT").bind(mixed).fetch_one(pool).await.unwrap();
    assert_eq!(again, array(vec![Value::BigInt(1), Value::BigInt(300)]));

    // VARIANTs inside other columns: a LIST of them, a STRUCT field.
    let listed: Value = query_scalar("SELECT [1::VARIANT, 'a'::VARIANT, NULL]").fetch_one(pool).await.unwrap();
    assert_eq!(listed, array(vec![Value::Integer(1), Value::Varchar("a".into()), Value::Null]));
    let field: Value = query_scalar("SELECT {'v': [1, 2]::VARIANT, 'n': 3}").fetch_one(pool).await.unwrap();
    let ty = DuckType::Struct { fields: vec![("v".into(), DuckType::Variant), ("n".into(), DuckType::Integer)] };
    let values = vec![array(vec![Value::Integer(1), Value::Integer(2)]), Value::Integer(3)];
    assert_eq!(field, Value::Struct { ty, values });
    let text: String =
        query_scalar("SELECT $1::STRUCT(v VARIANT, n INTEGER)::VARCHAR").bind(field).fetch_one(pool).await.unwrap();
    assert_eq!(text, "{'v': [1, 2], 'n': 3}");

    let map: Value =
        query_scalar("SELECT MAP {'k': 1::TINYINT::VARIANT, 'j': 300::VARIANT}").fetch_one(pool).await.unwrap();
    let again: Value =
        query_scalar("SELECT $1::MAP(VARCHAR, VARIANT)").bind(map.clone()).fetch_one(pool).await.unwrap();
    let ty = DuckType::Map { key: Box::new(DuckType::Varchar), value: Box::new(DuckType::Variant) };
    let entries =
        vec![(Value::Varchar("k".into()), Value::BigInt(1)), (Value::Varchar("j".into()), Value::BigInt(300))];
    assert_eq!(again, Value::Map { ty, entries });

    // As JSON (feature `json`).
    let json: serde_json::Value = query_scalar(
        "SELECT {'n': 1, 'x': 2.5, 'd': 1.25::DECIMAL(4, 2), 's': 'a', 'l': [true, NULL], 'day': DATE '2024-02-29',
                 'id': 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID}::VARIANT",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let expected = json!({"n": 1, "x": 2.5, "d": 1.25, "s": "a", "l": [true, null], "day": "2024-02-29",
                          "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"});
    assert_eq!(json, expected);
    let err = query_scalar::<serde_json::Value>("SELECT NULL::VARIANT").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("Option<"), "{err}");
    let err = query_scalar::<serde_json::Value>(r"SELECT '\xAA'::BLOB::VARIANT").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("holding a BLOB, which has no JSON form here"), "{err}");
    let back: String = query_scalar("SELECT $1::JSON::VARIANT::VARCHAR").bind(json).fetch_one(pool).await.unwrap();
    assert!(back.starts_with("{'d': 1.25, 'day': 2024-02-29"), "{back}");

    // Another Rust type says which ones read a VARIANT.
    let err = query_scalar::<String>("SELECT 1::VARIANT AS v").fetch_one(pool).await.unwrap_err();
    assert!(err.to_string().contains("read it as Value or serde_json::Value"), "{err}");

    // Stored in a table: bound values are cast, and so are appended ones,
    // of any one Rust type per column (JSON text becomes objects and
    // arrays), or `Value`s of a type each.
    pool.execute_batch("CREATE TABLE docs (id INTEGER, body VARIANT)").await.unwrap();
    let body: Value = query_scalar("SELECT {'a': [1, 2]}::VARIANT").fetch_one(pool).await.unwrap();
    query("INSERT INTO docs VALUES (1, $1), (2, $2)").bind(body.clone()).bind(7i64).execute(pool).await.unwrap();
    pool.append("docs", vec![(3i32, Some("three".to_owned())), (4, None)]).await.unwrap();
    pool.append("docs", vec![(5i32, vec![1.5f64])]).await.unwrap();
    #[derive(andamios::AppendRow)]
    struct Doc {
        id: i32,
        #[andamios(json)]
        body: BTreeMap<String, Vec<i32>>,
    }
    pool.append("docs", vec![Doc { id: 6, body: BTreeMap::from([("a".to_owned(), vec![1, 2])]) }]).await.unwrap();
    let stored: Vec<Value> = query_scalar("SELECT body FROM docs ORDER BY id").fetch_all(pool).await.unwrap();
    let from_json = Value::Struct {
        ty: DuckType::Struct { fields: vec![("a".into(), DuckType::Variant)] },
        values: vec![array(vec![Value::UBigInt(1), Value::UBigInt(2)])],
    };
    let expected = [
        body.clone(),
        Value::BigInt(7),
        Value::Varchar("three".into()),
        Value::Null,
        array(vec![Value::Double(1.5)]),
        from_json,
    ];
    assert_eq!(stored, expected);

    // `Value`s whose types change from row to row, NULLs among them, and
    // values read from VARIANTs (an array of integers of two widths).
    pool.execute_batch("CREATE TABLE copies (id INTEGER, body VARIANT)").await.unwrap();
    let mixed_widths: Value =
        query_scalar("SELECT [1::TINYINT::VARIANT, 300::VARIANT]::VARIANT").fetch_one(pool).await.unwrap();
    let values = vec![
        Value::Integer(1),
        Value::Integer(2),
        Value::Null,
        Value::Varchar("three".into()),
        body.clone(),
        Value::Date(19_782),
        Value::Decimal(Decimal::new(125, 2)),
        mixed_widths,
        Value::Null,
        Value::Integer(9),
    ];
    let rows: Vec<(i32, Value)> = values.iter().cloned().enumerate().map(|(i, v)| (i as i32, v)).collect();
    assert_eq!(pool.append("copies", rows).await.unwrap(), values.len() as u64);
    #[derive(andamios::AppendRow)]
    struct Copy {
        id: i32,
        body: Option<Value>,
    }
    let copies = vec![Copy { id: 10, body: Some(Value::Boolean(true)) }, Copy { id: 11, body: None }];
    pool.append("copies", copies).await.unwrap();
    let stored: Vec<Option<Value>> = query_scalar("SELECT body FROM copies ORDER BY id").fetch_all(pool).await.unwrap();
    let mut expected: Vec<Option<Value>> = values.into_iter().map(|v| Some(v).filter(|v| *v != Value::Null)).collect();
    expected[7] = Some(array(vec![Value::BigInt(1), Value::BigInt(300)]));
    expected.extend([Some(Value::Boolean(true)), None]);
    assert_eq!(stored, expected);
    let types: Vec<String> =
        query_scalar("SELECT variant_typeof(body) FROM copies WHERE id IN (0, 3, 5, 6) ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(types, ["INT32", "VARCHAR", "DATE", "DECIMAL(3, 2)"]);

    // Runs of one type longer than a chunk, then another type.
    let long_runs: Vec<(i32, Value)> = (0..5_000)
        .map(|i| (100 + i, if i < 3_000 { Value::BigInt(i.into()) } else { Value::Varchar(i.to_string()) }))
        .collect();
    pool.append("copies", long_runs).await.unwrap();
    let (count, numbers, texts): (i64, i64, i64) = andamios::query_as(
        "SELECT count(*), count(*) FILTER (variant_typeof(body) = 'INT64' AND body::BIGINT = id - 100),
                count(*) FILTER (variant_typeof(body) = 'VARCHAR' AND body::VARCHAR = (id - 100)::VARCHAR)
         FROM copies WHERE id >= 100",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((count, numbers, texts), (5_000, 3_000, 2_000));
    pool.execute_batch("DELETE FROM copies WHERE id >= 100").await.unwrap();

    // An array of values of two types has no one DuckDB type: the row is
    // an error that says what to do, and none of the rows land, not even
    // those of the chunk already appended before it.
    let two_types: Value = query_scalar(r#"SELECT '[1, "two"]'::JSON::VARIANT"#).fetch_one(pool).await.unwrap();
    let rows = vec![(20i32, Value::Integer(1)), (21, Value::Varchar("x".into())), (22, two_types)];
    let err = pool.append("copies", rows).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("the row at index 2, column `body` (VARIANT)"), "{message}");
    assert!(message.contains("append a `serde_json::Value`"), "{message}");
    let count: i64 = query_scalar("SELECT count(*) FROM copies").fetch_one(pool).await.unwrap();
    assert_eq!(count, 12);
}

/// A STRUCT with a nullable field, a string of any length (inline in
/// DuckDB up to 12 bytes) and a list, for the randomised test below.
#[derive(Debug, Clone, PartialEq, Type)]
struct Item {
    x: Option<i64>,
    name: String,
    tags: Vec<Option<String>>,
}

/// A fixed-seed xorshift generator: the same rows every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// NULL one time in five.
    fn maybe<T>(&mut self, make: impl FnOnce(&mut Self) -> T) -> Option<T> {
        (self.below(5) != 0).then(|| make(self))
    }

    fn text(&mut self) -> String {
        let len = self.below(40);
        (0..len).map(|_| char::from(b'a' + self.below(26) as u8)).collect()
    }

    fn item(&mut self) -> Item {
        let tags = self.below(6);
        Item {
            x: self.maybe(|r| r.next() as i64),
            name: self.text(),
            tags: (0..tags).map(|_| self.maybe(Rng::text)).collect(),
        }
    }
}

type NestedRow =
    (i32, Option<Vec<Option<i32>>>, Option<Item>, Option<Vec<Option<Item>>>, Option<BTreeMap<String, Vec<i32>>>);

/// Nested values with NULLs at every level, over several data chunks and
/// list children far longer than a chunk: what the appender writes, what
/// INSERT stores from bound values, and what `fetch_all` and `fetch` read
/// back all agree with the rows given.
#[tokio::test]
async fn many_random_nested_rows_agree_across_append_insert_and_reads() {
    use futures::TryStreamExt;
    let pool = &pool().await;
    let columns = "i INTEGER, a INTEGER[], s STRUCT(x BIGINT, name VARCHAR, tags VARCHAR[]), \
                   l STRUCT(x BIGINT, name VARCHAR, tags VARCHAR[])[], m MAP(VARCHAR, INTEGER[])";
    pool.execute_batch(&format!("CREATE TABLE appended ({columns}); CREATE TABLE inserted ({columns})")).await.unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let rows: Vec<NestedRow> = (0..10_000)
        .map(|i| {
            let a = rng.maybe(|r| (0..r.below(50)).map(|_| r.maybe(|r| r.next() as i32)).collect());
            let s = rng.maybe(Rng::item);
            let l = rng.maybe(|r| (0..r.below(8)).map(|_| r.maybe(Rng::item)).collect());
            let m = rng.maybe(|r| {
                (0..r.below(4)).map(|_| (r.text(), (0..r.below(5)).map(|_| r.next() as i32).collect())).collect()
            });
            (i, a, s, l, m)
        })
        .collect();

    assert_eq!(pool.append("appended", rows.clone()).await.unwrap(), 10_000);
    for batch in rows.chunks(500) {
        let mut insert = andamios::QueryBuilder::new("INSERT INTO inserted ");
        insert.push_values(batch.iter().cloned(), |mut row, (i, a, s, l, m)| {
            row.push_bind(i).push_bind(a).push_bind(s).push_bind(l).push_bind(m);
        });
        insert.build().execute(pool).await.unwrap();
    }
    for table in ["appended", "inserted"] {
        let sql = format!("SELECT * FROM {table} ORDER BY i");
        let read: Vec<NestedRow> = andamios::query_as(&sql).fetch_all(pool).await.unwrap();
        // Compared one by one, so that a failure shows the first row that differs.
        for (read, given) in read.iter().zip(&rows) {
            assert_eq!(read, given, "fetch_all from {table}");
        }
        assert_eq!(read.len(), rows.len());
        let streamed: Vec<NestedRow> = andamios::query_as(&sql).fetch(pool).try_collect().await.unwrap();
        assert!(streamed == rows, "fetch from {table}");
    }
    let differing: i64 = query_scalar("SELECT count(*) FROM (SELECT * FROM appended EXCEPT SELECT * FROM inserted)")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(differing, 0);
}
