//! The system identity and persona: who this Praximous speaks for.

use serde::{Deserialize, Serialize};

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
    /// `Low`, `Medium` or `High`: how careful to be with data.
    pub sensitivity_level: String,
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
            sensitivity_level: "High".into(),
            location: "Unknown".into(),
        }
    }
}

const COMPANY_SUFFIXES: [&str; 4] = ["inc", "ltd", "corp", "llc"];

/// The valid `sensitivity_level` values.
pub const SENSITIVITY_LEVELS: [&str; 3] = ["Low", "Medium", "High"];

impl Identity {
    /// Check the fields that have a fixed set of values.
    pub fn validate(&self) -> Result<(), String> {
        validate_sensitivity(&self.sensitivity_level)
    }

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

/// Check a `sensitivity_level` value.
pub fn validate_sensitivity(level: &str) -> Result<(), String> {
    if SENSITIVITY_LEVELS.contains(&level) {
        Ok(())
    } else {
        Err(format!("is `{level}`; use `Low`, `Medium` or `High`"))
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
        let mut identity = Identity::default();
        assert!(identity.validate().is_ok());
        identity.sensitivity_level = "Extreme".into();
        assert!(identity.validate().is_err());
    }
}
