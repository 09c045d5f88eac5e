//! After the webhook has answered: sign each recorded sale once its buyer's e-mail is known,
//! and e-mail the licence (attached, and in the body), retrying while the SMTP server is
//! unreachable. Every replica may run this; the store lets one of them sign and send each.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::Commerce;
use super::event::normalized;
use super::records::{Delivery, Unsigned};
use crate::license::token::{self, PRODUCT, Payload};
use crate::mail::{MailError, Notice, NoticeAttachment};
use crate::store::StoreError;

/// How often pending work is looked for when nothing wakes the loop (retries fall due, or
/// `prax license resend` asked for one): two indexed queries.
const POLL: Duration = Duration::from_secs(5);
/// How long a claimed e-mail is left to its sender before another may try.
const LEASE: Duration = Duration::from_secs(120);
/// The longest wait between attempts to send one e-mail.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// The attachment's name.
pub const ATTACHMENT: &str = "praximous-licence.key";

/// Sign and send until the server stops.
pub async fn run(commerce: Arc<Commerce>) {
    let mut attempts: HashMap<String, u32> = HashMap::new();
    loop {
        let worker = commerce.clone();
        match tokio::task::spawn_blocking(move || worker.sign_pending()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "cannot sign the licences sold"),
            Err(error) => tracing::error!(%error, "licence signing failed"),
        }
        if let Err(error) = commerce.send_due(&mut attempts).await {
            tracing::error!(%error, "cannot send the licences due");
        }
        tokio::select! {
            () = commerce.wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

impl Commerce {
    /// Sign every sale whose buyer's e-mail is known. Blocking.
    fn sign_pending(&self) -> Result<(), StoreError> {
        for unsigned in self.records.unsigned()? {
            let now = OffsetDateTime::now_utc();
            let key = match token::issue(&self.payload(&unsigned, now), &self.key) {
                Ok(key) => key,
                Err(error) => {
                    tracing::error!(licence = %unsigned.licence_id, %error, "cannot sign a licence");
                    continue;
                }
            };
            if self.records.signed(&unsigned, &key, &normalized(now))? {
                tracing::info!(
                    licence = %unsigned.licence_id,
                    tier = unsigned.terms.tier.as_str(),
                    valid_until = %unsigned.terms.valid_until,
                    "licence issued"
                );
            }
        }
        Ok(())
    }

    fn payload(&self, unsigned: &Unsigned, now: OffsetDateTime) -> Payload {
        Payload {
            product: PRODUCT.into(),
            id: unsigned.licence_id.clone(),
            customer: unsigned.customer.clone(),
            email: unsigned.email.clone(),
            tier: unsigned.terms.tier,
            features: unsigned.terms.features.clone(),
            seats: unsigned.terms.seats,
            issued_at: normalized(now),
            valid_until: unsigned.terms.valid_until.clone(),
            key_id: self.key.public_key().key_id(),
        }
    }

    /// Send every e-mail that is due, one claim at a time.
    async fn send_due(&self, attempts: &mut HashMap<String, u32>) -> Result<(), StoreError> {
        loop {
            let now = OffsetDateTime::now_utc();
            let records = self.records.clone();
            let (at, until) = (normalized(now), normalized(now + LEASE));
            let claimed = tokio::task::spawn_blocking(move || records.claim_delivery(&at, &until))
                .await
                .map_err(|e| StoreError::Database(e.to_string()))??;
            let Some(delivery) = claimed else {
                return Ok(());
            };
            let result = self.outbox.send_notice(notice(&delivery)).await;
            let records = self.records.clone();
            let id = delivery.licence_id.clone();
            let done = match result {
                Ok(receipt) => {
                    tracing::info!(licence = %id, to = %delivery.email, message_id = %receipt.message_id, "licence e-mailed");
                    attempts.remove(&id);
                    let at = normalized(OffsetDateTime::now_utc());
                    tokio::task::spawn_blocking(move || records.delivered(&id, &at)).await
                }
                Err(error) => {
                    let retry = retry_at(&error, attempts.entry(id.clone()).or_default());
                    tracing::warn!(licence = %id, to = %delivery.email, %error, retry_at = retry.as_deref().unwrap_or("never"), "cannot e-mail a licence");
                    let message = error.to_string();
                    tokio::task::spawn_blocking(move || {
                        records.delivery_failed(&id, &message, retry.as_deref())
                    })
                    .await
                }
            };
            done.map_err(|e| StoreError::Database(e.to_string()))??;
        }
    }
}

/// When to try again after `error`, the `attempts`-th failure: soon while the server is
/// unreachable, never when it refused the message for good.
fn retry_at(error: &MailError, attempts: &mut u32) -> Option<String> {
    match error {
        MailError::Rejected(_) | MailError::Invalid(_) | MailError::Denied(_) => None,
        MailError::Unavailable(_) | MailError::NotConfigured(_) => {
            *attempts = attempts.saturating_add(1);
            let wait = Duration::from_secs(30u64.saturating_mul(1 << (*attempts).min(10)))
                .min(MAX_BACKOFF);
            Some(normalized(OffsetDateTime::now_utc() + wait))
        }
    }
}

/// The e-mail that carries `delivery`'s licence.
fn notice(delivery: &Delivery) -> Notice {
    let terms = &delivery.terms;
    let seats = terms
        .seats
        .or(terms.tier.seats())
        .map_or_else(|| "unlimited".to_owned(), |seats| seats.to_string());
    let until = terms.valid_until.get(..10).unwrap_or(&terms.valid_until);
    let (subject, opening) = if terms.renewal {
        (
            "Your renewed Praximous licence",
            "Thank you for renewing. Your renewed Praximous licence is attached",
        )
    } else {
        (
            "Your Praximous licence",
            "Thank you for your purchase. Your Praximous licence is attached",
        )
    };
    let body = format!(
        "{opening} ({ATTACHMENT}) and below.\n\n\
         Licence:     {id}\n\
         Tier:        {tier}\n\
         Seats:       {seats}\n\
         Valid until: {until}\n\n\
         To install it, run on the server:\n\n    prax license install {ATTACHMENT}\n\n\
         or paste it on the Licence page of the web UI (as an admin). It takes effect without a restart.\n\n\
         -----BEGIN PRAXIMOUS LICENCE-----\n{key}\n-----END PRAXIMOUS LICENCE-----\n",
        id = delivery.licence_id,
        tier = terms.tier.title(),
        key = delivery.key,
    );
    Notice {
        to: delivery.email.clone(),
        subject: subject.into(),
        body,
        attachment: Some(NoticeAttachment {
            filename: ATTACHMENT.into(),
            content_type: "text/plain".into(),
            content: format!("{}\n", delivery.key).into_bytes(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commerce::records::Terms;
    use crate::license::Tier;

    #[test]
    fn unreachable_servers_are_retried_later_and_refusals_never() {
        let mut attempts = 0;
        assert!(retry_at(&MailError::Unavailable("down".into()), &mut attempts).is_some());
        assert_eq!(attempts, 1);
        assert!(retry_at(&MailError::Rejected("550".into()), &mut attempts).is_none());
    }

    #[test]
    fn the_email_carries_the_key_attached_and_in_its_body() {
        let delivery = Delivery {
            licence_id: "lic_txn_1".into(),
            email: "it@acme.example".into(),
            key: "prax-license-v1.abc.def".into(),
            terms: Terms {
                tier: Tier::Team,
                seats: None,
                features: vec![],
                valid_until: "2027-01-08T00:00:00.000000Z".into(),
                price_id: "pri_1".into(),
                renewal: true,
            },
        };
        let notice = notice(&delivery);
        assert_eq!(notice.subject, "Your renewed Praximous licence");
        assert!(notice.body.contains("Seats:       50"), "{}", notice.body);
        assert!(notice.body.contains("Valid until: 2027-01-08\n"));
        assert!(notice.body.contains("\nprax-license-v1.abc.def\n"));
        let attachment = notice.attachment.unwrap_or_else(|| panic!("no attachment"));
        assert_eq!(attachment.content, b"prax-license-v1.abc.def\n");
    }
}
