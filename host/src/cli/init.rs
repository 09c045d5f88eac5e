//! `prax init`: the identity wizard, and the provider credentials written to `.env`.
//!
//! Nothing is written until every answer is in; then the configuration file and `.env` are
//! each replaced atomically. Re-running shows the current values as defaults.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use serde::Deserialize;

use super::prompt::Prompter;
use super::{ConfigArg, EnvFileArg};
use crate::config::Config;
use crate::config_file::ConfigDocument;
use crate::env_file::EnvFile;
use crate::identity::{Identity, SensitivityLevel};
use crate::llm::provider_config::needed_credentials;

/// `prax init` options.
#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub config: ConfigArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub env_file: EnvFileArg,
    /// Ask nothing: take the flags (and --from), keep current values for the rest.
    #[arg(long)]
    pub no_input: bool,
    /// A TOML file with the identity fields, top-level or under [identity].
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// The system's name.
    #[arg(long, value_name = "NAME")]
    pub system_name: Option<String>,
    /// The business it serves.
    #[arg(long, value_name = "NAME")]
    pub business_name: Option<String>,
    /// The business's industry.
    #[arg(long, value_name = "TEXT")]
    pub industry: Option<String>,
    /// How the system should sound.
    #[arg(long, value_name = "TEXT")]
    pub persona_style: Option<String>,
    /// Low, Medium or High.
    #[arg(long, value_name = "LEVEL")]
    pub sensitivity_level: Option<String>,
    /// Where the business is.
    #[arg(long, value_name = "TEXT")]
    pub location: Option<String>,
}

/// A prefilled identity for `--from`: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialIdentity {
    system_name: Option<String>,
    business_name: Option<String>,
    industry: Option<String>,
    persona_style: Option<String>,
    sensitivity_level: Option<String>,
    location: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FromFile {
    Nested { identity: PartialIdentity },
    Flat(PartialIdentity),
}

impl PartialIdentity {
    /// Set the fields given; a sensitivity level in any case is accepted, any other word is
    /// refused naming `source` (the flag or the file it came from).
    fn apply(self, identity: &mut Identity, source: &str) -> anyhow::Result<()> {
        let pairs = [
            (self.system_name, &mut identity.system_name),
            (self.business_name, &mut identity.business_name),
            (self.industry, &mut identity.industry),
            (self.persona_style, &mut identity.persona_style),
            (self.location, &mut identity.location),
        ];
        for (new, field) in pairs {
            if let Some(new) = new {
                *field = new;
            }
        }
        if let Some(level) = self.sensitivity_level {
            identity.sensitivity_level =
                SensitivityLevel::parse_loose(&level).ok_or_else(|| {
                    anyhow::anyhow!("{source} is `{level}`; use `Low`, `Medium` or `High`")
                })?;
        }
        Ok(())
    }
}

fn read_from_file(path: &Path) -> anyhow::Result<PartialIdentity> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let parsed: FromFile = toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a prefilled identity ({}); write the fields system_name, business_name, industry, \
             persona_style, sensitivity_level and location, at the top level or under [identity]",
            path.display(),
            e.to_string().trim()
        )
    })?;
    Ok(match parsed {
        FromFile::Nested { identity } | FromFile::Flat(identity) => identity,
    })
}

/// Run `prax init`.
pub fn run(args: InitArgs) -> anyhow::Result<()> {
    let path = Config::path_or_default(args.config.config.as_deref());
    let mut doc = ConfigDocument::open_or_template(&path)?;
    let mut identity = if doc.exists() {
        doc.config()?.identity
    } else {
        Identity::default()
    };

    if let Some(from) = &args.from {
        read_from_file(from)?.apply(
            &mut identity,
            &format!("{}: sensitivity_level", from.display()),
        )?;
    }
    PartialIdentity {
        system_name: args.system_name,
        business_name: args.business_name,
        industry: args.industry,
        persona_style: args.persona_style,
        sensitivity_level: args.sensitivity_level,
        location: args.location,
    }
    .apply(&mut identity, "--sensitivity-level")?;

    let mut env = EnvFile::load(&args.env_file.env_file)?;
    let mut env_changed = false;
    if !args.no_input {
        let mut prompter = Prompter::new();
        eprintln!(
            "Setting up {} in {}. Press Enter to keep the value in [brackets]; Ctrl-C quits without saving.",
            identity.display_name(),
            path.display()
        );
        identity = ask_identity(&mut prompter, identity)?;
        let credentials = needed_credentials(&doc.config()?.providers);
        if !credentials.is_empty() {
            eprintln!(
                "Credentials go to {} (readable by you only), never to the configuration file.",
                args.env_file.env_file.display()
            );
        }
        for credential in credentials {
            let what = if credential.secret {
                "API key"
            } else {
                "base URL"
            };
            let label = format!(
                "{} ({what} for provider `{}`)",
                credential.variable, credential.provider
            );
            let current = if env.get(&credential.variable).is_some() {
                "keep current"
            } else {
                "not set"
            };
            let answer = if credential.secret {
                prompter.ask_secret(&label, current)?
            } else {
                let default = env.get(&credential.variable).unwrap_or_default().to_owned();
                let answer = prompter.ask(&label, &default)?;
                (!answer.is_empty() && answer != default).then_some(answer)
            };
            if let Some(value) = answer {
                env.set(&credential.variable, &value);
                env_changed = true;
            }
        }
    }

    doc.set_identity(&identity)?;
    doc.save()?;
    if env_changed {
        env.save()?;
    }
    println!(
        "Saved the identity of {} to {}{}.",
        identity.display_name(),
        path.display(),
        if env_changed {
            format!(" and credentials to {}", args.env_file.env_file.display())
        } else {
            String::new()
        }
    );
    Ok(())
}

fn ask_identity(prompter: &mut Prompter, current: Identity) -> anyhow::Result<Identity> {
    let system_name = prompter.ask("System name", &current.system_name)?;
    let business_name = prompter.ask("Business name", &current.business_name)?;
    let industry = prompter.ask("Industry", &current.industry)?;
    let persona_style = prompter.ask("Persona style (tone)", &current.persona_style)?;
    let sensitivity_level = loop {
        let answer = prompter.ask(
            "Sensitivity level (Low/Medium/High)",
            current.sensitivity_level.as_str(),
        )?;
        match SensitivityLevel::parse_loose(&answer) {
            Some(level) => break level,
            None => eprintln!("`{answer}` is not a sensitivity level: answer Low, Medium or High."),
        }
    };
    let location = prompter.ask("Location", &current.location)?;
    Ok(Identity {
        system_name,
        business_name,
        industry,
        persona_style,
        sensitivity_level,
        location,
    })
}
