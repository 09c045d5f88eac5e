//! `config`: the operator's settings for the running skill (its `[skills.<name>]` table,
//! environment variables resolved when the skill is prepared), and nothing else.

use std::collections::BTreeMap;
use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use crate::runtime::bindings::config::{self as wit, Host};
use crate::runtime::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

/// The `config` capability: every skill reads its own table, never another's.
pub struct Config;

/// A skill's resolved settings.
pub type Settings = Arc<BTreeMap<String, String>>;

impl Capability for Config {
    type Grant = Settings;
    type State = Settings;

    fn grant(input: &GrantInput<'_>) -> Settings {
        let env = &input.services.env;
        Arc::new(input.operator.map(|s| s.resolve(env)).unwrap_or_default())
    }

    fn instantiate(grant: &Settings, _: &InstanceInput<'_>) -> Settings {
        grant.clone()
    }
}

impl<T: Send + 'static> LinkCapability<T> for Config {
    fn add_to_linker(
        linker: &mut Linker<T>,
        state: fn(&mut T) -> &mut Settings,
    ) -> wasmtime::Result<()> {
        wit::add_to_linker::<T, HasSelf<Settings>>(linker, state)
    }
}

impl Host for Settings {
    async fn get(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        Ok(BTreeMap::get(self, &key).cloned())
    }
}
