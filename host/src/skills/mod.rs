//! The skill catalogue: built-in and installed skills, discovered, validated and loaded,
//! reloaded when the skills directory changes; and installing skills into it.

pub mod acquire;
pub mod author;
pub mod builtin;
pub mod catalogue;
pub mod install;
pub mod live;
pub mod lockfile;
pub mod permissions;
pub mod scaffold;

pub use builtin::{BUILTIN_SKILLS, BuiltinSkill};
pub use catalogue::{Catalogue, LoadProblem, LoadedSkill, SignatureState, SkillSource, Trust};
pub use live::LiveCatalogue;
