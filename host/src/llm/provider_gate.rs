//! The licence's say over providers: the Standard tier uses any number of local providers and
//! one external one (the first by priority); a higher tier, or a licence that adds
//! `any_providers`, uses them all. A licence swap takes effect at the next request.

use std::sync::Arc;

use super::locality::is_local;
use super::provider_config::ProviderConfig;
use crate::license::gate::Locked;
use crate::license::{Feature, Licensing};

/// Which providers the licence in force lets the router use.
#[derive(Default)]
pub struct ProviderGate {
    licensing: Option<Arc<Licensing>>,
    /// Each provider's place among the external ones by priority; `None` for a local one.
    external_rank: Vec<Option<usize>>,
}

impl ProviderGate {
    /// The gate over `providers` (with their resolved base URLs) under `licensing`.
    pub fn new(licensing: Arc<Licensing>, providers: &[(&ProviderConfig, Option<&str>)]) -> Self {
        let mut external: Vec<usize> = (0..providers.len())
            .filter(|&i| {
                let (config, url) = providers[i];
                config.enabled && !is_local(config, url)
            })
            .collect();
        external.sort_by_key(|&i| (providers[i].0.priority, i));
        let mut external_rank = vec![None; providers.len()];
        for (rank, index) in external.into_iter().enumerate() {
            external_rank[index] = Some(rank);
        }
        Self {
            licensing: Some(licensing),
            external_rank,
        }
    }

    /// Why the provider at `index` may not be used now, if it may not.
    pub fn locked(&self, index: usize) -> Option<Locked> {
        let licensing = self.licensing.as_ref()?;
        let rank = (*self.external_rank.get(index)?)?;
        let status = licensing.status();
        if status.allows(Feature::AnyProviders) {
            return None;
        }
        let allowed = status
            .tier
            .external_providers()
            .map_or(usize::MAX, |n| n as usize);
        (rank >= allowed).then_some(Locked::Feature {
            feature: Feature::AnyProviders,
            current: status.tier,
        })
    }
}
