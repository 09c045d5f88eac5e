//! `prax store copy`: everything in one store into another, empty one (an operator moving
//! from SQLite to PostgreSQL, or back, or making a backup): installation secrets, API keys,
//! single sign-on's users (not their sessions: everyone signs in again after a move),
//! licensing's first uses (so moving does not restart an evaluation), the vendor's sales,
//! the knowledge base's collections, documents, chunks and change log, daily roll-ups (which outlive the records they summed) and every audit record with its id,
//! in order. A copy that fails part way empties the destination again, so it is never left
//! half-filled; a destination that already holds anything is refused.

use std::sync::Arc;

use super::query::AnalyticsFilter;
use super::record::AuditRecord;
use super::{AuditQueries, StoreError};
use crate::auth::key_store::KeyStore;

/// Records moved per batch.
const BATCH: usize = 1000;

/// One stored roll-up row, every column as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Task type.
    pub task_type: String,
    /// Kind, as stored.
    pub kind: String,
    /// Provider, empty if none.
    pub provider: String,
    /// Status, as stored.
    pub status: String,
    /// Key id, empty if none.
    pub api_key_id: String,
    /// Requests.
    pub requests: i64,
    /// Sum of latencies, ms.
    pub latency_sum: i64,
    /// Histogram, as stored (a JSON array).
    pub latency_hist: String,
}

/// What a store hands over besides its records and keys.
pub trait Dump {
    /// Every installation secret.
    fn secrets(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError>;
    /// Every roll-up row.
    fn rollups(&self) -> Result<Vec<RollupRow>, StoreError>;
    /// Every row of `table`, its columns in the table's order.
    fn text_rows(&self, table: &TextTable) -> Result<Vec<TextRow>, StoreError>;
    /// How many rows each table holds, by table name.
    fn counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError>;
}

/// What a store takes in, as it was in the source.
pub trait Load: Dump {
    /// Store secrets.
    fn load_secrets(&mut self, secrets: &[(String, Vec<u8>)]) -> Result<(), StoreError>;
    /// Store roll-up rows as they are.
    fn load_rollups(&mut self, rows: &[RollupRow]) -> Result<(), StoreError>;
    /// Store rows of `table` as they are.
    fn load_text_rows(&mut self, table: &TextTable, rows: &[TextRow]) -> Result<(), StoreError>;
    /// Store records with their ids, without touching the roll-ups.
    fn load_records(&mut self, records: &[AuditRecord]) -> Result<(), StoreError>;
    /// Delete everything (after a failed copy).
    fn clear(&mut self) -> Result<(), StoreError>;
}

/// A store opened for copying.
pub struct Side {
    /// Its description, for messages.
    pub name: String,
    /// Records.
    pub queries: Arc<dyn AuditQueries>,
    /// Keys.
    pub keys: Arc<dyn KeyStore>,
    /// Everything else.
    pub bulk: Box<dyn Load>,
}

impl Side {
    /// Open the store at `location` for copying (migrating it, as a server would). A source
    /// must exist: `must_exist` refuses a SQLite file that is not there rather than make one.
    pub fn open(
        location: &crate::config::StoreLocation,
        runtime: &tokio::runtime::Handle,
        must_exist: bool,
    ) -> Result<Self, StoreError> {
        use crate::config::StoreLocation;
        let name = location.describe();
        match location {
            StoreLocation::Sqlite(path) => {
                if must_exist && !path.is_file() {
                    return Err(StoreError::Database(format!(
                        "{}: no such database; give the file `prax serve` wrote (the data directory's praximous.db)",
                        path.display()
                    )));
                }
                // What a crashed server left in its audit journal is part of the database.
                let mut writes = super::sqlite::SqliteWrites(super::sqlite::open(path)?);
                super::store_journal_left(path, &mut writes)?;
                Ok(Self {
                    name,
                    queries: Arc::new(super::sqlite::SqliteQueries(std::sync::Mutex::new(
                        super::sqlite::open(path)?,
                    ))),
                    keys: Arc::new(super::sqlite::SqliteKeys::open(path)?),
                    bulk: Box::new(super::sqlite::transfer::SqliteBulk(super::sqlite::open(
                        path,
                    )?)),
                })
            }
            StoreLocation::Postgres(target) => {
                let db = super::postgres::Database::open(target, runtime.clone())?;
                Ok(Self {
                    name,
                    queries: Arc::new(super::postgres::PgQueries(db.clone())),
                    keys: Arc::new(super::postgres::PgKeys::new(db.clone(), None)),
                    bulk: Box::new(super::postgres::transfer::PgBulk(db)),
                })
            }
        }
    }
}

/// What a copy moved.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Copied {
    /// Rows per table in the destination afterwards, each equal to the source's.
    pub tables: Vec<(&'static str, i64)>,
}

/// Copy `from` into `to`, which must be empty.
pub fn copy(from: &Side, to: &mut Side) -> Result<Copied, StoreError> {
    let occupied: Vec<String> = to
        .bulk
        .counts()?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(table, n)| format!("{table} ({n} rows)"))
        .collect();
    if !occupied.is_empty() {
        return Err(StoreError::Database(format!(
            "{}: the destination is not empty: {}; copy into a new, empty database",
            to.name,
            occupied.join(", ")
        )));
    }
    let result = copy_into_empty(from, to);
    if result.is_err()
        && let Err(e) = to.bulk.clear()
    {
        tracing::error!(error = %e, "cannot empty the destination after a failed copy");
    }
    result
}

fn copy_into_empty(from: &Side, to: &mut Side) -> Result<Copied, StoreError> {
    to.bulk.load_secrets(&from.bulk.secrets()?)?;
    for key in from.keys.all()? {
        to.keys.insert(&key)?;
    }
    to.bulk.load_rollups(&from.bulk.rollups()?)?;
    for table in &TEXT_TABLES {
        to.bulk
            .load_text_rows(table, &from.bulk.text_rows(table)?)?;
    }
    let mut batch: Vec<AuditRecord> = Vec::with_capacity(BATCH);
    let mut failure = None;
    from.queries
        .each_record(&AnalyticsFilter::default(), &mut |record| {
            batch.push(record);
            if batch.len() == BATCH {
                if let Err(e) = to.bulk.load_records(&batch) {
                    failure = Some(e);
                    return false;
                }
                batch.clear();
            }
            true
        })?;
    if let Some(e) = failure {
        return Err(e);
    }
    to.bulk.load_records(&batch)?;
    let (source, copied) = (from.bulk.counts()?, to.bulk.counts()?);
    if source != copied {
        return Err(StoreError::Database(format!(
            "the copy does not match its source (source {source:?}, copy {copied:?}); was the source written to during the copy? Stop every server on it and copy again"
        )));
    }
    Ok(Copied { tables: copied })
}

/// One row of a [`TextTable`].
pub type TextRow = Vec<Option<String>>;

/// A table of text (and integer) columns, copied row by row as it is, every value carried as
/// text.
#[derive(Debug)]
pub struct TextTable {
    /// Its name.
    pub name: &'static str,
    /// Its columns; the first is its key (rows are copied in its order).
    pub columns: &'static [&'static str],
    /// Those of its columns that hold integers.
    pub integers: &'static [&'static str],
    /// Those of its columns that hold bytes (carried as hex).
    pub blobs: &'static [&'static str],
}

/// Which database an SQL text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The tables copied by [`Dump::text_rows`]: licensing's first uses (so moving does not
/// restart an evaluation), the vendor's sales and the admin audit log (its chain intact).
pub const TEXT_TABLES: [TextTable; 12] = [
    TextTable {
        name: "users",
        columns: &[
            "id",
            "issuer",
            "subject",
            "email",
            "name",
            "groups",
            "mapped_role",
            "role_override",
            "role",
            "role_granted_at",
            "role_granted_by",
            "disabled_at",
            "disabled_by",
            "created_at",
            "last_seen_at",
        ],
        integers: &[],
        blobs: &[],
    },
    TextTable {
        name: "license_facts",
        columns: &["name", "at"],
        integers: &[],
        blobs: &[],
    },
    TextTable {
        name: "commerce_events",
        columns: &["event_id", "event_type", "occurred_at", "received_at"],
        integers: &[],
        blobs: &[],
    },
    TextTable {
        name: "commerce_customers",
        columns: &["customer_id", "email", "name", "updated_at"],
        integers: &[],
        blobs: &[],
    },
    TextTable {
        name: "commerce_subscriptions",
        columns: &[
            "subscription_id",
            "customer_id",
            "status",
            "scheduled_change",
            "updated_at",
        ],
        integers: &[],
        blobs: &[],
    },
    TextTable {
        name: "commerce_licences",
        columns: &[
            "licence_id",
            "transaction_id",
            "customer_id",
            "subscription_id",
            "terms",
            "email",
            "name",
            "created_at",
            "licence_key",
            "issued_at",
            "mail_due_at",
            "mailed_at",
            "mail_error",
        ],
        integers: &[],
        blobs: &[],
    },
    TextTable {
        name: "admin_audit",
        columns: &[
            "seq",
            "at",
            "actor",
            "actor_name",
            "source",
            "action",
            "target",
            "before_values",
            "after_values",
            "prev_hash",
            "hash",
        ],
        integers: &["seq"],
        blobs: &[],
    },
    TextTable {
        name: "knowledge_collections",
        columns: &[
            "name",
            "uid",
            "description",
            "created_at",
            "embedding_route",
            "embedding_model",
            "dimension",
            "log_floor",
        ],
        integers: &["dimension", "log_floor"],
        blobs: &[],
    },
    TextTable {
        name: "knowledge_documents",
        columns: &[
            "collection",
            "id",
            "title",
            "media_type",
            "sha256",
            "bytes",
            "chunks",
            "tags",
            "date",
            "added_at",
        ],
        integers: &["bytes", "chunks"],
        blobs: &[],
    },
    TextTable {
        name: "knowledge_chunks",
        columns: &[
            "collection",
            "document",
            "position",
            "text",
            "heading_path",
            "page",
            "hash",
        ],
        integers: &["position", "page"],
        blobs: &[],
    },
    // The change log's numbers come along, so a search index built before the move is
    // recognised as current (or as ahead of the store, and rebuilt).
    TextTable {
        name: "knowledge_changes",
        columns: &["seq", "collection", "document", "at"],
        integers: &["seq"],
        blobs: &[],
    },
    TextTable {
        name: "knowledge_vectors",
        columns: &["collection", "model", "hash", "vector"],
        integers: &[],
        blobs: &["vector"],
    },
];

impl TextTable {
    /// `SELECT <columns as text> FROM <name> ORDER BY <key>`.
    pub fn select(&self, dialect: Dialect) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                if self.integers.contains(c) {
                    format!("CAST({c} AS TEXT)")
                } else if self.blobs.contains(c) {
                    match dialect {
                        Dialect::Sqlite => format!("hex({c})"),
                        Dialect::Postgres => format!("encode({c}, 'hex')"),
                    }
                } else {
                    (*c).to_owned()
                }
            })
            .collect();
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            columns.join(", "),
            self.name,
            self.columns.first().copied().unwrap_or("1")
        )
    }

    /// The value for `column` from the text `value` (`value` is an SQL expression).
    pub fn from_text(&self, dialect: Dialect, column: &str, value: &str) -> String {
        if self.integers.contains(&column) {
            format!("CAST({value} AS BIGINT)")
        } else if self.blobs.contains(&column) {
            match dialect {
                Dialect::Sqlite => format!("unhex({value})"),
                Dialect::Postgres => format!("decode({value}, 'hex')"),
            }
        } else {
            value.to_owned()
        }
    }
}

/// The tables a copy moves, in the order `counts` lists them.
pub const TABLES: [&str; 16] = [
    "installation_secrets",
    "api_keys",
    "users",
    "license_facts",
    "commerce_events",
    "commerce_customers",
    "commerce_subscriptions",
    "commerce_licences",
    "admin_audit",
    "knowledge_collections",
    "knowledge_documents",
    "knowledge_chunks",
    "knowledge_changes",
    "knowledge_vectors",
    "audit_daily",
    "audit_records",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::StoreLocation;
    use crate::knowledge::store::{
        Chunk, Collection, Document, KnowledgeStore, KnowledgeVectors, PassageVectors,
    };
    use crate::store::sqlite::knowledge::SqliteKnowledge;

    #[test]
    fn a_collection_and_its_vectors_cross_a_copy_bit_for_bit()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (source, backup) = (dir.path().join("a.db"), dir.path().join("b.db"));
        let vector = vec![0.1f32, -2.5, f32::MIN_POSITIVE, 1e30];
        {
            let store = SqliteKnowledge::open(&source)?;
            store.create_collection(&Collection {
                name: "c".into(),
                description: String::new(),
                created_at: "2026-12-06T00:00:00Z".into(),
                uid: "u1".into(),
                embedding_route: Some("embed".into()),
                embedding_model: None,
                dimension: None,
            })?;
            let document = Document {
                id: "d.md".into(),
                title: "D".into(),
                media_type: "text/markdown".into(),
                sha256: "s".into(),
                bytes: 1,
                chunks: 1,
                tags: Vec::new(),
                date: "2026-12-06".into(),
                added_at: "2026-12-06T00:00:00Z".into(),
            };
            let chunk = Chunk {
                document: "d.md".into(),
                position: 0,
                text: "t".into(),
                heading_path: Vec::new(),
                page: None,
                hash: "h".into(),
            };
            store.put_document(
                "c",
                &document,
                &[chunk],
                Some(&PassageVectors {
                    model: "m".into(),
                    dimension: 4,
                    vectors: vec![("h".into(), vector.clone())],
                }),
            )?;
        }
        let runtime = tokio::runtime::Builder::new_current_thread().build()?;
        let from = Side::open(
            &StoreLocation::Sqlite(source.clone()),
            runtime.handle(),
            true,
        )?;
        let mut to = Side::open(
            &StoreLocation::Sqlite(backup.clone()),
            runtime.handle(),
            false,
        )?;
        copy(&from, &mut to)?;
        let copied = SqliteKnowledge::open(&backup)?;
        assert_eq!(
            copied.vectors("c", "m", &["h".into()])?,
            vec![("h".into(), vector)]
        );
        let collection = copied.collection("c")?.map(|s| s.collection);
        assert_eq!(
            collection.map(|c| (c.embedding_route, c.embedding_model, c.dimension)),
            Some((Some("embed".into()), Some("m".into()), Some(4)))
        );
        Ok(())
    }
}
