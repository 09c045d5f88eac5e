//! `[registry]`: where skills are installed from, whom to trust, and `prax registry serve`.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// `[registry]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistryConfig {
    /// Where `prax skill install NAME` and the web UI look: a registry URL or a mirror folder.
    pub url: Option<String>,
    /// Publishers whose signatures are trusted: the contents of their `publisher.pub`.
    pub trusted_publishers: Vec<String>,
    /// An environment variable holding more trusted publishers' keys, comma- or
    /// newline-separated (for containers configured through the environment).
    pub trusted_publishers_env: String,
    /// Sources (registry URLs, mirror folders, bundle files) that may install unsigned
    /// skills: for development only. Signed skills are always checked.
    pub development_sources: Vec<String>,
    /// `prax registry serve`: variable holding publish tokens, comma-separated.
    pub publish_tokens_env: String,
    /// Largest component accepted, in MiB: from publishers by `prax registry serve`, and by
    /// installs from a registry, a mirror or a bundle (counted as it is read).
    pub max_component_mb: u64,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            url: None,
            trusted_publishers: Vec::new(),
            trusted_publishers_env: "PRAXIMOUS_TRUSTED_PUBLISHERS".into(),
            development_sources: Vec::new(),
            publish_tokens_env: "PRAX_REGISTRY_TOKENS".into(),
            max_component_mb: 64,
        }
    }
}

impl RegistryConfig {
    /// The trusted publishers' keys: the file's (validated at load) and those in the variable
    /// `trusted_publishers_env` names, which must all be keys.
    pub fn trusted_keys(
        &self,
        env: &crate::environment::Environment,
    ) -> Result<Vec<praximous_registry::signing::PublicKey>, FieldError> {
        let mut keys: Vec<_> = self
            .trusted_publishers
            .iter()
            .filter_map(|text| praximous_registry::signing::PublicKey::parse(text).ok())
            .collect();
        for text in env
            .get(&self.trusted_publishers_env)
            .unwrap_or_default()
            .split([',', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let key = praximous_registry::signing::PublicKey::parse(text).map_err(|e| {
                FieldError::new(
                    "registry.trusted_publishers_env",
                    format!(
                        "names {}, which holds something that is not a publisher key: {e}",
                        self.trusted_publishers_env
                    ),
                )
            })?;
            keys.push(key);
        }
        Ok(keys)
    }
}

impl RegistryConfig {
    /// [`Self::max_component_mb`] in bytes.
    pub fn max_component_bytes(&self) -> usize {
        usize::try_from(self.max_component_mb << 20).unwrap_or(usize::MAX)
    }

    /// Check the publishers' keys and the component size.
    pub fn validate(&self) -> Result<(), FieldError> {
        for text in &self.trusted_publishers {
            praximous_registry::signing::PublicKey::parse(text)
                .map_err(|e| FieldError::new("registry.trusted_publishers", e.to_string()))?;
        }
        if !(1..=1024).contains(&self.max_component_mb) {
            return Err(FieldError::new(
                "registry.max_component_mb",
                "must be between 1 and 1024 (MiB)",
            ));
        }
        Ok(())
    }
}
