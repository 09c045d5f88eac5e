//! Saving a meaning index and opening it again: each save is a whole new generation (the
//! graph and a description of what it holds), made current by renaming a `CURRENT` file, so a
//! crash leaves the previous generation; opening checks the graph's length and CRC-32 against
//! the description before trusting it.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{
    CONTEXTS, DocumentFacts, Entry, Inner, Precision, VectorError, VectorIndex, VectorSettings,
    graph_error, io, new_graph,
};

/// Saved after this long without changes...
const SAVE_WHEN_QUIET: Duration = Duration::from_secs(2);
/// ...or this long after the last save, under a steady stream of changes.
const SAVE_AT_LEAST_EVERY: Duration = Duration::from_secs(60);
const FORMAT: u32 = 1;
const GRAPH_FILE: &str = "graph.usearch";
const META_FILE: &str = "meta.json";
const CURRENT_FILE: &str = "CURRENT";

/// A saved generation's description, written beside the graph.
#[derive(Serialize, Deserialize)]
struct Meta {
    format: u32,
    model: String,
    dimension: usize,
    precision: Precision,
    applied: i64,
    next_key: u64,
    graph_bytes: u64,
    graph_crc32: u32,
    documents: Vec<SavedDocument>,
}

#[derive(Serialize, Deserialize)]
struct SavedDocument {
    #[serde(flatten)]
    facts: DocumentFacts,
    keys: Vec<(u64, u64)>,
}

fn crc32_of(path: &Path) -> Result<(u64, u32), VectorError> {
    let mut file = File::open(path).map_err(io(path))?;
    let mut hasher = crc32fast::Hasher::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut length = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(io(path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        length += read as u64;
    }
    Ok((length, hasher.finalize()))
}

impl VectorIndex {
    pub(super) fn try_open(
        dir: &Path,
        model: &str,
        dimension: usize,
        settings: VectorSettings,
    ) -> Result<Self, String> {
        let current =
            std::fs::read_to_string(dir.join(CURRENT_FILE)).map_err(|_| Self::NONE.to_owned())?;
        let generation = dir.join(current.trim());
        let meta: Meta = std::fs::read(generation.join(META_FILE))
            .map_err(|e| format!("its description cannot be read: {e}"))
            .and_then(|bytes| {
                serde_json::from_slice(&bytes)
                    .map_err(|e| format!("its description does not read: {e}"))
            })?;
        if meta.format != FORMAT {
            return Err(format!("it is of format {}, not {FORMAT}", meta.format));
        }
        if meta.model != model || meta.dimension != dimension {
            return Err(format!(
                "it holds vectors of `{}` ({} dimensions), the collection's are of `{model}` ({dimension})",
                meta.model, meta.dimension
            ));
        }
        if meta.precision != settings.precision {
            return Err(format!(
                "it keeps vectors in {:?}, `[knowledge] vector_precision` says {:?}",
                meta.precision, settings.precision
            ));
        }
        let graph_path = generation.join(GRAPH_FILE);
        let (length, crc) = crc32_of(&graph_path).map_err(|e| e.to_string())?;
        if length != meta.graph_bytes || crc != meta.graph_crc32 {
            return Err(format!(
                "its graph file fails its check ({length} bytes, CRC {crc:08x}; {} bytes, CRC {:08x} were written)",
                meta.graph_bytes, meta.graph_crc32
            ));
        }
        let graph = new_graph(dimension, settings).map_err(|e| e.to_string())?;
        let path = graph_path.to_string_lossy();
        graph
            .load(&path)
            .map_err(|e| format!("the graph does not load: {e}"))?;
        graph.change_expansion_search(settings.expansion_search);
        let mut by_key = HashMap::new();
        let mut documents = HashMap::new();
        for saved in meta.documents {
            let facts = Arc::new(saved.facts);
            for (key, position) in &saved.keys {
                by_key.insert(*key, (facts.clone(), *position));
            }
            documents.insert(
                facts.id.clone(),
                Entry {
                    facts,
                    keys: saved.keys,
                },
            );
        }
        if graph.size() != by_key.len() {
            return Err(format!(
                "its graph holds {} vectors, its description {}",
                graph.size(),
                by_key.len()
            ));
        }
        graph
            .reserve_capacity_and_threads(graph.size().max(1024), CONTEXTS)
            .map_err(|e| e.to_string())?;
        Ok(Self::with(
            dir,
            model,
            dimension,
            settings.precision,
            Inner {
                graph,
                by_key,
                documents,
                next_key: meta.next_key,
                applied: meta.applied,
                saved: meta.applied,
                changed_at: Instant::now(),
                saved_at: Instant::now(),
            },
        ))
    }

    /// Whether it has changes not yet saved and the time has come to save them.
    pub fn due_for_saving(&self) -> bool {
        let inner = self.read();
        inner.applied != inner.saved
            && (inner.changed_at.elapsed() >= SAVE_WHEN_QUIET
                || inner.saved_at.elapsed() >= SAVE_AT_LEAST_EVERY)
    }

    /// Write the index out as a new generation and make it the current one; searches go on
    /// meanwhile (changes wait).
    pub fn save(&self) -> Result<(), VectorError> {
        let inner = self.read();
        let applied = inner.applied;
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let name = format!(
            "g{applied}-{}",
            uuid::Uuid::now_v7()
                .simple()
                .to_string()
                .get(..12)
                .unwrap_or("0")
        );
        let generation = self.dir.join(&name);
        std::fs::create_dir_all(&generation).map_err(io(&generation))?;
        let graph_path = generation.join(GRAPH_FILE);
        inner
            .graph
            .save(&graph_path.to_string_lossy())
            .map_err(graph_error)?;
        File::open(&graph_path)
            .and_then(|f| f.sync_all())
            .map_err(io(&graph_path))?;
        let (graph_bytes, graph_crc32) = crc32_of(&graph_path)?;
        let meta = Meta {
            format: FORMAT,
            model: self.model.clone(),
            dimension: self.dimension,
            precision: self.precision,
            applied,
            next_key: inner.next_key,
            graph_bytes,
            graph_crc32,
            documents: inner
                .documents
                .values()
                .map(|entry| SavedDocument {
                    facts: (*entry.facts).clone(),
                    keys: entry.keys.clone(),
                })
                .collect(),
        };
        drop(inner);
        let meta_path = generation.join(META_FILE);
        write_synced(
            &meta_path,
            &serde_json::to_vec(&meta).map_err(|e| VectorError::Graph(e.to_string()))?,
        )?;
        let pending = self.dir.join("CURRENT.next");
        write_synced(&pending, name.as_bytes())?;
        let current = self.dir.join(CURRENT_FILE);
        std::fs::rename(&pending, &current).map_err(io(&current))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.dir))?;
        {
            let mut inner = self.write();
            inner.saved = applied;
            inner.saved_at = Instant::now();
        }
        self.remove_other_generations(&name);
        Ok(())
    }

    fn remove_other_generations(&self, keep: &str) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != keep
                && entry.file_type().is_ok_and(|t| t.is_dir())
                && let Err(error) = std::fs::remove_dir_all(entry.path())
            {
                tracing::warn!(dir = %entry.path().display(), %error, "cannot remove an old generation of a meaning index");
            }
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), VectorError> {
    let mut file = File::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}
