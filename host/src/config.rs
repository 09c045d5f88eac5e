//! Configuration: `praximous.toml`, its defaults, and its validation.
//!
//! Every setting has a working default, so a missing file is a valid configuration.
//! A bad file stops start-up with a message naming the file, the key and the fix.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod addresses;
mod audit;
mod auth;
mod commerce;
mod knowledge;
mod license;
mod network;
mod registry;
mod server;
pub mod skill_settings;
mod skills;
mod sso;
pub mod store;

pub use audit::{AuditConfig, AuditDurability};
pub use auth::AuthConfig;
pub use commerce::{CommerceConfig, PriceTerms};
pub use knowledge::{KnowledgeConfig, VectorStoreKind};
pub use license::LicenseConfig;
pub use network::NetworkConfig;
pub use registry::RegistryConfig;
pub use server::ServerConfig;
pub use skill_settings::{OperatorSettings, SettingValue, SkillSettings};
pub use skills::SkillsConfig;
pub use sso::SsoConfig;
pub use store::{StoreConfig, StoreLocation};

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

/// A problem with one key: the dotted key and what is wrong with it, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The dotted key, e.g. `skills.max_concurrent`.
    pub key: String,
    /// What is wrong and what to do.
    pub problem: String,
}

impl FieldError {
    /// A problem with `key`.
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
        }
    }
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
    /// How the names the host connects to are resolved.
    pub network: NetworkConfig,
    /// Private documents, searched by skills and callers.
    pub knowledge: KnowledgeConfig,
    /// Where the audit log, API keys and other shared state live.
    pub store: StoreConfig,
    /// The licence key and the evaluation.
    pub license: LicenseConfig,
    /// The vendor's licence provisioning from Paddle Billing; none by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commerce: Option<CommerceConfig>,
    /// Single sign-on to the web UI with an OpenID Connect provider; none by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sso: Option<SsoConfig>,
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
        self.check()
            .map_err(|FieldError { key, problem }| ConfigError::Value {
                path: path.to_owned(),
                key,
                problem,
            })
    }

    /// Each section checks itself; the first problem found is reported.
    fn check(&self) -> Result<(), FieldError> {
        self.skills.validate()?;
        self.server.validate()?;
        self.auth.validate()?;
        self.audit.validate()?;
        self.store.validate()?;
        self.license.validate()?;
        self.knowledge.validate()?;
        let mut names = std::collections::HashSet::new();
        for provider in &self.providers {
            provider
                .validate()
                .map_err(|problem| FieldError::new("providers", problem))?;
            if !names.insert(provider.name.as_str()) {
                return Err(FieldError::new(
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
                .map_err(|(key, problem)| FieldError::new(format!("mail.{key}"), problem))?;
        }
        if let Some(commerce) = &self.commerce {
            commerce.validate()?;
            if self.mail.is_none() {
                return Err(FieldError::new(
                    "commerce",
                    "e-mails each licence it issues: add a [mail] table (the SMTP server and the sender) too",
                ));
            }
        }
        if let Some(sso) = &self.sso {
            sso.validate()?;
        }
        self.registry.validate()?;
        self.skills
            .validate_per_skill()
            .map_err(|(key, problem)| FieldError::new(key, problem))?;
        let known: Vec<&str> = self.providers.iter().map(|p| p.name.as_str()).collect();
        self.routing
            .validate(&known)
            .map_err(|problem| FieldError::new("routing", problem))
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

    /// The database: audit log and API keys (SQLite in the data directory, PostgreSQL, or
    /// another SQLite file), as `[store]` and the environment say.
    pub fn store_location(
        &self,
        env: &crate::environment::Environment,
    ) -> Result<StoreLocation, FieldError> {
        self.store.location(&self.server.data_dir, env)
    }

    /// Where compiled skills are cached.
    pub fn cache_dir(&self) -> PathBuf {
        self.server.data_dir.join("cache")
    }

    /// The key that binds compiled-cache entries to their components: outside the cache, so
    /// whoever can write cache entries cannot also forge them.
    pub fn cache_key_path(&self) -> PathBuf {
        self.server.data_dir.join("secrets").join("cache.key")
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
