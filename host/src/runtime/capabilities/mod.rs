//! Every host capability a skill can be granted, one module each, registered once below.
//!
//! Adding a capability is: its interface in `wit/`, one module here implementing
//! [`Capability`], and one line in [`capabilities!`]'s list.

mod config;
mod context;
mod http;
mod http_connector;
mod knowledge;
mod llm;
mod log;
mod mail;
mod output;

use std::sync::Arc;

use wasmtime::component::Linker;
use wasmtime_wasi_http::WasiHttpView;

use super::capability::{Capability, GrantInput, InstanceSeed, LinkCapability};

pub use http::{HttpState, NetworkPolicy, effective_network};

/// Store data that holds one instance's [`CapabilityStates`].
pub trait HasCapabilities {
    /// The capability states.
    fn capabilities(&mut self) -> &mut CapabilityStates;
}

/// Declares the registered capabilities: one field of [`Grants`] and one of
/// [`CapabilityStates`] each, decided, instantiated and linked in the order listed.
macro_rules! capabilities {
    ($($(#[$doc:meta])* $field:ident: $capability:ty),* $(,)?) => {
        /// What one skill may use, capability by capability, decided when it is prepared.
        pub struct Grants {
            /// The skill's name (kept here so that an instance's states need no copy of it).
            skill: Arc<str>,
            $($(#[$doc])* pub $field: <$capability as Capability>::Grant,)*
        }

        /// One instance's state, capability by capability, each built when the guest first
        /// calls that capability: a request pays only for what its skill uses (an echo, for
        /// nothing), not for every capability the host has.
        pub struct CapabilityStates {
            grants: Arc<Grants>,
            seed: InstanceSeed,
            $($field: Option<<$capability as Capability>::State>,)*
        }

        impl Grants {
            /// Ask every capability what the skill described by `input` may do.
            pub fn decide(input: &GrantInput<'_>) -> Self {
                Self { skill: input.skill.clone(), $($field: <$capability>::grant(input),)* }
            }
        }

        impl CapabilityStates {
            /// The states of a fresh instance serving `seed` under `grants`: none built yet.
            pub fn new(grants: Arc<Grants>, seed: InstanceSeed) -> Self {
                Self { grants, seed, $($field: None,)* }
            }

            $($(#[$doc])* pub fn $field(&mut self) -> &mut <$capability as Capability>::State {
                let Self { grants, seed, $field, .. } = self;
                $field.get_or_insert_with(|| {
                    <$capability>::instantiate(&grants.$field, &seed.input(&grants.skill))
                })
            })*

            /// How many capability states have been built.
            #[cfg(test)]
            fn built(&self) -> usize {
                0 $(+ usize::from(self.$field.is_some()))*
            }
        }

        /// Add every capability's imports to `linker`.
        pub fn add_to_linker<T>(linker: &mut Linker<T>) -> wasmtime::Result<()>
        where
            T: HasCapabilities + WasiHttpView + Send + 'static,
        {
            $(<$capability as LinkCapability<T>>::add_to_linker(linker, |data: &mut T| {
                data.capabilities().$field()
            })?;)*
            Ok(())
        }
    };
}

capabilities! {
    /// `log`: structured log lines.
    log: log::Log,
    /// `context`: the system identity.
    context: context::Context,
    /// `output`: partial results.
    output: output::Output,
    /// `llm`: completions through the router.
    llm: llm::Llm,
    /// `config`: the operator's settings for the skill.
    config: config::Config,
    /// `mail`: e-mail through the operator's SMTP server.
    mail: mail::Mail,
    /// `knowledge`: searching the operator's private documents.
    knowledge: knowledge::Knowledge,
    /// `wasi:http`: outbound requests to the hosts the skill may reach.
    http: http::Http,
}

/// The states of an instance of a skill that declares nothing, for tests.
#[cfg(test)]
pub fn probe_states() -> CapabilityStates {
    use crate::runtime::capability::Budgets;

    let skill: Arc<str> = Arc::from("probe");
    let services = super::services::HostServices::offline();
    let permissions = praximous_registry::Permissions::default();
    let grants = Grants::decide(&GrantInput {
        skill: &skill,
        permissions: &permissions,
        operator: None,
        services: &services,
    });
    CapabilityStates::new(
        Arc::new(grants),
        InstanceSeed {
            request_id: Arc::from("request"),
            key_id: None,
            caller_role: None,
            deltas: None,
            budgets: Budgets {
                log_lines: 3,
                emit_bytes: 1,
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capability_state_is_built_on_first_use_and_then_kept() {
        let mut states = probe_states();
        assert_eq!(states.built(), 0, "a fresh instance has built no state");
        let first: *const log::LogState = states.log();
        assert_eq!(states.built(), 1, "only the capability used");
        let second: *const log::LogState = states.log();
        assert_eq!(first, second, "built once, not per call");
    }
}
