//! `[license]`: where the licence key comes from, and whether a new installation evaluates.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// `[license]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LicenseConfig {
    /// The variable that may hold the licence key (else `<data_dir>/license.key`).
    pub key_env: String,
    /// Whether a new installation starts with a 30-day evaluation of every feature.
    pub evaluation: bool,
    /// How often the key is read again, so a new one takes effect without a restart (ms).
    pub refresh_ms: u64,
}

impl Default for LicenseConfig {
    fn default() -> Self {
        Self {
            key_env: "PRAXIMOUS_LICENSE".into(),
            evaluation: true,
            refresh_ms: 2000,
        }
    }
}

impl LicenseConfig {
    /// Check the variable's name and the interval.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.key_env.trim().is_empty() {
            return Err(FieldError::new(
                "license.key_env",
                "must name an environment variable, e.g. \"PRAXIMOUS_LICENSE\"",
            ));
        }
        if !(100..=3_600_000).contains(&self.refresh_ms) {
            return Err(FieldError::new(
                "license.refresh_ms",
                "must be between 100 and 3600000 (ms)",
            ));
        }
        Ok(())
    }
}
