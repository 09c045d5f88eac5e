//! The catalogue the server serves from, reloaded without a restart when the skills
//! directory changes (an install by `prax skill install`, by the API, or by hand). Requests
//! in flight keep the catalogue they started with; compiled components come from the cache,
//! so only a new component is compiled, once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use std::time::{Duration, SystemTime};

use praximous_registry::signing::PublicKey;
use praximous_registry::skill_dir::MANIFEST_FILE;

use super::builtin::BuiltinSkill;
use super::catalogue::{Catalogue, LoadedSkill, Trust};
use crate::config::OperatorSettings;
use crate::runtime::Runtime;

/// What the skills directory looks like: each skill folder's manifest, signature and
/// modification times. Any change means a reload.
type Fingerprint = Vec<(String, Option<(SystemTime, u64)>, Option<SystemTime>)>;

fn fingerprint(dir: &Path) -> Fingerprint {
    let mut prints: Fingerprint = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let meta = |p: PathBuf| std::fs::metadata(p).ok();
            let manifest = meta(e.path().join(MANIFEST_FILE))
                .and_then(|m| Some((m.modified().ok()?, m.len())));
            let folder = meta(e.path()).and_then(|m| m.modified().ok());
            (
                e.file_name().to_string_lossy().into_owned(),
                manifest,
                folder,
            )
        })
        .collect();
    prints.sort();
    prints
}

/// The current catalogue, and what it takes to load the next one.
pub struct LiveCatalogue {
    /// Read on every request without a lock (a reader takes no shared write, unlike an
    /// `RwLock`'s read lock, whose count every core writes).
    current: ArcSwap<Catalogue>,
    runtime: Arc<Runtime>,
    builtins: &'static [BuiltinSkill],
    dir: PathBuf,
    trust: Trust,
    operator: OperatorSettings,
    seen: Mutex<Fingerprint>,
    generation: tokio::sync::watch::Sender<u64>,
}

impl LiveCatalogue {
    /// Load the catalogue for the first time.
    pub fn load(
        runtime: Arc<Runtime>,
        builtins: &'static [BuiltinSkill],
        dir: PathBuf,
        trust: Trust,
        operator: OperatorSettings,
    ) -> Self {
        let seen = fingerprint(&dir);
        let catalogue = Catalogue::load(&runtime, builtins, &dir, &trust, &operator);
        Self {
            current: ArcSwap::from_pointee(catalogue),
            runtime,
            builtins,
            dir,
            trust,
            operator,
            seen: Mutex::new(seen),
            generation: tokio::sync::watch::Sender::new(0),
        }
    }

    /// A receiver that sees a new value each time the catalogue is reloaded (MCP clients are
    /// told their tool list changed).
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// The catalogue as it is now.
    pub fn snapshot(&self) -> Arc<Catalogue> {
        self.current.load_full()
    }

    /// The skill named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<LoadedSkill>> {
        self.current.load().get(name)
    }

    /// The skills directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The trusted publishers.
    pub fn trusted(&self) -> &[PublicKey] {
        &self.trust.keys
    }

    /// Reload if the skills directory changed (blocking: compiles new components). Returns
    /// whether it reloaded.
    pub fn reload_if_changed(&self) -> bool {
        let now = fingerprint(&self.dir);
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *seen == now {
            return false;
        }
        let catalogue = Catalogue::load(
            &self.runtime,
            self.builtins,
            &self.dir,
            &self.trust,
            &self.operator,
        );
        tracing::info!(
            skills = catalogue.len(),
            not_loaded = catalogue.problems().len(),
            "skills directory changed: catalogue reloaded"
        );
        self.current.store(Arc::new(catalogue));
        *seen = now;
        self.generation.send_modify(|generation| *generation += 1);
        true
    }
}

/// Check the skills directory every `every`, reloading when it changed.
pub async fn watch(live: Arc<LiveCatalogue>, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let live = live.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || live.reload_if_changed()).await {
            tracing::error!(error = %e, "skill reload failed");
        }
    }
}
