//! Chroma for the tests: the server of the suite's pass on Chroma (`tools/chroma.sh`, named by
//! `PRAX_TEST_CHROMA_URL`), or one a test starts for itself (`chroma run` from `.tools/chroma`,
//! installed by `tools/test-tools.sh`), and a little of Chroma's v2 API to look inside it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::repo_root;

/// Set by `tools/chroma.sh` for the suite's pass on Chroma.
pub const CHROMA_URL_ENV: &str = "PRAX_TEST_CHROMA_URL";

/// The Chroma server this run keeps vectors in, if the suite runs on Chroma.
pub fn suite_chroma() -> Option<String> {
    std::env::var(CHROMA_URL_ENV).ok().filter(|u| !u.is_empty())
}

/// The `[knowledge]` keys that keep vectors in the Chroma server at `url`.
pub fn chroma_keys(url: &str) -> String {
    format!("store = \"chroma\"\nchroma_url = \"{url}\"\n")
}

/// `chroma`'s executable, if installed; in CI its absence fails the test.
pub fn chroma_bin() -> Option<PathBuf> {
    let bin = repo_root().join(".tools/chroma/bin/chroma");
    if bin.exists() {
        return Some(bin);
    }
    let why = format!(
        "Chroma is not installed at {}: run tools/test-tools.sh (make test does)",
        bin.display()
    );
    assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{why}");
    eprintln!("skipping: {why}");
    None
}

/// A `chroma run` of the test's own, on a free port, stopped (and its data deleted) when
/// dropped.
pub struct ChromaServer {
    child: Option<Child>,
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl ChromaServer {
    /// Start a server and wait until it answers.
    pub async fn start(bin: &std::path::Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut server = Self {
            child: None,
            bin: bin.to_owned(),
            dir: tempfile::tempdir()?,
            port,
        };
        server.resume().await?;
        Ok(server)
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stop it (its data stays), as an outage would.
    pub fn pause(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start it again on the same port and data, and wait until it answers.
    pub async fn resume(&mut self) -> anyhow::Result<()> {
        let log = std::fs::File::create(self.dir.path().join("server.log"))?;
        let child = Command::new(&self.bin)
            .args(["run", "--host", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .arg("--path")
            .arg(self.dir.path().join("data"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let heartbeat = crate::client()
                .get(format!("{}/api/v2/heartbeat", self.url()))
                .send()
                .await;
            if heartbeat.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        anyhow::bail!(
            "chroma did not answer within 60 s: {}",
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        )
    }
}

impl Drop for ChromaServer {
    fn drop(&mut self) {
        self.pause();
    }
}

/// The collections of Chroma's default database: `(name, metadata)`.
pub async fn collections(url: &str) -> anyhow::Result<Vec<(String, Value)>> {
    let listed: Value = crate::client()
        .get(format!(
            "{url}/api/v2/tenants/default_tenant/databases/default_database/collections"
        ))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(listed
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["metadata"].clone(),
            )
        })
        .collect())
}

/// The Chroma collections that keep the vectors of the knowledge collection `label`:
/// `(name, metadata)`.
pub async fn keeping(url: &str, label: &str) -> anyhow::Result<Vec<(String, Value)>> {
    Ok(collections(url)
        .await?
        .into_iter()
        .filter(|(_, metadata)| metadata["prax_collection"] == label)
        .collect())
}

/// How many records Chroma holds for `document` in the one Chroma collection that keeps the
/// vectors of the knowledge collection `label`.
pub async fn records_of(url: &str, label: &str, document: &str) -> anyhow::Result<usize> {
    let held = keeping(url, label).await?;
    let [(name, _)] = held.as_slice() else {
        anyhow::bail!(
            "{} Chroma collections keep `{label}`'s vectors, not one",
            held.len()
        );
    };
    let base =
        format!("{url}/api/v2/tenants/default_tenant/databases/default_database/collections");
    let collection: Value = crate::client()
        .get(format!("{base}/{name}"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = collection["id"].as_str().unwrap_or_default();
    let records: Value = crate::client()
        .post(format!("{base}/{id}/get"))
        .json(&serde_json::json!({"where": {"document": document}, "include": []}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(records["ids"].as_array().map_or(0, Vec::len))
}
