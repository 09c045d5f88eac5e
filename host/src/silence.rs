//! A timer that fires after a stretch of silence: the stall timeout of a provider's stream,
//! the keep-alive of an SSE answer. It keeps one timer and moves it only when it fires before
//! the silence is long enough, instead of resetting a timer at every event: under many token
//! streams that was a timer-wheel update and a clock read per token.

use std::pin::Pin;
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// Fires once nothing has been heard for `interval`.
pub struct Silence {
    timer: Pin<Box<Sleep>>,
    last: Instant,
    interval: Duration,
}

impl Silence {
    /// Silence counted from now.
    pub fn new(interval: Duration) -> Self {
        Self {
            timer: Box::pin(tokio::time::sleep(interval)),
            last: Instant::now(),
            interval,
        }
    }

    /// Something was heard: the silence starts again.
    pub fn heard(&mut self) {
        self.last = Instant::now();
    }

    /// Ready once nothing has been heard for the interval; counts anew from then.
    pub async fn elapsed(&mut self) {
        loop {
            (&mut self.timer).await;
            let due = self.last + self.interval;
            let now = Instant::now();
            if now >= due {
                self.last = now;
                self.timer.as_mut().reset(now + self.interval);
                return;
            }
            self.timer.as_mut().reset(due);
        }
    }
}
