//! Streamed answers of the stand-in providers, byte for byte in each provider's streaming
//! format (OpenAI SSE chunks and `[DONE]`, Anthropic's event types, Gemini's
//! `streamGenerateContent?alt=sse`, Ollama's NDJSON), one token every `interval`, with faults
//! that strike mid-stream, and frames split across writes (mid-event, mid-character).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Flavour, StandInState};

/// What goes wrong during a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFault {
    /// Every token, then the provider's end marker.
    None,
    /// Close the connection after this many tokens, without an end marker.
    DieAfter(usize),
    /// Go silent after this many tokens, keeping the connection open.
    StallAfter(usize),
    /// The provider's own error event after this many tokens.
    ErrorAfter(usize),
}

/// How the stand-in streams.
#[derive(Debug, Clone, Copy)]
pub struct StreamScript {
    /// Tokens in a whole answer.
    pub tokens: usize,
    /// Pause before each token.
    pub interval: Duration,
    /// Pause before the first token, on top of `interval`.
    pub first_token_delay: Duration,
    /// Write each frame in two parts, cut inside a multi-byte character.
    pub split_frames: bool,
    /// What goes wrong.
    pub fault: StreamFault,
}

impl Default for StreamScript {
    fn default() -> Self {
        Self {
            tokens: 8,
            interval: Duration::from_millis(5),
            first_token_delay: Duration::ZERO,
            split_frames: false,
            fault: StreamFault::None,
        }
    }
}

/// The text of token `i` (with a two-byte character, so that split frames cut one).
pub fn token(i: usize) -> String {
    format!("wörd{i} ")
}

/// The whole answer a stream of `tokens` tokens spells.
pub fn whole_text(tokens: usize) -> String {
    (0..tokens).map(token).collect()
}

/// Whether a request body (or Gemini's action) asks for a stream.
pub fn wants_stream(flavour: Flavour, body: &Value, action: &str) -> bool {
    match flavour {
        Flavour::Gemini => action.ends_with(":streamGenerateContent"),
        _ => body["stream"] == json!(true),
    }
}

/// One frame of `flavour`'s stream carrying `text`.
fn token_frame(flavour: Flavour, model: &str, text: &str) -> String {
    match flavour {
        Flavour::Openai => format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-S1", "object": "chat.completion.chunk", "created": 1741569952, "model": model,
                   "choices": [{"index": 0, "delta": {"content": text}, "logprobs": null, "finish_reason": null}]})
        ),
        Flavour::Anthropic => format!(
            "event: content_block_delta\ndata: {}\n\n",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})
        ),
        Flavour::Gemini => format!(
            "data: {}\n\n",
            json!({"candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}],
                   "usageMetadata": {"promptTokenCount": 21, "totalTokenCount": 21}, "modelVersion": model})
        ),
        Flavour::Ollama => format!(
            "{}\n",
            json!({"model": model, "created_at": "2026-12-06T12:00:00Z", "message": {"role": "assistant", "content": text}, "done": false})
        ),
    }
}

/// What comes before the first token.
fn opening(flavour: Flavour, model: &str) -> Vec<String> {
    match flavour {
        Flavour::Openai => vec![format!(
            "data: {}\n\n",
            json!({"id": "chatcmpl-S1", "object": "chat.completion.chunk", "created": 1741569952, "model": model,
                   "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": null, "finish_reason": null}]})
        )],
        Flavour::Anthropic => vec![
            format!(
                "event: message_start\ndata: {}\n\n",
                json!({"type": "message_start", "message": {"id": "msg_S1", "type": "message", "role": "assistant", "content": [],
                       "model": model, "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 21, "output_tokens": 1}}})
            ),
            format!(
                "event: content_block_start\ndata: {}\n\n",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
            ),
            "event: ping\ndata: {\"type\": \"ping\"}\n\n".to_owned(),
        ],
        Flavour::Gemini | Flavour::Ollama => Vec::new(),
    }
}

/// What ends a whole answer of `tokens` tokens.
fn closing(flavour: Flavour, model: &str, tokens: usize) -> Vec<String> {
    match flavour {
        Flavour::Openai => vec![
            format!(
                "data: {}\n\n",
                json!({"id": "chatcmpl-S1", "object": "chat.completion.chunk", "created": 1741569952, "model": model,
                       "choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop"}]})
            ),
            format!(
                "data: {}\n\n",
                json!({"id": "chatcmpl-S1", "object": "chat.completion.chunk", "created": 1741569952, "model": model,
                       "choices": [], "usage": {"prompt_tokens": 21, "completion_tokens": tokens, "total_tokens": 21 + tokens}})
            ),
            "data: [DONE]\n\n".to_owned(),
        ],
        Flavour::Anthropic => vec![
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                .to_owned(),
            format!(
                "event: message_delta\ndata: {}\n\n",
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": tokens}})
            ),
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_owned(),
        ],
        Flavour::Gemini => vec![format!(
            "data: {}\n\n",
            json!({"candidates": [{"content": {"parts": [{"text": ""}], "role": "model"}, "finishReason": "STOP", "index": 0}],
                   "usageMetadata": {"promptTokenCount": 21, "candidatesTokenCount": tokens, "totalTokenCount": 21 + tokens},
                   "modelVersion": model})
        )],
        Flavour::Ollama => vec![format!(
            "{}\n",
            json!({"model": model, "created_at": "2026-12-06T12:00:01Z", "message": {"role": "assistant", "content": ""},
                   "done_reason": "stop", "done": true, "prompt_eval_count": 21, "eval_count": tokens})
        )],
    }
}

/// The provider's own error in the middle of a stream.
fn error_frame(flavour: Flavour) -> String {
    match flavour {
        Flavour::Openai => "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}\n\n".to_owned(),
        Flavour::Anthropic => "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n".to_owned(),
        Flavour::Gemini => "data: {\"error\":{\"code\":500,\"message\":\"An internal error has occurred.\",\"status\":\"INTERNAL\"}}\n\n".to_owned(),
        Flavour::Ollama => "{\"error\":\"an error was encountered while running the model\"}\n".to_owned(),
    }
}

/// Counts a stream the caller closed before the stand-in finished writing it.
struct Watch {
    state: Arc<Mutex<StandInState>>,
    finished: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.finished {
            let mut state = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state.disconnects += 1;
        }
    }
}

/// The streamed answer to one request.
pub fn respond(state: &Arc<Mutex<StandInState>>, flavour: Flavour, model: &str) -> Response {
    let script = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .stream;
    let model = model.to_owned();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let watch = Watch {
        state: state.clone(),
        finished: false,
    };
    tokio::spawn(async move {
        // The whole guard moves in (not just its field), so that it drops with the task.
        let mut watch = watch;
        let send = |frame: String| {
            let sender = sender.clone();
            async move {
                let bytes = frame.into_bytes();
                if script.split_frames && bytes.len() > 2 {
                    // Cut inside the first multi-byte character, or in the middle.
                    let cut = bytes
                        .iter()
                        .position(|b| *b >= 0xC0)
                        .map_or(bytes.len() / 2, |at| at + 1);
                    let (a, b) = bytes.split_at(cut);
                    let first = sender.send(Ok(a.to_vec())).await.is_ok();
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    first && sender.send(Ok(b.to_vec())).await.is_ok()
                } else {
                    sender.send(Ok(bytes)).await.is_ok()
                }
            }
        };
        for frame in opening(flavour, &model) {
            if !send(frame).await {
                return;
            }
        }
        tokio::time::sleep(script.first_token_delay).await;
        for i in 0..script.tokens {
            match script.fault {
                StreamFault::DieAfter(n) if i == n => {
                    watch.finished = true;
                    // Let what was written reach the wire before the connection drops.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    // Dropping the sender with an error ends the body abruptly.
                    let _ = sender
                        .send(Err(std::io::Error::other("connection lost")))
                        .await;
                    return;
                }
                StreamFault::StallAfter(n) if i == n => {
                    // Silent until the caller gives up and closes the connection.
                    sender.closed().await;
                    return;
                }
                StreamFault::ErrorAfter(n) if i == n => {
                    watch.finished = true;
                    let _ = send(error_frame(flavour)).await;
                    return;
                }
                _ => {}
            }
            tokio::time::sleep(script.interval).await;
            if !send(token_frame(flavour, &model, &token(i))).await {
                return;
            }
        }
        for frame in closing(flavour, &model, script.tokens) {
            if !send(frame).await {
                return;
            }
        }
        watch.finished = true;
    });
    let body = Body::from_stream(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|item| (item, receiver)) },
    ));
    let content_type = match flavour {
        Flavour::Ollama => "application/x-ndjson",
        _ => "text/event-stream",
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    response
}
