//! One audit record: what happened to one request, as stored.

use serde::{Deserialize, Serialize};

/// What served the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    /// A Smart Skill.
    Skill,
    /// An LLM route.
    Llm,
    /// An LLM route through the OpenAI-compatible API (`/v1/`).
    Openai,
    /// A skill called as a tool by an MCP client (`/mcp`).
    Mcp,
    /// A search of a knowledge collection (`/api/v1/knowledge/.../search`).
    Knowledge,
    /// Nothing: the task type was unknown.
    Unknown,
}

impl TaskKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Skill => "skill",
            Self::Llm => "llm",
            Self::Openai => "openai",
            Self::Mcp => "mcp",
            Self::Knowledge => "knowledge",
            Self::Unknown => "unknown",
        }
    }
}

impl TaskKind {
    /// `skill`, `llm`, `openai`, `mcp`, `knowledge` or `unknown`, as a filter names it.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "skill" => Some(Self::Skill),
            "llm" => Some(Self::Llm),
            "openai" => Some(Self::Openai),
            "mcp" => Some(Self::Mcp),
            "knowledge" => Some(Self::Knowledge),
            "unknown" => Some(Self::Unknown),
            _ => None,
        }
    }

    /// The kind as stored; anything unknown reads as [`TaskKind::Unknown`].
    pub fn from_stored(text: &str) -> Self {
        match text {
            "skill" => Self::Skill,
            "llm" => Self::Llm,
            "openai" => Self::Openai,
            "mcp" => Self::Mcp,
            "knowledge" => Self::Knowledge,
            _ => Self::Unknown,
        }
    }
}

/// How a request ended, as the original's records say it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RecordStatus {
    /// Answered 200.
    Success,
    /// Answered with an error.
    Error,
}

impl RecordStatus {
    /// As stored and as the API filters by it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Error => "error",
        }
    }

    /// `success` or `error`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "success" => Some(Self::Success),
            "error" => Some(Self::Error),
            _ => None,
        }
    }

    /// The status as stored; anything but `success` reads as an error.
    pub fn from_stored(text: &str) -> Self {
        Self::parse(text).unwrap_or(Self::Error)
    }
}

/// An audit record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Row id (0 until stored).
    pub id: i64,
    /// The request's id.
    pub request_id: String,
    /// When the request arrived, UTC, RFC 3339 with milliseconds.
    pub timestamp: String,
    /// The task type asked for.
    pub task_type: String,
    /// What served it.
    pub kind: TaskKind,
    /// The provider that answered (LLM routes) or `skill:<name>` (skills), as the original.
    #[schema(required = true)]
    pub provider: Option<String>,
    /// The skill's version, for skills.
    #[schema(required = true)]
    pub skill_version: Option<String>,
    /// LLM routes: every attempt.
    #[schema(value_type = Option<Vec<crate::llm::Attempt>>, required = true)]
    pub attempts: Option<serde_json::Value>,
    /// `success` or `error`, as the original.
    pub status: RecordStatus,
    /// The HTTP status answered.
    pub http_status: u16,
    /// Time to answer, in milliseconds.
    pub latency_ms: u64,
    /// The prompt (capped; masked or absent according to configuration).
    #[schema(required = true)]
    pub prompt: Option<String>,
    /// The answer's result or error detail (capped; masked or absent likewise).
    #[schema(required = true)]
    pub response_data: Option<String>,
    /// Size of the prompt, in bytes.
    pub prompt_bytes: u64,
    /// Size of the answer body, in bytes.
    pub response_bytes: u64,
    /// The API key's id (never the key).
    #[schema(required = true)]
    pub api_key_id: Option<String>,
    /// The API key's name, as it was when the request was made.
    #[schema(required = true)]
    pub api_key_name: Option<String>,
    /// The caller's address.
    #[schema(required = true)]
    pub client_addr: Option<String>,
    /// Streamed requests: how the stream ended; absent for whole answers.
    #[serde(default)]
    #[schema(required = true)]
    pub stream_outcome: Option<StreamOutcome>,
    /// Streamed requests: time from arrival to the first token, in milliseconds.
    #[serde(default)]
    #[schema(required = true)]
    pub time_to_first_token_ms: Option<u64>,
    /// LLM answers: prompt tokens.
    #[serde(default)]
    #[schema(required = true)]
    pub input_tokens: Option<u32>,
    /// LLM answers: generated tokens (also for a stream that failed or was cancelled).
    #[serde(default)]
    #[schema(required = true)]
    pub output_tokens: Option<u32>,
    /// Whether the token counts are estimates, because the provider reported none.
    #[serde(default)]
    pub tokens_estimated: bool,
    /// Streamed requests: the text delivered to the caller (capped; masked or absent like
    /// responses).
    #[serde(default)]
    #[schema(required = true)]
    pub delivered: Option<String>,
}

/// How a streamed answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StreamOutcome {
    /// Every token, and the provider's (or skill's) end.
    Completed,
    /// Failed before anything was delivered.
    Failed,
    /// Failed after some text was delivered: the caller got an incomplete answer, and was told.
    FailedMidStream,
    /// The caller cancelled or went away.
    Cancelled,
}

impl StreamOutcome {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::FailedMidStream => "failed_mid_stream",
            Self::Cancelled => "cancelled",
        }
    }

    /// As stored; anything else is absent.
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "completed" => Some(Self::Completed),
            "failed" => Some(Self::Failed),
            "failed_mid_stream" => Some(Self::FailedMidStream),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}
