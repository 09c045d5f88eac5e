//! API keys and roles: who may call what, how fast, and who made each request.
//!
//! Keys come from `PRAXIMOUS_API_KEYS` (admins, as in the Python original) and from the
//! store (`prax keys create`, `POST /api/v1/keys`). Each route declares the role it needs
//! where it is declared (`api::access`); [`Auth::admit`] decides.

pub mod admission;
pub mod bootstrap;
pub mod key_store;
pub mod keyring;
pub mod manage;
pub mod role;
pub mod scope;
pub mod secret;
pub mod throttle;

use std::sync::Arc;
use std::time::Duration;

pub use admission::Denial;
pub use key_store::StoredKey;
pub use keyring::{Keyring, Principal, PrincipalInfo, Rejection};
pub use role::{Role, UnknownRole};
pub use scope::{InvalidScope, KeyScope};

use crate::config::AuthConfig;
use crate::environment::Environment;
use crate::metrics::Metrics;
use crate::store::StoreError;
use key_store::KeyStore;
use throttle::{FailureThrottle, KeyRateLimits};

/// Everything authentication needs, shared by the middleware and the key endpoints.
pub struct Auth {
    /// The keys accepted.
    pub keyring: Keyring,
    /// The environment's keys, for listings (never shown whole).
    env_keys: Vec<String>,
    limits: KeyRateLimits,
    throttle: FailureThrottle,
    metrics: Arc<Metrics>,
}

impl Auth {
    /// Load the keys from `env_keys` and `store`, with the limits `config` sets (counted in
    /// `shared_limits` when the store shares them between replicas).
    pub fn new(
        config: &AuthConfig,
        env_keys: Vec<String>,
        store: Arc<dyn KeyStore>,
        shared_limits: Option<Arc<dyn throttle::SharedRateLimits>>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            keyring: Keyring::load(&env_keys, store)?,
            env_keys,
            limits: KeyRateLimits::new(config.rate_limit_per_minute, shared_limits),
            throttle: FailureThrottle::new(
                config.failures_before_delay,
                Duration::from_millis(config.max_failure_delay_ms),
            ),
            metrics,
        })
    }

    /// The environment's keys.
    pub fn env_keys(&self) -> &[String] {
        &self.env_keys
    }

    /// Reload the stored keys now (after this server changed them), on the blocking pool.
    pub async fn reload(self: &Arc<Self>) -> Result<(), StoreError> {
        let auth = self.clone();
        tokio::task::spawn_blocking(move || auth.keyring.reload())
            .await
            .map_err(|e| StoreError::Database(format!("key reload task failed: {e}")))?
    }
}

/// The keys named by `variable` (comma-separated, as the original reads PRAXIMOUS_API_KEYS).
pub fn keys_from_env(variable: &str, env: &Environment) -> Vec<String> {
    env.get(variable)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reload the stored keys every `every` (other replicas and `prax keys` change them), and at
/// once when the store announces a change; forget addresses that stopped failing.
pub async fn refresh_periodically(auth: Arc<Auth>, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut changes = auth.keyring.store().changes();
    loop {
        match changes.as_mut() {
            Some(changed) => {
                tokio::select! {
                    _ = interval.tick() => {},
                    result = changed.changed() => {
                        if result.is_err() {
                            changes = None;
                        }
                    }
                }
            }
            None => {
                interval.tick().await;
            }
        }
        if let Err(error) = auth.reload().await {
            tracing::error!(%error, "cannot reload the API keys; keeping the ones loaded");
        }
        auth.throttle.forget_old();
    }
}
