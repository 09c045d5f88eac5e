//! The words index of one collection (BM25, tantivy: block-max WAND answers OR queries
//! without scoring every match). It is derived from the store's rows: each commit records the
//! last change-log entry it reflects, so on opening it knows what to catch up on, and an index
//! that is missing, unreadable or ahead of the store is rebuilt from the rows.

use std::collections::HashSet;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermSetQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::search::Filters;
use super::store::{Chunk, Document};

/// Why the index could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LexicalError {
    /// Its folder could not be made or cleared.
    #[error("the words index at {path}: {source}")]
    Folder {
        /// The index's folder.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// Tantivy failed (I/O, a corrupt file).
    #[error("the words index at {path}: {source}")]
    Index {
        /// The index's folder.
        path: PathBuf,
        /// What failed.
        source: tantivy::TantivyError,
    },
}

/// A document as stored, with its passages.
pub type DocumentVersion = (Document, Vec<Chunk>);

/// A passage the index found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Its document.
    pub document: String,
    /// The document's title.
    pub title: String,
    /// Its place in the document.
    pub position: u64,
    /// Its BM25 score.
    pub score: f32,
}

#[derive(Clone, Copy)]
struct Fields {
    document: Field,
    title: Field,
    position: Field,
    tag: Field,
    day: Field,
    text: Field,
}

const TOKENIZER: &str = "en_stem";
/// The writer's memory budget: enough for a large document, small for a server.
const WRITER_HEAP: usize = 32 * 1024 * 1024;

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        document: builder.add_text_field("document", STRING | STORED),
        title: builder.add_text_field("title", STORED),
        position: builder.add_u64_field("position", STORED),
        tag: builder.add_text_field("tag", STRING),
        day: builder.add_i64_field("day", NumericOptions::default().set_indexed()),
        text: builder.add_text_field("text", text),
    };
    (builder.build(), fields)
}

/// One collection's words index.
pub struct LexicalIndex {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The writer, and the last change it reflects.
    writer: Mutex<(IndexWriter, i64)>,
}

/// How [`LexicalIndex::open`] found the folder.
pub enum Opened {
    /// A sound index reflecting the change log up to `applied`.
    Current(Box<LexicalIndex>),
    /// Nothing usable (missing, another schema, corrupt): `why`, for the log.
    Unusable(String),
}

impl LexicalIndex {
    /// Why [`LexicalIndex::open`] found nothing usable when there simply is no index yet.
    pub const NONE: &'static str = "there is none";

    /// Open the index in `path`, checking every file's checksum.
    pub fn open(path: &Path) -> Opened {
        if !path.join("meta.json").is_file() {
            return Opened::Unusable(Self::NONE.to_owned());
        }
        let index = match Index::open_in_dir(path) {
            Ok(index) => index,
            Err(error) => return Opened::Unusable(format!("it does not open: {error}")),
        };
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Opened::Unusable("it was built with another schema".to_owned());
        }
        match index.validate_checksum() {
            Ok(bad) if bad.is_empty() => {}
            Ok(bad) => {
                let names: Vec<String> = bad.iter().map(|p| p.display().to_string()).collect();
                return Opened::Unusable(format!(
                    "files fail their checksum: {}",
                    names.join(", ")
                ));
            }
            Err(error) => return Opened::Unusable(format!("its files cannot be read: {error}")),
        }
        let applied = match index.load_metas() {
            Ok(metas) => metas.payload.as_deref().and_then(|p| p.parse::<i64>().ok()),
            Err(error) => return Opened::Unusable(format!("its metadata cannot be read: {error}")),
        };
        let Some(applied) = applied else {
            return Opened::Unusable("it does not say what it reflects".to_owned());
        };
        match Self::with(path, index, fields, applied) {
            Ok(opened) => Opened::Current(Box::new(opened)),
            Err(error) => Opened::Unusable(error.to_string()),
        }
    }

    /// A new, empty index in `path` (anything there is removed first).
    pub fn create(path: &Path) -> Result<Self, LexicalError> {
        let failed = |source| LexicalError::Folder {
            path: path.to_owned(),
            source,
        };
        if path.exists() {
            std::fs::remove_dir_all(path).map_err(failed)?;
        }
        std::fs::create_dir_all(path).map_err(failed)?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(path, schema).map_err(|source| LexicalError::Index {
            path: path.to_owned(),
            source,
        })?;
        let created = Self::with(path, index, fields, 0)?;
        // Said at once, so a crash before the first document leaves an index that opens.
        {
            let mut guard = created.lock();
            let mut commit = guard.0.prepare_commit().map_err(|e| created.failed(e))?;
            commit.set_payload("0");
            commit.commit().map_err(|e| created.failed(e))?;
        }
        Ok(created)
    }

    fn with(path: &Path, index: Index, fields: Fields, applied: i64) -> Result<Self, LexicalError> {
        let failed = |source| LexicalError::Index {
            path: path.to_owned(),
            source,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(failed)?;
        let writer = index
            .writer_with_num_threads(1, WRITER_HEAP)
            .map_err(failed)?;
        Ok(Self {
            path: path.to_owned(),
            index,
            reader,
            fields,
            writer: Mutex::new((writer, applied)),
        })
    }

    fn failed(&self, source: tantivy::TantivyError) -> LexicalError {
        LexicalError::Index {
            path: self.path.clone(),
            source,
        }
    }

    /// The last change-log entry the index reflects.
    pub fn applied(&self) -> i64 {
        self.lock().1
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (IndexWriter, i64)> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replace each changed document's passages (`None`: deleted) and record `seq` as the
    /// last change reflected, committed (and made visible) as one. Applying a change again is
    /// harmless, so a caller may hand over changes the index reflects already.
    pub fn apply(
        &self,
        seq: i64,
        changed: &[(String, Option<DocumentVersion>)],
    ) -> Result<(), LexicalError> {
        let mut guard = self.lock();
        let (writer, applied) = &mut *guard;
        for (id, current) in changed {
            writer.delete_term(Term::from_field_text(self.fields.document, id));
            if let Some((document, chunks)) = current {
                self.add(writer, document, chunks)?;
            }
        }
        let mut commit = writer.prepare_commit().map_err(|e| self.failed(e))?;
        commit.set_payload(&seq.to_string());
        commit.commit().map_err(|e| self.failed(e))?;
        *applied = (*applied).max(seq);
        self.reader.reload().map_err(|e| self.failed(e))?;
        Ok(())
    }

    fn add(
        &self,
        writer: &IndexWriter,
        document: &Document,
        chunks: &[Chunk],
    ) -> Result<(), LexicalError> {
        let day = super::search::day_number(&document.date);
        for chunk in chunks {
            let mut entry = TantivyDocument::default();
            entry.add_text(self.fields.document, &document.id);
            entry.add_text(self.fields.title, &document.title);
            entry.add_u64(self.fields.position, chunk.position);
            for tag in &document.tags {
                entry.add_text(self.fields.tag, tag);
            }
            if let Some(day) = day {
                entry.add_i64(self.fields.day, day);
            }
            // The headings are searched with the passage: a question naming a section finds it.
            let mut text = chunk.heading_path.join("\n");
            text.push('\n');
            text.push_str(&chunk.text);
            entry.add_text(self.fields.text, &text);
            writer.add_document(entry).map_err(|e| self.failed(e))?;
        }
        Ok(())
    }

    /// The best `top_k` passages for `query`'s words (any of them), within `filters`.
    pub fn search(
        &self,
        query: &str,
        filters: &Filters,
        top_k: usize,
    ) -> Result<Vec<Hit>, LexicalError> {
        let fields = self.fields;
        let mut analyzer = self
            .index
            .tokenizer_for_field(fields.text)
            .map_err(|e| self.failed(e))?;
        let mut terms = Vec::new();
        let mut seen = HashSet::new();
        let mut stream = analyzer.token_stream(query);
        while stream.advance() {
            let word = stream.token().text.clone();
            if seen.insert(word.clone()) {
                terms.push(Term::from_field_text(fields.text, &word));
            }
        }
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let words: Box<dyn Query> = Box::new(BooleanQuery::new_multiterms_query(terms));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, words)];
        let mut filter = |query: Box<dyn Query>| {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0))));
        };
        if !filters.documents.is_empty() {
            filter(Box::new(TermSetQuery::new(
                filters
                    .documents
                    .iter()
                    .map(|d| Term::from_field_text(fields.document, d)),
            )));
        }
        if !filters.tags.is_empty() {
            filter(Box::new(TermSetQuery::new(
                filters
                    .tags
                    .iter()
                    .map(|t| Term::from_field_text(fields.tag, t)),
            )));
        }
        if filters.from_day.is_some() || filters.to_day.is_some() {
            let bound = |day: Option<i64>| {
                day.map_or(Bound::Unbounded, |d| {
                    Bound::Included(Term::from_field_i64(fields.day, d))
                })
            };
            filter(Box::new(RangeQuery::new(
                bound(filters.from_day),
                bound(filters.to_day),
            )));
        }
        let query: Box<dyn Query> = if clauses.len() == 1 {
            clauses
                .pop()
                .map(|(_, q)| q)
                .unwrap_or_else(|| Box::new(BooleanQuery::new(Vec::new())))
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(top_k).order_by_score())
            .map_err(|e| self.failed(e))?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let stored: TantivyDocument = searcher.doc(address).map_err(|e| self.failed(e))?;
            let text = |field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            hits.push(Hit {
                document: text(fields.document),
                title: text(fields.title),
                position: stored
                    .get_first(fields.position)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default(),
                score,
            });
        }
        Ok(hits)
    }
}
