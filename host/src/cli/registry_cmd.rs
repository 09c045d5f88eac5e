//! `prax registry serve` and `prax registry yank`: run a skill registry over a folder.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use praximous_registry::repository::Repository;
use praximous_registry::server::{PublishToken, RegistryServer, router};

use super::{ConfigArg, EnvFileArg};
use crate::config::Config;

/// `prax registry` subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Serve the registry in DIR: anyone may read, token holders may publish and yank.
    Serve(ServeArgs),
    /// Hide NAME@VERSION from resolution (its files stay), or show it again with --undo.
    Yank(YankArgs),
}

/// `prax registry serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The registry's folder (created if missing); any static file server can mirror it.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8700")]
    pub bind: SocketAddr,
    /// A token that may publish and yank (repeatable); also read from `[registry]
    /// publish_tokens_env`. `scope:acme_*|partner_tool:SECRET` limits one to those skills.
    #[arg(long = "token", value_name = "T")]
    pub tokens: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub env_file: EnvFileArg,
}

/// `prax registry yank` options.
#[derive(Debug, Args)]
pub struct YankArgs {
    /// The registry's folder.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// The version, as NAME@VERSION.
    pub skill: String,
    /// Show the version again.
    #[arg(long)]
    pub undo: bool,
}

/// Run a `prax registry` command.
pub fn run(command: RegistryCommand) -> anyhow::Result<()> {
    match command {
        RegistryCommand::Serve(args) => serve(args),
        RegistryCommand::Yank(args) => {
            let (name, version) = args
                .skill
                .split_once('@')
                .context("give the version as NAME@VERSION, e.g. weather@1.2.0")?;
            let repository = Repository::open(&args.dir, u64::MAX)?;
            let entry = repository.set_yanked(name, version, !args.undo)?;
            println!(
                "{name} {}: {}",
                entry.version,
                if entry.yanked { "yanked" } else { "available" }
            );
            Ok(())
        }
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    super::load_env_file(&args.env_file.env_file)?;
    let (config, _) = Config::load(args.config.config.as_deref())?;
    crate::logging::init(None);
    let mut texts = args.tokens;
    texts.extend(crate::auth::keys_from_env(
        &config.registry.publish_tokens_env,
        &crate::environment::Environment::process(),
    ));
    let tokens = texts
        .iter()
        .map(|text| PublishToken::parse(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("publish token: {e}"))?;
    if tokens.is_empty() {
        tracing::warn!(
            "no publish token (--token or {}): the registry is read-only",
            config.registry.publish_tokens_env
        );
    }
    let repository = Repository::open(&args.dir, config.registry.max_component_mb << 20)
        .with_context(|| format!("cannot open the registry folder {}", args.dir.display()))?;
    let app = router(RegistryServer { repository, tokens });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {}; choose another address with --bind",
                    args.bind
                )
            })?;
        let local = listener.local_addr()?;
        tracing::info!(dir = %args.dir.display(), %local, "registry serving");
        println!("listening on http://{local}");
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the registry server stopped")
    })
}
