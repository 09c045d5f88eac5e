//! `prax skill`: write, build, check, sign and publish skills; install, update, list and
//! remove them in a data directory (a running server picks changes up by itself).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use praximous_registry::bundle::Bundle;
use praximous_registry::signing::{PublisherKey, SIGNATURE_FILE};
use praximous_registry::skill_dir::MANIFEST_FILE;

use super::keys_cmd::StoreArgs;
use crate::runtime::supported_wit;
use crate::skills::acquire::{AcquireError, Spec, fetch_and_install};
use crate::skills::install::{InstallError, InstallOptions, InstallReport, InstallTarget};
use crate::skills::lockfile::LockFile;
use crate::skills::{BUILTIN_SKILLS, SignatureState, author, catalogue, install, scaffold};

/// `prax skill` subcommands.
#[derive(Debug, Subcommand)]
pub enum SkillCommand {
    /// Create a new skill folder NAME/ with source, skill.yaml and a build that works here.
    New {
        /// The skill's name (its task_type).
        name: String,
        /// Its language: rust, python or js.
        #[arg(long, default_value = "rust")]
        lang: String,
        /// Where to create it [default: the current folder].
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Build the skill in DIR for wasm32-wasip2 and pin its digest in skill.yaml.
    Build {
        /// The skill folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Check DIR as the host will load it: manifest, digest, WIT version, exports, signature.
    Check {
        /// The skill folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Run DIR's cases in the sandbox, without a server: each operation's example and every
    /// tests/*.yaml case, with the stand-ins the case files declare.
    Test {
        /// The skill folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Sign DIR's skill.yaml (which pins the component) with a publisher key.
    Sign {
        /// The skill folder.
        dir: PathBuf,
        /// The publisher's private key (publisher.key).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
    /// Upload DIR's signed skill to a registry.
    Publish {
        /// The skill folder.
        dir: PathBuf,
        /// The registry's URL.
        #[arg(long, value_name = "URL")]
        registry: String,
        /// A publish token the registry accepts.
        #[arg(
            long,
            value_name = "T",
            env = "PRAX_PUBLISH_TOKEN",
            hide_env_values = true
        )]
        token: String,
    },
    /// Write DIR's skill as a bundle file, for air-gapped installs.
    Bundle {
        /// The skill folder.
        dir: PathBuf,
        /// The bundle file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Install NAME[@SEMVER_REQ] from a registry, or a BUNDLE.tar.
    Install(InstallArgs),
    /// Update installed skills (or one) to the newest version their source offers.
    Update {
        /// Only this skill.
        name: Option<String>,
        #[command(flatten)]
        #[allow(missing_docs)]
        options: InstallFlags,
    },
    /// Remove an installed skill.
    Remove {
        /// The skill.
        name: String,
        #[command(flatten)]
        #[allow(missing_docs)]
        store: StoreArgs,
    },
    /// List skills: version, source, publisher and signature state.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        #[allow(missing_docs)]
        store: StoreArgs,
    },
}

/// Options shared by install and update.
#[derive(Debug, Args)]
pub struct InstallFlags {
    /// Registry URL or mirror folder [default: `[registry] url`; update: where it came from].
    #[arg(long, value_name = "URL_OR_DIR")]
    pub registry: Option<String>,
    /// Accept permissions wider than the installed version's.
    #[arg(long)]
    pub accept_permissions: bool,
    /// Allow installing an older version than the installed one.
    #[arg(long)]
    pub allow_downgrade: bool,
    /// Accept a version signed by another publisher than the installed one.
    #[arg(long)]
    pub accept_publisher_change: bool,
    /// Install even if the skill replaces the built-in skill of the same name.
    #[arg(long)]
    pub replace_builtin: bool,
    /// Install only the component with this SHA-256 (as a dry run or the registry showed it).
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<praximous_registry::Sha256Digest>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub store: StoreArgs,
}

/// `prax skill install` options.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// NAME, NAME@REQ (e.g. weather@1.2, weather@=1.2.0), or a bundle file BUNDLE.tar.
    pub skill: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub options: InstallFlags,
}

/// Run a `prax skill` command.
pub fn run(command: SkillCommand) -> anyhow::Result<()> {
    match command {
        SkillCommand::New { name, lang, dir } => {
            let created = scaffold::new_skill(&dir, &name, &lang)?;
            println!(
                "created {}; next: cd {} && prax skill build",
                created.display(),
                created.display()
            );
        }
        SkillCommand::Build { dir } => {
            let report = author::build(&dir)?;
            println!(
                "built {} (sha256 {}); check passed",
                report.skill, report.sha256
            );
        }
        SkillCommand::Check { dir } => {
            let report = author::check(&dir)?;
            let signed = report
                .signed_by
                .map_or_else(|| "unsigned".to_owned(), |k| format!("signed by {k}"));
            println!("{}: valid ({signed})", report.skill);
        }
        SkillCommand::Test { dir } => test(&dir)?,
        SkillCommand::Sign { dir, key } => sign(&dir, &key)?,
        SkillCommand::Publish {
            dir,
            registry,
            token,
        } => publish(&dir, &registry, &token)?,
        SkillCommand::Bundle { dir, out } => {
            let bundle = Bundle::from_dir(&dir)?;
            let component = bundle.parse_manifest()?.component;
            crate::fs_atomic::write_atomic(&out, &bundle.to_tar(&component)?, 0o644)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("wrote {}", out.display());
        }
        SkillCommand::Install(args) => {
            let spec = Spec::parse(&args.skill)?;
            let report = install_with_prompt(&spec, &args.options, None)?;
            print_report(&report);
        }
        SkillCommand::Update { name, options } => update(name.as_deref(), &options)?,
        SkillCommand::Remove { name, store } => {
            let config = store.load()?;
            if install::remove(&config.skills_dir(), &name)? {
                super::audit_cmd::record(
                    &config,
                    crate::admin_audit::Change {
                        actor: crate::admin_audit::Actor::command_line(),
                        action: "skill.removed",
                        target: name.clone(),
                        before: None,
                        after: None,
                    },
                );
                println!("removed {name}");
            } else {
                bail!(
                    "{name} is not installed in {}; `prax skill list` shows what is",
                    config.skills_dir().display()
                );
            }
        }
        SkillCommand::List { json, store } => list(&store, json)?,
    }
    Ok(())
}

/// The configuration `store` names, with its data directory applied.
fn sign(dir: &Path, key: &Path) -> anyhow::Result<()> {
    let key_text =
        std::fs::read_to_string(key).with_context(|| format!("cannot read {}", key.display()))?;
    let key =
        PublisherKey::parse(&key_text).map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))?;
    // Sign only what would install: a valid manifest whose digest matches the component.
    praximous_registry::load_skill_dir(dir, &supported_wit())?;
    let manifest = std::fs::read(dir.join(MANIFEST_FILE))?;
    let path = dir.join(SIGNATURE_FILE);
    crate::fs_atomic::write_atomic(&path, &key.sign(&manifest).to_bytes(), 0o644)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "signed {} as publisher {}",
        dir.join(MANIFEST_FILE).display(),
        key.public_key().key_id()
    );
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn publish(dir: &Path, registry: &str, token: &str) -> anyhow::Result<()> {
    let bundle = Bundle::from_dir(dir)?;
    if bundle.signature.is_none() {
        bail!(
            "{} is not signed: run `prax skill sign {} --key publisher.key` first",
            dir.display(),
            dir.display()
        );
    }
    let manifest = bundle.parse_manifest()?;
    let tar = bundle.to_tar(&manifest.component)?;
    let url = format!(
        "{}/skills/{}/{}",
        registry.trim_end_matches('/'),
        manifest.name,
        manifest.version
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let answer = runtime()?.block_on(async {
        let response = reqwest::Client::new()
            .put(&url)
            .bearer_auth(token)
            .header("content-type", "application/x-tar")
            .body(tar)
            .send()
            .await
            .with_context(|| format!("cannot reach the registry at {registry}"))?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        anyhow::Ok((status, body))
    })?;
    match answer {
        (status, _) if status.is_success() => {
            println!(
                "published {} {} to {registry}",
                manifest.name, manifest.version
            );
            Ok(())
        }
        (status, body) => bail!(
            "the registry refused {} {} ({status}): {}",
            manifest.name,
            manifest.version,
            body["detail"].as_str().unwrap_or("no reason given")
        ),
    }
}

fn install_with_prompt(
    spec: &Spec,
    flags: &InstallFlags,
    fallback_registry: Option<&str>,
) -> anyhow::Result<InstallReport> {
    let config = flags.store.load()?;
    let skills_dir = config.skills_dir();
    let trusted = config
        .registry
        .trusted_keys(&crate::environment::Environment::process())
        .map_err(|e| anyhow::anyhow!("`{}` {}", e.key, e.problem))?;
    let wit = supported_wit();
    // Only an installation that lists development sources needs to ask its licence.
    let development_locked = if config.registry.development_sources.is_empty() {
        None
    } else {
        let licence = super::license_cmd::in_force(&config, &super::store_runtime()?)?;
        crate::license::gate::require(&licence, crate::license::Feature::DevelopmentSources).err()
    };
    let target = InstallTarget {
        skills_dir: &skills_dir,
        trusted: &trusted,
        development_sources: &config.registry.development_sources,
        development_locked: development_locked.as_ref(),
        supported_wit: &wit,
        max_component_bytes: config.registry.max_component_bytes(),
    };
    let registry = flags
        .registry
        .as_deref()
        .or(fallback_registry)
        .or(config.registry.url.as_deref());
    let mut options = InstallOptions {
        accept_permissions: flags.accept_permissions,
        allow_downgrade: flags.allow_downgrade,
        accept_publisher_change: flags.accept_publisher_change,
        replace_builtin: flags.replace_builtin,
        expected_sha256: flags.sha256.clone(),
        dry_run: false,
    };
    let runtime = runtime()?;
    loop {
        match runtime.block_on(fetch_and_install(spec, registry, &target, options.clone())) {
            Err(AcquireError::Install(InstallError::PermissionsWiden {
                name,
                requested,
                changes,
                ..
            })) if std::io::stdin().is_terminal() && !options.accept_permissions => {
                eprintln!("{name} {requested} asks for more than the installed version:");
                for change in &changes {
                    eprintln!("  {change}");
                }
                eprint!("Accept these permissions? [y/N] ");
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer)?;
                if !answer.trim().eq_ignore_ascii_case("y")
                    && !answer.trim().eq_ignore_ascii_case("yes")
                {
                    bail!("not installed: permissions not accepted");
                }
                options.accept_permissions = true;
            }
            result => {
                let report = result?;
                if report.changed {
                    super::audit_cmd::record(
                        &config,
                        crate::api::registry::skill_installed(
                            crate::admin_audit::Actor::command_line(),
                            &report,
                        ),
                    );
                }
                return Ok(report);
            }
        }
    }
}

fn print_report(report: &InstallReport) {
    let publisher = report
        .publisher
        .as_deref()
        .map_or_else(|| "unsigned".to_owned(), |p| format!("publisher {p}"));
    match (&report.previous, report.changed) {
        (_, false) => println!("{} {} is already installed", report.name, report.version),
        (Some(previous), true) => println!(
            "updated {} {previous} -> {} ({publisher})",
            report.name, report.version
        ),
        (None, true) => println!("installed {} {} ({publisher})", report.name, report.version),
    }
    for change in &report.widened {
        println!("  accepted: {change}");
    }
}

fn update(only: Option<&str>, flags: &InstallFlags) -> anyhow::Result<()> {
    let config = flags.store.load()?;
    let lock = LockFile::read(&config.skills_dir())?;
    let names: Vec<(&String, &crate::skills::lockfile::Locked)> = lock
        .skills
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o == name.as_str()))
        .collect();
    if names.is_empty() {
        bail!(
            "nothing to update: {} is not installed from a registry",
            only.unwrap_or("no skill")
        );
    }
    for (name, locked) in names {
        if locked.source.ends_with(".tar") && flags.registry.is_none() {
            println!(
                "{name}: installed from a bundle; update it with `prax skill install NEWER.tar`"
            );
            continue;
        }
        let spec = Spec::parse(name)?;
        let report = install_with_prompt(&spec, flags, Some(&locked.source))?;
        print_report(&report);
    }
    Ok(())
}

fn list(store: &StoreArgs, json: bool) -> anyhow::Result<()> {
    let config = store.load()?;
    let skills_dir = config.skills_dir();
    let lock = LockFile::read(&skills_dir)?;
    let trusted = config
        .registry
        .trusted_keys(&crate::environment::Environment::process())
        .map_err(|e| anyhow::anyhow!("`{}` {}", e.key, e.problem))?;
    let mut rows = Vec::new();
    for builtin in BUILTIN_SKILLS {
        let version = praximous_registry::Manifest::from_yaml(builtin.manifest)
            .map(|m| m.version.to_string())
            .unwrap_or_default();
        rows.push(serde_json::json!({"name": builtin.name, "version": version, "source": "built-in", "publisher": null, "signature": "Built-in"}));
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&skills_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST_FILE).is_file())
        .collect();
    folders.sort();
    for folder in folders {
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let manifest_bytes = std::fs::read(folder.join(MANIFEST_FILE))?;
        let version =
            praximous_registry::Manifest::from_yaml(&String::from_utf8_lossy(&manifest_bytes))
                .map(|m| m.version.to_string())
                .unwrap_or_else(|_| "(invalid manifest)".into());
        let (signature, publisher) =
            match catalogue::signature_state(&folder, &manifest_bytes, &trusted) {
                SignatureState::Verified { publisher } => ("Verified".to_owned(), Some(publisher)),
                SignatureState::Unsigned | SignatureState::Builtin => ("Unsigned".to_owned(), None),
                SignatureState::Invalid { reason } => (format!("Invalid ({reason})"), None),
            };
        let source = lock
            .skills
            .get(&name)
            .map_or("placed by hand", |l| l.source.as_str());
        rows.push(serde_json::json!({"name": name, "version": version, "source": source, "publisher": publisher, "signature": signature}));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "{:<24} {:<10} {:<12} {:<18} SOURCE",
        "NAME", "VERSION", "SIGNATURE", "PUBLISHER"
    );
    for row in rows {
        let text = |k: &str| row[k].as_str().unwrap_or("-").to_owned();
        println!(
            "{:<24} {:<10} {:<12} {:<18} {}",
            text("name"),
            text("version"),
            text("signature"),
            text("publisher"),
            text("source")
        );
    }
    Ok(())
}

/// `prax skill test DIR`: a line per case, then `N passed, N failed`; an error when any failed.
fn test(dir: &Path) -> anyhow::Result<()> {
    // Several threads: the stand-in servers answer while the skill waits for them.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let outcomes = runtime.block_on(author::skill_test::run(dir, |outcome| {
        match &outcome.failure {
            None => println!("ok    {}", outcome.label),
            Some(why) => println!("FAIL  {}\n      {why}", outcome.label),
        }
    }))?;
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    anyhow::ensure!(failed == 0, "{failed} of {} cases failed", outcomes.len());
    Ok(())
}
