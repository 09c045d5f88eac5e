//! The vendor's licence provisioning: Paddle Billing's notifications (`POST
//! /api/v1/webhooks/paddle`) become licences, signed with the vendor key and e-mailed to the
//! buyer, with no human in the loop. Enabled only where `[commerce]` is configured — the
//! vendor's own server, never a customer's.
//!
//! A notification is verified ([`signature`]), read ([`event`]) and recorded in one store
//! transaction together with its event id ([`records`]), so a retried or replayed delivery
//! changes nothing twice. Signing and e-mailing happen after the answer, in [`delivery`]: a
//! sale whose customer's e-mail has not arrived yet (Paddle sends the customer in its own
//! events, in no guaranteed order) waits for it, and an SMTP server that is down is retried.

pub mod delivery;
pub mod event;
pub mod records;
pub mod signature;

use std::sync::Arc;

use time::OffsetDateTime;

use crate::config::CommerceConfig;
use crate::environment::Environment;
use crate::license::vendor::VendorKey;
use crate::mail::Outbox;
use crate::store::StoreError;
use event::{Effect, Malformed};
use records::{Applied, Change, CommerceRecords};
use signature::SignatureError;

/// Why provisioning could not be set up from `[commerce]`: the server does not start.
#[derive(Debug, thiserror::Error)]
pub enum CommerceSetupError {
    /// The webhook secret's variable is unset.
    #[error(
        "[commerce] webhook_secret_env names {0}, which is not set: set it to the notification destination's secret key from Paddle"
    )]
    SecretUnset(String),
    /// The signing key cannot be read or is not a vendor key.
    #[error("[commerce] signing_key {path}: {problem}")]
    SigningKey {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// There is no `[mail]` to send licences through.
    #[error("[commerce] e-mails each licence it issues: add a [mail] table too")]
    NoMail,
}

/// Why a notification was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The signature is missing, wrong or stale: 401, Paddle retries.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The body is not a notification we can read: 400, nothing stored.
    #[error(transparent)]
    Malformed(#[from] Malformed),
    /// The store failed: 503, Paddle retries.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What became of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Its event id.
    pub event_id: String,
    /// Its event type.
    pub event_type: String,
    /// `recorded`, `duplicate` or `ignored`.
    pub status: &'static str,
    /// In a sentence.
    pub detail: String,
}

/// Provisioning, configured.
pub struct Commerce {
    config: CommerceConfig,
    secret: String,
    key: VendorKey,
    records: Arc<dyn CommerceRecords>,
    outbox: Arc<Outbox>,
    wake: tokio::sync::Notify,
}

impl Commerce {
    /// Set up from `[commerce]`: the secret from the environment, the signing key from its
    /// file, the store's records and the `[mail]` outbox.
    pub fn new(
        config: &CommerceConfig,
        env: &Environment,
        records: Arc<dyn CommerceRecords>,
        outbox: Option<Arc<Outbox>>,
    ) -> Result<Self, CommerceSetupError> {
        let secret = env
            .non_blank(&config.webhook_secret_env)
            .ok_or_else(|| CommerceSetupError::SecretUnset(config.webhook_secret_env.clone()))?;
        let key_problem = |problem: String| CommerceSetupError::SigningKey {
            path: config.signing_key.clone(),
            problem,
        };
        let text =
            std::fs::read_to_string(&config.signing_key).map_err(|e| key_problem(e.to_string()))?;
        let key = VendorKey::parse(&text).map_err(|e| key_problem(e.to_string()))?;
        Ok(Self {
            config: config.clone(),
            secret: secret.trim().to_owned(),
            key,
            records,
            outbox: outbox.ok_or(CommerceSetupError::NoMail)?,
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Take one delivery: verify its signature over the raw `body`, read it, and record what
    /// it changes once. Blocking (the store).
    pub fn receive(
        &self,
        signature_header: Option<&str>,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<Outcome, WebhookError> {
        signature::verify(
            signature_header,
            body,
            &self.secret,
            now.unix_timestamp(),
            self.config.signature_tolerance_s,
        )?;
        let notification = event::read(body, &self.config)?;
        let outcome = |status, detail: String| Outcome {
            event_id: notification.event_id.clone(),
            event_type: notification.event_type.clone(),
            status,
            detail,
        };
        let change = match &notification.effect {
            Effect::Ignored(why) => return Ok(outcome("ignored", why.clone())),
            Effect::Apply(change) => change,
        };
        let applied = self.records.apply(
            &notification.event_id,
            &notification.event_type,
            &notification.occurred_at,
            change,
            &event::normalized(now),
        )?;
        Ok(match applied {
            Applied::Duplicate => outcome(
                "duplicate",
                "this event was received before; nothing was done again".into(),
            ),
            Applied::New => {
                if matches!(change, Change::Sale(_) | Change::Customer { .. }) {
                    self.wake.notify_one();
                }
                outcome("recorded", describe(change))
            }
        })
    }
}

/// What a recorded change means, for the answer and the log.
fn describe(change: &Change) -> String {
    match change {
        Change::Customer { id, email, .. } => match email {
            Some(_) => format!("customer {id} recorded; licences waiting for their e-mail go out"),
            None => format!("customer {id} recorded (no e-mail yet)"),
        },
        Change::Subscription { id, status, .. } => {
            format!("subscription {id} is {status}")
        }
        Change::Sale(sale) => format!(
            "licence {} ({} tier, until {}) recorded; it is signed and e-mailed once the customer's e-mail is known",
            sale.licence_id,
            sale.terms.tier.title(),
            sale.terms.valid_until
        ),
    }
}
