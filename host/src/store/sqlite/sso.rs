//! Single sign-on's users, sessions and sign-ins under way in SQLite.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};

use super::sql;
use crate::sso::store::{
    PendingSignIn, Session, SignInFacts, SsoStore, USER_COLUMNS, User, UserColumns, signed_in,
};
use crate::store::StoreError;

/// The `users`, `sessions` and `sso_sign_ins` tables.
pub struct SqliteSso(super::Shared);

impl SqliteSso {
    /// Open (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self(super::Shared::open(path)?))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.lock()
    }
}

fn user_row(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<UserColumns> {
    let mut text: [Option<String>; 15] = Default::default();
    for (index, slot) in text.iter_mut().enumerate() {
        *slot = row.get(first + index)?;
    }
    Ok(UserColumns { text })
}

fn find_user(
    conn: &Connection,
    condition: &str,
    values: &[&str],
) -> Result<Option<User>, StoreError> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE {condition}"),
        params_from_iter(values),
        |row| user_row(row, 0),
    )
    .optional()
    .map_err(sql)?
    .map(UserColumns::into_user)
    .transpose()
}

fn write_user(conn: &Connection, user: &User) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        ),
        params_from_iter(UserColumns::of(user)),
    )
    .map(drop)
    .map_err(sql)
}

const SESSION_COLUMNS: &str = "id, user_id, created_at, expires_at, last_seen_at, id_token";

fn session_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        digest: row.get(0)?,
        user_id: row.get(1)?,
        created_at: row.get(2)?,
        expires_at: row.get(3)?,
        last_seen_at: row.get(4)?,
        id_token: row.get(5)?,
    })
}

impl SsoStore for SqliteSso {
    fn put_pending(&self, pending: &PendingSignIn, now: &str) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM sso_sign_ins WHERE expires_at <= ?1",
            params![now],
        )
        .map_err(sql)?;
        conn.execute(
            "INSERT INTO sso_sign_ins (state, binding, nonce, verifier, return_to, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                pending.state_digest,
                pending.binding_digest,
                pending.nonce,
                pending.verifier,
                pending.return_to,
                pending.expires_at
            ],
        )
        .map(drop)
        .map_err(sql)
    }

    fn take_pending(
        &self,
        state_digest: &str,
        now: &str,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        let conn = self.conn();
        let pending = conn
            .query_row(
                "DELETE FROM sso_sign_ins WHERE state = ?1 RETURNING state, binding, nonce, verifier, return_to, expires_at",
                params![state_digest],
                |row| {
                    Ok(PendingSignIn {
                        state_digest: row.get(0)?,
                        binding_digest: row.get(1)?,
                        nonce: row.get(2)?,
                        verifier: row.get(3)?,
                        return_to: row.get(4)?,
                        expires_at: row.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(sql)?;
        Ok(pending.filter(|p| p.expires_at.as_str() > now))
    }

    fn record_sign_in(
        &self,
        facts: &SignInFacts,
        now: &str,
    ) -> Result<(Option<User>, User), StoreError> {
        let new_id = crate::sso::new_user_id();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let before = find_user(
            &tx,
            "issuer = ?1 AND subject = ?2",
            &[&facts.issuer, &facts.subject],
        )?;
        let after = signed_in(before.as_ref(), facts, &new_id, now);
        write_user(&tx, &after)?;
        tx.commit().map_err(sql)?;
        Ok((before, after))
    }

    fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        find_user(&self.conn(), "id = ?1", &[id])
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare(&format!(
                "SELECT {USER_COLUMNS} FROM users ORDER BY last_seen_at DESC, id"
            ))
            .map_err(sql)?;
        let rows = statement
            .query_map([], |row| user_row(row, 0))
            .map_err(sql)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql)?;
        rows.into_iter().map(UserColumns::into_user).collect()
    }

    fn modify_user(
        &self,
        id: &str,
        change: &mut (dyn FnMut(&mut User) + Send),
    ) -> Result<Option<(User, User)>, StoreError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let Some(before) = find_user(&tx, "id = ?1", &[id])? else {
            return Ok(None);
        };
        let mut after = before.clone();
        change(&mut after);
        write_user(&tx, &after)?;
        tx.commit().map_err(sql)?;
        Ok(Some((before, after)))
    }

    fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM sessions WHERE expires_at <= ?1",
            params![session.created_at],
        )
        .map_err(sql)?;
        conn.execute(
            &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            params![
                session.digest,
                session.user_id,
                session.created_at,
                session.expires_at,
                session.last_seen_at,
                session.id_token
            ],
        )
        .map(drop)
        .map_err(sql)
    }

    fn session(&self, digest: &str) -> Result<Option<(Session, User)>, StoreError> {
        let conn = self.conn();
        let columns = SESSION_COLUMNS
            .split(", ")
            .map(|c| format!("s.{c}"))
            .chain(USER_COLUMNS.split(", ").map(|c| format!("u.{c}")))
            .collect::<Vec<_>>()
            .join(", ");
        let found = conn
            .query_row(
                &format!(
                    "SELECT {columns} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?1"
                ),
                params![digest],
                |row| Ok((session_row(row)?, user_row(row, 6)?)),
            )
            .optional()
            .map_err(sql)?;
        found
            .map(|(session, user)| Ok((session, user.into_user()?)))
            .transpose()
    }

    fn touch_session(&self, session: &Session, now: &str) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.execute(
            "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1",
            params![session.digest, now],
        )
        .map_err(sql)?;
        conn.execute(
            "UPDATE users SET last_seen_at = ?2 WHERE id = ?1",
            params![session.user_id, now],
        )
        .map(drop)
        .map_err(sql)
    }

    fn end_session(&self, digest: &str) -> Result<Option<Session>, StoreError> {
        self.conn()
            .query_row(
                &format!("DELETE FROM sessions WHERE id = ?1 RETURNING {SESSION_COLUMNS}"),
                params![digest],
                session_row,
            )
            .optional()
            .map_err(sql)
    }

    fn end_sessions_of(&self, user_id: &str, now: &str) -> Result<usize, StoreError> {
        self.conn()
            .execute(
                "UPDATE sessions SET expires_at = ?2 WHERE user_id = ?1 AND expires_at > ?2",
                params![user_id, now],
            )
            .map_err(sql)
    }
}
