//! The PostgreSQL store, for several replicas sharing one state: a connection pool on the
//! server's async runtime, TLS with rustls, and migrations run under an advisory lock so
//! replicas starting together never race.
//!
//! The store traits are synchronous (SQLite's connections are); here each call blocks its
//! thread (the audit writer's, or one of the blocking pool's) on the async query.

pub mod admin_audit;
pub mod audit;
pub mod commerce;
pub mod key_changes;
pub mod keys;
pub mod knowledge;
pub mod knowledge_changes;
pub mod knowledge_vectors;
pub mod license;
pub mod migrations;
pub mod rate_limits;
pub mod sso;
pub mod transfer;

use std::future::Future;
use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use tokio::runtime::Handle;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::StoreError;
use crate::config::store::{PostgresTarget, redact_password};

pub use audit::{PgQueries, PgWrites};
pub use keys::PgKeys;
pub use rate_limits::PgRateLimits;

pub(crate) fn sql(e: tokio_postgres::Error) -> StoreError {
    // The server's own message says what went wrong; the outer one often only "db error".
    match e.as_db_error() {
        Some(db) => StoreError::Database(format!("PostgreSQL: {}", db.message())),
        None => StoreError::Database(format!("PostgreSQL: {e}")),
    }
}

/// How to open connections to one database: its parsed configuration and TLS.
#[derive(Clone)]
pub struct Connector {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    /// The URL without a password, for messages.
    pub display: String,
}

impl Connector {
    /// Parse the target's URL, add the password, and build the TLS configuration (the web's
    /// public roots and the target's own CA file, if any).
    pub fn new(target: &PostgresTarget) -> Result<Self, StoreError> {
        let display = redact_password(&target.url);
        let mut config: tokio_postgres::Config = target
            .url
            .parse()
            .map_err(|e| StoreError::Database(format!("{display}: not a PostgreSQL URL: {e}")))?;
        if let Some(password) = &target.password {
            config.password(password);
        }
        config.application_name("prax");
        config.connect_timeout(target.connect_timeout);
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(file) = &target.ca_file {
            for cert in read_certificates(file)? {
                roots.add(cert).map_err(|e| {
                    StoreError::Database(format!(
                        "{}: not a usable CA certificate: {e}",
                        file.display()
                    ))
                })?;
            }
        }
        let tls_config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Database(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        Ok(Self {
            config,
            tls: MakeRustlsConnect::new(tls_config),
            display,
        })
    }

    fn unreachable(&self, e: &tokio_postgres::Error) -> StoreError {
        let detail = match e.as_db_error() {
            Some(db) => db.message().to_owned(),
            None => std::error::Error::source(e).map_or_else(|| e.to_string(), ToString::to_string),
        };
        let hint = if detail.contains("certificate") {
            "; trust the CA that signed the server's certificate with `[store] ca_file`, or give the server a certificate for the name in the URL"
        } else if detail.contains("password") {
            "; set the password in the variable `[store] password_env` names (PRAXIMOUS_STORE_PASSWORD by default)"
        } else {
            ""
        };
        StoreError::Database(format!(
            "{}: cannot connect to PostgreSQL: {detail}{hint}",
            self.display
        ))
    }
}

fn read_certificates(file: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, StoreError> {
    let certs = CertificateDer::pem_file_iter(file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            StoreError::Database(format!(
                "{}: cannot read the store's CA certificates: {e}",
                file.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(StoreError::Database(format!(
            "{}: holds no PEM certificate; give the CA that signed the PostgreSQL server's certificate",
            file.display()
        )));
    }
    Ok(certs)
}

/// A connected, migrated database: a pool of connections on an async runtime.
#[derive(Clone)]
pub struct Database {
    pool: deadpool_postgres::Pool,
    runtime: Handle,
    /// How to make connections outside the pool.
    pub connector: Connector,
}

impl Database {
    /// Connect to `target` on `runtime`, migrate it (or refuse a newer schema), and make a
    /// pool of up to its `max_connections`. Blocks: call from outside async code.
    pub fn open(target: &PostgresTarget, runtime: Handle) -> Result<Self, StoreError> {
        let connector = Connector::new(target)?;
        let manager = Manager::from_config(
            connector.config.clone(),
            connector.tls.clone(),
            ManagerConfig {
                // A broken connection is noticed when used and replaced; a round trip before
                // every checkout would cost each query a second one.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(target.max_connections as usize)
            .wait_timeout(Some(target.connect_timeout))
            .create_timeout(Some(target.connect_timeout))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Database(format!("{}: {e}", connector.display)))?;
        let database = Self {
            pool,
            runtime,
            connector,
        };
        database.run(async {
            let mut client = database.client().await?;
            migrations::migrate(&mut client, &database.connector.display).await
        })?;
        Ok(database)
    }

    /// Block this thread on `work`. Meant for threads outside async code (the audit
    /// writer's, the blocking pool's, a command's); called from a runtime worker by mistake,
    /// it hands the worker's other tasks away first rather than stall or panic.
    pub fn run<T>(
        &self,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::task::block_in_place(|| self.runtime.block_on(work))
    }

    /// A connection from the pool.
    pub async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => self.connector.unreachable(&e),
            other => StoreError::Database(format!(
                "{}: no PostgreSQL connection available: {other}",
                self.connector.display
            )),
        })
    }
}
