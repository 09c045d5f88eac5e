//! What turns passages and questions into vectors: the providers of a route, through the
//! router (so its failover, licence gate and metrics apply), never mixing models.

use futures_util::future::BoxFuture;

use crate::llm::router::Router;

/// Vectors for some texts, and the model that made them.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedded {
    /// The model.
    pub model: String,
    /// One vector per input, in order.
    pub vectors: Vec<Vec<f32>>,
}

/// Makes vectors of text.
pub trait Embedder: Send + Sync + 'static {
    /// The model `route` embeds with now, if any of its providers embeds.
    fn model(&self, route: &str) -> Option<String>;

    /// Embed `inputs` through `route` with `model`.
    fn embed<'a>(
        &'a self,
        route: &'a str,
        model: &'a str,
        inputs: &'a [String],
    ) -> BoxFuture<'a, Result<Embedded, String>>;
}

impl Embedder for Router {
    fn model(&self, route: &str) -> Option<String> {
        self.embedding_model(route)
    }

    fn embed<'a>(
        &'a self,
        route: &'a str,
        model: &'a str,
        inputs: &'a [String],
    ) -> BoxFuture<'a, Result<Embedded, String>> {
        Box::pin(async move {
            let (embeddings, _provider, _attempts) = self
                .embed_as(route, Some(model), inputs)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Embedded {
                model: model.to_owned(),
                vectors: embeddings.vectors,
            })
        })
    }
}
