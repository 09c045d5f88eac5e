//! Single sign-on's users, sessions and sign-ins under way in PostgreSQL, shared by every
//! replica: the provider may send a browser back to any of them.

use tokio_postgres::types::ToSql;

use super::{Database, sql};
use crate::sso::store::{
    PendingSignIn, Session, SignInFacts, SsoStore, USER_COLUMNS, User, UserColumns, signed_in,
};
use crate::store::StoreError;

/// The `users`, `sessions` and `sso_sign_ins` tables.
pub struct PgSso(pub Database);

fn user_columns(row: &tokio_postgres::Row, first: usize) -> Result<UserColumns, StoreError> {
    let mut text: [Option<String>; 15] = Default::default();
    for (index, slot) in text.iter_mut().enumerate() {
        *slot = row.try_get(first + index).map_err(sql)?;
    }
    Ok(UserColumns { text })
}

fn user_of(row: &tokio_postgres::Row, first: usize) -> Result<User, StoreError> {
    user_columns(row, first)?.into_user()
}

const SESSION_COLUMNS: &str = "id, user_id, created_at, expires_at, last_seen_at, id_token";

fn session_of(row: &tokio_postgres::Row) -> Session {
    Session {
        digest: row.get(0),
        user_id: row.get(1),
        created_at: row.get(2),
        expires_at: row.get(3),
        last_seen_at: row.get(4),
        id_token: row.get(5),
    }
}

const UPSERT_USER: &str = "INSERT INTO users (id, issuer, subject, email, name, groups, mapped_role, role_override, role, role_granted_at, role_granted_by, disabled_at, disabled_by, created_at, last_seen_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
     ON CONFLICT (id) DO UPDATE SET email = $4, name = $5, groups = $6, mapped_role = $7, role_override = $8, role = $9, \
     role_granted_at = $10, role_granted_by = $11, disabled_at = $12, disabled_by = $13, last_seen_at = $15";

async fn write_user(
    client: &impl deadpool_postgres::GenericClient,
    user: &User,
) -> Result<(), StoreError> {
    let columns = UserColumns::of(user);
    let params: Vec<&(dyn ToSql + Sync)> =
        columns.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
    client
        .execute(UPSERT_USER, &params)
        .await
        .map(drop)
        .map_err(sql)
}

impl SsoStore for PgSso {
    fn put_pending(&self, pending: &PendingSignIn, now: &str) -> Result<(), StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            client
                .execute("DELETE FROM sso_sign_ins WHERE expires_at <= $1", &[&now])
                .await
                .map_err(sql)?;
            client
                .execute(
                    "INSERT INTO sso_sign_ins (state, binding, nonce, verifier, return_to, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    &[
                        &pending.state_digest,
                        &pending.binding_digest,
                        &pending.nonce,
                        &pending.verifier,
                        &pending.return_to,
                        &pending.expires_at,
                    ],
                )
                .await
                .map(drop)
                .map_err(sql)
        })
    }

    fn take_pending(
        &self,
        state_digest: &str,
        now: &str,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        let db = &self.0;
        let row = db.run(async {
            db.client()
                .await?
                .query_opt(
                    "DELETE FROM sso_sign_ins WHERE state = $1 RETURNING state, binding, nonce, verifier, return_to, expires_at",
                    &[&state_digest],
                )
                .await
                .map_err(sql)
        })?;
        Ok(row
            .map(|row| PendingSignIn {
                state_digest: row.get(0),
                binding_digest: row.get(1),
                nonce: row.get(2),
                verifier: row.get(3),
                return_to: row.get(4),
                expires_at: row.get(5),
            })
            .filter(|p| p.expires_at.as_str() > now))
    }

    fn record_sign_in(
        &self,
        facts: &SignInFacts,
        now: &str,
    ) -> Result<(Option<User>, User), StoreError> {
        let new_id = crate::sso::new_user_id();
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            // Two first sign-ins of one person on two replicas make one user.
            tx.execute(
                "INSERT INTO users (id, issuer, subject, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (issuer, subject) DO NOTHING",
                &[&new_id, &facts.issuer, &facts.subject, &now],
            )
            .await
            .map_err(sql)?;
            let row = tx
                .query_one(
                    &format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE issuer = $1 AND subject = $2 FOR UPDATE"
                    ),
                    &[&facts.issuer, &facts.subject],
                )
                .await
                .map_err(sql)?;
            let existing = user_of(&row, 0)?;
            // The row this transaction just made has no sign-in before it.
            let before = (existing.id != new_id).then_some(existing);
            let after = signed_in(before.as_ref(), facts, &new_id, now);
            write_user(&tx, &after).await?;
            tx.commit().await.map_err(sql)?;
            Ok((before, after))
        })
    }

    fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let db = &self.0;
        let row = db.run(async {
            db.client()
                .await?
                .query_opt(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"),
                    &[&id],
                )
                .await
                .map_err(sql)
        })?;
        row.map(|row| user_of(&row, 0)).transpose()
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        let db = &self.0;
        let rows = db.run(async {
            db.client()
                .await?
                .query(
                    &format!("SELECT {USER_COLUMNS} FROM users ORDER BY last_seen_at DESC, id"),
                    &[],
                )
                .await
                .map_err(sql)
        })?;
        rows.iter().map(|row| user_of(row, 0)).collect()
    }

    fn modify_user(
        &self,
        id: &str,
        change: &mut (dyn FnMut(&mut User) + Send),
    ) -> Result<Option<(User, User)>, StoreError> {
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            let row = tx
                .query_opt(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE"),
                    &[&id],
                )
                .await
                .map_err(sql)?;
            let Some(row) = row else {
                return Ok(None);
            };
            let before = user_of(&row, 0)?;
            let mut after = before.clone();
            change(&mut after);
            write_user(&tx, &after).await?;
            tx.commit().await.map_err(sql)?;
            Ok(Some((before, after)))
        })
    }

    fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            client
                .execute(
                    "DELETE FROM sessions WHERE expires_at <= $1",
                    &[&session.created_at],
                )
                .await
                .map_err(sql)?;
            client
                .execute(
                    &format!(
                        "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
                    ),
                    &[
                        &session.digest,
                        &session.user_id,
                        &session.created_at,
                        &session.expires_at,
                        &session.last_seen_at,
                        &session.id_token,
                    ],
                )
                .await
                .map(drop)
                .map_err(sql)
        })
    }

    fn session(&self, digest: &str) -> Result<Option<(Session, User)>, StoreError> {
        let columns = SESSION_COLUMNS
            .split(", ")
            .map(|c| format!("s.{c}"))
            .chain(USER_COLUMNS.split(", ").map(|c| format!("u.{c}")))
            .collect::<Vec<_>>()
            .join(", ");
        let db = &self.0;
        let row = db.run(async {
            db.client()
                .await?
                .query_opt(
                    &format!(
                        "SELECT {columns} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1"
                    ),
                    &[&digest],
                )
                .await
                .map_err(sql)
        })?;
        row.map(|row| Ok((session_of(&row), user_of(&row, 6)?)))
            .transpose()
    }

    fn touch_session(&self, session: &Session, now: &str) -> Result<(), StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            client
                .execute(
                    "UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
                    &[&session.digest, &now],
                )
                .await
                .map_err(sql)?;
            client
                .execute(
                    "UPDATE users SET last_seen_at = $2 WHERE id = $1",
                    &[&session.user_id, &now],
                )
                .await
                .map(drop)
                .map_err(sql)
        })
    }

    fn end_session(&self, digest: &str) -> Result<Option<Session>, StoreError> {
        let db = &self.0;
        let row = db.run(async {
            db.client()
                .await?
                .query_opt(
                    &format!("DELETE FROM sessions WHERE id = $1 RETURNING {SESSION_COLUMNS}"),
                    &[&digest],
                )
                .await
                .map_err(sql)
        })?;
        Ok(row.as_ref().map(session_of))
    }

    fn end_sessions_of(&self, user_id: &str, now: &str) -> Result<usize, StoreError> {
        let db = &self.0;
        let ended = db.run(async {
            db.client()
                .await?
                .execute(
                    "UPDATE sessions SET expires_at = $2 WHERE user_id = $1 AND expires_at > $2",
                    &[&user_id, &now],
                )
                .await
                .map_err(sql)
        })?;
        Ok(usize::try_from(ended).unwrap_or(usize::MAX))
    }
}
