//! A pool of connections to one DuckDB database instance.

use crate::connection::{Connection, PoolConnection, Worker, WorkerOptions};
use crate::error::{Error, Result};
use crate::timer::Timer;
use crate::transaction::Transaction;
use andamios_core::ffi::{Database, OpenOptions};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::Poll;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, TryAcquireError};

/// Whether the pool may write to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessMode {
    /// Read and write (one process at a time may hold a file this way).
    #[default]
    ReadWrite,
    /// Read only: several processes may open the same file.
    ReadOnly,
}

/// A future returned by an [`PoolOptions::after_connect`] hook.
pub type HookFuture<'c> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'c>>;

type AfterConnect = Arc<dyn for<'c> Fn(&'c mut PoolConnection) -> HookFuture<'c> + Send + Sync>;

/// Settings of a [`Pool`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// use andamios::PoolOptions;
/// use std::time::Duration;
///
/// let pool = PoolOptions::new()
///     .max_connections(4)
///     .acquire_timeout(Duration::from_secs(5))
///     .threads(2)
///     .memory_limit("1GB")
///     .after_connect(|conn| Box::pin(async move { conn.execute_batch("SET VARIABLE region = 'eu'").await }))
///     .connect("duckdb::memory:")
///     .await?;
/// # drop(pool); Ok(()) }
/// ```
#[derive(Clone)]
pub struct PoolOptions {
    max_connections: usize,
    min_connections: usize,
    acquire_timeout: Duration,
    idle_timeout: Option<Duration>,
    access_mode: AccessMode,
    threads: Option<usize>,
    memory_limit: Option<String>,
    settings: Vec<(String, String)>,
    slow_statement_threshold: Option<Duration>,
    /// `ATTACH IF NOT EXISTS` statements, one per [`PoolOptions::attach`].
    attach: Vec<String>,
    after_connect: Option<AfterConnect>,
}

impl std::fmt::Debug for PoolOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolOptions")
            .field("max_connections", &self.max_connections)
            .field("min_connections", &self.min_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("access_mode", &self.access_mode)
            .field("threads", &self.threads)
            .field("memory_limit", &self.memory_limit)
            .field("slow_statement_threshold", &self.slow_statement_threshold)
            .field("attach", &self.attach)
            .field("after_connect", &self.after_connect.is_some())
            .finish()
    }
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: std::thread::available_parallelism().map_or(4, |n| n.get().max(2)),
            min_connections: 0,
            acquire_timeout: Duration::from_secs(30),
            idle_timeout: Some(Duration::from_secs(600)),
            access_mode: AccessMode::ReadWrite,
            threads: None,
            memory_limit: None,
            settings: Vec::new(),
            slow_statement_threshold: Some(Duration::from_secs(1)),
            attach: Vec::new(),
            after_connect: None,
        }
    }
}

impl PoolOptions {
    /// Default options: as many connections as CPUs (at least 2), a 30 s
    /// acquire timeout, a 10 min idle timeout, read-write.
    pub fn new() -> Self {
        Self::default()
    }

    /// Most connections open at once (at least one).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Connections kept open (at most `max_connections` of them), all
    /// opened by [`connect`](Self::connect).
    pub fn min_connections(mut self, n: usize) -> Self {
        self.min_connections = n;
        self
    }

    /// How long `acquire` waits for a free connection before failing with
    /// [`Error::PoolTimedOut`].
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Connections idle for this long are closed, as long as
    /// `min_connections` stay open (default 10 min; `None` keeps them all).
    pub fn idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.idle_timeout = timeout.into();
        self
    }

    /// Read-write (default) or read-only access.
    pub fn access_mode(mut self, mode: AccessMode) -> Self {
        self.access_mode = mode;
        self
    }

    /// Threads DuckDB may use for one query.
    ///
    /// Whatever this is, on a machine with more than one core each
    /// connection also decodes the rows of a large `fetch_all` with strings
    /// or lists on a second thread of its own, started on first use. DuckDB's
    /// scan of such a streamed result goes no faster on more than one thread
    /// (measured), and while one of DuckDB's other threads runs the scan, the
    /// connection's thread busy-waits in DuckDB, polling its task queue until
    /// the stream's buffer is full. On a machine with few cores, both take
    /// CPU from the decoding thread: where large results matter more than
    /// aggregates, fewer threads than cores may fetch them a little faster
    /// (1M rows with a VARCHAR on 2 cores, in one whole-suite benchmark run:
    /// 66.6 ms with `threads(1)`, 68.0 ms with DuckDB's default of 2).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// DuckDB's memory limit, e.g. `"2GB"`.
    pub fn memory_limit(mut self, limit: impl Into<String>) -> Self {
        self.memory_limit = Some(limit.into());
        self
    }

    /// Any other DuckDB setting, applied when the database opens.
    pub fn setting(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.settings.push((name.into(), value.into()));
        self
    }

    /// Statements slower than this log a `tracing` warning (default 1 s; `None` disables).
    pub fn slow_statement_threshold(mut self, threshold: impl Into<Option<Duration>>) -> Self {
        self.slow_statement_threshold = threshold.into();
        self
    }

    /// Attaches the database file at `path` as `name`, so that statements
    /// read (and, read-write, write) `name.table` beside the pool's own
    /// database: before the `after_connect` hook, on every new connection
    /// (`ATTACH IF NOT EXISTS`: an attached database belongs to the DuckDB
    /// instance, which the connections share). A read-only file must exist;
    /// a file that cannot be attached fails [`connect`](Self::connect).
    ///
    /// The checked macros know its tables where `ANDAMIOS_ATTACH` names it
    /// (`ANDAMIOS_ATTACH=lookup=data/lookup.duckdb`, in the environment or
    /// `.env`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// use andamios::{AccessMode, PoolOptions};
    ///
    /// let dir = std::env::temp_dir().join(format!("andamios-attach-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let lookup = dir.join("lookup.duckdb");
    /// let pool = PoolOptions::new()
    ///     .attach("lookup", lookup.to_str().unwrap(), AccessMode::ReadWrite)
    ///     .connect("duckdb::memory:")
    ///     .await?;
    /// pool.execute_batch("CREATE TABLE lookup.countries AS SELECT 'es' AS code").await?;
    /// let code: String = andamios::query_scalar("SELECT code FROM lookup.countries").fetch_one(&pool).await?;
    /// assert_eq!(code, "es");
    /// # pool.close().await;
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(()) }
    /// ```
    pub fn attach(mut self, name: &str, path: &str, mode: AccessMode) -> Self {
        let read_only = if mode == AccessMode::ReadOnly { " (READ_ONLY)" } else { "" };
        self.attach.push(format!(
            "ATTACH IF NOT EXISTS '{}' AS \"{}\"{read_only};",
            path.replace('\'', "''"),
            name.replace('"', "\"\"")
        ));
        self
    }

    /// A hook run on every new connection before first use. An error it
    /// returns fails the acquire that opened the connection, and
    /// [`connect`](Self::connect), which opens the first connection.
    pub fn after_connect<F>(mut self, hook: F) -> Self
    where
        F: for<'c> Fn(&'c mut PoolConnection) -> HookFuture<'c> + Send + Sync + 'static,
    {
        self.after_connect = Some(Arc::new(hook));
        self
    }

    /// Opens the database named by `url` and returns a pool on it.
    ///
    /// Like SQLx, it opens connections up front, `min_connections` of them
    /// and at least one, so that a bad URL, setting or `after_connect` hook
    /// fails here, not at the first query.
    ///
    /// URLs: `duckdb::memory:` (in memory), `duckdb:path/to/file.duckdb`,
    /// optionally followed by `?setting=value&...` for DuckDB settings
    /// (`access_mode=read_only`, `threads=4`, ...).
    ///
    /// A file that another pool of this process has open is shared with
    /// that pool (DuckDB opens a file once per process), and must then be
    /// opened with the same options. Each `duckdb::memory:` pool is a
    /// database of its own.
    pub async fn connect(self, url: &str) -> Result<Pool> {
        let (path, mut open) = parse_url(url)?;
        open.read_only |= self.access_mode == AccessMode::ReadOnly;
        open.threads = self.threads.or(open.threads);
        open.memory_limit = self.memory_limit.clone().or(open.memory_limit);
        open.settings.extend(self.settings.iter().cloned());
        // Decoding a large result on a second thread needs a second core,
        // whatever DuckDB's own thread count: with `threads(1)` DuckDB scans
        // on the connection's thread and the helper decodes beside it
        // (measured on 1M rows with a VARCHAR: 57 to 75 ms, against 104 to
        // 112 ms on one thread).
        let parallel_decode = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
        // DuckDB starts its worker threads while opening, and they take the
        // opening thread's name: open on a thread of our own, so that `top -H`
        // and profilers show DuckDB's work as "duckdb", never as a tokio worker.
        let (opened_tx, opened_rx) = tokio::sync::oneshot::channel();
        std::thread::Builder::new().name(DUCKDB_THREAD_NAME.into()).spawn(move || {
            let _ = opened_tx.send(Database::open(&path, &open));
        })?;
        let db = opened_rx.await.map_err(|_| Error::WorkerGone)?.map_err(|e| Error::from_duckdb(e, None))?;
        let timer = Timer::start()?;
        let pool = Pool(Arc::new(PoolShared {
            timer,
            slots: Mutex::new(Slots { idle: VecDeque::new(), db: Some(db) }),
            returned: Notify::new(),
            semaphore: Arc::new(Semaphore::new(self.max_connections)),
            worker_options: WorkerOptions { slow_statement: self.slow_statement_threshold, parallel_decode },
            options: self,
        }));
        if let Some(timeout) = pool.0.options.idle_timeout {
            PoolShared::spawn_reaper(&pool.0, timeout);
        }
        let mut warm = Vec::new();
        for _ in 0..pool.0.options.min_connections.clamp(1, pool.0.options.max_connections) {
            warm.push(pool.acquire().await?);
        }
        drop(warm);
        Ok(pool)
    }
}

/// Runs `close` on a blocking thread when there is a tokio runtime (closing
/// a connection waits for its thread, and closing the database for DuckDB to
/// write it out), and here otherwise.
async fn off_the_runtime(close: impl FnOnce() + Send + 'static) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            let _ = runtime.spawn_blocking(close).await;
        }
        Err(_) => close(),
    }
}

/// The name DuckDB's own worker threads carry.
const DUCKDB_THREAD_NAME: &str = "duckdb";

fn parse_url(url: &str) -> Result<(String, OpenOptions)> {
    andamios_core::schema::parse_url(url).map_err(Error::Configuration)
}

pub(crate) struct PoolShared {
    slots: Mutex<Slots>,
    /// Woken whenever a connection goes back to a closed pool.
    returned: Notify,
    options: PoolOptions,
    worker_options: WorkerOptions,
    semaphore: Arc<Semaphore>,
    /// Times out waiting acquires and runs the reaper, on any runtime.
    timer: &'static Timer,
}

/// What a pool holds between checkouts, under one lock.
struct Slots {
    /// The idle connections, least recently used first.
    idle: VecDeque<Worker>,
    /// The database new connections open on. [`Pool::close`] takes it (the
    /// pool is closed once it is gone), and it closes once the connections,
    /// each holding it, have gone too.
    db: Option<Arc<Database>>,
}

impl PoolShared {
    /// Takes back a dropped [`PoolConnection`]'s connection (if it still
    /// has one) and its permit.
    ///
    /// Under the same lock as [`Pool::close`]: a connection is either
    /// queued before `close` takes the idle ones, or closed here.
    pub(crate) fn release(&self, worker: Option<Worker>, permit: Option<OwnedSemaphorePermit>) {
        {
            let mut slots = self.slots();
            if slots.db.is_some() {
                if let Some(mut worker) = worker {
                    // A transaction left open (a raw `BEGIN`, or a connection
                    // swapped out of a `Transaction` through `&mut *tx`) is
                    // rolled back before the next checkout's first statement
                    // (`WorkerState::start_checkout`); a dropped
                    // `Transaction` has queued its own rollback.
                    worker.in_transaction = false;
                    worker.checkout += 1;
                    worker.last_used = Instant::now();
                    slots.idle.push_back(worker);
                }
                drop(permit);
                return;
            }
        }
        // Closed: the connection closes first (outside the lock, as it
        // waits for its thread), and only then does its permit go back, so
        // that `close` resolves once every connection has closed.
        drop(worker);
        drop(permit);
        self.returned.notify_waiters();
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_closed(&self) -> bool {
        self.slots().db.is_none()
    }

    /// Closes the connections idle for longer than the idle timeout, oldest
    /// first, while more than `min_connections` stay open.
    fn close_expired(&self, timeout: Duration) {
        let expired: Vec<Worker> = {
            let idle = &mut self.slots().idle;
            let checked_out = self.permits_in_use();
            let mut expired = Vec::new();
            while checked_out + idle.len() > self.options.min_connections
                && idle.front().is_some_and(|worker| worker.last_used.elapsed() > timeout)
            {
                expired.extend(idle.pop_front());
            }
            expired
        };
        // Closed outside the lock: dropping a worker waits for its thread.
        drop(expired);
    }

    /// Waits for a connection to come back, at most the acquire timeout.
    async fn wait_for_permit(&self) -> Result<OwnedSemaphorePermit> {
        let timeout = self.options.acquire_timeout;
        let mut permit = std::pin::pin!(Arc::clone(&self.semaphore).acquire_owned());
        let mut deadline = std::pin::pin!(self.timer.sleep_until(Instant::now() + timeout));
        std::future::poll_fn(|cx| {
            if let Poll::Ready(permit) = permit.as_mut().poll(cx) {
                return Poll::Ready(permit.map_err(|_| Error::PoolClosed));
            }
            deadline.as_mut().poll(cx).map(|()| Err(Error::PoolTimedOut(timeout)))
        })
        .await
    }

    /// Permits held: connections checked out, or being opened for a caller.
    fn permits_in_use(&self) -> usize {
        self.options.max_connections - self.semaphore.available_permits()
    }

    /// Closes expired idle connections, four times per timeout (so at most
    /// a quarter of it late), until the pool is dropped or closed.
    fn spawn_reaper(shared: &Arc<PoolShared>, timeout: Duration) {
        let period = (timeout / 4).max(Duration::from_millis(1));
        Self::reap_at(shared.timer, Arc::downgrade(shared), Instant::now() + period, period, timeout);
    }

    /// One sweep of the reaper, on the timer's thread, and the next one
    /// scheduled. Holding the pool only weakly between sweeps lets the
    /// owner's drop, not the reaper, close it.
    fn reap_at(timer: &'static Timer, shared: Weak<PoolShared>, at: Instant, period: Duration, timeout: Duration) {
        timer.run_at(at, move || {
            let Some(pool) = shared.upgrade() else { return };
            if pool.is_closed() {
                return;
            }
            pool.close_expired(timeout);
            // Held for the sweep only: the owner's drop, not this, closes
            // the pool and its database (bar that short window, when the
            // timer's other work waits for it).
            drop(pool);
            // Delayed, not caught up, after a late sweep.
            Self::reap_at(timer, shared, Instant::now() + period, period, timeout);
        });
    }
}

/// How many times [`Pool::transaction`] runs its work at most, while it
/// conflicts with concurrent transactions.
pub const TRANSACTION_ATTEMPTS: u32 = 8;

/// The pause before attempt `attempt + 1` of a conflicting transaction:
/// 1 ms doubling to 64 ms, each between half and one and a half times
/// that, so that the transactions that conflicted do not meet again.
fn conflict_pause(attempt: u32) -> Duration {
    let base = Duration::from_millis(1 << attempt.saturating_sub(1).min(6));
    // Jitter from the clock's nanoseconds: no random source is needed.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    base / 2 + base.mul_f64(f64::from(nanos % 1000) / 1000.0)
}

/// A pool of connections to one DuckDB database.
///
/// Cloning is cheap and shares the pool. Each connection runs its statements
/// on its own thread, so DuckDB never blocks the async runtime.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> andamios::Result<()> {
/// let pool = andamios::Pool::connect("duckdb::memory:").await?;
/// andamios::query("CREATE TABLE t (x INTEGER)").execute(&pool).await?;
/// andamios::query("INSERT INTO t VALUES ($1), ($2)").bind(1).bind(2).execute(&pool).await?;
/// let sum: i64 = andamios::query_scalar("SELECT sum(x)::BIGINT FROM t").fetch_one(&pool).await?;
/// assert_eq!(sum, 3);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pool(pub(crate) Arc<PoolShared>);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("options", &self.0.options)
            .field("idle", &self.num_idle())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Pool {
    /// Opens `url` with default [`PoolOptions`].
    pub async fn connect(url: &str) -> Result<Pool> {
        PoolOptions::new().connect(url).await
    }

    /// Waits for a free connection (at most the acquire timeout).
    pub async fn acquire(&self) -> Result<PoolConnection> {
        let shared = &self.0;
        if shared.is_closed() {
            return Err(Error::PoolClosed);
        }
        let permit = match Arc::clone(&shared.semaphore).try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => return Err(Error::PoolClosed),
            Err(TryAcquireError::NoPermits) => shared.wait_for_permit().await?,
        };
        let db = {
            let mut slots = shared.slots();
            // Most recently used first: keeps caches warm and lets old ones expire.
            if let Some(worker) = slots.idle.pop_back() {
                return Ok(PoolConnection {
                    conn: Some(Connection { worker }),
                    pool: Arc::clone(shared),
                    permit: Some(permit),
                });
            }
            slots.db.clone().ok_or(Error::PoolClosed)?
        };
        let worker = Worker::spawn(db, shared.worker_options).await?;
        let mut conn =
            PoolConnection { conn: Some(Connection { worker }), pool: Arc::clone(shared), permit: Some(permit) };
        if !shared.options.attach.is_empty() {
            if let Err(e) = conn.execute_batch(&shared.options.attach.concat()).await {
                conn.conn = None;
                return Err(e.in_attach());
            }
        }
        if let Some(hook) = shared.options.after_connect.clone() {
            if let Err(e) = hook(&mut conn).await {
                // Do not hand a half-configured connection to the next caller.
                conn.conn = None;
                return Err(e.in_after_connect());
            }
        }
        Ok(conn)
    }

    /// Starts a transaction on a pooled connection.
    pub async fn begin(&self) -> Result<Transaction<'static>> {
        let conn = self.acquire().await?;
        Transaction::begin_on(crate::executor::MaybeOwned::Owned(conn)).await
    }

    /// Runs `work` in a transaction and commits it, and runs it again in a
    /// new one, after a short pause, while it fails with DuckDB's retryable
    /// write-write conflict ([`Error::is_retryable`]), up to
    /// [`TRANSACTION_ATTEMPTS`] times in all. DuckDB's transactions are
    /// optimistic: two that update one row at once conflict, and the loser
    /// is to retry. Any other error rolls the transaction back and is
    /// returned at once.
    ///
    /// `work` returns its future boxed (`Box::pin(async move { ... })`), as
    /// SQLx's `Connection::transaction` takes it: an async closure would do,
    /// but a task that awaits one cannot be spawned (the compiler cannot yet
    /// tell that its future is `Send`). It may run more than once, so what
    /// it does outside the database should bear repeating.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// let pool = andamios::Pool::connect("duckdb::memory:").await?;
    /// pool.execute_batch("CREATE TABLE counter (n BIGINT); INSERT INTO counter VALUES (0);").await?;
    /// let step = 2;
    /// let n = pool
    ///     .transaction(|tx| {
    ///         Box::pin(async move {
    ///             andamios::query("UPDATE counter SET n = n + $1").bind(step).execute(&mut *tx).await?;
    ///             andamios::query_scalar::<i64>("SELECT n FROM counter").fetch_one(&mut *tx).await
    ///         })
    ///     })
    ///     .await?;
    /// assert_eq!(n, 2);
    /// # Ok(()) }
    /// ```
    pub async fn transaction<T, F>(&self, mut work: F) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut Transaction<'static>) -> Pin<Box<dyn Future<Output = Result<T>> + Send + 't>>,
    {
        let mut attempt = 1;
        loop {
            let mut tx = self.begin().await?;
            let outcome = match work(&mut tx).await {
                Ok(value) => tx.commit().await.map(|()| value),
                // Dropped, it rolls back.
                Err(e) => Err(e),
            };
            match outcome {
                Err(e) if e.is_retryable() && attempt < TRANSACTION_ATTEMPTS => {
                    self.0.timer.sleep_until(Instant::now() + conflict_pause(attempt)).await;
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// Runs a script of one or more `;`-separated statements.
    ///
    /// The whole script is parsed first: a syntax error anywhere runs none
    /// of it. Then the statements run in order, and the first that fails
    /// stops the script; its error quotes it and says which it was
    /// ([`Error::script_statement`](crate::Error::script_statement)).
    /// Outside a transaction each statement commits on its own, so those
    /// before it stay applied. For all or nothing, run the script in a
    /// [`Transaction`](crate::Transaction) (`tx.execute_batch`) or wrap it
    /// in `BEGIN; ... COMMIT;`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// let pool = andamios::Pool::connect("duckdb::memory:").await?;
    /// pool.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);").await?;
    ///
    /// let err = pool.execute_batch("INSERT INTO t VALUES (2); INSERT INTO t VALUES (1);").await.unwrap_err();
    /// let failed = err.script_statement().expect("a statement of the script failed");
    /// assert_eq!((failed.index, failed.count), (1, 2));
    /// assert_eq!(err.sql(), Some("INSERT INTO t VALUES (1)"));
    ///
    /// let rows: i64 = andamios::query_scalar("SELECT count(*) FROM t").fetch_one(&pool).await?;
    /// assert_eq!(rows, 2, "the statement before it committed on its own");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn execute_batch(&self, sql: &str) -> Result<()> {
        self.acquire().await?.execute_batch(sql).await
    }

    /// Open connections: idle ones and those checked out, as SQLx's
    /// `Pool::size` counts them.
    pub fn size(&self) -> usize {
        self.num_idle() + self.num_in_use()
    }

    /// Idle connections.
    pub fn num_idle(&self) -> usize {
        self.0.slots().idle.len()
    }

    /// Connections checked out right now.
    pub fn num_in_use(&self) -> usize {
        self.0.permits_in_use()
    }

    /// The options the pool was opened with.
    pub fn options(&self) -> &PoolOptions {
        &self.0.options
    }

    /// Closes the pool, and returns a future that resolves once every
    /// connection has closed and, with them, the database: its file can then
    /// be opened again, by this process with other options or by another
    /// process.
    ///
    /// The pool closes when this is called, awaited or not: waiting and
    /// later acquires fail with [`Error::PoolClosed`]. The future then closes
    /// the idle connections, waits for the checked-out ones to come back and
    /// close (a transaction still open rolls back), and closes the database,
    /// which stays open only while another pool of this process shares its
    /// file. Dropped unawaited, it closes the idle connections, and the last
    /// connection to close closes the database.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> andamios::Result<()> {
    /// let dir = std::env::temp_dir().join(format!("andamios-close-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let url = format!("duckdb:{}", dir.join("app.duckdb").display());
    /// let pool = andamios::Pool::connect(&url).await?;
    /// pool.execute_batch("CREATE TABLE t AS SELECT 42 AS x").await?;
    /// pool.close().await;
    /// // The file is closed: it opens again, now read-only.
    /// let reader = andamios::PoolOptions::new()
    ///     .access_mode(andamios::AccessMode::ReadOnly)
    ///     .connect(&url)
    ///     .await?;
    /// let x: i32 = andamios::query_scalar("SELECT x FROM t").fetch_one(&reader).await?;
    /// assert_eq!(x, 42);
    /// # drop(reader);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(()) }
    /// ```
    pub fn close(&self) -> impl Future<Output = ()> + Send + 'static {
        let shared = Arc::clone(&self.0);
        let (idle, db) = {
            let mut slots = shared.slots();
            (std::mem::take(&mut slots.idle), slots.db.take())
        };
        shared.semaphore.close();
        async move {
            off_the_runtime(move || drop(idle)).await;
            loop {
                // Registered before the check: a permit that goes back after
                // it wakes this wait.
                let returned = shared.returned.notified();
                tokio::pin!(returned);
                returned.as_mut().enable();
                if shared.permits_in_use() == 0 {
                    break;
                }
                returned.await;
            }
            off_the_runtime(move || drop(db)).await;
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.0.is_closed()
    }

    /// The database instance the pool's connections open on; shared by
    /// the pools of one file.
    pub(crate) fn database(&self) -> Result<Arc<Database>> {
        self.0.slots().db.clone().ok_or(Error::PoolClosed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_are_configuration_errors() {
        assert!(matches!(parse_url("postgres://x"), Err(Error::Configuration(_))));
        assert_eq!(parse_url("duckdb::memory:").unwrap().0, ":memory:");
    }
}
