//! What the operator gives each skill in its `[skills.<name>]` table: settings the skill reads
//! through the `config` import, and `allow_hosts`, which narrows the hosts its manifest lets it
//! reach (or names them, for a manifest whose `permissions.network` is `["*"]`).
//!
//! ```toml
//! [skills.web_scraper]
//! allow_hosts = ["docs.example.com", "intranet.example.com:8443"]
//! user_agent = "AcmeBot/1.0"
//!
//! [skills.weather_tool]
//! api_key = { env = "WEATHER_API_KEY" }   # read from the environment (or .env) at start-up
//! ```

use std::collections::BTreeMap;

use praximous_registry::manifest::validate_host;

use crate::environment::Environment;

/// The key that holds a skill's network allow-list rather than a setting.
pub const ALLOW_HOSTS: &str = "allow_hosts";
/// The key that holds the internal address ranges a skill may reach (loopback, private,
/// link-local addresses are refused otherwise, whatever name resolves to them).
pub const ALLOW_CIDRS: &str = "allow_cidrs";
/// The key that lets an installed skill replacing a built-in of the same name read the
/// built-in's settings (its API keys, say); without it, the replacement reads none of them.
pub const REPLACEMENT_READS_SETTINGS: &str = "replacement_reads_settings";
/// The key that narrows the knowledge collections a skill may search to those listed.
pub const KNOWLEDGE: &str = "knowledge";

/// One setting's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    /// Written in the configuration file.
    Text(String),
    /// Read from this environment variable, so secrets stay out of the file.
    Env(String),
}

/// One skill's `[skills.<name>]` table, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkillSettings {
    /// The hosts the operator allows this skill, if the table says.
    pub allow_hosts: Option<Vec<String>>,
    /// Internal address ranges the operator lets this skill reach.
    pub allow_cidrs: Vec<ipnet::IpNet>,
    /// Whether an installed skill that replaces the built-in of this name reads these settings.
    pub replacement_reads_settings: bool,
    /// The knowledge collections the operator lets this skill search (within what its
    /// manifest asks), if the table says.
    pub knowledge: Option<Vec<String>>,
    /// Every other key.
    pub values: BTreeMap<String, SettingValue>,
}

/// Every skill's settings, by skill name.
pub type OperatorSettings = BTreeMap<String, SkillSettings>;

/// A problem with one key of a `[skills.<name>]` table: the key (relative to the table) and
/// what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The key, e.g. `allow_hosts[1]`.
    pub key: String,
    /// What is wrong and how to fix it.
    pub problem: String,
}

impl SkillSettings {
    /// Check a `[skills.<name>]` table: `allow_hosts` is a list of host names (`name` or
    /// `name:port`); every other value is a string, number or boolean, or `{ env = "NAME" }`.
    pub fn parse(table: &toml::Table) -> Result<Self, SettingError> {
        let mut settings = Self::default();
        for (key, value) in table {
            let error = |problem: String| SettingError {
                key: key.clone(),
                problem,
            };
            if key == ALLOW_CIDRS {
                let Some(entries) = value.as_array() else {
                    return Err(error(
                        "must be a list of address ranges, e.g. [\"10.20.0.0/16\", \"127.0.0.1/32\"]".into(),
                    ));
                };
                for (i, entry) in entries.iter().enumerate() {
                    let range = entry
                        .as_str()
                        .and_then(|text| text.parse::<ipnet::IpNet>().ok())
                        .ok_or_else(|| SettingError {
                            key: format!("{key}[{i}]"),
                            problem: "must be an address range such as \"10.20.0.0/16\"".into(),
                        })?;
                    settings.allow_cidrs.push(range);
                }
                continue;
            }
            if key == KNOWLEDGE {
                let names = value
                    .as_array()
                    .and_then(|entries| {
                        entries
                            .iter()
                            .map(|entry| {
                                entry
                                    .as_str()
                                    .filter(|name| praximous_registry::manifest::is_collection_name(name))
                                    .map(str::to_owned)
                            })
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| {
                        error("must be a list of collection names, e.g. [\"policies\", \"handbook\"] ([] for none)".into())
                    })?;
                settings.knowledge = Some(names);
                continue;
            }
            if key == REPLACEMENT_READS_SETTINGS {
                settings.replacement_reads_settings = value
                    .as_bool()
                    .ok_or_else(|| error("must be true or false".into()))?;
                continue;
            }
            if key == ALLOW_HOSTS {
                let Some(entries) = value.as_array() else {
                    return Err(error(
                        "must be a list of host names, e.g. [\"docs.example.com\", \"127.0.0.1:8080\"]"
                            .into(),
                    ));
                };
                let mut hosts = Vec::with_capacity(entries.len());
                for (i, entry) in entries.iter().enumerate() {
                    let host = entry.as_str().ok_or_else(|| SettingError {
                        key: format!("{key}[{i}]"),
                        problem: "must be a string such as \"docs.example.com\"".into(),
                    })?;
                    validate_host(host).map_err(|problem| SettingError {
                        key: format!("{key}[{i}]"),
                        problem,
                    })?;
                    hosts.push(host.to_owned());
                }
                settings.allow_hosts = Some(hosts);
                continue;
            }
            let setting = match value {
                toml::Value::String(text) => SettingValue::Text(text.clone()),
                toml::Value::Integer(n) => SettingValue::Text(n.to_string()),
                toml::Value::Float(x) => SettingValue::Text(x.to_string()),
                toml::Value::Boolean(b) => SettingValue::Text(b.to_string()),
                toml::Value::Table(inner) => match (inner.get("env"), inner.len()) {
                    (Some(toml::Value::String(name)), 1) if !name.trim().is_empty() => {
                        SettingValue::Env(name.clone())
                    }
                    _ => {
                        return Err(error(
                            "as a table must be `{ env = \"VARIABLE\" }`, naming the environment variable that holds the value".into(),
                        ));
                    }
                },
                _ => {
                    return Err(error(
                        "must be a string, number or boolean, or `{ env = \"VARIABLE\" }`".into(),
                    ));
                }
            };
            settings.values.insert(key.clone(), setting);
        }
        Ok(settings)
    }

    /// What a skill that replaces the built-in of this name gets: the network narrowing always
    /// (it only ever narrows), the values only if the operator set `replacement_reads_settings`.
    pub fn for_replacement(&self) -> Self {
        Self {
            allow_hosts: self.allow_hosts.clone(),
            allow_cidrs: self.allow_cidrs.clone(),
            knowledge: self.knowledge.clone(),
            replacement_reads_settings: self.replacement_reads_settings,
            values: if self.replacement_reads_settings {
                self.values.clone()
            } else {
                BTreeMap::new()
            },
        }
    }

    /// The values a skill reads, with environment variables looked up through `env`; a
    /// setting whose variable is unset is left out (the skill sees it as not set).
    pub fn resolve(&self, env: &Environment) -> BTreeMap<String, String> {
        self.values
            .iter()
            .filter_map(|(key, value)| match value {
                SettingValue::Text(text) => Some((key.clone(), text.clone())),
                SettingValue::Env(name) => env.get(name).map(|text| (key.clone(), text)),
            })
            .collect()
    }

    /// Environment variables this table names that `env` does not have.
    pub fn missing_variables(&self, env: &Environment) -> Vec<String> {
        self.values
            .values()
            .filter_map(|value| match value {
                SettingValue::Env(name) if env.get(name).is_none() => Some(name.clone()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse()
            .unwrap_or_else(|e| panic!("test table does not parse: {e}"))
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn values_come_from_the_file_or_the_environment() {
        let settings = SkillSettings::parse(&table(
            "user_agent = \"Bot/1\"\nretries = 3\nverbose = true\napi_key = { env = \"KEY_VAR\" }\nunset = { env = \"NOT_SET\" }\nallow_hosts = [\"a.example.com\"]",
        ))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let env = Environment::fixed([("KEY_VAR", "secret")]);
        let values = settings.resolve(&env);
        assert_eq!(values.get("user_agent").map(String::as_str), Some("Bot/1"));
        assert_eq!(values.get("retries").map(String::as_str), Some("3"));
        assert_eq!(values.get("verbose").map(String::as_str), Some("true"));
        assert_eq!(values.get("api_key").map(String::as_str), Some("secret"));
        assert!(!values.contains_key("unset"));
        assert!(
            !values.contains_key(ALLOW_HOSTS),
            "the allow-list is not a setting"
        );
        assert_eq!(settings.missing_variables(&env), ["NOT_SET"]);
        assert_eq!(settings.allow_hosts, Some(strings(&["a.example.com"])));
    }

    #[test]
    fn bad_tables_name_the_key_and_the_fix() {
        for (text, key, needle) in [
            ("allow_hosts = \"a.com\"", "allow_hosts", "must be a list"),
            (
                "allow_hosts = [\"a.com\", 3]",
                "allow_hosts[1]",
                "must be a string",
            ),
            (
                "allow_hosts = [\"https://a.com/x\"]",
                "allow_hosts[0]",
                "is not a host name",
            ),
            ("key = { file = \"x\" }", "key", "{ env = \"VARIABLE\" }"),
            ("key = [1, 2]", "key", "string, number or boolean"),
        ] {
            match SkillSettings::parse(&table(text)) {
                Ok(s) => panic!("{text} was accepted: {s:?}"),
                Err(e) => {
                    assert_eq!(e.key, key, "{text}");
                    assert!(e.problem.contains(needle), "{text}: {}", e.problem);
                }
            }
        }
    }

    #[test]
    fn a_replacement_keeps_the_narrowing_and_reads_values_only_when_allowed() {
        let secret =
            SkillSettings::parse(&table("api_key = \"k\"\nallow_hosts = [\"a.example.com\"]"))
                .unwrap_or_else(|e| panic!("{e:?}"));
        let narrowed = secret.for_replacement();
        assert!(narrowed.values.is_empty(), "no secrets for a replacement");
        assert_eq!(narrowed.allow_hosts, Some(strings(&["a.example.com"])));
        let trusting =
            SkillSettings::parse(&table("api_key = \"k\"\nreplacement_reads_settings = true"))
                .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(trusting.for_replacement().values.len(), 1);
        assert!(
            !trusting.values.contains_key(REPLACEMENT_READS_SETTINGS),
            "the switch is not a setting the skill reads"
        );
        assert!(SkillSettings::parse(&table("replacement_reads_settings = \"yes\"")).is_err());
    }
}
