//! LLM providers (one file each) and the router that fails over between them.

pub mod anthropic;
pub mod circuit;
pub mod client;
pub mod embeddings;
pub mod gemini;
pub mod http;
pub mod locality;
pub mod native;
pub mod ollama;
pub mod openai;
pub mod persona;
pub mod provider;
pub mod provider_config;
pub mod provider_gate;
pub mod route_outcome;
pub mod routed_stream;
pub mod router;
pub mod routing_config;
pub mod stream;

pub use client::{LlmProvider, StreamEvent};
pub use provider::{
    Ask, Completion, CompletionRequest, FinishReason, ProviderError, Turn, TurnRole, Usage,
};
pub use provider_config::{ProviderConfig, ProviderKind};
pub use routed_stream::RoutedStream;
pub use router::{Attempt, RouteError, Routed, Router};
pub use routing_config::{RouteEntry, RoutingConfig};
