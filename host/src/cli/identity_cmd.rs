//! `prax rename` and `prax reset-identity`: edit the identity, keep the rest of the file.

use anyhow::bail;
use clap::Args;

use super::ConfigArg;
use super::prompt::Prompter;
use crate::config::Config;
use crate::config_file::ConfigDocument;
use crate::identity::Identity;

/// `prax rename` options.
#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The new system name.
    pub new_name: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArg,
}

/// `prax reset-identity` options.
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArg,
}

/// Open an existing configuration file for editing; without one there is no identity yet.
fn open_existing(config: &ConfigArg) -> anyhow::Result<ConfigDocument> {
    let path = Config::path_or_default(config.config.as_deref());
    let doc = ConfigDocument::open_or_template(&path)?;
    if !doc.exists() {
        bail!(
            "{}: no configuration file, so no identity to change; create one with `prax init`",
            path.display()
        );
    }
    Ok(doc)
}

/// Run `prax rename`.
pub fn rename(args: RenameArgs) -> anyhow::Result<()> {
    let new_name = args.new_name.trim();
    if new_name.is_empty() {
        bail!("the new name is empty; give the system a name, e.g. `prax rename Praximous-Acme`");
    }
    let mut doc = open_existing(&args.config)?;
    let before = doc.config()?.identity;
    doc.set_system_name(new_name)?;
    doc.save()?;
    let config = doc.config()?;
    let after = config.identity.clone();
    super::audit_cmd::record(
        &config,
        crate::admin_audit::Change {
            actor: crate::admin_audit::Actor::command_line(),
            action: "identity.renamed",
            target: after.system_name.clone(),
            before: Some(serde_json::json!({"system_name": before.system_name})),
            after: Some(serde_json::json!({"system_name": after.system_name})),
        },
    );
    println!(
        "Renamed the system from '{}' to '{}' in {}; display name: {}. Restart `prax serve` to apply.",
        before.system_name,
        after.system_name,
        doc.path().display(),
        after.display_name()
    );
    Ok(())
}

/// What `reset-identity` did.
#[derive(Debug, PartialEq, Eq)]
pub enum ResetOutcome {
    /// The identity was reset.
    Reset,
    /// The operator said no.
    Cancelled,
}

/// Run `prax reset-identity`.
pub fn reset(args: ResetArgs) -> anyhow::Result<ResetOutcome> {
    let mut doc = open_existing(&args.config)?;
    if !args.yes {
        let question = format!(
            "Reset the identity in {} to the defaults? The rest of the file is kept.",
            doc.path().display()
        );
        if !Prompter::new().confirm(&question)? {
            println!("Identity reset cancelled; nothing was changed.");
            return Ok(ResetOutcome::Cancelled);
        }
    }
    let before = doc.config()?.identity;
    doc.set_identity(&Identity::default())?;
    doc.save()?;
    super::audit_cmd::record(
        &doc.config()?,
        crate::admin_audit::Change {
            actor: crate::admin_audit::Actor::command_line(),
            action: "identity.reset",
            target: Identity::default().system_name,
            before: Some(serde_json::json!({"system_name": before.system_name})),
            after: Some(serde_json::json!({"system_name": Identity::default().system_name})),
        },
    );
    println!(
        "The identity in {} is back to the defaults ({}). Run `prax init` to set a new one.",
        doc.path().display(),
        Identity::default().display_name()
    );
    Ok(ResetOutcome::Reset)
}
