//! `POST /api/v1/process` as Server-Sent Events: each [`TaskEvent`] is one SSE event named by
//! its type, with the event as JSON data. Keep-alive comments every 15 s let proxies (and the
//! server) notice a caller that has gone.

use std::convert::Infallible;
use std::sync::Arc;

use axum::response::sse::{Event, Sse};
use futures_util::{Stream, StreamExt as _};

use super::AppState;
use super::sse_keep_alive;
use super::stream_limits::StreamSlot;
use super::task_stream::{self, Caller, Job, TaskEvent};
use super::validation::TaskBody;

/// Answer with the events of `task`, which runs as the connection sends them. Dropping the
/// answer (the caller disconnecting) stops the task. `slot` is held until the task ends.
pub fn respond(
    state: AppState,
    request_id: Arc<str>,
    caller: Caller,
    task: TaskBody,
    slot: StreamSlot,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = task_stream::events(state, request_id, caller, Job::Task(task), slot)
        .map(|event| Ok(encode(&event)));
    sse_keep_alive::sse(events)
}

fn encode(event: &TaskEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    Event::default().event(event.name()).data(data)
}
