//! `prax config check`: the start-up validation, without starting.

use clap::Subcommand;

use super::{ConfigArg, EnvFileArg};
use crate::config::Config;
use crate::llm::provider_config::needed_credentials;

/// `prax config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration exactly as `prax serve` does, and report unset credentials.
    Check {
        #[command(flatten)]
        #[allow(missing_docs)]
        config: ConfigArg,
        #[command(flatten)]
        #[allow(missing_docs)]
        env_file: EnvFileArg,
    },
}

/// Run `prax config check`: errors fail it, unset credentials are warnings.
pub fn check(config: &ConfigArg) -> anyhow::Result<()> {
    let (loaded, source) = Config::load(config.config.as_deref())?;
    match &source {
        Some(path) => println!("{}: valid", path.display()),
        None => println!("no configuration file: the built-in defaults are valid"),
    }
    for missing in missing_credentials(&loaded) {
        println!("warning: {missing}");
    }
    Ok(())
}

/// One line for each credential an enabled provider names that is unset or empty.
pub fn missing_credentials(config: &Config) -> Vec<String> {
    needed_credentials(&config.providers)
        .into_iter()
        .filter(|c| std::env::var(&c.variable).map_or(true, |v| v.trim().is_empty()))
        .map(|c| {
            format!(
                "provider `{}` needs the environment variable {}, which is not set; the router will skip it \
                 (set it in the environment or run `prax init`)",
                c.provider, c.variable
            )
        })
        .collect()
}
