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
    /// Nothing: the task type was unknown.
    Unknown,
}

impl TaskKind {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Skill => "skill",
            Self::Llm => "llm",
            Self::Unknown => "unknown",
        }
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
    pub provider: Option<String>,
    /// The skill's version, for skills.
    pub skill_version: Option<String>,
    /// LLM routes: every attempt, as JSON.
    #[schema(value_type = Option<Object>)]
    pub attempts: Option<serde_json::Value>,
    /// `success` or `error`, as the original.
    pub status: String,
    /// The HTTP status answered.
    pub http_status: u16,
    /// Time to answer, in milliseconds.
    pub latency_ms: u64,
    /// The prompt (capped; masked or absent according to configuration).
    pub prompt: Option<String>,
    /// The answer's result or error detail (capped; masked or absent likewise).
    pub response_data: Option<String>,
    /// Size of the prompt, in bytes.
    pub prompt_bytes: u64,
    /// Size of the answer body, in bytes.
    pub response_bytes: u64,
    /// The API key's id (never the key).
    pub api_key_id: Option<String>,
    /// The API key's name, as it was when the request was made.
    pub api_key_name: Option<String>,
    /// The caller's address.
    pub client_addr: Option<String>,
}
