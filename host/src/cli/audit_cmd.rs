//! `prax audit verify`: check the admin audit log's hash chain, naming the first entry that
//! was edited, removed or replaced. And the one place commands record their own changes.

use std::process::ExitCode;

use clap::Subcommand;

use super::keys_cmd::StoreArgs;
use crate::admin_audit::{Change, chain};
use crate::config::Config;
use crate::environment::Environment;

/// `prax audit` commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the admin audit log: every entry matches its hash and follows the one before.
    /// Exits 1 naming the first broken entry.
    Verify(StoreArgs),
}

/// Run a `prax audit` command.
pub fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(place) => {
            let config = place.load()?;
            let runtime = super::store_runtime()?;
            let location = config
                .store_location(&Environment::process())
                .map_err(|e| anyhow::anyhow!("`{}` {}", e.key, e.problem))?;
            let log = crate::store::open_admin_audit(&location, runtime.handle())?;
            let entries = log.all()?;
            match chain::verify(&entries) {
                Ok((0, _)) => {
                    println!("admin audit log: empty (nothing administrative has happened yet)");
                    Ok(ExitCode::SUCCESS)
                }
                Ok((count, head)) => {
                    println!(
                        "admin audit log intact: {count} entries, newest #{count}, hash {head}"
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    eprintln!("admin audit log BROKEN: {broken}");
                    eprintln!(
                        "the entries from there on cannot be trusted; compare them with the hashes in the server's log lines (\"admin audit\")"
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// Record a change a command made on `config`'s installation. A failure is reported, not
/// fatal: the change is done. An installation whose SQLite store does not exist yet has no
/// log to keep (and is not created for one).
pub fn record(config: &Config, change: Change) {
    let location = match config.store_location(&Environment::process()) {
        Ok(location) => location,
        Err(e) => {
            eprintln!(
                "warning: the change is made, but the admin audit log could not record it: `{}` {}",
                e.key, e.problem
            );
            return;
        }
    };
    if let crate::config::StoreLocation::Sqlite(path) = &location
        && !path.exists()
    {
        return;
    }
    let recorded = super::store_runtime().and_then(|runtime| {
        let log = crate::store::open_admin_audit(&location, runtime.handle())?;
        let at = crate::timestamp::now_rfc3339();
        Ok(log.append(&change, &at)?)
    });
    if let Err(error) = recorded {
        eprintln!(
            "warning: the change is made, but the admin audit log could not record it: {error:#}"
        );
    }
}
