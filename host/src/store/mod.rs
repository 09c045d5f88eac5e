//! Persistence behind traits: the audit log, written with group commit and read by the
//! analytics endpoints, the API keys (`auth::key_store`'s trait) and the shared rate limits.
//! Two backends: SQLite in the data directory (the default) and PostgreSQL (many replicas).
//! Every table exists in both, each with its own versioned migrations.

pub mod copy;
pub mod postgres;
pub mod query;
pub mod record;
pub mod rollup;
pub mod sqlite;
pub mod writer;

use std::path::Path;
use std::sync::Arc;

use crate::auth::key_store::KeyStore;
use crate::auth::throttle::SharedRateLimits;
use crate::config::{AuditDurability, StoreLocation};

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
        "{store}: the database has schema version {found}, newer than this prax supports ({supported}); \
         run the newer prax, or restore a backup made before the upgrade"
    )]
    TooNew {
        /// The file or URL.
        store: String,
        /// Its version.
        found: i64,
        /// Ours.
        supported: i64,
    },
    /// The writer thread is gone.
    #[error("the audit writer has stopped")]
    WriterStopped,
    /// The write contradicts what is stored (vectors of another model than a collection's).
    #[error("{0}")]
    Conflict(String),
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
    /// Open the SQLite audit database at `path` (migrating it), start the writer: through
    /// the audit journal beside it, or with group commit when records must survive power loss.
    pub fn open_sqlite(path: &Path, durability: AuditDurability) -> Result<Self, StoreError> {
        let writes = Box::new(sqlite::SqliteWrites(sqlite::open(path)?));
        let journal = writer::journal::dir_for(path);
        let writer = match durability {
            AuditDurability::ProcessCrash => AuditWriter::start_journaled(writes, &journal)?,
            AuditDurability::PowerLoss => {
                // A journal a previous run left must reach the database before anything reads it.
                let mut writes = writes;
                store_journal_left(path, writes.as_mut())?;
                AuditWriter::start(writes)?
            }
        };
        let read_conn = sqlite::open(path)?;
        Ok(Self {
            writer,
            queries: Arc::new(sqlite::SqliteQueries(std::sync::Mutex::new(read_conn))),
        })
    }

    /// The audit log in PostgreSQL.
    pub fn open_postgres(db: &postgres::Database) -> Result<Self, StoreError> {
        Ok(Self {
            writer: AuditWriter::start(Box::new(postgres::PgWrites::new(db.connector.clone())?))?,
            queries: Arc::new(postgres::PgQueries(db.clone())),
        })
    }

    /// Wait until every record handed over so far is in the database, before `reading`
    /// (what is read next then includes every answered request). On failure the reader goes
    /// ahead without the newest records, and the log says so.
    pub async fn settle(&self, reading: &str) {
        if let Err(e) = self.writer.settle().await {
            tracing::warn!(error = %e, "audit records not all stored before {reading}");
        }
    }

    /// Run a query on the blocking pool.
    pub async fn query<T: Send + 'static>(
        &self,
        run: impl FnOnce(&dyn AuditQueries) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.settle("a query").await;
        let queries = self.queries.clone();
        tokio::task::spawn_blocking(move || run(queries.as_ref()))
            .await
            .map_err(|e| StoreError::Database(format!("query task failed: {e}")))?
    }
}

/// Store in the SQLite database at `path` what a server that stopped without settling left
/// in its audit journal (nothing while a server holds the journal).
pub fn store_journal_left(path: &Path, writes: &mut dyn AuditWrites) -> Result<(), StoreError> {
    writer::journal::replay_if_idle(&writer::journal::dir_for(path), &mut |records| {
        writes.write_batch(records)
    })
}

/// Everything kept in the store, opened (and migrated) together.
pub struct Store {
    /// The audit log.
    pub audit: AuditLog,
    /// The API keys.
    pub keys: Arc<dyn KeyStore>,
    /// Request limits shared by every replica; `None` where one process is the only user of
    /// the store (SQLite), which then counts in memory.
    pub rate_limits: Option<Arc<dyn SharedRateLimits>>,
    /// Licensing's first uses.
    pub license: Arc<dyn crate::license::live::LicenseFacts>,
    /// The vendor's sales (used where `[commerce]` is configured).
    pub commerce: Arc<dyn crate::commerce::records::CommerceRecords>,
    /// The admin audit log.
    pub admin_audit: Arc<dyn crate::admin_audit::AdminAuditStore>,
    /// Single sign-on's users and sessions.
    pub sso: Arc<dyn crate::sso::store::SsoStore>,
    /// The knowledge base's rows.
    pub knowledge: Arc<dyn crate::knowledge::store::KnowledgeStore>,
}

/// Licensing's records in the store at `location`, for commands (`prax license show`).
pub fn open_license_facts(
    location: &StoreLocation,
    runtime: &tokio::runtime::Handle,
) -> Result<Arc<dyn crate::license::live::LicenseFacts>, StoreError> {
    match location {
        StoreLocation::Sqlite(path) => {
            Ok(Arc::new(sqlite::license::SqliteLicenseFacts::open(path)?))
        }
        StoreLocation::Postgres(target) => Ok(Arc::new(postgres::license::PgLicenseFacts(
            postgres::Database::open(target, runtime.clone())?,
        ))),
    }
}

/// The vendor's sales records in the store at `location`, for `prax license sales|resend`.
pub fn open_commerce(
    location: &StoreLocation,
    runtime: &tokio::runtime::Handle,
) -> Result<Arc<dyn crate::commerce::records::CommerceRecords>, StoreError> {
    match location {
        StoreLocation::Sqlite(path) => Ok(Arc::new(sqlite::commerce::SqliteCommerce::open(path)?)),
        StoreLocation::Postgres(target) => Ok(Arc::new(postgres::commerce::PgCommerce(
            postgres::Database::open(target, runtime.clone())?,
        ))),
    }
}

/// The admin audit log of the store at `location`, for commands (`prax audit verify`, and
/// the commands that change what it records).
pub fn open_admin_audit(
    location: &StoreLocation,
    runtime: &tokio::runtime::Handle,
) -> Result<Arc<dyn crate::admin_audit::AdminAuditStore>, StoreError> {
    match location {
        StoreLocation::Sqlite(path) => {
            Ok(Arc::new(sqlite::admin_audit::SqliteAdminAudit::open(path)?))
        }
        StoreLocation::Postgres(target) => Ok(Arc::new(postgres::admin_audit::PgAdminAudit(
            postgres::Database::open(target, runtime.clone())?,
        ))),
    }
}

/// Single sign-on's users of the store at `location`, for commands (`prax keys create`
/// counts them as seats).
pub fn open_sso(
    location: &StoreLocation,
    runtime: &tokio::runtime::Handle,
) -> Result<Arc<dyn crate::sso::store::SsoStore>, StoreError> {
    match location {
        StoreLocation::Sqlite(path) => Ok(Arc::new(sqlite::sso::SqliteSso::open(path)?)),
        StoreLocation::Postgres(target) => Ok(Arc::new(postgres::sso::PgSso(
            postgres::Database::open(target, runtime.clone())?,
        ))),
    }
}

/// What a command that only reads or changes keys needs: the keys, without the audit writer.
/// `runtime` carries PostgreSQL's connections (a multi-threaded one: its calls block on it).
pub fn open_keys(
    location: &StoreLocation,
    runtime: &tokio::runtime::Handle,
) -> Result<Arc<dyn KeyStore>, StoreError> {
    match location {
        StoreLocation::Sqlite(path) => Ok(Arc::new(sqlite::SqliteKeys::open(path)?)),
        StoreLocation::Postgres(target) => {
            let db = postgres::Database::open(target, runtime.clone())?;
            Ok(Arc::new(postgres::PgKeys::new(db, None)))
        }
    }
}

impl Store {
    /// Open the store at `location`, migrating it, for a server: the audit writer runs, and
    /// PostgreSQL's key changes are listened for on `runtime`. Blocks: call from outside
    /// async code.
    pub fn open(
        location: &StoreLocation,
        durability: AuditDurability,
        runtime: &tokio::runtime::Handle,
    ) -> Result<Self, StoreError> {
        match location {
            StoreLocation::Sqlite(path) => Ok(Self {
                audit: AuditLog::open_sqlite(path, durability)?,
                keys: Arc::new(sqlite::SqliteKeys::open(path)?),
                rate_limits: None,
                license: Arc::new(sqlite::license::SqliteLicenseFacts::open(path)?),
                commerce: Arc::new(sqlite::commerce::SqliteCommerce::open(path)?),
                admin_audit: Arc::new(sqlite::admin_audit::SqliteAdminAudit::open(path)?),
                sso: Arc::new(sqlite::sso::SqliteSso::open(path)?),
                knowledge: Arc::new(sqlite::knowledge::SqliteKnowledge::open(path)?),
            }),
            StoreLocation::Postgres(target) => {
                let db = postgres::Database::open(target, runtime.clone())?;
                let changes =
                    postgres::key_changes::KeyChanges::start(db.connector.clone(), runtime);
                Ok(Self {
                    audit: AuditLog::open_postgres(&db)?,
                    keys: Arc::new(postgres::PgKeys::new(db.clone(), Some(changes))),
                    rate_limits: Some(Arc::new(postgres::PgRateLimits(db.clone()))),
                    license: Arc::new(postgres::license::PgLicenseFacts(db.clone())),
                    commerce: Arc::new(postgres::commerce::PgCommerce(db.clone())),
                    admin_audit: Arc::new(postgres::admin_audit::PgAdminAudit(db.clone())),
                    sso: Arc::new(postgres::sso::PgSso(db.clone())),
                    knowledge: Arc::new(postgres::knowledge::PgKnowledge(db)),
                })
            }
        }
    }
}
