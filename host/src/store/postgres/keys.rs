//! API keys in PostgreSQL. Every change is announced on the `prax_keys` channel, which each
//! replica listens to (`key_changes`), so a revocation on one is honoured by all at once.

use tokio::sync::watch;

use super::key_changes::{CHANNEL, KeyChanges};
use super::{Database, sql};
use crate::auth::key_store::{KeyColumns, KeyStore, StoredKey, scope_column};
use crate::auth::secret::KeyDigest;
use crate::secret_file::Secret;
use crate::store::StoreError;

/// API keys in the PostgreSQL store.
pub struct PgKeys {
    db: Database,
    changes: Option<KeyChanges>,
}

impl PgKeys {
    /// Keys in `db`; `changes` pushes other replicas' changes, if listening.
    pub fn new(db: Database, changes: Option<KeyChanges>) -> Self {
        Self { db, changes }
    }

    fn select(&self, condition: &str, value: &str) -> Result<Vec<StoredKey>, StoreError> {
        let db = &self.db;
        let rows = db.run(async {
            db.client()
                .await?
                .query(
                    &format!("SELECT {COLUMNS} FROM api_keys {condition}"),
                    &[&value],
                )
                .await
                .map_err(sql)
        })?;
        rows.iter().map(row_to_key).collect()
    }
}

const COLUMNS: &str = KeyColumns::LIST;

fn row_to_key(row: &tokio_postgres::Row) -> Result<StoredKey, StoreError> {
    let columns = || -> Result<KeyColumns, tokio_postgres::Error> {
        Ok(KeyColumns {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            role: row.try_get(2)?,
            prefix: row.try_get(3)?,
            hash: row.try_get(4)?,
            created_at: row.try_get(5)?,
            expires_at: row.try_get(6)?,
            revoked_at: row.try_get(7)?,
            rate_limit_per_minute: row
                .try_get::<_, Option<i64>>(8)?
                .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            scope: row.try_get(9)?,
            owner: row.try_get(10)?,
        })
    };
    columns()
        .map_err(sql)?
        .into_key()
        .map_err(|(column, problem)| {
            StoreError::Database(format!("api_keys column {column} is damaged: {problem}"))
        })
}

impl KeyStore for PgKeys {
    fn insert(&self, key: &StoredKey) -> Result<(), StoreError> {
        let scope = scope_column(&key.scope)?;
        let (hash, limit) = (
            hex::encode(key.digest),
            key.rate_limit_per_minute.map(i64::from),
        );
        let db = &self.db;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            tx.execute(
                &format!(
                    "INSERT INTO api_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ),
                &[
                    &key.id,
                    &key.name,
                    &key.role.as_str(),
                    &key.prefix,
                    &hash,
                    &key.created_at,
                    &key.expires_at,
                    &key.revoked_at,
                    &limit,
                    &scope,
                    &key.owner,
                ],
            )
            .await
            .map_err(sql)?;
            tx.batch_execute(&format!("NOTIFY {CHANNEL}"))
                .await
                .map_err(sql)?;
            tx.commit().await.map_err(sql)
        })
    }

    fn all(&self) -> Result<Vec<StoredKey>, StoreError> {
        let db = &self.db;
        let rows = db.run(async {
            db.client()
                .await?
                .query(
                    &format!("SELECT {COLUMNS} FROM api_keys ORDER BY created_at, id"),
                    &[],
                )
                .await
                .map_err(sql)
        })?;
        rows.iter().map(row_to_key).collect()
    }

    fn find(&self, digest: &KeyDigest) -> Result<Option<StoredKey>, StoreError> {
        Ok(self
            .select("WHERE hash = $1", &hex::encode(digest))?
            .into_iter()
            .next())
    }

    fn revoke(&self, id: &str, at: &str) -> Result<Option<StoredKey>, StoreError> {
        let db = &self.db;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            let changed = tx
                .execute(
                    "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    &[&id, &at],
                )
                .await
                .map_err(sql)?;
            if changed > 0 {
                tx.batch_execute(&format!("NOTIFY {CHANNEL}"))
                    .await
                    .map_err(sql)?;
            }
            tx.commit().await.map_err(sql)
        })?;
        Ok(self.select("WHERE id = $1", id)?.into_iter().next())
    }

    fn follow_owner(
        &self,
        owner: &str,
        role: Option<crate::auth::Role>,
        at: &str,
    ) -> Result<usize, StoreError> {
        let db = &self.db;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            let changed = match role {
                Some(role) => {
                    tx.execute(
                        "UPDATE api_keys SET role = $2 WHERE owner = $1 AND revoked_at IS NULL AND role <> $2",
                        &[&owner, &role.as_str()],
                    )
                    .await
                }
                None => {
                    tx.execute(
                        "UPDATE api_keys SET revoked_at = $2 WHERE owner = $1 AND revoked_at IS NULL",
                        &[&owner, &at],
                    )
                    .await
                }
            }
            .map_err(sql)?;
            if changed > 0 {
                tx.batch_execute(&format!("NOTIFY {CHANNEL}"))
                    .await
                    .map_err(sql)?;
            }
            tx.commit().await.map_err(sql)?;
            Ok(usize::try_from(changed).unwrap_or(usize::MAX))
        })
    }

    fn installation_secret(&self, name: &str) -> Result<Secret, StoreError> {
        let fresh = Secret::random()
            .map_err(|_| StoreError::Database("the system's random source failed".into()))?;
        let db = &self.db;
        let value: Vec<u8> = db.run(async {
            let client = db.client().await?;
            // The first replica to ask makes it; the rest, and every later start, read it.
            client
                .execute(
                    "INSERT INTO installation_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                    &[&name, &fresh.as_bytes().as_slice()],
                )
                .await
                .map_err(sql)?;
            Ok(client
                .query_one(
                    "SELECT value FROM installation_secrets WHERE name = $1",
                    &[&name],
                )
                .await
                .map_err(sql)?
                .get(0))
        })?;
        Secret::try_from(value.as_slice())
            .map_err(|_| StoreError::Database(format!("installation secret `{name}` is damaged")))
    }

    fn changes(&self) -> Option<watch::Receiver<u64>> {
        self.changes.as_ref().map(KeyChanges::subscribe)
    }
}
