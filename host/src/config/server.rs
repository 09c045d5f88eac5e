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
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: PathBuf::from("data"),
            max_body_bytes: 1 << 20,
            log_retention_days: 14,
        }
    }
}

impl ServerConfig {
    /// Check the body limit and the log retention.
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
        Ok(())
    }
}
