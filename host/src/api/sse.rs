//! `POST /api/v1/process` as Server-Sent Events: each [`TaskEvent`] is one SSE event named by
//! its type, with the event as JSON data. Keep-alive comments every 15 s let proxies (and the
//! server) notice a caller that has gone.

use std::convert::Infallible;
use std::sync::Arc;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::mpsc;

use super::AppState;
use super::stream_limits::StreamSlot;
use super::task_stream::{self, Caller, Job, TaskEvent};
use super::validation::TaskBody;

/// Events buffered between the task and a slow caller before the task waits (and so the
/// provider's stream waits: backpressure, not memory, absorbs a slow caller).
const BUFFERED_EVENTS: usize = 16;

/// Start `task` and answer with its events. Dropping the answer (the caller disconnecting)
/// drops the receiver, which stops the task. `slot` is held until the task ends.
pub fn respond(
    state: AppState,
    request_id: Arc<str>,
    caller: Caller,
    task: TaskBody,
    slot: StreamSlot,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let (sender, receiver) = mpsc::channel(BUFFERED_EVENTS);
    tokio::spawn(async move {
        task_stream::run(state, request_id, caller, Job::Task(task), sender).await;
        drop(slot);
    });
    let events = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = receiver.recv().await?;
        Some((Ok(encode(&event)), receiver))
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

fn encode(event: &TaskEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    Event::default().event(event.name()).data(data)
}
