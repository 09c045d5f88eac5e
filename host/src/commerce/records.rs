//! What the vendor's store keeps of sales: customers, subscriptions, every licence issued with
//! the state of its e-mail, and the ids of the events already applied. One trait, a SQLite and a
//! PostgreSQL implementation (`store::{sqlite,postgres}::commerce`).

use serde::{Deserialize, Serialize};

use crate::license::{Feature, Tier};
use crate::store::StoreError;

/// A change a notification makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A customer was created or updated (the e-mail arrives here, not with the sale).
    Customer {
        /// `ctm_...`
        id: String,
        /// Their e-mail, if Paddle has one.
        email: Option<String>,
        /// Their name, if given.
        name: Option<String>,
    },
    /// A subscription's status changed (created, updated, canceled, paused, ...).
    Subscription {
        /// `sub_...`
        id: String,
        /// Its customer.
        customer_id: Option<String>,
        /// Paddle's status: active, canceled, paused, past_due, trialing.
        status: String,
        /// A change Paddle has scheduled (JSON), e.g. a cancellation at the period's end.
        scheduled_change: Option<String>,
    },
    /// A paid transaction that buys a licence (a first purchase or a renewal).
    Sale(Box<Sale>),
}

/// A paid transaction that buys a licence.
#[derive(Debug, Clone, PartialEq)]
pub struct Sale {
    /// The licence's id, derived from the transaction's so that it is issued once.
    pub licence_id: String,
    /// `txn_...`
    pub transaction_id: String,
    /// `ctm_...`
    pub customer_id: String,
    /// `sub_...`, for subscriptions.
    pub subscription_id: Option<String>,
    /// An e-mail the checkout passed in `custom_data`, used before the customer's.
    pub email: Option<String>,
    /// A name the checkout passed in `custom_data`.
    pub name: Option<String>,
    /// What it buys.
    pub terms: Terms,
}

/// What a sale buys; kept as JSON with the licence until it is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// The tier.
    pub tier: Tier,
    /// Seats; `None`: the tier's.
    pub seats: Option<u32>,
    /// Features beyond the tier's.
    pub features: Vec<Feature>,
    /// When the licence stops (RFC 3339).
    pub valid_until: String,
    /// The price that was sold.
    pub price_id: String,
    /// Whether it renews a subscription (the e-mail says so).
    pub renewal: bool,
}

/// Whether an event was applied now or before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// First seen: recorded.
    New,
    /// Seen before (a retry or a replay): nothing changed.
    Duplicate,
}

/// A licence bought by a customer whose e-mail is known, not signed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsigned {
    /// Its id.
    pub licence_id: String,
    /// What it buys.
    pub terms: Terms,
    /// Where it goes.
    pub email: String,
    /// Whom it is for: the customer's name, else the e-mail.
    pub customer: String,
}

/// A signed licence whose e-mail is due, claimed by one sender for a while.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Its id.
    pub licence_id: String,
    /// Where it goes.
    pub email: String,
    /// The licence key.
    pub key: String,
    /// What it buys.
    pub terms: Terms,
}

/// One licence sold, as the vendor reviews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SaleRecord {
    /// The licence's id.
    pub licence_id: String,
    /// `txn_...`
    pub transaction_id: String,
    /// `ctm_...`
    pub customer_id: String,
    /// Where it goes, once known.
    pub email: Option<String>,
    /// What it buys.
    pub terms: Terms,
    /// When the sale was recorded.
    pub created_at: String,
    /// When the licence was signed.
    pub issued_at: Option<String>,
    /// When its e-mail was accepted by the SMTP server.
    pub mailed_at: Option<String>,
    /// Why its last e-mail failed.
    pub mail_error: Option<String>,
}

impl SaleRecord {
    /// Where it stands, in a few words.
    pub fn state(&self) -> &'static str {
        match (&self.issued_at, &self.mailed_at, &self.mail_error) {
            (None, _, _) => "waiting for the customer's e-mail",
            (Some(_), Some(_), _) => "sent",
            (Some(_), None, Some(_)) => "e-mail failed",
            (Some(_), None, None) => "sending",
        }
    }
}

/// The columns [`SaleRecord`] is read from (`l`: the licences, `c`: the customers).
pub const SALE_COLUMNS: &str = "l.licence_id, l.transaction_id, l.customer_id, COALESCE(l.email, c.email), l.terms, l.created_at, l.issued_at, l.mailed_at, l.mail_error";

/// The vendor's sales records.
pub trait CommerceRecords: Send + Sync + 'static {
    /// Apply `change` for the event `event_id`, in one transaction with recording the id:
    /// an event seen before changes nothing. Customer and subscription records only move
    /// forward in time (`occurred_at`), since Paddle delivers in no guaranteed order.
    fn apply(
        &self,
        event_id: &str,
        event_type: &str,
        occurred_at: &str,
        change: &Change,
        received_at: &str,
    ) -> Result<Applied, StoreError>;

    /// Licences not yet signed whose customer's e-mail is now known.
    fn unsigned(&self) -> Result<Vec<Unsigned>, StoreError>;

    /// Store the signed `key` for `unsigned` and make its e-mail due at `now`; `false` if
    /// another replica signed it first.
    fn signed(&self, unsigned: &Unsigned, key: &str, now: &str) -> Result<bool, StoreError>;

    /// Claim the oldest licence whose e-mail is due at `now`, until `lease_until` (so that no
    /// other replica sends it meanwhile).
    fn claim_delivery(&self, now: &str, lease_until: &str) -> Result<Option<Delivery>, StoreError>;

    /// The e-mail of `licence_id` went out at `at`.
    fn delivered(&self, licence_id: &str, at: &str) -> Result<(), StoreError>;

    /// Every licence sold, oldest first.
    fn sales(&self) -> Result<Vec<SaleRecord>, StoreError>;

    /// Send the signed licence `licence_id` again (due at `now`); `false` if there is no such
    /// signed licence.
    fn resend(&self, licence_id: &str, now: &str) -> Result<bool, StoreError>;

    /// The e-mail of `licence_id` failed with `error`; try again at `retry_at`, or never.
    fn delivery_failed(
        &self,
        licence_id: &str,
        error: &str,
        retry_at: Option<&str>,
    ) -> Result<(), StoreError>;
}
