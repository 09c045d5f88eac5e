//! API keys in the SQLite database, beside the audit log.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::sql;
use crate::auth::key_store::{KeyColumns, KeyStore, StoredKey, scope_column};
use crate::auth::secret::KeyDigest;
use crate::secret_file::Secret;
use crate::store::StoreError;

/// API keys in the SQLite database.
pub struct SqliteKeys(super::Shared);

impl SqliteKeys {
    /// Open (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self(super::Shared::open(path)?))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.lock()
    }
}

fn row_to_key(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredKey> {
    KeyColumns {
        id: row.get(0)?,
        name: row.get(1)?,
        role: row.get(2)?,
        prefix: row.get(3)?,
        hash: row.get(4)?,
        created_at: row.get(5)?,
        expires_at: row.get(6)?,
        revoked_at: row.get(7)?,
        rate_limit_per_minute: row.get(8)?,
        scope: row.get(9)?,
        owner: row.get(10)?,
    }
    .into_key()
    .map_err(|(column, message)| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            message.into(),
        )
    })
}

const COLUMNS: &str = KeyColumns::LIST;

impl KeyStore for SqliteKeys {
    fn insert(&self, key: &StoredKey) -> Result<(), StoreError> {
        self.conn()
            .execute(
                &format!(
                    "INSERT INTO api_keys ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                ),
                params![
                    key.id,
                    key.name,
                    key.role.as_str(),
                    key.prefix,
                    hex::encode(key.digest),
                    key.created_at,
                    key.expires_at,
                    key.revoked_at,
                    key.rate_limit_per_minute,
                    scope_column(&key.scope)?,
                    key.owner,
                ],
            )
            .map(drop)
            .map_err(sql)
    }

    fn all(&self) -> Result<Vec<StoredKey>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM api_keys ORDER BY created_at, id"
            ))
            .map_err(sql)?;
        let rows = statement.query_map([], row_to_key).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)
    }

    fn find(&self, digest: &KeyDigest) -> Result<Option<StoredKey>, StoreError> {
        self.conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM api_keys WHERE hash = ?1"),
                params![hex::encode(digest)],
                row_to_key,
            )
            .optional()
            .map_err(sql)
    }

    fn installation_secret(&self, name: &str) -> Result<Secret, StoreError> {
        let fresh = Secret::random()
            .map_err(|_| StoreError::Database("the system's random source failed".into()))?;
        let conn = self.conn();
        // The first process to ask makes it; the rest, and every later start, read it.
        conn.execute(
            "INSERT OR IGNORE INTO installation_secrets (name, value) VALUES (?1, ?2)",
            params![name, fresh.as_bytes().as_slice()],
        )
        .map_err(sql)?;
        let value: Vec<u8> = conn
            .query_row(
                "SELECT value FROM installation_secrets WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .map_err(sql)?;
        Secret::try_from(value.as_slice())
            .map_err(|_| StoreError::Database(format!("installation secret `{name}` is damaged")))
    }

    fn revoke(&self, id: &str, at: &str) -> Result<Option<StoredKey>, StoreError> {
        let conn = self.conn();
        conn.execute(
            "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id, at],
        )
        .map_err(sql)?;
        conn.query_row(
            &format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1"),
            params![id],
            row_to_key,
        )
        .optional()
        .map_err(sql)
    }

    fn follow_owner(
        &self,
        owner: &str,
        role: Option<crate::auth::Role>,
        at: &str,
    ) -> Result<usize, StoreError> {
        let conn = self.conn();
        match role {
            Some(role) => conn.execute(
                "UPDATE api_keys SET role = ?2 WHERE owner = ?1 AND revoked_at IS NULL AND role <> ?2",
                params![owner, role.as_str()],
            ),
            None => conn.execute(
                "UPDATE api_keys SET revoked_at = ?2 WHERE owner = ?1 AND revoked_at IS NULL",
                params![owner, at],
            ),
        }
        .map_err(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{KeyScope, Role};

    fn key(id: &str) -> StoredKey {
        StoredKey {
            id: id.into(),
            name: format!("name {id}"),
            role: Role::Operator,
            prefix: "prax_abcdefg".into(),
            digest: crate::auth::secret::digest(id),
            created_at: "2026-11-25T10:00:00Z".into(),
            expires_at: Some("2026-12-25T10:00:00Z".into()),
            revoked_at: None,
            rate_limit_per_minute: Some(60),
            scope: KeyScope {
                skills: Some(vec!["echo".into(), "text_manipulation/manipulate".into()]),
                routes: Some(vec![]),
            },
            owner: None,
        }
    }

    #[test]
    fn keys_round_trip_and_revocation_keeps_the_first_time() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Database(e.to_string()))?;
        let store = SqliteKeys::open(&dir.path().join("praximous.db"))?;
        store.insert(&key("a"))?;
        store.insert(&StoredKey {
            scope: KeyScope::default(),
            ..key("b")
        })?;
        assert_eq!(
            store.all()?,
            vec![
                key("a"),
                StoredKey {
                    scope: KeyScope::default(),
                    ..key("b")
                }
            ]
        );
        // A key is found by its digest (a key made elsewhere, asked for by its first request).
        assert_eq!(
            store.find(&crate::auth::secret::digest("a"))?,
            Some(key("a"))
        );
        assert_eq!(store.find(&crate::auth::secret::digest("nobody"))?, None);
        let revoked = store.revoke("a", "2026-11-26T00:00:00Z")?;
        assert_eq!(
            revoked.and_then(|k| k.revoked_at).as_deref(),
            Some("2026-11-26T00:00:00Z")
        );
        let again = store.revoke("a", "2026-11-27T00:00:00Z")?;
        assert_eq!(
            again.and_then(|k| k.revoked_at).as_deref(),
            Some("2026-11-26T00:00:00Z")
        );
        assert_eq!(store.revoke("nope", "2026-11-27T00:00:00Z")?, None);
        // The same digest twice is refused by the database, not silently duplicated.
        assert!(
            store
                .insert(&StoredKey {
                    id: "c".into(),
                    ..key("a")
                })
                .is_err()
        );
        Ok(())
    }
}
