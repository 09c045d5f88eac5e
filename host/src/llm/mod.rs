//! LLM providers. For now: their configuration, and which credentials each one needs.

pub mod provider_config;

pub use provider_config::{ProviderConfig, ProviderKind};
