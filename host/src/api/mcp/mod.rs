//! The MCP server: the skills as tools for any Model Context Protocol client, over the
//! Streamable HTTP transport at `/mcp`, with the same API keys, scopes, rate limits and audit
//! as the rest of the API. [`protocol`] says which revisions are served.
//!
//! - `POST /mcp` takes one JSON-RPC message (or, in 2025-03-26, a batch) and answers it as
//!   JSON; `subscriptions/listen` (2026-07-28) answers with an event stream.
//! - `GET /mcp` with a session id is the session's notification stream (2025 revisions).
//! - `DELETE /mcp` ends a session.

pub mod errors;
pub mod jsonrpc;
pub mod notify;
pub mod protocol;
pub mod sessions;
pub mod tools;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::watch;
use utoipa_axum::routes;

use super::AppState;
use super::access::ApiRoutes;
use super::request_id::RequestId;
use super::task_stream::Caller;
use crate::auth::{Principal, Role};
use jsonrpc::{Incoming, RpcError};
use protocol::Era;
use sessions::Sessions;

/// The header that carries a 2025 session's id.
pub const SESSION_HEADER: &str = "mcp-session-id";
/// The header that names the protocol revision of a request.
pub const VERSION_HEADER: &str = "mcp-protocol-version";

/// The MCP server's own state: open sessions, and word that the server is shutting down (which
/// ends the notification streams, so that shutdown does not wait for them).
pub struct McpState {
    /// Open 2025 sessions.
    pub sessions: Sessions,
    closing: watch::Sender<bool>,
}

impl Default for McpState {
    fn default() -> Self {
        Self {
            sessions: Sessions::default(),
            closing: watch::Sender::new(false),
        }
    }
}

impl McpState {
    /// End every notification stream: the server is shutting down.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// One request's answer.
enum Reply {
    /// A notification or a client's response: `202 Accepted`, no body.
    Accepted,
    /// A JSON-RPC answer with this HTTP status (and a new session's id).
    Json {
        status: StatusCode,
        body: Value,
        session: Option<String>,
    },
    /// An event stream.
    Stream(Response),
}

fn rpc_error(status: StatusCode, id: Option<&Value>, error: &RpcError) -> Reply {
    Reply::Json {
        status,
        body: jsonrpc::error(id, error),
        session: None,
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A request that cannot be served: `status`, with an invalid-request error saying why.
fn invalid(status: StatusCode, message: &str) -> Response {
    let error = RpcError::new(jsonrpc::INVALID_REQUEST, message);
    json_response(status, &jsonrpc::error(None, &error))
}

/// What a request for an ended or unknown session is told.
const NO_SESSION: &str =
    "Session not found: it ended or never existed. Send initialize to open a new one.";

/// What a request is answered in: its session's revision, 2026-07-28, or a new session.
enum Context {
    Era(Era),
    Initialize,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// A browser page from another site must not drive the server through a user's browser
/// (DNS rebinding): a request with an `Origin` is served only if it names this server.
fn foreign_origin(headers: &HeaderMap) -> Option<String> {
    let origin = header(headers, header::ORIGIN.as_str())?;
    let host = header(headers, header::HOST.as_str()).unwrap_or_default();
    let authority = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    (authority != host).then(|| origin.to_owned())
}

/// The revision `message` is made in, from its session, its headers or its `_meta`.
fn context(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    method: &str,
    params: &Value,
) -> Result<Context, (StatusCode, RpcError)> {
    let owner = caller.principal.as_ref().map(|p| &p.key_id);
    let announced = header(headers, VERSION_HEADER);
    if let Some(id) = header(headers, SESSION_HEADER) {
        let Some(session) = state.mcp.sessions.get(id, owner) else {
            return Err((
                StatusCode::NOT_FOUND,
                RpcError::new(jsonrpc::INVALID_REQUEST, NO_SESSION),
            ));
        };
        if announced.is_some_and(|version| version != session.version) {
            return Err((
                StatusCode::BAD_REQUEST,
                RpcError::new(
                    jsonrpc::INVALID_REQUEST,
                    format!(
                        "The {VERSION_HEADER} header says {}, but this session agreed on {}.",
                        announced.unwrap_or_default(),
                        session.version
                    ),
                ),
            ));
        }
        return Ok(Context::Era(Era::Handshake(session.version)));
    }
    if method == "initialize" {
        return Ok(Context::Initialize);
    }
    let enveloped = params
        .pointer(&format!(
            "/_meta/{}",
            protocol::PROTOCOL_VERSION_META.replace('/', "~1")
        ))
        .and_then(Value::as_str);
    if let (Some(announced), Some(enveloped)) = (announced, enveloped)
        && announced != enveloped
    {
        return Err((
            StatusCode::BAD_REQUEST,
            RpcError::new(
                jsonrpc::HEADER_MISMATCH,
                format!(
                    "The {VERSION_HEADER} header says {announced}, the request's _meta says {enveloped}."
                ),
            ),
        ));
    }
    match announced.or(enveloped) {
        Some(protocol::MODERN) => Ok(Context::Era(Era::Modern)),
        Some(version) if protocol::HANDSHAKE.contains(&version) => Err((
            StatusCode::BAD_REQUEST,
            RpcError::new(
                jsonrpc::INVALID_REQUEST,
                format!(
                    "Protocol {version} needs a session: send initialize first, then the {SESSION_HEADER} header it answers with."
                ),
            ),
        )),
        Some(version) => Err((StatusCode::BAD_REQUEST, protocol::unsupported(version))),
        None => Err((
            StatusCode::BAD_REQUEST,
            RpcError::new(
                jsonrpc::INVALID_REQUEST,
                format!(
                    "Say which MCP revision this is: send initialize to open a session, or the {VERSION_HEADER}: {} header.",
                    protocol::MODERN
                ),
            ),
        )),
    }
}

/// Everything one message needs.
struct Exchange<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    headers: &'a HeaderMap,
    request_id: Arc<str>,
}

async fn answer(exchange: &Exchange<'_>, message: Value) -> Reply {
    let (id, method, params) = match Incoming::parse(message) {
        Err(error) => return rpc_error(StatusCode::BAD_REQUEST, None, &error),
        Ok(Incoming::Response) => return Reply::Accepted,
        Ok(Incoming::Notification { method, params }) => {
            // Notifications of an ended session are refused; all others need no answer.
            if let Err((StatusCode::NOT_FOUND, error)) = context(
                exchange.state,
                exchange.caller,
                exchange.headers,
                &method,
                &params,
            ) {
                return rpc_error(StatusCode::NOT_FOUND, None, &error);
            }
            return Reply::Accepted;
        }
        Ok(Incoming::Request { id, method, params }) => (id, method, params),
    };
    let era = match context(
        exchange.state,
        exchange.caller,
        exchange.headers,
        &method,
        &params,
    ) {
        Err((status, error)) => return rpc_error(status, Some(&id), &error),
        Ok(Context::Initialize) => return initialize(exchange, &id, &params),
        Ok(Context::Era(era)) => era,
    };
    let state = exchange.state;
    let result = match method.as_str() {
        "ping" => Ok(era.complete(json!({}))),
        "server/discover" if era == Era::Modern => Ok(protocol::discover_result()),
        "tools/list" => Ok(tools::list_result(state, exchange.caller, era)),
        "tools/call" => {
            tools::call(
                state,
                exchange.caller,
                exchange.request_id.clone(),
                era,
                &params,
            )
            .await
        }
        "subscriptions/listen" if era == Era::Modern => {
            return Reply::Stream(listen(state, &id, &params));
        }
        "initialize" => Err(tools::Failed {
            status: StatusCode::BAD_REQUEST,
            error: RpcError::new(
                jsonrpc::INVALID_REQUEST,
                "This session is already initialized; send initialize without the session id to open another.",
            ),
        }),
        other => Err(tools::Failed {
            status: StatusCode::OK,
            error: RpcError::new(
                jsonrpc::METHOD_NOT_FOUND,
                format!(
                    "Method not found: {other}. This server offers tools: tools/list and tools/call."
                ),
            ),
        }),
    };
    match result {
        Ok(result) => Reply::Json {
            status: StatusCode::OK,
            body: jsonrpc::result(&id, result),
            session: None,
        },
        Err(failed) => rpc_error(failed.status, Some(&id), &failed.error),
    }
}

fn initialize(exchange: &Exchange<'_>, id: &Value, params: &Value) -> Reply {
    let requested = params.get("protocolVersion").and_then(Value::as_str);
    let version = protocol::negotiate(requested);
    let owner = exchange.caller.principal.as_ref().map(|p| p.key_id.clone());
    match exchange.state.mcp.sessions.open(owner, version) {
        Ok(session) => Reply::Json {
            status: StatusCode::OK,
            body: jsonrpc::result(id, protocol::initialize_result(version)),
            session: Some(session),
        },
        Err(error) => rpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            Some(id),
            &RpcError::new(jsonrpc::INTERNAL_ERROR, error.to_string()),
        ),
    }
}

/// `subscriptions/listen`: acknowledge what is honoured (tool list changes; this server has
/// no prompts or resources), then notify each change.
fn listen(state: &AppState, id: &Value, params: &Value) -> Response {
    let wants_tools = params
        .pointer("/notifications/toolsListChanged")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let honoured = if wants_tools {
        json!({"toolsListChanged": true})
    } else {
        json!({})
    };
    let meta = json!({protocol::SUBSCRIPTION_ID_META: id});
    let first = jsonrpc::notification(
        "notifications/subscriptions/acknowledged",
        Some(json!({"notifications": honoured, "_meta": meta})),
    );
    let each = jsonrpc::notification(
        "notifications/tools/list_changed",
        Some(json!({"_meta": meta})),
    );
    let last = jsonrpc::result(id, json!({"resultType": "complete", "_meta": meta}));
    notify::stream(notify::Feed {
        changes: state.catalogue.changes(),
        closing: state.mcp.closing.subscribe(),
        ended: None,
        first: Some(first),
        each: wants_tools.then_some(each),
        last: Some(last),
    })
    .into_response()
}

fn caller(client: SocketAddr, principal: Option<Extension<Principal>>) -> Caller {
    Caller {
        client,
        principal: principal.map(|Extension(p)| p),
    }
}

fn refuse_origin(origin: &str) -> Response {
    json_response(
        StatusCode::FORBIDDEN,
        &jsonrpc::error(
            None,
            &RpcError::new(
                jsonrpc::REFUSED,
                format!(
                    "Requests from the web origin '{origin}' are refused: /mcp serves pages of this server and clients that send no Origin."
                ),
            ),
        ),
    )
}

/// Send MCP messages: one JSON-RPC request or notification (or, for 2025-03-26, a batch).
#[utoipa::path(post, path = "/mcp", tag = "mcp",
    request_body(content = serde_json::Value, description = "A JSON-RPC 2.0 message of the Model Context Protocol (an array of them: a 2025-03-26 batch)", content_type = "application/json"),
    params(
        ("mcp-session-id" = Option<String>, Header, description = "The session (2025 revisions), as `initialize` answered it"),
        ("mcp-protocol-version" = Option<String>, Header, description = "The protocol revision of the request"),
    ),
    responses(
        (status = 200, description = "The JSON-RPC answer (an array of answers for a batch; for `subscriptions/listen`, an event stream of notifications)", body = serde_json::Value),
        (status = 202, description = "A notification was accepted"),
        (status = 400, description = "Not JSON-RPC, or a revision this server does not speak", body = Object),
        (status = 404, description = "The session ended or never existed", body = Object),
    ))]
pub async fn post_mcp(
    State(state): State<AppState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(origin) = foreign_origin(&headers) {
        return refuse_origin(&origin);
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return invalid(rejection.status(), &rejection.body_text()),
    };
    let message: Value = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(error) => {
            let error = RpcError::new(
                jsonrpc::PARSE_ERROR,
                format!("The body is not JSON: {error}"),
            );
            return json_response(StatusCode::BAD_REQUEST, &jsonrpc::error(None, &error));
        }
    };
    let caller = caller(client, principal);
    let exchange = Exchange {
        state: &state,
        caller: &caller,
        headers: &headers,
        request_id,
    };
    let Value::Array(batch) = message else {
        return respond(answer(&exchange, message).await);
    };
    batch_answer(&exchange, batch).await
}

/// A 2025-03-26 batch: each message answered in turn, the answers in one array.
async fn batch_answer(exchange: &Exchange<'_>, batch: Vec<Value>) -> Response {
    if batch.is_empty() {
        return invalid(StatusCode::BAD_REQUEST, "An empty batch.");
    }
    let mut answers = Vec::new();
    for (index, message) in batch.into_iter().enumerate() {
        let request_id: Arc<str> = if index == 0 {
            exchange.request_id.clone()
        } else {
            Arc::from(format!("{}-{index}", exchange.request_id))
        };
        if matches!(
            message["method"].as_str(),
            Some("initialize" | "subscriptions/listen")
        ) {
            let error = RpcError::new(
                jsonrpc::INVALID_REQUEST,
                "initialize and subscriptions/listen cannot be batched: send them alone.",
            );
            answers.push(jsonrpc::error(message.get("id"), &error));
            continue;
        }
        let one = Exchange {
            request_id,
            ..*exchange
        };
        match answer(&one, message).await {
            Reply::Accepted => {}
            Reply::Json { body, .. } => answers.push(body),
            Reply::Stream(_) => {}
        }
    }
    if answers.is_empty() {
        return StatusCode::ACCEPTED.into_response();
    }
    json_response(StatusCode::OK, &Value::Array(answers))
}

fn respond(reply: Reply) -> Response {
    match reply {
        Reply::Accepted => StatusCode::ACCEPTED.into_response(),
        Reply::Stream(response) => response,
        Reply::Json {
            status,
            body,
            session,
        } => {
            let mut response = json_response(status, &body);
            if let Some(session) = session.and_then(|s| HeaderValue::from_str(&s).ok()) {
                response.headers_mut().insert(SESSION_HEADER, session);
            }
            response
        }
    }
}

/// A 2025 session's notification stream: `notifications/tools/list_changed` when the skills
/// change. Without a session there is nothing to stream (405), as the 2026-07-28 revision
/// uses `subscriptions/listen` instead.
#[utoipa::path(get, path = "/mcp", tag = "mcp",
    params(("mcp-session-id" = Option<String>, Header, description = "The session, as `initialize` answered it")),
    responses(
        (status = 200, description = "An event stream of the session's notifications", content_type = "text/event-stream"),
        (status = 404, description = "The session ended or never existed", body = Object),
        (status = 405, description = "No session: nothing to stream", body = Object),
    ))]
pub async fn get_mcp(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
) -> Response {
    if let Some(origin) = foreign_origin(&headers) {
        return refuse_origin(&origin);
    }
    let Some(id) = header(&headers, SESSION_HEADER) else {
        let mut response = invalid(
            StatusCode::METHOD_NOT_ALLOWED,
            "GET /mcp streams a session's notifications: send the mcp-session-id header (2026-07-28 clients use subscriptions/listen).",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST, DELETE"));
        return response;
    };
    let owner = principal.as_ref().map(|Extension(p)| &p.key_id);
    let Some(session) = state.mcp.sessions.get(id, owner) else {
        return invalid(StatusCode::NOT_FOUND, NO_SESSION);
    };
    notify::stream(notify::Feed {
        changes: state.catalogue.changes(),
        closing: state.mcp.closing.subscribe(),
        ended: Some(session.ended),
        first: None,
        each: Some(jsonrpc::notification(
            "notifications/tools/list_changed",
            None,
        )),
        last: None,
    })
    .into_response()
}

/// End a 2025 session.
#[utoipa::path(delete, path = "/mcp", tag = "mcp",
    params(("mcp-session-id" = String, Header, description = "The session to end")),
    responses(
        (status = 204, description = "The session ended"),
        (status = 400, description = "No session id was sent", body = Object),
        (status = 404, description = "No such session", body = Object),
    ))]
pub async fn delete_mcp(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = header(&headers, SESSION_HEADER) else {
        return invalid(
            StatusCode::BAD_REQUEST,
            "Send the mcp-session-id header of the session to end.",
        );
    };
    let owner = principal.as_ref().map(|Extension(p)| &p.key_id);
    if state.mcp.sessions.end(id, owner) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        invalid(StatusCode::NOT_FOUND, NO_SESSION)
    }
}

/// `/mcp`, for every key: what a key may call is its scope's business.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().role_answering(
        Role::User,
        "JsonRpcErrorBody",
        routes!(post_mcp, get_mcp, delete_mcp),
    )
}
