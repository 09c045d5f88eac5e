//! Benchmark baseline: `POST /api/v1/process` for the echo task as a plain axum handler.
//!
//! It does the same work as the Wasm path minus the sandbox: parse the body, check the two
//! required fields, build the same answer with a fresh UUID v7 request id and header.
//! Usage: `native-echo ADDR` (e.g. 127.0.0.1:18001).

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::serve::ListenerExt;
use serde_json::{Value, json};

async fn process(body: Bytes) -> Response {
    let request_id = uuid::Uuid::now_v7().to_string();
    let parsed: Result<Value, _> = serde_json::from_slice(&body);
    let answer = match parsed {
        Ok(Value::Object(fields)) => match (fields.get("task_type"), fields.get("prompt")) {
            (Some(Value::String(_)), Some(Value::String(prompt))) => (
                StatusCode::OK,
                json!({
                    "status": "success",
                    "result": {"echoed_prompt": prompt, "message": "Prompt was successfully echoed."},
                    "message": null,
                    "details": null,
                    "request_id": request_id,
                }),
            ),
            _ => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"detail": "missing fields"}),
            ),
        },
        _ => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"detail": "not a JSON object"}),
        ),
    };
    let mut response = (answer.0, axum::Json(answer.1)).into_response();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18001".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    println!("listening on http://{local}");
    axum::serve(
        listener,
        Router::new().route("/api/v1/process", post(process)),
    )
    .await
}
