//! The `prax` command line: one file per command family.

pub mod audit_cmd;
pub mod config_cmd;
pub mod healthcheck_cmd;
pub mod identity_cmd;
pub mod init;
pub mod keys_cmd;
pub mod knowledge_cmd;
pub mod license_cmd;
pub mod mcp_cmd;
pub mod prompt;
pub mod publisher_cmd;
pub mod registry_cmd;
pub mod sales_cmd;
pub mod skill_cmd;
pub mod store_cmd;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::CONFIG_ENV;
use crate::env_file::DEFAULT_ENV_FILE;

/// Praximous: an on-premise AI gateway that runs sandboxed WebAssembly Smart Skills.
///
/// Exit codes: 0 success, 1 error, 2 usage error, 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "prax", version, about, long_about, propagate_version = true)]
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
    /// Set up the identity and provider credentials (or take flags: --no-input).
    Init(init::InitArgs),
    /// Rename the system, keeping the rest of the configuration file.
    Rename(identity_cmd::RenameArgs),
    /// Reset the identity to the defaults, keeping the rest of the file.
    ResetIdentity(identity_cmd::ResetArgs),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// Create, list and revoke API keys.
    #[command(subcommand)]
    Keys(keys_cmd::KeysCommand),
    /// Write, build, sign and publish skills; install, update, list and remove them.
    #[command(subcommand)]
    Skill(skill_cmd::SkillCommand),
    /// Serve a running server's skills as MCP tools over stdio (for clients that launch a
    /// local process).
    Mcp(mcp_cmd::McpArgs),
    /// Collections of private documents on a running server: make, list, upload, search.
    Knowledge(knowledge_cmd::KnowledgeArgs),
    /// Make a publisher key pair for signing skills.
    #[command(subcommand)]
    Publisher(publisher_cmd::PublisherCommand),
    /// Run a skill registry.
    #[command(subcommand)]
    Registry(registry_cmd::RegistryCommand),
    /// Print a shell completion script for bash, zsh or fish.
    Completions(CompletionsArgs),
    /// Print the HTTP API's OpenAPI document (as served at /api/v1/openapi.json).
    Openapi,
    /// Install or show the licence; (vendor) make keys and issue licences.
    #[command(subcommand)]
    License(license_cmd::LicenseCommand),
    /// Check the admin audit log's hash chain.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCommand),
    /// Migrate the store, or copy one store into another (SQLite to PostgreSQL).
    #[command(subcommand)]
    Store(store_cmd::StoreCommand),
    /// Exit 0 if a running server answers its health check (the container's HEALTHCHECK).
    Healthcheck(healthcheck_cmd::HealthcheckArgs),
}

/// The configuration file option, shared by every command that reads it.
#[derive(Debug, Clone, Args)]
pub struct ConfigArg {
    /// Configuration file [default: config/praximous.toml if present, else built-in defaults].
    #[arg(long, short = 'c', value_name = "FILE", env = CONFIG_ENV)]
    pub config: Option<PathBuf>,
}

/// The credentials file option.
#[derive(Debug, Clone, Args)]
pub struct EnvFileArg {
    /// File of environment variables (credentials), loaded before the configuration.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_ENV_FILE)]
    pub env_file: PathBuf,
}

/// `prax serve` options. Each overrides the configuration file.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub env_file: EnvFileArg,
    /// Address to listen on, e.g. 127.0.0.1:8000 (port 0 picks a free port) [default: 127.0.0.1:8000].
    #[arg(long, value_name = "ADDR", env = "PRAXIMOUS_BIND")]
    pub bind: Option<SocketAddr>,
    /// Directory for the store, installed skills and compiled-skill cache [default: ./data].
    #[arg(long, value_name = "DIR", env = "PRAXIMOUS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Shells `prax completions` can write for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    /// GNU Bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
}

/// `prax completions` options.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: Shell,
}

/// The completion script for `shell`, e.g. for `prax completions bash > /etc/bash_completion.d/prax`.
pub fn completions(shell: Shell) -> Vec<u8> {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "prax", &mut script);
    script
}

/// The OpenAPI document, pretty-printed with a final newline (the UI's types are generated
/// from it).
pub fn openapi_json() -> anyhow::Result<String> {
    let mut text = crate::api::openapi().to_pretty_json()?;
    text.push('\n');
    Ok(text)
}

/// Load credentials from the `.env` file, if there is one; variables already set win.
pub fn load_env_file(path: &std::path::Path) -> anyhow::Result<()> {
    match dotenvy::from_path(path) {
        Ok(()) => Ok(()),
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(anyhow::anyhow!(
            "{}: {}",
            path.display(),
            crate::env_file::describe_error(&e)
        )),
    }
}

/// A runtime for a command that opens the store: PostgreSQL's connections live on it, and
/// the store's calls block on it from the command's own thread (so it has a worker).
pub fn store_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}
