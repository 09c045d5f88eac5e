//! The provider trait: what the router asks of each provider's native client. One
//! implementation per provider file, built once from the configuration (`native.rs`); the
//! router holds them as trait objects and never matches on the provider's type.
//!
//! Completions are what the router uses today. Streaming and embeddings are part of the
//! contract so that later features (token streaming to callers, the knowledge store) add
//! native implementations without changing the router: until a provider has one, streaming
//! delivers its whole completion as one chunk, and embeddings answer `Unsupported`.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::Stream;

use super::provider::{Completion, CompletionRequest, ProviderError};

/// A provider call in flight.
pub type ProviderFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, ProviderError>> + Send + 'a>>;

/// One event of a streamed completion.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// More generated text.
    Delta(String),
    /// The end: the whole completion, with finish reason and usage.
    Done(Completion),
}

/// A streamed completion: deltas, then `Done`, or an error.
pub type CompletionStream = Pin<Box<dyn Stream<Item = Result<StreamEvent, ProviderError>> + Send>>;

/// Embedding vectors, one per input, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    /// The model that embedded.
    pub model: String,
    /// One vector per input.
    pub vectors: Vec<Vec<f32>>,
}

/// A provider's native client.
pub trait LlmProvider: Send + Sync {
    /// One completion of `request` by `model`.
    fn complete<'a>(
        &'a self,
        model: &'a str,
        request: &'a CompletionRequest,
    ) -> ProviderFuture<'a, Completion>;

    /// A streamed completion. By default the whole completion arrives as one delta.
    fn stream<'a>(
        &'a self,
        model: &'a str,
        request: &'a CompletionRequest,
    ) -> ProviderFuture<'a, CompletionStream> {
        Box::pin(async move {
            let completion = self.complete(model, request).await?;
            let events = [
                Ok(StreamEvent::Delta(completion.text.clone())),
                Ok(StreamEvent::Done(completion)),
            ];
            Ok(Box::pin(futures_util::stream::iter(events)) as CompletionStream)
        })
    }

    /// Embed each of `inputs` with `model`. By default the provider has no embeddings.
    fn embed<'a>(&'a self, model: &'a str, inputs: &'a [String]) -> ProviderFuture<'a, Embeddings> {
        let _ = (model, inputs);
        Box::pin(async move { Err(ProviderError::Unsupported("embeddings".into())) })
    }
}

/// Where and how to reach one provider, resolved from its configuration.
#[derive(Clone)]
pub struct Endpoint {
    /// Shared connection pool.
    pub http: reqwest::Client,
    /// Base URL.
    pub base_url: String,
    /// API key, for providers that take one.
    pub api_key: Option<String>,
    /// Per-attempt timeout.
    pub timeout: Duration,
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt as _;

    use super::*;
    use crate::llm::{FinishReason, Usage};

    struct Fixed;

    impl LlmProvider for Fixed {
        fn complete<'a>(
            &'a self,
            model: &'a str,
            request: &'a CompletionRequest,
        ) -> ProviderFuture<'a, Completion> {
            Box::pin(async move {
                Ok(Completion {
                    text: format!("{model}: {}", request.prompt),
                    model: model.to_owned(),
                    finish_reason: FinishReason::Stop,
                    usage: Usage::default(),
                })
            })
        }
    }

    fn request() -> CompletionRequest {
        CompletionRequest {
            system: String::new(),
            prompt: "hi".into(),
            ..CompletionRequest::default()
        }
    }

    #[tokio::test]
    async fn a_provider_without_native_streaming_streams_its_completion_whole() {
        let request = request();
        let events: Vec<_> = match Fixed.stream("m", &request).await {
            Ok(stream) => stream.collect().await,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(events.len(), 2);
        assert_eq!(events[0], Ok(StreamEvent::Delta("m: hi".into())));
        assert!(matches!(&events[1], Ok(StreamEvent::Done(c)) if c.text == "m: hi"));
    }

    #[tokio::test]
    async fn a_provider_without_embeddings_says_so() {
        let result = Fixed.embed("m", &["x".to_owned()]).await;
        assert_eq!(result, Err(ProviderError::Unsupported("embeddings".into())));
    }
}
