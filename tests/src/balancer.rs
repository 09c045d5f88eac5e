//! A real load balancer in front of several `prax serve`: Debian's nginx, started with a
//! configuration of its own in a temporary directory, round-robin over the replicas.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// nginx as Debian installs it.
pub const NGINX: &str = "/usr/sbin/nginx";

/// A running nginx, stopped when dropped.
pub struct Balancer {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    dir: tempfile::TempDir,
}

impl Balancer {
    /// Balance over the servers at `upstreams` (`http://127.0.0.1:PORT` each). A replica
    /// that refuses connections is skipped for the next one; a request already sent to a
    /// replica that dies is not repeated (POST is not idempotent), as an operator would set it.
    pub fn start(upstreams: &[&str]) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let servers: String = upstreams
            .iter()
            .map(|url| {
                let address = url.trim_start_matches("http://");
                format!("        server {address} max_fails=1 fail_timeout=2s;\n")
            })
            .collect();
        let path = |name: &str| -> PathBuf { dir.path().join(name) };
        let config = format!(
            "worker_processes 1;\n\
             pid {pid};\n\
             error_log {error} warn;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n\
                 access_log off;\n\
                 client_body_temp_path {tmp}/body;\n\
                 proxy_temp_path {tmp}/proxy;\n\
                 fastcgi_temp_path {tmp}/fastcgi;\n\
                 uwsgi_temp_path {tmp}/uwsgi;\n\
                 scgi_temp_path {tmp}/scgi;\n\
                 upstream prax {{\n{servers}        keepalive 32;\n    }}\n\
                 server {{\n\
                     listen 127.0.0.1:{port};\n\
                     location / {{\n\
                         proxy_pass http://prax;\n\
                         proxy_http_version 1.1;\n\
                         proxy_set_header Connection \"\";\n\
                         proxy_next_upstream error timeout;\n\
                         proxy_connect_timeout 1s;\n\
                     }}\n\
                 }}\n\
             }}\n",
            pid = path("nginx.pid").display(),
            error = path("error.log").display(),
            tmp = dir.path().display(),
        );
        let config_path = path("nginx.conf");
        std::fs::write(&config_path, config)?;
        let child = Command::new(NGINX)
            .arg("-c")
            .arg(&config_path)
            .arg("-p")
            .arg(dir.path())
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {NGINX}"))?;
        let mut balancer = Self {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline || !matches!(balancer.child.try_wait(), Ok(None)) {
                let log = std::fs::read_to_string(balancer.dir.path().join("error.log"))
                    .unwrap_or_default();
                bail!("nginx did not start listening on {port}: {log}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(balancer)
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
