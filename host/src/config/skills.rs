//! `[skills]`: the runtime's ceilings, and each skill's own `[skills.<name>]` table.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::FieldError;
use super::skill_settings::{OperatorSettings, SkillSettings};

/// `[skills]`
#[derive(Debug, Clone, Serialize)]
pub struct SkillsConfig {
    /// Directory of installed skills; defaults to `<data_dir>/skills`.
    pub dir: Option<PathBuf>,
    /// Skill instances that may run at once (sizes the instance pool).
    pub max_concurrent: u32,
    /// Instances one API key's requests may hold at once, so one caller cannot take them all;
    /// a quarter of `max_concurrent` unless set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent_per_key: Option<u32>,
    /// Instances one skill may hold at once, so one slow skill cannot take them all; half of
    /// `max_concurrent` unless set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent_per_skill: Option<u32>,
    /// Largest result a skill may return, in bytes.
    pub max_output_bytes: usize,
    /// Partial output (`output.emit`) a skill may stream per request, in bytes.
    pub max_emit_bytes: usize,
    /// Log lines a skill may write per request; later lines are dropped.
    pub max_log_lines: u32,
    /// Ceiling on any skill's memory limit, in MiB, whatever its manifest asks.
    pub max_memory_mb: u32,
    /// Ceiling on any skill's time limit, in milliseconds.
    pub max_timeout_ms: u64,
    /// How often the skills directory is checked for installed, updated or removed skills.
    pub reload_interval_ms: u64,
    /// `[skills.<name>]` tables, as written (checked by [`SkillsConfig::validate_per_skill`]).
    #[serde(flatten)]
    pub per_skill: BTreeMap<String, toml::Table>,
}

impl Default for SkillsConfig {
    fn default() -> Self {
        Self {
            dir: None,
            max_concurrent: 128,
            max_concurrent_per_key: None,
            max_concurrent_per_skill: None,
            max_output_bytes: 1 << 20,
            max_emit_bytes: 1 << 20,
            max_log_lines: 200,
            max_memory_mb: 256,
            max_timeout_ms: 60_000,
            reload_interval_ms: 1000,
            per_skill: BTreeMap::new(),
        }
    }
}

/// The settings of `[skills]` itself; any other key must be a skill's table.
const FIELDS: &[&str] = &[
    "dir",
    "max_concurrent",
    "max_concurrent_per_key",
    "max_concurrent_per_skill",
    "max_output_bytes",
    "max_emit_bytes",
    "max_log_lines",
    "max_memory_mb",
    "max_timeout_ms",
    "reload_interval_ms",
];

impl SkillsConfig {
    /// Instances one API key may hold at once.
    pub fn per_key(&self) -> u32 {
        self.max_concurrent_per_key
            .unwrap_or((self.max_concurrent / 4).max(1))
    }

    /// Instances one skill may hold at once.
    pub fn per_skill(&self) -> u32 {
        self.max_concurrent_per_skill
            .unwrap_or((self.max_concurrent / 2).max(1))
    }

    /// Check the runtime's ceilings.
    pub fn validate(&self) -> Result<(), FieldError> {
        if !(1..=10_000).contains(&self.max_concurrent) {
            return Err(FieldError::new(
                "skills.max_concurrent",
                "must be between 1 and 10000",
            ));
        }
        for (key, value) in [
            ("skills.max_concurrent_per_key", self.max_concurrent_per_key),
            (
                "skills.max_concurrent_per_skill",
                self.max_concurrent_per_skill,
            ),
        ] {
            let Some(value) = value else { continue };
            if value == 0 || value > self.max_concurrent {
                return Err(FieldError::new(
                    key,
                    format!(
                        "must be between 1 and `skills.max_concurrent` ({})",
                        self.max_concurrent
                    ),
                ));
            }
        }
        if self.max_memory_mb == 0 || self.max_memory_mb > 4096 {
            return Err(FieldError::new(
                "skills.max_memory_mb",
                "must be between 1 and 4096 (MiB)",
            ));
        }
        if self.max_timeout_ms == 0 {
            return Err(FieldError::new(
                "skills.max_timeout_ms",
                "must be at least 1 (ms)",
            ));
        }
        if self.reload_interval_ms < 50 {
            return Err(FieldError::new(
                "skills.reload_interval_ms",
                "must be at least 50 (ms)",
            ));
        }
        Ok(())
    }

    /// Check every `[skills.<name>]` table; the error is the dotted key and the problem.
    pub fn validate_per_skill(&self) -> Result<(), (String, String)> {
        for (name, table) in &self.per_skill {
            if name.parse::<praximous_registry::SkillName>().is_err() {
                return Err((
                    format!("skills.{name}"),
                    "is not a skill name: use lower-case letters, digits, `_` and `-`".into(),
                ));
            }
            SkillSettings::parse(table)
                .map_err(|e| (format!("skills.{name}.{}", e.key), e.problem))?;
        }
        Ok(())
    }

    /// Every skill's settings, checked.
    pub fn operator_settings(&self) -> OperatorSettings {
        self.per_skill
            .iter()
            .filter_map(|(name, table)| {
                SkillSettings::parse(table)
                    .ok()
                    .map(|settings| (name.clone(), settings))
            })
            .collect()
    }
}

/// Written out by hand, because `[skills]` mixes fixed settings with a table per skill, and
/// serde's `flatten` would lose the line numbers and key suggestions of its errors.
impl<'de> Deserialize<'de> for SkillsConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SkillsVisitor)
    }
}

struct SkillsVisitor;

impl<'de> Visitor<'de> for SkillsVisitor {
    type Value = SkillsConfig;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the [skills] table")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SkillsConfig, A::Error> {
        let mut config = SkillsConfig::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "dir" => config.dir = map.next_value()?,
                "max_concurrent" => config.max_concurrent = map.next_value()?,
                "max_concurrent_per_key" => {
                    config.max_concurrent_per_key = Some(map.next_value()?);
                }
                "max_concurrent_per_skill" => {
                    config.max_concurrent_per_skill = Some(map.next_value()?);
                }
                "max_output_bytes" => config.max_output_bytes = map.next_value()?,
                "max_emit_bytes" => config.max_emit_bytes = map.next_value()?,
                "max_log_lines" => config.max_log_lines = map.next_value()?,
                "max_memory_mb" => config.max_memory_mb = map.next_value()?,
                "max_timeout_ms" => config.max_timeout_ms = map.next_value()?,
                "reload_interval_ms" => config.reload_interval_ms = map.next_value()?,
                _ => {
                    let table = map.next_value_seed(SkillTable { key: &key })?;
                    config.per_skill.insert(key, table);
                }
            }
        }
        Ok(config)
    }
}

/// A key of `[skills]` that is not one of its settings: it must hold a skill's table. The
/// check runs while the value is read, so the parser's error points at the offending line.
struct SkillTable<'a> {
    key: &'a str,
}

impl<'de> DeserializeSeed<'de> for SkillTable<'_> {
    type Value = toml::Table;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<toml::Table, D::Error> {
        match toml::Value::deserialize(deserializer)? {
            toml::Value::Table(table) => Ok(table),
            _ => Err(de::Error::custom(format!(
                "unknown field `{}`, expected one of {}; a skill's own settings go in its table, [skills.<name>]",
                self.key,
                FIELDS
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}
