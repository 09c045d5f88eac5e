//! The on-disk cache of compiled components.
//!
//! Compiling a component takes from 0.1 s (Rust) to 10 s (Python, JS); loading a compiled
//! artifact takes about a millisecond. Entries are keyed by the component's digest and the
//! engine's compatibility hash, so a new wasmtime or a changed engine configuration never
//! loads an old entry. Loading an artifact is `unsafe` (it is trusted native code), so each
//! entry carries an HMAC-SHA256, under a per-installation key kept outside the cache
//! directory, over the component digest it was compiled from, the engine key and the
//! payload. It is checked on the same bytes that are then deserialized: a damaged entry, one
//! copied in from elsewhere, or one swapped with another skill's is recompiled, never loaded.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use praximous_registry::Sha256Digest;
use ring::hmac;
use subtle::ConstantTimeEq as _;
use wasmtime::Engine;
use wasmtime::component::Component;

const MAGIC: &[u8; 8] = b"PRAXCW02";
const HEADER_LEN: usize = MAGIC.len() + 32;

/// How a component was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from a valid cache entry.
    Hit,
    /// No entry: compiled and stored.
    Miss,
    /// The entry failed its integrity check or did not load: recompiled and replaced.
    Replaced,
}

/// A directory of compiled components for one engine configuration.
pub struct ArtifactCache {
    dir: PathBuf,
    engine_key: String,
    mac_key: hmac::Key,
}

impl ArtifactCache {
    /// A cache in `dir` (created when first written) for artifacts of `engine`, whose
    /// entries are bound to their components with `secret`.
    pub fn new(dir: PathBuf, engine: &Engine, secret: &[u8; 32]) -> Self {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = format!("wasmtime{}-{:016x}", wasmtime_version(), hasher.finish());
        Self {
            dir,
            engine_key,
            mac_key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    /// The tag of an entry: what it was compiled from and for, and its bytes.
    fn tag(&self, digest: &Sha256Digest, artifact: &[u8]) -> hmac::Tag {
        let mut context = hmac::Context::with_key(&self.mac_key);
        context.update(MAGIC);
        context.update(digest.to_string().as_bytes());
        context.update(b"\0");
        context.update(self.engine_key.as_bytes());
        context.update(b"\0");
        context.update(artifact);
        context.sign()
    }

    /// The payload of an entry for `digest` whose header and tag are intact.
    fn verified_payload<'a>(&self, digest: &Sha256Digest, bytes: &'a [u8]) -> Option<&'a [u8]> {
        if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
            return None;
        }
        let (header, payload) = bytes.split_at(HEADER_LEN);
        let expected = self.tag(digest, payload);
        bool::from(expected.as_ref().ct_eq(&header[MAGIC.len()..])).then_some(payload)
    }

    /// The file that holds the artifact for `digest`.
    pub fn entry_path(&self, digest: &Sha256Digest) -> PathBuf {
        self.dir.join(format!("{digest}-{}.cwasm", self.engine_key))
    }

    /// Load the compiled form of `wasm` (whose digest is `digest`) from the cache, or compile
    /// it and store the result.
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        digest: &Sha256Digest,
        wasm: &[u8],
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let path = self.entry_path(digest);
        let mut outcome = CacheOutcome::Miss;
        match std::fs::read(&path) {
            Ok(bytes) => match self.verified_payload(digest, &bytes) {
                Some(payload) => match deserialize_trusted(engine, payload) {
                    Ok(component) => return Ok((component, CacheOutcome::Hit)),
                    Err(e) => {
                        tracing::warn!(path = %path.display(), error = %e, "compiled-skill cache entry does not load; recompiling");
                        outcome = CacheOutcome::Replaced;
                    }
                },
                None => {
                    tracing::warn!(path = %path.display(), "compiled-skill cache entry failed its integrity check; recompiling");
                    outcome = CacheOutcome::Replaced;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read compiled-skill cache entry; recompiling");
                outcome = CacheOutcome::Replaced;
            }
        }
        let artifact = engine.precompile_component(wasm)?;
        // Load from the artifact we just made: the same code path as a cache hit, and no
        // second compile.
        let component = deserialize_trusted(engine, &artifact)?;
        if let Err(e) = self.store(&path, digest, &artifact) {
            // The cache is an optimisation: a read-only data directory must not stop the skill.
            tracing::warn!(path = %path.display(), error = %e, "cannot write compiled-skill cache entry");
        }
        Ok((component, outcome))
    }

    /// Write an entry atomically: a reader sees the old entry, the new one, or none.
    fn store(&self, path: &Path, digest: &Sha256Digest, artifact: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        file.write_all(MAGIC)?;
        file.write_all(self.tag(digest, artifact).as_ref())?;
        file.write_all(artifact)?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[allow(unsafe_code)]
fn deserialize_trusted(engine: &Engine, artifact: &[u8]) -> wasmtime::Result<Component> {
    // SAFETY: `artifact` was produced by `Engine::precompile_component` in this process, or
    // read from a cache entry whose tag, under this installation's key, was verified on these
    // very bytes for this component digest and engine. wasmtime additionally rejects artifacts from another version or configuration.
    unsafe { Component::deserialize(engine, artifact) }
}

fn wasmtime_version() -> &'static str {
    // Tied to the pinned dependency; the compatibility hash covers the configuration.
    "48.0.8"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid component: the preamble alone.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\x00\x01\x00";

    fn engine() -> Engine {
        crate::runtime::engine::build_engine(4, 16).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn miss_then_hit_then_replaced_after_damage() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let engine = engine();
        let cache = ArtifactCache::new(dir.path().join("cache"), &engine, &[7; 32]);
        let digest = Sha256Digest::of(EMPTY_COMPONENT);

        let (_, first) = cache
            .load_or_compile(&engine, &digest, EMPTY_COMPONENT)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, CacheOutcome::Miss);
        let (_, second) = cache
            .load_or_compile(&engine, &digest, EMPTY_COMPONENT)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(second, CacheOutcome::Hit);

        // Flip one byte of the payload: the checksum must catch it before deserialization.
        let path = cache.entry_path(&digest);
        let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let (_, third) = cache
            .load_or_compile(&engine, &digest, EMPTY_COMPONENT)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(third, CacheOutcome::Replaced);
        let (_, fourth) = cache
            .load_or_compile(&engine, &digest, EMPTY_COMPONENT)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fourth, CacheOutcome::Hit, "the damaged entry was rewritten");
    }

    #[test]
    fn truncated_entries_and_entries_of_other_components_or_keys_are_rejected() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let engine = engine();
        let cache = ArtifactCache::new(dir.path().to_owned(), &engine, &[7; 32]);
        let digest = Sha256Digest::of(EMPTY_COMPONENT);
        assert!(cache.verified_payload(&digest, b"PRAXCW02short").is_none());
        assert!(cache.verified_payload(&digest, b"").is_none());
        cache
            .load_or_compile(&engine, &digest, EMPTY_COMPONENT)
            .unwrap_or_else(|e| panic!("{e}"));
        let entry = std::fs::read(cache.entry_path(&digest)).unwrap_or_else(|e| panic!("{e}"));
        assert!(cache.verified_payload(&digest, &entry).is_some());
        let other = Sha256Digest::of(b"another component");
        assert!(
            cache.verified_payload(&other, &entry).is_none(),
            "an entry does not serve another component"
        );
        let elsewhere = ArtifactCache::new(dir.path().to_owned(), &engine, &[8; 32]);
        assert!(
            elsewhere.verified_payload(&digest, &entry).is_none(),
            "nor another installation"
        );
    }

    #[test]
    fn entries_are_keyed_by_engine_configuration() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let digest = Sha256Digest::of(EMPTY_COMPONENT);
        let pooled = ArtifactCache::new(dir.path().to_owned(), &engine(), &[7; 32]);
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true).epoch_interruption(false);
        let plain = Engine::new(&config).unwrap_or_else(|e| panic!("{e}"));
        let other = ArtifactCache::new(dir.path().to_owned(), &plain, &[7; 32]);
        assert_ne!(pooled.entry_path(&digest), other.entry_path(&digest));
    }
}
