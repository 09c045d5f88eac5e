//! Persistence behind traits: the audit log (SQLite by default), written with group commit
//! and read by the analytics endpoints. The API keys' store is `auth::key_store`, on the same
//! database.

pub mod migrations;
pub mod query;
pub mod record;
pub mod rollup;
pub mod sqlite;
pub mod writer;

use std::path::Path;
use std::sync::Arc;

pub use query::{AnalyticsFilter, Page};
pub use record::{AuditRecord, RecordStatus, StreamOutcome, TaskKind};
pub use rollup::{ProviderStats, TimeBucket, UsageRow};
pub use writer::AuditWriter;

/// Why the store failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("audit database error: {0}")]
    Database(String),
    /// The database was written by a newer `prax`.
    #[error(
        "{path}: the audit database has schema version {found}, newer than this prax supports ({supported}); \
         run the newer prax, or restore a backup made before the upgrade"
    )]
    TooNew {
        /// The file.
        path: String,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
    /// The writer thread is gone.
    #[error("the audit writer has stopped")]
    WriterStopped,
}

/// The write side of an audit store: batches, each in one transaction.
pub trait AuditWrites: Send + 'static {
    /// Store `records` (and their roll-ups) atomically.
    fn write_batch(&mut self, records: &[AuditRecord]) -> Result<(), StoreError>;
    /// Delete up to `batch` records from days before `day`; returns how many.
    fn purge_records_before(&mut self, day: &str, batch: usize) -> Result<usize, StoreError>;
    /// Delete roll-ups from days before `day`.
    fn purge_rollups_before(&mut self, day: &str) -> Result<usize, StoreError>;
}

/// The read side of an audit store.
pub trait AuditQueries: Send + Sync + 'static {
    /// One page of records, newest first.
    fn list(&self, filter: &AnalyticsFilter, limit: u32, offset: u64) -> Result<Page, StoreError>;
    /// One record by request id.
    fn get(&self, request_id: &str) -> Result<Option<AuditRecord>, StoreError>;
    /// Every matching record, oldest first, until `visit` returns false.
    fn each_record(
        &self,
        filter: &AnalyticsFilter,
        visit: &mut dyn FnMut(AuditRecord) -> bool,
    ) -> Result<(), StoreError>;
    /// Requests per time bucket, from the roll-ups.
    fn tasks_over_time(
        &self,
        filter: &AnalyticsFilter,
        bucket: TimeBucket,
    ) -> Result<Vec<(String, u64)>, StoreError>;
    /// Roll-up rows in the filter's range.
    fn usage(&self, filter: &AnalyticsFilter) -> Result<Vec<UsageRow>, StoreError>;
}

/// The audit log: a group-commit writer and a query side.
#[derive(Clone)]
pub struct AuditLog {
    /// Writes, committed in groups.
    pub writer: AuditWriter,
    /// Reads.
    pub queries: Arc<dyn AuditQueries>,
}

impl AuditLog {
    /// Open the SQLite audit database at `path` (migrating it), start the writer.
    pub fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        let write_conn = sqlite::open(path)?;
        let read_conn = sqlite::open(path)?;
        Ok(Self {
            writer: AuditWriter::start(Box::new(sqlite::SqliteWrites(write_conn)))?,
            queries: Arc::new(sqlite::SqliteQueries(std::sync::Mutex::new(read_conn))),
        })
    }

    /// Run a query on the blocking pool.
    pub async fn query<T: Send + 'static>(
        &self,
        run: impl FnOnce(&dyn AuditQueries) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let queries = self.queries.clone();
        tokio::task::spawn_blocking(move || run(queries.as_ref()))
            .await
            .map_err(|e| StoreError::Database(format!("query task failed: {e}")))?
    }
}
