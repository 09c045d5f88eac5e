//! Admitting a request: the presented key checked, its role compared with the route's, its rate
//! limit applied. Free of HTTP: the API's middleware turns a [`Denial`] into an answer.

use std::net::IpAddr;
use std::time::Duration;

use super::role::Role;
use super::secret::{self, Presented};
use super::{Auth, Principal, Rejection};
use crate::metrics::AuthFailureLabels;

/// Why a request was not admitted.
#[derive(Debug)]
pub enum Denial {
    /// No key was presented.
    MissingKey,
    /// The key is unknown, revoked, expired or unreadable; answer after `delay`, which slows
    /// down an address that keeps guessing.
    InvalidKey {
        /// How long to wait before answering.
        delay: Duration,
    },
    /// The key is valid but its role is below the route's.
    RoleTooLow {
        /// The role the route needs.
        required: Role,
        /// Whose key it is.
        principal: Principal,
    },
    /// The key is over its requests-per-minute limit.
    RateLimited {
        /// The key's name.
        key_name: String,
        /// When a request would be admitted again.
        retry_after: Duration,
    },
}

impl Auth {
    /// Admit a request from `client` presenting `presented` to a route that needs `required`.
    pub async fn admit(
        self: &std::sync::Arc<Self>,
        presented: Presented<'_>,
        client: IpAddr,
        required: Role,
    ) -> Result<Principal, Denial> {
        let key = match presented {
            Presented::Missing => {
                self.count_failure("missing");
                return Err(Denial::MissingKey);
            }
            Presented::Unreadable => return Err(self.reject(client, "", Rejection::Unknown)),
            Presented::Key(key) => key,
        };
        let principal = match self
            .keyring
            .authenticate(key, time::OffsetDateTime::now_utc())
        {
            Ok(principal) => principal,
            Err(Rejection::Unknown) => self.look_up_new_key(key, client).await?,
            Err(rejection) => {
                return Err(self.reject(client, &secret::display_prefix(key), rejection));
            }
        };
        self.admit_principal(principal, required).await
    }

    /// Admit `principal`, already authenticated (by a key, or by a browser session), to a
    /// route that needs `required`: its role and its rate limit.
    pub async fn admit_principal(
        &self,
        principal: Principal,
        required: Role,
    ) -> Result<Principal, Denial> {
        if !principal.role.grants(required) {
            self.count_failure("forbidden");
            return Err(Denial::RoleTooLow {
                required,
                principal,
            });
        }
        if let Err(wait) = self.limits.check(&principal).await {
            self.count_failure("rate_limited");
            return Err(Denial::RateLimited {
                key_name: principal.key_name.to_string(),
                retry_after: wait,
            });
        }
        Ok(principal)
    }

    /// A key this server has not loaded may have been made since the last reload (on another
    /// replica, or by `prax keys create`): look for it in the store before refusing it. The
    /// failure is counted first, so an address that keeps guessing is refused without asking
    /// the store once it is being slowed down.
    async fn look_up_new_key(
        self: &std::sync::Arc<Self>,
        key: &str,
        client: IpAddr,
    ) -> Result<Principal, Denial> {
        let prefix = secret::display_prefix(key);
        let delay = self.throttle.failed(client);
        if !delay.is_zero() {
            return Err(self.refuse_counted(client, &prefix, Rejection::Unknown, delay));
        }
        let auth = self.clone();
        let digest = secret::digest(key);
        let found =
            tokio::task::spawn_blocking(move || -> Result<bool, crate::store::StoreError> {
                let found = auth.keyring.store().find(&digest)?.is_some();
                if found {
                    auth.keyring.reload()?;
                }
                Ok(found)
            })
            .await;
        match found {
            Ok(Ok(true)) => self
                .keyring
                .authenticate(key, time::OffsetDateTime::now_utc())
                .map_err(|rejection| self.refuse_counted(client, &prefix, rejection, delay)),
            Ok(Ok(false)) => Err(self.refuse_counted(client, &prefix, Rejection::Unknown, delay)),
            Ok(Err(error)) => {
                tracing::error!(%error, "cannot look up an API key in the store");
                Err(self.refuse_counted(client, &prefix, Rejection::Unknown, delay))
            }
            Err(error) => {
                tracing::error!(%error, "API key look-up task failed");
                Err(self.refuse_counted(client, &prefix, Rejection::Unknown, delay))
            }
        }
    }

    fn count_failure(&self, reason: &str) {
        self.metrics
            .auth_failures
            .get_or_create(&AuthFailureLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// Log the failure (the key's prefix only) and slow the address down if it keeps failing.
    fn reject(&self, client: IpAddr, prefix: &str, rejection: Rejection) -> Denial {
        let delay = self.throttle.failed(client);
        self.refuse_counted(client, prefix, rejection, delay)
    }

    /// As [`Auth::reject`], for a failure already counted against the address.
    fn refuse_counted(
        &self,
        client: IpAddr,
        prefix: &str,
        rejection: Rejection,
        delay: Duration,
    ) -> Denial {
        self.count_failure(rejection.as_str());
        tracing::warn!(
            %client,
            key_prefix = prefix,
            reason = rejection.as_str(),
            delay_ms = delay.as_millis() as u64,
            "API key rejected"
        );
        Denial::InvalidKey { delay }
    }
}
