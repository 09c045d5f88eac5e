//! The meaning index of one collection: an HNSW graph (usearch) of its passages' vectors, for
//! one embedding model. Like the words index it is derived from the store's rows and records
//! the last change-log entry it reflects; unlike it, writing it out is costly (the vectors
//! themselves), so it is saved when the collection has been quiet a moment, as a whole new
//! generation named by a `CURRENT` file, and checked (length and CRC-32) when opened. After a
//! crash the last saved generation is opened and caught up on the log; anything unusable is
//! rebuilt from the rows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

use super::search::Filters;
use gate::Gate;

mod gate;
mod saved;

/// Why the index failed.
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    /// A file could not be written or read.
    #[error("the meaning index at {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The graph library refused an operation.
    #[error("the meaning index: {0}")]
    Graph(String),
    /// The server that keeps the vectors (Chroma) failed or could not be reached.
    #[error("{0}")]
    Remote(String),
    /// The server that kept the vectors no longer has them (deleted behind our back).
    #[error("{0}")]
    Gone(String),
    /// A vector of the wrong size.
    #[error(
        "a vector has {found} dimensions; the index of `{model}` holds {expected}-dimension vectors"
    )]
    Dimension {
        /// The index's model.
        model: String,
        /// Its dimension.
        expected: usize,
        /// What came.
        found: usize,
    },
}

/// How the graph keeps each vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Half precision: half the memory, distances within a rounding of full precision's.
    #[default]
    F16,
    /// Full precision.
    F32,
}

/// How the graph is built and searched (`[knowledge]` `hnsw_*`, `vector_precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VectorSettings {
    /// How each vector is kept.
    pub precision: Precision,
    /// Neighbours per node (HNSW `M`).
    pub connectivity: usize,
    /// Breadth of the search for neighbours while adding (`efConstruction`).
    pub expansion_add: usize,
    /// Breadth of a search (`ef`): higher finds more of the true nearest, slower.
    pub expansion_search: usize,
}

/// A document as the index knows it: what filters look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct DocumentFacts {
    id: String,
    title: String,
    tags: Vec<String>,
    day: Option<i64>,
}

/// A changed document's current version, as applied: its facts and its passages' vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentVectors {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its date, as days since 1970-01-01.
    pub day: Option<i64>,
    /// `(position, vector)` for each passage.
    pub vectors: Vec<(u64, Vec<f32>)>,
}

/// Refuse `changed` if any of its vectors is not of `dimension` (the index of `model`).
pub fn check_dimensions(
    changed: &[(String, Option<DocumentVectors>)],
    model: &str,
    dimension: usize,
) -> Result<(), VectorError> {
    changed
        .iter()
        .filter_map(|(_, current)| current.as_ref())
        .flat_map(|document| &document.vectors)
        .try_for_each(|(_, v)| check_dimension(v, model, dimension))
}

/// Refuse `vector` (a passage's or a question's) if it is not of `dimension`.
pub fn check_dimension(vector: &[f32], model: &str, dimension: usize) -> Result<(), VectorError> {
    if vector.len() == dimension {
        return Ok(());
    }
    Err(VectorError::Dimension {
        model: model.to_owned(),
        expected: dimension,
        found: vector.len(),
    })
}

/// A passage the index found.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorHit {
    /// Its document.
    pub document: String,
    /// That document's title.
    pub title: String,
    /// Its place in the document.
    pub position: u64,
    /// Cosine similarity to the query (1: the same direction).
    pub score: f32,
}

struct Entry {
    facts: Arc<DocumentFacts>,
    /// `(key, position)` of each passage.
    keys: Vec<(u64, u64)>,
}

struct Inner {
    graph: Index,
    by_key: HashMap<u64, (Arc<DocumentFacts>, u64)>,
    documents: HashMap<String, Entry>,
    next_key: u64,
    applied: i64,
    saved: i64,
    changed_at: Instant,
    saved_at: Instant,
}

/// How many searches and writers may be inside the graph at once: each needs one of the
/// graph's thread contexts (usearch fails a search that finds none free).
const CONTEXTS: usize = 16;
/// Passages at or under this many, after filters, are compared one by one: exact, and no
/// graph walk through a mostly filtered-out neighbourhood.
const EXACT_LIMIT: usize = 4096;
/// One collection's meaning index, for one model.
pub struct VectorIndex {
    dir: PathBuf,
    model: String,
    dimension: usize,
    precision: Precision,
    inner: RwLock<Inner>,
    gate: Gate,
}

/// How [`VectorIndex::open`] found the folder.
pub enum OpenedVectors {
    /// A sound index of the expected model.
    Current(Box<VectorIndex>),
    /// Nothing usable: `why`, for the log.
    Unusable(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> VectorError + '_ {
    move |source| VectorError::Io {
        path: path.to_owned(),
        source,
    }
}

fn graph_error(error: impl std::fmt::Display) -> VectorError {
    VectorError::Graph(error.to_string())
}

fn new_graph(dimension: usize, settings: VectorSettings) -> Result<Index, VectorError> {
    let options = IndexOptions {
        dimensions: dimension,
        metric: MetricKind::Cos,
        quantization: match settings.precision {
            Precision::F16 => ScalarKind::F16,
            Precision::F32 => ScalarKind::F32,
        },
        connectivity: settings.connectivity,
        expansion_add: settings.expansion_add,
        expansion_search: settings.expansion_search,
        multi: false,
    };
    let graph = Index::new(&options).map_err(graph_error)?;
    graph
        .reserve_capacity_and_threads(1024, CONTEXTS)
        .map_err(graph_error)?;
    Ok(graph)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut aa, mut bb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        return 0.0;
    }
    dot / (aa.sqrt() * bb.sqrt())
}

impl VectorIndex {
    /// Why [`VectorIndex::open`] found nothing usable when there simply is no index yet.
    pub const NONE: &'static str = "there is none";

    /// A new, empty index (nothing is written until it is saved).
    pub fn empty(
        dir: &Path,
        model: &str,
        dimension: usize,
        settings: VectorSettings,
    ) -> Result<Self, VectorError> {
        Ok(Self::with(
            dir,
            model,
            dimension,
            settings.precision,
            Inner {
                graph: new_graph(dimension, settings)?,
                by_key: HashMap::new(),
                documents: HashMap::new(),
                next_key: 1,
                applied: 0,
                saved: -1,
                changed_at: Instant::now(),
                saved_at: Instant::now(),
            },
        ))
    }

    fn with(dir: &Path, model: &str, dimension: usize, precision: Precision, inner: Inner) -> Self {
        Self {
            dir: dir.to_owned(),
            model: model.to_owned(),
            dimension,
            precision,
            inner: RwLock::new(inner),
            gate: Gate::new(CONTEXTS),
        }
    }

    /// Open the last saved generation in `dir`, if it is sound and of `model`.
    pub fn open(
        dir: &Path,
        model: &str,
        dimension: usize,
        settings: VectorSettings,
    ) -> OpenedVectors {
        match Self::try_open(dir, model, dimension, settings) {
            Ok(index) => OpenedVectors::Current(Box::new(index)),
            Err(why) => OpenedVectors::Unusable(why),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The model whose vectors it holds.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Their dimension.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// The last change-log entry it reflects.
    pub fn applied(&self) -> i64 {
        self.read().applied
    }

    /// How many passages it holds.
    pub fn len(&self) -> usize {
        self.read().by_key.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The graph's memory, vectors included, in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.read().graph.memory_usage()
    }

    /// Replace each changed document's passages (`None`: deleted) and record `seq` as applied.
    pub fn apply(
        &self,
        seq: i64,
        changed: &[(String, Option<DocumentVectors>)],
    ) -> Result<(), VectorError> {
        check_dimensions(changed, &self.model, self.dimension)?;
        // Applying a change again is harmless (each document's passages are replaced whole),
        // so a caller may hand over changes this index reflects already.
        let mut inner = self.write();
        let inner = &mut *inner;
        let mut adds: Vec<(u64, &[f32])> = Vec::new();
        for (id, current) in changed {
            if let Some(entry) = inner.documents.remove(id) {
                for (key, _) in entry.keys {
                    inner.by_key.remove(&key);
                    inner.graph.remove(key).map_err(graph_error)?;
                }
            }
            let Some(document) = current else { continue };
            let facts = Arc::new(DocumentFacts {
                id: document.id.clone(),
                title: document.title.clone(),
                tags: document.tags.clone(),
                day: document.day,
            });
            let mut keys = Vec::with_capacity(document.vectors.len());
            for (position, vector) in &document.vectors {
                let key = inner.next_key;
                inner.next_key += 1;
                keys.push((key, *position));
                inner.by_key.insert(key, (facts.clone(), *position));
                adds.push((key, vector.as_slice()));
            }
            inner.documents.insert(id.clone(), Entry { facts, keys });
        }
        self.add_all(&inner.graph, &adds)?;
        inner.applied = inner.applied.max(seq);
        inner.changed_at = Instant::now();
        Ok(())
    }

    /// Add to the graph on every core: HNSW inserts are independent enough to run side by side.
    fn add_all(&self, graph: &Index, adds: &[(u64, &[f32])]) -> Result<(), VectorError> {
        if adds.is_empty() {
            return Ok(());
        }
        let needed = graph.size() + adds.len();
        if needed > graph.capacity() {
            graph
                .reserve_capacity_and_threads(needed.max(graph.capacity() * 2), CONTEXTS)
                .map_err(graph_error)?;
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(CONTEXTS / 2)
            .min(adds.len().div_ceil(64))
            .max(1);
        let _contexts = self.gate.enter(threads);
        let per = adds.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = adds
                .chunks(per)
                .map(|part| {
                    scope.spawn(move || {
                        for (key, vector) in part {
                            graph.add(*key, vector).map_err(graph_error)?;
                        }
                        Ok::<(), VectorError>(())
                    })
                })
                .collect();
            for worker in workers {
                worker
                    .join()
                    .map_err(|_| VectorError::Graph("an insert thread panicked".into()))??;
            }
            Ok(())
        })
    }

    /// The `top_k` passages nearest `query` in meaning, within `filters`.
    pub fn search(
        &self,
        query: &[f32],
        filters: &Filters,
        top_k: usize,
    ) -> Result<Vec<VectorHit>, VectorError> {
        check_dimension(query, &self.model, self.dimension)?;
        let inner = self.read();
        let admits = |facts: &DocumentFacts| filters.admits(&facts.id, &facts.tags, facts.day);
        let _context = self.gate.enter(1);
        let matches = if filters.is_empty() {
            inner.graph.search(query, top_k).map_err(graph_error)?
        } else {
            let allowed: Vec<&Entry> = inner
                .documents
                .values()
                .filter(|entry| admits(&entry.facts))
                .collect();
            let count: usize = allowed.iter().map(|entry| entry.keys.len()).sum();
            if count <= EXACT_LIMIT {
                return Ok(exact(&inner.graph, self.dimension, query, &allowed, top_k));
            }
            inner
                .graph
                .filtered_search(query, top_k, |key| {
                    inner
                        .by_key
                        .get(&key)
                        .is_some_and(|(facts, _)| admits(facts))
                })
                .map_err(graph_error)?
        };
        Ok(matches
            .keys
            .iter()
            .zip(&matches.distances)
            .filter_map(|(key, distance)| {
                let (facts, position) = inner.by_key.get(key)?;
                Some(VectorHit {
                    document: facts.id.clone(),
                    title: facts.title.clone(),
                    position: *position,
                    score: 1.0 - distance,
                })
            })
            .collect())
    }
}

/// Compare `query` with every passage of the `allowed` documents.
fn exact(
    graph: &Index,
    dimension: usize,
    query: &[f32],
    allowed: &[&Entry],
    top_k: usize,
) -> Vec<VectorHit> {
    let mut buffer = vec![0f32; dimension];
    let mut scored: Vec<VectorHit> = Vec::new();
    for entry in allowed {
        for (key, position) in &entry.keys {
            if graph.get(*key, &mut buffer).unwrap_or(0) == 0 {
                continue;
            }
            scored.push(VectorHit {
                document: entry.facts.id.clone(),
                title: entry.facts.title.clone(),
                position: *position,
                score: cosine(query, &buffer),
            });
        }
    }
    scored.sort_by(|a, b| b.score.total_cmp(&a.score));
    scored.truncate(top_k);
    scored
}

#[cfg(test)]
mod tests;
