//! What a skill answers: a [`Reply`] on success, a [`SkillError`] on failure.

use crate::bindings::praximous::skill::types::{ErrorInfo, Failure, Outcome};

/// A successful result: JSON data plus an optional message and details.
#[derive(Debug, Clone)]
pub struct Reply {
    data: serde_json::Value,
    message: Option<String>,
    details: Option<String>,
}

impl Reply {
    /// A reply carrying `data`, which callers receive as `result` (a JSON object).
    pub fn data(data: serde_json::Value) -> Self {
        Self {
            data,
            message: None,
            details: None,
        }
    }

    /// Add a human-readable summary, returned to the caller as `message`.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Add extra information, returned to the caller as `details`.
    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    pub(crate) fn into_outcome(self) -> Outcome {
        Outcome {
            data: self.data.to_string(),
            message: self.message,
            details: self.details,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    BadInput,
    Denied,
    Internal,
}

/// A failure: bad input (HTTP 400), a denied capability (403) or an internal error (500).
///
/// Callers see `"<message> (Details: <details>)"` as the error's `detail`.
#[derive(Debug, Clone)]
pub struct SkillError {
    kind: Kind,
    message: String,
    details: Option<String>,
}

impl SkillError {
    /// The request was wrong and the caller can fix it.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::BadInput,
            message: message.into(),
            details: None,
        }
    }

    /// A capability the skill needed was not granted.
    pub fn denied(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::Denied,
            message: message.into(),
            details: None,
        }
    }

    /// The skill failed for a reason the caller cannot fix.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            kind: Kind::Internal,
            message: message.into(),
            details: None,
        }
    }

    /// Explain the error further: what was wrong and what to do.
    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    pub(crate) fn into_failure(self) -> Failure {
        let info = ErrorInfo {
            message: self.message,
            details: self.details,
        };
        match self.kind {
            Kind::BadInput => Failure::BadInput(info),
            Kind::Denied => Failure::Denied(info),
            Kind::Internal => Failure::Internal(info),
        }
    }
}

impl std::fmt::Display for SkillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.details {
            Some(details) => write!(f, "{} (Details: {details})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for SkillError {}
