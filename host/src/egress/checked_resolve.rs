//! The resolver `reqwest` uses for the LLM providers: the host's [`Resolver`], with every
//! address checked against the provider's [`AddressPolicy`] before a connection is opened.

use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address::AddressPolicy;
use super::resolver::{LookupError, Resolver};

/// A `reqwest` resolver that answers only addresses the policy allows.
#[derive(Debug, Clone)]
pub struct CheckedResolve {
    resolver: Resolver,
    policy: AddressPolicy,
    /// Where the operator widens the policy, for the error message.
    setting: Arc<str>,
    timeout: Duration,
}

impl CheckedResolve {
    /// Resolve with `resolver`, allowing what `policy` allows; `setting` names the
    /// configuration table whose `allow_cidrs` widens it (`[[providers]] entry \`local\``).
    pub fn new(
        resolver: Resolver,
        policy: AddressPolicy,
        setting: &str,
        timeout: Duration,
    ) -> Self {
        Self {
            resolver,
            policy,
            setting: setting.into(),
            timeout,
        }
    }
}

/// A refusal with what to do about it.
#[derive(Debug, thiserror::Error)]
#[error(
    "{refusal}; if that server is meant to be reached, add its range to allow_cidrs in {setting}"
)]
struct Refusal {
    refusal: LookupError,
    setting: Arc<str>,
}

impl Resolve for CheckedResolve {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        Box::pin(async move {
            // reqwest puts the URL's port on each address itself.
            let found = this
                .resolver
                .reachable(name.as_str(), 0, &this.policy, this.timeout)
                .await;
            match found {
                Ok(addresses) => Ok(Box::new(addresses.into_iter()) as Addrs),
                Err(refusal @ LookupError::Refused(_)) => Err(Box::new(Refusal {
                    refusal,
                    setting: this.setting.clone(),
                })
                    as Box<dyn std::error::Error + Send + Sync>),
                Err(other) => Err(Box::new(other) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}
