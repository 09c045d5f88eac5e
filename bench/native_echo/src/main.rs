//! Benchmark baseline: `POST /api/v1/process` for the echo task with the same HTTP layer as
//! `prax` (request ids, body limit, tracing, body validation, answer shape, allocator,
//! runtime settings), but the skill's work done by native Rust instead of a Wasm instance.
//! The difference between the two is the cost of the sandbox.
//!
//! Usage: `native-echo ADDR` (e.g. 127.0.0.1:0; prints `listening on http://ADDR`).

use axum::extract::{DefaultBodyLimit, Extension};
use axum::routing::post;
use axum::serve::ListenerExt;
use axum::{Json, Router, body::Bytes};
use praximous::api::error::ApiError;
use praximous::api::process::ProcessResponse;
use praximous::api::request_id::{self, RequestId};
use praximous::api::validation::parse_task_body;
use serde_json::json;
use tower_http::trace::TraceLayer;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

async fn process(
    Extension(RequestId(request_id)): Extension<RequestId>,
    body: Bytes,
) -> Result<Json<ProcessResponse>, ApiError> {
    let task = parse_task_body(&body).map_err(ApiError::validation)?;
    if task.task_type != "echo" {
        return Err(ApiError::not_found(format!(
            "Skill or LLM route '{}' not found.",
            task.task_type
        )));
    }
    Ok(Json(ProcessResponse {
        status: "success",
        result: json!({"echoed_prompt": task.prompt, "message": "Prompt was successfully echoed."}),
        message: None,
        details: None,
        request_id: request_id.to_string(),
    }))
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .event_interval(4)
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            let local = listener.local_addr()?;
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            println!("listening on http://{local}");
            let app = Router::new()
                .route("/api/v1/process", post(process))
                .layer(DefaultBodyLimit::max(1 << 20))
                .layer(TraceLayer::new_for_http())
                .layer(request_id::RequestIdLayer);
            axum::serve(listener, app).await
        })
}
