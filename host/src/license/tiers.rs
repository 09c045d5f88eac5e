//! The one table of what each tier unlocks and the limits it sets. The API's 403s, the
//! OpenAPI document, the UI (through `GET /api/v1/license`) and `prax license show` all read
//! it from here.

use serde::{Deserialize, Serialize};

/// A licence tier, from the free one up.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Free: every built-in skill but PII redaction, local providers and one external one,
    /// five seats.
    Standard,
    /// More seats, any providers, SSO.
    Team,
    /// Knowledge (RAG), PII redaction, registry development sources.
    Pro,
    /// Custom roles, admin audit export, unlimited seats.
    Enterprise,
}

impl Tier {
    /// Every tier, from the free one up.
    pub const ALL: [Self; 4] = [Self::Standard, Self::Team, Self::Pro, Self::Enterprise];

    /// As written in licences and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Team => "team",
            Self::Pro => "pro",
            Self::Enterprise => "enterprise",
        }
    }

    /// For people: `Pro`.
    pub fn title(self) -> &'static str {
        match self {
            Self::Standard => "Standard",
            Self::Team => "Team",
            Self::Pro => "Pro",
            Self::Enterprise => "Enterprise",
        }
    }

    /// Parse a tier's name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text.trim())
    }

    /// Seats (active API keys and SSO users) the tier allows; `None`: unlimited.
    pub fn seats(self) -> Option<u32> {
        match self {
            Self::Standard => Some(5),
            Self::Team => Some(50),
            Self::Pro => Some(250),
            Self::Enterprise => None,
        }
    }

    /// External (non-local) LLM providers the tier allows; `None`: any number.
    pub fn external_providers(self) -> Option<u32> {
        match self {
            Self::Standard => Some(1),
            _ => None,
        }
    }
}

/// A feature a tier may unlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Any number of external LLM providers.
    AnyProviders,
    /// Sign-in with an OpenID Connect provider.
    Sso,
    /// The PII redaction skill.
    PiiRedaction,
    /// Private documents answered with citations.
    Knowledge,
    /// Installing unsigned skills from registry development sources.
    DevelopmentSources,
    /// Roles beyond admin, operator and user.
    CustomRoles,
    /// Exporting the administrators' audit log.
    AdminAuditExport,
}

impl Feature {
    /// Every feature, in the order the table lists them.
    pub const ALL: [Self; 7] = [
        Self::AnyProviders,
        Self::Sso,
        Self::PiiRedaction,
        Self::Knowledge,
        Self::DevelopmentSources,
        Self::CustomRoles,
        Self::AdminAuditExport,
    ];

    /// The lowest tier that includes it.
    pub fn tier(self) -> Tier {
        match self {
            Self::AnyProviders | Self::Sso => Tier::Team,
            Self::PiiRedaction | Self::Knowledge | Self::DevelopmentSources => Tier::Pro,
            Self::CustomRoles | Self::AdminAuditExport => Tier::Enterprise,
        }
    }

    /// For people, in a sentence: "PII redaction".
    pub fn title(self) -> &'static str {
        match self {
            Self::AnyProviders => "More than one external LLM provider",
            Self::Sso => "Single sign-on (SSO)",
            Self::PiiRedaction => "PII redaction",
            Self::Knowledge => "Knowledge (answers from private documents)",
            Self::DevelopmentSources => "Installing from registry development sources",
            Self::CustomRoles => "Custom roles",
            Self::AdminAuditExport => "The admin audit log export",
        }
    }

    /// Its name in licences and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AnyProviders => "any_providers",
            Self::Sso => "sso",
            Self::PiiRedaction => "pii_redaction",
            Self::Knowledge => "knowledge",
            Self::DevelopmentSources => "development_sources",
            Self::CustomRoles => "custom_roles",
            Self::AdminAuditExport => "admin_audit_export",
        }
    }

    /// The feature a skill of this name needs, if any.
    pub fn for_skill(skill: &str) -> Option<Self> {
        match skill {
            "pii_redactor" => Some(Self::PiiRedaction),
            "knowledge_retrieval" | "document_ingestion" => Some(Self::Knowledge),
            _ => None,
        }
    }
}

/// Whether `tier` (with `extra` features a licence adds) includes `feature`.
pub fn includes(tier: Tier, extra: &[Feature], feature: Feature) -> bool {
    tier >= feature.tier() || extra.contains(&feature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tier_includes_what_the_ones_below_do() {
        for feature in Feature::ALL {
            let first = Tier::ALL
                .into_iter()
                .position(|t| includes(t, &[], feature))
                .unwrap_or(usize::MAX);
            for (index, tier) in Tier::ALL.into_iter().enumerate() {
                assert_eq!(
                    includes(tier, &[], feature),
                    index >= first,
                    "{feature:?} in {tier:?}"
                );
            }
        }
        assert!(!includes(Tier::Standard, &[], Feature::PiiRedaction));
        assert!(includes(
            Tier::Standard,
            &[Feature::PiiRedaction],
            Feature::PiiRedaction
        ));
        assert_eq!(Tier::Standard.seats(), Some(5));
        assert_eq!(Tier::Enterprise.seats(), None);
    }
}
