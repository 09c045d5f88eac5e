//! The vendor's sales records in SQLite.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use super::sql;
use crate::commerce::records::{
    Applied, Change, CommerceRecords, Delivery, SALE_COLUMNS, SaleRecord, Terms, Unsigned,
};
use crate::store::StoreError;

/// The `commerce_*` tables.
pub struct SqliteCommerce(super::Shared);

impl SqliteCommerce {
    /// Open (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self(super::Shared::open(path)?))
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.lock()
    }
}

fn terms(text: &str) -> Result<Terms, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Database(format!("a stored licence's terms: {e}")))
}

fn terms_text(terms: &Terms) -> Result<String, StoreError> {
    serde_json::to_string(terms).map_err(|e| StoreError::Database(e.to_string()))
}

impl CommerceRecords for SqliteCommerce {
    fn apply(
        &self,
        event_id: &str,
        event_type: &str,
        occurred_at: &str,
        change: &Change,
        received_at: &str,
    ) -> Result<Applied, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sql)?;
        let first = tx
            .execute(
                "INSERT INTO commerce_events (event_id, event_type, occurred_at, received_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (event_id) DO NOTHING",
                params![event_id, event_type, occurred_at, received_at],
            )
            .map_err(sql)?;
        if first == 0 {
            return Ok(Applied::Duplicate);
        }
        match change {
            Change::Customer { id, email, name } => tx.execute(
                "INSERT INTO commerce_customers (customer_id, email, name, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email,
                     name = excluded.name, updated_at = excluded.updated_at
                 WHERE excluded.updated_at >= commerce_customers.updated_at",
                params![id, email, name, occurred_at],
            ),
            Change::Subscription {
                id,
                customer_id,
                status,
                scheduled_change,
            } => tx.execute(
                "INSERT INTO commerce_subscriptions
                     (subscription_id, customer_id, status, scheduled_change, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (subscription_id) DO UPDATE SET
                     customer_id = COALESCE(excluded.customer_id, commerce_subscriptions.customer_id),
                     status = excluded.status, scheduled_change = excluded.scheduled_change,
                     updated_at = excluded.updated_at
                 WHERE excluded.updated_at >= commerce_subscriptions.updated_at",
                params![id, customer_id, status, scheduled_change, occurred_at],
            ),
            Change::Sale(sale) => tx.execute(
                "INSERT INTO commerce_licences (licence_id, transaction_id, customer_id,
                     subscription_id, terms, email, name, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
                params![
                    sale.licence_id,
                    sale.transaction_id,
                    sale.customer_id,
                    sale.subscription_id,
                    terms_text(&sale.terms)?,
                    sale.email,
                    sale.name,
                    received_at
                ],
            ),
        }
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(Applied::New)
    }

    fn unsigned(&self) -> Result<Vec<Unsigned>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare(
                "SELECT l.licence_id, l.terms, COALESCE(l.email, c.email),
                        COALESCE(l.name, c.name, l.email, c.email)
                 FROM commerce_licences l
                 LEFT JOIN commerce_customers c ON c.customer_id = l.customer_id
                 WHERE l.licence_key IS NULL AND COALESCE(l.email, c.email) IS NOT NULL
                 ORDER BY l.created_at",
            )
            .map_err(sql)?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .map_err(sql)?;
        rows.map(|row| {
            let (licence_id, text, email, customer) = row.map_err(sql)?;
            Ok(Unsigned {
                licence_id,
                terms: terms(&text)?,
                email,
                customer,
            })
        })
        .collect()
    }

    fn signed(&self, unsigned: &Unsigned, key: &str, now: &str) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE commerce_licences SET licence_key = ?1, issued_at = ?2, email = ?3,
                     name = ?4, mail_due_at = ?2
                 WHERE licence_id = ?5 AND licence_key IS NULL",
                params![
                    key,
                    now,
                    unsigned.email,
                    unsigned.customer,
                    unsigned.licence_id
                ],
            )
            .map_err(sql)?;
        Ok(changed == 1)
    }

    fn claim_delivery(&self, now: &str, lease_until: &str) -> Result<Option<Delivery>, StoreError> {
        let conn = self.conn();
        let claimed = conn
            .query_row(
                "UPDATE commerce_licences SET mail_due_at = ?2
                 WHERE licence_id = (
                     SELECT licence_id FROM commerce_licences
                     WHERE mailed_at IS NULL AND licence_key IS NOT NULL
                       AND mail_due_at IS NOT NULL AND mail_due_at <= ?1
                     ORDER BY mail_due_at LIMIT 1)
                 RETURNING licence_id, email, licence_key, terms",
                params![now, lease_until],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()
            .map_err(sql)?;
        claimed
            .map(|(licence_id, email, key, text)| {
                Ok(Delivery {
                    licence_id,
                    email,
                    key,
                    terms: terms(&text)?,
                })
            })
            .transpose()
    }

    fn delivered(&self, licence_id: &str, at: &str) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE commerce_licences SET mailed_at = ?1, mail_due_at = NULL, mail_error = NULL
                 WHERE licence_id = ?2",
                params![at, licence_id],
            )
            .map_err(sql)?;
        Ok(())
    }

    fn sales(&self) -> Result<Vec<SaleRecord>, StoreError> {
        let conn = self.conn();
        let mut statement = conn
            .prepare(&format!(
                "SELECT {SALE_COLUMNS} FROM commerce_licences l
                 LEFT JOIN commerce_customers c ON c.customer_id = l.customer_id
                 ORDER BY l.created_at, l.licence_id"
            ))
            .map_err(sql)?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    (
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                        row.get::<_, String>(4)?,
                    ),
                    (
                        row.get::<_, String>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, Option<String>>(7)?,
                        row.get::<_, Option<String>>(8)?,
                    ),
                ))
            })
            .map_err(sql)?;
        rows.map(|row| {
            let (
                (licence_id, transaction_id, customer_id, email, text),
                (created_at, issued_at, mailed_at, mail_error),
            ) = row.map_err(sql)?;
            Ok(SaleRecord {
                licence_id,
                transaction_id,
                customer_id,
                email,
                terms: terms(&text)?,
                created_at,
                issued_at,
                mailed_at,
                mail_error,
            })
        })
        .collect()
    }

    fn resend(&self, licence_id: &str, now: &str) -> Result<bool, StoreError> {
        let changed = self
            .conn()
            .execute(
                "UPDATE commerce_licences SET mailed_at = NULL, mail_error = NULL, mail_due_at = ?1
                 WHERE licence_id = ?2 AND licence_key IS NOT NULL",
                params![now, licence_id],
            )
            .map_err(sql)?;
        Ok(changed == 1)
    }

    fn delivery_failed(
        &self,
        licence_id: &str,
        error: &str,
        retry_at: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE commerce_licences SET mail_error = ?1, mail_due_at = ?2
                 WHERE licence_id = ?3",
                params![error, retry_at, licence_id],
            )
            .map_err(sql)?;
        Ok(())
    }
}
