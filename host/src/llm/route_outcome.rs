//! What a route's attempt loop reports: each attempt at a provider, the answer and how it was
//! obtained, or why there was none.

use serde::Serialize;

use super::provider::Completion;

/// One attempt at one provider, for the caller and the audit record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attempt {
    /// The provider.
    pub provider: String,
    /// The model asked for.
    pub model: String,
    /// `ok`, `skipped`, or the failure's kind (`timeout`, `server_error`, ...).
    pub outcome: String,
    /// What went wrong, for anything but `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: u64,
}

/// A completion and how it was obtained.
#[derive(Debug, Clone)]
pub struct Routed {
    /// The answer.
    pub completion: Completion,
    /// The provider that gave it.
    pub provider: String,
    /// Every attempt, in order, the successful one last.
    pub attempts: Vec<Attempt>,
}

/// Why a route produced no completion.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RouteError {
    /// Every provider failed or was skipped.
    #[error("All LLM providers are currently unavailable for '{route}'. Attempts: {}", describe(.attempts))]
    Unavailable {
        /// The route.
        route: String,
        /// What happened at each provider.
        attempts: Vec<Attempt>,
    },
    /// Every provider of the route is one the licence in force does not allow.
    #[error(
        "{locked} (every provider for '{route}' is external beyond what the tier allows; local providers such as Ollama are always allowed)"
    )]
    NotLicensed {
        /// The route.
        route: String,
        /// The refusal.
        locked: crate::license::gate::Locked,
        /// The providers skipped.
        attempts: Vec<Attempt>,
    },
    /// The route names no provider at all.
    #[error("No LLM provider is configured for '{0}': add [[providers]] to the configuration.")]
    NoProviders(String),
    /// A provider refused the content; it is not sent elsewhere.
    #[error("Provider '{provider}' refused the request: {message}")]
    Refused {
        /// The provider.
        provider: String,
        /// Its reason.
        message: String,
        /// Attempts up to the refusal.
        attempts: Vec<Attempt>,
    },
}

impl RouteError {
    /// The attempts made, for the audit record.
    pub fn attempts(&self) -> &[Attempt] {
        match self {
            Self::Unavailable { attempts, .. }
            | Self::Refused { attempts, .. }
            | Self::NotLicensed { attempts, .. } => attempts,
            Self::NoProviders(_) => &[],
        }
    }
}

/// The attempts in one line, for messages and logs.
pub fn describe(attempts: &[Attempt]) -> String {
    attempts
        .iter()
        .map(|a| {
            format!(
                "{} ({}): {}",
                a.provider,
                a.model,
                a.error.as_deref().unwrap_or(&a.outcome)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
