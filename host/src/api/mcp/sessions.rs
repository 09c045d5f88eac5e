//! Sessions of the 2025 protocol revisions: `initialize` opens one (its id travels in the
//! `Mcp-Session-Id` header), `DELETE /mcp` ends it. A session belongs to the key that opened
//! it: another key presenting its id is told it does not exist. The 2026-07-28 revision has no
//! sessions; those requests never come here.
//!
//! Sessions live in this process's memory: behind a load balancer, a client of the 2025
//! revisions must reach the replica that opened its session (or reconnect after a 404, as the
//! specification asks); 2026-07-28 clients need nothing of the kind.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::auth::secret;

/// Most sessions open at once; the oldest idle ones make room.
const MAX_SESSIONS: usize = 4096;
/// A session unused for this long is forgotten.
const IDLE: Duration = Duration::from_secs(3600);

/// One open session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The protocol revision agreed at `initialize`.
    pub version: &'static str,
    /// Ends the session's notification stream when the session ends.
    pub ended: watch::Receiver<bool>,
}

struct Entry {
    owner: Option<Arc<str>>,
    version: &'static str,
    last_seen: Instant,
    ended: watch::Sender<bool>,
}

/// Why a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// No randomness for its id.
    #[error("no random source for a session id")]
    Random,
    /// Every slot is held by a session in use.
    #[error(
        "the server has {MAX_SESSIONS} MCP sessions open, the most it keeps; end unused ones (DELETE /mcp) or retry later"
    )]
    Full,
}

/// The open sessions.
#[derive(Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, Entry>>,
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Open a session of `version` for the key `owner` (none: authentication is off); its id.
    pub fn open(
        &self,
        owner: Option<Arc<str>>,
        version: &'static str,
    ) -> Result<String, OpenError> {
        let id = secret::random_id(16).map_err(|_| OpenError::Random)?;
        let mut open = self.lock();
        if open.len() >= MAX_SESSIONS {
            open.retain(|_, entry| entry.last_seen.elapsed() < IDLE);
        }
        if open.len() >= MAX_SESSIONS {
            return Err(OpenError::Full);
        }
        open.insert(
            id.clone(),
            Entry {
                owner,
                version,
                last_seen: Instant::now(),
                ended: watch::Sender::new(false),
            },
        );
        Ok(id)
    }

    /// The session `id` if `owner` opened it and it has not ended or gone idle.
    pub fn get(&self, id: &str, owner: Option<&Arc<str>>) -> Option<Session> {
        let mut open = self.lock();
        let entry = open.get_mut(id)?;
        if entry.owner.as_ref() != owner {
            return None;
        }
        if entry.last_seen.elapsed() >= IDLE {
            open.remove(id);
            return None;
        }
        entry.last_seen = Instant::now();
        Some(Session {
            version: entry.version,
            ended: entry.ended.subscribe(),
        })
    }

    /// End the session `id` of `owner`; whether there was one.
    pub fn end(&self, id: &str, owner: Option<&Arc<str>>) -> bool {
        let mut open = self.lock();
        if open
            .get(id)
            .is_none_or(|entry| entry.owner.as_ref() != owner)
        {
            return false;
        }
        if let Some(entry) = open.remove(id) {
            entry.ended.send_replace(true);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_its_owners_until_it_ends() -> Result<(), OpenError> {
        let sessions = Sessions::default();
        let alice: Arc<str> = Arc::from("key_alice");
        let bob: Arc<str> = Arc::from("key_bob");
        let id = sessions.open(Some(alice.clone()), "2025-11-25")?;
        assert_eq!(id.len(), 32);
        let session = sessions.get(&id, Some(&alice));
        assert_eq!(session.as_ref().map(|s| s.version), Some("2025-11-25"));
        assert!(
            sessions.get(&id, Some(&bob)).is_none(),
            "another key's session"
        );
        assert!(sessions.get(&id, None).is_none());
        assert!(!sessions.end(&id, Some(&bob)), "another key cannot end it");
        let ended = session.map(|s| s.ended);
        assert!(sessions.end(&id, Some(&alice)));
        assert!(ended.is_some_and(|e| *e.borrow()), "its stream is told");
        assert!(sessions.get(&id, Some(&alice)).is_none());
        assert!(!sessions.end(&id, Some(&alice)), "ended once");
        Ok(())
    }
}
