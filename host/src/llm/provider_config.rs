//! `[[providers]]`: the LLM providers an operator configures, and the environment variables
//! that hold their secrets (never the secrets themselves).

use serde::{Deserialize, Serialize};

/// The API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Google Gemini `generateContent`.
    Gemini,
    /// Ollama `/api/chat`.
    Ollama,
    /// Any OpenAI-compatible server.
    Openai,
    /// Anthropic `/v1/messages`.
    Anthropic,
}

/// One `[[providers]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Unique name; routing rules and audit records use it.
    pub name: String,
    /// Which API it speaks.
    #[serde(rename = "type")]
    pub kind: ProviderKind,
    /// The model to ask for.
    pub model: String,
    /// The server's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Environment variable holding the base URL, instead of `base_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url_env: Option<String>,
    /// Environment variable holding the API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// Per-attempt timeout of a whole (not streamed) answer, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Streamed answers: longest wait for the first token, in milliseconds. Generous, for
    /// reasoning models that think for minutes before they write.
    #[serde(default = "default_first_token_timeout_ms")]
    pub first_token_timeout_ms: u64,
    /// Streamed answers: longest silence between two tokens, in milliseconds.
    #[serde(default = "default_stall_timeout_ms")]
    pub stall_timeout_ms: u64,
    /// Whether the router may use it.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// Lower runs first when a route does not order providers itself.
    #[serde(default)]
    pub priority: i32,
    /// The model that embeds text (`/v1/embeddings`), if this provider offers one
    /// (OpenAI-compatible, Ollama and Gemini providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedding_model: Option<String>,
    /// Ollama only: the smallest context window to ask for (`num_ctx`); grown for long prompts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_ctx: Option<u32>,
    /// Internal address ranges (`"10.0.0.0/8"`) the base URL's name may resolve to. Without
    /// them only public addresses are reached, unless the URL names an address or `localhost`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::config::addresses::address_ranges"
    )]
    pub allow_cidrs: Vec<ipnet::IpNet>,
}

fn default_timeout_ms() -> u64 {
    30_000
}

fn default_first_token_timeout_ms() -> u64 {
    180_000
}

fn default_stall_timeout_ms() -> u64 {
    60_000
}

fn default_enabled() -> bool {
    true
}

/// An environment variable a provider needs, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The provider that names it.
    pub provider: String,
    /// The variable.
    pub variable: String,
    /// Whether it holds a secret (an API key) rather than a URL.
    pub secret: bool,
}

impl ProviderConfig {
    /// The environment variables this provider reads.
    pub fn credentials(&self) -> Vec<Credential> {
        let mut out = Vec::new();
        if let Some(variable) = &self.api_key_env {
            out.push(Credential {
                provider: self.name.clone(),
                variable: variable.clone(),
                secret: true,
            });
        }
        if let Some(variable) = &self.base_url_env {
            out.push(Credential {
                provider: self.name.clone(),
                variable: variable.clone(),
                secret: false,
            });
        }
        out
    }

    /// Check one entry.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("entry with an empty `name`: give each provider a unique name".into());
        }
        if self.model.trim().is_empty() {
            return Err(format!("entry `{}`: `model` must not be empty", self.name));
        }
        if self.base_url.is_some() && self.base_url_env.is_some() {
            return Err(format!(
                "entry `{}`: set `base_url` or `base_url_env`, not both",
                self.name
            ));
        }
        for variable in [&self.api_key_env, &self.base_url_env]
            .into_iter()
            .flatten()
        {
            let valid = !variable.is_empty()
                && variable
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !variable.as_bytes()[0].is_ascii_digit();
            if !valid {
                return Err(format!(
                    "entry `{}`: `{variable}` is not an environment variable name (letters, digits, `_`)",
                    self.name
                ));
            }
        }
        for (key, value) in [
            ("timeout_ms", self.timeout_ms),
            ("first_token_timeout_ms", self.first_token_timeout_ms),
            ("stall_timeout_ms", self.stall_timeout_ms),
        ] {
            if value == 0 {
                return Err(format!("entry `{}`: `{key}` must be at least 1", self.name));
            }
        }
        Ok(())
    }
}

/// Every credential the enabled providers need, each variable once.
pub fn needed_credentials(providers: &[ProviderConfig]) -> Vec<Credential> {
    let mut seen = std::collections::HashSet::new();
    providers
        .iter()
        .filter(|p| p.enabled)
        .flat_map(ProviderConfig::credentials)
        .filter(|c| seen.insert(c.variable.clone()))
        .collect()
}
