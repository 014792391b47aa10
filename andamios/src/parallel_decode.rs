//! Decoding a large result on two threads: the connection's thread, which
//! reads DuckDB's chunks, and a decode helper, which decodes them straight
//! into the result vector (see [`SharedGroup`]).

use crate::connection::{rows_vec, try_rows_vec, Chunks};
use crate::error::{Error, Result};
use crate::row::{decode_chunk, FromRow};
use andamios_core::ffi::{self, ChunkView};
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Condvar, Mutex};

/// Data chunks a large `fetch_all` reads before splitting them between two
/// threads: enough rows (128k) that the hand-off stays cheap, few enough that
/// the undecoded chunks held at once stay small. (Measured: 16 and 32 gain
/// less, 256 or the whole result no more.)
pub(crate) const PARALLEL_GROUP_CHUNKS: usize = 64;

/// Groups read but not yet in the result that a large `fetch_all` lets the
/// decode helper fall behind by before the connection thread stops reading
/// to help it: 1M rows, which also bounds the undecoded chunks held at once.
/// (Measured on 1M rows with a VARCHAR, in one run: 39 ms a call with 8
/// groups, 54 with 2, 45 with no bound.)
const MAX_PENDING_GROUPS: usize = 8;

/// The room a large `fetch_all` first gives its result, in groups of its
/// first group's size (2M rows; or the statement's last result size, if
/// larger).
const ROOM_IN_GROUPS: usize = 16;

/// Decodes every row of `chunks` on the calling connection thread and the
/// connection's helper (started here on first use), a group of chunks at a
/// time; a result smaller than one group is decoded by the caller alone.
///
/// The helper decodes each group as soon as it is read, straight into the
/// result (see [`SharedGroup`]), while the caller reads on from DuckDB,
/// joining in only when the helper falls [`MAX_PENDING_GROUPS`] behind, and
/// at the end. Nothing is left to move once the last group is decoded.
///
/// The result is allocated first (see [`ROOM_IN_GROUPS`]); past that
/// room, it grows on the helper.
pub(crate) fn decode_in_parallel<T: FromRow + Send + 'static>(
    chunks: &mut Chunks<'_>,
    helper: &mut Option<DecodeHelper>,
    last_row_count: Option<usize>,
) -> Result<Vec<T>> {
    let mut spent = SpentChunks::new();
    let mut group = Vec::with_capacity(PARALLEL_GROUP_CHUNKS);
    spent.read_group(chunks, &mut group)?;
    let first_rows = group.iter().map(|chunk| chunk.len()).sum::<usize>();
    if group.len() < PARALLEL_GROUP_CHUNKS {
        let mut out = rows_vec(first_rows);
        for chunk in &group {
            decode_chunk(chunk, usize::MAX, &mut out)?;
        }
        return Ok(out);
    }
    let helper = DecodeHelper::started(helper)?;
    spent.make_room();
    // Room the rows are unlikely to outgrow: address space, which costs
    // nothing until written, and is given back at the end. Growing
    // instead costs a copy and fresh pages each time the allocator
    // cannot remap the vector in place (glibc cannot, for one below its
    // mmap threshold, which it raises up to 32 MB as large blocks are
    // freed): measured on 1M rows, 71 against 47 ms a call. Only a
    // guess: where the memory is not there, a smaller one, not an abort.
    let guess = last_row_count.unwrap_or(0).max(ROOM_IN_GROUPS * first_rows);
    let room = try_rows_vec(guess).or_else(|| try_rows_vec(2 * first_rows)).unwrap_or_default();
    let out = Arc::new(Mutex::new(room));
    let mut pending = PendingGroups { groups: VecDeque::new() };
    while !group.is_empty() {
        let shared = Arc::new(SharedGroup::new(std::mem::take(&mut group), Arc::clone(&spent.shared)));
        let done = helper.decode_into(&shared, &out)?;
        pending.groups.push_back((shared, done));
        while pending.groups.len() > MAX_PENDING_GROUPS {
            pending.finish_oldest()?;
        }
        group = Vec::with_capacity(PARALLEL_GROUP_CHUNKS);
        spent.read_group(chunks, &mut group)?;
    }
    pending.finish_all()?;
    spent.release();
    let mut out = std::mem::take(&mut *out.lock().unwrap_or_else(|e| e.into_inner()));
    // The room the rows did not take is given back.
    if out.capacity() - out.len() > out.len() / 8 {
        out.shrink_to_fit();
    }
    Ok(out)
}

/// The chunks the decode helper has decoded, which the connection thread
/// frees between its reads from DuckDB.
///
/// DuckDB allocated a chunk's memory on the connection thread. Freed there,
/// it goes back to that thread's allocator arena without a wait; freed on
/// the helper, each of the chunk's blocks takes that arena's lock while
/// DuckDB allocates from it, and the two threads queue for it. (Measured on
/// the 1M-row benchmark, 30 calls: 81,700 `futex` calls and 3,800 context
/// switches with the chunks freed on the helper, 10,100 and 900 with them
/// freed here; medians of 66 calls, alternating: 72.8 against 69.1 ms.)
struct SpentChunks {
    shared: Arc<Mutex<Vec<Arc<ChunkView>>>>,
    /// Swapped with `shared` to take its chunks: both lists are allocated
    /// here, with room for every chunk the helper can hold, so the helper
    /// never grows one (see [`SharedGroup`] on why it allocates nothing).
    taken: Vec<Arc<ChunkView>>,
}

impl SpentChunks {
    /// Without room yet: a result of one group never reaches the helper.
    fn new() -> SpentChunks {
        SpentChunks { shared: Arc::new(Mutex::new(Vec::new())), taken: Vec::new() }
    }

    /// Gives both lists room for every chunk the helper can hold.
    fn make_room(&mut self) {
        let room = (MAX_PENDING_GROUPS + 2) * PARALLEL_GROUP_CHUNKS;
        self.shared.lock().unwrap_or_else(|e| e.into_inner()).reserve(room);
        self.taken.reserve(room);
    }

    /// Frees the chunks the helper has decoded so far.
    fn release(&mut self) {
        std::mem::swap(&mut *self.shared.lock().unwrap_or_else(|e| e.into_inner()), &mut self.taken);
        self.taken.clear();
    }

    /// Reads up to [`PARALLEL_GROUP_CHUNKS`] chunks into `group` (fewer only
    /// at the end of the result), freeing spent ones as it goes.
    fn read_group(&mut self, chunks: &mut Chunks<'_>, group: &mut Vec<Arc<ChunkView>>) -> Result<()> {
        group.clear();
        while group.len() < PARALLEL_GROUP_CHUNKS {
            self.release();
            match chunks.next()? {
                Some(chunk) => group.push(chunk),
                None => break,
            }
        }
        Ok(())
    }
}

type DecodeJob = Box<dyn FnOnce() + Send>;

/// A second thread that decodes most of a large result's rows straight
/// into the result vector (see [`SharedGroup`]). One per connection, kept
/// between calls: a later `fetch_all` pays neither for a new thread nor for
/// its cold allocator arena.
pub(crate) struct DecodeHelper {
    jobs: mpsc::Sender<DecodeJob>,
}

impl DecodeHelper {
    fn spawn() -> Result<DecodeHelper> {
        let (jobs, queue) = mpsc::channel::<DecodeJob>();
        std::thread::Builder::new().name("andamios-decode".into()).spawn(move || {
            // Ends when the connection thread drops its WorkerState.
            while let Ok(job) = queue.recv() {
                // Jobs report their own panics (a FromRow impl's); this
                // keeps the helper up whatever happens.
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

    /// Has the helper decode `group` into `out` (see [`SharedGroup`]); the
    /// returned channel tells when the whole group is in `out`, or why not.
    fn decode_into<T: FromRow + Send + 'static>(
        &self,
        group: &Arc<SharedGroup<T>>,
        out: &Arc<Mutex<Vec<T>>>,
    ) -> Result<HelperDone> {
        // A bounded channel's buffer is allocated here, by the caller: see
        // `SharedGroup` on why the helper allocates nothing of its own.
        let (done_tx, done_rx) = mpsc::sync_channel(1);
        let (group, out) = (Arc::clone(group), Arc::clone(out));
        let job: DecodeJob = Box::new(move || {
            let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
            let decoded = std::panic::catch_unwind(AssertUnwindSafe(|| group.decode_into(&mut out)));
            let _ = done_tx.send(decoded.unwrap_or_else(|panic| Err(Error::panicked(panic))));
        });
        self.jobs.send(job).map_err(|_| Error::WorkerGone)?;
        Ok(done_rx)
    }
}

/// Where the decode helper reports that a [`SharedGroup`] is in the result,
/// or the error that stopped it.
type HelperDone = mpsc::Receiver<Result<()>>;

/// A group of chunks of a large result, decoded by the helper from the
/// front, straight into the result vector, and, when the connection thread
/// helps, by the connection thread from the back, each chunk into a vector
/// of its own that the helper appends once it gets there. The two never
/// wait for each other's chunks until they meet, and the helper moves only
/// the rows of the chunks it did not decode.
///
/// The helper allocates nothing but the rows' own values (the connection
/// thread allocates the result, with room to spare, the vectors of the
/// chunks it decodes, and the channels). That keeps
/// the allocator fast for those values: glibc merges the small blocks
/// freed since the last call (the strings of the previous result, mostly
/// the helper's) into large ones on the first large request its arena
/// sees, and every small allocation after that is carved from those one at
/// a time instead of taken from the freed lists, which refill the thread's
/// cache eight at a time. (Measured: a thread allocating 1M short strings
/// after the previous million were freed took 13 ms, and 24 ms when a
/// 200 KB allocation came first.)
struct SharedGroup<T> {
    /// How many chunks the group has.
    len: usize,
    state: Mutex<GroupState<T>>,
    /// Signalled when a chunk taken from the back is decoded, or failed.
    back_done: Condvar,
    /// Where the helper leaves the chunks it decoded (see [`SpentChunks`]).
    spent: Arc<Mutex<Vec<Arc<ChunkView>>>>,
}

struct GroupState<T> {
    /// The chunks no thread has taken yet, by position. A thread takes a
    /// chunk out to decode it, and the connection thread frees it soon after
    /// it is decoded (see [`SpentChunks`]): DuckDB's memory then goes back
    /// to the allocator for the chunks it is still reading, instead of when
    /// the whole group is in the result. (Measured
    /// on the 1M-row benchmark: the process's peak RSS fell from 200-215 MB
    /// to 174-176 MB; the time a call takes did not change beyond noise.)
    chunks: Vec<Option<Arc<ChunkView>>>,
    /// The positions of the chunks no thread has taken yet.
    untaken: std::ops::Range<usize>,
    /// By position: the chunks taken from the back.
    from_back: Vec<BackChunk<T>>,
}

enum BackChunk<T> {
    NotTaken,
    Decoding,
    Decoded(Vec<T>),
    /// Decoding failed, or the group was stopped before the chunk was taken:
    /// the call fails, and the helper appends nothing more.
    Abandoned,
}

impl<T> SharedGroup<T> {
    fn new(chunks: Vec<Arc<ChunkView>>, spent: Arc<Mutex<Vec<Arc<ChunkView>>>>) -> SharedGroup<T> {
        let len = chunks.len();
        let from_back = chunks.iter().map(|_| BackChunk::NotTaken).collect();
        let chunks = chunks.into_iter().map(Some).collect();
        let state = GroupState { chunks, untaken: 0..len, from_back };
        SharedGroup { len, state: Mutex::new(state), back_done: Condvar::new(), spent }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, GroupState<T>> {
        // A panic while the lock was held left nothing half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Leaves the chunks no thread has taken yet undecoded.
    fn stop(&self) {
        let mut state = self.state();
        for chunk in state.untaken.clone() {
            state.from_back[chunk] = BackChunk::Abandoned;
            state.chunks[chunk] = None;
        }
        state.untaken.end = state.untaken.start;
        drop(state);
        self.back_done.notify_all();
    }

    /// The first chunk no thread has taken, and its position.
    fn take_front(&self) -> Option<(usize, Arc<ChunkView>)> {
        let mut state = self.state();
        let chunk = state.untaken.next()?;
        Some((chunk, state.chunks[chunk].take()?))
    }

    /// The last chunk no thread has taken, and its position.
    fn take_back(&self) -> Option<(usize, Arc<ChunkView>)> {
        let mut state = self.state();
        let chunk = state.untaken.next_back()?;
        state.from_back[chunk] = BackChunk::Decoding;
        Some((chunk, state.chunks[chunk].take()?))
    }

    fn finish_back(&self, chunk: usize, decoded: BackChunk<T>) {
        self.state().from_back[chunk] = decoded;
        self.back_done.notify_all();
    }

    /// Waits for the chunk taken from the back at `position`; `None` once the
    /// group was abandoned.
    fn wait_back(&self, position: usize) -> Option<Vec<T>> {
        let mut state = self.state();
        loop {
            match &mut state.from_back[position] {
                BackChunk::Decoded(rows) => return Some(std::mem::take(rows)),
                BackChunk::Decoding => state = self.back_done.wait(state).unwrap_or_else(|e| e.into_inner()),
                BackChunk::NotTaken | BackChunk::Abandoned => return None,
            }
        }
    }
}

impl<T: FromRow> SharedGroup<T> {
    /// The helper's part: decodes chunks from the front into `out`, then
    /// appends, in order, those the connection thread took from the back.
    fn decode_into(&self, out: &mut Vec<T>) -> Result<()> {
        let mut next = 0;
        while let Some((chunk, view)) = self.take_front() {
            if out.capacity() - out.len() < view.len() {
                // Past the room given up front: doubling, as a `Vec` grows.
                out.reserve(view.len());
                ffi::advise_huge_pages(out.spare_capacity_mut());
            }
            if let Err(e) = decode_chunk(&view, usize::MAX, out) {
                // Stop the connection thread too: the call fails anyway.
                self.stop();
                return Err(e);
            }
            self.spent.lock().unwrap_or_else(|e| e.into_inner()).push(view);
            next = chunk + 1;
        }
        for position in next..self.len {
            // Abandoned: the connection thread has the error.
            let Some(mut rows) = self.wait_back(position) else { return Ok(()) };
            out.append(&mut rows);
        }
        Ok(())
    }

    /// The connection thread's part: decodes chunks from the back until it
    /// meets the helper.
    fn help(&self) -> Result<()> {
        while let Some((chunk, view)) = self.take_back() {
            // Unwinding out of a FromRow impl marks the chunk too, so that
            // the helper does not wait for it.
            let mut abandon = AbandonOnDrop { group: self, chunk: Some(chunk) };
            let mut rows = Vec::with_capacity(view.len());
            if let Err(e) = decode_chunk(&view, usize::MAX, &mut rows) {
                self.stop();
                return Err(e);
            }
            abandon.chunk = None;
            self.finish_back(chunk, BackChunk::Decoded(rows));
        }
        Ok(())
    }
}

/// Marks a chunk taken from the back as abandoned unless disarmed.
struct AbandonOnDrop<'g, T> {
    group: &'g SharedGroup<T>,
    chunk: Option<usize>,
}

impl<T> Drop for AbandonOnDrop<'_, T> {
    fn drop(&mut self) {
        if let Some(chunk) = self.chunk {
            self.group.finish_back(chunk, BackChunk::Abandoned);
        }
    }
}

/// Groups handed to the decode helper, oldest first, each with the channel
/// that tells when it is in the result. Dropped early (an error), it stops
/// the helper from decoding the groups it has not finished.
struct PendingGroups<T> {
    groups: VecDeque<(Arc<SharedGroup<T>>, HelperDone)>,
}

impl<T: FromRow> PendingGroups<T> {
    /// Decodes what the helper has not yet taken of the oldest group and
    /// waits until the whole group is in the result.
    fn finish_oldest(&mut self) -> Result<()> {
        let Some((shared, done)) = self.groups.front() else { return Ok(()) };
        shared.help()?;
        done.recv().map_err(|_| Error::WorkerGone)??;
        self.groups.pop_front();
        Ok(())
    }

    /// Once the scan is over: decodes the groups from the newest back, while
    /// the helper works through them from the oldest front, and waits until
    /// all are in the result. Neither thread then waits for the other
    /// before they meet.
    fn finish_all(&mut self) -> Result<()> {
        for (shared, _) in self.groups.iter().rev() {
            shared.help()?;
        }
        while let Some((_, done)) = self.groups.front() {
            done.recv().map_err(|_| Error::WorkerGone)??;
            self.groups.pop_front();
        }
        Ok(())
    }
}

impl<T> Drop for PendingGroups<T> {
    fn drop(&mut self) {
        for (shared, _) in &self.groups {
            shared.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::CHUNK_ROWS;
    use andamios_core::ffi::{Database, OpenOptions};
    use std::time::Duration;

    /// The chunks of `SELECT range, range::VARCHAR FROM range(rows)`.
    fn chunks(rows: usize) -> Vec<Arc<ChunkView>> {
        let conn = Database::open(":memory:", &OpenOptions::default()).unwrap().connect().unwrap();
        let sql = format!("SELECT range, range::VARCHAR FROM range({rows})");
        let mut stmt = conn.prepare(&sql).unwrap();
        let mut result = Chunks::execute(&mut stmt, false, &sql).unwrap();
        std::iter::from_fn(|| result.next().unwrap()).collect()
    }

    /// A list for the chunks the helper decodes, which no test frees.
    fn no_spent() -> Arc<Mutex<Vec<Arc<ChunkView>>>> {
        Arc::new(Mutex::new(Vec::new()))
    }

    fn assert_in_order(rows: &[(i64, String)], count: usize) {
        assert_eq!(rows.len(), count);
        for (i, (n, text)) in rows.iter().enumerate() {
            assert_eq!((*n, text.as_str()), (i as i64, i.to_string().as_str()));
        }
    }

    #[test]
    fn a_group_decoded_from_both_ends_comes_out_in_order_and_lets_go_of_its_chunks() {
        let chunks = chunks(10 * CHUNK_ROWS);
        let released = || chunks.iter().all(|chunk| Arc::strong_count(chunk) == 1);
        // The connection thread takes every chunk before the helper starts.
        let group = SharedGroup::<(i64, String)>::new(chunks.clone(), no_spent());
        assert!(!released());
        group.help().unwrap();
        assert!(released(), "the group, still alive, holds no chunk it decoded");
        let mut out = Vec::new();
        group.decode_into(&mut out).unwrap();
        assert_in_order(&out, 10 * CHUNK_ROWS);
        // The helper alone: it leaves the chunks it decoded for the
        // connection thread to free.
        let mut spent = SpentChunks::new();
        spent.make_room();
        let group = SharedGroup::<(i64, String)>::new(chunks.clone(), Arc::clone(&spent.shared));
        let mut out = Vec::new();
        group.decode_into(&mut out).unwrap();
        assert_in_order(&out, 10 * CHUNK_ROWS);
        assert!(!released());
        assert_eq!(spent.shared.lock().unwrap().len(), 10);
        spent.release();
        assert!(released(), "the group, still alive, holds no chunk it decoded");
        // The helper waits for the chunks still being decoded at the back.
        let group = Arc::new(SharedGroup::<(i64, String)>::new(chunks.clone(), no_spent()));
        let (last, before_last) = (group.take_back().unwrap(), group.take_back().unwrap());
        let helper = std::thread::spawn({
            let group = Arc::clone(&group);
            move || {
                let mut out = Vec::new();
                group.decode_into(&mut out).map(|()| out)
            }
        });
        for (chunk, view) in [last, before_last] {
            std::thread::sleep(Duration::from_millis(20));
            let mut rows = Vec::new();
            decode_chunk(&view, usize::MAX, &mut rows).unwrap();
            group.finish_back(chunk, BackChunk::Decoded(rows));
        }
        assert_in_order(&helper.join().unwrap().unwrap(), 10 * CHUNK_ROWS);
    }

    #[test]
    fn the_helper_does_not_wait_for_an_abandoned_group() {
        let chunks = chunks(4 * CHUNK_ROWS);
        // Stopped before anything was taken: nothing is decoded.
        let group = SharedGroup::<(i64, String)>::new(chunks.clone(), no_spent());
        group.stop();
        let mut out = Vec::new();
        group.decode_into(&mut out).unwrap();
        assert!(out.is_empty());
        // A chunk taken from the back whose decoding unwinds (or fails):
        // the helper stops at it, with the front chunks decoded.
        let group = Arc::new(SharedGroup::<(i64, String)>::new(chunks, no_spent()));
        let (taken, _view) = group.take_back().unwrap();
        let helper = std::thread::spawn({
            let group = Arc::clone(&group);
            move || {
                let mut out = Vec::new();
                group.decode_into(&mut out).map(|()| out)
            }
        });
        std::thread::sleep(Duration::from_millis(20));
        drop(AbandonOnDrop { group: &*group, chunk: Some(taken) });
        assert_in_order(&helper.join().unwrap().unwrap(), 3 * CHUNK_ROWS);
    }
}
