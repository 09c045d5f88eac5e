//! A stand-in embedding provider speaking OpenAI's `POST /v1/embeddings` over HTTP: each input
//! names its passage or query by its tag, and gets that one's generated vector.

use axum::Json;
use axum::routing::post;
use serde_json::{Value, json};

use crate::corpus::tagged;
use crate::space;

/// Serve on 127.0.0.1 until killed, writing the base URL (`http://127.0.0.1:PORT/v1`) to
/// `port_file` once listening.
pub async fn serve(port_file: &str, dim: usize) -> anyhow::Result<()> {
    let app = axum::Router::new().route(
        "/v1/embeddings",
        post(move |Json(body): Json<Value>| async move {
            let inputs: Vec<String> = match &body["input"] {
                Value::String(text) => vec![text.clone()],
                Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            let data: Vec<Value> = inputs
                .iter()
                .enumerate()
                .map(|(index, text)| {
                    let vector = match tagged(text) {
                        Some((false, number)) => space::passage(number, dim),
                        Some((true, number)) => space::query(number, dim),
                        None => space::query(usize::MAX >> 24, dim),
                    };
                    json!({"object": "embedding", "index": index, "embedding": vector})
                })
                .collect();
            Json(
                json!({"object": "list", "data": data, "model": body["model"],
                        "usage": {"prompt_tokens": 0, "total_tokens": 0}}),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/v1", listener.local_addr()?);
    std::fs::write(port_file, url)?;
    axum::serve(listener, app).await?;
    Ok(())
}
