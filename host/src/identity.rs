//! The system identity and persona: who this Praximous speaks for.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// `[identity]`: the business's name and voice, seen by every skill and LLM prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Identity {
    /// The system's own name.
    pub system_name: String,
    /// The business it serves; empty when unset.
    pub business_name: String,
    /// The business's industry.
    pub industry: String,
    /// How the system should sound.
    pub persona_style: String,
    /// How careful to be with data.
    pub sensitivity_level: SensitivityLevel,
    /// Where the business is.
    pub location: String,
}

/// The Python original's defaults (those of its `--init` wizard).
impl Default for Identity {
    fn default() -> Self {
        Self {
            system_name: "Praximous-Default".into(),
            business_name: "Default Business".into(),
            industry: "General".into(),
            persona_style: "Professional and concise".into(),
            sensitivity_level: SensitivityLevel::High,
            location: "Unknown".into(),
        }
    }
}

const COMPANY_SUFFIXES: [&str; 4] = ["inc", "ltd", "corp", "llc"];

/// How careful the system is with data: prompts are masked in the audit log at `High`, and
/// the persona tells the model how to treat personal details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum SensitivityLevel {
    /// Nothing special.
    Low,
    /// Avoid repeating personal details.
    Medium,
    /// Treat everything as confidential; prompts are masked in the audit log.
    High,
}

impl SensitivityLevel {
    /// Every level, lowest first.
    pub const ALL: [Self; 3] = [Self::Low, Self::Medium, Self::High];

    /// The level's name, as configured.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
        }
    }

    /// `Low`, `Medium` or `High`, in any case and with spaces around.
    pub fn parse_loose(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Exactly `Low`, `Medium` or `High`, or what to write instead.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str() == text)
            .ok_or_else(|| format!("is `{text}`; use `Low`, `Medium` or `High`"))
    }
}

impl fmt::Display for SensitivityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SensitivityLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(|problem| {
            serde::de::Error::custom(format!("`identity.sensitivity_level` {problem}"))
        })
    }
}

impl Identity {
    /// The name shown in logs, the banner and `/api/v1/system`: `system_name` when it holds
    /// a `-` or there is no business name, else `<system_name>-<business slug>`.
    pub fn display_name(&self) -> String {
        if self.system_name.contains('-') || self.business_name.trim().is_empty() {
            return self.system_name.clone();
        }
        let slug: String = strip_company_suffix(self.business_name.trim())
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        if slug.is_empty() {
            self.system_name.clone()
        } else {
            format!("{}-{slug}", self.system_name)
        }
    }
}

/// `Acme Solutions Inc.` → `Acme Solutions`: a suffix after whitespace, any case, with or
/// without a dot, as the original's `\s+(Inc\.?|Ltd\.?|Corp\.?|LLC\.?)$` does.
fn strip_company_suffix(name: &str) -> &str {
    let without_dot = name.strip_suffix('.').unwrap_or(name);
    if let Some((head, last)) = without_dot.rsplit_once(char::is_whitespace)
        && COMPANY_SUFFIXES.contains(&last.to_ascii_lowercase().as_str())
        && !head.trim_end().is_empty()
    {
        return head.trim_end();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(system: &str, business: &str) -> String {
        Identity {
            system_name: system.into(),
            business_name: business.into(),
            ..Identity::default()
        }
        .display_name()
    }

    #[test]
    fn display_name_follows_the_original_rules() {
        assert_eq!(
            named("Praximous", "Acme Solutions Inc."),
            "Praximous-AcmeSolutions"
        );
        assert_eq!(
            named("Praximous", "Acme Solutions Inc"),
            "Praximous-AcmeSolutions"
        );
        assert_eq!(named("Praximous", "Globex LLC"), "Praximous-Globex");
        assert_eq!(named("Praximous", "Initech Corp."), "Praximous-Initech");
        assert_eq!(named("Praximous", "Hooli Ltd"), "Praximous-Hooli");
        assert_eq!(named("Praximous", "Café & Co"), "Praximous-CafCo");
        assert_eq!(named("Praximous", "Acme,Inc"), "Praximous-AcmeInc");
        assert_eq!(named("Praximous", "Acme, inc."), "Praximous-Acme");
        assert_eq!(named("Praximous", "  Globex   LLC  "), "Praximous-Globex");
        assert_eq!(named("Praximous", "Inc."), "Praximous-Inc");
        assert_eq!(named("Praximous", "!!!"), "Praximous");
        assert_eq!(named("Praximous", ""), "Praximous");
        assert_eq!(named("Prax-One", "Acme Inc."), "Prax-One");
    }

    #[test]
    fn sensitivity_level_is_checked() {
        assert_eq!(
            SensitivityLevel::parse("Medium"),
            Ok(SensitivityLevel::Medium)
        );
        assert_eq!(
            SensitivityLevel::parse("Extreme"),
            Err("is `Extreme`; use `Low`, `Medium` or `High`".to_owned())
        );
        assert_eq!(
            SensitivityLevel::parse("high").ok(),
            None,
            "exact in the file"
        );
        assert_eq!(
            SensitivityLevel::parse_loose(" high "),
            Some(SensitivityLevel::High),
            "any case from the wizard and flags"
        );
        let identity: Result<Identity, _> = toml::from_str("sensitivity_level = \"Low\"");
        assert_eq!(
            identity.map(|i| i.sensitivity_level).ok(),
            Some(SensitivityLevel::Low)
        );
    }
}
