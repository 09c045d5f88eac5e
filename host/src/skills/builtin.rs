//! The built-in skills, embedded in the binary at build time (see `host/build.rs`).

/// A built-in skill: its completed manifest and its component.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinSkill {
    /// Folder name under `skills-wasm/`, for messages.
    pub name: &'static str,
    /// `skill.yaml`, with the component's digest filled in.
    pub manifest: &'static str,
    /// The component.
    pub component: &'static [u8],
}

/// Every built-in skill this binary was built with.
pub static BUILTIN_SKILLS: &[BuiltinSkill] =
    include!(concat!(env!("OUT_DIR"), "/builtin_skills.rs"));
