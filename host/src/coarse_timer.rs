//! A [`hyper::rt::Timer`] for a deadline that nearly every connection sets and almost none
//! reaches: the header-read timeout. hyper arms it afresh for every request a keep-alive
//! connection waits for and drops it when the headers have arrived. With tokio's timer that
//! is an entry put into and taken out of the runtime's timer wheel for every request, under
//! its lock (about half a microsecond a request in profiles). Here a waiting connection takes
//! a slot in one of a few lists, each normally touched by one worker thread, and a ticker
//! task wakes the connections whose deadline has passed. A deadline fires up to one tick
//! late; the tick is a fraction of the timeout (see [`CoarseTimer::for_timeout`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Lists the slots are spread over, so that threads rarely share one.
const SHARDS: usize = 16;

/// A timer whose sleeps are woken by a ticker task (see the module).
#[derive(Clone, Debug)]
pub struct CoarseTimer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    shards: [Mutex<Shard>; SHARDS],
}

/// One list of waiting sleeps. A freed slot is reused; a slot belongs to its sleep from
/// registration until the sleep is dropped, so its index never names another sleep.
#[derive(Debug, Default)]
struct Shard {
    slots: Vec<Slot>,
    free: Vec<usize>,
}

#[derive(Debug)]
struct Slot {
    deadline: Instant,
    /// Taken by the ticker when it wakes the sleep.
    waker: Option<Waker>,
}

impl CoarseTimer {
    /// A timer for deadlines of about `timeout`: it ticks eight times per timeout, at most
    /// every second and at least every 10 ms. Must be called within a tokio runtime, which
    /// runs its ticker until the last clone of the timer is dropped.
    pub fn for_timeout(timeout: Duration) -> Self {
        let tick = (timeout / 8).clamp(Duration::from_millis(10), Duration::from_secs(1));
        Self::with_tick(tick)
    }

    /// A timer that checks its deadlines every `tick`.
    pub fn with_tick(tick: Duration) -> Self {
        let shared = Arc::new(Shared {
            shards: std::array::from_fn(|_| Mutex::new(Shard::default())),
        });
        let ticker = Arc::downgrade(&shared);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(tick);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(shared) = Weak::upgrade(&ticker) else {
                    return;
                };
                shared.wake_expired(Instant::now());
            }
        });
        Self { shared }
    }
}

impl Shared {
    fn shard(&self, index: usize) -> MutexGuard<'_, Shard> {
        // A panic while a shard was held cannot leave it inconsistent: every update of it
        // is a single assignment or push.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wake_expired(&self, now: Instant) {
        let mut due = Vec::new();
        for index in 0..SHARDS {
            let mut shard = self.shard(index);
            due.extend(
                shard
                    .slots
                    .iter_mut()
                    .filter(|slot| slot.deadline <= now)
                    .filter_map(|slot| slot.waker.take()),
            );
        }
        // Woken outside the locks: waking can run code that registers again.
        due.into_iter().for_each(Waker::wake);
    }
}

/// The shard this thread registers its sleeps in.
fn home_shard() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static HOME: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    HOME.with(|home| *home)
}

/// A sleep of a [`CoarseTimer`].
#[derive(Debug)]
pub struct CoarseSleep {
    shared: Arc<Shared>,
    deadline: Instant,
    /// Its slot (shard, index) once it has waited.
    slot: Option<(usize, usize)>,
}

impl CoarseSleep {
    fn register(&mut self, waker: &Waker) {
        match self.slot {
            Some((shard, index)) => {
                let mut shard = self.shared.shard(shard);
                if let Some(slot) = shard.slots.get_mut(index) {
                    slot.deadline = self.deadline;
                    match &slot.waker {
                        Some(current) if current.will_wake(waker) => {}
                        _ => slot.waker = Some(waker.clone()),
                    }
                }
            }
            None => {
                let home = home_shard();
                let mut shard = self.shared.shard(home);
                let slot = Slot {
                    deadline: self.deadline,
                    waker: Some(waker.clone()),
                };
                let index = match shard.free.pop() {
                    Some(index) => {
                        shard.slots[index] = slot;
                        index
                    }
                    None => {
                        shard.slots.push(slot);
                        shard.slots.len() - 1
                    }
                };
                self.slot = Some((home, index));
            }
        }
    }

    fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let Some((shard, index)) = self.slot
            && let Some(slot) = self.shared.shard(shard).slots.get_mut(index)
        {
            slot.deadline = deadline;
        }
    }

    fn release(&mut self) {
        if let Some((shard, index)) = self.slot.take() {
            let mut shard = self.shared.shard(shard);
            if let Some(slot) = shard.slots.get_mut(index) {
                slot.waker = None;
                shard.free.push(index);
            }
        }
    }
}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if Instant::now() >= this.deadline {
            this.release();
            return Poll::Ready(());
        }
        this.register(cx.waker());
        Poll::Pending
    }
}

impl Drop for CoarseSleep {
    fn drop(&mut self) {
        self.release();
    }
}

impl hyper::rt::Sleep for CoarseSleep {}

impl hyper::rt::Timer for CoarseTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(CoarseSleep {
            shared: self.shared.clone(),
            deadline,
            slot: None,
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<CoarseSleep>() {
            Some(sleep) => sleep.get_mut().reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }

    fn now(&self) -> Instant {
        Instant::now()
    }
}

#[cfg(test)]
mod tests {
    use hyper::rt::Timer as _;

    use super::*;

    fn occupied(timer: &CoarseTimer) -> usize {
        (0..SHARDS)
            .map(|index| {
                let shard = timer.shared.shard(index);
                shard.slots.len() - shard.free.len()
            })
            .sum()
    }

    #[tokio::test]
    async fn a_sleep_ends_at_its_deadline_at_most_a_tick_late() {
        let timer = CoarseTimer::with_tick(Duration::from_millis(10));
        let started = Instant::now();
        timer.sleep(Duration::from_millis(60)).await;
        let slept = started.elapsed();
        assert!(slept >= Duration::from_millis(60), "{slept:?}");
        assert!(slept < Duration::from_millis(60 + 200), "{slept:?}");
        assert_eq!(occupied(&timer), 0, "the slot is freed when it ends");
    }

    #[tokio::test]
    async fn a_dropped_sleep_frees_its_slot_and_the_slot_is_reused() {
        let timer = CoarseTimer::with_tick(Duration::from_millis(10));
        for _ in 0..3 {
            let sleep = timer.sleep(Duration::from_secs(60));
            let waited = tokio::time::timeout(Duration::from_millis(20), sleep).await;
            assert!(waited.is_err(), "a 60 s sleep is not over after 20 ms");
            assert_eq!(occupied(&timer), 0);
        }
        let slots: usize = (0..SHARDS)
            .map(|index| timer.shared.shard(index).slots.len())
            .sum();
        assert_eq!(slots, 1, "one slot, reused by each sleep in turn");
    }

    #[tokio::test]
    async fn a_reset_moves_the_deadline() {
        let timer = CoarseTimer::with_tick(Duration::from_millis(10));
        let mut sleep = timer.sleep(Duration::from_secs(60));
        let waited = tokio::time::timeout(Duration::from_millis(20), &mut sleep).await;
        assert!(waited.is_err());
        let started = Instant::now();
        timer.reset(&mut sleep, Instant::now() + Duration::from_millis(40));
        sleep.await;
        let slept = started.elapsed();
        assert!(slept >= Duration::from_millis(40), "{slept:?}");
        assert!(slept < Duration::from_millis(40 + 200), "{slept:?}");
    }
}
