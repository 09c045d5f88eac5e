//! The body of `POST /v1/chat/completions`, as OpenAI's SDKs send it, and what Praximous makes of
//! it: fields that change meaning and that no provider here supports are refused with a clear
//! message; unknown fields are ignored, as OpenAI does.

use serde::Deserialize;
use serde_json::Value;

use crate::llm::{Ask, Turn, TurnRole};

/// A chat completion request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChatRequest {
    /// A routing rule (`default_llm_tasks`, or any `[routing.rules]` name).
    pub model: String,
    /// The conversation: `system` (or `developer`), `user` and `assistant` messages, the last
    /// one the user's.
    pub messages: Vec<ChatMessage>,
    /// Answer as Server-Sent Events in OpenAI's chunk format.
    #[serde(default)]
    pub stream: bool,
    /// Streams: `{"include_usage": true}` adds a last chunk with the token counts.
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    /// Sampling temperature.
    #[serde(default)]
    pub temperature: Option<f32>,
    /// Upper bound on generated tokens.
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Upper bound on generated tokens (the newer name; wins over `max_tokens`).
    #[serde(default)]
    pub max_completion_tokens: Option<u32>,
    /// Stop sequences: one, or a list of up to four.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub stop: Option<Value>,
    /// Answers wanted; only 1 is supported.
    #[serde(default)]
    pub n: Option<u32>,
    /// The end user, for the caller's own tracking (accepted, not used).
    #[serde(default)]
    pub user: Option<String>,
    /// Tools the model may call: not supported by the providers here.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub tools: Option<Value>,
    /// The older name of `tools`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub functions: Option<Value>,
}

/// Options of a streamed answer.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StreamOptions {
    /// A last chunk with the token counts.
    #[serde(default)]
    pub include_usage: bool,
}

/// One message.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChatMessage {
    /// `system`, `developer`, `user` or `assistant`.
    pub role: String,
    /// Text, or a list of content parts of which the `text` ones are used.
    #[schema(value_type = Object)]
    pub content: Value,
}

/// What is wrong with a request, and which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What to tell the caller.
    pub message: String,
    /// The field at fault.
    pub param: &'static str,
}

fn refuse(param: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        message: message.into(),
        param,
    }
}

/// The text of a message's content: a string, or the `text` parts of a list.
fn text_of(content: &Value) -> Result<String, Refusal> {
    match content {
        Value::String(text) => Ok(text.clone()),
        Value::Null => Ok(String::new()),
        Value::Array(parts) => {
            let mut text = String::new();
            for part in parts {
                match (part["type"].as_str(), part["text"].as_str()) {
                    (Some("text"), Some(piece)) => text.push_str(piece),
                    (kind, _) => {
                        return Err(refuse(
                            "messages",
                            format!(
                                "content parts of type {} are not supported here: send text",
                                kind.unwrap_or("(none)")
                            ),
                        ));
                    }
                }
            }
            Ok(text)
        }
        _ => Err(refuse(
            "messages",
            "a message's content must be a string or a list of text parts",
        )),
    }
}

impl ChatRequest {
    /// The route to use and what to ask it, or why the request cannot be served.
    pub fn ask(&self) -> Result<Ask, Refusal> {
        if self.n.is_some_and(|n| n != 1) {
            return Err(refuse(
                "n",
                "only n = 1 is supported: ask again for more answers",
            ));
        }
        let has = |value: &Option<Value>| {
            value
                .as_ref()
                .is_some_and(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
        };
        if has(&self.tools) || has(&self.functions) {
            return Err(refuse(
                "tools",
                "tool calling is not supported by the providers on this gateway's routes",
            ));
        }
        let stop = match &self.stop {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(list)) if list.len() <= 4 && list.iter().all(Value::is_string) => {
                list.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            }
            Some(_) => {
                return Err(refuse(
                    "stop",
                    "`stop` must be a string or a list of at most 4 strings",
                ));
            }
        };
        let mut system = Vec::new();
        let mut turns = Vec::new();
        for message in &self.messages {
            let text = text_of(&message.content)?;
            match message.role.as_str() {
                "system" | "developer" => system.push(text),
                "user" => turns.push(Turn {
                    role: TurnRole::User,
                    text,
                }),
                "assistant" => turns.push(Turn {
                    role: TurnRole::Assistant,
                    text,
                }),
                other => {
                    return Err(refuse(
                        "messages",
                        format!(
                            "messages with the role `{other}` are not supported: use system, user and assistant"
                        ),
                    ));
                }
            }
        }
        let Some(last) = turns.pop() else {
            return Err(refuse("messages", "`messages` must include a user message"));
        };
        if last.role != TurnRole::User {
            return Err(refuse("messages", "the last message must be the user's"));
        }
        if last.text.trim().is_empty() {
            return Err(refuse("messages", "the last user message is empty"));
        }
        Ok(Ask {
            prompt: last.text,
            history: turns,
            system: (!system.is_empty()).then(|| system.join("\n\n")),
            max_tokens: self.max_completion_tokens.or(self.max_tokens),
            temperature: self.temperature,
            stop,
        })
    }
}
