//! `prax keys`: make, list and revoke API keys in the store (a data directory's, or the
//! PostgreSQL database `[store]` names; a running server picks changes up at once on
//! PostgreSQL, else within `[auth] key_refresh_ms`), and generate a key for the environment
//! variable.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{ConfigArg, EnvFileArg};
use crate::auth::manage::{self, KeyInfo, NewKey};
use crate::auth::{KeyScope, Role, keys_from_env, secret};
use crate::config::Config;

/// Which installation a command works on (its keys, skills, licence, store): the
/// configuration and data directory, as `prax serve` takes them.
#[derive(Debug, Args)]
pub struct StoreArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub env_file: EnvFileArg,
    /// Data directory [default: ./data, or the configuration's].
    #[arg(long, value_name = "DIR", env = "PRAXIMOUS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

impl StoreArgs {
    /// The configuration, with the credentials file loaded and the data directory applied.
    pub fn load(&self) -> anyhow::Result<Config> {
        super::load_env_file(&self.env_file.env_file)?;
        let (mut config, _) = Config::load(self.config.config.as_deref())?;
        if let Some(dir) = &self.data_dir {
            config.server.data_dir = dir.clone();
        }
        Ok(config)
    }
}

/// What a new key may use; without these flags, everything its role allows.
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// Limit the key to this skill (`name`), or to one operation of it (`name/operation`,
    /// an MCP tool). Repeat, or separate with commas.
    #[arg(long = "skill", value_name = "SKILL", value_delimiter = ',')]
    pub skills: Vec<String>,
    /// The key may run no skill at all.
    #[arg(long, conflicts_with = "skills")]
    pub no_skills: bool,
    /// Limit the key to this LLM route (or `provider/model`, `provider/*`). Repeat, or
    /// separate with commas.
    #[arg(long = "route", value_name = "ROUTE", value_delimiter = ',')]
    pub routes: Vec<String>,
    /// The key may use no LLM route at all.
    #[arg(long, conflicts_with = "routes")]
    pub no_routes: bool,
}

impl ScopeArgs {
    fn list(entries: Vec<String>, none: bool) -> Option<Vec<String>> {
        (none || !entries.is_empty()).then_some(entries)
    }
}

/// `prax keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a key; it is printed once, alone on the last line.
    Create {
        /// What to call it: who or what uses it.
        #[arg(long)]
        name: String,
        /// What it may do: admin, operator or user.
        #[arg(long)]
        role: Role,
        /// Days until it stops working [default: never].
        #[arg(long, value_name = "DAYS")]
        expires: Option<u32>,
        /// Its requests per minute (0: unlimited) [default: `[auth] rate_limit_per_minute`].
        #[arg(long, value_name = "N")]
        rate_limit: Option<u32>,
        #[command(flatten)]
        #[allow(missing_docs)]
        scope: ScopeArgs,
        #[command(flatten)]
        #[allow(missing_docs)]
        store: StoreArgs,
    },
    /// List every key (never the secrets).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        store: StoreArgs,
    },
    /// Revoke a key by its id or unique prefix.
    Revoke {
        /// The key's id (or its prefix, as `prax keys list` shows it).
        key: String,
        #[command(flatten)]
        #[allow(missing_docs)]
        store: StoreArgs,
    },
    /// Print a fresh random key, e.g. for PRAXIMOUS_API_KEYS. Nothing is stored.
    Generate,
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// An open key store and the environment's keys.
struct OpenKeys {
    store: std::sync::Arc<dyn crate::auth::key_store::KeyStore>,
    location: crate::config::StoreLocation,
    env_keys: Vec<String>,
    config: Config,
    // Carries a PostgreSQL store's connections; dropped last.
    runtime: tokio::runtime::Runtime,
}

/// Open the key store `args` names (configuration, data directory, environment).
fn open(args: &StoreArgs) -> anyhow::Result<OpenKeys> {
    let config = args.load()?;
    let env = crate::environment::Environment::process();
    let location = config
        .store_location(&env)
        .map_err(|e| anyhow::anyhow!("`{}` {}", e.key, e.problem))?;
    let runtime = super::store_runtime()?;
    let store = crate::store::open_keys(&location, runtime.handle())?;
    Ok(OpenKeys {
        store,
        location,
        env_keys: keys_from_env(&config.auth.api_keys_env, &env),
        config,
        runtime,
    })
}

/// Run a `prax keys` command.
pub fn run(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create {
            name,
            role,
            expires,
            rate_limit,
            scope,
            store,
        } => {
            let open = open(&store)?;
            // Each active key is a seat, here as over the API.
            let licence = super::license_cmd::in_force(&open.config, &open.runtime)?;
            let users = crate::store::open_sso(&open.location, open.runtime.handle())?;
            let used = manage::seats_in_use(open.store.as_ref(), &open.env_keys, users.as_ref())?;
            crate::license::gate::require_seat(&licence, used)?;
            let issued = manage::issue(
                open.store.as_ref(),
                &NewKey {
                    name,
                    role,
                    expires_in_days: expires,
                    rate_limit_per_minute: rate_limit,
                    skills: ScopeArgs::list(scope.skills, scope.no_skills),
                    routes: ScopeArgs::list(scope.routes, scope.no_routes),
                },
            )?;
            let info = &issued.info;
            let scope = KeyScope {
                skills: info.skills.clone(),
                routes: info.routes.clone(),
            };
            eprintln!(
                "created {} key '{}' (id {}{}{}); it is shown only this once:",
                info.role,
                info.name,
                info.id,
                info.expires_at
                    .as_deref()
                    .map(|at| format!(", expires {at}"))
                    .unwrap_or_default(),
                if scope.is_unlimited() {
                    String::new()
                } else {
                    format!(", may use {}", scope.describe())
                }
            );
            super::audit_cmd::record(
                &open.config,
                crate::api::keys::key_created(crate::admin_audit::Actor::command_line(), info),
            );
            println!("{}", issued.key);
        }
        KeysCommand::List { json, store } => {
            let open = open(&store)?;
            let keys = manage::list(open.store.as_ref(), &open.env_keys)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else {
                print!("{}", table(&keys));
            }
        }
        KeysCommand::Revoke { key, store } => {
            let open = open(&store)?;
            let revoked = manage::revoke(open.store.as_ref(), &open.env_keys, &key)?;
            super::audit_cmd::record(
                &open.config,
                crate::api::keys::key_revoked(crate::admin_audit::Actor::command_line(), &revoked),
            );
            println!(
                "revoked key '{}' (id {}) at {}",
                revoked.name,
                revoked.id,
                revoked.revoked_at.as_deref().unwrap_or("?")
            );
        }
        KeysCommand::Generate => println!("{}", secret::generate()?),
    }
    Ok(())
}

/// The keys as an aligned text table.
fn table(keys: &[KeyInfo]) -> String {
    let header = [
        "ID", "NAME", "ROLE", "PREFIX", "STATE", "SOURCE", "EXPIRES", "MAY USE",
    ]
    .map(String::from);
    let rows: Vec<[String; 8]> = keys
        .iter()
        .map(|k| {
            [
                k.id.clone(),
                k.name.clone(),
                k.role.to_string(),
                k.prefix.clone(),
                k.state.to_owned(),
                k.source.to_owned(),
                k.expires_at.clone().unwrap_or_else(|| "never".into()),
                KeyScope {
                    skills: k.skills.clone(),
                    routes: k.routes.clone(),
                }
                .describe(),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    if keys.is_empty() {
        out.push_str("(no keys yet: `prax keys create --name NAME --role admin` makes one)\n");
    }
    out
}
