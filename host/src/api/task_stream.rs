//! A task answered as events, for callers that stream (SSE on `POST /api/v1/process`, the
//! WebSocket): `start`, any number of `delta`s, then exactly one `result` (the envelope a
//! whole answer has) or `error` (the status and detail HTTP would give, and the text already
//! delivered). A skill's `output.emit` chunks and an LLM route's tokens are the deltas.
//!
//! The work runs inside the stream of its events ([`events`], see `task_events`) while someone
//! listens: when that stream is dropped (the caller disconnected or cancelled), the provider's
//! connection is closed and the skill instance is dropped, and the audit record says
//! `cancelled`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use futures_util::StreamExt as _;
use serde::Serialize;
use tokio::sync::mpsc;

use super::AppState;
use super::audit::{Served, StreamFacts};
use super::error::{ApiError, ErrorCode};
use super::process::{
    Ended, ProcessResponse, estimate_tokens, llm_answer, route_error, skill_answer, skill_served,
    tokens, write_audit,
};
use super::scope::{self, Target};
use super::stream_limits::StreamSlot;
use super::task_events::{Closed, Outbox, TaskEvents};
use super::validation::TaskBody;
use crate::auth::Principal;
use crate::llm::{Ask, StreamEvent};
use crate::runtime::Call;
use crate::store::{StreamOutcome, TaskKind};

/// One event of a streamed task, the same for SSE and WebSocket callers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TaskEvent {
    /// The task is running under this request id.
    Start {
        /// Also in the audit log.
        request_id: String,
    },
    /// More of the answer.
    Delta {
        /// The text.
        text: String,
        /// Its place: 0 for the first delta, then 1, 2, ...
        index: u64,
    },
    // Boxed: every event sits in a channel slot the size of the largest, and the envelope is
    // five times a delta; thousands of open streams each hold a block of such slots.
    /// The end: the envelope `POST /api/v1/process` answers, with the whole text.
    Result(Box<ProcessResponse>),
    /// The end, failed.
    Error {
        /// The HTTP status a whole answer would have had.
        status: u16,
        /// What kind of failure, for programs.
        code: ErrorCode,
        /// What went wrong and what to do.
        detail: String,
        /// The text delivered before the failure: not the whole answer.
        delivered: String,
    },
}

impl TaskEvent {
    /// The event's name: `start`, `delta`, `result` or `error`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Start { .. } => "start",
            Self::Delta { .. } => "delta",
            Self::Result(_) => "result",
            Self::Error { .. } => "error",
        }
    }

    /// An `error` event for `error`, after `delivered`.
    pub fn failed(error: &ApiError, delivered: String) -> Self {
        Self::Error {
            status: error.status().as_u16(),
            code: error.code(),
            detail: error.detail_text(),
            delivered,
        }
    }
}

/// Who asked: for limits and the audit record.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The caller's address.
    pub client: SocketAddr,
    /// The key it authenticated with.
    pub principal: Option<Principal>,
}

/// What a stream runs.
#[derive(Debug)]
pub enum Job {
    /// A task of `POST /api/v1/process` (a skill, or an LLM route by name).
    Task(TaskBody),
    /// A conversation for an LLM route, from another ingress (`kind` says which).
    Chat {
        /// The route.
        route: String,
        /// What to ask it.
        ask: Ask,
        /// The ingress, as the audit record names it.
        kind: TaskKind,
    },
}

impl Job {
    /// The task type the audit record files it under.
    fn task_type(&self) -> &str {
        match self {
            Self::Task(task) => &task.task_type,
            Self::Chat { route, .. } => route,
        }
    }

    /// The prompt the audit record keeps.
    fn prompt(&self) -> &str {
        match self {
            Self::Task(task) => &task.prompt,
            Self::Chat { ask, .. } => &ask.prompt,
        }
    }
}

/// The caller went away; the work stops.
struct Gone;

/// What has reached the caller so far.
struct Progress {
    outbox: Arc<Outbox>,
    started: Instant,
    delivered: String,
    deltas: u64,
    first_token: Option<Duration>,
}

impl Progress {
    /// Hand `event` to the caller; waits while the caller is behind.
    async fn send(&self, event: TaskEvent) -> Result<(), Gone> {
        self.outbox.send(event).await.map_err(|Closed| Gone)
    }

    /// Ready once the caller has gone.
    async fn gone(&self) {
        self.outbox.closed().await;
    }

    async fn delta(&mut self, text: String) -> Result<(), Gone> {
        if text.is_empty() {
            return Ok(());
        }
        self.first_token
            .get_or_insert_with(|| self.started.elapsed());
        self.delivered.push_str(&text);
        let index = self.deltas;
        self.deltas += 1;
        self.send(TaskEvent::Delta { text, index }).await
    }
}

/// The events of `job`, which runs as they are polled; `slot` is held until the work ends.
pub fn events(
    state: AppState,
    request_id: Arc<str>,
    caller: Caller,
    job: Job,
    slot: StreamSlot,
) -> TaskEvents {
    let outbox = Arc::new(Outbox::default());
    let work = run(state, request_id, caller, job, outbox.clone());
    TaskEvents::new(outbox, async move {
        work.await;
        drop(slot);
    })
}

/// Run `job`, leaving its events in `outbox` until its end or until the outbox closes.
async fn run(state: AppState, request_id: Arc<str>, caller: Caller, job: Job, outbox: Arc<Outbox>) {
    let started = Instant::now();
    let arrived = time::OffsetDateTime::now_utc();
    let mut progress = Progress {
        outbox,
        started,
        delivered: String::new(),
        deltas: 0,
        first_token: None,
    };
    if progress
        .send(TaskEvent::Start {
            request_id: request_id.to_string(),
        })
        .await
        .is_err()
    {
        return;
    }
    let prompt = job.prompt().to_owned();
    let task_type = job.task_type().to_owned();
    let (ending, served) = match job {
        Job::Task(task) => work(&state, &request_id, &caller, task, &mut progress).await,
        Job::Chat {
            route: name,
            ask,
            kind,
        } => route(&state, &request_id, name, ask, kind, &mut progress).await,
    };
    let (answer, outcome) = match ending {
        Err(Gone) => {
            let cancelled = ApiError::new(
                StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
                format!(
                    "The caller cancelled the request after {} bytes of the answer.",
                    progress.delivered.len()
                ),
            )
            .with_code(ErrorCode::Cancelled);
            (Err(cancelled), StreamOutcome::Cancelled)
        }
        Ok(Ok(response)) => (Ok(response), StreamOutcome::Completed),
        Ok(Err(error)) if progress.deltas == 0 => (Err(error), StreamOutcome::Failed),
        Ok(Err(error)) => (Err(error), StreamOutcome::FailedMidStream),
    };
    state
        .metrics
        .observe_stream(served.kind.as_str(), outcome.as_str(), progress.first_token);
    let ended = Ended {
        request_id: &request_id,
        arrived,
        task_type,
        served,
        prompt: &prompt,
        latency: started.elapsed(),
        caller: &caller,
        stream: Some(StreamFacts {
            outcome,
            time_to_first_token: progress.first_token,
            delivered: &progress.delivered,
        }),
    };
    let recorded = write_audit(&state, ended, answer.as_ref().map(|a| &a.result)).await;
    if outcome == StreamOutcome::Cancelled {
        return;
    }
    let last = match (recorded, answer) {
        (Err(unrecorded), _) => TaskEvent::failed(&unrecorded, progress.delivered.clone()),
        (Ok(()), Ok(response)) => TaskEvent::Result(Box::new(response)),
        (Ok(()), Err(error)) => TaskEvent::failed(&error, progress.delivered.clone()),
    };
    let _ = progress.send(last).await;
}

type Ending = Result<Result<ProcessResponse, ApiError>, Gone>;

/// Run the task with the skill of its name, else its LLM route.
async fn work(
    state: &AppState,
    request_id: &Arc<str>,
    caller: &Caller,
    task: TaskBody,
    progress: &mut Progress,
) -> (Ending, Served) {
    let principal = caller.principal.as_ref();
    if let Some(skill) = state.catalogue.get(&task.task_type) {
        let served = skill_served(&skill.manifest);
        if let Err(refused) = scope::check(principal, Target::Skill(&task.task_type))
            .and_then(|()| super::license::check_skill(&state.licensing, &task.task_type))
        {
            return (Ok(Err(refused)), served);
        }
        let (deltas, mut emitted) = mpsc::unbounded_channel();
        let call = Call {
            request_id: request_id.clone(),
            task_type: task.task_type,
            prompt: task.prompt,
            params: task.extra,
            key_id: principal.map(|p| p.key_id.clone()),
            caller_role: principal.map(|p| p.role),
            deltas: Some(deltas),
        };
        let invoke = state.runtime.invoke(&skill.prepared, call);
        tokio::pin!(invoke);
        let result = loop {
            tokio::select! {
                biased;
                () = progress.gone() => return (Err(Gone), served),
                Some(chunk) = emitted.recv() => {
                    if progress.delta(chunk).await.is_err() {
                        return (Err(Gone), served);
                    }
                }
                result = &mut invoke => break result,
            }
        };
        while let Ok(chunk) = emitted.try_recv() {
            if progress.delta(chunk).await.is_err() {
                return (Err(Gone), served);
            }
        }
        let answer = skill_answer(state, request_id, skill.manifest.name.as_str(), result);
        return (Ok(answer), served);
    }
    if state.llm.has_route(&task.task_type) {
        if let Err(refused) = scope::check(principal, Target::Route(&task.task_type)) {
            let served = Served {
                kind: TaskKind::Llm,
                ..Served::default()
            };
            return (Ok(Err(refused)), served);
        }
        let ask = Ask::prompt(task.prompt);
        return route(
            state,
            request_id,
            task.task_type,
            ask,
            TaskKind::Llm,
            progress,
        )
        .await;
    }
    tracing::info!(%request_id, task_type = %task.task_type, "unknown task type");
    let error = ApiError::not_found(format!(
        "Skill or LLM route '{}' not found.",
        task.task_type
    ));
    (Ok(Err(error)), Served::default())
}

/// Stream through an LLM route: providers fail over until one produces its first token; after
/// that, a failure ends the stream with an `incomplete_answer` error.
async fn route(
    state: &AppState,
    request_id: &str,
    route: String,
    ask: Ask,
    kind: TaskKind,
    progress: &mut Progress,
) -> (Ending, Served) {
    let mut served = Served {
        kind,
        ..Served::default()
    };
    let prompt = ask.prompt.clone();
    let opened = tokio::select! {
        biased;
        () = progress.gone() => return (Err(Gone), served),
        opened = state.llm.stream(&route, ask) => opened,
    };
    let mut stream = match opened {
        Ok(stream) => stream,
        Err(error) => {
            served.attempts = serde_json::to_value(error.attempts()).ok();
            return (Ok(Err(route_error(request_id, &route, &error))), served);
        }
    };
    served.provider = Some(stream.provider.clone());
    served.attempts = serde_json::to_value(&stream.attempts).ok();
    loop {
        let next = tokio::select! {
            biased;
            () = progress.gone() => None,
            next = stream.events.next() => Some(next),
        };
        let estimate = |progress: &Progress| crate::llm::Usage {
            input_tokens: None,
            output_tokens: Some(estimate_tokens(&progress.delivered)),
        };
        match next {
            None => {
                served.tokens = Some(tokens(&estimate(progress), &prompt, &progress.delivered));
                return (Err(Gone), served);
            }
            Some(Some(Ok(StreamEvent::Delta(text)))) => {
                if progress.delta(text).await.is_err() {
                    served.tokens = Some(tokens(&estimate(progress), &prompt, &progress.delivered));
                    return (Err(Gone), served);
                }
            }
            Some(Some(Ok(StreamEvent::Done(completion)))) => {
                served.tokens = Some(tokens(&completion.usage, &prompt, &completion.text));
                let answer = llm_answer(
                    request_id,
                    stream.provider.clone(),
                    completion,
                    stream.attempts.clone(),
                );
                return (Ok(Ok(answer)), served);
            }
            Some(Some(Err(error))) => {
                served.tokens = Some(tokens(&estimate(progress), &prompt, &progress.delivered));
                tracing::warn!(%request_id, provider = %stream.provider, %error, "stream failed after its first token");
                let incomplete = ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "The answer is incomplete: provider '{}' failed after {} bytes ({error}). The text delivered is not the whole answer; try again.",
                        stream.provider,
                        progress.delivered.len()
                    ),
                )
                .with_code(ErrorCode::IncompleteAnswer);
                return (Ok(Err(incomplete)), served);
            }
            Some(None) => {
                let incomplete = ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "The answer is incomplete: provider '{}' stopped without finishing it.",
                        stream.provider
                    ),
                )
                .with_code(ErrorCode::IncompleteAnswer);
                return (Ok(Err(incomplete)), served);
            }
        }
    }
}
