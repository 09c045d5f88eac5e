//! The meaning index measured in-process, through the product's own code
//! (`praximous::knowledge::vectors`), on the very files the server saved: no HTTP, no
//! embedding call, so the figures are the index's own.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use praximous::knowledge::search::Filters;
use praximous::knowledge::vectors::{OpenedVectors, Precision, VectorIndex, VectorSettings};

use crate::space;
use crate::stats::percentile;

/// The meaning index folder of the one collection under `data`.
fn vectors_dir(data: &Path) -> anyhow::Result<PathBuf> {
    let knowledge = data.join("knowledge");
    std::fs::read_dir(&knowledge)
        .with_context(|| knowledge.display().to_string())?
        .flatten()
        .map(|e| e.path().join("vectors"))
        .find(|p| p.join("CURRENT").is_file())
        .context("no saved meaning index under the data directory")
}

/// What the in-process run measured.
pub struct Measured {
    /// Opening the saved index, in ms.
    pub open_ms: f64,
    /// Search latency, p50 and p99, in ms.
    pub p50: f64,
    /// See `p50`.
    pub p99: f64,
    /// Mean recall@10 against exact search.
    pub recall: f64,
    /// The index's memory over the raw f32 vectors.
    pub memory_ratio: f64,
}

/// Where passages sit: `per_doc` to a document, and the position of a document's first
/// passage (1 when its title is a passage of its own).
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Passages per document.
    pub per_doc: usize,
    /// The first passage's position.
    pub first: u64,
}

impl Layout {
    /// The number of the passage at `position` in `document` (`docD.md`).
    pub fn number(&self, document: &str, position: u64) -> Option<usize> {
        let d: usize = document
            .strip_prefix("doc")?
            .strip_suffix(".md")?
            .parse()
            .ok()?;
        Some(d * self.per_doc + usize::try_from(position.checked_sub(self.first)?).ok()?)
    }
}

/// What a measurement runs on.
pub struct Run<'a> {
    /// The server's data directory.
    pub data: &'a Path,
    /// The embedding model the index holds.
    pub model: &'a str,
    /// Its dimension.
    pub dim: usize,
    /// The search breadth.
    pub ef: usize,
    /// Queries to time.
    pub queries: usize,
    /// How many of them to check against exact search.
    pub checked: usize,
    /// Every passage's vector.
    pub all: &'a [f32],
    /// Where passages sit.
    pub layout: Layout,
    /// How the index keeps vectors.
    pub precision: Precision,
}

/// Open the index the server saved, search, and check against exact search.
pub fn measure(run: &Run<'_>) -> anyhow::Result<Measured> {
    let Run {
        data,
        model,
        dim,
        ef,
        queries,
        checked,
        all,
        layout,
        precision,
    } = *run;
    let dir = vectors_dir(data)?;
    let settings = VectorSettings {
        precision,
        connectivity: 16,
        expansion_add: 128,
        expansion_search: ef,
    };
    let started = Instant::now();
    let index = match VectorIndex::open(&dir, model, dim, settings) {
        OpenedVectors::Current(index) => index,
        OpenedVectors::Unusable(why) => anyhow::bail!("the saved index does not open: {why}"),
    };
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    let filters = Filters::default();
    for q in 0..50 {
        index.search(&space::query(q, dim), &filters, 10)?;
    }
    let (p50, p99, recall) = time_searches(&index, dim, queries, checked, all, layout)?;
    let raw = (index.len() * dim * 4) as f64;
    Ok(Measured {
        open_ms,
        p50,
        p99,
        recall,
        memory_ratio: index.memory_bytes() as f64 / raw,
    })
}

/// `f16` or `f32`.
pub fn precision(text: &str) -> anyhow::Result<Precision> {
    match text {
        "f16" => Ok(Precision::F16),
        "f32" => Ok(Precision::F32),
        other => anyhow::bail!("precision `{other}`: f16 or f32"),
    }
}

/// What an in-process build is of.
pub struct Build {
    /// Dimension.
    pub dim: usize,
    /// Passages.
    pub chunks: usize,
    /// Passages per document (applied one document at a time).
    pub per_doc: usize,
    /// `efConstruction`.
    pub expansion_add: usize,
    /// `ef`.
    pub expansion_search: usize,
    /// How vectors are kept.
    pub precision: Precision,
    /// Queries timed.
    pub queries: usize,
    /// Queries checked against exact search.
    pub checked: usize,
}

/// What the build measured.
pub struct Built {
    /// Passages added per second (vector generation excluded).
    pub rate: f64,
    /// The index's memory over the raw f32 vectors.
    pub memory_ratio: f64,
    /// Search p50, ms.
    pub p50: f64,
    /// Search p99, ms.
    pub p99: f64,
    /// Mean recall@10.
    pub recall: f64,
}

/// Build an index in a temporary folder a document at a time, as the server applies uploads.
pub fn build(b: &Build) -> anyhow::Result<Built> {
    use praximous::knowledge::vectors::DocumentVectors;
    let dir = std::env::temp_dir().join(format!("knowledge-bench-{}", std::process::id()));
    let settings = VectorSettings {
        precision: b.precision,
        connectivity: 16,
        expansion_add: b.expansion_add,
        expansion_search: b.expansion_search,
    };
    let index = VectorIndex::empty(&dir, "bench", b.dim, settings)?;
    let all = space::all_passages(b.chunks, b.dim);
    let mut spent = 0.0;
    for (d, start) in (0..b.chunks).step_by(b.per_doc).enumerate() {
        let end = (start + b.per_doc).min(b.chunks);
        let document = DocumentVectors {
            id: format!("doc{d}.md"),
            title: String::new(),
            tags: Vec::new(),
            day: None,
            vectors: (start..end)
                .map(|n| ((n - start) as u64, all[n * b.dim..(n + 1) * b.dim].to_vec()))
                .collect(),
        };
        let started = Instant::now();
        index.apply(d as i64 + 1, &[(document.id.clone(), Some(document))])?;
        spent += started.elapsed().as_secs_f64();
    }
    let layout = Layout {
        per_doc: b.per_doc,
        first: 0,
    };
    let (p50, p99, recall) = time_searches(&index, b.dim, b.queries, b.checked, &all, layout)?;
    // The graph as a server holds it after a restart: loaded at its size, not grown.
    index.save()?;
    let reopened = match VectorIndex::open(&dir, "bench", b.dim, settings) {
        OpenedVectors::Current(index) => index,
        OpenedVectors::Unusable(why) => anyhow::bail!("the saved index does not open: {why}"),
    };
    let memory_ratio = reopened.memory_bytes() as f64 / (b.chunks * b.dim * 4) as f64;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Built {
        rate: b.chunks as f64 / spent,
        memory_ratio,
        p50,
        p99,
        recall,
    })
}

/// Time `queries` searches of `index`, checking the first `checked` against exact search over
/// `all`: p50 and p99 in ms, mean recall@10.
fn time_searches(
    index: &VectorIndex,
    dim: usize,
    queries: usize,
    checked: usize,
    all: &[f32],
    layout: Layout,
) -> anyhow::Result<(f64, f64, f64)> {
    let filters = Filters::default();
    let mut times = Vec::with_capacity(queries);
    let mut recalls = Vec::new();
    for q in 0..queries {
        let query = space::query(q, dim);
        let started = Instant::now();
        let hits = index.search(&query, &filters, 10)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if q < checked {
            let found: Vec<usize> = hits
                .iter()
                .filter_map(|h| layout.number(&h.document, h.position))
                .collect();
            recalls.push(space::recall(
                &space::exact_top(all, dim, &query, 10),
                &found,
            ));
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        recalls.iter().sum::<f64>() / recalls.len().max(1) as f64,
    ))
}
