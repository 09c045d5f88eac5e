//! The benchmark's clients: one stream each, on a fresh connection, through the OpenAI API
//! (the upstream directly, or LiteLLM), prax's SSE, or prax's WebSocket. Each records when its
//! first token arrived and every token's latency (arrival minus the upstream's send time).

use std::time::{Duration, Instant};

use eventsource_stream::Eventsource as _;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::upstream::now_us;

/// How the stream is asked for.
#[derive(Debug, Clone)]
pub enum Via {
    /// `POST {base}/chat/completions` with `stream: true` (the upstream, or LiteLLM).
    OpenAi { base: String, key: Option<String> },
    /// `POST /api/v1/process` as SSE.
    Sse { base: String, key: String },
    /// `/ws/v1/process`.
    WebSocket { base: String, key: String },
}

/// What one stream saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// From the request to the first token.
    pub first_token: Option<Duration>,
    /// Each token's latency, µs.
    pub latencies: Vec<u64>,
    /// Whether the stream ended properly.
    pub completed: bool,
    /// When each token arrived, µs since the Unix epoch (with `latencies`, index for index).
    pub arrivals: Vec<u64>,
}

impl Seen {
    /// Take the tokens in `text` (`k@MICROS ` each).
    fn tokens(&mut self, text: &str, started: Instant) {
        let now = now_us();
        for token in text.split_whitespace() {
            if let Some(sent) = token.split('@').nth(1).and_then(|t| t.parse::<u64>().ok()) {
                self.first_token.get_or_insert_with(|| started.elapsed());
                self.latencies.push(now.saturating_sub(sent));
                self.arrivals.push(now);
            }
        }
    }
}

/// The one HTTP client of every stream. No connection is kept idle, so each stream opens its
/// own, as separate callers would; one client, because building one (its TLS roots) costs
/// milliseconds that 512 streams starting at once would spend inside the measurement.
fn shared_client() -> anyhow::Result<&'static reqwest::Client> {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(client) = HTTP.get() {
        return Ok(client);
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    Ok(HTTP.get_or_init(|| client))
}

/// Run one stream with `prompt`, giving up after `limit`.
pub async fn stream(via: &Via, prompt: &str, limit: Duration) -> Seen {
    let mut seen = Seen::default();
    let _ = tokio::time::timeout(limit, run(via, prompt, &mut seen)).await;
    seen
}

async fn run(via: &Via, prompt: &str, seen: &mut Seen) -> anyhow::Result<()> {
    let started = Instant::now();
    let http = shared_client()?;
    match via {
        Via::OpenAi { base, key } => {
            let mut request = http
                .post(format!("{base}/chat/completions"))
                .json(&json!({"model": "bench", "stream": true,
                              "messages": [{"role": "system", "content": "bench"}, {"role": "user", "content": prompt}]}));
            if let Some(key) = key {
                request = request.bearer_auth(key);
            }
            let mut events = request.send().await?.bytes_stream().eventsource();
            while let Some(event) = events.next().await {
                let event = event?;
                if event.data.trim() == "[DONE]" {
                    seen.completed = true;
                    break;
                }
                let chunk: Value = serde_json::from_str(&event.data)?;
                if let Some(text) = chunk
                    .pointer("/choices/0/delta/content")
                    .and_then(Value::as_str)
                {
                    seen.tokens(text, started);
                }
            }
        }
        Via::Sse { base, key } => {
            let response = http
                .post(format!("{base}/api/v1/process"))
                .header("x-api-key", key)
                .header("accept", "text/event-stream")
                .json(&json!({"task_type": "bench_route", "prompt": prompt}))
                .send()
                .await?;
            let mut events = response.bytes_stream().eventsource();
            while let Some(event) = events.next().await {
                let event = event?;
                match event.event.as_str() {
                    "delta" => {
                        let delta: Value = serde_json::from_str(&event.data)?;
                        seen.tokens(delta["text"].as_str().unwrap_or_default(), started);
                    }
                    "result" => {
                        seen.completed = true;
                        break;
                    }
                    "error" => break,
                    _ => {}
                }
            }
        }
        Via::WebSocket { base, key } => {
            let mut request = format!("{}/ws/v1/process", base.replacen("http://", "ws://", 1))
                .into_client_request()?;
            request.headers_mut().insert("x-api-key", key.parse()?);
            // tungstenite zero-fills its whole read buffer before every read: at the default
            // 128 KiB that memset was a tenth of the machine's CPU, spent by the measuring
            // client, not by the gateway. prax reads with 8 KiB; so does the client.
            let config = WebSocketConfig::default().read_buffer_size(8 << 10);
            let (mut socket, _) =
                tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
            socket
                .send(Message::text(
                    json!({"type": "task", "id": 1, "task_type": "bench_route", "prompt": prompt})
                        .to_string(),
                ))
                .await?;
            while let Some(frame) = socket.next().await {
                let Message::Text(text) = frame? else {
                    continue;
                };
                let event: Value = serde_json::from_str(text.as_str())?;
                match event["type"].as_str() {
                    Some("delta") => {
                        seen.tokens(event["text"].as_str().unwrap_or_default(), started)
                    }
                    Some("result") => {
                        seen.completed = true;
                        break;
                    }
                    Some("error") => break,
                    _ => {}
                }
            }
            let _ = socket.close(None).await;
        }
    }
    Ok(())
}

/// Hold an idle stream open until `release` resolves (for the memory figure).
pub async fn hold(via: Via, release: tokio::sync::watch::Receiver<bool>) {
    let mut release = release;
    let _ = tokio::select! {
        seen = stream(&via, "idle", Duration::from_secs(3600)) => Some(seen),
        _ = release.changed() => None,
    };
}
