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
    pub fn admit(
        &self,
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
        let principal = self
            .keyring
            .authenticate(key, time::OffsetDateTime::now_utc())
            .map_err(|rejection| self.reject(client, &secret::display_prefix(key), rejection))?;
        if !principal.role.grants(required) {
            self.count_failure("forbidden");
            return Err(Denial::RoleTooLow {
                required,
                principal,
            });
        }
        if let Err(wait) = self.limits.check(&principal) {
            self.count_failure("rate_limited");
            return Err(Denial::RateLimited {
                key_name: principal.key_name.to_string(),
                retry_after: wait,
            });
        }
        Ok(principal)
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
        self.count_failure(rejection.as_str());
        let delay = self.throttle.failed(client);
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
