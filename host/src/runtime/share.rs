//! A share of the instance slots that is taken at once or not at all (a key's share, a
//! skill's share): a counter of holders, one atomic add to take and one to give back.
//!
//! A `tokio::sync::Semaphore` would do the same but also takes its waiters' lock on every
//! release and needs an `Arc` clone per owned permit: several writes to cache lines that the
//! other cores write too, on every request, for a share that is never waited for.

use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};

/// At most `limit` holders at a time.
#[derive(Debug)]
pub struct Share {
    held: AtomicU32,
    limit: u32,
}

impl Share {
    /// A share of `limit` holders, none held.
    pub fn new(limit: u32) -> Self {
        Self {
            held: AtomicU32::new(0),
            limit,
        }
    }

    /// One place in `share`, given back when the result is dropped; `None` when all
    /// `limit` are held.
    pub fn try_take<S: Deref<Target = Share>>(share: S) -> Option<Held<S>> {
        let mut held = share.held.load(Ordering::Relaxed);
        loop {
            if held >= share.limit {
                return None;
            }
            match share.held.compare_exchange_weak(
                held,
                held + 1,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(Held(share)),
                Err(now) => held = now,
            }
        }
    }

    /// How many places are held now.
    pub fn held(&self) -> u32 {
        self.held.load(Ordering::Relaxed)
    }
}

/// A place in a [`Share`], given back on drop.
#[derive(Debug)]
pub struct Held<S: Deref<Target = Share>>(S);

impl<S: Deref<Target = Share>> Drop for Held<S> {
    fn drop(&mut self) {
        self.0.held.fetch_sub(1, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn no_more_than_the_limit_hold_at_once_and_a_place_comes_back_when_dropped() {
        let share = Share::new(2);
        let first = Share::try_take(&share);
        let second = Share::try_take(&share);
        assert!(first.is_some() && second.is_some());
        assert!(Share::try_take(&share).is_none(), "a third is turned away");
        assert_eq!(share.held(), 2, "a refused take leaves the count as it was");
        drop(first);
        assert!(
            Share::try_take(&share).is_some(),
            "a freed place can be taken"
        );
        drop(second);
        assert_eq!(share.held(), 0);
    }

    #[test]
    fn threads_racing_for_places_never_exceed_the_limit() {
        let share = Arc::new(Share::new(3));
        let inside = Arc::new(AtomicU32::new(0));
        let peak = Arc::new(AtomicU32::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (share, inside, peak) = (share.clone(), inside.clone(), peak.clone());
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        if let Some(held) = Share::try_take(share.clone()) {
                            let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(now, Ordering::SeqCst);
                            inside.fetch_sub(1, Ordering::SeqCst);
                            drop(held);
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            assert!(thread.join().is_ok());
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!(
            (1..=3).contains(&peak),
            "at most 3 held at once, saw {peak}"
        );
        assert_eq!(share.held(), 0, "every place came back");
    }
}
