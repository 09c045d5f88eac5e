//! How many streamed tasks (SSE and WebSocket) each API key may have running at once
//! (`[server] max_streams_per_key`): a stream holds a provider connection and perhaps a skill
//! instance for as long as it lasts, so one key must not hold them all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Open streams per key.
#[derive(Debug)]
pub struct StreamLimits {
    per_key: usize,
    open: Mutex<HashMap<Arc<str>, usize>>,
}

/// One open stream; it closes when dropped.
#[derive(Debug)]
pub struct StreamSlot {
    limits: Arc<StreamLimits>,
    key: Arc<str>,
}

impl StreamLimits {
    /// At most `per_key` open streams for each key.
    pub fn new(per_key: usize) -> Arc<Self> {
        Arc::new(Self {
            per_key,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// The most streams one key may have open.
    pub fn per_key(&self) -> usize {
        self.per_key
    }

    /// A slot for `key`, or `None` when it has every slot it may have.
    pub fn acquire(self: &Arc<Self>, key: &Arc<str>) -> Option<StreamSlot> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(key.clone()).or_insert(0);
        if *count >= self.per_key {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            limits: self.clone(),
            key: key.clone(),
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self
            .limits
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_slots_and_a_dropped_slot_is_free_again() {
        let limits = StreamLimits::new(2);
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("a"), Arc::from("b"));
        let first = limits.acquire(&a);
        let second = limits.acquire(&a);
        assert!(first.is_some() && second.is_some());
        assert!(limits.acquire(&a).is_none(), "a third for the same key");
        assert!(limits.acquire(&b).is_some(), "another key is not affected");
        drop(first);
        assert!(
            limits.acquire(&a).is_some(),
            "a closed stream frees its slot"
        );
    }
}
