//! `prax`: the Praximous server and command line.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use praximous::cli::{
    self, Cli, Command, ServeArgs, audit_cmd, config_cmd, healthcheck_cmd, identity_cmd, init,
    keys_cmd, knowledge_cmd, license_cmd, load_env_file, mcp_cmd, publisher_cmd, registry_cmd,
    skill_cmd, store_cmd,
};
use praximous::config::Config;
use praximous::logging;

// Every request allocates for its instance, its JSON and its answer; mimalloc's per-thread
// caches measured faster than glibc malloc for that churn.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code for a failure other than a usage error (clap exits with 2 for those).
const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(args).map(|()| ExitCode::SUCCESS),
        Command::Init(args) => {
            logging::init(None);
            init::run(args).map(|()| ExitCode::SUCCESS)
        }
        Command::Rename(args) => identity_cmd::rename(args).map(|()| ExitCode::SUCCESS),
        Command::ResetIdentity(args) => identity_cmd::reset(args).map(|_| ExitCode::SUCCESS),
        Command::Config(config_cmd::ConfigCommand::Check { config, env_file }) => {
            load_env_file(&env_file.env_file)?;
            config_cmd::check(&config).map(|()| ExitCode::SUCCESS)
        }
        Command::Keys(command) => keys_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Command::Skill(command) => skill_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Command::Mcp(args) => mcp_cmd::run(args).map(|()| ExitCode::SUCCESS),
        Command::Knowledge(args) => knowledge_cmd::run(args).map(|()| ExitCode::SUCCESS),
        Command::Publisher(command) => publisher_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Command::Registry(command) => registry_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Command::Completions(args) => print(&cli::completions(args.shell)),
        Command::Openapi => print(cli::openapi_json()?.as_bytes()),
        Command::License(command) => license_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Command::Audit(command) => audit_cmd::run(command),
        Command::Store(command) => store_cmd::run(command).map(|()| ExitCode::SUCCESS),
        Command::Healthcheck(args) => healthcheck_cmd::run(args).map(|()| ExitCode::SUCCESS),
    }
}

fn print(bytes: &[u8]) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    match std::io::stdout().write_all(bytes) {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    load_env_file(&args.env_file.env_file)?;
    let (mut config, source) = Config::load(args.config.config.as_deref())?;
    if let Some(dir) = &args.data_dir {
        config.server.data_dir = dir.clone();
    }
    let _log_guard = logging::init_server(
        config.identity.display_name(),
        &config.log_dir(),
        config.server.log_retention_days,
    );
    match &source {
        Some(path) => tracing::info!(config = %path.display(), "configuration loaded"),
        None => tracing::info!("no configuration file: using built-in defaults"),
    }
    for missing in config_cmd::missing_credentials(&config) {
        tracing::warn!("{missing}");
    }
    if let Some(bind) = args.bind {
        config.server.bind = bind;
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
