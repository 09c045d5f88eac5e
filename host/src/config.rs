//! Configuration: `praximous.toml`, its defaults, and its validation.
//!
//! Every setting has a working default, so a missing file is a valid configuration.
//! A bad file stops start-up with a message naming the file, the key and the fix.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod skill_settings;
mod skills;

pub use skill_settings::{OperatorSettings, SettingValue, SkillSettings};
pub use skills::SkillsConfig;

use crate::identity::Identity;
use crate::llm::{ProviderConfig, RoutingConfig};
use crate::mail::MailConfig;

/// Environment variable that names the configuration file when `--config` is not given.
pub const CONFIG_ENV: &str = "PRAXIMOUS_CONFIG";
/// Where `prax` looks for a configuration file when neither `--config` nor the variable is set.
pub const DEFAULT_CONFIG_PATH: &str = "config/praximous.toml";

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named by `--config` or `PRAXIMOUS_CONFIG` cannot be read.
    #[error("{path}: cannot read the configuration file: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("{path}: cannot write the configuration file: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not fit the schema.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the key and its line, from the TOML parser.
        message: String,
    },
    /// A value is out of range.
    #[error("{path}: `{key}` {problem}")]
    Value {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: String,
        /// What is wrong and what to do.
        problem: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// HTTP server settings.
    pub server: ServerConfig,
    /// The system identity and persona.
    pub identity: Identity,
    /// Skill runtime settings.
    pub skills: SkillsConfig,
    /// LLM providers.
    pub providers: Vec<ProviderConfig>,
    /// Which providers serve which task type.
    pub routing: RoutingConfig,
    /// The audit log.
    pub audit: AuditConfig,
    /// API keys.
    pub auth: AuthConfig,
    /// Skill registry: sources, trusted publishers, and `prax registry serve` settings.
    pub registry: RegistryConfig,
    /// The SMTP server skills granted `mail` send through; none by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailConfig>,
}

/// `[registry]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistryConfig {
    /// Where `prax skill install NAME` and the web UI look: a registry URL or a mirror folder.
    pub url: Option<String>,
    /// Publishers whose signatures are trusted: the contents of their `publisher.pub`.
    pub trusted_publishers: Vec<String>,
    /// Sources (registry URLs, mirror folders, bundle files) that may install unsigned
    /// skills: for development only. Signed skills are always checked.
    pub development_sources: Vec<String>,
    /// `prax registry serve`: variable holding publish tokens, comma-separated.
    pub publish_tokens_env: String,
    /// `prax registry serve`: largest component accepted, in MiB.
    pub max_component_mb: u64,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            url: None,
            trusted_publishers: Vec::new(),
            development_sources: Vec::new(),
            publish_tokens_env: "PRAX_REGISTRY_TOKENS".into(),
            max_component_mb: 64,
        }
    }
}

impl RegistryConfig {
    /// The trusted publishers' keys (validated at load, so none is skipped here).
    pub fn trusted_keys(&self) -> Vec<praximous_registry::signing::PublicKey> {
        self.trusted_publishers
            .iter()
            .filter_map(|text| praximous_registry::signing::PublicKey::parse(text).ok())
            .collect()
    }
}

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

/// `[audit]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Record every task request (on by default; off only to measure its cost).
    pub enabled: bool,
    /// Keep the prompt in each record.
    pub store_prompts: bool,
    /// Keep the answer (result or error detail) in each record.
    pub store_responses: bool,
    /// Longest prompt or answer kept, in bytes; the rest is cut.
    pub max_text_bytes: usize,
    /// Records older than this many days are purged.
    pub retention_days: u32,
    /// Daily roll-ups (what dashboards read) are kept this long.
    pub rollup_retention_days: u32,
    /// How often the purge runs, in seconds.
    pub purge_interval_secs: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            store_prompts: true,
            store_responses: true,
            max_text_bytes: 4096,
            retention_days: 30,
            rollup_retention_days: 400,
            purge_interval_secs: 3600,
        }
    }
}

/// `[server]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Directory for the store, installed skills and the compiled-skill cache.
    pub data_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: PathBuf::from("data"),
            max_body_bytes: 1 << 20,
        }
    }
}

impl Config {
    /// Load the configuration: from `explicit` if given (it must exist), else from
    /// [`DEFAULT_CONFIG_PATH`] if that file exists, else the built-in defaults.
    /// Returns the configuration and the file it came from, if any.
    pub fn load(explicit: Option<&Path>) -> Result<(Self, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(path) => path.to_owned(),
            None if Path::new(DEFAULT_CONFIG_PATH).is_file() => PathBuf::from(DEFAULT_CONFIG_PATH),
            None => return Ok((Self::default(), None)),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let config = Self::parse(&text, &path)?;
        Ok((config, Some(path)))
    }

    /// The file `prax` reads: `explicit` if given, else [`DEFAULT_CONFIG_PATH`].
    pub fn path_or_default(explicit: Option<&Path>) -> PathBuf {
        explicit.map_or_else(|| PathBuf::from(DEFAULT_CONFIG_PATH), Path::to_owned)
    }

    /// Parse and validate configuration text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let value = |key: &str, problem: String| ConfigError::Value {
            path: path.to_owned(),
            key: key.to_owned(),
            problem,
        };
        let skills = &self.skills;
        if !(1..=10_000).contains(&skills.max_concurrent) {
            return Err(value(
                "skills.max_concurrent",
                "must be between 1 and 10000".into(),
            ));
        }
        if skills.max_memory_mb == 0 || skills.max_memory_mb > 4096 {
            return Err(value(
                "skills.max_memory_mb",
                "must be between 1 and 4096 (MiB)".into(),
            ));
        }
        if skills.max_timeout_ms == 0 {
            return Err(value(
                "skills.max_timeout_ms",
                "must be at least 1 (ms)".into(),
            ));
        }
        if skills.reload_interval_ms < 50 {
            return Err(value(
                "skills.reload_interval_ms",
                "must be at least 50 (ms)".into(),
            ));
        }
        if self.server.max_body_bytes < 1024 {
            return Err(value(
                "server.max_body_bytes",
                "must be at least 1024 (bytes)".into(),
            ));
        }
        if self.auth.api_keys_env.trim().is_empty() {
            return Err(value(
                "auth.api_keys_env",
                "must name an environment variable, e.g. \"PRAXIMOUS_API_KEYS\"".into(),
            ));
        }
        if !(100..=3_600_000).contains(&self.auth.key_refresh_ms) {
            return Err(value(
                "auth.key_refresh_ms",
                "must be between 100 and 3600000 (ms)".into(),
            ));
        }
        if self.auth.max_failure_delay_ms > 60_000 {
            return Err(value(
                "auth.max_failure_delay_ms",
                "must be at most 60000 (ms)".into(),
            ));
        }
        self.identity
            .validate()
            .map_err(|problem| value("identity.sensitivity_level", problem))?;
        if self.audit.purge_interval_secs == 0 {
            return Err(value(
                "audit.purge_interval_secs",
                "must be at least 1 (seconds)".into(),
            ));
        }
        if self.audit.retention_days == 0 || self.audit.rollup_retention_days == 0 {
            return Err(value(
                "audit.retention_days",
                "and `audit.rollup_retention_days` must be at least 1 (days)".into(),
            ));
        }
        let mut names = std::collections::HashSet::new();
        for provider in &self.providers {
            provider
                .validate()
                .map_err(|problem| value("providers", problem))?;
            if !names.insert(provider.name.as_str()) {
                return Err(value(
                    "providers",
                    format!(
                        "has two entries named `{}`; names must be unique",
                        provider.name
                    ),
                ));
            }
        }
        if let Some(mail) = &self.mail {
            mail.validate()
                .map_err(|(key, problem)| value(&format!("mail.{key}"), problem))?;
        }
        for text in &self.registry.trusted_publishers {
            praximous_registry::signing::PublicKey::parse(text)
                .map_err(|e| value("registry.trusted_publishers", e.to_string()))?;
        }
        if !(1..=1024).contains(&self.registry.max_component_mb) {
            return Err(value(
                "registry.max_component_mb",
                "must be between 1 and 1024 (MiB)".into(),
            ));
        }
        self.skills
            .validate_per_skill()
            .map_err(|(key, problem)| value(&key, problem))?;
        let known: Vec<&str> = self.providers.iter().map(|p| p.name.as_str()).collect();
        self.routing
            .validate(&known)
            .map_err(|problem| value("routing", problem))?;
        Ok(())
    }

    /// Where installed skills live.
    pub fn skills_dir(&self) -> PathBuf {
        self.skills
            .dir
            .clone()
            .unwrap_or_else(|| self.server.data_dir.join("skills"))
    }

    /// Where the JSON Lines log files go.
    pub fn log_dir(&self) -> PathBuf {
        self.server.data_dir.join("logs")
    }

    /// The database: audit log and API keys.
    pub fn audit_db_path(&self) -> PathBuf {
        self.server.data_dir.join("praximous.db")
    }

    /// Where compiled skills are cached.
    pub fn cache_dir(&self) -> PathBuf {
        self.server.data_dir.join("cache")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("praximous.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let config = parse("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.server.bind.to_string(), "127.0.0.1:8000");
        assert_eq!(config.skills_dir(), PathBuf::from("data/skills"));
    }

    #[test]
    fn the_shipped_default_file_is_valid() {
        let text = include_str!("../../config/praximous.toml");
        parse(text).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn unknown_key_names_file_and_key() {
        let err = parse("[server]\nbnid = \"127.0.0.1:1\"\n")
            .err()
            .unwrap_or_default();
        assert!(err.starts_with("praximous.toml: "), "{err}");
        assert!(err.contains("bnid"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let err = parse("[skills]\nmax_concurrent = \"many\"\n")
            .err()
            .unwrap_or_default();
        assert!(err.contains("max_concurrent"), "{err}");
    }

    #[test]
    fn a_rule_naming_an_unknown_provider_stops_startup() {
        let err = parse("[routing.rules]\nask = [\"olama\"]\n")
            .err()
            .unwrap_or_default();
        assert_eq!(
            err,
            "praximous.toml: `routing` rule `ask` names provider `olama`, which no [[providers]] entry defines (known: none)"
        );
        let err = parse("[routing]\ncircuit_failures = 0\n")
            .err()
            .unwrap_or_default();
        assert!(err.contains("circuit_failures"), "{err}");
        let err = parse("[audit]\npurge_interval_secs = 0\n")
            .err()
            .unwrap_or_default();
        assert!(err.contains("audit.purge_interval_secs"), "{err}");
    }

    #[test]
    fn out_of_range_value_says_the_fix() {
        let err = parse("[skills]\nmax_concurrent = 0\n")
            .err()
            .unwrap_or_default();
        assert_eq!(
            err,
            "praximous.toml: `skills.max_concurrent` must be between 1 and 10000"
        );
    }
}
