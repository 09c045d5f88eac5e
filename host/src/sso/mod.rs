//! Single sign-on to the web UI with an OpenID Connect provider (`[sso]`): the authorization
//! code flow with PKCE ([`flow`]), the provider's discovery document and keys ([`discovery`],
//! [`keys`]), ID token checks ([`id_token`]), groups to roles ([`groups`]), server-side
//! sessions behind an opaque cookie ([`sessions`], [`cookies`]), and the users an admin
//! manages ([`users`]). Everything is kept in the store ([`store`]), so any replica can finish
//! a sign-in another began, and a disabled user loses every session at once.
//!
//! Gated by the licence's `sso` feature (Team and above).

pub mod cookies;
pub mod discovery;
pub mod flow;
pub mod groups;
pub mod id_token;
pub mod keys;
pub mod sessions;
pub mod store;
pub mod users;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::admin_audit::AdminAuditStore;
use crate::auth::key_store::KeyStore;
use crate::config::SsoConfig;
use crate::environment::Environment;
use crate::license::{Feature, Licensing};
use discovery::ProviderMetadata;
use store::SsoStore;

/// How long a fetched discovery document is used before it is fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// How long the provider has to send the browser back.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(600);
/// Sign-ins one address may begin per minute: each keeps a row in the store until it
/// finishes or times out, and anyone may begin one.
pub const SIGN_INS_PER_MINUTE: u32 = 20;

/// Why single sign-on failed. Each message says what happened and what to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SsoError {
    /// The provider could not be reached, or answered something unusable.
    #[error("the identity provider: {0}")]
    Provider(String),
    /// The ID token failed a check.
    #[error("{0}")]
    Token(String),
    /// The sign-in itself is refused (its state, the browser, the user's role).
    #[error("{0}")]
    Refused(String),
    /// The licence does not include single sign-on.
    #[error(
        "single sign-on needs a licence with the 'sso' feature (Team or higher); an admin can install one on the Licence page"
    )]
    NotLicensed,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Single sign-on, as configured.
pub struct Sso {
    config: SsoConfig,
    client_secret: Option<String>,
    http: reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(Arc<ProviderMetadata>, Instant)>>,
    keys: keys::KeyCache,
    store: Arc<dyn SsoStore>,
    key_store: Arc<dyn KeyStore>,
    admin_audit: Arc<dyn AdminAuditStore>,
    licensing: Arc<Licensing>,
    starts: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
}

/// Where single sign-on keeps and records things.
pub struct SsoStores {
    /// Users, sessions, sign-ins under way.
    pub sso: Arc<dyn SsoStore>,
    /// API keys (personal keys follow their user).
    pub keys: Arc<dyn KeyStore>,
    /// The admin audit log (sign-ins, failed sign-ins, role changes).
    pub admin_audit: Arc<dyn AdminAuditStore>,
}

impl Sso {
    /// Single sign-on as `config` describes, its client secret read from `env`.
    pub fn new(
        config: &SsoConfig,
        env: &Environment,
        stores: SsoStores,
        licensing: Arc<Licensing>,
    ) -> Result<Self, SsoError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            // Every endpoint comes from the discovery document; a redirect elsewhere is not
            // what the provider published.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SsoError::Provider(format!("cannot make an HTTP client: {e}")))?;
        Ok(Self {
            client_secret: env.non_blank(&config.client_secret_env),
            keys: keys::KeyCache::new(Duration::from_millis(config.jwks_refetch_ms)),
            config: config.clone(),
            http,
            metadata: tokio::sync::Mutex::new(None),
            store: stores.sso,
            key_store: stores.keys,
            admin_audit: stores.admin_audit,
            licensing,
            starts: governor::DefaultKeyedRateLimiter::keyed(governor::Quota::per_minute(
                std::num::NonZeroU32::new(SIGN_INS_PER_MINUTE).unwrap_or(std::num::NonZeroU32::MIN),
            )),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SsoConfig {
        &self.config
    }

    /// Whether the licence in force includes single sign-on.
    pub fn licensed(&self) -> bool {
        self.licensing.status().allows(Feature::Sso)
    }

    /// The provider's metadata: fetched on first use and hourly, checked against the
    /// configured issuer.
    pub async fn metadata(&self) -> Result<Arc<ProviderMetadata>, SsoError> {
        let mut cached = self.metadata.lock().await;
        if let Some((metadata, at)) = cached.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let url = discovery::discovery_url(&self.config.issuer);
        let answer = self.http.get(&url).send().await.map_err(|e| {
            SsoError::Provider(format!(
                "cannot fetch {url}: {e}; check [sso] issuer and that this server can reach the provider"
            ))
        })?;
        if !answer.status().is_success() {
            return Err(SsoError::Provider(format!(
                "{url} answered {}; check [sso] issuer",
                answer.status()
            )));
        }
        let metadata: ProviderMetadata = answer.json().await.map_err(|e| {
            SsoError::Provider(format!("{url} is not an OpenID discovery document: {e}"))
        })?;
        metadata.check(&self.config.issuer, &self.config.allowed_tenants)?;
        let metadata = Arc::new(metadata);
        *cached = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }
}

/// A new random value for a cookie, a `state`, a nonce or a PKCE verifier: 256 bits,
/// base64url.
pub fn random_token() -> Result<String, SsoError> {
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| SsoError::Provider("the system's random source failed".into()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of `value`, hex: what the store keeps of a secret that travels.
pub fn digest(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A new user id.
pub fn new_user_id() -> String {
    format!("usr_{}", uuid::Uuid::now_v7().simple())
}

/// Now, as the store writes times (they sort as text).
pub fn now() -> String {
    crate::timestamp::now_rfc3339()
}

/// Now plus `by`, as the store writes times.
pub fn later(by: Duration) -> String {
    crate::timestamp::rfc3339(time::OffsetDateTime::now_utc() + by)
}

/// Now minus `by`, as the store writes times.
pub fn earlier(by: Duration) -> String {
    crate::timestamp::rfc3339(time::OffsetDateTime::now_utc() - by)
}
