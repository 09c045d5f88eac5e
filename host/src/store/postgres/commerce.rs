//! The vendor's sales records in PostgreSQL: every replica may receive a notification or send
//! a licence's e-mail; the event id's key and `FOR UPDATE SKIP LOCKED` make each happen once.

use super::{Database, sql};
use crate::commerce::records::{
    Applied, Change, CommerceRecords, Delivery, SALE_COLUMNS, SaleRecord, Terms, Unsigned,
};
use crate::store::StoreError;

/// The `commerce_*` tables.
pub struct PgCommerce(pub Database);

fn terms(text: &str) -> Result<Terms, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Database(format!("a stored licence's terms: {e}")))
}

impl CommerceRecords for PgCommerce {
    fn apply(
        &self,
        event_id: &str,
        event_type: &str,
        occurred_at: &str,
        change: &Change,
        received_at: &str,
    ) -> Result<Applied, StoreError> {
        let db = &self.0;
        db.run(async {
            let mut client = db.client().await?;
            let tx = client.transaction().await.map_err(sql)?;
            let first = tx
                .execute(
                    "INSERT INTO commerce_events (event_id, event_type, occurred_at, received_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING",
                    &[&event_id, &event_type, &occurred_at, &received_at],
                )
                .await
                .map_err(sql)?;
            if first == 0 {
                return Ok(Applied::Duplicate);
            }
            match change {
                Change::Customer { id, email, name } => {
                    tx.execute(
                        "INSERT INTO commerce_customers (customer_id, email, name, updated_at)
                         VALUES ($1, $2, $3, $4)
                         ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email,
                             name = excluded.name, updated_at = excluded.updated_at
                         WHERE excluded.updated_at >= commerce_customers.updated_at",
                        &[id, email, name, &occurred_at],
                    )
                    .await
                }
                Change::Subscription {
                    id,
                    customer_id,
                    status,
                    scheduled_change,
                } => {
                    tx.execute(
                        "INSERT INTO commerce_subscriptions
                             (subscription_id, customer_id, status, scheduled_change, updated_at)
                         VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (subscription_id) DO UPDATE SET
                             customer_id = COALESCE(excluded.customer_id, commerce_subscriptions.customer_id),
                             status = excluded.status, scheduled_change = excluded.scheduled_change,
                             updated_at = excluded.updated_at
                         WHERE excluded.updated_at >= commerce_subscriptions.updated_at",
                        &[id, customer_id, status, scheduled_change, &occurred_at],
                    )
                    .await
                }
                Change::Sale(sale) => {
                    let terms = serde_json::to_string(&sale.terms)
                        .map_err(|e| StoreError::Database(e.to_string()))?;
                    tx.execute(
                        "INSERT INTO commerce_licences (licence_id, transaction_id, customer_id,
                             subscription_id, terms, email, name, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                        &[
                            &sale.licence_id,
                            &sale.transaction_id,
                            &sale.customer_id,
                            &sale.subscription_id,
                            &terms,
                            &sale.email,
                            &sale.name,
                            &received_at,
                        ],
                    )
                    .await
                }
            }
            .map_err(sql)?;
            tx.commit().await.map_err(sql)?;
            Ok(Applied::New)
        })
    }

    fn unsigned(&self) -> Result<Vec<Unsigned>, StoreError> {
        let db = &self.0;
        let rows = db.run(async {
            db.client()
                .await?
                .query(
                    "SELECT l.licence_id, l.terms, COALESCE(l.email, c.email),
                            COALESCE(l.name, c.name, l.email, c.email)
                     FROM commerce_licences l
                     LEFT JOIN commerce_customers c ON c.customer_id = l.customer_id
                     WHERE l.licence_key IS NULL AND COALESCE(l.email, c.email) IS NOT NULL
                     ORDER BY l.created_at",
                    &[],
                )
                .await
                .map_err(sql)
        })?;
        rows.iter()
            .map(|row| {
                Ok(Unsigned {
                    licence_id: row.get(0),
                    terms: terms(row.get(1))?,
                    email: row.get(2),
                    customer: row.get(3),
                })
            })
            .collect()
    }

    fn signed(&self, unsigned: &Unsigned, key: &str, now: &str) -> Result<bool, StoreError> {
        let db = &self.0;
        db.run(async {
            let changed = db
                .client()
                .await?
                .execute(
                    "UPDATE commerce_licences SET licence_key = $1, issued_at = $2, email = $3,
                         name = $4, mail_due_at = $2
                     WHERE licence_id = $5 AND licence_key IS NULL",
                    &[
                        &key,
                        &now,
                        &unsigned.email,
                        &unsigned.customer,
                        &unsigned.licence_id,
                    ],
                )
                .await
                .map_err(sql)?;
            Ok(changed == 1)
        })
    }

    fn claim_delivery(&self, now: &str, lease_until: &str) -> Result<Option<Delivery>, StoreError> {
        let db = &self.0;
        let row = db.run(async {
            db.client()
                .await?
                .query_opt(
                    "UPDATE commerce_licences SET mail_due_at = $2
                     WHERE licence_id = (
                         SELECT licence_id FROM commerce_licences
                         WHERE mailed_at IS NULL AND licence_key IS NOT NULL
                           AND mail_due_at IS NOT NULL AND mail_due_at <= $1
                         ORDER BY mail_due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                     RETURNING licence_id, email, licence_key, terms",
                    &[&now, &lease_until],
                )
                .await
                .map_err(sql)
        })?;
        row.map(|row| {
            Ok(Delivery {
                licence_id: row.get(0),
                email: row.get(1),
                key: row.get(2),
                terms: terms(row.get(3))?,
            })
        })
        .transpose()
    }

    fn delivered(&self, licence_id: &str, at: &str) -> Result<(), StoreError> {
        let db = &self.0;
        db.run(async {
            db.client()
                .await?
                .execute(
                    "UPDATE commerce_licences SET mailed_at = $1, mail_due_at = NULL,
                         mail_error = NULL
                     WHERE licence_id = $2",
                    &[&at, &licence_id],
                )
                .await
                .map_err(sql)?;
            Ok(())
        })
    }

    fn sales(&self) -> Result<Vec<SaleRecord>, StoreError> {
        let db = &self.0;
        let rows = db.run(async {
            db.client()
                .await?
                .query(
                    &format!(
                        "SELECT {SALE_COLUMNS} FROM commerce_licences l
                         LEFT JOIN commerce_customers c ON c.customer_id = l.customer_id
                         ORDER BY l.created_at, l.licence_id"
                    ),
                    &[],
                )
                .await
                .map_err(sql)
        })?;
        rows.iter()
            .map(|row| {
                Ok(SaleRecord {
                    licence_id: row.get(0),
                    transaction_id: row.get(1),
                    customer_id: row.get(2),
                    email: row.get(3),
                    terms: terms(row.get(4))?,
                    created_at: row.get(5),
                    issued_at: row.get(6),
                    mailed_at: row.get(7),
                    mail_error: row.get(8),
                })
            })
            .collect()
    }

    fn resend(&self, licence_id: &str, now: &str) -> Result<bool, StoreError> {
        let db = &self.0;
        db.run(async {
            let changed = db
                .client()
                .await?
                .execute(
                    "UPDATE commerce_licences SET mailed_at = NULL, mail_error = NULL, mail_due_at = $1
                     WHERE licence_id = $2 AND licence_key IS NOT NULL",
                    &[&now, &licence_id],
                )
                .await
                .map_err(sql)?;
            Ok(changed == 1)
        })
    }

    fn delivery_failed(
        &self,
        licence_id: &str,
        error: &str,
        retry_at: Option<&str>,
    ) -> Result<(), StoreError> {
        let db = &self.0;
        db.run(async {
            db.client()
                .await?
                .execute(
                    "UPDATE commerce_licences SET mail_error = $1, mail_due_at = $2
                     WHERE licence_id = $3",
                    &[&error, &retry_at, &licence_id],
                )
                .await
                .map_err(sql)?;
            Ok(())
        })
    }
}
