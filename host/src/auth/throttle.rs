//! Request limits per key, and slowing down addresses that keep presenting bad keys. A key's
//! limit is one limit across replicas when the store shares it ([`SharedRateLimits`]:
//! PostgreSQL); otherwise, and for the bad-key throttle, each process counts its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota};

use super::keyring::Principal;

/// The answer of [`SharedRateLimits::take`]: `Some(wait)` if the key is over its limit.
pub type TakeFuture<'a> = std::pin::Pin<
    Box<dyn Future<Output = Result<Option<Duration>, crate::store::StoreError>> + Send + 'a>,
>;

/// Request limits kept in the store, so every replica draws on one budget per key.
pub trait SharedRateLimits: Send + Sync + 'static {
    /// Count one request by `key_id`, limited to `per_minute`.
    fn take<'a>(&'a self, key_id: &'a str, per_minute: u32) -> TakeFuture<'a>;
}

/// A key's limiter and the limit per minute it was made for.
type KeyLimiter = (u32, Arc<DefaultDirectRateLimiter>);

/// Per-key request limits: each key gets a budget of requests per minute (its own, else
/// the default), refilled continuously.
pub struct KeyRateLimits {
    default_per_minute: u32,
    limiters: Mutex<HashMap<Arc<str>, KeyLimiter>>,
    shared: Option<Arc<dyn SharedRateLimits>>,
}

impl KeyRateLimits {
    /// Limits with `default_per_minute` for keys without their own (0: unlimited), counted
    /// in `shared` when given, else in this process.
    pub fn new(default_per_minute: u32, shared: Option<Arc<dyn SharedRateLimits>>) -> Self {
        Self {
            default_per_minute,
            limiters: Mutex::default(),
            shared,
        }
    }

    /// Count one request by `principal`; `Err(wait)` if it is over its limit. If the shared
    /// store cannot be asked, this replica's own count decides (and the failure is logged).
    pub async fn check(&self, principal: &Principal) -> Result<(), Duration> {
        let per_minute = principal
            .rate_limit_per_minute
            .unwrap_or(self.default_per_minute);
        if per_minute == 0 {
            return Ok(());
        }
        if let Some(shared) = &self.shared {
            match shared.take(&principal.key_id, per_minute).await {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => return Err(wait),
                Err(error) => {
                    tracing::error!(%error, "cannot reach the shared rate limits; counting on this replica");
                }
            }
        }
        self.check_locally(principal, per_minute)
    }

    fn check_locally(&self, principal: &Principal, per_minute: u32) -> Result<(), Duration> {
        let Some(quota) = NonZeroU32::new(per_minute).map(Quota::per_minute) else {
            return Ok(());
        };
        let limiter = {
            let mut limiters = self
                .limiters
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let entry = limiters.entry(principal.key_id.clone()).or_insert_with(|| {
                (
                    per_minute,
                    Arc::new(DefaultDirectRateLimiter::direct(quota)),
                )
            });
            // A key whose limit changed starts over with the new one.
            if entry.0 != per_minute {
                *entry = (
                    per_minute,
                    Arc::new(DefaultDirectRateLimiter::direct(quota)),
                );
            }
            entry.1.clone()
        };
        limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// Failed attempts per address: the first few pass at full speed, then each further failure
/// is answered only after a delay that grows with the failure rate, up to a cap.
pub struct FailureThrottle {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    max_delay: Duration,
}

impl FailureThrottle {
    /// Allow `free_per_minute` failures per address at full speed (0: never slow down);
    /// delay the rest by up to `max_delay`.
    pub fn new(free_per_minute: u32, max_delay: Duration) -> Self {
        Self {
            limiter: NonZeroU32::new(free_per_minute)
                .filter(|_| !max_delay.is_zero())
                .map(|n| DefaultKeyedRateLimiter::hashmap(Quota::per_minute(n))),
            max_delay,
        }
    }

    /// Count a failure from `address`; how long to wait before answering it.
    pub fn failed(&self, address: IpAddr) -> Duration {
        let Some(limiter) = &self.limiter else {
            return Duration::ZERO;
        };
        match limiter.check_key(&address) {
            Ok(()) => Duration::ZERO,
            Err(not_until) => not_until
                .wait_time_from(DefaultClock::default().now())
                .clamp(Duration::from_millis(100), self.max_delay),
        }
    }

    /// Forget addresses that have not failed lately, so the table stays small.
    pub fn forget_old(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(limit: Option<u32>) -> Principal {
        Principal::from(crate::auth::PrincipalInfo {
            key_id: "k".into(),
            key_name: "k".into(),
            role: super::super::Role::User,
            rate_limit_per_minute: limit,
            scope: std::sync::Arc::default(),
            user: None,
            via_session: false,
        })
    }

    #[tokio::test]
    async fn a_key_gets_its_budget_then_a_wait() {
        let limits = KeyRateLimits::new(3, None);
        let key = principal(None);
        for _ in 0..3 {
            assert_eq!(limits.check(&key).await, Ok(()));
        }
        let wait = limits.check(&key).await.err().unwrap_or_default();
        assert!(
            wait > Duration::from_secs(10) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
    }

    #[tokio::test]
    async fn a_key_of_its_own_limit_and_unlimited_keys() {
        let limits = KeyRateLimits::new(1, None);
        let unlimited = principal(Some(0));
        for _ in 0..1000 {
            assert_eq!(limits.check(&unlimited).await, Ok(()));
        }
        let none = KeyRateLimits::new(0, None);
        assert_eq!(none.check(&principal(None)).await, Ok(()));
    }

    #[test]
    fn failures_are_free_then_delayed_up_to_the_cap() {
        let throttle = FailureThrottle::new(2, Duration::from_millis(500));
        let ip: IpAddr = [10, 0, 0, 1].into();
        assert_eq!(throttle.failed(ip), Duration::ZERO);
        assert_eq!(throttle.failed(ip), Duration::ZERO);
        assert_eq!(throttle.failed(ip), Duration::from_millis(500));
        // Another address is not affected.
        assert_eq!(throttle.failed([10, 0, 0, 2].into()), Duration::ZERO);
        let off = FailureThrottle::new(0, Duration::from_secs(1));
        assert_eq!(off.failed(ip), Duration::ZERO);
    }
}
