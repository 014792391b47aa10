//! Statements whose text is only known at run time: [`QueryBuilder`].

use crate::query::{Query, QueryAs, QueryScalar};
use crate::row::FromRow;
use crate::types::{Decode, Encode};
use andamios_core::Value;
use std::fmt::{Display, Write};

/// Where `push_values` was given no rows: an error's SQL shows it.
const EMPTY_VALUES: &str = "/* no rows: push_values was given none; skip a statement with nothing to insert */";

/// Builds a statement piece by piece, numbering its parameters: for
/// filters that depend on input, `IN` lists and multi-row `VALUES`, where
/// the checked macros, which need the SQL text at compile time, cannot go.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// use andamios::QueryBuilder;
///
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// pool.execute_batch("CREATE TABLE city (name VARCHAR, population BIGINT)").await?;
///
/// let cities = [("Lisbon", 545_000i64), ("Porto", 232_000), ("Braga", 193_000)];
/// let mut insert = QueryBuilder::new("INSERT INTO city (name, population) ");
/// insert.push_values(cities, |mut row, (name, population)| {
///     row.push_bind(name).push_bind(population);
/// });
/// assert_eq!(insert.sql(), "INSERT INTO city (name, population) VALUES ($1, $2), ($3, $4), ($5, $6)");
/// insert.build().execute(&pool).await?;
///
/// let min_population: Option<i64> = Some(200_000);
/// let mut select = QueryBuilder::new("SELECT name FROM city WHERE true");
/// if let Some(min) = min_population {
///     select.push(" AND population >= ").push_bind(min);
/// }
/// select.push(" ORDER BY name");
/// let names: Vec<String> = select.build_query_scalar().fetch_all(&pool).await?;
/// assert_eq!(names, ["Lisbon", "Porto"]);
/// # Ok(()) }
/// ```
///
/// [`push`](Self::push) writes SQL as it is given: never pass it input
/// from outside the program. Values go through
/// [`push_bind`](Self::push_bind), which binds them as parameters (`$1`,
/// `$2`, ...), so do not mix in parameters of your own.
#[derive(Debug, Clone)]
pub struct QueryBuilder {
    sql: String,
    args: Vec<Value>,
    /// The length of the SQL given to [`new`](Self::new), for `reset`.
    start_len: usize,
}

impl QueryBuilder {
    /// A builder whose SQL starts with `start`.
    pub fn new(start: impl Into<String>) -> QueryBuilder {
        let sql = start.into();
        QueryBuilder { start_len: sql.len(), sql, args: Vec::new() }
    }

    /// Appends SQL text, as it is given.
    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        // Writing to a String cannot fail.
        let _ = write!(self.sql, "{sql}");
        self
    }

    /// Appends a parameter (`$1`, `$2`, ...) and binds `value` to it.
    pub fn push_bind<T: Encode>(&mut self, value: T) -> &mut Self {
        self.args.push(value.to_value());
        let _ = write!(self.sql, "${}", self.args.len());
        self
    }

    /// Appends `name` as a quoted identifier (`"name"`, a `"` inside it
    /// doubled): a table or column name known only at run time, which a
    /// parameter cannot stand for, written so that it cannot end the name
    /// and inject SQL. It is one part of a name: for `schema.table`, push
    /// each part, with a `.` between them. DuckDB matches quoted names
    /// without regard to case, as unquoted ones.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// let pool = andamios::Pool::connect("duckdb::memory:").await?;
    /// pool.execute_batch("CREATE TABLE sales (region VARCHAR, amount INTEGER); INSERT INTO sales VALUES ('north', 5)").await?;
    /// let column = "Amount"; // from a dashboard's settings, say
    /// let mut total = andamios::QueryBuilder::new("SELECT sum(");
    /// total.push_identifier(column).push(") FROM ").push_identifier("sales");
    /// assert_eq!(total.sql(), r#"SELECT sum("Amount") FROM "sales""#);
    /// let sum: i128 = total.build_query_scalar().fetch_one(&pool).await?;
    /// assert_eq!(sum, 5);
    ///
    /// let mut hostile = andamios::QueryBuilder::new("SELECT ");
    /// hostile.push_identifier(r#"amount") FROM sales; DROP TABLE sales; --"#);
    /// assert!(hostile.build().execute(&pool).await.is_err(), "no such column");
    /// # Ok(()) }
    /// ```
    pub fn push_identifier(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.sql, "\"{}\"", name.replace('"', "\"\""));
        self
    }

    /// A writer that puts `separator` between the pieces pushed through it:
    /// for `IN` lists, column lists and `SET` clauses.
    ///
    /// ```
    /// let mut b = andamios::QueryBuilder::new("SELECT * FROM city WHERE name IN (");
    /// let mut names = b.separated(", ");
    /// for name in ["Lisbon", "Porto"] {
    ///     names.push_bind(name);
    /// }
    /// names.push_unseparated(")");
    /// assert_eq!(b.sql(), "SELECT * FROM city WHERE name IN ($1, $2)");
    /// ```
    pub fn separated(&mut self, separator: impl Display) -> Separated<'_> {
        Separated { builder: self, separator: separator.to_string(), first: true }
    }

    /// Appends `VALUES (...), (...)`, one parenthesised row per item of
    /// `rows`, written by `push_row` through a [`Separated`] on `", "`.
    ///
    /// SQL has no empty `VALUES`: with no rows, DuckDB rejects the
    /// statement as a syntax error, whose SQL says why (a comment, where
    /// the rows would be). So skip an `INSERT` that has nothing to insert
    /// (or use [`Pool::append`](crate::Pool::append), faster for many rows
    /// anyway, and for none).
    pub fn push_values<I: IntoIterator>(
        &mut self,
        rows: I,
        mut push_row: impl FnMut(Separated<'_>, I::Item),
    ) -> &mut Self {
        let mut rows = rows.into_iter().peekable();
        self.sql.push_str("VALUES ");
        if rows.peek().is_none() {
            self.sql.push_str(EMPTY_VALUES);
        }
        self.push_rows(rows, &mut push_row);
        self
    }

    /// Appends `((...), (...))`, one parenthesised tuple per item of `rows`:
    /// the right side of `WHERE (a, b) IN`. No rows make `()`, which DuckDB
    /// reads as the empty list: `IN ()` matches no row, `NOT IN ()` every
    /// row.
    pub fn push_tuples<I: IntoIterator>(
        &mut self,
        rows: I,
        mut push_row: impl FnMut(Separated<'_>, I::Item),
    ) -> &mut Self {
        self.sql.push('(');
        self.push_rows(rows, &mut push_row);
        self.sql.push(')');
        self
    }

    fn push_rows<I: IntoIterator>(&mut self, rows: I, push_row: &mut impl FnMut(Separated<'_>, I::Item)) {
        for (i, row) in rows.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.sql.push('(');
            push_row(self.separated(", "), row);
            self.sql.push(')');
        }
    }

    /// The SQL built so far.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The SQL built so far, without the builder.
    pub fn into_sql(self) -> String {
        self.sql
    }

    /// Back to the SQL given to [`new`](Self::new), with no values bound.
    pub fn reset(&mut self) -> &mut Self {
        self.sql.truncate(self.start_len);
        self.args.clear();
        self
    }

    /// The statement with its bound values. The builder stays as it is: build
    /// again, or [`reset`](Self::reset) it and start over.
    pub fn build(&self) -> Query {
        Query::with_args(&self.sql, self.args.clone())
    }

    /// The statement, with its rows decoding into `T`.
    pub fn build_query_as<T: FromRow>(&self) -> QueryAs<T> {
        QueryAs::from_query(self.build())
    }

    /// The statement, with its first column decoding into `T`.
    pub fn build_query_scalar<T: Decode>(&self) -> QueryScalar<T> {
        QueryScalar::from_query(self.build())
    }
}

/// Writes pieces into a [`QueryBuilder`] with a separator between them
/// (see [`QueryBuilder::separated`]).
#[derive(Debug)]
pub struct Separated<'b> {
    builder: &'b mut QueryBuilder,
    separator: String,
    first: bool,
}

impl Separated<'_> {
    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.builder.sql.push_str(&self.separator);
        }
    }

    /// Appends the separator (unless this is the first piece), then `sql`.
    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        self.separate();
        self.builder.push(sql);
        self
    }

    /// Appends `sql` with no separator before it.
    pub fn push_unseparated(&mut self, sql: impl Display) -> &mut Self {
        self.builder.push(sql);
        self
    }

    /// Appends the separator (unless this is the first piece), then a
    /// parameter bound to `value`.
    pub fn push_bind<T: Encode>(&mut self, value: T) -> &mut Self {
        self.separate();
        self.builder.push_bind(value);
        self
    }

    /// Appends a parameter bound to `value`, with no separator before it.
    pub fn push_bind_unseparated<T: Encode>(&mut self, value: T) -> &mut Self {
        self.builder.push_bind(value);
        self
    }

    /// Appends the separator (unless this is the first piece), then `name`
    /// as a quoted identifier (see [`QueryBuilder::push_identifier`]): for
    /// a column list chosen at run time.
    pub fn push_identifier(&mut self, name: &str) -> &mut Self {
        self.separate();
        self.builder.push_identifier(name);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_with_their_quotes_doubled() {
        let mut b = QueryBuilder::new("SELECT ");
        let mut columns = b.separated(", ");
        for name in ["plain", "With Space", r#"a"b"#, r#""""#, ""] {
            columns.push_identifier(name);
        }
        b.push(" FROM ").push_identifier("s").push(".").push_identifier("t");
        assert_eq!(b.sql(), r#"SELECT "plain", "With Space", "a""b", """""", "" FROM "s"."t""#);
    }

    #[test]
    fn parameters_are_numbered_in_order_across_pieces() {
        let mut b = QueryBuilder::new("SELECT * FROM t WHERE a = ");
        b.push_bind(1i32).push(" AND b IN ");
        b.push_tuples([(2i64, "x"), (3, "y")], |mut t, (n, s)| {
            t.push_bind(n).push_bind(s);
        });
        assert_eq!(b.sql(), "SELECT * FROM t WHERE a = $1 AND b IN (($2, $3), ($4, $5))");
        assert_eq!(
            b.args,
            [
                Value::Integer(1),
                Value::BigInt(2),
                Value::Varchar("x".into()),
                Value::BigInt(3),
                Value::Varchar("y".into())
            ]
        );
    }

    #[test]
    fn separated_puts_the_separator_between_pieces_only() {
        let mut b = QueryBuilder::new("UPDATE t SET ");
        let mut set = b.separated(", ");
        set.push("a = ").push_bind_unseparated(1i64);
        set.push("b = ").push_bind_unseparated("two");
        set.push_unseparated(" WHERE id = ").push_bind_unseparated(3i64);
        assert_eq!(b.sql(), "UPDATE t SET a = $1, b = $2 WHERE id = $3");
    }

    #[test]
    fn values_and_reset() {
        let mut b = QueryBuilder::new("INSERT INTO t ");
        b.push_values(Vec::<i64>::new(), |mut row, v| {
            row.push_bind(v);
        });
        assert_eq!(b.sql(), format!("INSERT INTO t VALUES {EMPTY_VALUES}"));
        b.reset();
        b.push_values([1i64, 2], |mut row, v| {
            row.push_bind(v).push("DEFAULT");
        });
        assert_eq!(b.sql(), "INSERT INTO t VALUES ($1, DEFAULT), ($2, DEFAULT)");
        b.reset();
        assert_eq!((b.sql(), b.args.len()), ("INSERT INTO t ", 0));
        b.push("DEFAULT VALUES");
        assert_eq!(b.into_sql(), "INSERT INTO t DEFAULT VALUES");
    }
}
