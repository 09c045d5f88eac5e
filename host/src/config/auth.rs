//! `[auth]`: where admin keys come from, rate limits and the bad-key throttle.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// `[auth]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Environment variable holding admin keys, comma-separated (the original's).
    pub api_keys_env: String,
    /// Requests per minute for keys without a limit of their own (0: unlimited).
    pub rate_limit_per_minute: u32,
    /// Failed key attempts per minute one address may make before answers slow down
    /// (0: never slow down).
    pub failures_before_delay: u32,
    /// Longest delay before answering a failed attempt, in milliseconds.
    pub max_failure_delay_ms: u64,
    /// How often keys made elsewhere (`prax keys`, other replicas) are picked up, in ms.
    pub key_refresh_ms: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            api_keys_env: "PRAXIMOUS_API_KEYS".into(),
            rate_limit_per_minute: 0,
            failures_before_delay: 10,
            max_failure_delay_ms: 2000,
            key_refresh_ms: 1000,
        }
    }
}

impl AuthConfig {
    /// Check the variable name and the ranges.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.api_keys_env.trim().is_empty() {
            return Err(FieldError::new(
                "auth.api_keys_env",
                "must name an environment variable, e.g. \"PRAXIMOUS_API_KEYS\"",
            ));
        }
        if !(100..=3_600_000).contains(&self.key_refresh_ms) {
            return Err(FieldError::new(
                "auth.key_refresh_ms",
                "must be between 100 and 3600000 (ms)",
            ));
        }
        if self.max_failure_delay_ms > 60_000 {
            return Err(FieldError::new(
                "auth.max_failure_delay_ms",
                "must be at most 60000 (ms)",
            ));
        }
        Ok(())
    }
}
