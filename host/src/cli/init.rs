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
use crate::identity::{Identity, SENSITIVITY_LEVELS, validate_sensitivity};
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
    fn apply(self, identity: &mut Identity) {
        let pairs = [
            (self.system_name, &mut identity.system_name),
            (self.business_name, &mut identity.business_name),
            (self.industry, &mut identity.industry),
            (self.persona_style, &mut identity.persona_style),
            (self.sensitivity_level, &mut identity.sensitivity_level),
            (self.location, &mut identity.location),
        ];
        for (new, field) in pairs {
            if let Some(new) = new {
                *field = new;
            }
        }
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

/// Accept any case for the sensitivity level, store the canonical spelling.
fn canonical_sensitivity(level: &str) -> Option<&'static str> {
    SENSITIVITY_LEVELS
        .into_iter()
        .find(|l| l.eq_ignore_ascii_case(level.trim()))
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
        read_from_file(from)?.apply(&mut identity);
    }
    PartialIdentity {
        system_name: args.system_name,
        business_name: args.business_name,
        industry: args.industry,
        persona_style: args.persona_style,
        sensitivity_level: args.sensitivity_level,
        location: args.location,
    }
    .apply(&mut identity);
    if let Some(level) = canonical_sensitivity(&identity.sensitivity_level) {
        identity.sensitivity_level = level.to_owned();
    }
    validate_sensitivity(&identity.sensitivity_level)
        .map_err(|p| anyhow::anyhow!("--sensitivity-level {p}"))?;

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
            &current.sensitivity_level,
        )?;
        match canonical_sensitivity(&answer) {
            Some(level) => break level.to_owned(),
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
