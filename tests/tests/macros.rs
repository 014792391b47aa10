//! The checked macros against this crate's migrations (or, with
//! `ANDAMIOS_OFFLINE=true`, against the committed offline cache).

use andamios::{query, query_as, query_file, query_scalar, Pool, Type};

async fn pool() -> Pool {
    let pool = Pool::connect("duckdb::memory:").await.unwrap();
    pool.execute_batch(include_str!("../migrations/1_schema.sql")).await.unwrap();
    pool.execute_batch(include_str!("../migrations/2_views.sql")).await.unwrap();
    pool.execute_batch(
        "INSERT INTO users (id, name, email, mood) VALUES (1, 'ana', 'ana@example.com', 'happy'), (2, 'bo', NULL, NULL);
         INSERT INTO posts (id, user_id, title, body, score, price, tags)
             VALUES (10, 1, 'first', NULL, 1.5, 9.99, ['a', 'b']), (11, 1, 'second', 'text', 2.5, NULL, NULL);",
    )
    .await
    .unwrap();
    pool
}

#[tokio::test]
async fn query_returns_typed_records() {
    let pool = pool().await;
    let user = query!("SELECT id, name, email, joined FROM users WHERE id = $1", 1i64).fetch_one(&pool).await.unwrap();
    let (id, name, email, joined): (i64, String, Option<String>, chrono::NaiveDate) =
        (user.id, user.name, user.email, user.joined);
    assert_eq!((id, name.as_str(), email.as_deref()), (1, "ana", Some("ana@example.com")));
    assert_eq!(joined, chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());

    // A TIMESTAMPTZ parameter takes a chrono time with an offset.
    let at = chrono::DateTime::parse_from_rfc3339("2024-05-01T12:00:00+02:00").unwrap();
    let utc = query_scalar!(r#"SELECT $1::TIMESTAMPTZ AS "at!""#, at).fetch_one(&pool).await.unwrap();
    assert_eq!(utc.to_rfc3339(), "2024-05-01T10:00:00+00:00");

    // An INTERVAL parameter takes a std Duration.
    let interval = query_scalar!(r#"SELECT $1::INTERVAL AS "i!""#, std::time::Duration::from_secs(90))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(interval.fixed_micros(), Some(90_000_000));

    // A MAP whose keys are floats (no HashMap key) is its entries in order.
    let map =
        query_scalar!(r#"SELECT MAP {2.5::DOUBLE: 1, 0.5::DOUBLE: NULL} AS "m!""#).fetch_one(&pool).await.unwrap();
    assert_eq!(map, [(2.5, Some(1)), (0.5, None)]);

    // A column named after a keyword is a raw field, as in SQLx.
    let row = query!("SELECT name AS type, id AS match FROM users WHERE id = $1", 1i64).fetch_one(&pool).await.unwrap();
    assert_eq!((row.r#type.as_str(), row.r#match), ("ana", 1));

    // The right side of a LEFT JOIN is Option even where its column is NOT NULL.
    let rows = query!("SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id ORDER BY u.id, p.id")
        .fetch_all(&pool)
        .await
        .unwrap();
    let titles: Vec<Option<String>> = rows.into_iter().map(|r| r.title).collect();
    assert_eq!(titles, [Some("first".to_owned()), Some("second".to_owned()), None]);

    // count(*) is not an Option.
    let n: i64 = query_scalar!("SELECT count(*) FROM posts WHERE user_id = $1", 1i64).fetch_one(&pool).await.unwrap();
    assert_eq!(n, 2);

    // Nor is a count per row from a correlated subquery: 0 where nothing matches.
    let rows = query!(
        "SELECT u.name, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS posts FROM users u ORDER BY u.id"
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let counts: Vec<(String, i64)> = rows.into_iter().map(|r| (r.name, r.posts)).collect();
    assert_eq!(counts, [("ana".to_owned(), 2), ("bo".to_owned(), 0)]);
}

#[tokio::test]
async fn query_as_fills_the_callers_struct() {
    #[derive(Debug, PartialEq)]
    struct Post {
        id: i64,
        title: String,
        body: Option<String>,
        price: Option<rust_decimal::Decimal>,
        tags: Option<Vec<Option<String>>>,
    }
    let pool = pool().await;
    let posts =
        query_as!(Post, "SELECT id, title, body, price, tags FROM posts ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(posts[0].price, Some(rust_decimal::Decimal::new(999, 2)));
    assert_eq!(posts[0].tags, Some(vec![Some("a".to_owned()), Some("b".to_owned())]));
    assert_eq!(posts[1].body.as_deref(), Some("text"));
    let one = query_as!(Post, "SELECT id, title, body, price, tags FROM posts WHERE id = $1", 99i64)
        .fetch_optional(&pool)
        .await
        .unwrap();
    assert!(one.is_none());
}

#[derive(Debug, Clone, Copy, PartialEq, Type)]
#[andamios(rename_all = "lowercase")]
enum Mood {
    Happy,
    Sad,
    Meh,
}

/// Large results through `query_as!`, whose rows wrap the caller's struct:
/// decoded on two threads (with a VARCHAR) or straight into the result
/// (fixed-width), and unwrapped as they are moved into it.
#[tokio::test]
async fn query_as_of_large_results_keeps_every_row_in_order() {
    #[derive(Debug)]
    struct Labelled {
        id: i64,
        label: String,
    }
    #[derive(Debug)]
    struct Halved {
        id: i64,
        half: f64,
    }
    let pool = pool().await;
    let rows = query_as!(Labelled, "SELECT range AS id, 'row ' || range AS label FROM range(300001) ORDER BY range")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), 300_001);
    assert!(rows.iter().enumerate().all(|(i, r)| r.id == i as i64 && r.label == format!("row {i}")));
    let rows = query_as!(Halved, "SELECT range AS id, (range * 0.5)::DOUBLE AS half FROM range(300001) ORDER BY range")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), 300_001);
    assert!(rows.iter().enumerate().all(|(i, r)| r.id == i as i64 && r.half == i as f64 * 0.5));
}

/// Typed ids, as newtypes: named in aliases, bound as arguments.
#[derive(Debug, Clone, Copy, PartialEq, Type)]
struct UserId(i64);

#[derive(Debug, Clone, Copy, PartialEq, Type)]
struct PostId(i64);

/// A newtype over the ENUM's Rust enum keeps its compile-time member check.
#[derive(Debug, Clone, Copy, PartialEq, Type)]
struct UserMood(Mood);

#[tokio::test]
async fn newtypes_in_aliases_and_arguments() {
    let pool = pool().await;
    let author = UserId(1);
    let posts = query!(
        r#"SELECT p.id AS "id: PostId", u.id AS "author: UserId", u.mood AS "mood: UserMood"
           FROM posts p JOIN users u ON u.id = p.user_id
           WHERE p.user_id = $1 AND NOT list_contains($2::BIGINT[], p.id) ORDER BY p.id"#,
        author,
        vec![PostId(11)],
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(posts.len(), 1);
    let (id, by, mood): (PostId, UserId, Option<UserMood>) = (posts[0].id, posts[0].author, posts[0].mood);
    assert_eq!((id, by, mood), (PostId(10), author, Some(UserMood(Mood::Happy))));
}

#[derive(Debug, Clone, PartialEq, Type)]
struct Email(String);

/// A `query_as!` field of a newtype takes its column without an alias: the
/// plain type into the newtype, and a nullable column into an `Option` of it
/// (no `AS "email: Email"`).
#[tokio::test]
async fn query_as_fills_newtype_fields_without_aliases() {
    #[derive(Debug, PartialEq)]
    struct User {
        id: UserId,
        name: String,
        email: Option<Email>,
    }
    let pool = pool().await;
    let users = query_as!(User, "SELECT id, name, email FROM users ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(
        users,
        [
            User { id: UserId(1), name: "ana".into(), email: Some(Email("ana@example.com".into())) },
            User { id: UserId(2), name: "bo".into(), email: None },
        ]
    );
    // And with an argument.
    let one = query_as!(User, "SELECT id, name, email FROM users WHERE id = $1", 2i64).fetch_one(&pool).await.unwrap();
    assert_eq!(one.email, None);
}

#[derive(Debug, Clone, PartialEq, Type)]
struct Tag(String);

#[derive(Debug, Clone, PartialEq, Type)]
struct Tags(Vec<String>);

/// A `query_as!` field that is a list of newtypes takes a list column
/// value by value, without an alias: `Vec<PostId>` for a `BIGINT[]`,
/// `Vec<Option<PostId>>` where a value can be NULL, an `Option` of either
/// for a list that can be NULL. A newtype of the whole `Vec` still fits,
/// and so does the column's own type.
#[tokio::test]
async fn query_as_fills_list_fields_of_newtypes_without_aliases() {
    #[derive(Debug, PartialEq)]
    struct Author {
        id: UserId,
        posts: Vec<PostId>,
        posts_or_none: Vec<Option<PostId>>,
        filtered: Option<Vec<Option<PostId>>>,
        maybe_posts: Option<Vec<PostId>>,
        tags: Option<Vec<Option<Tag>>>,
        tag_list: Tags,
        maybe_tag_list: Option<Tags>,
        plain: Vec<i64>,
        widened: Vec<Option<i64>>,
        pairs: Vec<Vec<i64>>,
    }
    let pool = pool().await;
    let authors = query_as!(
        Author,
        "SELECT u.id,
                [u.id * 10, u.id * 10 + 1] AS posts,
                list(p.id ORDER BY p.id) AS posts_or_none,
                list(p.id ORDER BY p.id) FILTER (WHERE p.id IS NOT NULL) AS filtered,
                [u.id * 10] AS maybe_posts,
                max(p.tags) AS tags,
                ['x', u.name] AS tag_list,
                [u.name] AS maybe_tag_list,
                [u.id] AS plain,
                [u.id] AS widened,
                [[u.id, u.id]] AS pairs
         FROM users u LEFT JOIN posts p ON p.user_id = u.id
         GROUP BY u.id, u.name ORDER BY u.id"
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        authors,
        [
            Author {
                id: UserId(1),
                posts: vec![PostId(10), PostId(11)],
                posts_or_none: vec![Some(PostId(10)), Some(PostId(11))],
                filtered: Some(vec![Some(PostId(10)), Some(PostId(11))]),
                maybe_posts: Some(vec![PostId(10)]),
                tags: Some(vec![Some(Tag("a".into())), Some(Tag("b".into()))]),
                tag_list: Tags(vec!["x".into(), "ana".into()]),
                maybe_tag_list: Some(Tags(vec!["ana".into()])),
                plain: vec![1],
                widened: vec![Some(1)],
                pairs: vec![vec![1, 1]],
            },
            Author {
                id: UserId(2),
                posts: vec![PostId(20), PostId(21)],
                posts_or_none: vec![None],
                filtered: None,
                maybe_posts: Some(vec![PostId(20)]),
                tags: None,
                tag_list: Tags(vec!["x".into(), "bo".into()]),
                maybe_tag_list: Some(Tags(vec!["bo".into()])),
                plain: vec![2],
                widened: vec![Some(2)],
                pairs: vec![vec![2, 2]],
            },
        ]
    );
}

#[tokio::test]
async fn overrides_in_aliases() {
    let pool = pool().await;
    let row = query!(
        r#"SELECT email AS "email!", id AS "id?", mood AS "mood: Mood", name AS "name!: String" FROM users WHERE id = 1"#
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let email: String = row.email;
    let id: Option<i64> = row.id;
    let mood: Option<Mood> = row.mood;
    assert_eq!((email.as_str(), id, mood, row.name.as_str()), ("ana@example.com", Some(1), Some(Mood::Happy), "ana"));

    // An ENUM read as a String, and as a list of the enum, pass the
    // compile-time check of its members.
    let text =
        query_scalar!(r#"SELECT mood AS "mood: String" FROM users WHERE id = 1"#).fetch_one(&pool).await.unwrap();
    assert_eq!(text.as_deref(), Some("happy"));
    // Text kept inline (feature `compact_str`), decoded straight into it.
    let names = query_scalar!(r#"SELECT name AS "name: compact_str::CompactString" FROM users ORDER BY id"#)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(names, ["ana", "bo"]);
    let moods = query_scalar!(r#"SELECT [mood, 'sad'::mood] AS "moods!: Vec<Mood>" FROM users WHERE id = 1"#)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(moods, [Mood::Happy, Mood::Sad]);

    // A UNION column, read into an enum named in the alias.
    #[derive(Debug, PartialEq, Type)]
    enum Score {
        #[andamios(rename = "points")]
        Points(i32),
        #[andamios(rename = "label")]
        Label(String),
    }
    let scores = query_scalar!(
        r#"SELECT union_value(label := name)::UNION(points INTEGER, label VARCHAR) AS "score!: Score" FROM users ORDER BY id"#
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(scores, [Score::Label("ana".into()), Score::Label("bo".into())]);
    // `query_as!` reads it as its field's type, with no type in the alias.
    struct Scored {
        score: Score,
    }
    let scored = query_as!(
        Scored,
        r#"SELECT union_value(points := id::INTEGER)::UNION(points INTEGER, label VARCHAR) AS "score!" FROM users
           ORDER BY id"#
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(scored.iter().map(|s| &s.score).collect::<Vec<_>>(), [&Score::Points(1), &Score::Points(2)]);

    // A forced non-null column that is NULL is a decode error naming it.
    let err = query!(r#"SELECT email AS "email!" FROM users WHERE id = 2"#).fetch_one(&pool).await.unwrap_err();
    assert!(err.to_string().contains("email"), "{err}");

    #[derive(Debug)]
    struct Named {
        name: String,
        posts: i64,
    }
    let counts = query_as!(Named, r#"SELECT name, posts AS "posts: _" FROM post_counts ORDER BY name"#)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(counts.iter().map(|c| (c.name.as_str(), c.posts)).collect::<Vec<_>>(), [("ana", 2), ("bo", 0)]);
}

#[tokio::test]
async fn arguments_are_borrowed_and_may_skip_checks() {
    let pool = pool().await;
    let name = String::from("bo");
    let id = query_scalar!("SELECT id FROM users WHERE name = $1", name).fetch_one(&pool).await.unwrap();
    assert_eq!(id, 2);
    assert_eq!(name, "bo", "the argument was borrowed, not moved");
    let small: i32 = 2;
    let title = query_scalar!("SELECT name FROM users WHERE id = $1", small).fetch_one(&pool).await.unwrap();
    assert_eq!(title, "bo");
    // A date for a TIMESTAMP parameter is its midnight, as DuckDB casts it.
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    let midnight = query_scalar!(r#"SELECT $1::TIMESTAMP AS "t!""#, day).fetch_one(&pool).await.unwrap();
    assert_eq!(midnight, day.and_hms_opt(0, 0, 0).unwrap());
    let later =
        query_scalar!("SELECT count(*) FROM users WHERE joined::TIMESTAMP >= $1", day).fetch_one(&pool).await.unwrap();
    assert_eq!(later, 0);
    let raw = andamios::types::Value::BigInt(1);
    let found = query_scalar!("SELECT name FROM users WHERE id = $1", raw as _).fetch_one(&pool).await.unwrap();
    assert_eq!(found, "ana");
    let named = query_scalar!("SELECT count(*) FROM users WHERE id > $min AND id < $max", 0i64, 10i64)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(named, 2);
    // A bare `None` binds a NULL, whatever the parameter's type: an optional
    // filter takes one without naming a type.
    let all = query_scalar!("SELECT count(*) FROM users WHERE ($1::VARCHAR IS NULL OR name = $1)", None)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(all, 2);
    let one = query_scalar!("SELECT count(*) FROM users WHERE ($1::VARCHAR IS NULL OR name = $1)", Some("bo"))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
    let fallback = query_scalar!(r#"SELECT coalesce($1::BIGINT, 7) AS "v!""#, None).fetch_one(&pool).await.unwrap();
    assert_eq!(fallback, 7i64);
}

#[tokio::test]
async fn statements_without_rows_execute() {
    let pool = pool().await;
    let inserted = query!("INSERT INTO users (id, name) VALUES ($1, $2)", 3i64, "cy").execute(&pool).await.unwrap();
    assert_eq!(inserted, 1);
    let returned = query!("INSERT INTO users (id, name) VALUES ($1, $2) RETURNING id, email", 4i64, "di")
        .fetch_one(&pool)
        .await
        .unwrap();
    let email: Option<String> = returned.email;
    assert_eq!((returned.id, email), (4, None));
    let mut tx = pool.begin().await.unwrap();
    let deleted = query!("DELETE FROM users WHERE id >= $1", 3i64).execute(&mut tx).await.unwrap();
    assert_eq!(deleted, 2);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn file_and_unchecked_forms() {
    let pool = pool().await;
    let user = query_file!("queries/user_by_id.sql", 2i64).fetch_one(&pool).await.unwrap();
    assert_eq!((user.id, user.name.as_str(), user.email), (2, "bo", None));
    let row =
        andamios::query_unchecked!("SELECT id, name FROM users WHERE id = $1", 1i64).fetch_one(&pool).await.unwrap();
    assert_eq!(row.get::<String, _>("name"), "ana");
    let n: i64 = andamios::query_scalar_unchecked!("SELECT count(*) FROM users").fetch_one(&pool).await.unwrap();
    assert_eq!(n, 2);
    #[derive(andamios::FromRow)]
    struct Id {
        id: i64,
    }
    let ids = andamios::query_as_unchecked!(Id, "SELECT id FROM users ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(ids.iter().map(|i| i.id).collect::<Vec<_>>(), [1, 2]);
}

#[tokio::test]
async fn checked_queries_stream() {
    use futures::StreamExt;
    let pool = pool().await;
    let mut titles = query!("SELECT title FROM posts ORDER BY id").fetch(&pool);
    let mut seen = Vec::new();
    while let Some(row) = titles.next().await {
        seen.push(row.unwrap().title);
    }
    assert_eq!(seen, ["first", "second"]);
}

#[tokio::test]
async fn bit_bignum_and_timetz_columns_and_parameters() {
    let pool = pool().await;
    let bits: andamios::types::BitString = "1011".parse().unwrap();
    let row = query!(r#"SELECT $1::BIGNUM AS "n!", $2::BIT AS "b!", TIMETZ '10:00:00+01' AS t"#, -12i64, &bits,)
        .fetch_one(&pool)
        .await
        .unwrap();
    let n: andamios::types::BigNum = row.n;
    let b: andamios::types::BitString = row.b;
    let t: andamios::types::TimeTz = row.t;
    assert_eq!((n.to_string(), b.to_string()), ("-12".to_owned(), "1011".to_owned()));
    assert_eq!(t, andamios::types::TimeTz { micros: 36_000_000_000, offset_seconds: 3600 });
}

#[tokio::test]
async fn json_columns_as_serde_types() {
    use andamios::types::Json;
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Point {
        x: i32,
        y: i32,
    }
    let pool = pool().await;
    let point = Json(Point { x: 1, y: -2 });
    let back = query_scalar!(r#"SELECT $1::JSON AS "p!: Json<Point>""#, &point).fetch_one(&pool).await.unwrap();
    assert_eq!(back, point);
}

#[tokio::test]
async fn a_list_parameter_stands_for_an_in_list() {
    let pool = pool().await;
    let ids = vec![1i64, 2, 99];
    let names = query_scalar!("SELECT name FROM users WHERE id IN (SELECT unnest($1::BIGINT[])) ORDER BY id", &ids)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(names, ["ana", "bo"]);
    let names = query_scalar!("SELECT name FROM users WHERE list_contains($1::BIGINT[], id) ORDER BY id", &ids[..1])
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(names, ["ana"]);
    let names = query_scalar!("SELECT name FROM users WHERE id = ANY($1::BIGINT[]) ORDER BY id", ids.clone())
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(names, ["ana", "bo"]);
    // The values of `list(x)` are Options only where `x` may be NULL, and
    // an unnested value is one where the list's values may be; the alias
    // says otherwise.
    let grouped = query!(
        r#"SELECT list(id ORDER BY id) AS ids, list(email ORDER BY id) AS emails,
                  list(email) FILTER (WHERE email IS NOT NULL) AS "present: Vec<String>"
           FROM users"#
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let ids: Option<Vec<i64>> = grouped.ids;
    let emails: Option<Vec<Option<String>>> = grouped.emails;
    assert_eq!(ids, Some(vec![1, 2]));
    assert_eq!(emails, Some(vec![Some("ana@example.com".to_owned()), None]));
    assert_eq!(grouped.present, Some(vec!["ana@example.com".to_owned()]));
    let parts: Vec<String> = query_scalar!("SELECT string_split('a,b', ',')").fetch_one(&pool).await.unwrap();
    assert_eq!(parts, ["a", "b"]);
    // A running total over a NOT NULL column is not an Option.
    let running =
        query!("SELECT id, sum(id) OVER (ORDER BY id) AS total, lag(id) OVER (ORDER BY id) AS previous FROM users")
            .fetch_all(&pool)
            .await
            .unwrap();
    let totals: Vec<(i128, Option<i64>)> = running.into_iter().map(|r| (r.total, r.previous)).collect();
    assert_eq!(totals, [(1, None), (3, Some(1))]);
    // EXISTS is a plain bool.
    let has_posts: Vec<bool> =
        query_scalar!("SELECT EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id) FROM users u ORDER BY u.id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(has_posts, [true, false]);
    // A MAP's values are followed as a list's: `histogram` counts.
    let counts: Option<std::collections::HashMap<String, u64>> =
        query_scalar!("SELECT histogram(name) FROM users").fetch_one(&pool).await.unwrap();
    assert_eq!(counts.unwrap()["ana"], 1);
    let unnested: Vec<i64> =
        query_scalar!("SELECT unnest(list(id ORDER BY id)) FROM users").fetch_all(&pool).await.unwrap();
    assert_eq!(unnested, [1, 2]);
    // A field that allows NULL values takes a list that has none, and one
    // that allows NULL a column that is never NULL.
    struct Grouped {
        ids: Option<Vec<Option<i64>>>,
        count: Option<i64>,
        names: Option<std::collections::HashMap<String, Option<u64>>>,
    }
    let grouped = query_as!(
        Grouped,
        "SELECT list(id ORDER BY id) AS ids, count(*) AS count, histogram(name) AS names FROM users"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((grouped.ids, grouped.count), (Some(vec![Some(1), Some(2)]), Some(2)));
    assert_eq!(grouped.names.unwrap()["bo"], Some(1));
    // A Rust array for an ARRAY parameter, and read back as one.
    let nearest = query_scalar!(
        r#"SELECT v AS "v!: [f32; 2]" FROM (VALUES ([1.0, 0.0]::FLOAT[2]), ([0.0, 9.0]::FLOAT[2])) AS t(v)
           ORDER BY array_distance(v, $1::FLOAT[2]) LIMIT 1"#,
        [0.5f32, 0.5]
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(nearest, [1.0, 0.0]);
}

#[tokio::test]
async fn upserts_and_merges_return_typed_rows() {
    let pool = pool().await;
    let row = query!(
        "INSERT INTO users (id, name) VALUES ($1, $2) ON CONFLICT DO UPDATE SET name = excluded.name RETURNING id, name, email",
        2i64,
        "bo2",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let (id, name, email): (i64, String, Option<String>) = (row.id, row.name, row.email);
    assert_eq!((id, name.as_str(), email.as_deref()), (2, "bo2", None));
    let merged = query!(
        "MERGE INTO users u USING (SELECT $1::BIGINT AS id) s ON u.id = s.id WHEN MATCHED THEN UPDATE SET email = 'bo@example.com'",
        2i64
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(merged, 1);
}

/// Named parameters (`$id`) take `name = value` arguments in any order, or,
/// given no arguments, the variables of those names, as `format!` does.
#[tokio::test]
async fn named_parameters_bind_by_name_or_from_variables() {
    let pool = pool().await;
    let (id, name) = (3i64, "cy");
    query!("INSERT INTO users (id, name) VALUES ($id, $name)").execute(&pool).await.unwrap();
    query!(
        "INSERT INTO users (id, name, email) VALUES ($id, $name, $email)",
        email = Some("di@x"),
        name = "di",
        id = 4i64
    )
    .execute(&pool)
    .await
    .unwrap();
    // A name used twice is one parameter; a keyword is a raw variable.
    let r#type = 3i64;
    let names = query_scalar!("SELECT name FROM users WHERE id = $type OR id = $type::BIGINT + 1 ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(names, ["cy", "di"]);
    let email = query_scalar!("SELECT email FROM users WHERE id = $id", id = 4i64).fetch_one(&pool).await.unwrap();
    assert_eq!(email.as_deref(), Some("di@x"));
    // DuckDB's names ignore case, and so do the arguments' names.
    let email =
        query_scalar!("SELECT email FROM users WHERE id = $userId", userid = 4i64).fetch_one(&pool).await.unwrap();
    assert_eq!(email.as_deref(), Some("di@x"));
}

/// A statement whose columns only a parameter's value decides (the file a
/// table function reads) runs through the unchecked macro.
#[tokio::test]
async fn a_file_named_by_a_parameter_is_read_through_the_unchecked_macro() {
    let pool = pool().await;
    let file = std::env::temp_dir().join(format!("andamios-scores-{}.csv", std::process::id()));
    std::fs::write(&file, "name,score\nana,3\nbo,5\n").unwrap();
    let path = file.to_str().unwrap();
    let rows =
        andamios::query_unchecked!("SELECT * FROM read_csv($1::VARCHAR) ORDER BY score", path).fetch_all(&pool).await;
    std::fs::remove_file(&file).unwrap();
    let rows = rows.unwrap();
    let scores: Vec<(String, i64)> = rows.iter().map(|r| (r.get("name"), r.get("score"))).collect();
    assert_eq!(scores, [("ana".to_owned(), 3), ("bo".to_owned(), 5)]);
}

/// A PIVOT names its columns after values in the data: with the values
/// listed, the checked macro types them; without, only the unchecked one
/// runs it (the checked one is a compile error, `ui/checked/pivot_without_in_list`).
#[tokio::test]
async fn a_pivot_is_typed_with_its_values_listed_and_runs_unchecked_without() {
    let pool = pool().await;
    let counts = query!("PIVOT (SELECT name FROM users) ON name IN ('ana', 'bo', 'cy') USING count(*)")
        .fetch_one(&pool)
        .await
        .unwrap();
    let by_name: (i64, i64, i64) = (counts.ana, counts.bo, counts.cy);
    assert_eq!(by_name, (1, 1, 0));
    let rows = andamios::query_unchecked!("PIVOT users ON name USING count(*)").fetch_all(&pool).await.unwrap();
    let columns: Vec<&str> = rows[0].columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns[columns.len() - 2..], ["ana", "bo"]);
}

/// A STRUCT column reads into a struct the macro defines, named after the
/// column, with an `Option` per field unless none can be NULL; `query_as!`
/// reads it as its field's type, a struct that derives `Type`.
#[tokio::test]
async fn a_struct_column_reads_into_a_struct_of_its_own() {
    let pool = pool().await;
    let row = query!(
        "SELECT id, {'name': name, 'email': email, 'type': 'user', 'at': {'day': joined}} AS profile,
                [{'n': 1}, NULL] AS parts
         FROM users WHERE id = 2"
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let profile = row.profile;
    assert_eq!(profile.name.as_deref(), Some("bo"));
    assert_eq!(profile.email, None);
    assert_eq!(profile.r#type.as_deref(), Some("user"));
    assert_eq!(profile.at.and_then(|at| at.day).map(|day| day.to_string()).as_deref(), Some("2024-01-01"));
    assert_eq!(row.parts.len(), 2);
    assert_eq!(row.parts[0].as_ref().and_then(|part| part.n), Some(1));
    assert!(row.parts[1].is_none());
    // Debug, Clone and PartialEq, for logging and tests.
    assert_eq!(row.parts.clone(), row.parts);
    assert!(format!("{:?}", row.parts[0]).contains("n: Some(1)"));

    // Of values that are never NULL, the fields are not `Option`s.
    let who = query_scalar!("SELECT {'id': id, 'name': name, 'since': joined} FROM users WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (id, name): (i64, String) = (who.id, who.name);
    assert_eq!((id, name.as_str(), who.since.to_string().as_str()), (1, "ana", "2024-01-01"));
    // A LIST of such STRUCTs (rows nested in a row): plain fields too.
    let posts = query_scalar!(r#"SELECT list({'id': id, 'title': title} ORDER BY id) AS "posts!" FROM posts"#)
        .fetch_one(&pool)
        .await
        .unwrap();
    let firsts: Vec<(i64, &str)> = posts.iter().map(|post| (post.id, post.title.as_str())).collect();
    assert_eq!(firsts, [(10, "first"), (11, "second")]);
    // That column has no alias: DuckDB names it after its text, whose `:`
    // is no type override. Nor is the one in this string.
    let labelled = query_scalar!("SELECT concat(name, ':') FROM users WHERE id = 1").fetch_one(&pool).await.unwrap();
    assert_eq!(labelled, "ana:");

    let totals = query_scalar!("SELECT {'posts': count(*), 'best': max(score)} AS totals FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((totals.posts, totals.best), (Some(2), Some(2.5)));

    #[derive(Debug, PartialEq, Type)]
    struct Summary {
        posts: i64,
        best: Option<f64>,
    }
    struct Totals {
        totals: Summary,
    }
    let totals = query_as!(Totals, "SELECT {'posts': count(*), 'best': max(score)} AS totals FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(totals.totals, Summary { posts: 2, best: Some(2.5) });

    // A column that can be NULL needs an `Option` field (checked at compile
    // time, `ui/checked/query_as_nullable_struct_into_plain_field`).
    #[derive(Debug, PartialEq, Type)]
    struct Post {
        id: i64,
        title: String,
    }
    struct UserPosts {
        name: String,
        posts: Option<Vec<Post>>,
    }
    let users = query_as!(
        UserPosts,
        "SELECT u.name, list({'id': p.id, 'title': p.title} ORDER BY p.id) FILTER (WHERE p.id IS NOT NULL) AS posts
         FROM users u LEFT JOIN posts p ON p.user_id = u.id GROUP BY u.name ORDER BY u.name"
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let posts: Vec<_> = users.iter().map(|u| (u.name.as_str(), u.posts.as_ref().map(Vec::len))).collect();
    assert_eq!(posts, [("ana", Some(2)), ("bo", None)]);
    assert_eq!(users[0].posts.as_ref().unwrap()[0], Post { id: 10, title: "first".into() });
}
