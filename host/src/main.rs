//! `prax`: the Praximous server and command line.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use praximous::cli::{Cli, Command, ServeArgs};
use praximous::config::Config;
use tracing_subscriber::EnvFilter;

// Every request allocates for its instance, its JSON and its answer; mimalloc's per-thread
// caches measured faster than glibc malloc for that churn.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let (mut config, source) = Config::load(args.config.as_deref())?;
    match &source {
        Some(path) => tracing::info!(config = %path.display(), "configuration loaded"),
        None => tracing::info!("no configuration file: using built-in defaults"),
    }
    if let Some(bind) = args.bind {
        config.server.bind = bind;
    }
    if let Some(dir) = args.data_dir {
        config.server.data_dir = dir;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // A skill's task may run a whole epoch tick (10 ms) per poll. At tokio's default of
        // one I/O check per 61 polls, runaway skills would delay reading other requests by
        // about 600 ms; checking every 4 polls bounds that delay to a few ticks.
        .event_interval(4)
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(praximous::server::serve(config))?;
    Ok(())
}

fn init_logging() {
    let filter = EnvFilter::try_from_env("PRAX_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,wasmtime=warn,cranelift=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
