//! Skill manifests: the `skill.yaml` schema every Smart Skill ships with, its validation,
//! and the component digest it pins.
//!
//! The host uses these types to load skills; the registry (publishing, signing, installing)
//! reuses them so that both sides agree on what a valid skill is.

pub mod digest;
pub mod manifest;
pub mod skill_dir;
pub mod wit_version;

pub use digest::{Sha256Digest, sha256_hex};
pub use manifest::{
    KnowledgeAccess, Limits, Manifest, ManifestError, Operation, Permissions, SkillName, Tier,
};
pub use skill_dir::{SkillDirError, VerifiedSkill, load_skill_dir, verify_skill};
pub use wit_version::WitVersion;
