//! Which native client serves each provider type: the one place that knows them all.

use std::sync::Arc;

use super::client::{Endpoint, LlmProvider};
use super::provider_config::{ProviderConfig, ProviderKind};
use super::{anthropic, gemini, ollama, openai};

/// The native client for `config`'s provider type.
pub fn for_config(config: &ProviderConfig, endpoint: Endpoint) -> Arc<dyn LlmProvider> {
    match config.kind {
        ProviderKind::Gemini => Arc::new(gemini::Gemini(endpoint)),
        ProviderKind::Ollama => Arc::new(ollama::Ollama {
            endpoint,
            num_ctx: config.num_ctx,
        }),
        ProviderKind::Openai => Arc::new(openai::OpenAi(endpoint)),
        ProviderKind::Anthropic => Arc::new(anthropic::Anthropic(endpoint)),
    }
}

/// Where `kind`'s public API lives, for a provider configured without a base URL.
pub fn default_base_url(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Gemini => gemini::DEFAULT_BASE_URL,
        ProviderKind::Ollama => ollama::DEFAULT_BASE_URL,
        ProviderKind::Openai => openai::DEFAULT_BASE_URL,
        ProviderKind::Anthropic => anthropic::DEFAULT_BASE_URL,
    }
}
