//! Embedding a document's passages before it is stored (each distinct passage once; a passage
//! with a vector already keeps it) and a question before it is searched, through the route
//! that serves the collection, in batches and a few at a time.

use std::collections::HashSet;
use std::sync::Arc;

use super::store::{Chunk, Collection, CollectionStats, PassageVectors};
use super::{Knowledge, KnowledgeError, blocking};

impl Knowledge {
    /// The route and model new passages of `found` are embedded with: the collection's own
    /// model, or its route's while it holds no passages yet. None when it is not searched by
    /// meaning, or when its passages are still being embedded for the first time (that work
    /// takes new passages along).
    fn passage_model(&self, found: &CollectionStats) -> Option<(String, String)> {
        let route = self.route_of(&found.collection)?;
        let embedder = self.embedder.as_ref()?;
        match &found.collection.embedding_model {
            Some(model) => Some((route, model.clone())),
            None if found.chunks == 0 => {
                let model = embedder.model(&route)?;
                Some((route, model))
            }
            None => None,
        }
    }

    /// Vectors for those of `chunks` that have none of the collection's model yet.
    pub(super) async fn embed_passages(
        self: &Arc<Self>,
        found: &CollectionStats,
        chunks: &[Chunk],
    ) -> Result<Option<PassageVectors>, KnowledgeError> {
        let Some((route, model)) = self.passage_model(found) else {
            return Ok(None);
        };
        let mut seen = HashSet::new();
        let mut wanted: Vec<(String, String)> = chunks
            .iter()
            .filter(|chunk| seen.insert(chunk.hash.clone()))
            .map(|chunk| {
                (
                    chunk.hash.clone(),
                    Chunk::embedding_input(&chunk.heading_path, &chunk.text),
                )
            })
            .collect();
        let hashes: Vec<String> = wanted.iter().map(|(hash, _)| hash.clone()).collect();
        let (this, name, of) = (self.clone(), found.collection.name.clone(), model.clone());
        let kept: HashSet<String> =
            blocking(move || Ok(this.store.vectors(&name, &of, &hashes)?))
                .await?
                .into_iter()
                .map(|(hash, _)| hash)
                .collect();
        wanted.retain(|(hash, _)| !kept.contains(hash));
        if wanted.is_empty() {
            return Ok(found.collection.dimension.map(|dimension| PassageVectors {
                model,
                dimension,
                vectors: Vec::new(),
            }));
        }
        let inputs: Vec<String> = wanted.iter().map(|(_, input)| input.clone()).collect();
        let vectors = self
            .embed_all(&found.collection, &route, &model, &inputs)
            .await?;
        let dimension = checked_dimension(&found.collection, &model, &vectors)?;
        Ok(Some(PassageVectors {
            model,
            dimension,
            vectors: wanted
                .into_iter()
                .map(|(hash, _)| hash)
                .zip(vectors)
                .collect(),
        }))
    }

    /// Embed `inputs` with `model` through `route`: `[knowledge] embed_batch` at a time,
    /// `embed_concurrency` requests in flight.
    pub(super) async fn embed_all(
        &self,
        collection: &Collection,
        route: &str,
        model: &str,
        inputs: &[String],
    ) -> Result<Vec<Vec<f32>>, KnowledgeError> {
        let failed = |reason: String| KnowledgeError::Embedding {
            collection: collection.name.clone(),
            route: route.to_owned(),
            reason,
        };
        let Some(embedder) = self.embedder.as_ref() else {
            return Err(failed("this server has no embedding providers".into()));
        };
        let batches: Vec<&[String]> = inputs.chunks(self.config.embed_batch).collect();
        let mut vectors = Vec::with_capacity(inputs.len());
        for group in batches.chunks(self.config.embed_concurrency) {
            let answers = futures_util::future::join_all(
                group
                    .iter()
                    .map(|batch| embedder.embed(route, model, batch)),
            )
            .await;
            for (batch, answer) in group.iter().zip(answers) {
                let embedded = answer.map_err(&failed)?;
                if embedded.vectors.len() != batch.len() {
                    return Err(failed(format!(
                        "{} vectors came back for {} passages",
                        embedded.vectors.len(),
                        batch.len()
                    )));
                }
                vectors.extend(embedded.vectors);
            }
        }
        Ok(vectors)
    }

    /// The question's vector, for a collection searched by meaning (`Ok(None)`: it is not).
    pub(super) async fn embed_query(
        &self,
        collection: &Collection,
        query: &str,
    ) -> Result<Option<Vec<f32>>, KnowledgeError> {
        let (Some(route), Some(model)) = (self.route_of(collection), &collection.embedding_model)
        else {
            return Ok(None);
        };
        let mut vectors = self
            .embed_all(collection, &route, model, &[query.to_owned()])
            .await?;
        let vector = vectors.pop().unwrap_or_default();
        checked_dimension(collection, model, std::slice::from_ref(&vector))?;
        Ok(Some(vector))
    }
}

/// The vectors' common dimension, which must be the collection's when it has one.
pub(super) fn checked_dimension(
    collection: &Collection,
    model: &str,
    vectors: &[Vec<f32>],
) -> Result<u32, KnowledgeError> {
    let first = vectors.first().map_or(0, Vec::len);
    if first == 0 || vectors.iter().any(|v| v.len() != first) {
        return Err(KnowledgeError::ModelConflict(format!(
            "`{model}` gave vectors of different or no dimensions for collection `{}`",
            collection.name
        )));
    }
    let dimension = u32::try_from(first).unwrap_or(u32::MAX);
    match collection.dimension {
        Some(expected)
            if expected != dimension && collection.embedding_model.as_deref() == Some(model) =>
        {
            Err(KnowledgeError::ModelConflict(format!(
                "`{model}` now gives {dimension}-dimension vectors; collection `{}` was built with {expected}: the provider's model changed under its name. Give the new model its own name in the provider's `embedding_model` and the collection is embedded again",
                collection.name
            )))
        }
        _ => Ok(dimension),
    }
}
