//! `prax store`: bring a store's schema up to date, and copy one store into another (moving
//! an installation from SQLite to PostgreSQL with its audit log intact).

use anyhow::Context as _;
use clap::{Args, Subcommand};

use super::keys_cmd::StoreArgs;
use super::{ConfigArg, EnvFileArg};
use crate::config::Config;
use crate::config::store::STORE_URL_ENV;
use crate::environment::Environment;
use crate::store::copy::{self, Side};

/// `prax store` commands.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Migrate the configured store to this prax's schema (`prax serve` does it at start-up
    /// too; this lets an operator do it first, e.g. before starting many replicas).
    Migrate(StoreArgs),
    /// Copy everything (keys, secrets, roll-ups, every audit record) from one store into a
    /// new, empty one. Stop the servers on the source first.
    Copy(CopyArgs),
}

/// `prax store copy` options.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The store to copy: `sqlite:PATH` (e.g. sqlite:data/praximous.db) or postgres://...
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The new, empty store: postgres://user@host:5432/database (the password from
    /// `[store] password_env`, PRAXIMOUS_STORE_PASSWORD by default) or `sqlite:PATH`.
    #[arg(long, value_name = "URL")]
    pub to: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub env_file: EnvFileArg,
}

/// Run a `prax store` command.
pub fn run(command: StoreCommand) -> anyhow::Result<()> {
    let runtime = super::store_runtime()?;
    let env = Environment::process();
    match command {
        StoreCommand::Migrate(args) => {
            let config = args.load()?;
            let location = config
                .store_location(&env)
                .map_err(|e| anyhow::anyhow!("`{}` {}", e.key, e.problem))?;
            // Opening migrates (under the lock replicas share).
            Side::open(&location, runtime.handle(), false)?;
            println!(
                "{}: schema is current (SQLite version {}, PostgreSQL version {})",
                location.describe(),
                crate::store::sqlite::migrations::latest(),
                crate::store::postgres::migrations::latest()
            );
        }
        StoreCommand::Copy(args) => {
            super::load_env_file(&args.env_file.env_file)?;
            let (config, _) = Config::load(args.config.config.as_deref())?;
            let locate = |url: &str, flag: &str| {
                config
                    .store
                    .location_of(url, flag, &env)
                    .map_err(|e| anyhow::anyhow!("{} {}", e.key, e.problem))
            };
            let (from, to) = (locate(&args.from, "--from")?, locate(&args.to, "--to")?);
            if from.describe() == to.describe() {
                anyhow::bail!("--from and --to name the same store");
            }
            let source = Side::open(&from, runtime.handle(), true)
                .with_context(|| format!("cannot open the source {}", from.describe()))?;
            let mut destination = Side::open(&to, runtime.handle(), false)
                .with_context(|| format!("cannot open the destination {}", to.describe()))?;
            let copied = copy::copy(&source, &mut destination)?;
            println!("copied {} into {}:", source.name, destination.name);
            for (table, rows) in copied.tables {
                println!("  {table}: {rows} rows");
            }
            println!(
                "point the servers at it with `[store] url = \"{}\"` (or {STORE_URL_ENV})",
                destination.name
            );
        }
    }
    Ok(())
}
