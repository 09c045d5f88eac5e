//! Stand-in LLM providers: real HTTP servers on 127.0.0.1 that speak each provider's wire
//! protocol as its public documentation shows (request shape checked, realistic answers),
//! with faults that can be switched at run time, whole or streamed (see [`stream`]). Also raw
//! TCP endpoints that refuse or reset.

pub mod embed;
pub mod stream;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// Which protocol a stand-in speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Gemini `generateContent`.
    Gemini,
    /// Ollama `/api/chat`.
    Ollama,
    /// OpenAI `/v1/chat/completions`.
    Openai,
    /// Anthropic `/v1/messages`.
    Anthropic,
}

/// A fault to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer normally.
    None,
    /// 500 for the next request only.
    ServerErrorOnce,
    /// 503 every time.
    Unavailable,
    /// 429, with `Retry-After` seconds if given.
    RateLimited(Option<u32>),
    /// 429 with `Retry-After` once, then normal answers.
    RateLimitedOnce(u32),
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// The provider's own "prompt too long" 400.
    ContextLength,
    /// The provider's own content-filter refusal.
    ContentFilter,
    /// Accept the request, never answer.
    Hang,
    /// Fail every other request with 503, starting with the first.
    Flapping,
}

/// Request bodies a stand-in keeps, so that a long benchmark does not grow it without bound.
pub const KEPT_REQUESTS: usize = 256;

/// What a stand-in saw and what it will do.
#[derive(Debug)]
pub struct StandInState {
    flavour: Flavour,
    api_key: Option<String>,
    fault: Fault,
    /// The most recent request bodies, oldest first (at most [`KEPT_REQUESTS`]).
    pub requests: std::collections::VecDeque<Value>,
    /// Requests received in all.
    pub count: usize,
    problems: Vec<String>,
    /// How streamed answers go.
    stream: stream::StreamScript,
    /// Streams the caller closed before the stand-in finished them.
    disconnects: usize,
    /// How texts are embedded.
    embedding: embed::Embedding,
}

/// A running stand-in provider.
#[derive(Clone)]
pub struct StandIn {
    /// `http://127.0.0.1:PORT`, plus `/v1` for OpenAI (as its clients configure it).
    pub base_url: String,
    state: Arc<Mutex<StandInState>>,
}

impl StandIn {
    /// Start a stand-in that expects `api_key` (if any) in the provider's header.
    pub async fn start(flavour: Flavour, api_key: Option<&str>) -> anyhow::Result<Self> {
        let state = Arc::new(Mutex::new(StandInState {
            flavour,
            api_key: api_key.map(str::to_owned),
            fault: Fault::None,
            requests: std::collections::VecDeque::new(),
            count: 0,
            problems: Vec::new(),
            stream: stream::StreamScript::default(),
            disconnects: 0,
            embedding: embed::Embedding::default(),
        }));
        let app = Router::new()
            .route("/v1beta/models/{model_action}", post(gemini))
            .route("/api/chat", post(ollama))
            .route("/v1/chat/completions", post(openai))
            .route(
                "/v1/embeddings",
                post(|State(state): Shared, Json(body): Json<Value>| async move {
                    embed::openai(&state, &body)
                }),
            )
            .route(
                "/api/embed",
                post(|State(state): Shared, Json(body): Json<Value>| async move {
                    embed::ollama(&state, &body)
                }),
            )
            .route("/v1/messages", post(anthropic))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let base_url = match flavour {
            Flavour::Openai => format!("http://{addr}/v1"),
            _ => format!("http://{addr}"),
        };
        Ok(Self { base_url, state })
    }

    /// Switch the fault.
    pub fn set_fault(&self, fault: Fault) {
        self.lock().fault = fault;
    }

    /// Switch how texts are embedded.
    pub fn set_embedding(&self, embedding: embed::Embedding) {
        self.lock().embedding = embedding;
    }

    /// Set how streamed answers go.
    pub fn set_stream(&self, script: stream::StreamScript) {
        self.lock().stream = script;
    }

    /// Streams the caller closed before the stand-in had written them whole.
    pub fn disconnects(&self) -> usize {
        self.lock().disconnects
    }

    /// Requests received so far.
    pub fn count(&self) -> usize {
        self.lock().count
    }

    /// The most recent request bodies, oldest first.
    pub fn requests(&self) -> Vec<Value> {
        self.lock().requests.iter().cloned().collect()
    }

    /// Requests whose shape broke the provider's documented API (empty if all were right).
    pub fn problems(&self) -> Vec<String> {
        self.lock().problems.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StandInState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

type Shared = State<Arc<Mutex<StandInState>>>;

/// Record the request, check its shape, and decide the fault for this one.
fn admit(
    state: &Arc<Mutex<StandInState>>,
    flavour: Flavour,
    headers: &HeaderMap,
    body: &Value,
) -> Fault {
    let mut s = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let own = s.flavour;
    if own != flavour {
        s.problems
            .push(format!("{flavour:?} endpoint called on a {own:?} stand-in"));
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(key) = s.api_key.clone() {
        let sent = match flavour {
            Flavour::Gemini => header("x-goog-api-key"),
            Flavour::Openai => {
                header("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_owned))
            }
            Flavour::Anthropic => header("x-api-key"),
            Flavour::Ollama => Some(key.clone()),
        };
        if sent.as_deref() != Some(key.as_str()) {
            s.problems
                .push(format!("{flavour:?}: API key missing or wrong: {sent:?}"));
        }
    }
    let shape_ok = match flavour {
        Flavour::Gemini => {
            body.pointer("/contents/0/parts/0/text")
                .is_some_and(Value::is_string)
                && body.pointer("/contents/0/role") == Some(&json!("user"))
                && body
                    .pointer("/systemInstruction/parts/0/text")
                    .is_some_and(Value::is_string)
        }
        Flavour::Ollama => {
            body["model"].is_string()
                && body["stream"].is_boolean()
                && body.pointer("/messages/0/role") == Some(&json!("system"))
                && body.pointer("/messages/1/role") == Some(&json!("user"))
                && body.pointer("/options/num_ctx").is_some_and(Value::is_u64)
        }
        Flavour::Openai => {
            body["model"].is_string()
                && body.pointer("/messages/0/role") == Some(&json!("system"))
                && body
                    .pointer("/messages/1/content")
                    .is_some_and(Value::is_string)
        }
        Flavour::Anthropic => {
            body["model"].is_string()
                && body["max_tokens"].is_u64()
                && body["system"].is_string()
                && body.pointer("/messages/0/role") == Some(&json!("user"))
                && header("anthropic-version").as_deref() == Some("2023-06-01")
        }
    };
    if !shape_ok {
        s.problems.push(format!(
            "{flavour:?}: request does not follow the documented shape: {body}"
        ));
    }
    if s.requests.len() == KEPT_REQUESTS {
        s.requests.pop_front();
    }
    s.requests.push_back(body.clone());
    s.count += 1;
    let fault = s.fault;
    match fault {
        Fault::ServerErrorOnce => s.fault = Fault::None,
        Fault::RateLimitedOnce(_) => s.fault = Fault::None,
        Fault::Flapping if s.count.is_multiple_of(2) => return Fault::None,
        Fault::Flapping => return Fault::Unavailable,
        _ => {}
    }
    fault
}

/// The last user message of a request (the prompt, after any earlier turns).
fn user_prompt(flavour: Flavour, body: &Value) -> String {
    let (list, text) = match flavour {
        Flavour::Gemini => ("/contents", "/parts/0/text"),
        Flavour::Ollama | Flavour::Openai | Flavour::Anthropic => ("/messages", "/content"),
    };
    body.pointer(list)
        .and_then(Value::as_array)
        .and_then(|messages| messages.last())
        .and_then(|last| last.pointer(text))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The answer for a fault shared by every flavour, or `None` to answer normally.
async fn common_fault(fault: Fault, flavour: Flavour) -> Option<Response> {
    let error = |status: StatusCode, message: &str| -> Response {
        let body = match flavour {
            Flavour::Gemini => {
                json!({"error": {"code": status.as_u16(), "message": message, "status": "UNAVAILABLE"}})
            }
            Flavour::Ollama => json!({"error": message}),
            Flavour::Openai => {
                json!({"error": {"message": message, "type": "server_error", "param": null, "code": null}})
            }
            Flavour::Anthropic => {
                json!({"type": "error", "error": {"type": "api_error", "message": message}})
            }
        };
        (status, Json(body)).into_response()
    };
    match fault {
        Fault::None | Fault::ContextLength | Fault::ContentFilter | Fault::Flapping => None,
        Fault::ServerErrorOnce => Some(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error encountered.",
        )),
        Fault::Unavailable => Some(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The model is overloaded. Please try again later.",
        )),
        Fault::RateLimited(retry_after) => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit reached for requests",
            );
            if let Some(seconds) = retry_after
                && let Ok(value) = seconds.to_string().parse()
            {
                response.headers_mut().insert("retry-after", value);
            }
            Some(response)
        }
        Fault::RateLimitedOnce(seconds) => {
            let mut response = error(
                StatusCode::TOO_MANY_REQUESTS,
                "Rate limit reached for requests",
            );
            if let Ok(value) = seconds.to_string().parse() {
                response.headers_mut().insert("retry-after", value);
            }
            Some(response)
        }
        Fault::MalformedJson => Some(
            (
                StatusCode::OK,
                [("content-type", "application/json")],
                "{\"candidates\": [tru",
            )
                .into_response(),
        ),
        Fault::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            None
        }
    }
}

async fn gemini(
    State(state): Shared,
    Path(model_action): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if model_action.ends_with(":batchEmbedContents") {
        return embed::gemini(&state, &body);
    }
    let fault = admit(&state, Flavour::Gemini, &headers, &body);
    if let Some(response) = common_fault(fault, Flavour::Gemini).await {
        return response;
    }
    if stream::wants_stream(Flavour::Gemini, &body, &model_action) {
        let model = model_action.trim_end_matches(":streamGenerateContent");
        return stream::respond(&state, Flavour::Gemini, &format!("{model}-002"));
    }
    let model = model_action
        .strip_suffix(":generateContent")
        .unwrap_or(&model_action)
        .to_owned();
    match fault {
        Fault::ContextLength => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"code": 400, "message": "The input token count (1048700) exceeds the maximum number of tokens allowed (1048576).", "status": "INVALID_ARGUMENT"}})),
        )
            .into_response(),
        Fault::ContentFilter => Json(json!({
            "candidates": [{"finishReason": "SAFETY", "index": 0, "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}]}],
            "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12},
            "modelVersion": model,
        }))
        .into_response(),
        _ => Json(json!({
            "candidates": [{
                "content": {"parts": [{"text": format!("gemini says: {}", user_prompt(Flavour::Gemini, &body))}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
                "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}],
            }],
            "usageMetadata": {"promptTokenCount": 21, "candidatesTokenCount": 7, "totalTokenCount": 28},
            "modelVersion": format!("{model}-002"),
        }))
        .into_response(),
    }
}

async fn ollama(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let fault = admit(&state, Flavour::Ollama, &headers, &body);
    if let Some(response) = common_fault(fault, Flavour::Ollama).await {
        return response;
    }
    if stream::wants_stream(Flavour::Ollama, &body, "") {
        let model = body["model"].as_str().unwrap_or_default();
        return stream::respond(&state, Flavour::Ollama, model);
    }
    match fault {
        // Ollama has no error for either: it truncates or answers; report a generic 400.
        Fault::ContextLength | Fault::ContentFilter => {
            (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid request"}))).into_response()
        }
        _ => Json(json!({
            "model": body["model"],
            "created_at": "2026-11-24T12:00:00.000000Z",
            "message": {"role": "assistant", "content": format!("ollama says: {}", user_prompt(Flavour::Ollama, &body))},
            "done_reason": "stop",
            "done": true,
            "total_duration": 4_883_583_458u64,
            "load_duration": 1_334_875,
            "prompt_eval_count": 26,
            "prompt_eval_duration": 342_546_000,
            "eval_count": 9,
            "eval_duration": 4_535_599_000u64,
        }))
        .into_response(),
    }
}

async fn openai(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let fault = admit(&state, Flavour::Openai, &headers, &body);
    if let Some(response) = common_fault(fault, Flavour::Openai).await {
        return response;
    }
    if stream::wants_stream(Flavour::Openai, &body, "") {
        let model = body["model"].as_str().unwrap_or_default();
        return stream::respond(&state, Flavour::Openai, model);
    }
    match fault {
        Fault::ContextLength => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}})),
        )
            .into_response(),
        Fault::ContentFilter => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": "The response was filtered due to the prompt triggering content management policy.", "type": null, "param": "prompt", "code": "content_filter"}})),
        )
            .into_response(),
        _ => Json(json!({
            "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
            "object": "chat.completion",
            "created": 1741569952,
            "model": body["model"],
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": format!("openai says: {}", user_prompt(Flavour::Openai, &body)), "refusal": null, "annotations": []},
                "logprobs": null,
                "finish_reason": "stop",
            }],
            "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29},
            "service_tier": "default",
        }))
        .into_response(),
    }
}

async fn anthropic(State(state): Shared, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let fault = admit(&state, Flavour::Anthropic, &headers, &body);
    if let Some(response) = common_fault(fault, Flavour::Anthropic).await {
        return response;
    }
    if stream::wants_stream(Flavour::Anthropic, &body, "") {
        let model = body["model"].as_str().unwrap_or_default();
        return stream::respond(&state, Flavour::Anthropic, model);
    }
    match fault {
        Fault::ContextLength => (
            StatusCode::BAD_REQUEST,
            Json(json!({"type": "error", "error": {"type": "invalid_request_error", "message": "prompt is too long: 210000 tokens > 200000 maximum"}})),
        )
            .into_response(),
        Fault::ContentFilter => Json(json!({
            "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": body["model"],
            "content": [], "stop_reason": "refusal", "stop_sequence": null,
            "usage": {"input_tokens": 12, "output_tokens": 0},
        }))
        .into_response(),
        _ => Json(json!({
            "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": format!("anthropic says: {}", user_prompt(Flavour::Anthropic, &body))}],
            "stop_reason": "end_turn",
            "stop_sequence": null,
            "usage": {"input_tokens": 2095, "output_tokens": 503},
        }))
        .into_response(),
    }
}

/// An address where nothing listens: connecting is refused.
pub fn refused_address() -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    Ok(format!("http://{addr}"))
}

/// A server that accepts each connection and resets it (RST) at once.
pub async fn resetting_address() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            // Read the request first, so the reset arrives while the client waits for an answer.
            let mut buf = [0u8; 4096];
            let _ = tokio::time::timeout(Duration::from_millis(200), stream.readable()).await;
            let _ = stream.try_read(&mut buf);
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    });
    Ok(format!("http://{addr}"))
}
