//! `prax mcp --stdio`: the MCP server of a running Praximous, for clients that launch a local
//! process and speak MCP over its standard input and output (desktop assistants, IDEs).
//!
//! Each line on stdin is one JSON-RPC message, sent to the server's `/mcp` with the API key;
//! each answer (and each notification of a stream) is written to stdout as one line. The
//! bridge keeps what the Streamable HTTP transport keeps: a 2025 session's id (and opens the
//! session's notification stream once it is initialized), and the revision each request is
//! made in. Nothing but MCP messages is ever written to stdout; diagnostics go to stderr.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::api::mcp::jsonrpc::{self, RpcError};
use crate::api::mcp::{SESSION_HEADER, VERSION_HEADER, protocol};
use crate::llm::stream::sse::SseDecoder;

/// Where the bridge sends messages, and as whom.
#[derive(Debug, Clone)]
pub struct Target {
    /// The server's `/mcp` endpoint.
    pub endpoint: reqwest::Url,
    /// The API key, sent as `Authorization: Bearer`.
    pub api_key: Option<String>,
}

/// Why the bridge stopped.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// Reading stdin or writing stdout failed.
    #[error("standard input or output failed: {0}")]
    Io(#[from] std::io::Error),
    /// No HTTP client could be made.
    #[error("cannot make an HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// The key cannot be sent as a header.
    #[error("the API key contains characters that cannot be sent in a header")]
    BadKey,
}

/// What the bridge knows of the conversation.
#[derive(Default)]
struct Conversation {
    /// The 2025 session's id, once `initialize` answered with one.
    session: Option<String>,
    /// The revision `initialize` agreed on.
    version: Option<String>,
    /// The session's notification stream, once opened.
    notifications: Option<JoinHandle<()>>,
    /// Streams answering requests (`subscriptions/listen`), by request id.
    streams: HashMap<String, JoinHandle<()>>,
}

/// The bridge between one stdio client and one server.
struct Bridge {
    http: reqwest::Client,
    target: Target,
    auth: Option<HeaderValue>,
    out: mpsc::UnboundedSender<Value>,
    conversation: Mutex<Conversation>,
}

impl Bridge {
    fn conversation(&self) -> std::sync::MutexGuard<'_, Conversation> {
        self.conversation
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self, message: Value) {
        let _ = self.out.send(message);
    }

    fn headers(&self, message: &Value) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        );
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(auth) = &self.auth {
            headers.insert(reqwest::header::AUTHORIZATION, auth.clone());
        }
        let enveloped = message
            .pointer(&format!(
                "/params/_meta/{}",
                protocol::PROTOCOL_VERSION_META.replace('/', "~1")
            ))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let is_initialize = message["method"] == "initialize";
        let conversation = self.conversation();
        let version = enveloped.or_else(|| conversation.version.clone());
        if let Some(version) = version.filter(|_| !is_initialize)
            && let Ok(value) = HeaderValue::from_str(&version)
        {
            headers.insert(VERSION_HEADER, value);
        }
        if let Some(session) = conversation.session.as_ref().filter(|_| !is_initialize)
            && let Ok(value) = HeaderValue::from_str(session)
        {
            headers.insert(SESSION_HEADER, value);
        }
        headers
    }

    /// An error answer to the request `id` (notifications get none).
    fn fail(&self, id: Option<&Value>, message: String) {
        if let Some(id) = id {
            self.write(jsonrpc::error(
                Some(id),
                &RpcError::new(jsonrpc::INTERNAL_ERROR, message),
            ));
        }
    }

    /// Send one message and write what comes back.
    async fn forward(self: Arc<Self>, message: Value) {
        let id = message.get("method").and(message.get("id")).cloned();
        let method = message["method"].as_str().unwrap_or_default().to_owned();
        let sent = self
            .http
            .post(self.target.endpoint.clone())
            .headers(self.headers(&message))
            .json(&message)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                self.fail(
                    id.as_ref(),
                    format!(
                        "Cannot reach the Praximous server at {}: {error}",
                        self.target.endpoint
                    ),
                );
                return;
            }
        };
        let status = response.status();
        let session = response
            .headers()
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let kind = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if kind.starts_with("text/event-stream") {
            self.relay_events(response).await;
            return;
        }
        if status == reqwest::StatusCode::ACCEPTED {
            if method == "notifications/initialized" {
                self.open_notifications();
            }
            return;
        }
        let body: Option<Value> = response.json().await.ok();
        let Some(mut body) = body.filter(|b| b.get("jsonrpc").is_some() || b.is_array()) else {
            self.fail(
                id.as_ref(),
                format!("The server answered HTTP {status} without a JSON-RPC message."),
            );
            return;
        };
        if method == "initialize"
            && let Some(session) = session
        {
            let mut conversation = self.conversation();
            conversation.session = Some(session);
            conversation.version = body
                .pointer("/result/protocolVersion")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        // A refusal made before the server read the request (a bad key, a rate limit) has no
        // id; it answers this request.
        if body.get("id").is_some_and(Value::is_null)
            && let Some(id) = &id
        {
            body["id"] = id.clone();
        }
        self.write(body);
    }

    /// Write every message of an event stream.
    async fn relay_events(&self, response: reqwest::Response) {
        let mut decoder = SseDecoder::default();
        let mut body = response.bytes_stream();
        while let Some(Ok(chunk)) = body.next().await {
            let Ok(events) = decoder.feed(&chunk) else {
                return;
            };
            for event in events {
                if let Ok(message) = serde_json::from_str::<Value>(&event.data) {
                    self.write(message);
                }
            }
        }
    }

    /// Open the session's notification stream (once), reconnecting while the session lasts.
    fn open_notifications(self: &Arc<Self>) {
        let bridge = self.clone();
        let mut conversation = self.conversation();
        if conversation.session.is_none() || conversation.notifications.is_some() {
            return;
        }
        conversation.notifications = Some(tokio::spawn(async move {
            loop {
                let request = bridge
                    .http
                    .get(bridge.target.endpoint.clone())
                    .headers(bridge.headers(&json!({})));
                match request.send().await {
                    Ok(response) if response.status().is_success() => {
                        bridge.relay_events(response).await;
                    }
                    // The session ended, or the server offers no stream.
                    Ok(_) => return,
                    Err(error) => eprintln!("prax mcp: notification stream: {error}"),
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }));
    }

    /// Handle one line of stdin.
    fn take(self: &Arc<Self>, line: &str) {
        let message: Value = match serde_json::from_str(line) {
            Ok(message) => message,
            Err(error) => {
                self.write(jsonrpc::error(
                    None,
                    &RpcError::new(jsonrpc::PARSE_ERROR, format!("Not JSON: {error}")),
                ));
                return;
            }
        };
        if message["method"] == "notifications/cancelled"
            && let Some(cancelled) = message.pointer("/params/requestId")
        {
            // A subscription is cancelled by closing its stream, as HTTP clients do.
            if let Some(stream) = self.conversation().streams.remove(&cancelled.to_string()) {
                stream.abort();
            }
        }
        let key = (message["method"] == "subscriptions/listen")
            .then(|| message.get("id").map(Value::to_string))
            .flatten();
        let task = tokio::spawn(self.clone().forward(message));
        if let Some(key) = key {
            self.conversation().streams.insert(key, task);
        }
    }

    /// The client went away: end the session and every stream.
    async fn close(&self) {
        let (session, streams) = {
            let mut conversation = self.conversation();
            let mut streams: Vec<JoinHandle<()>> =
                conversation.streams.drain().map(|(_, task)| task).collect();
            streams.extend(conversation.notifications.take());
            (conversation.session.clone(), streams)
        };
        for stream in streams {
            stream.abort();
        }
        if session.is_some() {
            let request = self
                .http
                .delete(self.target.endpoint.clone())
                .headers(self.headers(&json!({})));
            let _ = request.send().await;
        }
    }
}

/// Bridge `input` (the client's messages) and `output` (the answers) to `target` until the
/// client closes its end.
pub async fn run(
    target: Target,
    input: impl AsyncBufRead + Unpin,
    mut output: impl AsyncWrite + Unpin + Send + 'static,
) -> Result<(), BridgeError> {
    let auth = match &target.api_key {
        Some(key) => {
            Some(HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| BridgeError::BadKey)?)
        }
        None => None,
    };
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let (out, mut messages) = mpsc::unbounded_channel::<Value>();
    let writer = tokio::spawn(async move {
        while let Some(message) = messages.recv().await {
            let mut line = serde_json::to_vec(&message).unwrap_or_default();
            line.push(b'\n');
            output.write_all(&line).await?;
            output.flush().await?;
        }
        std::io::Result::Ok(())
    });
    let bridge = Arc::new(Bridge {
        http,
        target,
        auth,
        out,
        conversation: Mutex::new(Conversation::default()),
    });
    let mut lines = input.lines();
    while let Some(line) = lines.next_line().await? {
        if !line.trim().is_empty() {
            bridge.take(&line);
        }
    }
    bridge.close().await;
    drop(bridge);
    match writer.await {
        Ok(written) => written.map_err(BridgeError::Io),
        Err(_) => Ok(()),
    }
}
