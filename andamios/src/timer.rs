//! The pool's clock: one thread of our own that wakes waiting acquires at
//! their timeout and reaps idle connections.
//!
//! tokio's timers would panic on a runtime built without `enable_time`
//! (`Builder::new_current_thread().build()`), and exist on no other
//! executor. The pool needs a clock only when it is exhausted and for the
//! reaper's rare sweeps, so a thread that sleeps until the next deadline
//! costs nothing on the paths that matter, and lets a pool run on any
//! runtime without a panic.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// What falls due at a deadline.
enum Due {
    /// A [`Sleep`] to wake.
    Wake(Waker),
    /// Work to run on the timer's thread (the reaper's sweep, which may
    /// re-schedule itself).
    Run(Box<dyn FnOnce() + Send>),
}

/// An entry's place in the queue: its deadline, then the order entries
/// with one deadline were scheduled in.
type Key = (Instant, u64);

#[derive(Default)]
struct Queue {
    /// Ordered, and each entry can be taken out by its key: a [`Sleep`]
    /// dropped before its deadline (an acquire served in time) takes its
    /// waker out, which would otherwise keep its task's memory until then.
    entries: BTreeMap<Key, Due>,
    next_seq: u64,
}

/// The process's timer thread and its queue of deadlines.
pub(crate) struct Timer {
    queue: Mutex<Queue>,
    earlier_deadline: Condvar,
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timer").field("pending", &self.queue().entries.len()).finish()
    }
}

static TIMER: OnceLock<Timer> = OnceLock::new();
/// Held while the thread is started, so that two pools opening at once
/// start one thread, and a failure to start one is returned, not kept.
static STARTING: Mutex<()> = Mutex::new(());

impl Timer {
    /// The timer, its thread started at the first call.
    pub(crate) fn start() -> std::io::Result<&'static Timer> {
        if let Some(timer) = TIMER.get() {
            return Ok(timer);
        }
        let _starting = STARTING.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(timer) = TIMER.get() {
            return Ok(timer);
        }
        std::thread::Builder::new().name("andamios-timer".into()).spawn(|| {
            let timer = TIMER.get_or_init(Timer::new);
            timer.run();
        })?;
        Ok(TIMER.get_or_init(Timer::new))
    }

    fn new() -> Timer {
        Timer { queue: Mutex::new(Queue::default()), earlier_deadline: Condvar::new() }
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        // Nothing runs under the lock that could panic half-way.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A future that resolves at `at`.
    pub(crate) fn sleep_until(&'static self, at: Instant) -> Sleep {
        Sleep { timer: self, at, scheduled: None }
    }

    /// Runs `work` on the timer's thread at `at` (or a little later, behind
    /// other work that falls due). It should be short: it delays the wakes
    /// that fall due while it runs.
    pub(crate) fn run_at(&self, at: Instant, work: impl FnOnce() + Send + 'static) {
        self.schedule(at, Due::Run(Box::new(work)));
    }

    fn schedule(&self, at: Instant, due: Due) -> Key {
        let mut queue = self.queue();
        let key = (at, queue.next_seq);
        queue.next_seq += 1;
        let earliest = queue.entries.first_key_value().is_none_or(|(first, _)| key < *first);
        queue.entries.insert(key, due);
        if earliest {
            self.earlier_deadline.notify_one();
        }
        key
    }

    /// Puts `waker` in the place of the one scheduled under `key`, unless
    /// that has fallen due.
    fn replace_waker(&self, key: Key, waker: Waker) {
        if let Some(due) = self.queue().entries.get_mut(&key) {
            *due = Due::Wake(waker);
        }
    }

    /// Takes out what is scheduled under `key`, unless it has fallen due.
    fn cancel(&self, key: Key) {
        // Dropped outside the lock: a waker's drop may run its task's code.
        let removed = self.queue().entries.remove(&key);
        drop(removed);
    }

    fn run(&self) {
        let mut queue = self.queue();
        loop {
            let now = Instant::now();
            let mut due = Vec::new();
            while let Some(entry) = queue.entries.first_entry().filter(|first| first.key().0 <= now) {
                due.push(entry.remove());
            }
            if !due.is_empty() {
                drop(queue);
                for due in due {
                    // A panic in the work (or in a waker) must not stop the
                    // clock of every pool in the process.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match due {
                        Due::Wake(waker) => waker.wake(),
                        Due::Run(work) => work(),
                    }));
                }
                queue = self.queue();
                continue;
            }
            queue = match queue.entries.first_key_value().map(|((at, _), _)| *at - now) {
                Some(wait) => self.earlier_deadline.wait_timeout(queue, wait).unwrap_or_else(PoisonError::into_inner).0,
                None => self.earlier_deadline.wait(queue).unwrap_or_else(PoisonError::into_inner),
            };
        }
    }
}

/// Resolves at its deadline; see [`Timer::sleep_until`]. Dropped before
/// it, it takes its waker out of the timer's queue.
#[derive(Debug)]
pub(crate) struct Sleep {
    timer: &'static Timer,
    at: Instant,
    /// Where its waker is queued, and which waker: polling again with the
    /// same one changes nothing.
    scheduled: Option<(Key, Waker)>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.at {
            return Poll::Ready(());
        }
        match &self.scheduled {
            Some((_, waker)) if waker.will_wake(cx.waker()) => {}
            Some((key, _)) => {
                let key = *key;
                self.timer.replace_waker(key, cx.waker().clone());
                self.scheduled = Some((key, cx.waker().clone()));
            }
            None => {
                let key = self.timer.schedule(self.at, Due::Wake(cx.waker().clone()));
                self.scheduled = Some((key, cx.waker().clone()));
            }
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some((key, _)) = self.scheduled.take() {
            self.timer.cancel(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn work_runs_in_deadline_order_whatever_the_order_it_was_scheduled_in() {
        let timer = Timer::start().unwrap();
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        for (label, millis) in [("c", 60), ("a", 20), ("b", 40), ("a2", 20)] {
            let tx = tx.clone();
            timer.run_at(start + Duration::from_millis(millis), move || tx.send((label, Instant::now())).unwrap());
        }
        let fired: Vec<(&str, Instant)> = (0..4).map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap()).collect();
        let labels: Vec<&str> = fired.iter().map(|(label, _)| *label).collect();
        assert_eq!(labels, ["a", "a2", "b", "c"]);
        assert!(fired.iter().all(|(_, at)| *at >= start + Duration::from_millis(20)), "none ran early");
    }

    #[test]
    fn a_sleep_is_pending_until_its_deadline_and_wakes_its_task() {
        let timer = Timer::start().unwrap();
        let at = Instant::now() + Duration::from_millis(30);
        let woke_at = futures::executor::block_on(async {
            timer.sleep_until(at).await;
            Instant::now()
        });
        assert!(woke_at >= at);
    }

    #[test]
    fn a_sleep_dropped_before_its_deadline_leaves_nothing_queued() {
        let timer = Timer::start().unwrap();
        let at = Instant::now() + Duration::from_secs(3600);
        let mut sleep = Box::pin(timer.sleep_until(at));
        let waker = futures::task::noop_waker();
        assert!(sleep.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
        let key = sleep.scheduled.as_ref().unwrap().0;
        assert!(timer.queue().entries.contains_key(&key));
        drop(sleep);
        assert!(!timer.queue().entries.contains_key(&key));
    }

    #[test]
    fn work_or_a_waker_that_panics_leaves_the_timer_running() {
        struct PanickingWaker;
        impl std::task::Wake for PanickingWaker {
            fn wake(self: std::sync::Arc<Self>) {
                panic!("a waker that fails");
            }
        }
        let timer = Timer::start().unwrap();
        let now = Instant::now();
        let waker = Waker::from(std::sync::Arc::new(PanickingWaker));
        let mut sleep = Box::pin(timer.sleep_until(now + Duration::from_millis(1)));
        assert!(sleep.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
        timer.run_at(now, || panic!("a sweep that fails"));
        let (tx, rx) = mpsc::channel();
        timer.run_at(now + Duration::from_millis(5), move || tx.send(()).unwrap());
        rx.recv_timeout(Duration::from_secs(10)).expect("the timer ran the next work");
    }
}
