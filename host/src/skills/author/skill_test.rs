//! `prax skill test`: run a skill's cases (see [`cases`](super::cases)) against its component
//! in the real sandbox, with the limits and permissions of its manifest, the operator settings
//! and LLM and network answers the case files declare, and no server.

use std::path::Path;
use std::sync::Arc;

use praximous_registry::load_skill_dir;
use praximous_registry::manifest::Manifest;
use serde_json::Value;

use super::cases::{self, Case, StandIns};
use super::stand_ins::StandInServers;
use super::{AuthorError, io};
use crate::config::{Config, SkillSettings};
use crate::environment::Environment;
use crate::identity::Identity;
use crate::metrics::Metrics;
use crate::runtime::{Call, HostServices, InvokeError, SkillOutput, supported_wit};

/// How one case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOutcome {
    /// The case.
    pub label: String,
    /// Why it failed; `None` when it passed.
    pub failure: Option<String>,
}

/// The sender of the mail a skill sends under test.
const MAIL_FROM: &str = "skill-test@praximous.test";

/// The configuration a file's stand-ins make: an LLM provider at the stand-in server for the
/// skill's own route and the default one, the stand-in SMTP server (any recipient), and the
/// skill's `[skills.<name>]` settings.
fn config_for(
    skill: &str,
    servers: &StandInServers,
    stand_ins: &StandIns,
) -> Result<Config, String> {
    let (llm_base_url, smtp) = (servers.llm_base_url.as_str(), servers.smtp);
    let mut settings = toml::Table::new();
    for (key, value) in &stand_ins.config {
        let value = match value {
            Value::String(text) => toml::Value::String(text.clone()),
            Value::Bool(flag) => toml::Value::Boolean(*flag),
            Value::Number(n) => match n.as_i64() {
                Some(whole) => toml::Value::Integer(whole),
                None => toml::Value::Float(n.as_f64().unwrap_or_default()),
            },
            // The operator's `allow_hosts` (and `allow_cidrs`) are lists of text.
            Value::Array(items) if items.iter().all(Value::is_string) => toml::Value::Array(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|item| toml::Value::String(item.to_owned()))
                    .collect(),
            ),
            other => {
                return Err(format!(
                    "stand_ins.config.{key} is {other}: a setting is text, a number, true/false, or (allow_hosts) a list of text"
                ));
            }
        };
        settings.insert(key.clone(), value);
    }
    let mut provider = toml::Table::new();
    for (key, value) in [
        ("name", "stand-in"),
        ("type", "openai"),
        ("model", "stand-in"),
        ("base_url", llm_base_url),
    ] {
        provider.insert(key.into(), toml::Value::String(value.into()));
    }
    let route = toml::Value::Array(vec![toml::Value::String("stand-in".into())]);
    let mut rules = toml::Table::new();
    rules.insert(skill.into(), route.clone());
    rules.insert("default_llm_tasks".into(), route);
    let mut routing = toml::Table::new();
    routing.insert("rules".into(), toml::Value::Table(rules));
    let mut skills = toml::Table::new();
    skills.insert(skill.into(), toml::Value::Table(settings));
    let mut mail = toml::Table::new();
    mail.insert("host".into(), toml::Value::String(smtp.ip().to_string()));
    mail.insert("port".into(), toml::Value::Integer(i64::from(smtp.port())));
    mail.insert("security".into(), toml::Value::String("none".into()));
    mail.insert("from".into(), toml::Value::String(MAIL_FROM.into()));
    mail.insert(
        "allowed_recipient_domains".into(),
        toml::Value::Array(vec![toml::Value::String("*".into())]),
    );
    let mut document = toml::Table::new();
    document.insert(
        "providers".into(),
        toml::Value::Array(vec![toml::Value::Table(provider)]),
    );
    document.insert("routing".into(), toml::Value::Table(routing));
    document.insert("skills".into(), toml::Value::Table(skills));
    document.insert("mail".into(), toml::Value::Table(mail));
    let text = toml::to_string(&document).map_err(|e| e.to_string())?;
    Config::parse(&text, Path::new("stand_ins")).map_err(|e| e.to_string())
}

/// Why `outcome` does not meet `case`'s expectation, if it does not.
fn judge(case: &Case, outcome: &Result<SkillOutput, InvokeError>) -> Option<String> {
    let expect = &case.expect;
    match (outcome, &expect.error) {
        (Ok(output), Some(_)) => Some(format!("expected an error, got a result: {}", output.data)),
        (Err(error), None) => Some(format!("failed ({}): {error}", error.status())),
        (Err(error), Some(wanted)) => {
            let text = error.to_string();
            if let Some(status) = wanted.status
                && status != error.status()
            {
                return Some(format!(
                    "expected status {status}, got {}: {text}",
                    error.status()
                ));
            }
            match &wanted.contains {
                Some(part) if !text.contains(part.as_str()) => Some(format!(
                    "expected an error containing {part:?}, got: {text}"
                )),
                _ => None,
            }
        }
        (Ok(output), None) => {
            if let Some(result) = &expect.result
                && !cases::contains(&output.data, result)
            {
                return Some(format!(
                    "expected the result to have {result}, got {}",
                    output.data
                ));
            }
            match &expect.message {
                Some(message) if output.message.as_deref() != Some(message.as_str()) => Some(
                    format!("expected the message {message:?}, got {:?}", output.message),
                ),
                _ => None,
            }
        }
    }
}

/// Why the mail sent does not meet `case`'s expectation, if it does not.
fn judge_mail(case: &Case, sent: &[Value]) -> Option<String> {
    let expected = Value::Array(case.expect.mail.clone()?);
    let sent = Value::Array(sent.to_vec());
    (!cases::contains(&sent, &expected))
        .then(|| format!("expected the mail {expected}, the skill sent {sent}"))
}

fn check_error(error: impl std::fmt::Display) -> AuthorError {
    AuthorError::Check(error.to_string())
}

/// Run every case of the skill in `dir`; `report` hears of each as it ends.
pub async fn run(
    dir: &Path,
    mut report: impl FnMut(&CaseOutcome),
) -> Result<Vec<CaseOutcome>, AuthorError> {
    let verified = load_skill_dir(dir, &supported_wit()).map_err(check_error)?;
    let manifest: &Manifest = &verified.manifest;
    let skill = manifest.name.as_str();
    let loaded = cases::load(dir, manifest).map_err(check_error)?;
    if loaded.cases.is_empty() {
        return Err(AuthorError::Check(format!(
            "{}: no cases: give an operation an `example`, or write tests/*.yaml (docs/skills.md shows how)",
            dir.display()
        )));
    }
    let servers = StandInServers::start().await.map_err(io(dir))?;
    let configs = loaded
        .stand_ins
        .iter()
        .map(|stand_ins| config_for(skill, &servers, stand_ins))
        .collect::<Result<Vec<Config>, String>>()
        .map_err(AuthorError::Check)?;
    let base = configs
        .first()
        .ok_or_else(|| AuthorError::Check("no configuration".into()))?;
    let env = Environment::process();
    let resolver = crate::egress::Resolver::system();
    let llm = crate::llm::Router::new(
        &base.providers,
        &base.routing,
        Arc::new(Identity::default()),
        Arc::new(Metrics::new()),
        &env,
        &resolver,
    )
    .map_err(check_error)?;
    let outbox = base
        .mail
        .as_ref()
        .map(|mail| crate::mail::Outbox::new(mail, &env, &resolver))
        .transpose()
        .map_err(check_error)?
        .map(Arc::new);
    let cache = tempfile::tempdir().map_err(io(dir))?;
    // One case at a time; the pool is sized as the server's would be for eight.
    let runtime = super::sandbox(
        &manifest.limits,
        8,
        cache.path(),
        HostServices {
            identity: Arc::new(Identity::default()),
            llm: Some(Arc::new(llm)),
            mail: outbox,
            env,
            resolver,
            knowledge: None,
            licensing: None,
            stand_in_hosts: Some(servers.hosts),
        },
    )?;
    let mut prepared = Vec::with_capacity(configs.len());
    for config in &configs {
        let settings: Option<SkillSettings> = config.skills.operator_settings().remove(skill);
        prepared.push(
            runtime
                .prepare(manifest, settings.as_ref(), &verified.component)
                .map_err(|e| {
                    AuthorError::Check(format!("{}: {e}", dir.join(&manifest.component).display()))
                })?,
        );
    }
    let mut outcomes = Vec::with_capacity(loaded.cases.len());
    for (index, case) in loaded.cases.iter().enumerate() {
        servers.set(&loaded.stand_ins[case.stand_ins]);
        let call = Call {
            request_id: Arc::from(format!("test-{}", index + 1)),
            task_type: skill.to_owned(),
            prompt: case.prompt.clone(),
            params: case.params.clone(),
            key_id: None,
            caller_role: None,
            deltas: None,
        };
        let result = runtime.invoke(&prepared[case.stand_ins], call).await;
        let failure = judge(case, &result).or_else(|| judge_mail(case, &servers.mail()));
        let outcome = CaseOutcome {
            label: case.label.clone(),
            failure,
        };
        report(&outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
