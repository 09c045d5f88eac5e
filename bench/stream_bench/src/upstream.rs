//! The upstream provider of the benchmark: OpenAI's streaming chat completions, each token
//! written at its own absolute time (start + k × gap, so a late token does not delay the
//! next) and carrying its index and send time (`k@MICROS `), so that a client on this machine
//! measures each token's latency through any gateway that passes text through. A prompt
//! containing `idle` waits ten minutes before its first token: an open, idle stream.

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

/// How the upstream streams.
#[derive(Debug, Clone, Copy)]
pub struct Script {
    /// Tokens per answer.
    pub tokens: usize,
    /// Time between tokens.
    pub gap: Duration,
}

/// Microseconds since the Unix epoch: a clock every process on the machine shares.
pub fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// Serve on 127.0.0.1; returns the base URL (`http://ADDR/v1`).
pub async fn start(script: Script) -> anyhow::Result<String> {
    let app = Router::new()
        .route("/v1/chat/completions", post(complete))
        .with_state(script);
    // A backlog for 512 clients connecting at once (`TcpListener::bind` gives 128: the kernel
    // would drop the rest of the SYNs and those clients would retry a second later).
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(([127, 0, 0, 1], 0).into())?;
    let listener = socket.listen(4096)?;
    let address = listener.local_addr()?;
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}/v1"))
}

fn chunk(model: &str, delta: Value, finish: Option<&str>) -> String {
    let body = json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": model,
                      "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
    format!("data: {body}\n\n")
}

async fn complete(State(script): State<Script>, Json(body): Json<Value>) -> Response {
    let model = body["model"].as_str().unwrap_or("bench").to_owned();
    let idle = body
        .pointer("/messages/1/content")
        .and_then(Value::as_str)
        .is_some_and(|p| p.contains("idle"));
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(8);
    tokio::spawn(async move {
        if sender
            .send(Ok(chunk(
                &model,
                json!({"role": "assistant", "content": ""}),
                None,
            )))
            .await
            .is_err()
        {
            return;
        }
        if idle {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(600)) => {}
                () = sender.closed() => return,
            }
        }
        let start = tokio::time::Instant::now();
        for k in 0..script.tokens {
            tokio::time::sleep_until(start + script.gap * (k as u32 + 1)).await;
            let text = format!("{k}@{} ", now_us());
            if sender
                .send(Ok(chunk(&model, json!({"content": text}), None)))
                .await
                .is_err()
            {
                return;
            }
        }
        let usage = json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": model,
                           "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": script.tokens, "total_tokens": 5 + script.tokens}});
        let _ = sender
            .send(Ok(chunk(&model, json!({}), Some("stop"))))
            .await;
        let _ = sender.send(Ok(format!("data: {usage}\n\n"))).await;
        let _ = sender.send(Ok("data: [DONE]\n\n".to_owned())).await;
    });
    let body = Body::from_stream(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|item| (item, receiver)) },
    ));
    let mut response = Response::new(body);
    if let Ok(value) = "text/event-stream".parse() {
        response.headers_mut().insert("content-type", value);
    }
    response
}
