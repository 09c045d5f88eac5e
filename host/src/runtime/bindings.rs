//! Host-side bindings for the `praximous:skill` WIT package (`wit/` at the repository root).

#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "skill",
    imports: { default: async | trappable },
    exports: { default: async },
});

pub use self::praximous::skill::{config, context, knowledge, llm, log, mail, output, types};
