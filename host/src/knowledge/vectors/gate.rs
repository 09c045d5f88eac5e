//! A counting gate: at most so many threads inside the graph at once, since each needs one of
//! the graph's thread contexts and usearch fails a search that finds none free.

use std::sync::{Condvar, Mutex};

/// At most `n` holders at once.
pub(super) struct Gate {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Gate {
    pub(super) fn new(n: usize) -> Self {
        Self {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    /// Wait for `n` places, and hold them until the guard is dropped.
    pub(super) fn enter(&self, n: usize) -> GateGuard<'_> {
        let mut free = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *free < n {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *free -= n;
        GateGuard { gate: self, n }
    }
}

/// Places held in a [`Gate`].
pub(super) struct GateGuard<'a> {
    gate: &'a Gate,
    n: usize,
}

impl Drop for GateGuard<'_> {
    fn drop(&mut self) {
        let mut free = self
            .gate
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *free += self.n;
        self.gate.freed.notify_all();
    }
}
