//! Harness for end-to-end tests: start the real `prax` binary on a free loopback port with
//! its own data directory, install test skills into it, and talk HTTP to it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod balancer;
pub mod chroma;
pub mod dns;
pub mod knowledge;
pub mod licence;
pub mod oidc;
pub mod pdf;
pub mod registry;
pub mod smtp;
pub mod standin;
pub mod store;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

/// `prax` ready to run a command on the store of `data_dir` (its `--data-dir` is the
/// caller's to add; on the PostgreSQL run, `PRAXIMOUS_STORE_URL` names the directory's
/// database).
pub fn prax_on(data_dir: &Path) -> anyhow::Result<Command> {
    let mut command = Command::new(prax_binary());
    command.env_remove("PRAXIMOUS_CONFIG");
    match store::store_url(data_dir)? {
        Some(url) => command.env("PRAXIMOUS_STORE_URL", url),
        None => command.env_remove("PRAXIMOUS_STORE_URL"),
    };
    Ok(command)
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `prax` binary under test: `$PRAX_BIN`, else the workspace's debug build.
pub fn prax_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PRAX_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let path = target.join("debug/prax");
    assert!(
        path.is_file(),
        "{} is missing: build it first with `cargo build -p praximous` (`make test` does)",
        path.display()
    );
    path
}

/// The built-in skills a server built from this checkout embeds and serves: every
/// `skills-wasm/<name>/` holding a `skill.yaml` (the rule `host/build.rs` embeds by), sorted.
pub fn builtin_skill_names() -> Vec<String> {
    let root = repo_root().join("skills-wasm");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .filter(|entry| entry.path().join("skill.yaml").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// A component built in `skills-wasm/` (built-ins and test fixtures).
pub fn component(crate_name: &str) -> Vec<u8> {
    let path = repo_root().join(format!(
        "skills-wasm/target/wasm32-wasip2/release/{crate_name}.wasm"
    ));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the skills first with `make skills` (`make test` does)",
            path.display()
        )
    })
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The private key of the publisher whose signature test skills carry (a test fixture,
/// trusted only by the servers the tests start).
pub const TEST_PUBLISHER_KEY: &str = "praximous-publisher-key-v1:MFECAQEwBQYDK2VwBCIEIIhNnvTJEKF4kb28dYgP9KPJyQ54r0CU4n4qrkJeFT3TgSEA29U5wixVRl2MGhemg93O9n2PNrzLlljyG8i4ikr9Mt0=";
/// Its public key, which every test server trusts through `PRAXIMOUS_TRUSTED_PUBLISHERS`.
pub const TEST_PUBLISHER: &str = "ed25519:29U5wixVRl2MGhemg93O9n2PNrzLlljyG8i4ikr9Mt0=";

/// Install a skill folder `<data>/skills/<folder>/` holding `manifest` (to which the
/// component's digest is appended as `sha256:`), signed by [`TEST_PUBLISHER_KEY`], and
/// `skill.wasm`: as a registry install would leave it.
pub fn install_skill(data_dir: &Path, folder: &str, manifest: &str, wasm: &[u8]) -> PathBuf {
    let dir = install_unsigned_skill(data_dir, folder, manifest, wasm);
    sign_with_test_publisher(&dir);
    dir
}

/// Sign the `skill.yaml` in `dir` with [`TEST_PUBLISHER_KEY`], as `prax skill sign` would.
pub fn sign_with_test_publisher(dir: &Path) {
    let manifest = std::fs::read(dir.join("skill.yaml")).unwrap_or_default();
    let signature = praximous_registry::signing::PublisherKey::parse(TEST_PUBLISHER_KEY)
        .map(|key| key.sign(&manifest).to_bytes())
        .unwrap_or_else(|e| panic!("the test publisher key does not parse: {e}"));
    if let Err(e) = std::fs::write(dir.join("skill.yaml.sig"), signature) {
        panic!("cannot sign the skill in {}: {e}", dir.display());
    }
}

/// As [`install_skill`], without a signature: placed by hand.
pub fn install_unsigned_skill(
    data_dir: &Path,
    folder: &str,
    manifest: &str,
    wasm: &[u8],
) -> PathBuf {
    let dir = data_dir.join("skills").join(folder);
    let result = std::fs::create_dir_all(&dir).and_then(|()| {
        std::fs::write(dir.join("skill.wasm"), wasm)?;
        std::fs::write(
            dir.join("skill.yaml"),
            format!("{}\nsha256: {}\n", manifest.trim_end(), sha256_hex(wasm)),
        )
    });
    if let Err(e) = result {
        panic!("cannot install test skill into {}: {e}", dir.display());
    }
    dir
}

/// The admin key every test server accepts (through `PRAXIMOUS_API_KEYS`), and that
/// [`client`] sends.
pub const TEST_ADMIN_KEY: &str = "test-admin-key-0123456789";

/// A running `prax serve`, stopped when dropped.
pub struct Server {
    child: Child,
    stdout: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The server's data directory.
    pub data_dir: PathBuf,
    log_path: PathBuf,
    _work: Option<tempfile::TempDir>,
}

impl Server {
    /// A server with a fresh, empty data directory.
    pub fn start() -> anyhow::Result<Self> {
        let work = tempfile::tempdir()?;
        let data_dir = work.path().join("data");
        let mut server = Self::start_in(work.path(), &data_dir, &[])?;
        server._work = Some(work);
        Ok(server)
    }

    /// A server whose data directory is first prepared by `prepare`.
    pub fn start_with(prepare: impl FnOnce(&Path)) -> anyhow::Result<Self> {
        let work = tempfile::tempdir()?;
        let data_dir = work.path().join("data");
        std::fs::create_dir_all(&data_dir)?;
        prepare(&data_dir);
        let mut server = Self::start_in(work.path(), &data_dir, &[])?;
        server._work = Some(work);
        Ok(server)
    }

    /// A server on the configuration `config` (TOML), whose data directory is first prepared
    /// by `prepare`.
    pub fn start_with_config(config: &str, prepare: impl FnOnce(&Path)) -> anyhow::Result<Self> {
        let work = tempfile::tempdir()?;
        let data_dir = work.path().join("data");
        std::fs::create_dir_all(&data_dir)?;
        prepare(&data_dir);
        let config_file = work.path().join("praximous.toml");
        std::fs::write(&config_file, config)?;
        let config_arg = config_file.display().to_string();
        let mut server = Self::start_in(work.path(), &data_dir, &["--config", &config_arg])?;
        server._work = Some(work);
        Ok(server)
    }

    /// A server on the configuration `config` (TOML) with each `(variable, value)` of `env`
    /// set, accepting [`TEST_ADMIN_KEY`].
    pub fn start_with_config_and_env(config: &str, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let work = tempfile::tempdir()?;
        let config_file = work.path().join("praximous.toml");
        std::fs::write(&config_file, config)?;
        let config_arg = config_file.display().to_string();
        let mut variables: Vec<(&str, Option<&str>)> = env
            .iter()
            .map(|(name, value)| (*name, Some(*value)))
            .collect();
        variables.push(("PRAXIMOUS_API_KEYS", Some(TEST_ADMIN_KEY)));
        let mut server = Self::start_with_env(
            work.path(),
            &work.path().join("data"),
            &["--config", &config_arg],
            &variables,
        )?;
        server._work = Some(work);
        Ok(server)
    }

    /// Start `prax serve` in `work_dir` (its working directory, so no stray configuration
    /// file is picked up) on `data_dir`, with `extra` arguments, accepting [`TEST_ADMIN_KEY`].
    pub fn start_in(work_dir: &Path, data_dir: &Path, extra: &[&str]) -> anyhow::Result<Self> {
        Self::start_with_keys(work_dir, data_dir, extra, Some(TEST_ADMIN_KEY))
    }

    /// As [`Server::start_in`], with `PRAXIMOUS_API_KEYS` set to `env_keys` (or unset).
    pub fn start_with_keys(
        work_dir: &Path,
        data_dir: &Path,
        extra: &[&str],
        env_keys: Option<&str>,
    ) -> anyhow::Result<Self> {
        Self::start_with_env(
            work_dir,
            data_dir,
            extra,
            &[("PRAXIMOUS_API_KEYS", env_keys)],
        )
    }

    /// As [`Server::start_in`], with each `(variable, value)` of `env` set, or unset where
    /// the value is `None` (`PRAX_LOG` is `info` and `PRAXIMOUS_API_KEYS` unset unless given).
    pub fn start_with_env(
        work_dir: &Path,
        data_dir: &Path,
        extra: &[&str],
        env: &[(&str, Option<&str>)],
    ) -> anyhow::Result<Self> {
        let log_path = work_dir.join(format!("prax-{}.log", std::process::id()));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)?;
        let mut command = Command::new(prax_binary());
        command
            .env("PRAX_LOG", "info")
            .env("PRAXIMOUS_TRUSTED_PUBLISHERS", TEST_PUBLISHER)
            .env_remove("PRAXIMOUS_API_KEYS");
        for (variable, value) in env {
            match value {
                Some(value) => command.env(variable, value),
                None => command.env_remove(variable),
            };
        }
        // On the PostgreSQL run, the data directory's own database (unless the test names
        // a store itself).
        if !env.iter().any(|(name, _)| *name == "PRAXIMOUS_STORE_URL") {
            match store::store_url(data_dir)? {
                Some(url) => command.env("PRAXIMOUS_STORE_URL", url),
                None => command.env_remove("PRAXIMOUS_STORE_URL"),
            };
        }
        let mut child = command
            .current_dir(work_dir)
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env_remove("PRAXIMOUS_CONFIG")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("cannot start prax")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.to_owned());
                }
                if let Ok(mut seen) = seen.lock() {
                    seen.push(line);
                }
            }
        });
        // Generous: a debug build compiles Python and JavaScript components at start-up.
        match rx.recv_timeout(Duration::from_secs(240)) {
            Ok(base_url) => Ok(Self {
                child,
                stdout: lines,
                base_url,
                data_dir: data_dir.to_owned(),
                log_path,
                _work: None,
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                bail!("prax did not start listening within 240 s; its log:\n{log}")
            }
        }
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Every line the server has printed on stdout so far.
    pub fn stdout(&self) -> Vec<String> {
        self.stdout.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Everything the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Wait until the log contains `needle`, up to `timeout`.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.log().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kill the server (SIGKILL: nothing is flushed, as in a crash) and wait for it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Ask the server to stop (SIGTERM) and wait until it has: it finishes what it was doing
    /// and leaves every audit record in the database, none in its journal. Fails when it
    /// does not exit cleanly within ten seconds.
    pub fn shut_down(&mut self) -> anyhow::Result<()> {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        anyhow::ensure!(term.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::ensure!(
                    status.success(),
                    "the server exited with {status}: {}",
                    self.log()
                );
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the server did not stop within 10 s: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An answer: status, `x-request-id` header, and the body as JSON (`Null` if not JSON).
#[derive(Debug)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// The `x-request-id` header, if present.
    pub request_id: Option<String>,
    /// The body as JSON.
    pub json: serde_json::Value,
    /// The raw body.
    pub text: String,
}

/// An HTTP client that sends [`TEST_ADMIN_KEY`] with every request.
pub fn client() -> reqwest::Client {
    client_with_key(Some(TEST_ADMIN_KEY))
}

/// An HTTP client that sends `key` in `X-API-Key` with every request, or no key.
pub fn client_with_key(key: Option<&str>) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(key) = key {
        match reqwest::header::HeaderValue::from_str(key) {
            Ok(value) => {
                headers.insert("x-api-key", value);
            }
            Err(e) => panic!("not a header value: {e}"),
        }
    }
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .default_headers(headers)
        .build()
        .unwrap_or_else(|e| panic!("cannot build the HTTP client: {e}"))
}

async fn answer(response: reqwest::Response) -> anyhow::Result<Answer> {
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = response.text().await?;
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Ok(Answer {
        status,
        request_id,
        json,
        text,
    })
}

/// POST `body` (raw bytes) to `path`.
pub async fn post_raw(
    client: &reqwest::Client,
    url: &str,
    body: impl Into<reqwest::Body>,
) -> anyhow::Result<Answer> {
    answer(
        client
            .post(url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?,
    )
    .await
}

/// POST `body` as JSON to `url`.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
) -> anyhow::Result<Answer> {
    post_raw(client, url, body.to_string()).await
}

/// DELETE `url`.
pub async fn delete(client: &reqwest::Client, url: &str) -> anyhow::Result<Answer> {
    answer(client.delete(url).send().await?).await
}

/// GET `url`.
pub async fn get(client: &reqwest::Client, url: &str) -> anyhow::Result<Answer> {
    answer(client.get(url).send().await?).await
}

/// `true` when `missing` is `None`; otherwise, outside CI, print why the test cannot run and
/// return `false`. In CI a missing dependency panics: a test never passes by skipping.
pub fn available_or_skip(missing: Option<String>) -> bool {
    let Some(why) = missing else {
        return true;
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("SKIPPED: {why}");
    false
}

/// The Python interpreter of the test tool in `.tools/VENV` if it can `import MODULE`; `None`
/// (with a note) when it cannot, outside CI. In CI a missing tool panics: a test that needs a
/// real client or server never passes by skipping.
pub fn tool_python(venv: &str, module: &str) -> Option<PathBuf> {
    let python = repo_root().join(".tools").join(venv).join("bin/python");
    let works = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        return Some(python);
    }
    let why = format!(
        "{module} is not installed at {}: run tools/test-tools.sh (make test does)",
        python.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipping: {why}");
    None
}

/// Run the Python script `script` (relative to the repository) with `python` and `args`,
/// without blocking the runtime the stand-ins run on; its stdout, or an error with both
/// streams when it failed.
pub async fn python_script(python: &Path, script: &str, args: &[&str]) -> anyhow::Result<String> {
    let output = tokio::process::Command::new(python)
        .arg(repo_root().join(script))
        .args(args)
        .output()
        .await?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    anyhow::ensure!(
        output.status.success(),
        "{script} {}: {stdout}\n{}",
        args.first().copied().unwrap_or_default(),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(stdout)
}
