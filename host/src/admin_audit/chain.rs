//! The hash chain: each entry's hash covers its own fields and the previous entry's hash, so
//! changing or removing any entry changes every hash after it. Deleting the newest entries
//! leaves a shorter chain that still verifies; the log line written with each entry carries
//! its hash, so the head can be compared with an external copy of the logs.

use sha2::{Digest, Sha256};

use super::Entry;

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an entry with these fields, chained to `prev_hash`. The fields are hashed as a
/// JSON array of strings, which no choice of field contents can make ambiguous.
#[allow(clippy::too_many_arguments)]
pub fn hash(
    seq: i64,
    at: &str,
    actor: &str,
    actor_name: &str,
    source: &str,
    action: &str,
    target: &str,
    before: Option<&str>,
    after: Option<&str>,
    prev_hash: &str,
) -> String {
    let fields = serde_json::json!([
        seq.to_string(),
        at,
        actor,
        actor_name,
        source,
        action,
        target,
        before,
        after,
        prev_hash
    ]);
    hex::encode(Sha256::digest(fields.to_string().as_bytes()))
}

/// The hash `entry` should have.
pub fn expected(entry: &Entry) -> String {
    hash(
        entry.seq,
        &entry.at,
        &entry.actor,
        &entry.actor_name,
        &entry.source,
        &entry.action,
        &entry.target,
        entry.before.as_deref(),
        entry.after.as_deref(),
        &entry.prev_hash,
    )
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    /// The entry's contents do not match its hash: it was edited.
    #[error("entry #{seq} was changed after it was written: its contents do not match its hash")]
    Edited {
        /// The entry.
        seq: i64,
    },
    /// Entries are missing before this one.
    #[error("entries before #{seq} are missing: the one before it is #{previous}")]
    Missing {
        /// The entry after the gap.
        seq: i64,
        /// The entry before it (0: none).
        previous: i64,
    },
    /// The entry's previous hash is not the previous entry's hash: that one was rewritten
    /// (with a hash of its own) or replaced.
    #[error(
        "entry #{previous} was rewritten or replaced: #{seq} was chained to a different #{previous}"
    )]
    Unlinked {
        /// The entry.
        seq: i64,
        /// The entry before it.
        previous: i64,
    },
}

/// Check `entries` (oldest first) link up from the first; how many there are and the head's
/// hash, or the first break.
pub fn verify(entries: &[Entry]) -> Result<(usize, String), Broken> {
    let mut previous: Option<&Entry> = None;
    for entry in entries {
        let (expected_seq, expected_prev) = match previous {
            None => (1, GENESIS),
            Some(p) => (p.seq + 1, p.hash.as_str()),
        };
        if entry.seq != expected_seq {
            return Err(Broken::Missing {
                seq: entry.seq,
                previous: previous.map_or(0, |p| p.seq),
            });
        }
        if expected(entry) != entry.hash {
            return Err(Broken::Edited { seq: entry.seq });
        }
        if entry.prev_hash != expected_prev {
            return Err(Broken::Unlinked {
                seq: entry.seq,
                previous: previous.map_or(0, |p| p.seq),
            });
        }
        previous = Some(entry);
    }
    Ok((
        entries.len(),
        previous.map_or_else(|| GENESIS.to_owned(), |p| p.hash.clone()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        for seq in 1..=n {
            let prev_hash = entries
                .last()
                .map_or(GENESIS.to_owned(), |e| e.hash.clone());
            let mut entry = Entry {
                seq,
                at: format!("2026-12-06T10:00:0{seq}Z"),
                actor: "key:k1".into(),
                actor_name: "ops".into(),
                source: "127.0.0.1".into(),
                action: "key.created".into(),
                target: format!("key-{seq}"),
                before: None,
                after: Some(format!("{{\"role\":\"user\",\"n\":{seq}}}")),
                prev_hash,
                hash: String::new(),
            };
            entry.hash = expected(&entry);
            entries.push(entry);
        }
        entries
    }

    #[test]
    fn an_untouched_chain_verifies_to_its_head() {
        let entries = chain(4);
        assert_eq!(verify(&entries), Ok((4, entries[3].hash.clone())));
        assert_eq!(verify(&[]), Ok((0, GENESIS.to_owned())));
    }

    #[test]
    fn an_edited_a_deleted_or_a_replaced_entry_is_named() {
        let mut edited = chain(4);
        edited[1].after = Some("{\"role\":\"admin\",\"n\":2}".into());
        assert_eq!(verify(&edited), Err(Broken::Edited { seq: 2 }));

        let mut deleted = chain(4);
        deleted.remove(2);
        assert_eq!(
            verify(&deleted),
            Err(Broken::Missing {
                seq: 4,
                previous: 2
            })
        );

        // Rewritten with a correct hash of its own, it no longer follows its predecessor...
        let mut forged = chain(4);
        forged[2].target = "someone-else".into();
        forged[2].hash = expected(&forged[2]);
        assert_eq!(
            verify(&forged),
            Err(Broken::Unlinked {
                seq: 4,
                previous: 3
            })
        );
        // ... and a renumbered tail is caught where the numbers stop adding up.
        let mut first_gone = chain(3);
        first_gone.remove(0);
        assert!(matches!(
            verify(&first_gone),
            Err(Broken::Missing { seq: 2, .. })
        ));
    }
}
