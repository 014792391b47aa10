//! Connections: each DuckDB connection lives on its own thread.
//!
//! DuckDB calls block and burn CPU, so they never run on a tokio worker. A
//! [`Worker`] owns one DuckDB connection on a dedicated thread and runs
//! closures sent to it over a channel; results come back through a oneshot
//! channel, whole (a `Vec<T>` per call, or a batch per chunk for streams).

use crate::error::{Error, Result};
use crate::pool::PoolShared;
use crate::row::{decode_chunk, FromRow};
use crate::transaction::Transaction;
use andamios_core::ffi::{self, ChunkView, ColumnDescription, Database, InterruptHandle, QueryResult, Statement};
use andamios_core::{DuckType, StatementKind, Value};
use std::collections::VecDeque;
use std::mem::MaybeUninit;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
}

type DecodeJob = Box<dyn FnOnce() + Send>;

/// A second thread that decodes half of each group of a large result's
/// chunks. One per connection, kept between calls: a later `fetch_all` pays
/// neither for a new thread nor for its cold allocator arena.
struct DecodeHelper {
    jobs: mpsc::Sender<DecodeJob>,
}

impl DecodeHelper {
    fn spawn() -> Result<DecodeHelper> {
        let (jobs, queue) = mpsc::channel::<DecodeJob>();
        std::thread::Builder::new().name("andamios-decode".into()).spawn(move || {
            // Ends when the connection thread drops its WorkerState.
            while let Ok(job) = queue.recv() {
                // A panicking FromRow impl drops the job's result sender,
                // which the connection thread reports; the helper lives on.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
            }
        })?;
        Ok(DecodeHelper { jobs })
    }

    /// The connection's helper in `slot`, started there on first use.
    fn started(slot: &mut Option<DecodeHelper>) -> Result<&DecodeHelper> {
        match slot {
            Some(helper) => Ok(helper),
            None => Ok(slot.insert(DecodeHelper::spawn()?)),
        }
    }

    /// Has the helper touch the pages of `out`, an empty vector with room
    /// for the rows, so that the kernel zeroes them there (see
    /// [`Presized`]).
    fn presize<T: Send + 'static>(&self, mut out: Vec<T>) -> Result<Presized<T>> {
        // See `SharedGroup` on why the helper allocates nothing, a channel
        // block included: a bounded channel's buffer is allocated here.
        let (done_tx, ready) = mpsc::sync_channel(1);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let job: DecodeJob = Box::new(move || {
            touch_pages(out.spare_capacity_mut(), &stopped);
            let _ = done_tx.send(out);
        });
        self.jobs.send(job).map_err(|_| Error::WorkerGone)?;
        Ok(Presized { ready, stop })
    }

    /// Has the helper thread decode chunks of `group` alongside the caller
    /// (see [`SharedGroup`]); the returned channel tells when it is done
    /// (closed without a value if decoding panicked).
    fn decode<T: FromRow + Send + 'static>(&self, group: &Arc<SharedGroup<T>>) -> Result<HelperDone> {
        let (done_tx, done_rx) = mpsc::sync_channel(1);
        let group = Arc::clone(group);
        let job: DecodeJob = Box::new(move || {
            let _ = done_tx.send(group.decode());
        });
        self.jobs.send(job).map_err(|_| Error::WorkerGone)?;
        Ok(done_rx)
    }
}

/// Writes to each page of `spare`, checking `stop` every
/// [`PAGES_BETWEEN_STOP_CHECKS`] pages; returns the pages written.
fn touch_pages<T>(spare: &mut [MaybeUninit<T>], stop: &AtomicBool) -> usize {
    let Some(per_page) = PAGE_SIZE.checked_div(std::mem::size_of::<T>()) else { return 0 };
    let per_page = per_page.max(1);
    let mut touched = 0;
    for batch in spare.chunks_mut(per_page * PAGES_BETWEEN_STOP_CHECKS) {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        for slot in batch.iter_mut().step_by(per_page) {
            *slot = MaybeUninit::zeroed();
            touched += 1;
        }
    }
    touched
}

/// A result vector allocated at a size guessed from the statement's last
/// result, whose pages the decode helper touches ahead of the rows. Touching
/// is worth only the time the helper would otherwise wait: it stops when
/// the caller needs the helper or the vector (and when dropped), so a
/// guess far too large never holds up the call.
struct Presized<T> {
    ready: mpsc::Receiver<Vec<T>>,
    stop: Arc<AtomicBool>,
}

impl<T> Presized<T> {
    /// Stops touching pages: the helper hands over the vector as it is.
    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// The vector, once the helper has stopped touching it.
    fn take(self) -> Option<Vec<T>> {
        self.stop();
        self.ready.recv().ok()
    }
}

impl<T> Drop for Presized<T> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Where the decode helper reports that it has finished its share of a
/// [`SharedGroup`], or the error that stopped it.
type HelperDone = mpsc::Receiver<Result<()>>;

/// A group of chunks two threads decode together: each takes the next
/// chunk not yet taken, so neither waits for the other when one of them
/// gets less CPU (DuckDB's own threads run alongside).
///
/// Each chunk's rows go into a vector allocated by the connection thread at
/// the chunk's size, so that the helper allocates nothing but the rows'
/// own values. That keeps the allocator fast for them: glibc merges the
/// small blocks freed since the last call (the strings of the previous
/// result, most of them the helper's) into large ones on the first large
/// request its arena sees, and every small allocation after that is carved
/// from those one at a time instead of taken from the freed lists, which
/// refill the thread's cache eight at a time. (Measured: a thread
/// allocating 1M short strings after the previous million were freed took
/// 13 ms, and 24 ms when a 200 KB allocation came first.)
struct SharedGroup<T> {
    chunks: Vec<Arc<ChunkView>>,
    parts: Vec<Mutex<Vec<T>>>,
    next: AtomicUsize,
}

impl<T> SharedGroup<T> {
    fn new(chunks: Vec<Arc<ChunkView>>) -> SharedGroup<T> {
        let parts = chunks.iter().map(|chunk| Mutex::new(Vec::with_capacity(chunk.len()))).collect();
        SharedGroup { chunks, parts, next: AtomicUsize::new(0) }
    }

    /// Leaves the chunks no thread has taken yet undecoded.
    fn stop(&self) {
        self.next.store(self.chunks.len(), Ordering::Relaxed);
    }

    /// The decoded parts, in order, once both threads are done.
    fn take_parts(&self) -> impl Iterator<Item = Vec<T>> + '_ {
        self.parts.iter().map(|part| std::mem::take(&mut *part.lock().unwrap_or_else(|e| e.into_inner())))
    }
}

impl<T: FromRow> SharedGroup<T> {
    /// Decodes chunks until none is left to take.
    fn decode(&self) -> Result<()> {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let (Some(chunk), Some(part)) = (self.chunks.get(i), self.parts.get(i)) else { return Ok(()) };
            // Only the thread that took chunk `i` locks its part.
            let mut part = part.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = decode_chunk(chunk, usize::MAX, &mut part) {
                // Stop the other thread too: the call fails anyway.
                self.stop();
                return Err(e);
            }
        }
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

impl Worker {
    /// Starts a thread with a new connection to `db`.
    pub(crate) async fn spawn(db: Arc<Database>, options: WorkerOptions) -> Result<Worker> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = oneshot::channel();
        let thread = std::thread::Builder::new().name("andamios-connection".into()).spawn(move || {
            let conn = match db.connect() {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = ready_tx.send(Err(Error::from(e)));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(conn.interrupt_handle()));
            let mut state =
                WorkerState { conn, options, decode_helper: None, checkout: 0, may_hold_transaction: false };
            // Ends when the async side drops its Sender.
            while let Ok(job) = queue.recv() {
                // A panicking FromRow impl must not take the connection down.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut state)));
            }
        })?;
        let interrupt = ready_rx.await.map_err(|_| Error::WorkerGone)??;
        Ok(Worker {
            jobs,
            thread: Some(thread),
            interrupt,
            state: Arc::default(),
            next_id: 0,
            in_transaction: false,
            last_used: Instant::now(),
            checkout: 0,
        })
    }

    fn wrap<F>(&mut self, f: F) -> (u64, Job)
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
                if s.cancelled >= id {
                    return;
                }
                s.running = id;
            }
            f(state);
            let late_interrupt = {
                let mut s = run_state.lock().unwrap_or_else(|e| e.into_inner());
                s.running = 0;
                s.cancelled >= id
            };
            if late_interrupt {
                // The interrupt may have arrived after DuckDB finished; a
                // trivial statement consumes it so the next query is unaffected.
                let _ = state.conn.execute_batch("SELECT 1");
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
        let (id, job) = self.wrap(f);
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
            let _ = tx.send(f(state));
        })?;
        let result = rx.await.map_err(|_| Error::WorkerGone);
        guard.disarm();
        result
    }

    /// Queues `f` without waiting for it (rollback on drop).
    pub(crate) fn run_detached<F>(&mut self, f: F)
    where
        F: FnOnce(&mut WorkerState) + Send + 'static,
    {
        let (_, job) = self.wrap(f);
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

/// Rows in a data chunk, the unit that crosses threads.
const CHUNK_ROWS: usize = 2048;

/// The smallest page the kernel hands out (with huge pages, one touch in
/// each is more than needed, and still cheap).
const PAGE_SIZE: usize = 4096;

/// Pages a [`Presized`] result touches between checks of its stop flag:
/// 2 MB, a fraction of a millisecond.
const PAGES_BETWEEN_STOP_CHECKS: usize = 512;

/// How many decoded chunks a stream buffers ahead of its consumer.
pub const STREAM_BUFFER_CHUNKS: usize = 2;

impl WorkerState {
    fn prepare_bound(&mut self, sql: &str, args: &[Value]) -> Result<&mut Statement> {
        let stmt = self.conn.prepare_cached(sql).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
        if stmt.kind() == StatementKind::Transaction {
            self.may_hold_transaction = true;
        }
        let expected = stmt.param_count();
        if expected != args.len() {
            return Err(Error::Encode {
                what: "the arguments".into(),
                message: format!(
                    "the statement has {expected} parameter(s) but {} value(s) were bound\n  in SQL: {sql}",
                    args.len()
                ),
            });
        }
        stmt.clear_bindings();
        for (i, value) in args.iter().enumerate() {
            stmt.bind(i, value).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
        }
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
        let result = f(self);
        let elapsed = started.elapsed();
        span.record("elapsed_ms", elapsed.as_secs_f64() * 1e3);
        match &result {
            Ok((_, rows)) => {
                span.record("rows", rows);
            }
            Err(e) => tracing::debug!(error = %e, "statement failed"),
        }
        if let Some(threshold) = self.options.slow_statement {
            if elapsed >= threshold {
                tracing::warn!(sql = sql, elapsed_ms = elapsed.as_secs_f64() * 1e3, "slow statement");
            }
        }
        result.map(|(r, _)| r)
    }

    pub(crate) fn execute(&mut self, sql: &str, args: &[Value]) -> Result<u64> {
        self.traced(sql, |this| {
            let stmt = this.prepare_bound(sql, args)?;
            let mut result = stmt.execute(false).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
            let rows = result.rows_changed();
            Ok((rows, rows))
        })
    }

    /// Runs a transaction-control statement of a `Transaction` (`BEGIN
    /// TRANSACTION`, `COMMIT`, `ROLLBACK`; keeps the statement cache).
    pub(crate) fn control(&mut self, sql: &str) -> Result<()> {
        let result = self.traced(sql, |this| {
            this.conn.execute_batch(sql).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
            Ok(((), 0))
        });
        if sql.starts_with("BEGIN") {
            self.may_hold_transaction |= result.is_ok();
        } else {
            // Committed or rolled back; a failed COMMIT is followed by a ROLLBACK.
            self.may_hold_transaction = false;
        }
        result
    }

    pub(crate) fn execute_batch(&mut self, sql: &str) -> Result<()> {
        // A script may begin a transaction, or fail inside one it began.
        self.may_hold_transaction = true;
        self.traced(sql, |this| {
            this.conn.execute_batch(sql).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
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
        if std::mem::take(&mut self.may_hold_transaction) && self.in_open_transaction() {
            tracing::warn!("a connection went back to the pool inside a transaction; rolled it back");
            let _ = self.conn.execute_batch("ROLLBACK");
        }
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
        args: &[Value],
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
                FetchPlan::StreamingInParallel => {
                    let out = chunks.decode_in_parallel(&mut helper, last_row_count)?;
                    stmt.record_row_count(out.len());
                    out
                }
                FetchPlan::Streaming => concat(chunks.decode(limit)?),
            };
            let n = out.len() as u64;
            Ok((out, n))
        });
        self.decode_helper = helper;
        fetched
    }

    /// Runs a query and converts every chunk into an Arrow record batch (see
    /// [`ArrowBatches`]).
    #[cfg(feature = "arrow")]
    pub(crate) fn fetch_arrow(&mut self, sql: &str, args: &[Value]) -> Result<Vec<arrow_array::RecordBatch>> {
        self.traced(sql, |this| {
            let stmt = this.prepare_bound(sql, args)?;
            let mut chunks = Chunks::execute(stmt, true, sql)?;
            let mut source = ArrowBatches::default();
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
        args: &[Value],
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
        args: &[Value],
        tx: StreamSender<arrow_array::RecordBatch>,
        in_flight: &AtomicUsize,
    ) {
        let mut source = ArrowBatches::default();
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
        args: &[Value],
        tx: StreamSender<X>,
        in_flight: &AtomicUsize,
        mut next_batch: impl FnMut(&mut Chunks<'_>) -> Result<Option<(Vec<X>, u64)>>,
    ) {
        let outcome = self.traced(sql, |this| {
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
        });
        if let Err(e) = outcome {
            let _ = tx.blocking_send(Err(e));
        }
    }
}

/// A result's chunks as Arrow record batches, one per chunk; an empty
/// result is one batch of no rows, which carries the schema.
#[cfg(feature = "arrow")]
#[derive(Default)]
struct ArrowBatches {
    converter: Option<ffi::ArrowConverter>,
    given: bool,
}

#[cfg(feature = "arrow")]
impl ArrowBatches {
    fn next(&mut self, chunks: &mut Chunks<'_>) -> Result<Option<arrow_array::RecordBatch>> {
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
    /// All rows of fixed-width values: DuckDB runs the whole query first, on
    /// all its threads, and the rows, counted up front, are decoded straight
    /// into a vector of their final size. Measured on 1M rows, in the same
    /// run: 25 ms, against 32 ms streamed and joined once, 48 ms streamed into
    /// a growing vector, and 41 ms streamed and decoded on two threads.
    Materialized,
    /// Rows whose values allocate (strings, lists, ...): decoding is the
    /// slower side, so it overlaps DuckDB's scan, on two threads for a large
    /// result. Measured on 1M rows with a VARCHAR, in the same run: 127 ms,
    /// against 137 ms materialized and decoded on two threads, 161 ms on one.
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
        match (fixed_width, parallel_decode) {
            (true, _) => FetchPlan::Materialized,
            (false, true) => FetchPlan::StreamingInParallel,
            (false, false) => FetchPlan::Streaming,
        }
    }
}

/// Data chunks a large `fetch_all` reads before splitting them between two
/// threads: enough rows (128k) that the hand-off stays cheap, few enough that
/// the undecoded chunks held at once stay small. (Measured: 16 and 32 gain
/// less, 256 or the whole result no more.)
const PARALLEL_GROUP_CHUNKS: usize = 64;

/// Groups read but not yet decoded that a large `fetch_all` lets the decode
/// helper fall behind by before this thread stops reading to help it: 1M
/// rows. Reading from DuckDB and, once the last chunk is read, moving the
/// decoded rows into the result keep this thread as busy as decoding keeps
/// the helper. (Measured on 1M rows with a VARCHAR, in one run: 57 to 65 ms
/// with 8 groups, 70 to 72 with 3, 74 to 83 with 1.)
const MAX_PENDING_GROUPS: usize = 8;

/// The chunks of a running query, as views that decoding threads can share.
struct Chunks<'s> {
    result: QueryResult,
    descriptions: Arc<[ColumnDescription]>,
    sql: &'s str,
}

impl<'s> Chunks<'s> {
    /// Runs `stmt`: streaming, or materialized (whole, before the first chunk).
    fn execute(stmt: &mut Statement, streaming: bool, sql: &'s str) -> Result<Chunks<'s>> {
        let result = stmt.execute(streaming).map_err(|e| Error::from_duckdb(e, Some(sql)))?;
        Ok(Chunks { descriptions: result.columns().into(), result, sql })
    }

    fn next(&mut self) -> Result<Option<Arc<ChunkView>>> {
        let chunk = self.result.next_chunk().map_err(|e| Error::from_duckdb(e, Some(self.sql)))?;
        Ok(chunk.map(|chunk| Arc::new(ChunkView::new(chunk, Arc::clone(&self.descriptions)))))
    }

    /// Up to `PARALLEL_GROUP_CHUNKS` chunks; fewer only at the end of the result.
    fn next_group(&mut self, group: &mut Vec<Arc<ChunkView>>) -> Result<()> {
        group.clear();
        while group.len() < PARALLEL_GROUP_CHUNKS {
            match self.next()? {
                Some(chunk) => group.push(chunk),
                None => break,
            }
        }
        Ok(())
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

    /// Decodes every row on this thread and the connection's helper
    /// (started here on first use), a group of chunks at a time; a result
    /// smaller than one group is decoded here alone.
    ///
    /// The helper decodes each group as soon as it is read, while this
    /// thread reads on from DuckDB, joining in only when the helper falls
    /// [`MAX_PENDING_GROUPS`] behind. Once the last chunk is read the row
    /// count is known: this thread moves the rows decoded so far into the
    /// result, allocated once at its size, while the helper goes on with
    /// the rest; then both finish it.
    ///
    /// `last_row_count` is the statement's last result size. When that was
    /// large, the helper first allocates the result at that size and touches
    /// its pages, while this thread reads the first group: the kernel's
    /// zeroing of fresh pages then no longer holds up the moves at the end.
    /// (Measured on 1M rows with a VARCHAR, six alternating runs of 50 calls
    /// each: 60 against 68 ms a call on average, and a median 1.53 against
    /// 1.60 times a raw chunk loop's time measured beside each call. Moving
    /// decoded rows into it during the scan as well gained nothing.)
    fn decode_in_parallel<T: FromRow + Send + 'static>(
        &mut self,
        helper: &mut Option<DecodeHelper>,
        last_row_count: Option<usize>,
    ) -> Result<Vec<T>> {
        let presized = match last_row_count {
            // Only a guess: where the memory is not there, no vector (the
            // result is then allocated at its size as usual), not an abort.
            Some(rows) if rows >= PARALLEL_GROUP_CHUNKS * CHUNK_ROWS => match try_rows_vec(rows) {
                Some(out) => Some(DecodeHelper::started(helper)?.presize(out)?),
                None => None,
            },
            _ => None,
        };
        let mut group = Vec::with_capacity(PARALLEL_GROUP_CHUNKS);
        self.next_group(&mut group)?;
        if group.len() < PARALLEL_GROUP_CHUNKS {
            let shared = SharedGroup::<T>::new(group);
            shared.decode()?;
            return Ok(concat(shared.take_parts().collect()));
        }
        let helper = DecodeHelper::started(helper)?;
        let mut pending = PendingGroups { groups: VecDeque::new() };
        let mut parts = Vec::new();
        let mut rows = 0;
        while !group.is_empty() {
            rows += group.iter().map(|chunk| chunk.len()).sum::<usize>();
            let shared = Arc::new(SharedGroup::new(std::mem::take(&mut group)));
            let theirs = helper.decode(&shared)?;
            pending.groups.push_back((shared, theirs));
            while pending.groups.len() > MAX_PENDING_GROUPS {
                // This thread waits for the helper now: no more touching.
                if let Some(presized) = &presized {
                    presized.stop();
                }
                parts.extend(pending.finish_oldest()?);
            }
            group = Vec::with_capacity(PARALLEL_GROUP_CHUNKS);
            self.next_group(&mut group)?;
        }
        let mut out =
            presized.and_then(Presized::take).filter(|out| out.capacity() > 0).unwrap_or_else(|| rows_vec(rows));
        // A result larger than the last one grows here (for a large vector
        // the allocator remaps its pages, without copying).
        out.reserve_exact(rows);
        for mut part in parts {
            out.append(&mut part);
        }
        while !pending.groups.is_empty() {
            for mut part in pending.finish_oldest()? {
                out.append(&mut part);
            }
        }
        // A result much smaller than the last one gives its room back.
        if out.capacity() - out.len() > out.len() / 8 {
            out.shrink_to_fit();
        }
        Ok(out)
    }
}

/// Groups handed to the decode helper, oldest first, each with the channel
/// its share arrives on. Dropped early (an error), it stops the helper from
/// decoding the groups it has not finished.
struct PendingGroups<T> {
    groups: VecDeque<(Arc<SharedGroup<T>>, HelperDone)>,
}

impl<T> PendingGroups<T> {
    /// Decodes what the helper has not yet taken of the oldest group, waits
    /// for the helper's share, and returns the group's parts in order.
    fn finish_oldest(&mut self) -> Result<Vec<Vec<T>>>
    where
        T: FromRow,
    {
        let Some((shared, theirs)) = self.groups.front() else { return Ok(Vec::new()) };
        shared.decode()?;
        theirs.recv().map_err(|_| Error::WorkerGone)??;
        let parts = shared.take_parts().collect();
        self.groups.pop_front();
        Ok(parts)
    }
}

impl<T> Drop for PendingGroups<T> {
    fn drop(&mut self) {
        for (shared, _) in &self.groups {
            shared.stop();
        }
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
fn rows_vec<T>(rows: usize) -> Vec<T> {
    // Failing here is the same allocation failure as `Vec::with_capacity`'s.
    try_rows_vec(rows).unwrap_or_else(|| Vec::with_capacity(rows))
}

/// [`rows_vec`], or `None` where the memory is not there.
fn try_rows_vec<T>(rows: usize) -> Option<Vec<T>> {
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
    /// Runs a script of one or more `;`-separated statements.
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

    fn plan(sql: &str, limit: Option<usize>, parallel_decode: bool) -> FetchPlan {
        let conn = Database::open(":memory:", &OpenOptions::default()).unwrap().connect().unwrap();
        FetchPlan::choose(&conn.prepare(sql).unwrap(), limit, parallel_decode)
    }

    #[test]
    fn touching_pages_stops_when_asked() {
        let pages = 3 * PAGES_BETWEEN_STOP_CHECKS + 1;
        let mut rows: Vec<[u8; 64]> = Vec::with_capacity(pages * PAGE_SIZE / 64);
        let stop = AtomicBool::new(false);
        assert_eq!(touch_pages(rows.spare_capacity_mut(), &stop), pages);
        stop.store(true, Ordering::Relaxed);
        assert_eq!(touch_pages(rows.spare_capacity_mut(), &stop), 0);
        let mut unit: Vec<()> = Vec::with_capacity(10);
        assert_eq!(touch_pages(unit.spare_capacity_mut(), &AtomicBool::new(false)), 0);
    }

    #[test]
    fn a_presized_result_comes_back_when_taken_however_large() {
        let helper = DecodeHelper::spawn().unwrap();
        // 1 GB of address space: touched whole, it would take a good part of
        // a second and that much memory; taken at once, the helper stops
        // within 2 MB.
        let rows = 1 << 27;
        let presized = helper.presize(try_rows_vec::<u64>(rows).unwrap()).unwrap();
        let out = presized.take().unwrap();
        assert!(out.is_empty() && out.capacity() >= rows);
        drop(out);
        // More than the address space holds: no vector, not an abort.
        assert!(try_rows_vec::<[u64; 512]>(usize::MAX / 8192).is_none());
        // Dropped unused, it stops too, and the helper serves the next job.
        drop(helper.presize(try_rows_vec::<u64>(rows).unwrap()).unwrap());
        assert!(helper.presize(try_rows_vec::<u64>(10).unwrap()).unwrap().take().unwrap().capacity() >= 10);
    }

    #[test]
    fn fixed_width_rows_are_materialized_and_the_rest_streamed() {
        let fixed = "SELECT range, range::DOUBLE, DATE '2020-01-01', {'a': 1} FROM range(10)";
        assert_eq!(plan(fixed, None, true), FetchPlan::Materialized);
        assert_eq!(plan(fixed, None, false), FetchPlan::Materialized);
        assert_eq!(plan(fixed, Some(1), true), FetchPlan::Streaming);
        for allocating in ["SELECT range, 'x' FROM range(10)", "SELECT [range] FROM range(10)", "SELECT {'a': 'x'}"] {
            assert_eq!(plan(allocating, None, true), FetchPlan::StreamingInParallel, "{allocating}");
            assert_eq!(plan(allocating, None, false), FetchPlan::Streaming, "{allocating}");
        }
        // Typed by its parameter: unknown when the plan is chosen.
        assert_eq!(plan("SELECT $1 AS x", None, true), FetchPlan::StreamingInParallel);
    }
}
