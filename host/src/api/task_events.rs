//! A streamed task's events as a [`Stream`] that runs the task itself: whoever polls it (the
//! caller's HTTP connection for SSE, a WebSocket task's sender) drives the work, so a token
//! goes from the provider's connection to the caller's in one hand-over between tasks, not
//! three. Under load every hand-over queues behind every other ready task of its worker.
//!
//! The work writes its events to an [`Outbox`] the stream empties. A full outbox makes the
//! work wait (backpressure reaches the provider's stream, as a bounded channel would). When the
//! stream is dropped before the end (the caller went away or cancelled), the outbox closes and
//! the rest of the work is spawned: it sees the caller gone, stops the provider or skill, and
//! records the cancellation.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::Stream;

use super::task_stream::TaskEvent;

/// Events held for a slow caller before the work waits.
const BUFFERED_EVENTS: usize = 16;

/// Where the work leaves its events for the stream.
#[derive(Debug, Default)]
pub struct Outbox {
    state: Mutex<OutboxState>,
}

#[derive(Debug, Default)]
struct OutboxState {
    events: VecDeque<TaskEvent>,
    closed: bool,
}

/// The reader has gone: the event was not taken.
#[derive(Debug)]
pub struct Closed;

impl Outbox {
    /// Leave `event` for the reader; waits while the outbox is full.
    ///
    /// No waker is kept for a full outbox: the stream takes its events and only then polls the
    /// work again, which retries.
    pub async fn send(&self, event: TaskEvent) -> Result<(), Closed> {
        let mut event = Some(event);
        std::future::poll_fn(|_| {
            let mut state = self.lock();
            if state.closed {
                Poll::Ready(Err(Closed))
            } else if state.events.len() >= BUFFERED_EVENTS {
                Poll::Pending
            } else {
                state.events.extend(event.take());
                Poll::Ready(Ok(()))
            }
        })
        .await
    }

    /// Ready once the reader has gone. No waker either: the outbox closes before the rest of
    /// the work is spawned, so that first poll sees it.
    pub async fn closed(&self) {
        std::future::poll_fn(|_| {
            if self.lock().closed {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }

    fn take(&self) -> Option<TaskEvent> {
        self.lock().events.pop_front()
    }

    fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        state.events.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OutboxState> {
        // The state stays consistent whatever a panicking holder did: a queue and a flag.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

type Work = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The events of a task whose work runs when they are polled.
pub struct TaskEvents {
    outbox: Arc<Outbox>,
    work: Option<Work>,
}

impl TaskEvents {
    /// The events `work` leaves in `outbox`. The outbox must be `work`'s only way out, and
    /// `work` must wait only on things that wake it (or on the outbox): a wait on a full
    /// outbox ends when this stream next needs events, a wait on a closed one never starts.
    pub fn new(outbox: Arc<Outbox>, work: impl Future<Output = ()> + Send + 'static) -> Self {
        Self {
            outbox,
            work: Some(Box::pin(work)),
        }
    }
}

impl Stream for TaskEvents {
    type Item = TaskEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<TaskEvent>> {
        loop {
            if let Some(event) = self.outbox.take() {
                return Poll::Ready(Some(event));
            }
            let Some(work) = self.work.as_mut() else {
                return Poll::Ready(None);
            };
            match work.as_mut().poll(cx) {
                Poll::Ready(()) => self.work = None,
                // Waiting on the outbox (full) means it holds events: take them.
                Poll::Pending if self.outbox.lock().events.is_empty() => return Poll::Pending,
                Poll::Pending => {}
            }
        }
    }
}

impl Drop for TaskEvents {
    fn drop(&mut self) {
        let Some(work) = self.work.take() else {
            return;
        };
        self.outbox.close();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(work);
            }
            // Only at shutdown, when nothing can run it: the cancellation goes unrecorded.
            Err(_) => tracing::warn!("a cancelled stream could not record its end: no runtime"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::StreamExt as _;

    use super::*;

    fn delta(index: u64) -> TaskEvent {
        TaskEvent::Delta {
            text: format!("t{index}"),
            index,
        }
    }

    fn index(event: &TaskEvent) -> Option<u64> {
        match event {
            TaskEvent::Delta { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// Many more events than the outbox holds arrive in order: the work waits while it is
    /// full and resumes when the reader has taken some.
    #[tokio::test]
    async fn every_event_arrives_in_order_through_a_full_outbox() {
        let outbox = Arc::new(Outbox::default());
        let writer = outbox.clone();
        let events = TaskEvents::new(outbox, async move {
            for i in 0..200 {
                if writer.send(delta(i)).await.is_err() {
                    return;
                }
                if i % 50 == 0 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        });
        let seen: Vec<u64> = events
            .filter_map(|e| async move { index(&e) })
            .collect()
            .await;
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
    }

    /// Dropping the stream midway closes the outbox and lets the work run to its end, which
    /// sees the reader gone.
    #[tokio::test]
    async fn a_dropped_stream_lets_the_work_finish_and_see_the_reader_gone() {
        let outbox = Arc::new(Outbox::default());
        let writer = outbox.clone();
        let (ended, mut told) = tokio::sync::oneshot::channel::<(u64, bool)>();
        let mut events = TaskEvents::new(outbox, async move {
            let mut sent = 0;
            for i in 0..1_000 {
                if writer.send(delta(i)).await.is_err() {
                    break;
                }
                sent += 1;
                tokio::task::yield_now().await;
            }
            // What a task does after its caller left: record it, on its own time.
            tokio::time::sleep(Duration::from_millis(5)).await;
            let closed = futures_util::poll!(std::pin::pin!(writer.closed())).is_ready();
            let _ = ended.send((sent, closed));
        });
        for _ in 0..3 {
            assert!(events.next().await.is_some());
        }
        drop(events);
        let (sent, closed) = tokio::time::timeout(Duration::from_secs(5), &mut told)
            .await
            .unwrap_or_else(|_| panic!("the work did not finish after its stream was dropped"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(closed, "the work did not see its reader gone");
        assert!(
            sent < 1_000,
            "the work kept sending to nobody: {sent} events"
        );
    }
}
