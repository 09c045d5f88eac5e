//! Which store the servers under test use. `make test` runs the end-to-end suite twice, both
//! times with a throwaway PostgreSQL cluster (`tools/postgres.sh`) named by
//! `PRAX_TEST_POSTGRES_URL` for the tests that always need one (several replicas, copying a
//! store): first on SQLite in each server's data directory, then with `PRAX_TEST_STORE=postgres`,
//! where each data directory gets a database of its own on the cluster, made on first use and
//! remembered in the directory, so a server restarted on the same directory finds its state
//! as it would on SQLite.

use std::path::Path;

use anyhow::Context as _;

/// The cluster's URL (without a database), when the suite runs on PostgreSQL.
pub const POSTGRES_URL_ENV: &str = "PRAX_TEST_POSTGRES_URL";

/// The file in a data directory that remembers its database.
const MARKER: &str = ".test-store-url";

/// Set to `postgres` for the run on PostgreSQL.
pub const STORE_ENV: &str = "PRAX_TEST_STORE";

/// The throwaway PostgreSQL cluster, if there is one.
pub fn postgres_cluster() -> Option<String> {
    std::env::var(POSTGRES_URL_ENV)
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether the servers under test keep their state in PostgreSQL (this run's choice).
/// Choosing it without a cluster is a mistake in how the suite was started, and fails.
pub fn on_postgres() -> bool {
    let chosen = std::env::var(STORE_ENV).is_ok_and(|v| v == "postgres");
    assert!(
        !chosen || postgres_cluster().is_some(),
        "{STORE_ENV}=postgres needs {POSTGRES_URL_ENV}: run under tools/postgres.sh run --"
    );
    chosen
}

/// The `PRAXIMOUS_STORE_URL` for a server or command on `data_dir`: `None` on SQLite; on
/// PostgreSQL the directory's own database, made the first time.
pub fn store_url(data_dir: &Path) -> anyhow::Result<Option<String>> {
    if !on_postgres() {
        return Ok(None);
    }
    let Some(cluster) = postgres_cluster() else {
        return Ok(None);
    };
    let marker = data_dir.join(MARKER);
    if let Ok(url) = std::fs::read_to_string(&marker) {
        return Ok(Some(url));
    }
    let url = fresh_database(&cluster)?;
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(&marker, &url)?;
    Ok(Some(url))
}

/// A new, empty database on the cluster at `cluster` (`postgres://user@host:port`); its URL.
pub fn fresh_database(cluster: &str) -> anyhow::Result<String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!(
        "prax_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let base = cluster.trim_end_matches('/');
    let statement = format!("CREATE DATABASE {name}");
    run_on(&format!("{base}/postgres"), move |client| async move {
        client.batch_execute(&statement).await?;
        Ok(())
    })?;
    Ok(format!("{base}/{name}"))
}

/// Run `work` with a client connected to `url`, on a thread of its own (the caller may be
/// async or not).
pub fn run_on<T, F, Fut>(url: &str, work: F) -> anyhow::Result<T>
where
    T: Send + 'static,
    F: FnOnce(tokio_postgres::Client) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let url = url.to_owned();
    std::thread::spawn(move || -> anyhow::Result<T> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .with_context(|| format!("cannot connect to {url}"))?;
            let driver = tokio::spawn(connection);
            let result = work(client).await;
            driver.abort();
            result
        })
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the database thread panicked"))?
}

/// Run `statement` (parameters `$1`, `$2`... as text) on the store of `data_dir`, whichever
/// backend it is; the rows, every column read as text (cast in the statement if needed,
/// e.g. `CAST(COUNT(*) AS TEXT)`).
pub fn query(
    data_dir: &Path,
    statement: &str,
    params: &[&str],
) -> anyhow::Result<Vec<Vec<Option<String>>>> {
    let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
    match store_url(data_dir)? {
        None => {
            let conn = rusqlite::Connection::open(data_dir.join("praximous.db"))?;
            let mut stmt = conn.prepare(statement)?;
            let columns = stmt.column_count();
            let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |row| {
                (0..columns)
                    .map(|i| row.get::<_, Option<String>>(i))
                    .collect::<Result<Vec<_>, _>>()
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        }
        Some(url) => {
            let statement = statement.to_owned();
            run_on(&url, move |client| async move {
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                let rows = client.query(&statement, &refs).await?;
                Ok(rows
                    .iter()
                    .map(|row| {
                        (0..row.len())
                            .map(|i| row.get::<_, Option<String>>(i))
                            .collect()
                    })
                    .collect())
            })
        }
    }
}

/// Run `statement` as [`query`] does; how many rows it changed.
pub fn execute(data_dir: &Path, statement: &str, params: &[&str]) -> anyhow::Result<u64> {
    let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
    match store_url(data_dir)? {
        None => {
            let conn = rusqlite::Connection::open(data_dir.join("praximous.db"))?;
            Ok(conn.execute(statement, rusqlite::params_from_iter(params.iter()))? as u64)
        }
        Some(url) => {
            let statement = statement.to_owned();
            run_on(&url, move |client| async move {
                let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
                    .iter()
                    .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                Ok(client.execute(&statement, &refs).await?)
            })
        }
    }
}
