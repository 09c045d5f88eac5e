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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use praximous_registry::verify_skill;

    use super::BUILTIN_SKILLS;
    use crate::runtime::supported_wit;

    /// The server leaves out a skill whose manifest fails a check and goes on serving, so a
    /// built-in with a bad manifest would quietly vanish from the product; catch it here.
    #[test]
    fn every_embedded_builtin_passes_the_checks_an_installed_skill_must_pass() {
        assert!(
            !BUILTIN_SKILLS.is_empty(),
            "no built-in skills were embedded: build them first with `make skills`"
        );
        for builtin in BUILTIN_SKILLS {
            let verified = verify_skill(
                Path::new(builtin.name),
                builtin.manifest,
                builtin.component.to_vec(),
                &supported_wit(),
            );
            match verified {
                Ok(skill) => assert_eq!(skill.manifest.name.as_str(), builtin.name),
                Err(e) => panic!("built-in skill `{}`: {e}", builtin.name),
            }
        }
    }
}
