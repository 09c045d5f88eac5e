//! `GET /ws/v1/process`: many streamed tasks over one WebSocket, concurrently.
//!
//! The key comes on the upgrade request (`X-API-Key` or `Authorization: Bearer`), or, since
//! browsers cannot set headers on a WebSocket, in a first message `{"type": "auth",
//! "api_key": ...}` within [`AUTH_DEADLINE`] (never in the URL). Then the client sends
//! `{"type": "task", "id": ..., <the POST /api/v1/process body>}` and `{"type": "cancel",
//! "id": ...}`; each task gets the events of `task_stream` with its `id`: `start`, `delta`s,
//! then exactly one `result` or `error`. A frame the server cannot use gets an `error` event
//! (with the task's `id` when it has one) and the socket stays open. The server pings every
//! [`PING_INTERVAL`] and closes a socket that stops answering.
//!
//! Not in the OpenAPI document, which cannot describe a WebSocket; `docs/streaming.md` does.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt as _, StreamExt as _};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, oneshot};

use super::AppState;
use super::access::refuse;
use super::error::{ApiError, ErrorCode};
use super::process::stream_slot;
use super::task_stream::{self, Caller, Job, TaskEvent};
use super::validation::parse_task_body;
use crate::auth::secret::{self, Presented};
use crate::auth::{Principal, Role};

/// How long a socket opened without a key has to send its `auth` message.
pub const AUTH_DEADLINE: Duration = Duration::from_secs(10);
/// How often the server pings; a socket silent for three intervals is closed.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);
/// Bytes read from the socket at a time. Client frames are small (a task, a cancel), and an
/// idle socket holds this buffer: tungstenite's 128 KiB default would cost every open stream.
const READ_BUFFER_BYTES: usize = 8 << 10;

/// The WebSocket route.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/ws/v1/process", get(upgrade))
}

async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    socket: WebSocketUpgrade,
) -> Response {
    let principal = match secret::presented(&headers) {
        Presented::Missing => None,
        presented => match state.auth.admit(presented, client.ip(), Role::User).await {
            Ok(principal) => Some(principal),
            Err(denial) => return refuse(denial).await,
        },
    };
    let max_frame = state.max_frame_bytes;
    socket
        .max_message_size(max_frame)
        .read_buffer_size(READ_BUFFER_BYTES)
        // Each event is written and flushed at once: nothing to gather in a write buffer.
        .write_buffer_size(0)
        .on_upgrade(move |socket| session(state, client, principal, socket))
}

/// What the client sent, once parsed.
enum Incoming {
    Auth(String),
    Task(Value, Map<String, Value>),
    Cancel(Value),
}

/// One frame as a client message, or the `error` event that says what is wrong with it.
fn parse(text: &str) -> Result<Incoming, Value> {
    let bad = |id: Option<&Value>, detail: String| {
        let mut event = json!({
            "type": "error", "status": 400, "code": ErrorCode::BadRequest,
            "detail": detail, "delivered": "",
        });
        if let Some(id) = id {
            event["id"] = id.clone();
        }
        event
    };
    let Ok(Value::Object(mut message)) = serde_json::from_str::<Value>(text) else {
        return Err(bad(
            None,
            "A frame must be a JSON object with a `type`: auth, task or cancel.".into(),
        ));
    };
    let id = message.remove("id");
    let kind = message.remove("type");
    match (kind.as_ref().and_then(Value::as_str), id) {
        (Some("auth"), _) => match message.get("api_key").and_then(Value::as_str) {
            Some(key) => Ok(Incoming::Auth(key.to_owned())),
            None => Err(bad(None, "An `auth` frame needs `api_key`.".into())),
        },
        (Some("task" | "cancel"), Some(id)) if !(id.is_string() || id.is_number()) => {
            Err(bad(Some(&id), "`id` must be a string or a number.".into()))
        }
        (Some("task"), Some(id)) => Ok(Incoming::Task(id, message)),
        (Some("cancel"), Some(id)) => Ok(Incoming::Cancel(id)),
        (Some("task" | "cancel"), None) => Err(bad(
            None,
            "A `task` or `cancel` frame needs an `id` (a string or number the client chooses)."
                .into(),
        )),
        (other, id) => Err(bad(
            id.as_ref(),
            format!(
                "Unknown frame type {}: send auth, task or cancel.",
                other.map_or_else(|| "(none)".to_owned(), |t| format!("`{t}`"))
            ),
        )),
    }
}

fn text(value: &Value) -> Message {
    Message::Text(Utf8Bytes::from(value.to_string()))
}

/// An event of task `id`, as the client receives it: the event's fields and the task's `id`.
#[derive(Serialize)]
struct Tagged<'a> {
    #[serde(flatten)]
    event: &'a TaskEvent,
    id: &'a Value,
}

/// The frame of `event` of task `id`.
fn tagged(id: &Value, event: &TaskEvent) -> Message {
    let json = serde_json::to_string(&Tagged { event, id }).unwrap_or_default();
    Message::Text(Utf8Bytes::from(json))
}

/// The sending half of the socket, shared by the session and its tasks: each task writes its
/// own frames, so its tokens reach the socket from the task that produced them without a
/// hand-over to a writer task.
#[derive(Clone)]
struct Outgoing(Arc<tokio::sync::Mutex<SplitSink<WebSocket, Message>>>);

impl Outgoing {
    /// Send `message`, waiting while the client is behind.
    async fn send(&self, message: Message) -> Result<(), axum::Error> {
        self.0.lock().await.send(message).await
    }
}

async fn session(
    state: AppState,
    client: SocketAddr,
    principal: Option<Principal>,
    socket: WebSocket,
) {
    let (sink, mut incoming) = socket.split();
    let outgoing = Outgoing(Arc::new(tokio::sync::Mutex::new(sink)));
    let principal = match principal {
        Some(principal) => principal,
        None => match authenticate(&state, client, &mut incoming, &outgoing).await {
            Some(principal) => principal,
            None => return,
        },
    };
    let caller = Caller {
        client,
        principal: Some(principal),
    };
    let (finished, mut finished_ids) = mpsc::unbounded_channel::<String>();
    let mut running: HashMap<String, oneshot::Sender<()>> = HashMap::new();
    let mut ping = tokio::time::interval(PING_INTERVAL);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            frame = incoming.next() => {
                let Some(Ok(frame)) = frame else { break };
                heard = Instant::now();
                match frame {
                    Message::Text(body) => match parse(body.as_str()) {
                        Ok(Incoming::Task(id, body)) => {
                            let key = id.to_string();
                            if running.contains_key(&key) {
                                let error = ApiError::new(StatusCode::CONFLICT, format!("A task with id {id} is already running; choose another id."));
                                let _ = outgoing.send(tagged(&id, &TaskEvent::failed(&error, String::new()))).await;
                                continue;
                            }
                            match start(&state, &caller, id.clone(), body, outgoing.clone(), finished.clone()) {
                                Ok(cancel) => { running.insert(key, cancel); }
                                Err(error) => {
                                    let _ = outgoing.send(tagged(&id, &TaskEvent::failed(&error, String::new()))).await;
                                }
                            }
                        }
                        Ok(Incoming::Cancel(id)) => {
                            if let Some(cancel) = running.remove(&id.to_string()) {
                                let _ = cancel.send(());
                            }
                        }
                        Ok(Incoming::Auth(_)) => {}
                        Err(event) => { let _ = outgoing.send(text(&event)).await; }
                    },
                    Message::Binary(_) => {
                        let event = json!({"type": "error", "status": 400, "code": ErrorCode::BadRequest,
                            "detail": "Binary frames are not understood: send JSON text frames.", "delivered": ""});
                        let _ = outgoing.send(text(&event)).await;
                    }
                    Message::Close(_) => break,
                    Message::Ping(_) | Message::Pong(_) => {}
                }
            }
            Some(id) = finished_ids.recv() => { running.remove(&id); }
            _ = ping.tick() => {
                if heard.elapsed() > PING_INTERVAL * 3 {
                    tracing::info!(%client, "WebSocket silent for too long; closing it");
                    break;
                }
                let _ = outgoing.send(Message::Ping(Default::default())).await;
            }
        }
    }
    // Dropping the cancel senders stops every task still running; the socket closes when the
    // last of them has sent its end.
    drop(running);
}

/// Wait for the `auth` frame of a socket opened without a key; tell the client what went
/// wrong and close the socket if it does not come or does not hold a usable key.
async fn authenticate(
    state: &AppState,
    client: SocketAddr,
    incoming: &mut futures_util::stream::SplitStream<WebSocket>,
    outgoing: &Outgoing,
) -> Option<Principal> {
    let refusal = |detail: &str, code: ErrorCode, status: u16| json!({"type": "error", "status": status, "code": code, "detail": detail, "delivered": ""});
    let frame = tokio::time::timeout(AUTH_DEADLINE, async {
        loop {
            match incoming.next().await {
                Some(Ok(Message::Text(body))) => return Some(parse(body.as_str())),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                _ => return None,
            }
        }
    })
    .await;
    let problem = match frame {
        Err(_) => refusal(
            "No key: send {\"type\": \"auth\", \"api_key\": ...} first (within 10 s), or the key in X-API-Key on the upgrade request.",
            ErrorCode::NotAuthenticated,
            401,
        ),
        Ok(None) => return None,
        Ok(Some(Ok(Incoming::Auth(key)))) => {
            let mut headers = HeaderMap::new();
            if let Ok(value) = key.parse() {
                headers.insert(secret::API_KEY_HEADER, value);
            }
            let admitted = state
                .auth
                .admit(secret::presented(&headers), client.ip(), Role::User)
                .await;
            match admitted {
                Ok(principal) => return Some(principal),
                Err(_) => refusal(
                    "Invalid API key: it is unknown, revoked or expired, or below the user role.",
                    ErrorCode::InvalidKey,
                    403,
                ),
            }
        }
        Ok(Some(_)) => refusal(
            "The first frame must be {\"type\": \"auth\", \"api_key\": ...} (or send the key in X-API-Key on the upgrade request).",
            ErrorCode::NotAuthenticated,
            401,
        ),
    };
    let _ = outgoing.send(text(&problem)).await;
    let _ = outgoing
        .send(Message::Close(Some(CloseFrame {
            code: 1008,
            reason: Utf8Bytes::from_static("not authenticated"),
        })))
        .await;
    None
}

/// Start task `id`: validate its body like `POST /api/v1/process`, take a stream slot, run it,
/// and send its events tagged with `id`. Returns the handle that cancels it.
fn start(
    state: &AppState,
    caller: &Caller,
    id: Value,
    body: Map<String, Value>,
    outgoing: Outgoing,
    finished: mpsc::UnboundedSender<String>,
) -> Result<oneshot::Sender<()>, ApiError> {
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let task = parse_task_body(&bytes).map_err(ApiError::validation)?;
    let slot = stream_slot(state, caller)?;
    let request_id: Arc<str> = Arc::from(uuid::Uuid::now_v7().to_string());
    let mut events = task_stream::events(
        state.clone(),
        request_id,
        caller.clone(),
        Job::Task(task),
        slot,
    );
    let (cancel, mut cancelled) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut delivered = String::new();
        loop {
            tokio::select! {
                biased;
                _ = &mut cancelled => {
                    // Dropping the events stops the task; the client still gets its one end.
                    drop(events);
                    let error = ApiError::new(
                        StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
                        "Cancelled by the client.",
                    )
                    .with_code(ErrorCode::Cancelled);
                    let _ = outgoing.send(tagged(&id, &TaskEvent::failed(&error, delivered))).await;
                    break;
                }
                event = events.next() => {
                    let Some(event) = event else { break };
                    if let TaskEvent::Delta { text, .. } = &event {
                        delivered.push_str(text);
                    }
                    let last = matches!(event, TaskEvent::Result(_) | TaskEvent::Error { .. });
                    if outgoing.send(tagged(&id, &event)).await.is_err() || last {
                        break;
                    }
                }
            }
        }
        let _ = finished.send(id.to_string());
    });
    Ok(cancel)
}
