//! The skill catalogue: built-in and installed skills, discovered, validated and loaded.

pub mod builtin;
pub mod catalogue;

pub use builtin::{BUILTIN_SKILLS, BuiltinSkill};
pub use catalogue::{Catalogue, LoadProblem, LoadedSkill, SkillSource};
