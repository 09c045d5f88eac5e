//! The host's capabilities, as plain functions.

use crate::SkillError;
use crate::bindings::praximous::skill::{
    config, context, knowledge, llm, log as wit_log, mail, output,
};

pub use crate::bindings::praximous::skill::context::Identity;
pub use crate::bindings::praximous::skill::knowledge::{
    Document as KnowledgeDocument, Filters as KnowledgeFilters, KnowledgeError, Passage, Stored,
};
pub use crate::bindings::praximous::skill::llm::{Completion, CompletionRequest, LlmError};
pub use crate::bindings::praximous::skill::mail::{MailError, Message as MailMessage, Receipt};

/// Log at info level; the host tags the line with the skill and request id.
pub fn log_info(message: &str) {
    wit_log::log(wit_log::Level::Info, message);
}

/// Log at warn level.
pub fn log_warn(message: &str) {
    wit_log::log(wit_log::Level::Warn, message);
}

/// Log at debug level.
pub fn log_debug(message: &str) {
    wit_log::log(wit_log::Level::Debug, message);
}

/// The system identity the operator configured (name, business, persona...).
pub fn identity() -> Identity {
    context::current()
}

/// The operator's setting `key` for this skill (its `[skills.<name>]` table), if set.
pub fn setting(key: &str) -> Option<String> {
    config::get(key)
}

/// The operator's setting `key`, or a "Configuration Error" (HTTP 500) that tells the operator
/// which setting to add, e.g. `required_setting("api_key", "{ env = \"WEATHER_API_KEY\" }")`.
pub fn required_setting(key: &str, example: &str) -> Result<String, SkillError> {
    setting(key)
        .filter(|value| !value.trim().is_empty())
        .ok_or_else(|| {
            SkillError::internal("Configuration Error").with_details(format!(
                "The operator has not set `{key}` for this skill: add `{key} = {example}` to its [skills.<name>] table in the configuration."
            ))
        })
}

/// Stream a chunk of partial output to callers that listen (WebSocket, SSE).
///
/// Returns `false` when the host dropped the chunk because the output budget is spent.
pub fn emit(chunk: &str) -> bool {
    output::emit(chunk)
}

/// Complete `prompt` through the host's LLM router, with the system persona. Needs
/// `permissions: { llm: true }` in the manifest.
pub fn complete(prompt: &str) -> Result<Completion, LlmError> {
    complete_with(&CompletionRequest {
        prompt: prompt.to_owned(),
        system: None,
        max_tokens: None,
        temperature: None,
    })
}

/// Complete a full request (extra system instructions, token limit, temperature).
pub fn complete_with(request: &CompletionRequest) -> Result<Completion, LlmError> {
    llm::complete(request)
}

/// Like [`complete_with`], and a caller that streams sees the text as the provider writes it
/// (as the task's deltas). For a skill whose answer is the completion itself.
pub fn complete_streamed(request: &CompletionRequest) -> Result<Completion, LlmError> {
    llm::complete_streamed(request)
}

impl From<LlmError> for SkillError {
    /// A denied capability stays a denial (403), refused or invalid input is the caller's
    /// (400), and unavailable providers are an internal failure (500).
    fn from(error: LlmError) -> Self {
        match error {
            LlmError::Denied(m) => SkillError::denied("LLM access denied").with_details(m),
            LlmError::Refused(m) => {
                SkillError::bad_input("The LLM refused the request").with_details(m)
            }
            LlmError::Invalid(m) => SkillError::bad_input("Invalid LLM request").with_details(m),
            LlmError::Unavailable(m) => {
                SkillError::internal("No LLM provider answered").with_details(m)
            }
        }
    }
}

/// Send a plain-text e-mail through the operator's SMTP server, from the sender the operator
/// configured. Needs `permissions: { mail: true }` in the manifest.
pub fn send_mail(message: &MailMessage) -> Result<Receipt, MailError> {
    mail::send(message)
}

impl From<MailError> for SkillError {
    /// A bad message is the caller's (400), a denial stays one (403); a missing SMTP server is
    /// the operator's "Configuration Error", and a server that refuses or cannot be reached an
    /// "SMTP Error" (500).
    fn from(error: MailError) -> Self {
        match error {
            MailError::Invalid(m) => SkillError::bad_input("Input Error").with_details(m),
            MailError::Denied(m) => SkillError::denied("Mail access denied").with_details(m),
            MailError::NotConfigured(m) => {
                SkillError::internal("Configuration Error").with_details(m)
            }
            MailError::Rejected(m) | MailError::Unavailable(m) => {
                SkillError::internal("SMTP Error")
                    .with_details(format!("Failed to send email: {m}"))
            }
        }
    }
}

/// The `top_k` (1-50) passages of the operator's knowledge `collection` that best match
/// `query`, best first. Needs the collection in `permissions: { knowledge: [...] }`.
pub fn search_knowledge(
    collection: &str,
    query: &str,
    top_k: u32,
    filters: &KnowledgeFilters,
) -> Result<Vec<Passage>, KnowledgeError> {
    knowledge::search(collection, query, top_k, filters)
}

/// Store `document` in the operator's knowledge `collection` (replacing a document with its id
/// whole). Needs `knowledge: write` in the manifest, and a caller with an operator or admin key.
pub fn add_knowledge_document(
    collection: &str,
    document: &KnowledgeDocument,
) -> Result<Stored, KnowledgeError> {
    knowledge::add_document(collection, document)
}

impl From<KnowledgeError> for SkillError {
    /// A denial stays one (403); a missing collection or a bad query is the caller's (400);
    /// a knowledge base that cannot answer is an internal failure (500).
    fn from(error: KnowledgeError) -> Self {
        match error {
            KnowledgeError::Denied(m) => {
                SkillError::denied("Knowledge access denied").with_details(m)
            }
            KnowledgeError::NotFound(m) | KnowledgeError::Invalid(m) => {
                SkillError::bad_input("Input error").with_details(m)
            }
            KnowledgeError::Unavailable(m) => {
                SkillError::internal("Knowledge base unavailable").with_details(m)
            }
        }
    }
}
