//! Per-key request limits shared by every replica: one GCRA state per key in the store,
//! checked and advanced in one statement, so two replicas together admit what one would.

use super::{Database, sql};
use crate::auth::throttle::{SharedRateLimits, TakeFuture};

/// The whole budget of a key is spent in this window (as the per-replica limiter does:
/// a limit per minute admits that many at once, then refills evenly).
const WINDOW_US: i64 = 60_000_000;

/// Admit when the key's theoretical arrival time, pushed back by one request's share of the
/// window, stays within the window from now; the row is locked while it is decided.
const TAKE: &str = "WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS us) \
    INSERT INTO key_rate_limits AS k (key_id, theoretical_arrival_us) \
    SELECT $1, now.us + $2 FROM now \
    ON CONFLICT (key_id) DO UPDATE SET theoretical_arrival_us = \
        GREATEST(k.theoretical_arrival_us, (SELECT us FROM now)) + $2 \
    WHERE GREATEST(k.theoretical_arrival_us, (SELECT us FROM now)) + $2 - (SELECT us FROM now) <= $3 \
    RETURNING 0";

const WAIT: &str = "SELECT theoretical_arrival_us + $2 - $3 \
    - (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM key_rate_limits WHERE key_id = $1";

/// Rate limits kept in PostgreSQL.
pub struct PgRateLimits(pub Database);

impl SharedRateLimits for PgRateLimits {
    fn take<'a>(&'a self, key_id: &'a str, per_minute: u32) -> TakeFuture<'a> {
        Box::pin(async move {
            let interval = WINDOW_US / i64::from(per_minute.max(1));
            let client = self.0.client().await?;
            if client
                .query_opt(TAKE, &[&key_id, &interval, &WINDOW_US])
                .await
                .map_err(sql)?
                .is_some()
            {
                return Ok(None);
            }
            let wait_us: i64 = client
                .query_opt(WAIT, &[&key_id, &interval, &WINDOW_US])
                .await
                .map_err(sql)?
                .map_or(0, |row| row.get(0));
            Ok(Some(std::time::Duration::from_micros(
                u64::try_from(wait_us).unwrap_or(0).max(1000),
            )))
        })
    }
}
