//! `[sso]`: single sign-on to the web UI with an OpenID Connect provider (Okta, Entra ID,
//! Keycloak, Google Workspace, ...). Absent (the default), the UI signs in with API keys only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FieldError;
use crate::auth::Role;

/// `[sso]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoConfig {
    /// The provider's issuer URL; its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`. A multi-tenant endpoint (Entra ID's
    /// `https://login.microsoftonline.com/common/v2.0`) is accepted: each token's issuer is
    /// then checked against the template the discovery document gives, with the token's `tid`.
    pub issuer: String,
    /// What the button on the sign-in page says, e.g. "Okta".
    #[serde(default = "default_display_name")]
    pub display_name: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The variable holding the client secret; unset (or naming an unset variable): a public
    /// client, which PKCE protects.
    #[serde(default = "default_secret_env")]
    pub client_secret_env: String,
    /// Where users reach this server, e.g. `https://prax.example.com`: the redirect URI
    /// registered at the provider is `<public_url>/api/v1/auth/sso/callback`. An `https` URL
    /// makes the session cookie `Secure`.
    pub public_url: String,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim that lists the user's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Group → role. A user gets the highest role any of their groups maps to.
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    /// The role of a user none of whose groups is mapped; absent: such a user cannot sign in.
    #[serde(default)]
    pub default_role: Option<Role>,
    /// The ID token signature algorithms accepted (asymmetric ones only).
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
    /// How far the provider's clock may be from ours, in seconds.
    #[serde(default = "default_skew")]
    pub clock_skew_s: u64,
    /// The longest a session lasts, in minutes, however active.
    #[serde(default = "default_lifetime")]
    pub session_lifetime_min: u64,
    /// A session not used for this long ends, in minutes.
    #[serde(default = "default_idle")]
    pub session_idle_min: u64,
    /// The least time between two fetches of the provider's keys when a token names a key we
    /// do not have (a rotation), in milliseconds.
    #[serde(default = "default_jwks_refetch")]
    pub jwks_refetch_ms: u64,
    /// For a multi-tenant issuer: the only tenant ids (`tid`) accepted; empty: any tenant.
    #[serde(default)]
    pub allowed_tenants: Vec<String>,
}

fn default_display_name() -> String {
    "single sign-on".into()
}

fn default_secret_env() -> String {
    "PRAXIMOUS_SSO_CLIENT_SECRET".into()
}

fn default_scopes() -> Vec<String> {
    vec!["profile".into(), "email".into()]
}

fn default_groups_claim() -> String {
    "groups".into()
}

fn default_algorithms() -> Vec<String> {
    vec!["RS256".into(), "ES256".into(), "PS256".into()]
}

fn default_skew() -> u64 {
    60
}

fn default_lifetime() -> u64 {
    12 * 60
}

fn default_idle() -> u64 {
    60
}

fn default_jwks_refetch() -> u64 {
    10_000
}

/// The algorithms an ID token may be signed with: asymmetric only, since a symmetric one
/// would be keyed with the client secret that this server also holds.
pub const SUPPORTED_ALGORITHMS: [&str; 9] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

impl SsoConfig {
    /// Check URLs, names, numbers and the role table.
    pub fn validate(&self) -> Result<(), FieldError> {
        let url = |key: &str, value: &str| -> Result<reqwest::Url, FieldError> {
            let parsed = reqwest::Url::parse(value).map_err(|e| {
                FieldError::new(key, format!("must be an absolute URL ({e}): '{value}'"))
            })?;
            if !matches!(parsed.scheme(), "https" | "http") {
                return Err(FieldError::new(key, "must be an http or https URL"));
            }
            Ok(parsed)
        };
        url("sso.issuer", &self.issuer)?;
        let public = url("sso.public_url", &self.public_url)?;
        if public.query().is_some() || public.fragment().is_some() {
            return Err(FieldError::new(
                "sso.public_url",
                "must be the server's base URL, without a query or fragment",
            ));
        }
        if self.client_id.trim().is_empty() {
            return Err(FieldError::new(
                "sso.client_id",
                "must be the client id registered at the provider",
            ));
        }
        if self.groups_claim.trim().is_empty() {
            return Err(FieldError::new(
                "sso.groups_claim",
                "must name the claim that lists groups, e.g. \"groups\"",
            ));
        }
        if self.roles.is_empty() && self.default_role.is_none() {
            return Err(FieldError::new(
                "sso.roles",
                "map at least one group to a role (e.g. [sso.roles] \"prax-admins\" = \"admin\"), or set sso.default_role; otherwise nobody could sign in",
            ));
        }
        if self.algorithms.is_empty() {
            return Err(FieldError::new(
                "sso.algorithms",
                "must list at least one algorithm, e.g. [\"RS256\"]",
            ));
        }
        if let Some(bad) = self
            .algorithms
            .iter()
            .find(|alg| !SUPPORTED_ALGORITHMS.contains(&alg.as_str()))
        {
            return Err(FieldError::new(
                "sso.algorithms",
                format!(
                    "'{bad}' is not accepted; use any of {}",
                    SUPPORTED_ALGORITHMS.join(", ")
                ),
            ));
        }
        if self.clock_skew_s > 300 {
            return Err(FieldError::new(
                "sso.clock_skew_s",
                "must be at most 300 (seconds)",
            ));
        }
        if !(5..=43_200).contains(&self.session_lifetime_min) {
            return Err(FieldError::new(
                "sso.session_lifetime_min",
                "must be between 5 and 43200 (minutes: 30 days)",
            ));
        }
        if !(1..=self.session_lifetime_min).contains(&self.session_idle_min) {
            return Err(FieldError::new(
                "sso.session_idle_min",
                "must be at least 1 and at most session_lifetime_min (minutes)",
            ));
        }
        if !(100..=3_600_000).contains(&self.jwks_refetch_ms) {
            return Err(FieldError::new(
                "sso.jwks_refetch_ms",
                "must be between 100 and 3600000 (ms)",
            ));
        }
        Ok(())
    }

    /// The redirect URI registered at the provider.
    pub fn redirect_uri(&self) -> String {
        format!(
            "{}/api/v1/auth/sso/callback",
            self.public_url.trim_end_matches('/')
        )
    }

    /// Whether users reach this server over HTTPS (the cookie is then `Secure`).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::SsoConfig;

    fn config(extra: &str) -> Result<SsoConfig, toml::de::Error> {
        toml::from_str(&format!(
            "issuer = \"https://idp.example.com\"\nclient_id = \"prax\"\npublic_url = \"https://prax.example.com/\"\n{extra}"
        ))
    }

    #[test]
    fn a_mapping_or_a_default_role_is_required() -> Result<(), toml::de::Error> {
        let bare = config("")?;
        let problem = bare.validate().err().map(|e| e.problem);
        assert!(problem.is_some_and(|p| p.contains("nobody could sign in")));
        let mapped = config("[roles]\nops = \"operator\"")?;
        assert!(mapped.validate().is_ok());
        assert_eq!(
            mapped.redirect_uri(),
            "https://prax.example.com/api/v1/auth/sso/callback"
        );
        Ok(())
    }

    #[test]
    fn symmetric_algorithms_are_refused() -> Result<(), toml::de::Error> {
        let hs = config("default_role = \"user\"\nalgorithms = [\"HS256\"]")?;
        let problem = hs.validate().err().map(|e| e.problem);
        assert!(problem.is_some_and(|p| p.contains("'HS256' is not accepted")));
        Ok(())
    }
}
