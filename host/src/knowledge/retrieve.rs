//! Answering a search: the question embedded (when the collection is searched by meaning and
//! the mode asks for it), each index asked for its best passages within the filters, the
//! rankings fused, and the passages read back from the rows (a passage deleted meanwhile is
//! left out, never shown stale).

use std::collections::HashMap;
use std::sync::Arc;

use super::hybrid::{Fused, fuse};
use super::indexes::meaning_failed;
use super::search::{Filters, Passage, SearchAnswer, SearchMode, SearchRequest};
use super::store::{Chunk, Collection};
use super::vectors::VectorError;
use super::{Knowledge, KnowledgeError, blocking};

/// How many passages each index hands to the fusion, for `top_k` asked: enough that a passage
/// one ranking puts low but the other high still meets.
fn depth(top_k: usize) -> usize {
    (top_k * 4).clamp(40, 200)
}

impl Knowledge {
    /// Search a collection.
    pub async fn search(
        self: &Arc<Self>,
        collection: &str,
        request: &SearchRequest,
    ) -> Result<SearchAnswer, KnowledgeError> {
        let filters = request.check().map_err(KnowledgeError::Invalid)?;
        let (this, name) = (self.clone(), collection.to_owned());
        let found = blocking(move || this.found(&name)).await?.collection;
        let mut note = None;
        let query_vector = match request.mode {
            SearchMode::Lexical => None,
            SearchMode::Vector => Some(
                self.embed_query(&found, &request.query)
                    .await?
                    .ok_or_else(|| KnowledgeError::NoVectors(found.name.clone()))?,
            ),
            SearchMode::Hybrid => match self.embed_query(&found, &request.query).await {
                Ok(vector) => vector,
                Err(error) => {
                    tracing::warn!(collection = %found.name, %error, "a hybrid search falls back to words alone");
                    note = Some(format!("searched by words alone: {error}"));
                    None
                }
            },
        };
        let (this, request) = (self.clone(), request.clone());
        blocking(move || this.retrieve(&found, &request, &filters, query_vector, note)).await
    }

    fn retrieve(
        &self,
        collection: &Collection,
        request: &SearchRequest,
        filters: &Filters,
        query_vector: Option<Vec<f32>>,
        mut note: Option<String>,
    ) -> Result<SearchAnswer, KnowledgeError> {
        let failed = |reason: String| KnowledgeError::Index {
            collection: collection.name.clone(),
            reason,
        };
        if !self.is_open(collection) {
            self.sync(collection)?;
        }
        let vectors = match &query_vector {
            Some(_) => match self.open_vectors(collection) {
                Some(index) => Some(index),
                None if request.mode == SearchMode::Vector => {
                    return Err(KnowledgeError::VectorsNotReady(collection.name.clone()));
                }
                None => {
                    note = Some("searched by words alone: the meaning index is being built".into());
                    None
                }
            },
            None => None,
        };
        let mut mode = match (request.mode, &vectors) {
            (SearchMode::Vector, _) => SearchMode::Vector,
            (SearchMode::Hybrid, Some(_)) => SearchMode::Hybrid,
            _ => SearchMode::Lexical,
        };
        let mut titles: HashMap<String, String> = HashMap::new();
        let mut meanings = Vec::new();
        let mut meaning_scores = HashMap::new();
        if let (Some(index), Some(query)) = (&vectors, &query_vector) {
            let wanted = if mode == SearchMode::Hybrid {
                depth(request.top_k)
            } else {
                request.top_k
            };
            match index.search(query, filters, wanted) {
                Ok(hits) => {
                    for hit in hits {
                        titles.entry(hit.document.clone()).or_insert(hit.title);
                        meaning_scores.insert((hit.document.clone(), hit.position), hit.score);
                        meanings.push((hit.document, hit.position));
                    }
                }
                // The vector server is down: a hybrid search still answers, by its words.
                Err(error @ (VectorError::Remote(_) | VectorError::Gone(_)))
                    if mode == SearchMode::Hybrid =>
                {
                    note = Some(format!("searched by words alone: {error}"));
                    mode = SearchMode::Lexical;
                }
                Err(error) => return Err(meaning_failed(collection)(error)),
            }
        }
        let mut words = Vec::new();
        let mut word_scores = HashMap::new();
        if mode != SearchMode::Vector {
            let wanted = if mode == SearchMode::Hybrid {
                depth(request.top_k)
            } else {
                request.top_k
            };
            for hit in self
                .lexical(collection)?
                .search(&request.query, filters, wanted)
                .map_err(|e| failed(e.to_string()))?
            {
                titles.entry(hit.document.clone()).or_insert(hit.title);
                word_scores.insert((hit.document.clone(), hit.position), hit.score);
                words.push((hit.document, hit.position));
            }
        }
        let ranked: Vec<Fused> = match mode {
            SearchMode::Hybrid => fuse(
                &words,
                &meanings,
                (self.config.lexical_weight, self.config.vector_weight),
                request.top_k,
            ),
            SearchMode::Lexical => single(&words, &word_scores, true),
            SearchMode::Vector => single(&meanings, &meaning_scores, false),
        };
        let keys: Vec<(String, u64)> = ranked
            .iter()
            .map(|f| (f.document.clone(), f.position))
            .collect();
        let mut texts: HashMap<(String, u64), Chunk> = self
            .store
            .chunks(&collection.name, &keys)?
            .into_iter()
            .map(|chunk| ((chunk.document.clone(), chunk.position), chunk))
            .collect();
        let passages = ranked
            .into_iter()
            .filter_map(|f| {
                let chunk = texts.remove(&(f.document.clone(), f.position))?;
                Some((f, chunk))
            })
            .enumerate()
            .map(|(rank, (f, chunk))| Passage {
                rank: rank + 1,
                title: titles.get(&f.document).cloned().unwrap_or_default(),
                document: f.document,
                position: f.position,
                heading_path: chunk.heading_path,
                page: chunk.page,
                text: chunk.text,
                score: f.score,
                lexical_rank: f.lexical_rank,
                vector_rank: f.vector_rank,
            })
            .collect();
        Ok(SearchAnswer {
            mode,
            passages,
            note,
        })
    }
}

/// One index's ranking as it is, with its own scores.
fn single(
    hits: &[(String, u64)],
    scores: &HashMap<(String, u64), f32>,
    lexical: bool,
) -> Vec<Fused> {
    hits.iter()
        .enumerate()
        .map(|(index, (document, position))| Fused {
            document: document.clone(),
            position: *position,
            score: scores
                .get(&(document.clone(), *position))
                .copied()
                .unwrap_or_default(),
            lexical_rank: lexical.then_some(index + 1),
            vector_rank: (!lexical).then_some(index + 1),
        })
        .collect()
}
