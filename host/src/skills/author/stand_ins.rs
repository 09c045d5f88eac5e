//! The servers `prax skill test` runs on 127.0.0.1 in place of what a skill talks to: an LLM
//! provider speaking the OpenAI chat-completions protocol (whole answers and streams), one
//! server answering for every network host, by the request's `Host` and path, with what the
//! case file declares, and an SMTP server that keeps every message it is given. The skill
//! still reaches only the hosts its manifest allows, and sends mail only if it may: the sandbox
//! checks that before anything comes here.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::cases::{HostAnswers, StandIns};

/// What the servers answer now (the running case's stand-ins), and the mail sent since the
/// case began.
#[derive(Default)]
struct Current {
    llm: Option<String>,
    hosts: std::collections::BTreeMap<String, HostAnswers>,
    mail: Vec<Value>,
}

type Shared = Arc<Mutex<Current>>;

/// The running stand-in servers; they stop when this is dropped.
pub struct StandInServers {
    /// The LLM provider's base URL (with `/v1`).
    pub llm_base_url: String,
    /// Where every network host's requests go.
    pub hosts: SocketAddr,
    /// The SMTP server.
    pub smtp: SocketAddr,
    current: Shared,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for StandInServers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn serve(router: axum::Router) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            eprintln!("prax skill test: a stand-in server stopped: {error}");
        }
    });
    Ok((address, task))
}

impl StandInServers {
    /// Start both servers on 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        let current = Shared::default();
        let (llm, llm_task) = serve(
            axum::Router::new()
                .route("/v1/chat/completions", post(chat))
                .with_state(current.clone()),
        )
        .await?;
        let (hosts, hosts_task) = serve(
            axum::Router::new()
                .fallback(host)
                .with_state(current.clone()),
        )
        .await?;
        let smtp_listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let smtp = smtp_listener.local_addr()?;
        let inbox = current.clone();
        let smtp_task = tokio::spawn(async move {
            while let Ok((stream, _)) = smtp_listener.accept().await {
                tokio::spawn(smtp_session(stream, inbox.clone()));
            }
        });
        Ok(Self {
            llm_base_url: format!("http://{llm}/v1"),
            hosts,
            smtp,
            current,
            tasks: vec![llm_task, hosts_task, smtp_task],
        })
    }

    /// The messages sent since the last [`StandInServers::set`], as
    /// `{from, to: [...], subject, body}`.
    pub fn mail(&self) -> Vec<Value> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .mail
            .clone()
    }

    /// Answer as `stand_ins` says from now on.
    pub fn set(&self, stand_ins: &StandIns) {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        current.llm = stand_ins.llm.clone();
        current.hosts = stand_ins.hosts.clone();
        current.mail.clear();
    }
}

/// The text of the last user message of an OpenAI chat request.
fn last_user_text(body: &Value) -> String {
    body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn chat(State(current): State<Shared>, Json(body): Json<Value>) -> Response {
    let configured = current
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .llm
        .clone();
    let text = configured.unwrap_or_else(|| format!("(stand-in LLM) {}", last_user_text(&body)));
    let tokens = text.split_whitespace().count() as u64;
    if body["stream"] != json!(true) {
        return Json(json!({
            "id": "chatcmpl-stand-in", "object": "chat.completion", "created": 0, "model": "stand-in",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": tokens, "total_tokens": tokens + 1},
        }))
        .into_response();
    }
    let chunk = |delta: Value, finish: Value| {
        let chunk = json!({"id": "chatcmpl-stand-in", "object": "chat.completion.chunk", "created": 0,
            "model": "stand-in", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        format!("data: {chunk}\n\n")
    };
    let mut events = chunk(json!({"role": "assistant", "content": ""}), Value::Null);
    for piece in text.split_inclusive(' ') {
        events.push_str(&chunk(json!({"content": piece}), Value::Null));
    }
    events.push_str(&chunk(json!({}), json!("stop")));
    events.push_str("data: [DONE]\n\n");
    ([(header::CONTENT_TYPE, "text/event-stream")], events).into_response()
}

async fn host(State(current): State<Shared>, headers: HeaderMap, request: Request) -> Response {
    let authority = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let name = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.parse::<u16>().is_ok())
        .map_or(authority, |(name, _)| name);
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let path = request.uri().path().to_owned();
    let answer = {
        let current = current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        current.hosts.get(name).and_then(|paths| {
            paths
                .get(&path_and_query)
                .or_else(|| paths.get(&path))
                .cloned()
        })
    };
    let Some(answer) = answer else {
        return (
            StatusCode::NOT_FOUND,
            format!(
                "prax skill test: no stand-in answer for {} {name}{path_and_query}; add it under stand_ins.hosts in the case file",
                request.method()
            ),
        )
            .into_response();
    };
    let (content_type, body) = match &answer.body {
        Value::String(text) => ("text/plain", text.clone()),
        Value::Null => ("text/plain", String::new()),
        other => ("application/json", other.to_string()),
    };
    let content_type = answer
        .content_type
        .unwrap_or_else(|| content_type.to_owned());
    Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The address inside an SMTP `MAIL FROM:<...>` or `RCPT TO:<...>` argument.
fn smtp_address(argument: &str) -> String {
    argument
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map_or(argument.trim(), |(address, _)| address)
        .to_owned()
}

/// A message as the case's `expect.mail` sees it: its envelope, `Subject` and body.
fn captured(from: &str, to: &[String], data: &str) -> Value {
    let (head, body) = data
        .split_once("\r\n\r\n")
        .or_else(|| data.split_once("\n\n"))
        .unwrap_or((data, ""));
    let subject = head
        .lines()
        .find_map(|line| line.strip_prefix("Subject:"))
        .map(str::trim)
        .unwrap_or_default();
    json!({"from": from, "to": to, "subject": subject, "body": body.trim_end()})
}

/// One SMTP conversation: accept every message, keep it, say goodbye when asked.
async fn smtp_session(stream: tokio::net::TcpStream, current: Shared) {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let (mut from, mut to, mut data, mut in_data) =
        (String::new(), Vec::new(), String::new(), false);
    if write
        .write_all(b"220 prax-skill-test ESMTP\r\n")
        .await
        .is_err()
    {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let reply: &[u8] = if in_data {
            if line != "." {
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
                data.push_str("\r\n");
                continue;
            }
            in_data = false;
            let message = captured(&from, &to, &data);
            current
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .mail
                .push(message);
            data.clear();
            to.clear();
            b"250 kept\r\n"
        } else {
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250 prax-skill-test\r\n"
            } else if let Some(argument) = upper
                .starts_with("MAIL FROM:")
                .then(|| line.get("MAIL FROM:".len()..))
                .flatten()
            {
                from = smtp_address(argument);
                b"250 ok\r\n"
            } else if let Some(argument) = upper
                .starts_with("RCPT TO:")
                .then(|| line.get("RCPT TO:".len()..))
                .flatten()
            {
                to.push(smtp_address(argument));
                b"250 ok\r\n"
            } else if upper == "DATA" {
                in_data = true;
                b"354 go ahead\r\n"
            } else if upper == "QUIT" {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            } else {
                b"250 ok\r\n"
            }
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
