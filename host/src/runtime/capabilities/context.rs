//! `context`: the system identity, the same for every skill.

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use crate::identity;
use crate::runtime::bindings::context::{self as wit, Host, Identity};
use crate::runtime::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

/// The `context` capability: every skill may read the identity.
pub struct Context;

impl Capability for Context {
    type Grant = Arc<identity::Identity>;
    type State = Arc<identity::Identity>;

    fn grant(input: &GrantInput<'_>) -> Self::Grant {
        input.services.identity.clone()
    }

    fn instantiate(grant: &Self::Grant, _: &InstanceInput<'_>) -> Self::State {
        grant.clone()
    }
}

impl<T: Send + 'static> LinkCapability<T> for Context {
    fn add_to_linker(
        linker: &mut Linker<T>,
        state: fn(&mut T) -> &mut Self::State,
    ) -> wasmtime::Result<()> {
        wit::add_to_linker::<T, HasSelf<Self::State>>(linker, state)
    }
}

impl Host for Arc<identity::Identity> {
    async fn current(&mut self) -> wasmtime::Result<Identity> {
        Ok(Identity {
            display_name: self.display_name(),
            system_name: self.system_name.clone(),
            business_name: self.business_name.clone(),
            industry: self.industry.clone(),
            persona_style: self.persona_style.clone(),
            sensitivity_level: self.sensitivity_level.to_string(),
            location: self.location.clone(),
        })
    }
}
