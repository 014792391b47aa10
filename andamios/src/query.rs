//! Statements built at run time: [`query`], [`query_as`], [`query_scalar`].

use crate::connection::{CancelOnDrop, StreamSender, WorkerState, STREAM_BUFFER_CHUNKS};
use crate::error::{Error, Result};
use crate::executor::{Executor, MaybeOwned};
use crate::row::{FromRow, Row, Scalar};
use crate::types::{Decode, Encode};
use andamios_core::named_params::{listed, order_by_name, NamedValueError};
use andamios_core::Value;
use futures_core::Stream;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// A statement with its bound arguments; run it with one of its methods.
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until executed or fetched"]
pub struct Query {
    sql: Arc<str>,
    args: Args,
    /// Rows per Arrow record batch; `None`: a batch per data chunk.
    #[cfg(feature = "arrow")]
    arrow_batch_rows: Option<usize>,
}

/// The values bound to a statement: in its parameters' order, or by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Args {
    pub(crate) values: Vec<Value>,
    /// The names of the values bound by name ([`Query::bind_named`]), in
    /// the order given; empty when all were bound in order. Every value is
    /// bound one way or the other, so with names, `names[i]` is `values[i]`'s.
    pub(crate) names: Vec<Box<str>>,
}

impl Args {
    /// The values bound by name, in the order of a statement's parameters,
    /// which `param_names` lists (`id` for `$id`); or what is wrong.
    pub(crate) fn by_name(&self, param_names: &[String]) -> std::result::Result<Vec<&Value>, String> {
        if self.names.len() != self.values.len() {
            return Err("bind every value with `bind` or every one with `bind_named`, not some of each".into());
        }
        let named = self.names.iter().map(|name| &**name).zip(&self.values);
        order_by_name(param_names, named).map_err(|e| match e {
            NamedValueError::Unknown(given) => {
                let name = &self.names[given];
                let name = name.strip_prefix('$').unwrap_or(name);
                format!("the statement has no parameter `${name}`; it has {}", listed(param_names))
            }
            NamedValueError::Twice(_, param) => format!("`${param}` was bound twice"),
            NamedValueError::Missing(param) => format!("no value was bound for `${param}`"),
        })
    }
}

/// A statement whose rows decode into `T` ([`FromRow`]).
///
/// (`R` is the type rows are decoded as before conversion into `T`; the
/// checked macros use it to build the caller's struct field by field.)
#[must_use = "a query does nothing until executed or fetched"]
pub struct QueryAs<T, R = T> {
    query: Query,
    _row: PhantomData<fn() -> (T, R)>,
}

// Manual impls: the row types need not be Clone or Debug.
impl<T, R> Clone for QueryAs<T, R> {
    fn clone(&self) -> Self {
        QueryAs { query: self.query.clone(), _row: PhantomData }
    }
}

impl<T, R> std::fmt::Debug for QueryAs<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryAs").field("query", &self.query).finish()
    }
}

/// A statement whose first column decodes into `T`.
#[must_use = "a query does nothing until executed or fetched"]
pub struct QueryScalar<T> {
    inner: QueryAs<Scalar<T>>,
}

impl<T> Clone for QueryScalar<T> {
    fn clone(&self) -> Self {
        QueryScalar { inner: self.inner.clone() }
    }
}

impl<T> std::fmt::Debug for QueryScalar<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryScalar").field("query", &self.inner.query).finish()
    }
}

/// A statement returning untyped [`Row`]s.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// let rows = andamios::query("SELECT range AS n FROM range(3)").fetch_all(&pool).await?;
/// assert_eq!(rows[2].get::<i64, _>("n"), 2);
/// # Ok(()) }
/// ```
pub fn query(sql: &str) -> Query {
    Query::with_args(sql, Vec::new())
}

/// A statement whose rows decode into `T`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// let pairs: Vec<(i64, String)> = andamios::query_as("SELECT range, 'n' || range FROM range(2)")
///     .fetch_all(&pool)
///     .await?;
/// assert_eq!(pairs[1], (1, "n1".to_owned()));
/// # Ok(()) }
/// ```
pub fn query_as<T: FromRow>(sql: &str) -> QueryAs<T> {
    QueryAs::from_query(query(sql))
}

impl<T: FromRow> QueryAs<T> {
    pub(crate) fn from_query(query: Query) -> QueryAs<T> {
        QueryAs { query, _row: PhantomData }
    }
}

impl<T: Decode> QueryScalar<T> {
    pub(crate) fn from_query(query: Query) -> QueryScalar<T> {
        QueryScalar { inner: QueryAs::from_query(query) }
    }
}

/// A statement whose rows decode as `R` and convert into `T` (used by `query_as!`).
#[doc(hidden)]
pub fn query_as_via<T, R: FromRow + Into<T>>(sql: &str) -> QueryAs<T, R> {
    QueryAs { query: query(sql), _row: PhantomData }
}

/// A statement whose first column decodes into `T`.
pub fn query_scalar<T: Decode>(sql: &str) -> QueryScalar<T> {
    QueryScalar::from_query(query(sql))
}

impl Query {
    /// A statement with its arguments already bound (used by the builder).
    pub(crate) fn with_args(sql: &str, values: Vec<Value>) -> Query {
        Query {
            sql: Arc::from(sql),
            args: Args { values, names: Vec::new() },
            #[cfg(feature = "arrow")]
            arrow_batch_rows: None,
        }
    }

    /// Binds the next parameter (`$1`, then `$2`, ...).
    pub fn bind<T: Encode>(mut self, value: T) -> Self {
        self.args.values.push(value.to_value());
        self
    }

    /// Binds the named parameter `$name` (`name` with or without its `$`;
    /// DuckDB's names ignore case). Bind every value of a statement by name
    /// or none.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// let pool = andamios::Pool::connect("duckdb::memory:").await?;
    /// let n: i64 = andamios::query_scalar("SELECT $hi - $lo")
    ///     .bind_named("lo", 3i64)
    ///     .bind_named("hi", 10i64)
    ///     .fetch_one(&pool)
    ///     .await?;
    /// assert_eq!(n, 7);
    /// # Ok(()) }
    /// ```
    pub fn bind_named<T: Encode>(mut self, name: &str, value: T) -> Self {
        self.args.names.push(name.into());
        self.args.values.push(value.to_value());
        self
    }

    /// Binds an already converted value (used by the checked macros).
    #[doc(hidden)]
    pub fn bind_value(mut self, value: Value) -> Self {
        self.args.values.push(value);
        self
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// Runs the statement and returns the number of rows it changed. A
    /// query (`SELECT ...`) runs to its end, its rows dropped as they come,
    /// never all held at once, and changes none.
    pub async fn execute<'c, E: Executor<'c>>(self, executor: E) -> Result<u64> {
        let mut conn = executor.connection().await?;
        let Query { sql, args, .. } = self;
        conn.worker.run(move |s| s.execute(&sql, &args)).await?
    }

    /// All rows as Arrow record batches (feature `arrow`), converted by
    /// DuckDB itself, a batch per data chunk (2048 rows) unless
    /// [`arrow_batch_size`](Self::arrow_batch_size) says otherwise; an empty
    /// result is one batch of no rows, so the schema is always there. For
    /// Polars, DataFusion and anything else that reads Arrow.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// use andamios::arrow::array::{Array, Int64Array};
    ///
    /// let pool = andamios::Pool::connect("duckdb::memory:").await?;
    /// let batches = andamios::query("SELECT range AS n FROM range(5000)").fetch_arrow(&pool).await?;
    /// let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    /// assert_eq!(rows, 5000);
    /// let n = batches[0].column(0).as_any().downcast_ref::<Int64Array>().unwrap();
    /// assert_eq!(n.value(1), 1);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "arrow")]
    pub async fn fetch_arrow<'c, E: Executor<'c>>(self, executor: E) -> Result<Vec<crate::arrow::RecordBatch>> {
        let mut conn = executor.connection().await?;
        let Query { sql, args, arrow_batch_rows } = self;
        conn.worker.run(move |s| s.fetch_arrow(&sql, &args, arrow_batch_rows)).await?
    }

    /// The rows as a stream of Arrow record batches (feature `arrow`), one
    /// per data chunk unless [`arrow_batch_size`](Self::arrow_batch_size)
    /// says otherwise, converted on the connection's thread and buffered at
    /// most [`STREAM_BUFFER_CHUNKS`] batches ahead: for results larger than
    /// memory. As with [`fetch_arrow`](Self::fetch_arrow), an empty result
    /// is one batch of no rows.
    #[cfg(feature = "arrow")]
    pub fn fetch_arrow_stream<'c, E: Executor<'c> + 'c>(self, executor: E) -> ArrowStream<'c> {
        let rows = self.arrow_batch_rows;
        RowStream::start_job(self, executor, move |s, sql, args, tx, in_flight| {
            s.stream_arrow(sql, args, rows, tx, in_flight)
        })
    }

    /// Has [`fetch_arrow`](Self::fetch_arrow) and
    /// [`fetch_arrow_stream`](Self::fetch_arrow_stream) yield record batches
    /// of `rows` rows (at least one), the last holding what is left,
    /// instead of one per DuckDB data chunk (2048 rows). Readers of Arrow
    /// (DataFusion, Polars, DuckDB's own Arrow scan) work per batch, and
    /// thousands of small batches can cost them more than the data; DuckDB's
    /// Python client makes batches of 1,000,000 rows. The chunks' batches
    /// are joined by a copy on the connection's thread (batches smaller
    /// than a chunk are slices, with no copy).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// let pool = andamios::Pool::connect("duckdb::memory:").await?;
    /// let batches = andamios::query("SELECT range AS n FROM range(250000)")
    ///     .arrow_batch_size(100_000)
    ///     .fetch_arrow(&pool)
    ///     .await?;
    /// let sizes: Vec<usize> = batches.iter().map(|b| b.num_rows()).collect();
    /// assert_eq!(sizes, [100_000, 100_000, 50_000]);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "arrow")]
    pub fn arrow_batch_size(mut self, rows: usize) -> Self {
        self.arrow_batch_rows = Some(rows.max(1));
        self
    }

    /// Typed rows of this statement.
    pub fn map_into<T: FromRow>(self) -> QueryAs<T> {
        QueryAs::from_query(self)
    }

    async fn fetch_limit<'c, T, E>(self, executor: E, limit: Option<usize>) -> Result<Vec<T>>
    where
        T: FromRow + Send + 'static,
        E: Executor<'c>,
    {
        let mut conn = executor.connection().await?;
        let Query { sql, args, .. } = self;
        conn.worker.run(move |s| s.fetch::<T>(&sql, &args, limit)).await?
    }

    /// All rows, in one `Vec`.
    ///
    /// Rows of fixed-width values are computed by DuckDB on all its threads
    /// first, then decoded straight into a vector of their number (for a
    /// moment, DuckDB's copy and the vector are both held); rows with
    /// strings or lists, and those of a statement whose last result was
    /// large, are decoded while DuckDB computes them. For more rows than
    /// memory holds, use [`fetch`](Self::fetch).
    pub async fn fetch_all<'c, E: Executor<'c>>(self, executor: E) -> Result<Vec<Row>> {
        self.fetch_limit(executor, None).await
    }

    /// The first row; [`Error::RowNotFound`] when there is none.
    pub async fn fetch_one<'c, E: Executor<'c>>(self, executor: E) -> Result<Row> {
        self.fetch_optional(executor).await?.ok_or(Error::RowNotFound)
    }

    /// The first row, if any.
    pub async fn fetch_optional<'c, E: Executor<'c>>(self, executor: E) -> Result<Option<Row>> {
        Ok(self.fetch_limit(executor, Some(1)).await?.pop())
    }

    /// The rows as a stream, decoded a chunk at a time on the connection's
    /// thread and buffered at most [`STREAM_BUFFER_CHUNKS`] chunks ahead.
    pub fn fetch<'c, E: Executor<'c> + 'c>(self, executor: E) -> RowStream<'c, Row> {
        RowStream::start(self, executor)
    }
}

impl<T, R> QueryAs<T, R>
where
    T: Send + 'static,
    R: FromRow + Into<T> + Send + 'static,
{
    /// Binds the next parameter.
    pub fn bind<V: Encode>(mut self, value: V) -> Self {
        self.query = self.query.bind(value);
        self
    }

    /// Binds the named parameter `$name` (see [`Query::bind_named`]).
    pub fn bind_named<V: Encode>(mut self, name: &str, value: V) -> Self {
        self.query = self.query.bind_named(name, value);
        self
    }

    #[doc(hidden)]
    pub fn bind_value(mut self, value: Value) -> Self {
        self.query = self.query.bind_value(value);
        self
    }

    /// Runs the statement and returns the number of rows it changed.
    pub async fn execute<'c, E: Executor<'c>>(self, executor: E) -> Result<u64> {
        self.query.execute(executor).await
    }

    /// All rows, in one `Vec` (computed and decoded as by
    /// [`Query::fetch_all`]). For more rows than memory holds, use
    /// [`fetch`](Self::fetch).
    pub async fn fetch_all<'c, E: Executor<'c>>(self, executor: E) -> Result<Vec<T>> {
        let rows: Vec<R> = self.query.fetch_limit(executor, None).await?;
        // In place: the rows are the caller's type, or (the checked macros)
        // a wrapper of it of the same layout.
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The first row; [`Error::RowNotFound`] when there is none.
    pub async fn fetch_one<'c, E: Executor<'c>>(self, executor: E) -> Result<T> {
        self.fetch_optional(executor).await?.ok_or(Error::RowNotFound)
    }

    /// The first row, if any.
    pub async fn fetch_optional<'c, E: Executor<'c>>(self, executor: E) -> Result<Option<T>> {
        let mut rows: Vec<R> = self.query.fetch_limit(executor, Some(1)).await?;
        Ok(rows.pop().map(Into::into))
    }

    /// The rows as a stream (see [`Query::fetch`]).
    pub fn fetch<'c, E: Executor<'c> + 'c>(self, executor: E) -> RowStream<'c, T, R> {
        RowStream::start(self.query, executor)
    }
}

impl<T: Decode + Send + 'static> QueryScalar<T> {
    /// Binds the next parameter.
    pub fn bind<V: Encode>(mut self, value: V) -> Self {
        self.inner = self.inner.bind(value);
        self
    }

    /// Binds the named parameter `$name` (see [`Query::bind_named`]).
    pub fn bind_named<V: Encode>(mut self, name: &str, value: V) -> Self {
        self.inner = self.inner.bind_named(name, value);
        self
    }

    #[doc(hidden)]
    pub fn bind_value(mut self, value: Value) -> Self {
        self.inner = self.inner.bind_value(value);
        self
    }

    /// Runs the statement and returns the number of rows it changed.
    pub async fn execute<'c, E: Executor<'c>>(self, executor: E) -> Result<u64> {
        self.inner.execute(executor).await
    }

    /// The first column of every row.
    pub async fn fetch_all<'c, E: Executor<'c>>(self, executor: E) -> Result<Vec<T>> {
        Ok(self.inner.fetch_all(executor).await?.into_iter().map(|s| s.0).collect())
    }

    /// The first column of the first row; [`Error::RowNotFound`] when there is none.
    pub async fn fetch_one<'c, E: Executor<'c>>(self, executor: E) -> Result<T> {
        self.inner.fetch_one(executor).await.map(|s| s.0)
    }

    /// The first column of the first row, if any.
    pub async fn fetch_optional<'c, E: Executor<'c>>(self, executor: E) -> Result<Option<T>> {
        Ok(self.inner.fetch_optional(executor).await?.map(|s| s.0))
    }

    /// The first column of every row, as a stream.
    pub fn fetch<'c, E: Executor<'c> + 'c>(self, executor: E) -> ScalarStream<'c, T> {
        ScalarStream(self.inner.fetch(executor))
    }
}

type Batch<T> = Result<Vec<T>>;
type Started<'c, T> = (MaybeOwned<'c>, tokio::sync::mpsc::Receiver<Batch<T>>, CancelOnDrop);

enum StreamState<'c, R> {
    Starting(Pin<Box<dyn Future<Output = Result<Started<'c, R>>> + Send + 'c>>),
    // Fields drop in order: the receiver and the guard go first, which
    // releases the connection's thread from a full buffer and interrupts the
    // query, and only then the connection, whose closing waits for that thread.
    Running {
        batches: tokio::sync::mpsc::Receiver<Batch<R>>,
        current: std::vec::IntoIter<R>,
        guard: CancelOnDrop,
        // Held so the connection stays checked out while rows arrive.
        _conn: MaybeOwned<'c>,
    },
    Done,
}

/// The rows of a statement as a stream of Arrow record batches (see
/// [`Query::fetch_arrow_stream`]); its `rows_in_flight` counts batches.
#[cfg(feature = "arrow")]
pub type ArrowStream<'c> = RowStream<'c, crate::arrow::RecordBatch>;

/// The rows of a statement, as a [`Stream`] of `T`. Dropping it stops the query.
pub struct RowStream<'c, T, R = T> {
    state: StreamState<'c, R>,
    in_flight: Arc<AtomicUsize>,
    _into: PhantomData<fn() -> T>,
}

// The stream never pins its fields in place (the future is boxed).
impl<T, R> Unpin for RowStream<'_, T, R> {}

impl<T, R> std::fmt::Debug for RowStream<'_, T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream").field("rows_in_flight", &self.rows_in_flight()).finish_non_exhaustive()
    }
}

impl<'c, T, R: FromRow + Send + 'static> RowStream<'c, T, R> {
    fn start<E: Executor<'c> + 'c>(query: Query, executor: E) -> Self {
        Self::start_job(query, executor, |s, sql, args, tx, in_flight| s.stream::<R>(sql, args, tx, in_flight))
    }
}

impl<'c, T, R: Send + 'static> RowStream<'c, T, R> {
    /// Starts `job` on the connection's thread, sending its batches here.
    fn start_job<E, J>(query: Query, executor: E, job: J) -> Self
    where
        E: Executor<'c> + 'c,
        J: FnOnce(&mut WorkerState, &str, &Args, StreamSender<R>, &AtomicUsize) + Send + 'static,
    {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&in_flight);
        let starting = async move {
            let mut conn = executor.connection().await?;
            let (tx, rx) = tokio::sync::mpsc::channel(STREAM_BUFFER_CHUNKS);
            let Query { sql, args, .. } = query;
            let guard = conn.worker.submit(move |s| job(s, &sql, &args, tx, &counter))?;
            Ok((conn, rx, guard))
        };
        RowStream { state: StreamState::Starting(Box::pin(starting)), in_flight, _into: PhantomData }
    }
}

impl<T, R> RowStream<'_, T, R> {
    /// Rows decoded on the connection's thread but not yet yielded: bounded
    /// by `(STREAM_BUFFER_CHUNKS + 2) * 2048` whatever the result's size.
    pub fn rows_in_flight(&self) -> usize {
        // Those of batches not yet taken, counted by the connection's
        // thread, and the rest of the batch being yielded: counted here by
        // batch, not by row, which would be an atomic write per row.
        let rest_of_batch = match &self.state {
            StreamState::Running { current, .. } => current.len(),
            _ => 0,
        };
        self.in_flight.load(Ordering::SeqCst) + rest_of_batch
    }
}

impl<T, R: Into<T>> Stream for RowStream<'_, T, R> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                StreamState::Starting(future) => match future.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) => {
                        this.state = StreamState::Done;
                        return Poll::Ready(Some(Err(e)));
                    }
                    Poll::Ready(Ok((conn, batches, guard))) => {
                        this.state =
                            StreamState::Running { _conn: conn, batches, current: Vec::new().into_iter(), guard };
                    }
                },
                StreamState::Running { batches, current, guard, .. } => {
                    if let Some(item) = current.next() {
                        return Poll::Ready(Some(Ok(item.into())));
                    }
                    match batches.poll_recv(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Some(Ok(batch))) => {
                            this.in_flight.fetch_sub(batch.len(), Ordering::SeqCst);
                            *current = batch.into_iter();
                        }
                        Poll::Ready(Some(Err(e))) => {
                            guard.disarm();
                            this.state = StreamState::Done;
                            return Poll::Ready(Some(Err(e)));
                        }
                        Poll::Ready(None) => {
                            guard.disarm();
                            this.state = StreamState::Done;
                            return Poll::Ready(None);
                        }
                    }
                }
                StreamState::Done => return Poll::Ready(None),
            }
        }
    }
}

/// The first column of a statement's rows, as a [`Stream`].
#[derive(Debug)]
pub struct ScalarStream<'c, T>(RowStream<'c, Scalar<T>>);

impl<T> ScalarStream<'_, T> {
    /// See [`RowStream::rows_in_flight`].
    pub fn rows_in_flight(&self) -> usize {
        self.0.rows_in_flight()
    }
}

impl<T> Stream for ScalarStream<'_, T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.get_mut().0).poll_next(cx).map(|o| o.map(|r| r.map(|s| s.0)))
    }
}
