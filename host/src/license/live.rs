//! The licence a server runs under: read at start-up (an invalid key stops the start), read
//! again every few seconds so a new key takes effect without a restart, and the state logged
//! when it changes (and every hour while expired).

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::LicenseError;
use super::status::{LicenseState, LicenseStatus};
use super::token::{self, Payload};
use super::vendor::{self, VendorPublicKey};
use crate::config::LicenseConfig;
use crate::environment::Environment;

/// The file in the data directory `prax license install` writes.
pub const KEY_FILE: &str = "license.key";

/// First uses the store records once and keeps: the evaluation's start, each licence's
/// activation. Every replica on the store sees the same times.
pub trait LicenseFacts: Send + Sync + 'static {
    /// When `name` first happened: now (RFC 3339 `now`) if never before, else the time kept.
    fn first_use(&self, name: &str, now: &str) -> Result<String, crate::store::StoreError>;
}

/// First uses, remembered once read: they never change, so the refresh every few seconds asks
/// the store only about a licence it has not seen.
struct Remembered {
    store: Arc<dyn LicenseFacts>,
    seen: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl LicenseFacts for Remembered {
    fn first_use(&self, name: &str, now: &str) -> Result<String, crate::store::StoreError> {
        let lock = || {
            self.seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(at) = lock().get(name) {
            return Ok(at.clone());
        }
        let at = self.store.first_use(name, now)?;
        lock().insert(name.to_owned(), at.clone());
        Ok(at)
    }
}

/// The evaluation's record.
const EVALUATION_STARTED: &str = "evaluation_started";

/// The server's licence.
pub struct Licensing {
    config: LicenseConfig,
    key_file: PathBuf,
    env: Environment,
    facts: Arc<dyn LicenseFacts>,
    trusted: Vec<VendorPublicKey>,
    current: RwLock<(Option<String>, Arc<LicenseStatus>)>,
}

impl std::fmt::Debug for Licensing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Licensing")
            .field("key_file", &self.key_file)
            .finish_non_exhaustive()
    }
}

impl Licensing {
    /// Read the licence (from `[license] key_env`, else `<data_dir>/license.key`) and the
    /// store's records. An invalid, tampered or foreign key is an error: the server must not
    /// start on it. Blocking (the store).
    pub fn load(
        config: &LicenseConfig,
        data_dir: &Path,
        env: &Environment,
        facts: Arc<dyn LicenseFacts>,
    ) -> Result<Self, LicenseError> {
        let licensing = Self {
            config: config.clone(),
            key_file: data_dir.join(KEY_FILE),
            env: env.clone(),
            facts: Arc::new(Remembered {
                store: facts,
                seen: std::sync::Mutex::default(),
            }),
            trusted: vendor::trusted(),
            current: RwLock::new((None, Arc::new(LicenseStatus::at(now(), None, None, None)))),
        };
        let text = licensing.read_key()?;
        let status = licensing.status_of(text.as_deref())?;
        *licensing.write() = (text, Arc::new(status));
        Ok(licensing)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, (Option<String>, Arc<LicenseStatus>)> {
        self.current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the installation stands now.
    pub fn status(&self) -> Arc<LicenseStatus> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
            .clone()
    }

    /// The licence key's text: the environment's, else the data directory's file.
    fn read_key(&self) -> Result<Option<String>, LicenseError> {
        if let Some(text) = self.env.non_blank(&self.config.key_env) {
            return Ok(Some(text));
        }
        match std::fs::read_to_string(&self.key_file) {
            Ok(text) if text.trim().is_empty() => Ok(None),
            Ok(text) => Ok(Some(text.trim().to_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LicenseError::Store(format!(
                "{}: {e}",
                self.key_file.display()
            ))),
        }
    }

    /// The status `text` (a licence key, or none) gives now.
    fn status_of(&self, text: Option<&str>) -> Result<LicenseStatus, LicenseError> {
        let licence = text
            .map(|text| token::verify(text, &self.trusted))
            .transpose()?;
        status_with(licence, &self.config, self.facts.as_ref())
    }

    /// What installing the licence key `text` would do: its status, checked and not applied
    /// (nothing is recorded). Blocking.
    pub fn preview(&self, text: &str) -> Result<LicenseStatus, LicenseError> {
        let payload = token::verify(text, &self.trusted)?;
        let current = self.status();
        Ok(LicenseStatus::at(
            now(),
            Some(payload),
            current
                .evaluation_ends
                .map(|end| end - super::status::EVALUATION),
            None,
        ))
    }

    /// Verify `text` and install it as the data directory's key file (atomically); it is in
    /// force when this returns. Blocking.
    pub fn install(&self, text: &str) -> Result<Arc<LicenseStatus>, LicenseError> {
        token::verify(text, &self.trusted)?;
        if let Some(dir) = self.key_file.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| LicenseError::Store(format!("{}: {e}", dir.display())))?;
        }
        crate::fs_atomic::write_atomic(
            &self.key_file,
            format!("{}\n", text.trim()).as_bytes(),
            0o600,
        )
        .map_err(|e| LicenseError::Store(format!("{}: {e}", self.key_file.display())))?;
        self.refresh()?;
        Ok(self.status())
    }

    /// Whether the environment's variable holds the key (then it wins over the file).
    pub fn from_environment(&self) -> bool {
        self.env.non_blank(&self.config.key_env).is_some()
    }

    /// Read the key again; a changed, valid key takes effect at once. A changed key that does
    /// not verify is refused (the one in force stays) and reported. Blocking.
    pub fn refresh(&self) -> Result<(), LicenseError> {
        let text = self.read_key()?;
        let same = self
            .current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
            == text;
        let status = if same {
            // Only time moved: states change with it (expiring, expired, evaluation over).
            let licence = self.status().licence.clone();
            status_with(licence, &self.config, self.facts.as_ref())?
        } else {
            self.status_of(text.as_deref())?
        };
        *self.write() = (text, Arc::new(status));
        Ok(())
    }
}

/// The status of a verified `licence` now, recording the evaluation's start and the
/// licence's activation the first time.
pub fn status_with(
    licence: Option<Payload>,
    config: &LicenseConfig,
    facts: &dyn LicenseFacts,
) -> Result<LicenseStatus, LicenseError> {
    let now = now();
    let stamp = now.format(&Rfc3339).unwrap_or_default();
    let store = |e: crate::store::StoreError| LicenseError::Store(e.to_string());
    let evaluation_started = if config.evaluation {
        let at = facts.first_use(EVALUATION_STARTED, &stamp).map_err(store)?;
        OffsetDateTime::parse(&at, &Rfc3339).ok()
    } else {
        None
    };
    let activated_at = licence
        .as_ref()
        .map(|payload| facts.first_use(&format!("activated:{}", payload.id), &stamp))
        .transpose()
        .map_err(store)?;
    Ok(LicenseStatus::at(
        now,
        licence,
        evaluation_started,
        activated_at,
    ))
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Read the licence again every `every`; log each change of state, and every hour while
/// the licence is expired.
pub async fn watch(licensing: Arc<Licensing>, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = licensing.status();
    let mut last_reminder = tokio::time::Instant::now();
    loop {
        interval.tick().await;
        let worker = licensing.clone();
        match tokio::task::spawn_blocking(move || worker.refresh()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::error!(%error, "the new licence key was refused; the one in force stays");
            }
            Err(error) => tracing::error!(%error, "licence refresh failed"),
        }
        let status = licensing.status();
        let changed = status.state != last.state
            || status.licence.as_ref().map(|l| &l.id) != last.licence.as_ref().map(|l| &l.id);
        let remind = status.state == LicenseState::Expired
            && last_reminder.elapsed() >= Duration::from_secs(3600);
        if changed || remind {
            log(&status);
            last_reminder = tokio::time::Instant::now();
        }
        last = status;
    }
}

/// Log the status at the level it deserves.
pub fn log(status: &LicenseStatus) {
    let line = status.describe(now());
    match status.state {
        LicenseState::Expiring | LicenseState::Expired => {
            tracing::warn!(tier = status.tier.as_str(), "{line}")
        }
        _ => tracing::info!(tier = status.tier.as_str(), "{line}"),
    }
}
