//! `prax publisher keygen`: a publisher's Ed25519 key pair.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use praximous_registry::signing::{PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, PublisherKey};

/// `prax publisher` subcommands.
#[derive(Debug, Subcommand)]
pub enum PublisherCommand {
    /// Make a key pair: DIR/publisher.key (private, owner-only) and DIR/publisher.pub.
    Keygen(KeygenArgs),
}

/// `prax publisher keygen` options.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Folder to write the two files into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace an existing key pair there.
    #[arg(long)]
    pub force: bool,
}

/// Run a `prax publisher` command.
pub fn run(command: PublisherCommand) -> anyhow::Result<()> {
    let PublisherCommand::Keygen(args) = command;
    let private = args.out.join(PRIVATE_KEY_FILE);
    let public = args.out.join(PUBLIC_KEY_FILE);
    if private.exists() && !args.force {
        bail!(
            "{} exists; keep it (skills signed with it rely on it), or pass --force to replace it",
            private.display()
        );
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let (key, private_text) = PublisherKey::generate()?;
    crate::fs_atomic::write_atomic(&private, private_text.as_bytes(), 0o600)
        .with_context(|| format!("cannot write {}", private.display()))?;
    let public_text = format!("{}\n", key.public_key().to_text());
    crate::fs_atomic::write_atomic(&public, public_text.as_bytes(), 0o644)
        .with_context(|| format!("cannot write {}", public.display()))?;
    eprintln!(
        "wrote {} (keep it secret) and {}; operators trust your skills by adding this line to [registry] trusted_publishers:",
        private.display(),
        public.display()
    );
    println!("{}", public_text.trim_end());
    Ok(())
}
