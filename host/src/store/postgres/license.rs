//! Licensing's first uses in PostgreSQL: the first replica to start an evaluation or use a
//! licence sets the time every replica then reads.

use super::{Database, sql};
use crate::license::live::LicenseFacts;
use crate::store::StoreError;

/// The `license_facts` table.
pub struct PgLicenseFacts(pub Database);

impl LicenseFacts for PgLicenseFacts {
    fn first_use(&self, name: &str, now: &str) -> Result<String, StoreError> {
        let db = &self.0;
        db.run(async {
            let client = db.client().await?;
            client
                .execute(
                    "INSERT INTO license_facts (name, at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                    &[&name, &now],
                )
                .await
                .map_err(sql)?;
            Ok(client
                .query_one("SELECT at FROM license_facts WHERE name = $1", &[&name])
                .await
                .map_err(sql)?
                .get(0))
        })
    }
}
