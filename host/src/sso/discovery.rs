//! The provider's discovery document (OpenID Connect Discovery 1.0): where to send the
//! browser, where to redeem a code, where the keys are. Multi-tenant issuers (Entra ID's
//! `common` and `organizations` endpoints) publish an issuer with a `{tenantid}` placeholder;
//! each token's issuer is then that template with the token's own `tid`.

use serde::Deserialize;

use super::SsoError;

/// The placeholder multi-tenant issuers put in their `issuer`.
pub const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// What we use of the discovery document.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    /// The issuer, exactly as tokens carry it (or its multi-tenant template).
    pub issuer: String,
    /// Where the browser signs in.
    pub authorization_endpoint: String,
    /// Where codes are redeemed.
    pub token_endpoint: String,
    /// The signing keys.
    pub jwks_uri: String,
    /// Claims beyond the ID token's.
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// Where the provider's own session ends (RP-initiated logout), if it offers one.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// How a client authenticates at the token endpoint; absent means `client_secret_basic`.
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// The PKCE methods offered.
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
}

impl ProviderMetadata {
    /// Check the document against the issuer configured as `configured`: it must name that
    /// issuer (or be a multi-tenant template), use S256 PKCE if it lists methods at all, and
    /// give HTTPS endpoints whenever the issuer is HTTPS.
    /// A multi-tenant template is accepted only with `allowed_tenants` listed: otherwise any
    /// tenant's users (Entra ID's included personal accounts) could sign in.
    pub fn check(&self, configured: &str, allowed_tenants: &[String]) -> Result<(), SsoError> {
        let configured = configured.trim_end_matches('/');
        let issuer = self.issuer.trim_end_matches('/');
        if issuer != configured && !issuer.contains(TENANT_PLACEHOLDER) {
            return Err(SsoError::Provider(format!(
                "the discovery document names the issuer '{}', not the configured '{configured}'; set [sso] issuer to exactly what the provider calls itself",
                self.issuer
            )));
        }
        if self.is_multi_tenant() {
            let host = |url: &str| {
                reqwest::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
            };
            if host(&self.issuer.replace(TENANT_PLACEHOLDER, "t")) != host(configured) {
                return Err(SsoError::Provider(format!(
                    "the discovery document's multi-tenant issuer '{}' is on another host than the configured '{configured}'",
                    self.issuer
                )));
            }
            if allowed_tenants.is_empty() {
                return Err(SsoError::Provider(
                    "the issuer is multi-tenant: list the tenant ids whose people may sign in in [sso] allowed_tenants, or configure the tenant's own issuer".into(),
                ));
            }
        }
        if let Some(methods) = &self.code_challenge_methods_supported
            && !methods.iter().any(|m| m == "S256")
        {
            return Err(SsoError::Provider(
                "the provider does not offer S256 PKCE (code_challenge_methods_supported); enable it for this client".into(),
            ));
        }
        if configured.starts_with("https://") {
            for (name, url) in [
                ("authorization_endpoint", Some(&self.authorization_endpoint)),
                ("token_endpoint", Some(&self.token_endpoint)),
                ("jwks_uri", Some(&self.jwks_uri)),
                ("userinfo_endpoint", self.userinfo_endpoint.as_ref()),
            ] {
                if let Some(url) = url
                    && !url.starts_with("https://")
                {
                    return Err(SsoError::Provider(format!(
                        "the discovery document's {name} '{url}' is not HTTPS, though the issuer is"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Whether the issuer is a multi-tenant template.
    pub fn is_multi_tenant(&self) -> bool {
        self.issuer.contains(TENANT_PLACEHOLDER)
    }

    /// The issuer a token from tenant `tid` must carry.
    pub fn issuer_for(&self, tid: Option<&str>) -> Option<String> {
        if self.is_multi_tenant() {
            tid.map(|tid| self.issuer.replace(TENANT_PLACEHOLDER, tid))
        } else {
            Some(self.issuer.clone())
        }
    }

    /// Whether the client should send its secret in the form body rather than in
    /// `Authorization: Basic` (only when the provider lists `client_secret_post` and not
    /// `client_secret_basic`).
    pub fn wants_secret_in_body(&self) -> bool {
        self.token_endpoint_auth_methods_supported
            .as_ref()
            .is_some_and(|methods| {
                methods.iter().any(|m| m == "client_secret_post")
                    && !methods.iter().any(|m| m == "client_secret_basic")
            })
    }
}

/// Where the discovery document of `issuer` is.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::ProviderMetadata;

    fn metadata(issuer: &str) -> ProviderMetadata {
        ProviderMetadata {
            issuer: issuer.into(),
            authorization_endpoint: "https://idp/authorize".into(),
            token_endpoint: "https://idp/token".into(),
            jwks_uri: "https://idp/keys".into(),
            userinfo_endpoint: None,
            end_session_endpoint: None,
            token_endpoint_auth_methods_supported: None,
            code_challenge_methods_supported: Some(vec!["S256".into()]),
        }
    }

    #[test]
    fn the_document_must_name_the_configured_issuer() {
        assert!(metadata("https://idp/").check("https://idp", &[]).is_ok());
        let other = metadata("https://evil").check("https://idp", &[]);
        assert!(other.is_err_and(|e| e.to_string().contains("not the configured")));
    }

    #[test]
    fn a_multi_tenant_template_takes_the_tokens_tenant() {
        let common = metadata("https://login.microsoftonline.com/{tenantid}/v2.0");
        let common_url = "https://login.microsoftonline.com/common/v2.0";
        let refused = common.check(common_url, &[]);
        assert!(refused.is_err_and(|e| e.to_string().contains("allowed_tenants")));
        assert!(common.check(common_url, &["72f988bf".to_owned()]).is_ok());
        let elsewhere = metadata("https://evil.example/{tenantid}/v2.0");
        assert!(elsewhere.check(common_url, &["t".to_owned()]).is_err());
        assert_eq!(
            common.issuer_for(Some("72f988bf")).as_deref(),
            Some("https://login.microsoftonline.com/72f988bf/v2.0")
        );
        assert_eq!(common.issuer_for(None), None, "no tid, no issuer to accept");
    }

    #[test]
    fn plain_pkce_only_and_http_endpoints_are_refused() {
        let mut plain = metadata("https://idp");
        plain.code_challenge_methods_supported = Some(vec!["plain".into()]);
        assert!(plain.check("https://idp", &[]).is_err());
        let mut http = metadata("https://idp");
        http.token_endpoint = "http://idp/token".into();
        assert!(http.check("https://idp", &[]).is_err());
    }

    #[test]
    fn the_secret_goes_in_the_body_only_when_basic_is_not_offered() {
        let mut m = metadata("https://idp");
        assert!(!m.wants_secret_in_body());
        m.token_endpoint_auth_methods_supported = Some(vec!["client_secret_post".into()]);
        assert!(m.wants_secret_in_body());
        m.token_endpoint_auth_methods_supported = Some(vec![
            "client_secret_basic".into(),
            "client_secret_post".into(),
        ]);
        assert!(!m.wants_secret_in_body());
    }
}
