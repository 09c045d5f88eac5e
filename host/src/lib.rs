//! Praximous: an on-premise AI gateway that runs Smart Skills as sandboxed WebAssembly
//! components behind one HTTP API.

pub mod admin_audit;
pub mod api;
pub mod auth;
pub mod cli;
pub mod coarse_timer;
pub mod commerce;
pub mod config;
pub mod config_file;
pub mod deadline;
pub mod egress;
pub mod env_file;
pub mod environment;
pub mod fs_atomic;
pub mod http_server;
pub mod identity;
pub mod knowledge;
pub mod license;
pub mod llm;
pub mod logging;
pub mod mail;
pub mod mcp_bridge;
pub mod metrics;
pub mod runtime;
pub mod secret_file;
pub mod server;
pub mod silence;
pub mod skills;
pub mod sso;
pub mod store;
pub mod task_type;
pub mod timestamp;
