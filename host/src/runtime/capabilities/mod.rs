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

use wasmtime::component::Linker;
use wasmtime_wasi_http::WasiHttpView;

use super::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

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
        pub fn add_to_linker<T>(linker: &mut Linker<T>) -> wasmtime::Result<()>
        where
            T: HasCapabilities + WasiHttpView + Send + 'static,
        {
            $(<$capability as LinkCapability<T>>::add_to_linker(linker, |data: &mut T| {
                &mut data.capabilities().$field
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
