//! `[server]`: where to listen, where the data lives, how large a body may be.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::FieldError;

/// `[server]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Directory for the store, installed skills and the compiled-skill cache.
    pub data_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Daily log files (`<data_dir>/logs/prax.jsonl.YYYY-MM-DD`) kept; older ones are deleted.
    pub log_retention_days: u32,
    /// Time a client has to send a request's headers, counted from the connection's start or
    /// the end of its last response (so it also closes idle keep-alive connections), in ms.
    pub header_read_timeout_ms: u64,
    /// Longest wait for the next chunk of a request body, in ms.
    pub body_read_timeout_ms: u64,
    /// Open connections at most; past it, new ones wait until one closes.
    pub max_connections: usize,
    /// Streamed tasks (SSE and WebSocket) one API key may have running at once.
    pub max_streams_per_key: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: PathBuf::from("data"),
            max_body_bytes: 1 << 20,
            log_retention_days: 14,
            header_read_timeout_ms: 60_000,
            body_read_timeout_ms: 60_000,
            max_connections: 4096,
            max_streams_per_key: 64,
        }
    }
}

impl ServerConfig {
    /// Check the limits.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.max_body_bytes < 1024 {
            return Err(FieldError::new(
                "server.max_body_bytes",
                "must be at least 1024 (bytes)",
            ));
        }
        if !(1..=3650).contains(&self.log_retention_days) {
            return Err(FieldError::new(
                "server.log_retention_days",
                "must be between 1 and 3650 (days)",
            ));
        }
        for (key, value) in [
            ("server.header_read_timeout_ms", self.header_read_timeout_ms),
            ("server.body_read_timeout_ms", self.body_read_timeout_ms),
        ] {
            if !(100..=3_600_000).contains(&value) {
                return Err(FieldError::new(key, "must be between 100 and 3600000 (ms)"));
            }
        }
        if !(1..=1_000_000).contains(&self.max_connections) {
            return Err(FieldError::new(
                "server.max_connections",
                "must be between 1 and 1000000",
            ));
        }
        if !(1..=100_000).contains(&self.max_streams_per_key) {
            return Err(FieldError::new(
                "server.max_streams_per_key",
                "must be between 1 and 100000",
            ));
        }
        Ok(())
    }
}
