//! Every host capability a skill can be granted, one module each, registered once below.
//!
//! Adding a capability is: its interface in `wit/`, one module here implementing
//! [`Capability`], and one line in [`capabilities!`]'s list.

mod config;
mod context;
pub(super) mod http;
mod llm;
mod log;
mod mail;
mod output;

use std::sync::Arc;

use wasmtime::component::Linker;

use super::capability::{Capability, GrantInput, InstanceInput};
use super::state::SkillState;
use crate::environment::Environment;
use crate::identity::Identity;
use crate::llm::Router;
use crate::mail::Outbox;

pub use http::{HttpState, NetworkPolicy, effective_network};

/// The host's services that capabilities hand out: given to the runtime once, at start-up.
#[derive(Clone, Debug)]
pub struct HostServices {
    /// The system identity (the `context` import).
    pub identity: Arc<Identity>,
    /// The LLM router (the `llm` import), if the host has one.
    pub llm: Option<Arc<Router>>,
    /// The operator's SMTP server (the `mail` import), if `[mail]` configures one.
    pub mail: Option<Arc<Outbox>>,
    /// Where `{ env = "VAR" }` settings are read.
    pub env: Environment,
}

impl HostServices {
    /// No router and no mail server, the default identity: for checking skills offline.
    pub fn offline() -> Self {
        Self {
            identity: Arc::new(Identity::default()),
            llm: None,
            mail: None,
            env: Environment::process(),
        }
    }
}

/// Declares the registered capabilities: one field of [`Grants`] and one of
/// [`CapabilityStates`] each, decided, instantiated and linked in the order listed.
macro_rules! capabilities {
    ($($(#[$doc:meta])* $field:ident: $capability:ty),* $(,)?) => {
        /// What one skill may use, capability by capability, decided when it is prepared.
        pub struct Grants {
            $($(#[$doc])* pub $field: <$capability as Capability>::Grant,)*
        }

        /// One instance's state, capability by capability.
        pub struct CapabilityStates {
            $($(#[$doc])* pub $field: <$capability as Capability>::State,)*
        }

        impl Grants {
            /// Ask every capability what the skill described by `input` may do.
            pub fn decide(input: &GrantInput<'_>) -> Self {
                Self { $($field: <$capability>::grant(input),)* }
            }

            /// Fresh per-instance states for one request.
            pub fn instantiate(&self, input: &InstanceInput<'_>) -> CapabilityStates {
                CapabilityStates {
                    $($field: <$capability>::instantiate(&self.$field, input),)*
                }
            }
        }

        /// Add every capability's imports to `linker`.
        pub fn add_to_linker(linker: &mut Linker<SkillState>) -> wasmtime::Result<()> {
            $(<$capability>::add_to_linker(linker, |state| &mut state.capabilities.$field)?;)*
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
    /// `wasi:http`: outbound requests to the hosts the skill may reach.
    http: http::Http,
}
