//! Nullability inference from DuckDB's plan, statement by statement.
//! `true` means the column may be NULL.

use andamios_core::describe::{describe, DescribedColumn, QueryDescription};
use andamios_core::ffi::{ColumnRef, Connection, Database, OpenOptions};
use andamios_core::DuckType;

const SCHEMA: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, email VARCHAR, age INTEGER);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                        title VARCHAR NOT NULL, body VARCHAR, score DOUBLE NOT NULL);
    CREATE TABLE tags (post_id INTEGER NOT NULL, tag VARCHAR NOT NULL);
    CREATE VIEW user_names AS SELECT id, name FROM users;
    CREATE TABLE generated (g INTEGER GENERATED ALWAYS AS (1), x INTEGER NOT NULL, y INTEGER, z INTEGER GENERATED ALWAYS AS (x + 1), w INTEGER NOT NULL);
    CREATE TABLE altered (a INTEGER NOT NULL, b INTEGER, c INTEGER NOT NULL);
    ALTER TABLE altered DROP COLUMN a;
    ALTER TABLE altered RENAME COLUMN b TO bee;
    CREATE TABLE keyed (id INTEGER PRIMARY KEY, twice INTEGER GENERATED ALWAYS AS (id * 2), v INTEGER NOT NULL, n INTEGER);
    CREATE TABLE pairs (a INTEGER, b INTEGER, c INTEGER, PRIMARY KEY (a, b));
    CREATE TABLE later (a INTEGER, b INTEGER);
    ALTER TABLE later ALTER COLUMN b SET NOT NULL;
    CREATE TABLE events (day DATE NOT NULL, happened TIMESTAMP NOT NULL, doc JSON NOT NULL, spent INTERVAL NOT NULL);
";

const CASES: &[(&str, &[bool])] = &[
    // Base columns follow NOT NULL / PRIMARY KEY.
    ("SELECT id, name, email, age FROM users", &[false, false, true, true]),
    ("SELECT * FROM posts", &[false, false, false, true, false]),
    ("SELECT id FROM users WHERE id = $1", &[false]),
    // Functions of the session, never NULL.
    (
        "SELECT now(), current_timestamp, transaction_timestamp(), current_database(), current_schema(), \
         current_query(), current_transaction_id(), version(), pi(), uuid(), uuidv7(), random(), typeof(email) \
         FROM users",
        &[false; 13],
    ),
    // Joins.
    ("SELECT u.name, p.title FROM users u JOIN posts p ON p.user_id = u.id", &[false, false]),
    ("SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id", &[false, true]),
    ("SELECT u.name, p.title FROM users u RIGHT JOIN posts p ON p.user_id = u.id", &[true, false]),
    ("SELECT u.name, p.title FROM users u FULL JOIN posts p ON p.user_id = u.id", &[true, true]),
    (
        "SELECT u.name, p.title, t.tag FROM users u LEFT JOIN posts p ON p.user_id = u.id LEFT JOIN tags t ON t.post_id = p.id",
        &[false, true, true],
    ),
    (
        "SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.title = 'x'",
        &[false, false],
    ),
    ("SELECT p.body FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.body IS NOT NULL", &[false]),
    ("SELECT u.id, t.tag FROM users u CROSS JOIN tags t", &[false, false]),
    ("SELECT u.id FROM users u SEMI JOIN posts p ON p.user_id = u.id", &[false]),
    ("SELECT u.id FROM users u ANTI JOIN posts p ON p.user_id = u.id", &[false]),
    ("SELECT p.title, u.name FROM posts p JOIN users u ON u.id = p.user_id WHERE u.age > 3", &[false, false]),
    ("SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id AND p.score > 1", &[false, true]),
    // Functions that are NULL only for a NULL argument (and concat_ws only
    // for a NULL separator); NaN or an infinity where undefined.
    (
        "SELECT regexp_extract(name, 'x'), regexp_matches(email, 'a'), concat_ws('-', email, name), \
         concat_ws(email, name), strptime('2024-01-01', '%Y-%m-%d'), trunc(id + 0.5), isnan(age::DOUBLE), \
         sqrt(-id::DOUBLE), ln(0.0 * id), power(0.0 * id, -1), date_add(DATE 'infinity', INTERVAL 1 DAY), \
         strip_accents(name) FROM users",
        &[false, true, false, true, false, false, true, false, false, false, false, false],
    ),
    // Aggregates and grouping.
    ("SELECT count(*) FROM users", &[false]),
    ("SELECT count(email) FROM users", &[false]),
    ("SELECT sum(age) FROM users", &[true]),
    ("SELECT max(id) FROM users", &[true]),
    ("SELECT name, count(*) FROM users GROUP BY name", &[false, false]),
    ("SELECT email, avg(age) FROM users GROUP BY email", &[true, true]),
    ("SELECT name, count(*) FROM users GROUP BY ROLLUP (name)", &[true, false]),
    ("SELECT name, max(age) FROM users GROUP BY ALL", &[false, true]),
    ("SELECT u.name, count(p.id) FROM users u LEFT JOIN posts p ON p.user_id = u.id GROUP BY u.name", &[false, false]),
    // Every group of a GROUP BY has a row: aggregates of NOT NULL input are
    // not NULL, unless a FILTER may leave them none, or the aggregate is NULL
    // for one row (stddev); a list holds NULLs rather than being one.
    (
        "SELECT name, max(id), sum(age), list(email), string_agg(name, ','), max(id) FILTER (WHERE age > 1), stddev(id) FROM users GROUP BY name",
        &[false, false, true, false, false, true, true],
    ),
    (
        "SELECT user_id, avg(score), median(score), arg_max(title, score), min(body), bool_and(score > 1) FROM posts GROUP BY user_id",
        &[false, false, false, false, true, false],
    ),
    ("SELECT u.name, max(p.score) FROM users u LEFT JOIN posts p ON p.user_id = u.id GROUP BY u.name", &[false, true]),
    ("SELECT name, sum(id) FROM users GROUP BY name HAVING count(*) > 1", &[false, false]),
    ("SELECT name, max(id) FROM users GROUP BY ROLLUP (name)", &[true, true]),
    ("SELECT sum(id), list(name) FROM users", &[true, true]),
    // Literals, parameters and expressions.
    ("SELECT 1, 'a', NULL", &[false, false, true]),
    ("SELECT $1::INTEGER", &[true]),
    ("SELECT coalesce(email, 'none') FROM users", &[false]),
    ("SELECT coalesce(email, age::VARCHAR) FROM users", &[true]),
    ("SELECT id + 1, id * 2, id - age FROM users", &[false, false, true]),
    // `/` gives a DOUBLE (an infinity or NaN for 0) or an INTERVAL (an error
    // for 0); `//` and `%` give NULL for 0 with `error_on_division_by_zero`
    // off, so only by a constant other than 0 are they never NULL.
    (
        "SELECT id / 2, id / 0, age / 2, INTERVAL 1 DAY / id, id // age, id % age FROM users",
        &[false, false, true, false, true, true],
    ),
    (
        "SELECT id // 2, id % 2 = 0, mod(id, -3), id::DOUBLE % 2, id % 2.5, id // 0, id % 0, age % 2 FROM users",
        &[false, false, false, false, true, true, true, true],
    ),
    ("SELECT id % $1::INTEGER FROM users", &[true]),
    ("SELECT name ILIKE 'a%', name NOT ILIKE 'a%', email ILIKE 'a%', bit_count(id) FROM users", &[false, false, true, false]),
    // NULL only for a NULL argument (or, for the date names, an infinite date).
    (
        "SELECT list_contains([id], 1), to_hex(id), id << 1, id & 1, xor(id, 1), \
         levenshtein(name, 'a'), bar(id, 0, 100), dayname(DATE '2024-01-01'), last_day(e.day), age(TIMESTAMP \
         '2024-01-01', TIMESTAMP '2023-01-01'), time_bucket(INTERVAL 1 HOUR, e.happened), list_contains([id], age) \
         FROM users, events e",
        &[false, false, false, false, false, false, false, false, true, false, false, true],
    ),
    (
        "SELECT isodow(e.day), week(e.day), epoch_us(e.happened), to_days(u.id::INTEGER), gcd(u.id, 2), sin(u.id), \
         translate(u.name, 'a', 'b'), sha1(u.name), unicode(u.name), make_time(1, 2, 3.0) FROM users u, events e",
        &[true, true, true, false, false, false, false, false, false, false],
    ),
    // A condition that always holds leaves no row to the ELSE.
    (
        "SELECT CASE WHEN id IS NOT NULL AND name IS NOT NULL THEN name END, CASE WHEN age IS NOT NULL THEN name END \
         FROM users",
        &[false, true],
    ),
    // greatest and least skip NULLs; split_part gives '' past the last part
    // (a macro of DuckDB's: a CASE whose condition always holds for `name`).
    (
        "SELECT greatest(id, age), least(age, email::INTEGER), greatest(age, 1), split_part(name, ' ', 3), \
         split_part(email, ' ', 1) FROM users",
        &[false, true, false, false, true],
    ),
    ("SELECT id = 1, email = 'x' FROM users", &[false, true]),
    ("SELECT email IS NULL, age IS NOT NULL FROM users", &[false, false]),
    ("SELECT email IS DISTINCT FROM 'x' FROM users", &[false]),
    ("SELECT try_cast(name AS INTEGER) FROM users", &[true]),
    ("SELECT CAST(id AS BIGINT), age::BIGINT FROM users", &[false, true]),
    ("SELECT CASE WHEN id > 1 THEN 'a' END FROM users", &[true]),
    ("SELECT CASE WHEN id > 1 THEN 'a' ELSE 'b' END FROM users", &[false]),
    ("SELECT CASE WHEN id > 1 THEN email ELSE 'b' END FROM users", &[true]),
    ("SELECT lower(name), upper(email) FROM users", &[false, true]),
    ("SELECT name || '!', email || '!' FROM users", &[false, true]),
    ("SELECT concat(email, 'x') FROM users", &[false]),
    ("SELECT length(name) FROM users", &[false]),
    ("SELECT greatest(id, 1), least(age, 2), replace(name, 'a', 'b'), format('{}!', name) FROM users", &[false, false, false, false]),
    ("SELECT regexp_replace(email, 'a', 'b'), strftime(DATE '2020-01-01', '%Y') FROM users", &[true, false]),
    ("SELECT id BETWEEN 1 AND 3, age BETWEEN 1 AND 3 FROM users", &[false, true]),
    ("SELECT id > 1 AND name = 'a', id > 1 OR email = 'a' FROM users", &[false, true]),
    ("SELECT NOT (id > 1) FROM users", &[false]),
    // Date parts of an infinite DATE or TIMESTAMP are NULL; of an interval, not.
    (
        "SELECT year(day), hour(happened), date_part('epoch', day), date_diff('day', day, DATE '2020-01-01'), epoch_ms(happened), \
         date_part('hour', spent), minute(spent), strftime(happened, '%Y'), date_trunc('month', day) FROM events",
        &[true, true, true, true, true, false, false, false, false],
    ),
    // A JSON `null` casts to NULL, except to text.
    ("SELECT CAST(doc AS INTEGER), doc::VARCHAR, CAST(doc AS INTEGER[]), doc::JSON FROM events", &[true, false, true, false]),
    // CTEs and set operations.
    ("WITH c AS (SELECT id, email FROM users) SELECT id, email FROM c", &[false, true]),
    ("WITH c AS MATERIALIZED (SELECT id, email FROM users) SELECT id, email FROM c", &[false, true]),
    ("SELECT id FROM users UNION ALL SELECT id FROM posts", &[false]),
    // Recursive CTEs: the anchor's columns, unless the recursion brings NULLs.
    (
        "WITH RECURSIVE r(n, m) AS (SELECT 1, NULL::INT UNION ALL SELECT n + 1, m FROM r WHERE n < 3) SELECT n, m FROM r",
        &[false, true],
    ),
    (
        "WITH RECURSIVE r(n, m) AS (SELECT 1, 1 UNION ALL SELECT n + 1, CASE WHEN n > 1 THEN m END FROM r WHERE n < 3) SELECT n, m FROM r",
        &[false, true],
    ),
    (
        "WITH RECURSIVE r(id, name) AS (SELECT id, name FROM users WHERE id = 1 UNION SELECT p.id, p.title FROM posts p JOIN r ON p.user_id = r.id) SELECT id, name FROM r",
        &[false, false],
    ),
    ("SELECT id FROM users UNION SELECT NULL", &[true]),
    ("SELECT email FROM users EXCEPT SELECT title FROM posts", &[true]),
    ("SELECT name FROM users INTERSECT SELECT title FROM posts", &[false]),
    // Subqueries.
    ("SELECT (SELECT max(id) FROM posts)", &[true]),
    // A scalar subquery that always yields one non-null row.
    ("SELECT (SELECT 1)", &[false]),
    ("SELECT (SELECT name FROM users LIMIT 1)", &[true]),
    ("SELECT EXISTS (SELECT 1 FROM posts)", &[false]),
    ("SELECT id IN (SELECT user_id FROM posts) FROM users", &[false]),
    ("SELECT x.n FROM (SELECT name AS n FROM users) x", &[false]),
    // Filtering by a subquery or a list keeps the outer columns as they are.
    ("SELECT name FROM users WHERE id IN (SELECT user_id FROM posts)", &[false]),
    ("SELECT name FROM users WHERE id NOT IN (SELECT user_id FROM posts)", &[false]),
    ("SELECT name FROM users WHERE id IN (SELECT unnest($1::INTEGER[]))", &[false]),
    ("SELECT name FROM users WHERE list_contains($1::INTEGER[], id)", &[false]),
    ("SELECT name, unnest([id, NULL]) FROM users", &[false, true]),
    ("SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id)", &[false]),
    ("SELECT name FROM users u WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id AND p.body IS NULL)", &[false]),
    // Window functions.
    ("SELECT row_number() OVER () FROM users", &[false]),
    ("SELECT rank() OVER (ORDER BY id), dense_rank() OVER (ORDER BY id) FROM users", &[false, false]),
    ("SELECT lag(id) OVER (ORDER BY id) FROM users", &[true]),
    ("SELECT ntile(2) OVER (ORDER BY id), ntile(age) OVER (ORDER BY id) FROM users", &[false, true]),
    ("SELECT sum(age) OVER (), count(*) OVER () FROM users", &[true, false]),
    // A CASE branch knows what its condition, and those before it, prove.
    (
        "SELECT CASE WHEN age IS NULL THEN 0 ELSE age END, CASE WHEN age IS NOT NULL THEN age ELSE -1 END, \
         CASE WHEN age > 30 THEN age ELSE 0 END, CASE WHEN age > 30 THEN 1 ELSE age END, CASE WHEN email IS NULL \
         OR age IS NULL THEN 'none' ELSE email || age END, CASE WHEN NOT (age IS NOT NULL) THEN 0 ELSE age END, \
         CASE WHEN age IS NULL THEN 0 WHEN email IS NULL THEN age ELSE 2 END, CASE WHEN age IS NULL AND id > 1 \
         THEN 0 ELSE age END FROM users",
        &[false, false, false, true, false, false, false, true],
    ),
    // EXISTS is never NULL; `x IN (SELECT y ...)` is NULL only when a NULL
    // is compared.
    (
        "SELECT EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id), u.id IN (SELECT user_id FROM posts), \
         u.age IN (SELECT user_id FROM posts), u.id IN (SELECT length(body) FROM posts), \
         NOT EXISTS (SELECT 1 FROM posts p WHERE p.body = u.email) FROM users u",
        &[false, false, true, true, false],
    ),
    // 0 over no rows; NULL over no rows but not over a group of NOT NULL
    // values.
    (
        "SELECT approx_count_distinct(age), entropy(age), count_if(age > 1), approx_quantile(id, 0.5) FROM users \
         WHERE false",
        &[false, false, true, true],
    ),
    (
        "SELECT name, count_if(id > 1), approx_quantile(id, 0.5), count_if(age > 1) FROM users GROUP BY name",
        &[false, false, false, true],
    ),
    // Over a frame that holds the current row, an aggregate of a NOT NULL
    // column is not NULL: partition totals, running totals.
    (
        "SELECT sum(id) OVER (), sum(id) OVER (PARTITION BY name ORDER BY id), max(name) OVER (ORDER BY id \
         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), first_value(id) OVER (ORDER BY id), \
         last_value(name) OVER (PARTITION BY name), lag(id, 1, 0) OVER (ORDER BY id), lead(id, 1, age) OVER \
         (ORDER BY id), first_value(email) OVER (ORDER BY id), avg(id) OVER (ORDER BY id ROWS BETWEEN 6 PRECEDING \
         AND CURRENT ROW), min(id) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM users",
        &[false, false, false, false, false, false, true, true, false, false],
    ),
    // Frames that can be empty, and filtered aggregates.
    (
        "SELECT sum(id) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING), sum(id) OVER (ORDER BY id \
         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW), sum(id) FILTER (WHERE id > 2) \
         OVER (), first_value(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING), stddev(id) OVER (), \
         sum(id) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING), sum(id) OVER (ORDER BY age RANGE \
         BETWEEN 5 PRECEDING AND 1 PRECEDING), sum(id) OVER (ORDER BY id GROUPS BETWEEN 1 FOLLOWING AND 2 \
         FOLLOWING) FROM users",
        &[true, true, true, true, true, true, true, true],
    ),
    // RANGE and GROUPS frames around the current row hold it, a row whose
    // ORDER BY value is NULL too (its peers are the other NULLs).
    (
        "SELECT sum(id) OVER (ORDER BY age RANGE BETWEEN 5 PRECEDING AND CURRENT ROW), max(name) OVER (ORDER BY \
         age DESC RANGE BETWEEN 2 PRECEDING AND 3 FOLLOWING), count(email) OVER (ORDER BY id GROUPS BETWEEN 1 \
         PRECEDING AND CURRENT ROW), max(e.spent) OVER (ORDER BY e.day RANGE BETWEEN INTERVAL 7 DAY PRECEDING AND \
         CURRENT ROW) FROM users, events e",
        &[false, false, false, false],
    ),
    // Other sources.
    ("SELECT * FROM range(3)", &[false]),
    ("SELECT i FROM range(NULL::BIGINT) t(i)", &[false]),
    ("SELECT d FROM generate_series(DATE '2024-01-01', DATE '2024-01-31', INTERVAL 1 DAY) t(d)", &[false]),
    ("SELECT r.range, u.email FROM range(5) r LEFT JOIN users u ON u.id = r.range", &[false, true]),
    ("SELECT * FROM (VALUES (1, NULL), (2, 'x')) t(a, b)", &[false, true]),
    ("SELECT DISTINCT email FROM users ORDER BY 1 LIMIT 3", &[true]),
    ("SELECT id, name FROM user_names", &[false, false]),
    ("SELECT y, x, w FROM generated", &[true, false, false]),
    ("SELECT bee, c FROM altered", &[true, false]),
    ("SELECT * FROM generated", &[false, false, true, false, false]),
    // RETURNING follows the table's constraints.
    ("INSERT INTO users VALUES (1, 'a', NULL, NULL) RETURNING id, name, email", &[false, false, true]),
    ("UPDATE users SET age = 1 RETURNING id, age", &[false, true]),
    ("DELETE FROM posts RETURNING title, body", &[false, true]),
    (
        "INSERT INTO users VALUES (1, 'a', NULL, NULL) ON CONFLICT DO UPDATE SET name = excluded.name RETURNING id, name, email",
        &[false, false, true],
    ),
    ("INSERT INTO users VALUES (1, 'a', NULL, NULL) ON CONFLICT DO NOTHING RETURNING id, email", &[false, true]),
    (
        "MERGE INTO users u USING (SELECT 1 AS id) s ON u.id = s.id WHEN MATCHED THEN UPDATE SET age = 2 RETURNING u.name, u.age",
        &[false, true],
    ),
    // Of a table with generated columns, which a projection computes from
    // the stored columns the statement outputs.
    ("INSERT INTO generated (x, y, w) VALUES (1, NULL, 2) RETURNING x, y, w", &[false, true, false]),
    ("INSERT INTO generated (x, y, w) VALUES (1, NULL, 2) RETURNING *", &[false, false, true, false, false]),
    ("UPDATE generated SET y = NULL RETURNING w, y, z", &[false, true, false]),
    ("DELETE FROM generated RETURNING y, w", &[true, false]),
    (
        "INSERT INTO keyed (id, v, n) VALUES (1, 2, NULL) ON CONFLICT DO UPDATE SET v = excluded.v RETURNING n, v, twice, id",
        &[true, false, false, false],
    ),
    ("INSERT OR REPLACE INTO keyed (id, v, n) VALUES (1, 2, NULL) RETURNING *", &[false, false, false, true]),
    ("INSERT INTO keyed (id, v) VALUES (1, 2) ON CONFLICT DO NOTHING RETURNING n, v", &[true, false]),
    ("INSERT INTO altered VALUES (NULL, 1) RETURNING c, bee", &[false, true]),
    ("DELETE FROM altered RETURNING *", &[true, false]),
    // A composite primary key's columns are NOT NULL; so is one set so later.
    ("SELECT a, b, c FROM pairs", &[false, false, true]),
    ("DELETE FROM pairs RETURNING c, b, a", &[true, false, false]),
    ("SELECT a, b FROM later", &[true, false]),
    ("UPDATE later SET a = 1 RETURNING a, b", &[true, false]),
    (
        "MERGE INTO generated t USING (SELECT 1 AS x) s ON t.x = s.x WHEN MATCHED THEN UPDATE SET y = 2 RETURNING t.y, t.w",
        &[true, false],
    ),
    // A correlated count is never NULL: DuckDB joins each distinct outer
    // value to its count, or to the count over no rows. Other aggregates,
    // and a subquery that may find no row, are.
    ("SELECT name, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) AS n FROM users u", &[false, false]),
    (
        "SELECT (SELECT count(p.id) FROM posts p WHERE p.user_id = u.id AND p.title <> 'x') + 1, (SELECT count(*) \
         FROM posts p WHERE p.user_id = u.age), (SELECT max(p.id) FROM posts p WHERE p.user_id = u.id), (SELECT \
         sum(p.id) FROM posts p WHERE p.user_id = u.id), (SELECT p.title FROM posts p WHERE p.id = u.id) FROM users u",
        &[false, false, true, true, true],
    ),
    // A LEFT join of a materialised CTE's rows to all of them, on keys from
    // one row (NOT DISTINCT FROM, or = of values that are never NULL),
    // matches every row; keys from two references, or a filtered side, may not.
    ("WITH c AS MATERIALIZED (SELECT id, age FROM users) SELECT y.id FROM c x LEFT JOIN c y ON x.id = y.id", &[false]),
    (
        "WITH c AS MATERIALIZED (SELECT id, age FROM users) SELECT y.id FROM c x LEFT JOIN c y ON x.id = y.id AND \
         x.age IS NOT DISTINCT FROM y.age",
        &[false],
    ),
    (
        "WITH c AS MATERIALIZED (SELECT id, age FROM users) SELECT y.id FROM c x CROSS JOIN c z LEFT JOIN c y ON \
         x.id = y.id AND z.age IS NOT DISTINCT FROM y.age",
        &[true],
    ),
    (
        "WITH c AS MATERIALIZED (SELECT id, age FROM users) SELECT y.id FROM c x LEFT JOIN c y ON x.id = y.id AND \
         x.age = y.age",
        &[true],
    ),
    (
        "WITH c AS MATERIALIZED (SELECT id, age FROM users) SELECT y.id FROM c x LEFT JOIN (SELECT * FROM c WHERE \
         age > 1) y ON x.id = y.id",
        &[true],
    ),
    ("SELECT u.id, c.n FROM users u, LATERAL (SELECT count(*) AS n FROM posts p WHERE p.user_id = u.id) c", &[false, false]),
    ("SELECT name FROM users u WHERE (SELECT count(*) FROM posts p WHERE p.user_id = u.id) > 1", &[false]),
    // Correlated on several outer columns, each distinct row of them is joined.
    (
        "SELECT (SELECT count(*) FROM posts p WHERE p.user_id = u.id AND p.id > u.age), (SELECT count(*) FROM \
         posts p WHERE p.user_id = u.id AND p.title = u.email) FROM users u",
        &[false, false],
    ),
    // Where one column of an outer join's side is not NULL, the join matched.
    (
        "SELECT CASE WHEN p.id IS NULL THEN 'none' ELSE p.title END, CASE WHEN p.id IS NULL THEN 'none' ELSE \
         p.body END, CASE WHEN p.body IS NULL THEN 'none' ELSE p.title END FROM users u LEFT JOIN posts p ON \
         p.user_id = u.id",
        &[false, true, false],
    ),
    (
        "SELECT CASE WHEN u.id IS NOT NULL THEN p.title ELSE 'x' END, CASE WHEN p.id IS NOT NULL THEN p.title \
         ELSE 'x' END FROM users u FULL JOIN posts p ON p.user_id = u.id",
        &[true, false],
    ),
    // Where it matched, its condition held: what it compares is not NULL,
    // which may show that an earlier join matched too.
    (
        "SELECT p.title, t.tag, u.email FROM users u LEFT JOIN posts p ON p.user_id = u.id LEFT JOIN tags t ON \
         t.post_id = p.id WHERE t.tag = 'a'",
        &[false, false, true],
    ),
    (
        "SELECT CASE WHEN t.tag IS NULL THEN 'x' ELSE p.title END, CASE WHEN p.id IS NULL THEN 'x' ELSE p.body \
         END FROM users u LEFT JOIN posts p ON p.body = u.email LEFT JOIN tags t ON t.post_id = p.id",
        &[false, false],
    ),
    (
        "SELECT CASE WHEN u.id IS NOT NULL THEN p.body ELSE 'x' END FROM users u RIGHT JOIN posts p ON p.body = \
         u.email",
        &[false],
    ),
    // Of a FULL join, either side may hold a row that matched nothing.
    (
        "SELECT CASE WHEN p.id IS NOT NULL THEN u.name ELSE 'x' END FROM users u FULL JOIN posts p ON p.user_id = \
         u.id",
        &[true],
    ),
    (
        "SELECT CASE WHEN p.id IS NULL THEN 0 ELSE u.age END FROM users u LEFT JOIN posts p ON p.user_id IS NOT \
         DISTINCT FROM u.age",
        &[true],
    ),
];

/// Rows with NULLs, users without posts, posts without tags and a tag
/// without a post, for the soundness tests.
const ROWS: &str = "
    INSERT INTO users VALUES (1, 'ana', 'ana@example.com', 30), (2, 'bo', NULL, NULL), (3, 'cy', NULL, 41),
                             (4, 'ana', NULL, NULL);
    INSERT INTO posts VALUES (10, 1, 'first', NULL, 1.5), (11, 1, 'second', 'text', 2.5), (12, 3, 'third', NULL, 0.5);
    INSERT INTO tags VALUES (10, 'a'), (10, 'b'), (99, 'orphan');
";

fn schema() -> Connection {
    let conn = Database::open(":memory:", &OpenOptions::default()).unwrap().connect().unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    conn
}

#[test]
fn infers_nullability_of_every_statement() {
    assert!(CASES.len() >= 50, "the table holds {} statements", CASES.len());
    let conn = schema();
    let mut failures = Vec::new();
    for (sql, expected) in CASES {
        let described = describe(&conn, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let got: Vec<bool> = described.columns.iter().map(|c| c.nullable).collect();
        if got != *expected {
            failures.push(format!("{sql}\n    expected {expected:?}\n    got      {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} wrong:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

/// Soundness on real rows: every statement of the table runs against data
/// with NULLs, empty groups and unmatched joins, and no column inferred NOT
/// NULL holds a NULL. (Statements that change data run in a transaction
/// that is rolled back; those with parameters are left out.)
#[test]
fn no_column_inferred_not_null_holds_a_null() {
    let conn = schema();
    conn.execute_batch(ROWS).unwrap();
    conn.execute_batch(
        "INSERT INTO generated (x, y, w) VALUES (1, NULL, 2);
         INSERT INTO altered VALUES (NULL, 1);
         INSERT INTO events VALUES ('infinity', '-infinity', 'null', INTERVAL 1 HOUR), ('2020-01-01', '2020-01-01 10:00', '[1]', INTERVAL 3 MINUTE);",
    )
    .unwrap();
    let mut checked = 0;
    for (sql, _) in CASES {
        let described = describe(&conn, sql).unwrap();
        if !described.params.is_empty() {
            continue;
        }
        // A plain INSERT of a key the data has: no rows to check.
        let Some(contradictions) = contradictions(&conn, sql, &described) else { continue };
        assert!(contradictions.is_empty(), "{}", contradictions.join("\n"));
        checked += 1;
    }
    assert!(checked > CASES.len() / 2, "{checked} statements checked");
}

/// Soundness over generated statements: correlated subqueries of several
/// aggregates, correlations and outer rows, and conditions on the columns
/// of outer joins, each run on the rows above.
#[test]
fn generated_subqueries_and_outer_joins_hold_no_null_where_none_is_inferred() {
    let conn = schema();
    conn.execute_batch(ROWS).unwrap();
    let aggregates = ["count(*)", "count(p.body)", "max(p.title)", "coalesce(sum(p.id), 0)", "count(*) > 1"];
    let correlations = [
        "p.user_id = u.id",
        "p.user_id = u.age",
        "p.user_id IS NOT DISTINCT FROM u.age",
        "p.user_id = u.id AND p.id > u.age",
        "p.title = u.email",
        "p.user_id = u.id OR p.id = u.age",
    ];
    let outer_rows = [
        "users u",
        "(SELECT id, name, email, age FROM users UNION ALL SELECT NULL, 'z', NULL, NULL) u",
        "users v LEFT JOIN users u ON u.id = v.age",
    ];
    let mut statements = Vec::new();
    for aggregate in aggregates {
        for correlation in correlations {
            for rows in outer_rows {
                statements
                    .push(format!("SELECT u.id, (SELECT {aggregate} FROM posts p WHERE {correlation}) FROM {rows}"));
            }
        }
    }
    let joins = [
        "users u LEFT JOIN posts p ON p.user_id = u.id LEFT JOIN tags t ON t.post_id = p.id",
        "users u FULL JOIN posts p ON p.user_id = u.id LEFT JOIN tags t ON t.post_id = p.id",
        "users u LEFT JOIN posts p ON p.user_id = u.age RIGHT JOIN tags t ON t.post_id = p.id",
        "users u LEFT JOIN posts p ON p.body = u.email LEFT JOIN tags t ON t.post_id = p.id",
        "tags t LEFT JOIN posts p ON p.id = t.post_id RIGHT JOIN users u ON u.id = p.user_id",
    ];
    let columns = ["u.id", "u.email", "p.id", "p.body", "t.tag"];
    for join in joins {
        for shown in columns {
            for tested in columns {
                statements
                    .push(format!("SELECT CASE WHEN {tested} IS NULL THEN 'n' ELSE {shown}::VARCHAR END FROM {join}"));
                statements.push(format!("SELECT {shown} FROM {join} WHERE {tested} IS NOT NULL"));
            }
        }
    }
    // How many of the statements' last columns are inferred not NULL.
    let mut inferred_not_null = 0;
    for sql in &statements {
        let described = describe(&conn, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        inferred_not_null += usize::from(described.columns.last().is_some_and(|c| !c.nullable));
        let found = contradictions(&conn, sql, &described).unwrap_or_else(|| panic!("{sql} does not run"));
        assert!(found.is_empty(), "{}", found.join("\n"));
    }
    // The statements exercise the inference, not only its "nullable".
    assert!(inferred_not_null > statements.len() / 4, "{inferred_not_null} of {} inferred not NULL", statements.len());
}

/// Runs `sql` (in a transaction, rolled back after) and returns what in its
/// rows contradicts `described`: a NULL in a column inferred not NULL, or
/// inside a list, map or STRUCT inferred to hold none. `None` when it fails to run.
fn contradictions(conn: &Connection, sql: &str, described: &QueryDescription) -> Option<Vec<String>> {
    conn.execute_batch("BEGIN").unwrap();
    let found = rows_contradicting(conn, sql, described);
    conn.execute_batch("ROLLBACK").unwrap();
    found
}

fn rows_contradicting(conn: &Connection, sql: &str, described: &QueryDescription) -> Option<Vec<String>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let mut result = stmt.execute(false).ok()?;
    let types: Vec<_> = result.columns().iter().map(|c| c.ty.clone()).collect();
    let mut found = Vec::new();
    while let Some(chunk) = result.next_chunk().unwrap() {
        for (i, (column, ty)) in described.columns.iter().zip(&types).enumerate() {
            let values = chunk.column(i, ty).unwrap();
            let rows: Vec<(&ColumnRef<'_>, usize)> = (0..chunk.len()).map(|r| (&values, r)).collect();
            let levels = [(column.nullable, "a NULL"), (column.elements_nullable, "a NULL inside a value")];
            let levels = levels.into_iter().chain([(column.nested_nullable, "a NULL inside a value inside a value")]);
            let mut at = rows;
            for (nullable, what) in levels {
                if !nullable && at.iter().any(|(values, r)| !values.is_valid(*r)) {
                    found.push(format!("{sql}: column {i} ({}) holds {what}", column.name));
                }
                at = at.into_iter().filter(|(values, r)| values.is_valid(*r)).flat_map(|(v, r)| inside(v, r)).collect();
            }
        }
    }
    Some(found)
}

/// Where the values inside the value at `row` of `values` are: the
/// elements of a LIST or ARRAY, the values of a MAP, the fields of a STRUCT.
fn inside<'c, 'a>(values: &'c ColumnRef<'a>, row: usize) -> Vec<(&'c ColumnRef<'a>, usize)> {
    match values.duck_type() {
        DuckType::Struct { fields } => (0..fields.len()).map(|f| (values.child(f).unwrap(), row)).collect(),
        DuckType::List { .. } | DuckType::Array { .. } | DuckType::Map { .. } => {
            // A MAP's children are its keys and its values.
            let child = values.child(usize::from(matches!(values.duck_type(), DuckType::Map { .. }))).unwrap();
            values.list_range(row).into_iter().flatten().map(|e| (child, e)).collect()
        }
        _ => Vec::new(),
    }
}

#[test]
fn statements_without_rows_have_no_columns() {
    let conn = schema();
    let d = describe(&conn, "INSERT INTO tags VALUES ($1, $2)").unwrap();
    assert!(d.columns.is_empty());
    assert_eq!(d.params.len(), 2);
    let merge = "MERGE INTO users u USING (SELECT 1 AS id) s ON u.id = s.id WHEN MATCHED THEN DELETE";
    assert!(describe(&conn, merge).unwrap().columns.is_empty());
}

/// Soundness over more shapes of statement (joins with USING and LATERAL,
/// PIVOT, QUALIFY, ASOF and POSITIONAL joins, BY NAME set operations,
/// grouping sets, window frames, star expressions, RETURNING...): run on
/// data with NULLs, no column inferred NOT NULL holds one.
#[test]
fn more_shapes_of_statement_hold_no_null_where_none_is_inferred() {
    let conn = schema();
    conn.execute_batch(ROWS).unwrap();
    conn.execute_batch(
        "CREATE TABLE prices (at_ts TIMESTAMP NOT NULL, item VARCHAR NOT NULL, price DOUBLE NOT NULL);
         INSERT INTO prices VALUES ('2020-01-01', 'x', 1), ('2020-01-03', 'x', 2);",
    )
    .unwrap();
    let statements = [
        "SELECT * FROM users NATURAL JOIN posts",
        "SELECT * FROM users u JOIN posts p USING (id)",
        "SELECT * FROM users u LEFT JOIN posts p USING (id)",
        "SELECT * FROM users u FULL JOIN posts p USING (id)",
        "SELECT * FROM users u RIGHT JOIN posts p USING (id)",
        "SELECT u.name, p.title FROM users u, LATERAL (SELECT title FROM posts WHERE user_id = u.id LIMIT 1) p",
        "SELECT u.name, p.title FROM users u LEFT JOIN LATERAL (SELECT title FROM posts WHERE user_id = u.id LIMIT 1) p ON true",
        "SELECT u.name, x FROM users u, unnest([u.age, 1]) t(x)",
        "SELECT name, unnest([id, 2]) FROM users",
        "SELECT * FROM (PIVOT users ON name USING count(*))",
        "SELECT * FROM (UNPIVOT users ON name, email INTO NAME k VALUE v)",
        "SELECT id, row_number() OVER (PARTITION BY name ORDER BY id) AS r FROM users QUALIFY r = 1",
        "SELECT DISTINCT ON (name) name, email, id FROM users ORDER BY name, id",
        "SELECT id, name FROM users LIMIT 2 OFFSET 1",
        "SELECT id, name FROM users USING SAMPLE 50%",
        "SELECT p.item, p.price, u.id FROM prices p ASOF JOIN users u ON p.price >= u.id",
        "SELECT p.item, p.price, u.id FROM prices p ASOF LEFT JOIN users u ON p.price >= u.id",
        "SELECT * FROM users POSITIONAL JOIN tags",
        "SELECT id, name FROM users UNION BY NAME SELECT title AS name FROM posts",
        "SELECT id, name, email FROM users UNION ALL BY NAME SELECT id, title AS name FROM posts",
        "SELECT name FROM users WHERE id = (SELECT max(user_id) FROM posts)",
        "SELECT (SELECT title FROM posts p WHERE p.user_id = u.id ORDER BY id LIMIT 1) FROM users u",
        "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id), (SELECT max(score) FROM posts p WHERE p.user_id = u.id) FROM users u",
        "SELECT u.id, EXISTS (SELECT 1 FROM posts p WHERE p.user_id = u.id) FROM users u",
        // Correlated counts, and what shows that an outer join matched.
        "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.age) FROM users u ORDER BY 2 LIMIT 3",
        "SELECT (SELECT count(*) FROM tags t WHERE t.post_id = p.id), p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id",
        "SELECT (SELECT count(*) FROM posts p WHERE p.user_id IS NOT DISTINCT FROM u.age) FROM users u",
        "SELECT (SELECT count(*) FROM (SELECT * FROM posts p WHERE p.user_id = u.id LIMIT 1)) FROM users u",
        "SELECT (SELECT count(*) FROM posts p WHERE p.user_id = u.id GROUP BY p.title LIMIT 1) FROM users u",
        "SELECT (SELECT count(*) FROM posts p WHERE p.user_id = u.id AND p.id = u.age) FROM users u",
        "SELECT (SELECT count(*) FROM posts p WHERE p.user_id = x.k) FROM (SELECT age AS k FROM users UNION ALL SELECT NULL) x",
        "WITH c AS MATERIALIZED (SELECT id, age FROM users WHERE id > 1) SELECT (SELECT count(*) FROM c c2 WHERE c2.age = c.id) FROM c",
        "SELECT (SELECT count(*) FROM posts p WHERE p.user_id = u.id) FROM users u UNION ALL SELECT NULL",
        "SELECT u.id, (SELECT sum(t.n) FROM (SELECT count(*) AS n FROM posts p WHERE p.user_id = u.id) t) FROM users u",
        "SELECT CASE WHEN p.body IS NOT NULL THEN p.title ELSE 'x' END, CASE WHEN t.tag IS NULL THEN 'x' ELSE p.title END \
         FROM users u LEFT JOIN posts p ON p.user_id = u.id LEFT JOIN tags t ON t.post_id = p.id",
        "SELECT CASE WHEN x.t IS NULL THEN 'x' ELSE x.b END FROM users u LEFT JOIN (SELECT p.user_id, p.title AS t, p.body \
         AS b FROM posts p) x ON x.user_id = u.id",
        "SELECT CASE WHEN v.id IS NULL THEN 'x' ELSE v.name END FROM posts p LEFT JOIN (SELECT * FROM users u LEFT \
         JOIN tags t ON t.post_id = u.id) v ON v.id = p.user_id",
        "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.user_id = u.id) FROM users u",
        "SELECT (SELECT count(*) FROM posts p WHERE p.user_id = a.id AND p.id > b.age) FROM users a, users b",
        "WITH c AS MATERIALIZED (SELECT id, age FROM users) SELECT (SELECT count(*) FROM posts p WHERE p.user_id = x.id \
         AND p.id > y.age) FROM c x JOIN c y ON x.id = y.age",
        "WITH c AS MATERIALIZED (SELECT id, age FROM users) SELECT y.age FROM c x LEFT JOIN c y ON x.id = y.id",
        "SELECT u.id, u.id IN (SELECT user_id FROM posts) FROM users u",
        "SELECT u.id, u.age IN (SELECT user_id FROM posts) FROM users u",
        "SELECT u.id > ALL (SELECT user_id FROM posts), u.age = ANY (SELECT user_id FROM posts), u.id IN (SELECT NULL::BIGINT) FROM users u",
        "SELECT u.id IN (SELECT p.user_id FROM posts p WHERE p.id > u.age), EXISTS (SELECT 1 FROM posts p WHERE p.id > u.age) FROM users u",
        "SELECT u.id NOT IN (SELECT length(body) FROM posts), u.id IN (SELECT user_id FROM posts WHERE false) FROM users u",
        "SELECT id, lead(name) OVER (ORDER BY id), first_value(name) OVER (ORDER BY id), last_value(email) OVER (ORDER BY id), nth_value(name, 3) OVER (ORDER BY id) FROM users",
        "SELECT id, count(*) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), sum(id) OVER (ORDER BY id ROWS BETWEEN 5 FOLLOWING AND 6 FOLLOWING) FROM users",
        "SELECT id, ntile(2) OVER (), percent_rank() OVER (ORDER BY age), cume_dist() OVER (ORDER BY age) FROM users",
        "SELECT name, count(*), max(id) FROM users GROUP BY CUBE (name)",
        "SELECT name, email, count(*) FROM users GROUP BY GROUPING SETS ((name), (email), ())",
        "SELECT name, grouping(name), count(*) FROM users GROUP BY ROLLUP (name)",
        "SELECT max(id) FILTER (WHERE false) FROM users GROUP BY name",
        "SELECT count(*) FROM users GROUP BY name HAVING max(age) IS NULL",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
        "WITH c AS (SELECT id, email FROM users WHERE email IS NOT NULL) SELECT c.email FROM c",
        "SELECT * FROM users WHERE email IS NOT NULL AND age > 1",
        "SELECT email FROM users WHERE email LIKE '%a%'",
        "SELECT email FROM users WHERE email = 'x' OR id = 1",
        "SELECT email FROM users WHERE NOT (email IS NULL)",
        "SELECT email FROM users WHERE email IN ('ana@example.com')",
        "SELECT email FROM users WHERE coalesce(email, 'x') = 'x'",
        "SELECT u.email FROM users u JOIN users v ON u.email = v.email",
        "SELECT u.email, v.email FROM users u LEFT JOIN users v ON u.email = v.email",
        "SELECT u.email FROM users u JOIN users v ON u.email IS NOT DISTINCT FROM v.email",
        "SELECT u.id, p.id FROM users u JOIN posts p ON p.user_id = u.id OR p.id = u.id",
        "SELECT u.id, p.id FROM users u LEFT JOIN posts p ON p.user_id < u.id",
        "SELECT t.tag, p.title, u.name FROM tags t LEFT JOIN posts p ON p.id = t.post_id LEFT JOIN users u ON u.id = p.user_id",
        "SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.id IS NULL",
        "SELECT u.name, p.title FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE p.body IS NULL",
        "SELECT * FROM (SELECT * FROM users ORDER BY id LIMIT 0) x RIGHT JOIN posts p ON true",
        "SELECT * FROM users WHERE false",
        "SELECT * FROM (SELECT 1 AS a WHERE false) x FULL JOIN (SELECT 2 AS b) y ON true",
        "SELECT name, list(email ORDER BY id), string_agg(email, ',') FROM users GROUP BY name",
        "SELECT a.* FROM users a SEMI JOIN posts b ON a.id = b.user_id",
        "SELECT struct_pack(a := email).a, [email][1], {'k': id}.k FROM users",
        "SELECT COLUMNS('e.*') FROM users",
        "SELECT * EXCLUDE (email) FROM users",
        "SELECT * REPLACE (upper(name) AS name) FROM users",
        "SELECT u.*, p.* FROM users u LEFT JOIN posts p ON p.user_id = u.id",
        "FROM users SELECT name",
        "SELECT * FROM users, posts WHERE users.id = posts.user_id",
        "SELECT case when id > 2 then email else name end FROM users",
        "SELECT ifnull(email, 'x'), nullif(name, 'ana'), if(id > 2, email, name) FROM users",
        "SELECT name FROM users ORDER BY email NULLS FIRST LIMIT 1",
        "SELECT min(id), max(name) FROM users WHERE id > 100",
        "SELECT max(id) FROM users GROUP BY ALL",
        "SELECT 1 FROM users HAVING count(*) > 0",
        "SELECT id, name FROM users INTERSECT ALL SELECT user_id, title FROM posts",
        "SELECT id, email FROM users EXCEPT SELECT id, body FROM posts",
        "INSERT INTO tags SELECT id, name FROM users RETURNING *",
        "UPDATE posts SET body = NULL RETURNING body, title",
        "DELETE FROM users WHERE id = 4 RETURNING email",
        "SELECT generate_series, range FROM generate_series(1, 3), range(2)",
        "SELECT * FROM range(NULL::BIGINT, 3)",
        "SELECT unnest(l) FROM (SELECT [1, NULL] AS l)",
        "SELECT unnest({'a': email, 'b': id}) FROM users",
        "SELECT * FROM (VALUES (NULL), (1)) t(x)",
        "SELECT * FROM (SELECT id FROM users) x(renamed)",
    ];
    let mut failures = Vec::new();
    for sql in statements {
        let described = describe(&conn, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        failures.extend(contradictions(&conn, sql, &described).unwrap_or_else(|| panic!("{sql} does not run")));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether each column may be NULL, and whether a value inside it may be.
const LIST_CASES: &[(&str, &[(bool, bool)])] = &[
    // A table's list column may hold NULLs.
    ("SELECT xs FROM lists", &[(true, true)]),
    // `list(x)` holds every `x`; of a NOT NULL `x`, no NULL.
    (
        "SELECT list(id), list(name), list(id) FILTER (WHERE id > 1), array_agg(id ORDER BY id DESC) FROM lists",
        &[(true, false), (true, true), (true, false), (true, false)],
    ),
    ("SELECT name, list(id) FROM lists GROUP BY name", &[(true, true), (false, false)]),
    (
        "SELECT [1, 2], [id, 3], [id, NULL], [], string_split(name, ','), range(3), list_distinct(xs) FROM lists",
        &[(false, false), (false, false), (false, true), (false, false), (true, false), (true, false), (true, false)],
    ),
    (
        "SELECT list_sort(list(id)), list_concat(list(id), [4]), list_concat(xs, [4]), coalesce(xs, [1]), \
         CASE WHEN id > 1 THEN [id] ELSE [] END FROM lists GROUP BY id, xs",
        &[(false, false), (false, false), (true, true), (false, true), (false, false)],
    ),
    ("SELECT max(l) FROM (SELECT list(id) AS l FROM lists GROUP BY name)", &[(true, false)]),
    ("SELECT s.l FROM lists LEFT JOIN (SELECT list(id) AS l FROM lists) s ON true", &[(true, false)]),
    ("SELECT list(id) FROM lists UNION ALL SELECT [NULL::INTEGER]", &[(true, true)]),
    ("SELECT list(id) FROM lists UNION ALL SELECT [7]", &[(true, false)]),
    ("WITH c AS MATERIALIZED (SELECT list(id) AS l FROM lists) SELECT l FROM c", &[(true, false)]),
    ("SELECT * FROM (VALUES ([1]), ([2, 3])) t(l)", &[(false, false)]),
    ("SELECT * FROM (VALUES ([1]), ([NULL])) t(l)", &[(false, true)]),
    // A cast may turn values into NULLs; not numbers into numbers.
    (
        "SELECT [1, 2]::BIGINT[], ['1']::INTEGER[], TRY_CAST([1000] AS TINYINT[])",
        &[(false, false), (false, true), (true, true)],
    ),
    ("SELECT ['[1]'::JSON]::INTEGER[][]", &[(false, true)]),
    // An unnested value is an element of the list.
    ("SELECT unnest([1, 2])", &[(false, true)]),
    ("SELECT unnest(xs) FROM lists", &[(true, true)]),
    ("SELECT id, unnest(string_split(name, ',')) FROM lists", &[(false, true), (false, true)]),
    ("SELECT unnest(list(id)) FROM lists", &[(false, true)]),
    ("SELECT unnest([[1, NULL]], recursive := true)", &[(true, true)]),
    (
        "SELECT regexp_split_to_array(name, ','), string_split_regex(name, ','), list_reverse(list_value(id)) FROM lists",
        &[(true, false), (true, false), (true, false)],
    ),
    // The right side of a LEFT JOIN: its values may be NULL, so may a list of them.
    (
        "SELECT a.id, list(b.id) FROM lists a LEFT JOIN lists b ON b.id = a.id + 1 GROUP BY a.id",
        &[(false, true), (false, true)],
    ),
    // A list over a window frame holds its rows' values.
    ("SELECT list(id) OVER (ORDER BY id), list(xs) OVER () FROM lists", &[(false, false), (false, true)]),
    // A MAP's values: counts, the values given, or a table column's.
    (
        "SELECT histogram(name), histogram(id), MAP {'a': 1, 'b': id}, map(['a'], [xs[1]]), MAP {} FROM lists \
         GROUP BY id, xs",
        &[(true, false), (false, false), (false, false), (false, true), (false, false)],
    ),
    // A MAP's keys are never NULL, its values may be; positions are not.
    (
        "SELECT map_keys(MAP {id: name}), map_values(MAP {'a': id}), map_values(map(['a'], [xs[1]])), \
         grade_up([id, NULL]) FROM lists",
        &[(false, false), (false, false), (false, true), (false, false)],
    ),
    ("SELECT map_keys(histogram(name)), map_values(histogram(id)) FROM lists", &[(true, false), (true, false)]
    ),
    // Lists unnested side by side pad the shorter with NULLs.
    ("SELECT unnest([1, 2]), unnest([1, 2, 3])", &[(true, true), (true, true)]),
    // A STRUCT's fields are the values given; a table's STRUCT column may
    // hold NULL fields.
    (
        "SELECT {'id': id, 'n': 1}, {'id': id, 'name': name}, row(id, id + 1), {'xs': xs}, s FROM lists",
        &[(false, false), (false, true), (false, false), (false, true), (true, true)],
    ),
    ("SELECT max({'id': id}), max(s) FROM lists", &[(true, false), (true, true)]),
    // A field of such a STRUCT, or of a table's.
    (
        "SELECT p.v.id, p.v['name'], struct_extract(p.v, 'id'), s.a, s['b'] FROM lists, \
         (SELECT {'id': id, 'name': coalesce(name, '')} AS v FROM lists) p",
        &[(false, true), (false, true), (false, true), (true, true), (true, true)],
    ),
    (
        "SELECT CASE WHEN id > 1 THEN {'a': id} ELSE {'a': 0} END, coalesce(s, {'a': 1, 'b': 'x'}) FROM lists",
        &[(false, false), (false, true)],
    ),
    (
        "SELECT t.p FROM lists LEFT JOIN (SELECT {'id': id} AS p FROM lists) t ON t.p.id = lists.id + 1",
        &[(true, false)],
    ),
];

/// Whether a column may be NULL, a value inside it, and a value inside that.
type Nested = (bool, bool, bool);

/// One level further in: whether each column may be NULL, a value inside
/// it, and a value inside that (a field of a STRUCT in a LIST, an element
/// of a LIST in a LIST).
const NESTED_CASES: &[(&str, &[Nested])] = &[
    (
        "SELECT list({'id': id, 'name': coalesce(name, '')}), list({'id': id, 'name': name}), \
         list(string_split(coalesce(name, ''), ',')) FROM lists",
        &[(true, false, false), (true, false, true), (true, false, false)],
    ),
    (
        "SELECT [[1, 2], [id]], [[1, NULL]], [xs] FROM lists",
        &[(false, false, false), (false, false, true), (false, true, true)],
    ),
    ("SELECT max(l) FROM (SELECT list({'id': id}) AS l FROM lists GROUP BY name)", &[(true, false, false)]),
    ("SELECT unnest(list({'id': id})) FROM lists", &[(false, false, true)]),
    ("SELECT list({'id': id}) OVER (ORDER BY id) FROM lists", &[(false, false, false)]),
    ("SELECT list({'id': id}) FROM lists UNION ALL SELECT [{'id': NULL::INTEGER}]", &[(true, false, true)]),
    (
        "WITH c AS MATERIALIZED (SELECT name, list({'id': id}) AS l FROM lists GROUP BY name) \
         SELECT c.l, d.l FROM lists LEFT JOIN c ON c.name = lists.name LEFT JOIN c d ON d.name = 'none'",
        &[(true, false, false), (true, false, false)],
    ),
    (
        "SELECT list_sort(list([id])), list_concat(list([id]), [[NULL::INTEGER]]), \
         CASE WHEN id > 1 THEN [[id]] ELSE [[0]] END FROM lists GROUP BY id",
        &[(false, false, false), (false, false, true), (false, false, false)],
    ),
];

#[test]
fn infers_whether_values_inside_nested_values_can_be_null() {
    check_on_lists(NESTED_CASES, |c| (c.nullable, c.elements_nullable, c.nested_nullable));
}

const LIST_SCHEMA: &str = "
    CREATE TABLE lists (id INTEGER NOT NULL, xs INTEGER[], name VARCHAR, s STRUCT(a INTEGER, b VARCHAR));
    INSERT INTO lists VALUES (1, [1, NULL], 'a,b', {'a': 1, 'b': NULL}), (2, NULL, NULL, NULL), (3, [], 'c', {'a': 2, 'b': 'y'}),
                             (4, [5], 'c', NULL);
";

/// Nullability of lists and of the values inside them, statement by
/// statement, then on real rows: no column, and no list's value, inferred
/// not NULL holds a NULL.
#[test]
fn infers_whether_values_inside_lists_can_be_null() {
    check_on_lists(LIST_CASES, |c| (c.nullable, c.elements_nullable));
}

/// Runs each of `cases` on the `lists` table: what `inferred` reads off
/// its columns is what the case expects, and its rows contradict nothing
/// inferred.
fn check_on_lists<T: PartialEq + std::fmt::Debug>(cases: &[(&str, &[T])], inferred: impl Fn(&DescribedColumn) -> T) {
    let conn = schema();
    conn.execute_batch(LIST_SCHEMA).unwrap();
    let mut failures = Vec::new();
    for (sql, expected) in cases {
        let described = describe(&conn, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let got: Vec<T> = described.columns.iter().map(&inferred).collect();
        if got != *expected {
            failures.push(format!("{sql}\n    expected {expected:?}\n    got      {got:?}"));
        }
        failures.extend(contradictions(&conn, sql, &described).unwrap_or_else(|| panic!("{sql} does not run")));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
