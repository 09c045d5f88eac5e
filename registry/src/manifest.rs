//! The `skill.yaml` schema and its validation.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Sha256Digest, WitVersion};

/// Why a manifest is not valid. The message says what is wrong and how to fix it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    /// The YAML does not parse into the schema (missing field, wrong type, unknown key...).
    #[error("{0}")]
    Schema(String),
    /// The YAML parses but a value breaks a rule of the schema.
    #[error("`{field}`: {problem}")]
    Invalid {
        /// The offending field, as a dotted path.
        field: String,
        /// What is wrong with it and what to do.
        problem: String,
    },
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> ManifestError {
    ManifestError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// A skill's unique name: the `task_type` callers send. `[a-z][a-z0-9_-]{0,63}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SkillName(String);

impl SkillName {
    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SkillName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SkillName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut bytes = s.bytes();
        let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
        let rest_ok =
            bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if starts_with_letter && rest_ok && s.len() <= 64 {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "`{s}` is not a valid skill name: use 1 to 64 characters from a-z, 0-9, `_` and `-`, \
                 starting with a letter"
            ))
        }
    }
}

impl TryFrom<String> for SkillName {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<SkillName> for String {
    fn from(n: SkillName) -> Self {
        n.0
    }
}

/// One operation a skill offers, as served by `/api/v1/skills`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// What the operation does.
    pub description: String,
    /// JSON Schema of the request's extra fields for this operation.
    #[serde(default = "empty_object")]
    pub params: serde_json::Value,
    /// An example request body for `POST /api/v1/process`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// How much of the knowledge store a skill may use, as a level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KnowledgeAccess {
    /// No access.
    #[default]
    None,
    /// Query only.
    Read,
    /// Query, embed and upsert.
    Write,
}

/// `permissions.knowledge`: the collections a skill may search, by name (`[policies, handbook]`;
/// `"*"`: any the operator allows it), or a level for every collection (`none`, `read`,
/// `write`). The operator can narrow either with `knowledge` in `[skills.<name>]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum KnowledgeGrant {
    /// A level, for every collection.
    Level(KnowledgeAccess),
    /// Searching these collections.
    Collections(Vec<String>),
}

impl Default for KnowledgeGrant {
    fn default() -> Self {
        Self::Level(KnowledgeAccess::None)
    }
}

impl<'de> Deserialize<'de> for KnowledgeGrant {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Grant;

        impl<'de> serde::de::Visitor<'de> for Grant {
            type Value = KnowledgeGrant;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a list of collection names, or `none`, `read` or `write`")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<KnowledgeGrant, E> {
                match value {
                    "none" => Ok(KnowledgeGrant::Level(KnowledgeAccess::None)),
                    "read" => Ok(KnowledgeGrant::Level(KnowledgeAccess::Read)),
                    "write" => Ok(KnowledgeGrant::Level(KnowledgeAccess::Write)),
                    other => Err(E::custom(format!(
                        "`{other}` is not a knowledge grant: list the collections, e.g. [policies, handbook] ([\"*\"] for any the operator allows), or write none, read or write"
                    ))),
                }
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<KnowledgeGrant, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(KnowledgeGrant::Collections(names))
            }
        }

        deserializer.deserialize_any(Grant)
    }
}

/// The `permissions.knowledge` entry for any collection the operator allows.
pub const ANY_COLLECTION: &str = "*";

impl KnowledgeGrant {
    /// The level it amounts to: a list of collections is `read`, an empty one `none`.
    pub fn level(&self) -> KnowledgeAccess {
        match self {
            Self::Level(level) => *level,
            Self::Collections(names) if names.is_empty() => KnowledgeAccess::None,
            Self::Collections(_) => KnowledgeAccess::Read,
        }
    }

    /// Whether it lets the skill search `collection`.
    pub fn allows(&self, collection: &str) -> bool {
        match self {
            Self::Level(level) => *level >= KnowledgeAccess::Read,
            Self::Collections(names) => names
                .iter()
                .any(|name| name == ANY_COLLECTION || name == collection),
        }
    }

    /// Whether it reaches collections beyond any list: a level, or `"*"`.
    pub fn is_open(&self) -> bool {
        match self {
            Self::Level(level) => *level >= KnowledgeAccess::Read,
            Self::Collections(names) => names.iter().any(|name| name == ANY_COLLECTION),
        }
    }

    /// What it grants that `was` did not, in words (empty: nothing).
    pub fn widening_from(&self, was: &Self) -> Vec<String> {
        let change = || {
            vec![format!(
                "knowledge: {} -> {}",
                was.describe(),
                self.describe()
            )]
        };
        if self.level() == KnowledgeAccess::Write && was.level() < KnowledgeAccess::Write {
            return change();
        }
        if self.is_open() {
            return if was.is_open() { Vec::new() } else { change() };
        }
        match self {
            Self::Collections(now) => now
                .iter()
                .filter(|name| !was.allows(name))
                .map(|name| format!("knowledge: + {name}"))
                .collect(),
            Self::Level(_) => Vec::new(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Level(KnowledgeAccess::None) => "none".to_owned(),
            Self::Level(KnowledgeAccess::Read) => "read".to_owned(),
            Self::Level(KnowledgeAccess::Write) => "write".to_owned(),
            Self::Collections(names) => format!("[{}]", names.join(", ")),
        }
    }
}

/// The host capabilities a skill asks for. Everything is off unless listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// May call the LLM router.
    #[serde(default)]
    pub llm: bool,
    /// Host names the skill may reach over `wasi:http` (`name` or `name:port`), or
    /// [`OPERATOR_HOSTS`] for the hosts the operator allows it.
    #[serde(default)]
    pub network: Vec<String>,
    /// The knowledge collections it may search.
    #[serde(default)]
    pub knowledge: KnowledgeGrant,
    /// May send e-mail through the operator's SMTP server.
    #[serde(default)]
    pub mail: bool,
}

/// Resource limits for one invocation of the skill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Linear memory ceiling, in MiB.
    #[serde(default = "Limits::default_memory_mb")]
    pub memory_mb: u32,
    /// Wall-clock deadline for the whole call, host calls included, in milliseconds.
    #[serde(default = "Limits::default_timeout_ms")]
    pub timeout_ms: u64,
    /// CPU time the guest may spend executing Wasm, in milliseconds; defaults to `timeout_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_ms: Option<u64>,
}

impl Limits {
    /// Largest memory a manifest may ask for, in MiB.
    pub const MAX_MEMORY_MB: u32 = 1024;
    /// Longest deadline a manifest may ask for, in milliseconds.
    pub const MAX_TIMEOUT_MS: u64 = 300_000;

    fn default_memory_mb() -> u32 {
        64
    }

    fn default_timeout_ms() -> u64 {
        2_000
    }

    /// The CPU budget: `cpu_ms` if set, else the wall-clock deadline.
    pub fn cpu_budget_ms(&self) -> u64 {
        self.cpu_ms.unwrap_or(self.timeout_ms)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_mb: Self::default_memory_mb(),
            timeout_ms: Self::default_timeout_ms(),
            cpu_ms: None,
        }
    }
}

/// The license tier that unlocks a skill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Free for everyone.
    #[default]
    Community,
    /// Needs a Pro license.
    Pro,
    /// Needs an Enterprise license.
    Enterprise,
}

/// A parsed and validated `skill.yaml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Unique name; the `task_type` callers send.
    pub name: SkillName,
    /// The skill's version.
    pub version: semver::Version,
    /// One line on what the skill does.
    pub description: String,
    /// Who wrote it.
    pub author: String,
    /// The skill's license (SPDX expression).
    pub license: String,
    /// The WIT package the component was built against.
    pub wit: WitVersion,
    /// File name of the component, beside `skill.yaml`.
    pub component: String,
    /// SHA-256 of the component file.
    pub sha256: Sha256Digest,
    /// What the skill offers, by operation name.
    pub operations: BTreeMap<String, Operation>,
    /// Host capabilities the skill needs.
    #[serde(default)]
    pub permissions: Permissions,
    /// Resource limits per invocation.
    #[serde(default)]
    pub limits: Limits,
    /// License tier that unlocks the skill.
    #[serde(default)]
    pub tier: Tier,
}

impl Manifest {
    /// Parse and validate a manifest from its YAML text.
    pub fn from_yaml(text: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest =
            serde_norway::from_str(text).map_err(|e| ManifestError::Schema(e.to_string()))?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// Check the rules serde cannot express.
    pub fn validate(&self) -> Result<(), ManifestError> {
        if self.description.trim().is_empty() {
            return Err(invalid(
                "description",
                "must not be empty: say in one line what the skill does",
            ));
        }
        if self.author.trim().is_empty() {
            return Err(invalid("author", "must not be empty"));
        }
        if self.license.trim().is_empty() {
            return Err(invalid(
                "license",
                "must not be empty: give an SPDX expression such as `MIT`",
            ));
        }
        validate_component_file_name(&self.component)?;
        if self.operations.is_empty() {
            return Err(invalid(
                "operations",
                "must list at least one operation, with its description and params",
            ));
        }
        for (name, op) in &self.operations {
            if op.description.trim().is_empty() {
                return Err(invalid(
                    format!("operations.{name}.description"),
                    "must not be empty",
                ));
            }
            if !op.params.is_object() {
                return Err(invalid(
                    format!("operations.{name}.params"),
                    "must be a JSON Schema object (a mapping)",
                ));
            }
            if let Some(example) = &op.example {
                validate_example(self.name.as_str(), example)
                    .map_err(|p| invalid(format!("operations.{name}.example"), p))?;
            }
        }
        for (i, host) in self.permissions.network.iter().enumerate() {
            if host != OPERATOR_HOSTS {
                validate_host(host).map_err(|p| invalid(format!("permissions.network[{i}]"), p))?;
            }
        }
        if let KnowledgeGrant::Collections(names) = &self.permissions.knowledge {
            for (i, name) in names.iter().enumerate() {
                if name != ANY_COLLECTION && !is_collection_name(name) {
                    return Err(invalid(
                        format!("permissions.knowledge[{i}]"),
                        format!(
                            "`{name}` is not a collection name: use 1-63 lower-case letters, digits, `_` and `-` (or \"*\" for any the operator allows)"
                        ),
                    ));
                }
            }
        }
        let limits = &self.limits;
        if limits.memory_mb == 0 || limits.memory_mb > Limits::MAX_MEMORY_MB {
            return Err(invalid(
                "limits.memory_mb",
                format!(
                    "{} is out of range: use 1 to {}",
                    limits.memory_mb,
                    Limits::MAX_MEMORY_MB
                ),
            ));
        }
        if limits.timeout_ms == 0 || limits.timeout_ms > Limits::MAX_TIMEOUT_MS {
            return Err(invalid(
                "limits.timeout_ms",
                format!(
                    "{} is out of range: use 1 to {}",
                    limits.timeout_ms,
                    Limits::MAX_TIMEOUT_MS
                ),
            ));
        }
        if let Some(cpu) = limits.cpu_ms
            && (cpu == 0 || cpu > limits.timeout_ms)
        {
            return Err(invalid(
                "limits.cpu_ms",
                format!(
                    "{cpu} is out of range: use 1 to timeout_ms ({})",
                    limits.timeout_ms
                ),
            ));
        }
        Ok(())
    }
}

/// An example is shown to API callers and the web UI as a request that works, so it must be
/// one `POST /api/v1/process` accepts for this skill. (`operation` is not checked: in the
/// Python original's skills it is a request field with its own values, not the operation's name.)
fn validate_example(skill: &str, example: &serde_json::Value) -> Result<(), String> {
    let Some(body) = example.as_object() else {
        return Err("must be a request body (a mapping with task_type and prompt)".into());
    };
    if body.get("task_type").and_then(|t| t.as_str()) != Some(skill) {
        return Err(format!("must have `task_type: {skill}`"));
    }
    if !body.get("prompt").is_some_and(|p| p.is_string()) {
        return Err(
            "must have a `prompt` (a string): every request to /api/v1/process carries one".into(),
        );
    }
    Ok(())
}

fn validate_component_file_name(file: &str) -> Result<(), ManifestError> {
    let plain = !file.is_empty()
        && file != "."
        && file != ".."
        && !file.contains(['/', '\\', '\0'])
        && file.ends_with(".wasm");
    if plain {
        Ok(())
    } else {
        Err(invalid(
            "component",
            format!(
                "`{file}` must be a plain `.wasm` file name beside skill.yaml, with no directories"
            ),
        ))
    }
}

/// A knowledge collection's name: 1-63 lower-case letters, digits, `_` and `-`, starting
/// with a letter or digit.
pub fn is_collection_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && name.len() <= 63
}

/// The `permissions.network` entry that lets the operator choose the hosts: the skill may
/// reach whatever `allow_hosts` in its `[skills.<name>]` table names, and nothing until then.
pub const OPERATOR_HOSTS: &str = "*";

/// `name` or `name:port`: a DNS name or IPv4 address, with an optional port.
pub fn validate_host(entry: &str) -> Result<(), String> {
    let (host, port_ok) = match entry.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().is_ok_and(|p| p > 0)),
        None => (entry, true),
    };
    let labels_ok = port_ok
        && !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if labels_ok {
        Ok(())
    } else {
        Err(format!(
            "`{entry}` is not a host name: write a bare name such as `api.open-meteo.com` (or `name:port` for one port), without scheme or path"
        ))
    }
}
