//! Skill manifests: the `skill.yaml` schema every Smart Skill ships with, its validation,
//! and the component digest it pins.
//!
//! The host uses these types to load skills; the registry (publishing, signing, installing)
//! reuses them so that both sides agree on what a valid skill is. The registry itself lives
//! here too: signing ([`signing`]), bundles ([`bundle`]), the index ([`index`]), its storage
//! ([`repository`]), and, behind the `server` and `client` features, its HTTP server and the
//! reader installs use.

pub mod bundle;
#[cfg(feature = "client")]
pub mod client;
pub mod digest;
pub mod index;
pub mod manifest;
pub mod repository;
#[cfg(feature = "server")]
pub mod server;
pub mod signing;
pub mod skill_dir;
pub mod wit_version;

pub use digest::{Sha256Digest, sha256_hex};
pub use manifest::{
    KnowledgeAccess, KnowledgeGrant, Limits, Manifest, ManifestError, Operation, Permissions,
    SkillName, Tier,
};
pub use skill_dir::{SkillDirError, VerifiedSkill, load_skill_dir, verify_skill};
pub use wit_version::WitVersion;
