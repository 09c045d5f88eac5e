//! Harness for the skill registry tests: run `prax` commands, start a real
//! `prax registry serve`, and a misbehaving registry (errors, cut-off downloads) on
//! 127.0.0.1, plus a fingerprint of a data directory's installed skills.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};

use praximous_registry::bundle::Bundle;

use crate::{component, prax_binary, sha256_hex};

/// What a `prax` command did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 if killed).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panic with both streams unless the command succeeded.
    pub fn ok(self, what: &str) -> Self {
        assert_eq!(
            self.code, 0,
            "{what} failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panic unless the command failed with an error mentioning `needle`.
    pub fn fails_with(self, needle: &str, what: &str) -> Self {
        assert_ne!(self.code, 0, "{what} should have failed: {}", self.stdout);
        assert!(
            self.stderr.contains(needle),
            "{what}: the error should mention `{needle}`; it was:\n{}",
            self.stderr
        );
        self
    }
}

/// `prax config check` on `text`, written as `work/praximous.toml`.
pub fn config_check(work: &Path, text: &str) -> Run {
    let config = work.join("praximous.toml");
    if let Err(e) = std::fs::write(&config, text) {
        panic!("cannot write {}: {e}", config.display());
    }
    let path = config.display().to_string();
    prax(work, &["config", "check", "--config", &path], &[])
}

/// Run `prax ARGS` in `work` with no configuration from the environment; `env` adds variables.
pub fn prax(work: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(prax_binary());
    command
        .args(args)
        .current_dir(work)
        .env_remove("PRAXIMOUS_CONFIG")
        .env_remove("PRAXIMOUS_API_KEYS")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run prax: {e}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A running `prax registry serve`, stopped when dropped.
pub struct Registry {
    child: Child,
    /// `http://ADDRESS:PORT`.
    pub url: String,
    /// Its storage folder.
    pub dir: PathBuf,
}

impl Registry {
    /// Serve `dir` accepting `token` for publishing; `extra` adds arguments (e.g. `--config`).
    pub fn start(work: &Path, dir: &Path, token: &str, extra: &[&str]) -> anyhow::Result<Self> {
        let mut child = Command::new(prax_binary())
            .args([
                "registry",
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--token",
                token,
            ])
            .arg("--dir")
            .arg(dir)
            .args(extra)
            .current_dir(work)
            .env_remove("PRAXIMOUS_CONFIG")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start prax registry serve")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => Ok(Self {
                child,
                url,
                dir: dir.to_owned(),
            }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("the registry did not start listening within 30 s")
            }
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the fake registry answers one path.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with these bytes.
    Body(Vec<u8>),
    /// 200 announcing the whole length, but sending only the first `sent` bytes, then
    /// closing the connection: a download cut short.
    CutShort(Vec<u8>, usize),
    /// 200 with these bytes in `chunked` transfer encoding: no length announced.
    Chunked(Vec<u8>),
}

/// A registry that misbehaves on purpose, on a raw socket so its answers are exactly
/// what the test says: files it knows, 404 otherwise, or 500 for everything.
pub struct FakeRegistry {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl FakeRegistry {
    /// Serve `files` (path without the leading `/` → reply); every other path is 404.
    pub fn serve(files: BTreeMap<String, Reply>) -> anyhow::Result<Self> {
        Self::start("127.0.0.1:0", Arc::new(files), false)
    }

    /// Serve `files` on `address` (`127.0.0.2:0`, say), for tests that need another loopback
    /// address than the usual one.
    pub fn serve_at(address: &str, files: BTreeMap<String, Reply>) -> anyhow::Result<Self> {
        Self::start(address, Arc::new(files), false)
    }

    /// Answer every request with 500.
    pub fn failing() -> anyhow::Result<Self> {
        Self::start("127.0.0.1:0", Arc::new(BTreeMap::new()), true)
    }

    fn start(
        address: &str,
        files: Arc<BTreeMap<String, Reply>>,
        fail: bool,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(address)?;
        let url = format!("http://{}", listener.local_addr()?);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let files = files.clone();
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match stream.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let path = head
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or("/")
                        .trim_start_matches('/')
                        .to_owned();
                    if let (false, Some(Reply::Chunked(body))) = (fail, files.get(&path)) {
                        let _ = stream.write_all(
                            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
                        );
                        for chunk in body.chunks(64 * 1024) {
                            let _ = stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes());
                            let _ = stream.write_all(chunk);
                            let _ = stream.write_all(b"\r\n");
                        }
                        let _ = stream.write_all(b"0\r\n\r\n");
                        return;
                    }
                    let (status, body, sent) = match (fail, files.get(&path).cloned()) {
                        (true, _) => ("500 Internal Server Error", b"boom".to_vec(), None),
                        (false, Some(Reply::Body(body))) => ("200 OK", body, None),
                        (false, Some(Reply::CutShort(body, sent))) => ("200 OK", body, Some(sent)),
                        (false, Some(Reply::Chunked(_)) | None) => {
                            ("404 Not Found", b"{}".to_vec(), None)
                        }
                    };
                    let header = format!(
                        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(header.as_bytes());
                    let _ = stream.write_all(&body[..sent.unwrap_or(body.len()).min(body.len())]);
                    let _ = stream.flush();
                });
            }
        });
        Ok(Self { url })
    }
}

/// Every file under `data_dir/skills` (hidden ones included), with its digest: equal
/// fingerprints mean nothing was installed, removed, or left half-written.
pub fn installed_files(data_dir: &Path) -> BTreeMap<String, String> {
    let root = data_dir.join("skills");
    let mut files = BTreeMap::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(&root)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            if path.is_dir() {
                files.insert(format!("{relative}/"), String::new());
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                files.insert(relative, sha256_hex(&bytes));
            }
        }
    }
    files
}

/// The publish token the test registries accept.
pub const TOKEN: &str = "publish-token-for-tests";

/// A publisher's key pair made by `prax publisher keygen`: (key file, public key text).
pub fn keygen(work: &Path, name: &str) -> (PathBuf, String) {
    let out = work.join(name);
    let run = prax(work, &["publisher", "keygen", "--out", &path(&out)], &[]).ok("keygen");
    let public = std::fs::read_to_string(out.join("publisher.pub")).unwrap_or_default();
    assert_eq!(
        run.stdout.trim(),
        public.trim(),
        "keygen prints the public key"
    );
    (out.join("publisher.key"), public.trim().to_owned())
}

/// `p` as text, for command lines.
pub fn path(p: &Path) -> String {
    p.display().to_string()
}

/// A configuration file trusting `publishers`, reloading skills fast, with `extra` lines.
pub fn config(work: &Path, file: &str, publishers: &[&str], extra: &str) -> String {
    let list: Vec<String> = publishers.iter().map(|p| format!("{p:?}")).collect();
    let text = format!(
        "[skills]\nreload_interval_ms = 100\n\n[registry]\ntrusted_publishers = [{}]\n{extra}",
        list.join(", ")
    );
    let file = work.join(file);
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("cannot write the config: {e}"));
    path(&file)
}

/// A skill folder `greeter` at `version` around the echo component, with `extra`
/// manifest lines (permissions, limits), its digest pinned; unsigned.
pub fn greeter(work: &Path, folder: &str, version: &str, wit: &str, permissions: &str) -> PathBuf {
    let dir = work.join(folder);
    let wasm = component("echo");
    let manifest = format!(
        "name: greeter\nversion: {version}\ndescription: Greets, by echoing.\nauthor: Tests\n\
         license: MIT\nwit: {wit}\ncomponent: skill.wasm\n\
         operations:\n  greet: {{ description: Echo., params: {{ type: object }} }}\n\
         permissions: {permissions}\nlimits: {{ memory_mb: 16, timeout_ms: 1000 }}\n\
         sha256: {}\n",
        sha256_hex(&wasm)
    );
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("skill.wasm"), &wasm))
        .and_then(|()| std::fs::write(dir.join("skill.yaml"), manifest));
    written.unwrap_or_else(|e| panic!("cannot write {}: {e}", dir.display()));
    dir
}

/// A manifest's permissions that grant nothing.
pub const NO_PERMISSIONS: &str = "{ llm: false, network: [] }";
/// The WIT version this host runs.
pub const WIT: &str = "praximous:skill@0.1.0";

/// `prax skill sign` the folder `dir` with `key`.
pub fn sign(work: &Path, dir: &Path, key: &Path) {
    prax(
        work,
        &["skill", "sign", &path(dir), "--key", &path(key)],
        &[],
    )
    .ok("sign");
}

/// `prax skill publish` the folder `dir` to `registry`.
pub fn publish(work: &Path, dir: &Path, registry: &str) -> Run {
    prax(
        work,
        &[
            "skill",
            "publish",
            &path(dir),
            "--registry",
            registry,
            "--token",
            TOKEN,
        ],
        &[],
    )
}

/// `prax skill install WHAT` into `data` with the configuration `cfg`.
pub fn install(work: &Path, what: &str, data: &Path, cfg: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "skill",
        "install",
        what,
        "--data-dir",
        data.to_str().unwrap_or_default(),
        "--config",
        cfg,
    ];
    args.extend_from_slice(extra);
    prax(work, &args, &[])
}

/// Write `bundle` as a tar file named `name` in `work`.
pub fn write_bundle(work: &Path, name: &str, bundle: &Bundle) -> String {
    let file = work.join(name);
    let tar = bundle
        .to_tar("skill.wasm")
        .unwrap_or_else(|e| panic!("cannot make a bundle: {e}"));
    std::fs::write(&file, tar).unwrap_or_else(|e| panic!("cannot write the bundle: {e}"));
    path(&file)
}

/// The bundle of the skill folder `dir`.
pub fn bundle_of(dir: &Path) -> Bundle {
    Bundle::from_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
}

/// The key id of the public key text `public`.
pub fn public_key_id(public: &str) -> String {
    praximous_registry::signing::PublicKey::parse(public)
        .map(|k| k.key_id())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A tar holding one regular file named `name` (written by hand: tar builders refuse `..`).
pub fn tar_with_entry(name: &str, data: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    header[..name.len()].copy_from_slice(name.as_bytes());
    header[100..107].copy_from_slice(b"0000644");
    header[108..115].copy_from_slice(b"0000000");
    header[116..123].copy_from_slice(b"0000000");
    let size = format!("{:011o}", data.len());
    header[124..135].copy_from_slice(size.as_bytes());
    header[136..147].copy_from_slice(b"00000000000");
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let mut tar = header.to_vec();
    tar.extend_from_slice(data);
    tar.resize(tar.len().div_ceil(512) * 512, 0);
    tar
}

/// The index a registry would serve for `bundle`, signed by `public`.
pub fn index_json(bundle: &Bundle, public: &str) -> anyhow::Result<Vec<u8>> {
    let manifest = bundle.parse_manifest()?;
    let mut index = praximous_registry::index::Index::default();
    index.add(
        "greeter",
        praximous_registry::index::IndexVersion::new(
            &manifest,
            Some(public_key_id(public)),
            "2026-12-01T00:00:00Z".into(),
        ),
    );
    Ok(serde_json::to_vec(&index)?)
}
