//! The `prax` command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::CONFIG_ENV;

/// Praximous: an on-premise AI gateway that runs sandboxed WebAssembly Smart Skills.
#[derive(Debug, Parser)]
#[command(name = "prax", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `prax` commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP server.
    Serve(ServeArgs),
}

/// `prax serve` options. Each overrides the configuration file.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Configuration file [default: config/praximous.toml if present, else built-in defaults].
    #[arg(long, short = 'c', value_name = "FILE", env = CONFIG_ENV)]
    pub config: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8000 (port 0 picks a free port) [default: 127.0.0.1:8000].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
    /// Directory for the store, installed skills and compiled-skill cache [default: ./data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}
