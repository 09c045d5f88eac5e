//! The shape of a host capability: what a skill's instance can ask of the host beyond its own
//! code (log lines, the identity, an LLM, e-mail, the network, ...).
//!
//! Each capability lives in one module under `capabilities/` and decides three things:
//! - its **grant**, once, when a skill is prepared: from the skill's manifest, the operator's
//!   `[skills.<name>]` table and the host's services;
//! - its **state**, per instance, from the grant and the request being served;
//! - its **imports**, added to the linker ([`LinkCapability`]), served by its `Host`
//!   implementation over that state.
//!
//! The request itself carries only its own data ([`Call`](super::Call)); everything a
//! capability needs besides is in its grant.

use std::sync::Arc;

use praximous_registry::Permissions;
use wasmtime::component::Linker;

use super::services::HostServices;
use crate::config::SkillSettings;

/// What a capability may look at when it decides a skill's grant.
pub struct GrantInput<'a> {
    /// The skill's name (its manifest's).
    pub skill: &'a Arc<str>,
    /// The permissions its signed manifest declares.
    pub permissions: &'a Permissions,
    /// The operator's `[skills.<name>]` table for it, if there is one.
    pub operator: Option<&'a SkillSettings>,
    /// The host's shared services (identity, LLM router, outbox, environment).
    pub services: &'a HostServices,
}

/// What a capability may look at when it builds one instance's state.
pub struct InstanceInput<'a> {
    /// The skill's name, for log lines.
    pub skill: &'a Arc<str>,
    /// The request id, for log lines.
    pub request_id: &'a Arc<str>,
    /// The API key the request came with, for limits per key.
    pub key_id: Option<&'a Arc<str>>,
    /// That key's role (none: the server takes requests without keys), for what only some
    /// roles may do (adding documents to the knowledge base).
    pub caller_role: Option<crate::auth::Role>,
    /// Where partial output goes, when the caller streams.
    pub deltas: Option<&'a crate::runtime::DeltaSink>,
    /// The operator's per-request budgets (log lines, partial output).
    pub budgets: &'a Budgets,
}

/// The request an instance serves, as its capabilities are built from it: owned, so that the
/// store can keep it and build each capability's state when the guest first calls it (see
/// [`CapabilityStates`](super::capabilities::CapabilityStates)).
pub struct InstanceSeed {
    /// The request id.
    pub request_id: Arc<str>,
    /// The API key the request came with.
    pub key_id: Option<Arc<str>>,
    /// That key's role.
    pub caller_role: Option<crate::auth::Role>,
    /// Where partial output goes, when the caller streams.
    pub deltas: Option<crate::runtime::DeltaSink>,
    /// The operator's per-request budgets.
    pub budgets: Budgets,
}

impl InstanceSeed {
    /// What a capability of the skill `skill` looks at when it builds its state.
    pub fn input<'a>(&'a self, skill: &'a Arc<str>) -> InstanceInput<'a> {
        InstanceInput {
            skill,
            request_id: &self.request_id,
            key_id: self.key_id.as_ref(),
            caller_role: self.caller_role,
            deltas: self.deltas.as_ref(),
            budgets: &self.budgets,
        }
    }
}

/// Per-request budgets the operator sets in `[skills]`, shared by every instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Log lines per request.
    pub log_lines: u32,
    /// Bytes of partial output per request.
    pub emit_bytes: usize,
}

/// One host capability. See the module documentation.
pub trait Capability {
    /// What a skill may do with it, decided when the skill is prepared.
    type Grant: Send + Sync + 'static;
    /// One instance's state.
    type State: Send + 'static;

    /// Decide what the skill described by `input` may do.
    fn grant(input: &GrantInput<'_>) -> Self::Grant;

    /// The state of one fresh instance, built when its guest first calls the capability.
    fn instantiate(grant: &Self::Grant, input: &InstanceInput<'_>) -> Self::State;
}

/// Linking a capability's imports for stores whose data is `T`. Generic, so a capability
/// knows nothing of the store data beyond what its imports need.
pub trait LinkCapability<T>: Capability {
    /// Add the capability's imports to `linker`; `state` finds its state in a store's data.
    fn add_to_linker(
        linker: &mut Linker<T>,
        state: fn(&mut T) -> &mut Self::State,
    ) -> wasmtime::Result<()>;
}
