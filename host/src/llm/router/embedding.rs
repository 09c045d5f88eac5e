//! Embeddings through a route: vectors of one model only, failing over among the route's
//! providers of that model (or, for a model named by a collection, among those that embed).

use super::{Answer, Attempt, DEFAULT_ROUTE, Mode, RouteError, Router};
use crate::llm::client::Embeddings;
use crate::llm::provider::CompletionRequest;

impl Router {
    /// The embedding model `route` (or the default route) would use, if any provider on it has one.
    pub fn embedding_model(&self, route: &str) -> Option<String> {
        if !self.routes.contains_key(route)
            && let Some((index, _)) = self.pinned(route)
        {
            return self.providers[index].config.embedding_model.clone();
        }
        let steps = self
            .routes
            .get(route)
            .or_else(|| self.routes.get(DEFAULT_ROUTE))?;
        steps
            .iter()
            .find_map(|(i, _)| self.providers[*i].config.embedding_model.clone())
    }

    /// Embed `inputs` through `route`'s providers that have an `embedding_model` (failing over
    /// only among those with the first one's model). Returns the vectors and the provider.
    pub async fn embed(
        &self,
        route: &str,
        inputs: &[String],
    ) -> Result<(Embeddings, String, Vec<Attempt>), RouteError> {
        self.embed_as(route, None, inputs).await
    }

    /// Embed `inputs` through `route` with `model` when given: first by the providers
    /// configured with that model, else by every provider on the route that embeds (asked for
    /// `model` by name). Vectors of different models never mix.
    pub async fn embed_as(
        &self,
        route: &str,
        model: Option<&str>,
        inputs: &[String],
    ) -> Result<(Embeddings, String, Vec<Attempt>), RouteError> {
        let request = CompletionRequest::default();
        let (answer, provider, attempts) = self
            .run(route, &request, Mode::Embed(inputs, model))
            .await?;
        match answer {
            Answer::Embedded(embeddings) => {
                Ok((embeddings, provider.config.name.clone(), attempts))
            }
            _ => Err(RouteError::Unavailable {
                route: route.to_owned(),
                attempts,
            }),
        }
    }
}
