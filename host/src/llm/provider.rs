//! What every provider client takes and gives, and how its failures are classified so the
//! router knows whether to retry, fail over, or stop.

use std::time::Duration;

use serde::Serialize;

/// One completion request, as the router passes it to a provider.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompletionRequest {
    /// The system prompt (persona plus any caller instructions).
    pub system: String,
    /// The conversation before the prompt, oldest first (each provider carries it natively).
    pub history: Vec<Turn>,
    /// The user prompt: the conversation's last message.
    pub prompt: String,
    /// Upper bound on generated tokens.
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Sequences that end generation.
    pub stop: Vec<String>,
}

impl CompletionRequest {
    /// The conversation as `{role, content}` messages (OpenAI's, Anthropic's and Ollama's
    /// shape): the system prompt first when `with_system`, then the history, then the prompt.
    pub fn messages(&self, with_system: bool) -> Vec<serde_json::Value> {
        let system =
            with_system.then(|| serde_json::json!({ "role": "system", "content": self.system }));
        let history = self
            .history
            .iter()
            .map(|turn| serde_json::json!({ "role": turn.role.as_str(), "content": turn.text }));
        let prompt = serde_json::json!({ "role": "user", "content": self.prompt });
        system
            .into_iter()
            .chain(history)
            .chain(std::iter::once(prompt))
            .collect()
    }
}

/// Who said one earlier message of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnRole {
    /// The user.
    User,
    /// The model.
    Assistant,
}

impl TurnRole {
    /// OpenAI's, Anthropic's and Ollama's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

/// One earlier message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Who said it.
    pub role: TurnRole,
    /// What was said.
    pub text: String,
}

/// What a caller asks of a route: the prompt, the conversation before it, its own system
/// instructions (added after the persona's) and the sampling settings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ask {
    /// The user prompt.
    pub prompt: String,
    /// The conversation before it.
    pub history: Vec<Turn>,
    /// Extra system instructions.
    pub system: Option<String>,
    /// Upper bound on generated tokens.
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Sequences that end generation.
    pub stop: Vec<String>,
}

impl Ask {
    /// Just a prompt.
    pub fn prompt(prompt: impl Into<String>) -> Self {
        Self {
            prompt: prompt.into(),
            ..Self::default()
        }
    }
}

/// Why a provider stopped generating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// Natural end, or a stop sequence.
    Stop,
    /// The token limit cut the answer short.
    MaxTokens,
    /// Any other reason the provider gave.
    Other,
}

impl FinishReason {
    /// The reason as a string, as skills see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::MaxTokens => "max_tokens",
            Self::Other => "other",
        }
    }
}

/// Token counts, when the provider reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Usage {
    /// Prompt tokens.
    #[schema(required = true)]
    pub input_tokens: Option<u32>,
    /// Generated tokens.
    #[schema(required = true)]
    pub output_tokens: Option<u32>,
}

/// A provider's answer: never empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The generated text.
    pub text: String,
    /// The model that answered, as the provider named it.
    pub model: String,
    /// Why generation stopped.
    pub finish_reason: FinishReason,
    /// Token counts.
    pub usage: Usage,
}

/// Why one attempt at one provider failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// No connection: refused, reset, unreachable.
    #[error("connection failed: {0}")]
    Connect(String),
    /// No complete answer within the attempt timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// HTTP 429.
    #[error("rate limited (HTTP 429){}", retry_after_text(.retry_after))]
    RateLimited {
        /// What `Retry-After` asked for, if anything.
        retry_after: Option<Duration>,
    },
    /// A 5xx (or Anthropic's 529): worth one retry.
    #[error("server error (HTTP {status}): {message}")]
    Server {
        /// The status.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// The prompt is longer than the model's context window.
    #[error("prompt too long for the model's context window: {0}")]
    ContextLength(String),
    /// The provider's safety filter refused the content.
    #[error("content refused by the provider's safety filter: {0}")]
    ContentFiltered(String),
    /// Any other refusal (bad key, unknown model, ...): a configuration problem.
    #[error("request refused (HTTP {status}): {message}")]
    Rejected {
        /// The status.
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// The answer did not parse, or parsed to nothing usable.
    #[error("unusable answer: {0}")]
    BadResponse(String),
    /// The provider cannot be used: its key or URL variable is unset.
    #[error("not configured: {0}")]
    Unconfigured(String),
    /// The provider does not offer this (e.g. embeddings).
    #[error("not supported by this provider: {0}")]
    Unsupported(String),
    /// A streamed answer stopped before the provider marked it complete.
    #[error("incomplete answer: {0}")]
    Incomplete(String),
    /// The provider reported an error inside a stream it had started.
    #[error("the provider reported an error in the stream: {0}")]
    StreamError(String),
    /// A streamed answer produced nothing for longer than the stall timeout.
    #[error("the stream stalled: no token for {0:?}")]
    Stalled(Duration),
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    retry_after.map_or_else(String::new, |d| {
        format!(", retry after {} ms", d.as_millis())
    })
}

impl ProviderError {
    /// A short machine-readable kind, for attempt records and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Connect(_) => "connect",
            Self::Timeout(_) => "timeout",
            Self::RateLimited { .. } => "rate_limited",
            Self::Server { .. } => "server_error",
            Self::ContextLength(_) => "context_length",
            Self::ContentFiltered(_) => "content_filtered",
            Self::Rejected { .. } => "rejected",
            Self::BadResponse(_) => "bad_response",
            Self::Unconfigured(_) => "unconfigured",
            Self::Unsupported(_) => "unsupported",
            Self::Incomplete(_) => "incomplete",
            Self::StreamError(_) => "stream_error",
            Self::Stalled(_) => "stalled",
        }
    }

    /// Whether this failure says something about the provider's health (and so counts
    /// towards opening its circuit), rather than about this one request.
    pub fn counts_against_provider(&self) -> bool {
        !matches!(
            self,
            Self::ContextLength(_)
                | Self::ContentFiltered(_)
                | Self::Unconfigured(_)
                | Self::Unsupported(_)
        )
    }

    /// The same error with every occurrence of `secret` replaced: a provider may echo the
    /// key it was sent (e.g. "invalid key sk-…"), and errors reach logs, callers and the
    /// audit log.
    pub fn redact(self, secret: &str) -> Self {
        if secret.is_empty() {
            return self;
        }
        let clean = |text: String| text.replace(secret, "[redacted]");
        match self {
            Self::Connect(m) => Self::Connect(clean(m)),
            Self::Server { status, message } => Self::Server {
                status,
                message: clean(message),
            },
            Self::ContextLength(m) => Self::ContextLength(clean(m)),
            Self::ContentFiltered(m) => Self::ContentFiltered(clean(m)),
            Self::Rejected { status, message } => Self::Rejected {
                status,
                message: clean(message),
            },
            Self::BadResponse(m) => Self::BadResponse(clean(m)),
            Self::Incomplete(m) => Self::Incomplete(clean(m)),
            Self::StreamError(m) => Self::StreamError(clean(m)),
            other @ (Self::Timeout(_)
            | Self::RateLimited { .. }
            | Self::Stalled(_)
            | Self::Unconfigured(_)
            | Self::Unsupported(_)) => other,
        }
    }
}

/// Cut a provider's error body to something fit for a message.
pub fn excerpt(body: &str) -> String {
    const MAX: usize = 300;
    let body = body.trim();
    if body.len() <= MAX {
        return body.to_owned();
    }
    format!("{}…", &body[..body.floor_char_boundary(MAX)])
}

#[cfg(test)]
mod tests {
    use super::ProviderError;

    #[test]
    fn redaction_removes_an_echoed_key_from_every_message() {
        let echoed = ProviderError::Rejected {
            status: 401,
            message: "Incorrect API key provided: sk-live-123. Check it.".into(),
        };
        assert_eq!(
            echoed.redact("sk-live-123").to_string(),
            "request refused (HTTP 401): Incorrect API key provided: [redacted]. Check it."
        );
        let server = ProviderError::Server {
            status: 500,
            message: "k=sk-live-123".into(),
        };
        assert!(!server.redact("sk-live-123").to_string().contains("sk-live"));
        let bad = ProviderError::BadResponse("sk-live-123".into());
        assert_eq!(bad.redact("").to_string(), "unusable answer: sk-live-123");
    }
}
