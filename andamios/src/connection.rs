//! Connections: each DuckDB connection lives on its own thread.
//!
//! DuckDB calls block and burn CPU, so they never run on a tokio worker. A
//! [`Worker`] owns one DuckDB connection on a dedicated thread and runs
//! closures sent to it over a channel; results come back through a oneshot
//! channel, whole (a `Vec<T>` per call, or a batch per chunk for streams).

use crate::error::{DatabaseErrorKind, Error, Result};
use crate::parallel_decode::{decode_in_parallel, DecodeHelper, PARALLEL_GROUP_CHUNKS};
use crate::pool::PoolShared;
use crate::query::Args;
use crate::row::{decode_chunk, FromRow};
use crate::transaction::Transaction;
use andamios_core::ffi::{self, ChunkView, ColumnDescription, Database, InterruptHandle, QueryResult, Statement};
use andamios_core::script::{leading_keywords, transaction_control};
use andamios_core::{DuckDbError, DuckErrorType, DuckType, StatementKind};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut WorkerState) + Send>;

/// How a connection thread runs statements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkerOptions {
    /// Statements slower than this log a warning.
    pub(crate) slow_statement: Option<Duration>,
    /// Whether `fetch_all` of a large result decodes on a second thread.
    pub(crate) parallel_decode: bool,
}

/// What the worker thread owns.
pub(crate) struct WorkerState {
    pub(crate) conn: ffi::Connection,
    options: WorkerOptions,
    /// Started by the first `fetch_all` large enough to use it.
    decode_helper: Option<DecodeHelper>,
    /// The checkout (see [`Worker::checkout`]) of the last job run.
    checkout: u64,
    /// Whether a transaction may be open that no `Transaction` will end: a
    /// raw `BEGIN` or a script ran since the last known end of one.
    may_hold_transaction: bool,
    /// Whether a statement (or an append) failed since the last BEGIN:
    /// only then can the transaction have been aborted (see `commit`).
    pub(crate) failed_since_begin: bool,
    /// Whether a `Transaction` (or an append's own transaction) is open:
    /// its BEGIN was sent and its COMMIT or ROLLBACK not yet. Statements
    /// that end or begin transactions are refused inside it.
    in_managed_transaction: bool,
    /// Whether the running job's caller gave up on it.
    pub(crate) job: RunningJob,
}

/// The job a connection thread runs, as far as its caller can cancel it.
pub(crate) struct RunningJob {
    /// The connection's jobs: which runs, which were cancelled.
    run_state: Arc<Mutex<RunState>>,
    /// The running job's id, where its caller can cancel it.
    cancellable: Option<u64>,
}

impl RunningJob {
    /// Whether the running job's caller stopped waiting for it (dropped
    /// its future). DuckDB's interrupt stops a statement that runs, but
    /// not work outside one (an append's rows), and DuckDB forgets one
    /// that comes before the statement runs (while it is prepared and
    /// bound): each statement outside a transaction starts with none.
    pub(crate) fn cancelled(&self) -> bool {
        self.cancellable.is_some_and(|id| self.run_state.lock().unwrap_or_else(|e| e.into_inner()).cancelled >= id)
    }

    /// An interrupt error saying `what` happened, once the running job's
    /// caller dropped its future (see [`RunningJob::cancelled`]).
    pub(crate) fn stop_if_cancelled(&self, what: &str) -> Result<()> {
        if !self.cancelled() {
            return Ok(());
        }
        Err(Error::from_duckdb(DuckDbError::new(DuckErrorType::Interrupt, format!("INTERRUPT Error: {what}")), None))
    }
}

/// Which job is running, and which was cancelled (ids are per worker and increase).
#[derive(Default)]
struct RunState {
    running: u64,
    cancelled: u64,
}

/// The async side's handle on a connection thread.
pub(crate) struct Worker {
    jobs: mpsc::Sender<Job>,
    /// Joined on drop: see `Drop for Worker`.
    thread: Option<std::thread::JoinHandle<()>>,
    interrupt: InterruptHandle,
    state: Arc<Mutex<RunState>>,
    next_id: u64,
    pub(crate) in_transaction: bool,
    pub(crate) last_used: Instant,
    /// How many times the connection went back to the pool: a job of a new
    /// checkout first rolls back a transaction the previous one left open.
    pub(crate) checkout: u64,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("in_transaction", &self.in_transaction).finish_non_exhaustive()
    }
}

/// Interrupts (or cancels, if it has not started) a job whose future or
/// stream was dropped.
pub(crate) struct CancelOnDrop {
    state: Arc<Mutex<RunState>>,
    interrupt: InterruptHandle,
    id: u64,
    armed: bool,
}

impl CancelOnDrop {
    /// The job finished: nothing to cancel.
    pub(crate) fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.cancelled = state.cancelled.max(self.id);
        // Interrupt only while our job runs: a stray interrupt would hit the next query.
        if state.running == self.id {
            self.interrupt.interrupt();
        }
    }
}

/// How much of a streamed result DuckDB computes ahead of the connection's
/// reads, set on each new connection (before the pool's `after_connect`
/// hook, which may set it again). DuckDB's default, 10 MiB, lets its
/// threads run far ahead of a large `fetch_all`, taking CPU from the thread
/// that decodes the rows, and each read then waits for a burst of work.
/// (Measured on the 1M-row benchmark, 88 calls each, alternating: medians
/// 62.7 ms with 10 MiB, 53.8 with 2 MB, 49.1 with 1 MB. In other rounds,
/// 256 and 512 KB were slower than 1 MB, and 64 MB slower than 10 MiB.)
const STREAMING_BUFFER: &str = "SET streaming_buffer_size = '1MB'";

/// How long a connection thread looks for its next job before it sleeps,
/// when its jobs come one right after another (see [`JobQueue`]).
const POLL_FOR_NEXT_JOB: Duration = Duration::from_micros(200);

/// The jobs of a connection thread, which a caller running one statement
/// after another finds it awake for.
///
/// A thread asleep on the queue takes the next job only once the kernel
/// wakes it, and on a virtual machine that is tens of microseconds: a
/// point query paid it on top of DuckDB's time. So when the last job came
/// within [`POLL_FOR_NEXT_JOB`] of the one before, the thread looks for
/// the next one for that long, yielding its core to anything else, before
/// it sleeps. When jobs come further apart it sleeps at once, so an idle
/// connection costs nothing. (Measured on 2 cores, the point-query
/// benchmark with builds alternating: 744 and 784 µs a query without this,
/// 640 and 691 µs with it, against 611 to 660 µs for duckdb-rs on the
/// caller's thread.)
struct JobQueue {
    queue: mpsc::Receiver<Job>,
    /// [`POLL_FOR_NEXT_JOB`], but in tests.
    window: Duration,
    /// Whether the last job came within `window`.
    poll: bool,
    /// How many jobs the thread found awake, polling.
    found_awake: u64,
}

impl JobQueue {
    /// The next job; `None` once the async side has dropped its sender.
    fn next(&mut self) -> Option<Job> {
        let idle_since = Instant::now();
        if self.poll {
            while idle_since.elapsed() < self.window {
                match self.queue.try_recv() {
                    Ok(job) => {
                        self.found_awake += 1;
                        return Some(job);
                    }
                    Err(mpsc::TryRecvError::Disconnected) => return None,
                    Err(mpsc::TryRecvError::Empty) => std::thread::yield_now(),
                }
            }
        }
        let job = self.queue.recv().ok()?;
        self.poll = idle_since.elapsed() < self.window;
        Some(job)
    }
}

impl Worker {
    /// Starts a thread with a new connection to `db`.
    pub(crate) async fn spawn(db: Arc<Database>, options: WorkerOptions) -> Result<Worker> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = oneshot::channel();
        let run_state = Arc::<Mutex<RunState>>::default();
        let worker_run_state = Arc::clone(&run_state);
        let thread = std::thread::Builder::new().name("andamios-connection".into()).spawn(move || {
            let conn = match db.connect() {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = ready_tx.send(Err(Error::from(e)));
                    return;
                }
            };
            if let Err(e) = conn.execute_batch(STREAMING_BUFFER) {
                // Only slower: the connection serves as well without it.
                tracing::debug!(error = %e, "DuckDB refused {STREAMING_BUFFER}");
            }
            let _ = ready_tx.send(Ok(conn.interrupt_handle()));
            let mut state = WorkerState::new(conn, options, worker_run_state);
            let mut queue = JobQueue { queue, window: POLL_FOR_NEXT_JOB, poll: false, found_awake: 0 };
            // Ends when the async side drops its Sender.
            while let Some(job) = queue.next() {
                // Jobs report their own panics (see `Worker::run`); this
                // keeps the connection up whatever happens.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut state)));
            }
        })?;
        let interrupt = ready_rx.await.map_err(|_| Error::WorkerGone)??;
        Ok(Worker {
            jobs,
            thread: Some(thread),
            interrupt,
            state: run_state,
            next_id: 0,
            in_transaction: false,
            last_used: Instant::now(),
            checkout: 0,
        })
    }

    /// Makes `f` a job; a `cancellable` one is skipped if its caller
    /// stopped waiting for it before it started (see [`CancelOnDrop`]).
    fn wrap<F>(&mut self, f: F, cancellable: bool) -> (u64, Job)
    where
        F: FnOnce(&mut WorkerState) + Send + 'static,
    {
        self.next_id += 1;
        let id = self.next_id;
        let checkout = self.checkout;
        let run_state = Arc::clone(&self.state);
        let job: Job = Box::new(move |state| {
            state.start_checkout(checkout);
            {
                let mut s = run_state.lock().unwrap_or_else(|e| e.into_inner());
                if cancellable && s.cancelled >= id {
                    return;
                }
                s.running = id;
            }
            state.job.cancellable = cancellable.then_some(id);
            f(state);
            state.job.cancellable = None;
            let late_interrupt = {
                let mut s = run_state.lock().unwrap_or_else(|e| e.into_inner());
                s.running = 0;
                s.cancelled >= id
            };
            if late_interrupt {
                // The interrupt may have arrived after DuckDB finished; a
                // trivial statement consumes it so the next query is unaffected.
                state.failed_since_begin |= state.conn.execute_batch("SELECT 1").is_err();
            }
        });
        (id, job)
    }

    /// Sends `f` to the connection thread; the returned guard interrupts it
    /// when dropped before being disarmed.
    pub(crate) fn submit<F>(&mut self, f: F) -> Result<CancelOnDrop>
    where
        F: FnOnce(&mut WorkerState) + Send + 'static,
    {
        let (id, job) = self.wrap(f, true);
        self.last_used = Instant::now();
        self.jobs.send(job).map_err(|_| Error::WorkerGone)?;
        Ok(CancelOnDrop { state: Arc::clone(&self.state), interrupt: self.interrupt.clone(), id, armed: true })
    }

    /// Runs `f` on the connection thread and awaits its result. Dropping the
    /// returned future interrupts the statement.
    pub(crate) async fn run<R, F>(&mut self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut WorkerState) -> R + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let mut guard = self.submit(move |state| {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| f(&mut *state)));
            state.failed_since_begin |= outcome.is_err();
            let _ = tx.send(outcome);
        })?;
        let result = match rx.await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(panic)) => Err(Error::panicked(panic)),
            Err(_) => Err(Error::WorkerGone),
        };
        guard.disarm();
        result
    }

    /// Queues `f` without waiting for it (rollback on drop).
    pub(crate) fn run_detached<F>(&mut self, f: F)
    where
        F: FnOnce(&mut WorkerState) + Send + 'static,
    {
        // Never skipped: no caller waits for it to cancel it (the rollback
        // of a dropped transaction must run even when the next statement's
        // future is dropped before this job starts).
        let (_, job) = self.wrap(f, false);
        let _ = self.jobs.send(job);
    }
}

impl Drop for Worker {
    /// Closes the connection before returning: the thread ends once its
    /// queue is closed and empty. When the pool goes, its database then
    /// closes with it, so that the file can be opened again at once, with
    /// other options too. The wait is for queued work (a rollback, an
    /// interrupted query), which is short: a running query of a dropped
    /// future has been interrupted.
    fn drop(&mut self) {
        // A sender with no receiver stands in for ours, whose drop closes the queue.
        drop(std::mem::replace(&mut self.jobs, mpsc::channel().0));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The error for a COMMIT of a transaction that a failed statement aborted.
fn aborted_commit_error(sql: &str) -> Error {
    Error::Database {
        kind: DatabaseErrorKind::Transaction,
        message:
            "cannot commit: a statement in this transaction failed, which aborted it, so its changes were rolled back; \
                  handle that statement's error, or run the whole transaction again"
                .into(),
        sql: Some(sql.into()),
        script_statement: None,
    }
}

/// The error for SQL that begins or ends a transaction (a statement, or
/// one of a script) inside a `Transaction`: a COMMIT would end it part-way
/// and run the rest outside it, with the `Transaction` reporting an error
/// for work that stayed.
fn control_in_transaction_error(sql: &str) -> Error {
    Error::Database {
        kind: DatabaseErrorKind::Transaction,
        message: "cannot run BEGIN, COMMIT or ROLLBACK as SQL inside a Transaction: a COMMIT would end it part-way; \
                  end it with Transaction::commit or rollback, and leave these statements out of its scripts \
                  (a migration runs in a transaction of its own)"
            .into(),
        sql: Some(sql.into()),
        script_statement: None,
    }
}

/// Whether the first statement of `sql` is a COMMIT (DuckDB also spells it
/// `END`).
fn starts_with_commit(sql: &str) -> bool {
    leading_keywords(sql).first().is_some_and(|k| k.eq_ignore_ascii_case("COMMIT") || k.eq_ignore_ascii_case("END"))
}

/// Rows in a data chunk, the unit that crosses threads.
pub(crate) const CHUNK_ROWS: usize = 2048;

/// How many decoded chunks a stream buffers ahead of its consumer.
pub const STREAM_BUFFER_CHUNKS: usize = 2;

impl WorkerState {
    /// A connection thread's state before its first job.
    fn new(conn: ffi::Connection, options: WorkerOptions, run_state: Arc<Mutex<RunState>>) -> WorkerState {
        WorkerState {
            conn,
            options,
            decode_helper: None,
            checkout: 0,
            may_hold_transaction: false,
            failed_since_begin: false,
            in_managed_transaction: false,
            job: RunningJob { run_state, cancellable: None },
        }
    }

    fn prepare_bound(&mut self, sql: &str, args: &Args) -> Result<&mut Statement> {
        let kind = self.conn.prepare_cached(sql).map_err(|e| Error::from_duckdb(e, Some(sql)))?.kind();
        if kind == StatementKind::Transaction {
            if self.in_managed_transaction {
                return Err(control_in_transaction_error(sql));
            }
            self.may_hold_transaction = true;
            self.refuse_commit_of_aborted(sql)?;
        }
        let stmt = self.conn.prepare_cached(sql).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
        let bad_arguments =
            |message: String| Error::Encode { what: "the arguments".into(), message, sql: Some(sql.to_owned()) };
        stmt.clear_bindings();
        if args.names.is_empty() {
            let expected = stmt.param_count();
            if expected != args.values.len() {
                return Err(bad_arguments(format!(
                    "the statement has {expected} parameter(s) but {} value(s) were bound",
                    args.values.len()
                )));
            }
            for (i, value) in args.values.iter().enumerate() {
                stmt.bind(i, value).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
            }
        } else {
            let ordered = args.by_name(&stmt.param_names()).map_err(bad_arguments)?;
            for (i, value) in ordered.into_iter().enumerate() {
                stmt.bind(i, value).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
            }
        }
        // Preparing and binding (a long list) are the slow parts before
        // the statement runs.
        self.job.stop_if_cancelled("the statement was cancelled (its future was dropped) before it ran")?;
        Ok(stmt)
    }

    fn traced<R>(&mut self, sql: &str, f: impl FnOnce(&mut Self) -> Result<(R, u64)>) -> Result<R> {
        let span = tracing::debug_span!(
            "andamios.query",
            sql = sql,
            rows = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty
        );
        let _entered = span.enter();
        let started = Instant::now();
        let result = f(self).map_err(|e| e.in_statement(sql));
        let elapsed = started.elapsed();
        span.record("elapsed_ms", elapsed.as_secs_f64() * 1e3);
        match &result {
            Ok((_, rows)) => {
                span.record("rows", rows);
            }
            Err(e) => {
                self.failed_since_begin = true;
                tracing::debug!(error = %e, "statement failed");
            }
        }
        if let Some(threshold) = self.options.slow_statement {
            if elapsed >= threshold {
                tracing::warn!(sql = sql, elapsed_ms = elapsed.as_secs_f64() * 1e3, "slow statement");
            }
        }
        result.map(|(r, _)| r)
    }

    pub(crate) fn execute(&mut self, sql: &str, args: &Args) -> Result<u64> {
        self.traced(sql, |this| {
            let stmt = this.prepare_bound(sql, args)?;
            // A query's rows are run through and dropped a chunk at a time:
            // held whole, a large result would take its size in memory for
            // nothing (measured: 750 MB for 30M rows of two columns).
            let query = stmt.kind() == StatementKind::Select;
            let mut result = stmt.execute(query).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
            if query {
                let mut read = 0;
                while let Some(chunk) = result.next_chunk().map_err(|e| Error::from_duckdb(e, Some(sql)))? {
                    read += chunk.len() as u64;
                }
                return Ok((0, read));
            }
            let rows = result.rows_changed();
            Ok((rows, rows))
        })
    }

    /// Runs a transaction-control statement of a `Transaction` (`BEGIN
    /// TRANSACTION`, `COMMIT`, `ROLLBACK`; keeps the statement cache).
    pub(crate) fn control(&mut self, sql: &str) -> Result<()> {
        if sql.starts_with("BEGIN") {
            self.failed_since_begin = false;
        }
        // Whatever the outcome: a BEGIN may open one even when it fails (see
        // below), and after a COMMIT or ROLLBACK, failed or not, the
        // `Transaction` is over.
        self.in_managed_transaction = sql.starts_with("BEGIN");
        let result = self.traced(sql, |this| {
            this.conn.execute_batch(sql).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
            Ok(((), 0))
        });
        // Only a COMMIT or ROLLBACK that succeeded is known to have ended
        // the transaction. A BEGIN that failed may have opened one anyway:
        // one interrupted as it runs (its future dropped) leaves an aborted
        // transaction behind, which would fail every later statement.
        if sql.starts_with("BEGIN") {
            self.may_hold_transaction = true;
        } else if result.is_ok() {
            self.may_hold_transaction = false;
        }
        result
    }

    pub(crate) fn execute_batch(&mut self, sql: &str) -> Result<()> {
        // A dropped future's interrupt stops the statement that runs, and
        // this, the statements after it.
        self.run_script(sql, |conn, job| conn.execute_batch_unless(sql, || job.cancelled()))
    }

    /// A script (a migration, a fixture) on a database made to be thrown
    /// away (a test's), run as the macros run a migration while a crate
    /// compiles: writing no file (see
    /// [`andamios_core::migrate::apply_writing_no_file`]).
    pub(crate) fn execute_batch_writing_no_file(&mut self, sql: &str) -> Result<()> {
        self.run_script(sql, |conn, _| andamios_core::migrate::apply_writing_no_file(conn, sql))
    }

    fn run_script(
        &mut self,
        sql: &str,
        run: impl FnOnce(&ffi::Connection, &RunningJob) -> std::result::Result<(), DuckDbError>,
    ) -> Result<()> {
        // Read the script only inside a `Transaction`.
        if self.in_managed_transaction && transaction_control(sql).is_some() {
            return Err(control_in_transaction_error(sql));
        }
        // A script may begin a transaction, or fail inside one it began.
        self.may_hold_transaction = true;
        self.refuse_commit_of_aborted(sql)?;
        self.traced(sql, |this| {
            run(&this.conn, &this.job).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
            // A script may change the schema under cached statements.
            this.conn.clear_statement_cache();
            Ok(((), 0))
        })
    }

    /// Called before each job: the first job of a new checkout rolls back a
    /// transaction that the previous checkout left open (a raw `BEGIN` run
    /// on a pooled connection, say), so that no caller inherits it.
    fn start_checkout(&mut self, checkout: u64) {
        if self.checkout == checkout {
            return;
        }
        self.checkout = checkout;
        self.in_managed_transaction = false;
        if std::mem::take(&mut self.may_hold_transaction) && self.in_open_transaction() {
            tracing::warn!("a connection went back to the pool inside a transaction; rolled it back");
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// Commits the open transaction, unless a failed statement aborted it:
    /// DuckDB answers the COMMIT of an aborted transaction with a rollback
    /// and no error, which would report changes as committed that are gone.
    /// (DuckDB is asked only after a failure: asking costs a statement,
    /// measured at about 100 µs of a 700 µs begin-insert-commit.) On an
    /// error, the caller rolls back (see `Transaction::finish`).
    pub(crate) fn commit(&mut self) -> Result<()> {
        if self.failed_since_begin && self.transaction_aborted() {
            return Err(aborted_commit_error("COMMIT"));
        }
        self.control("COMMIT")
    }

    /// The same for a COMMIT (or `END`) the caller runs as SQL, alone or
    /// first in a script: instead of DuckDB's silent rollback, rolls back
    /// and says so. Leaves the connection outside a transaction, as
    /// DuckDB's answer would.
    fn refuse_commit_of_aborted(&mut self, sql: &str) -> Result<()> {
        if !self.failed_since_begin || !starts_with_commit(sql) || !self.transaction_aborted() {
            return Ok(());
        }
        self.control("ROLLBACK")?;
        self.failed_since_begin = false;
        Err(aborted_commit_error(sql))
    }

    /// Whether a failed statement aborted the open transaction: DuckDB then
    /// refuses every statement until the transaction ends, with an error of
    /// its own class. (Any other error, an interrupt say, is not that.)
    fn transaction_aborted(&mut self) -> bool {
        let refused = match self.conn.prepare_cached("SELECT 1") {
            Ok(stmt) => stmt.execute(false).err(),
            Err(e) => Some(e),
        };
        refused.is_some_and(|e| e.kind() == DuckErrorType::Transaction)
    }

    /// Outside a transaction every statement runs in one of its own; inside
    /// one, statements share its id. An error (an aborted transaction) counts
    /// as inside.
    fn in_open_transaction(&mut self) -> bool {
        let mut transaction_id = || -> Option<i64> {
            let stmt = self.conn.prepare_cached("SELECT txid_current()").ok()?;
            let mut result = stmt.execute(false).ok()?;
            let ty = result.columns().first()?.ty.clone();
            let chunk = result.next_chunk().ok()??;
            chunk.column(0, &ty)?.get::<i64>(0)
        };
        match (transaction_id(), transaction_id()) {
            (Some(first), Some(second)) => first == second,
            _ => true,
        }
    }

    /// Runs a query and decodes up to `limit` rows.
    pub(crate) fn fetch<T: FromRow + Send + 'static>(
        &mut self,
        sql: &str,
        args: &Args,
        limit: Option<usize>,
    ) -> Result<Vec<T>> {
        let parallel_decode = self.options.parallel_decode;
        // Apart from `self` for the call, so that the statement (borrowed
        // from `self`) records its result's size itself once decoded.
        let mut helper = self.decode_helper.take();
        let fetched = self.traced(sql, |this| {
            let stmt = this.prepare_bound(sql, args)?;
            let plan = FetchPlan::choose(stmt, limit, parallel_decode);
            let last_row_count = stmt.last_row_count();
            let mut chunks = Chunks::execute(stmt, plan != FetchPlan::Materialized, sql)?;
            let out = match plan {
                FetchPlan::Materialized => {
                    let mut out = rows_vec(chunks.result.row_count().unwrap_or(0));
                    while let Some(chunk) = chunks.next()? {
                        decode_chunk(&chunk, usize::MAX, &mut out)?;
                    }
                    out
                }
                FetchPlan::StreamingInParallel => decode_in_parallel(&mut chunks, &mut helper, last_row_count)?,
                FetchPlan::Streaming => concat(chunks.decode(limit)?),
            };
            if limit.is_none() {
                stmt.record_row_count(out.len());
            }
            let n = out.len() as u64;
            Ok((out, n))
        });
        self.decode_helper = helper;
        fetched
    }

    /// Runs a query and converts every chunk into an Arrow record batch (see
    /// [`ArrowBatches`]).
    #[cfg(feature = "arrow")]
    pub(crate) fn fetch_arrow(
        &mut self,
        sql: &str,
        args: &Args,
        batch_rows: Option<usize>,
    ) -> Result<Vec<arrow_array::RecordBatch>> {
        self.traced(sql, |this| {
            let stmt = this.prepare_bound(sql, args)?;
            let mut chunks = Chunks::execute(stmt, true, sql)?;
            let mut source = ArrowBatches::new(batch_rows);
            let mut batches = Vec::new();
            let mut rows = 0;
            while let Some(batch) = source.next(&mut chunks)? {
                rows += batch.num_rows() as u64;
                batches.push(batch);
            }
            Ok((batches, rows))
        })
    }

    /// Streams a query's rows to `tx` a decoded chunk at a time.
    pub(crate) fn stream<T: FromRow + Send + 'static>(
        &mut self,
        sql: &str,
        args: &Args,
        tx: StreamSender<T>,
        in_flight: &AtomicUsize,
    ) {
        self.stream_batches(sql, args, tx, in_flight, |chunks| {
            let Some(chunk) = chunks.next()? else { return Ok(None) };
            let mut batch = Vec::with_capacity(CHUNK_ROWS);
            decode_chunk(&chunk, usize::MAX, &mut batch)?;
            let rows = batch.len() as u64;
            Ok(Some((batch, rows)))
        });
    }

    /// Streams a query's rows to `tx` as Arrow record batches (see
    /// [`ArrowBatches`]).
    #[cfg(feature = "arrow")]
    pub(crate) fn stream_arrow(
        &mut self,
        sql: &str,
        args: &Args,
        batch_rows: Option<usize>,
        tx: StreamSender<arrow_array::RecordBatch>,
        in_flight: &AtomicUsize,
    ) {
        let mut source = ArrowBatches::new(batch_rows);
        self.stream_batches(sql, args, tx, in_flight, move |chunks| {
            Ok(source.next(chunks)?.map(|batch| {
                let rows = batch.num_rows() as u64;
                (vec![batch], rows)
            }))
        });
    }

    /// Runs a streaming query and sends what `next_batch` makes of it (a
    /// batch of items and the rows they hold; `None` at the end) to `tx`,
    /// counting the items in flight, until the result ends or the stream is
    /// dropped; a failure is the stream's last item.
    fn stream_batches<X: Send + 'static>(
        &mut self,
        sql: &str,
        args: &Args,
        tx: StreamSender<X>,
        in_flight: &AtomicUsize,
        mut next_batch: impl FnMut(&mut Chunks<'_>) -> Result<Option<(Vec<X>, u64)>>,
    ) {
        let stream = AssertUnwindSafe(|| {
            self.traced(sql, |this| {
                let stmt = this.prepare_bound(sql, args)?;
                let mut chunks = Chunks::execute(stmt, true, sql)?;
                let mut total = 0u64;
                while let Some((batch, rows)) = next_batch(&mut chunks)? {
                    total += rows;
                    in_flight.fetch_add(batch.len(), Ordering::SeqCst);
                    if tx.blocking_send(Ok(batch)).is_err() {
                        // The stream was dropped: stop reading.
                        break;
                    }
                }
                Ok(((), total))
            })
        });
        // A panic (in a FromRow impl) must end the stream with an error, not
        // as if it had reached the last row.
        let outcome = std::panic::catch_unwind(stream).unwrap_or_else(|panic| {
            self.failed_since_begin = true;
            Err(Error::panicked(panic))
        });
        if let Err(e) = outcome {
            let _ = tx.blocking_send(Err(e));
        }
    }
}

/// A result's chunks as Arrow record batches: one per chunk, or batches of
/// a chosen number of rows; an empty result is one batch of no rows, which
/// carries the schema.
#[cfg(feature = "arrow")]
struct ArrowBatches {
    converter: Option<ffi::ArrowConverter>,
    given: bool,
    /// Rows per batch; `None`: a batch per chunk.
    batch_rows: Option<usize>,
    /// What the last batch left of its last chunk's rows.
    rest: Option<arrow_array::RecordBatch>,
}

#[cfg(feature = "arrow")]
impl ArrowBatches {
    fn new(batch_rows: Option<usize>) -> Self {
        ArrowBatches { converter: None, given: false, batch_rows, rest: None }
    }

    fn next(&mut self, chunks: &mut Chunks<'_>) -> Result<Option<arrow_array::RecordBatch>> {
        let Some(wanted) = self.batch_rows else { return self.next_of_chunk(chunks) };
        let mut parts = Vec::new();
        let mut rows = 0;
        while rows < wanted {
            let next = match self.rest.take() {
                Some(rest) => Some(rest),
                None => self.next_of_chunk(chunks)?,
            };
            let Some(batch) = next else { break };
            let take = batch.num_rows().min(wanted - rows);
            if take < batch.num_rows() {
                self.rest = Some(batch.slice(take, batch.num_rows() - take));
                parts.push(batch.slice(0, take));
            } else {
                parts.push(batch);
            }
            rows += take;
        }
        if parts.len() <= 1 {
            return Ok(parts.pop());
        }
        match arrow_select::concat::concat_batches(&parts[0].schema(), &parts) {
            Ok(batch) => Ok(Some(batch)),
            Err(e) => {
                let message = format!(
                    "cannot join {} chunks into an Arrow record batch of {rows} rows: {e}; a column of text or \
                     bytes holds at most 2 GiB in one batch (Arrow's 32-bit offsets): choose a smaller \
                     `arrow_batch_size`",
                    parts.len()
                );
                let error = andamios_core::DuckDbError::new(DuckErrorType::Conversion, message);
                Err(Error::from_duckdb(error, Some(chunks.sql)))
            }
        }
    }

    /// The next chunk as a batch of its own.
    fn next_of_chunk(&mut self, chunks: &mut Chunks<'_>) -> Result<Option<arrow_array::RecordBatch>> {
        let failed = |e| Error::from_duckdb(e, Some(chunks.sql));
        let converter = match &self.converter {
            Some(converter) => converter,
            None => self.converter.insert(chunks.result.arrow_converter().map_err(failed)?),
        };
        let batch = match chunks.result.next_chunk().map_err(failed)? {
            Some(chunk) => converter.convert(&chunk).map_err(failed)?,
            None if !self.given => arrow_array::RecordBatch::new_empty(converter.schema()),
            None => return Ok(None),
        };
        self.given = true;
        Ok(Some(batch))
    }
}

/// Where a stream's worker job sends its batches.
pub(crate) type StreamSender<X> = tokio::sync::mpsc::Sender<Result<Vec<X>>>;

/// How `fetch` has DuckDB run a query and decodes its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FetchPlan {
    /// Rows of fixed-width values, unless the statement's last result was
    /// large: DuckDB runs the whole query first, on all its threads, and the
    /// rows, counted up front, are decoded straight into a vector of their
    /// final size. For a result of up to a group this measured faster than
    /// streaming (20k rows of two columns: 0.88 against 1.05 ms a call).
    Materialized,
    /// Rows whose values allocate (strings, lists, ...), and fixed-width
    /// rows of a statement whose last result was large: decoding overlaps
    /// DuckDB's scan, on two threads for a large result. Measured on 1M rows
    /// of two fixed-width columns, in alternating runs: 13.1 ms a call,
    /// against 17.8 ms materialized and decoded on one thread.
    StreamingInParallel,
    /// As above on one thread; and for a limited fetch, where DuckDB stops
    /// computing once the rows wanted have been read.
    Streaming,
}

impl FetchPlan {
    fn choose(stmt: &Statement, limit: Option<usize>, parallel_decode: bool) -> FetchPlan {
        if limit.is_some() {
            return FetchPlan::Streaming;
        }
        // A type that depends on a parameter is unknown until execution: stream.
        let fixed_width = stmt.column_types().all(|ty| ty != DuckType::Unknown && !ty.is_variable_length());
        let large = stmt.last_row_count().is_some_and(|rows| rows >= PARALLEL_GROUP_CHUNKS * CHUNK_ROWS);
        match (fixed_width, parallel_decode) {
            (true, true) if large => FetchPlan::StreamingInParallel,
            (true, _) => FetchPlan::Materialized,
            (false, true) => FetchPlan::StreamingInParallel,
            (false, false) => FetchPlan::Streaming,
        }
    }
}

/// The chunks of a running query, as views that decoding threads can share.
pub(crate) struct Chunks<'s> {
    result: QueryResult,
    descriptions: Arc<[ColumnDescription]>,
    sql: &'s str,
}

impl<'s> Chunks<'s> {
    /// Runs `stmt`: streaming, or materialized (whole, before the first chunk).
    pub(crate) fn execute(stmt: &mut Statement, streaming: bool, sql: &'s str) -> Result<Chunks<'s>> {
        let result = stmt.execute(streaming).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
        Ok(Chunks { descriptions: result.columns().into(), result, sql })
    }

    pub(crate) fn next(&mut self) -> Result<Option<Arc<ChunkView>>> {
        let chunk = self.result.next_chunk().map_err(|e| Error::from_duckdb(e, Some(self.sql)))?;
        Ok(chunk.map(|chunk| Arc::new(ChunkView::new(chunk, Arc::clone(&self.descriptions)))))
    }

    /// Decodes up to `limit` rows on this thread, a part per chunk: small
    /// allocations the allocator recycles from one call to the next (large
    /// parts were slower: each one is fresh memory from the kernel).
    fn decode<T: FromRow>(&mut self, limit: Option<usize>) -> Result<Vec<Vec<T>>> {
        let mut parts = Vec::new();
        let mut remaining = limit.unwrap_or(usize::MAX);
        while remaining > 0 {
            let Some(chunk) = self.next()? else { break };
            let mut part = Vec::new();
            decode_chunk(&chunk, remaining, &mut part)?;
            remaining -= part.len();
            parts.push(part);
        }
        Ok(parts)
    }
}

/// Joins decoded parts into one vector, allocated once at its final size.
/// On one thread, where nothing overlaps the copy, this measured faster than
/// growing the vector as chunks arrive (reallocating as it doubles). What
/// remains is mostly the kernel handing out the vector's fresh pages, which
/// any `Vec` result pays.
fn concat<T>(mut parts: Vec<Vec<T>>) -> Vec<T> {
    if parts.len() <= 1 {
        return parts.pop().unwrap_or_default();
    }
    let mut out = rows_vec(parts.iter().map(Vec::len).sum());
    for mut part in parts {
        out.append(&mut part);
    }
    out
}

/// An empty vector with room for `rows` rows, in memory the kernel backs
/// with huge pages where it can: a result's fresh pages cost less to hand out.
pub(crate) fn rows_vec<T>(rows: usize) -> Vec<T> {
    // Failing here is the same allocation failure as `Vec::with_capacity`'s.
    try_rows_vec(rows).unwrap_or_else(|| Vec::with_capacity(rows))
}

/// [`rows_vec`], or `None` where the memory is not there.
pub(crate) fn try_rows_vec<T>(rows: usize) -> Option<Vec<T>> {
    let mut out = Vec::new();
    out.try_reserve_exact(rows).ok()?;
    andamios_core::ffi::advise_huge_pages(out.spare_capacity_mut());
    Some(out)
}

/// A DuckDB connection of a pool, served by a thread of its own: what a
/// [`PoolConnection`] and a [`Transaction`] dereference to, so that
/// `&mut *conn` and `&mut *tx` (as SQLx code writes them) are executors.
pub struct Connection {
    pub(crate) worker: Worker,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("worker", &self.worker).finish()
    }
}

impl Connection {
    /// Runs a script of one or more `;`-separated statements, as
    /// [`Pool::execute_batch`](crate::Pool::execute_batch) describes.
    pub async fn execute_batch(&mut self, sql: &str) -> Result<()> {
        let sql = sql.to_owned();
        self.worker.run(move |s| s.execute_batch(&sql)).await?
    }

    /// Starts a transaction on this connection. On a connection already in
    /// one (`tx.begin()`) it fails with [`Error::NestedTransaction`]: DuckDB
    /// cannot nest transactions (it has no SAVEPOINT).
    pub async fn begin(&mut self) -> Result<Transaction<'_>> {
        Transaction::begin_on(crate::executor::MaybeOwned::Borrowed(self)).await
    }
}

/// A connection checked out of a [`Pool`](crate::Pool); it goes back to the
/// pool when dropped. It dereferences to its [`Connection`].
pub struct PoolConnection {
    pub(crate) conn: Option<Connection>,
    pub(crate) pool: Arc<PoolShared>,
    /// Given back, after the connection, when this is dropped.
    pub(crate) permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl std::fmt::Debug for PoolConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolConnection").field("conn", &self.conn).finish_non_exhaustive()
    }
}

impl std::ops::Deref for PoolConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a pooled connection holds its connection until dropped")
    }
}

impl std::ops::DerefMut for PoolConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a pooled connection holds its connection until dropped")
    }
}

impl Drop for PoolConnection {
    fn drop(&mut self) {
        self.pool.release(self.conn.take().map(|conn| conn.worker), self.permit.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use andamios_core::ffi::OpenOptions;

    #[test]
    fn a_connection_thread_looks_for_jobs_only_while_they_come_one_after_another() {
        let (jobs, queue) = mpsc::channel::<Job>();
        // A window wide enough for a sleeping sender to make it in time.
        let mut queue = JobQueue { queue, window: Duration::from_secs(5), poll: false, found_awake: 0 };
        let conn = Database::open(":memory:", &OpenOptions::default()).unwrap().connect().unwrap();
        let mut state =
            WorkerState::new(conn, WorkerOptions { slow_statement: None, parallel_decode: false }, Arc::default());
        let ran = Arc::new(Mutex::new(Vec::new()));
        let job = |n: u32| -> Job {
            let ran = Arc::clone(&ran);
            Box::new(move |_| ran.lock().unwrap().push(n))
        };
        let send_later = |after: Duration, job: Job| {
            let jobs = jobs.clone();
            std::thread::spawn(move || {
                std::thread::sleep(after);
                jobs.send(job).unwrap();
            })
        };
        // A job already waiting: it came at once, so the thread polls next.
        jobs.send(job(1)).unwrap();
        queue.next().unwrap()(&mut state);
        assert!(queue.poll);
        assert_eq!(queue.found_awake, 0);
        // One that comes while the thread polls is found awake, and the
        // thread goes on polling.
        let sender = send_later(Duration::from_millis(100), job(2));
        queue.next().unwrap()(&mut state);
        sender.join().unwrap();
        assert!(queue.poll);
        assert_eq!(queue.found_awake, 1);
        // One that comes after the window: the thread sleeps until then,
        // and sleeps at once the next time.
        queue.window = Duration::from_millis(1);
        let sender = send_later(Duration::from_millis(30), job(3));
        queue.next().unwrap()(&mut state);
        sender.join().unwrap();
        assert!(!queue.poll);
        let sender = send_later(Duration::from_millis(30), job(4));
        queue.next().unwrap()(&mut state);
        sender.join().unwrap();
        assert!(!queue.poll);
        assert_eq!(queue.found_awake, 1);
        assert_eq!(*ran.lock().unwrap(), [1, 2, 3, 4]);
        // The thread ends once the async side's sender is gone, polling or not.
        drop(jobs);
        assert!(queue.next().is_none());
        queue.poll = true;
        assert!(queue.next().is_none());
    }

    #[test]
    fn a_commit_is_found_past_whitespace_and_comments() {
        for sql in ["COMMIT", "commit;", "  End Transaction", "-- done\n COMMIT", "/* x */ commit work", "\tEND;"] {
            assert!(starts_with_commit(sql), "{sql}");
        }
        for sql in
            ["ROLLBACK", "BEGIN; COMMIT", "COMMITTED", "-- COMMIT", "/* COMMIT */ ROLLBACK", "SELECT 'COMMIT'", ""]
        {
            assert!(!starts_with_commit(sql), "{sql}");
        }
    }

    fn plan(sql: &str, limit: Option<usize>, parallel_decode: bool) -> FetchPlan {
        plan_after(sql, None, limit, parallel_decode)
    }

    /// The plan once a result of `last_rows` rows was recorded.
    fn plan_after(sql: &str, last_rows: Option<usize>, limit: Option<usize>, parallel_decode: bool) -> FetchPlan {
        let conn = Database::open(":memory:", &OpenOptions::default()).unwrap().connect().unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        if let Some(rows) = last_rows {
            stmt.record_row_count(rows);
        }
        FetchPlan::choose(&stmt, limit, parallel_decode)
    }

    #[test]
    fn fixed_width_rows_are_materialized_until_a_large_result_and_the_rest_streamed() {
        let fixed = "SELECT range, range::DOUBLE, DATE '2020-01-01', {'a': 1} FROM range(10)";
        assert_eq!(plan(fixed, None, true), FetchPlan::Materialized);
        assert_eq!(plan(fixed, None, false), FetchPlan::Materialized);
        assert_eq!(plan(fixed, Some(1), true), FetchPlan::Streaming);
        // After a large result, fixed-width rows are decoded as DuckDB scans.
        let group = PARALLEL_GROUP_CHUNKS * CHUNK_ROWS;
        assert_eq!(plan_after(fixed, Some(group), None, true), FetchPlan::StreamingInParallel);
        assert_eq!(plan_after(fixed, Some(group - 1), None, true), FetchPlan::Materialized);
        assert_eq!(plan_after(fixed, Some(group), None, false), FetchPlan::Materialized);
        assert_eq!(plan_after(fixed, Some(group), Some(1), true), FetchPlan::Streaming);
        for allocating in ["SELECT range, 'x' FROM range(10)", "SELECT [range] FROM range(10)", "SELECT {'a': 'x'}"] {
            assert_eq!(plan(allocating, None, true), FetchPlan::StreamingInParallel, "{allocating}");
            assert_eq!(plan(allocating, None, false), FetchPlan::Streaming, "{allocating}");
        }
        // Typed by its parameter: unknown when the plan is chosen.
        assert_eq!(plan("SELECT $1 AS x", None, true), FetchPlan::StreamingInParallel);
    }
}
