//! `[routing]`: which providers serve which task type, in order, and how failures are handled.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The route used when a task type has no rule of its own.
pub const DEFAULT_ROUTE: &str = "default_llm_tasks";
/// The Python original's second built-in route.
pub const SUMMARY_ROUTE: &str = "internal_summary";

/// One step of a route: a provider, optionally with a model other than its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RouteEntry {
    /// `"provider_name"`.
    Name(String),
    /// `{ provider = "name", model = "..." }`.
    Detailed {
        /// The provider's name.
        provider: String,
        /// The model to ask for instead of the provider's default.
        #[serde(default)]
        model: Option<String>,
    },
}

impl RouteEntry {
    /// The provider's name.
    pub fn provider(&self) -> &str {
        match self {
            Self::Name(name) | Self::Detailed { provider: name, .. } => name,
        }
    }

    /// The model override, if any.
    pub fn model(&self) -> Option<&str> {
        match self {
            Self::Name(_) => None,
            Self::Detailed { model, .. } => model.as_deref(),
        }
    }
}

/// `[routing]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingConfig {
    /// Task type → ordered providers. `default_llm_tasks` and `internal_summary` exist even
    /// when not written, holding every enabled provider by priority.
    pub rules: BTreeMap<String, Vec<RouteEntry>>,
    /// Longest `Retry-After` honoured before failing over instead, in milliseconds.
    pub retry_after_cap_ms: u64,
    /// Pause before the one retry after a 5xx, in milliseconds.
    pub retry_backoff_ms: u64,
    /// Consecutive failures that open a provider's circuit.
    pub circuit_failures: u32,
    /// How long an open circuit skips its provider before one probe, in milliseconds.
    pub circuit_cooldown_ms: u64,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            rules: BTreeMap::new(),
            retry_after_cap_ms: 2_000,
            retry_backoff_ms: 100,
            circuit_failures: 3,
            circuit_cooldown_ms: 30_000,
        }
    }
}

impl RoutingConfig {
    /// Check that every rule names known providers; `known` lists the configured names.
    pub fn validate(&self, known: &[&str]) -> Result<(), String> {
        for (route, entries) in &self.rules {
            if !crate::task_type::is_task_type(route) {
                return Err(format!(
                    "rule `{route}` cannot be asked for: a route name is 1 to {} letters, digits, `_`, `.`, `:` or `-`",
                    crate::task_type::MAX_TASK_TYPE_CHARS
                ));
            }
            for entry in entries {
                if !known.contains(&entry.provider()) {
                    return Err(format!(
                        "rule `{route}` names provider `{}`, which no [[providers]] entry defines (known: {})",
                        entry.provider(),
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ));
                }
            }
        }
        if self.circuit_failures == 0 {
            return Err("`circuit_failures` must be at least 1".into());
        }
        Ok(())
    }
}
