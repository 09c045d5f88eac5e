//! Paddle Billing notifications, read into what changes in our records. Only the fields we act
//! on are read; Paddle adds fields freely, so the rest is ignored.

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::records::{Change, Sale, Terms};
use crate::config::CommerceConfig;

/// Why a notification could not be read (a 400: nothing is stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the notification is malformed: {0}")]
pub struct Malformed(pub String);

/// A notification, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `evt_...`: the same across Paddle's retries and replays of one event.
    pub event_id: String,
    /// `transaction.completed`, ...
    pub event_type: String,
    /// When the event happened (RFC 3339, UTC, fixed width so that text order is time order).
    pub occurred_at: String,
    /// What it changes; `Ignored` says why not.
    pub effect: Effect,
}

/// What a notification does to our records.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Record this change (once per event id).
    Apply(Change),
    /// Acknowledge and do nothing, for this reason.
    Ignored(String),
}

#[derive(Deserialize)]
struct Envelope {
    event_id: String,
    event_type: String,
    occurred_at: String,
    data: Value,
}

#[derive(Deserialize)]
struct Customer {
    id: String,
    email: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Subscription {
    id: String,
    status: String,
    customer_id: Option<String>,
    scheduled_change: Option<Value>,
}

#[derive(Deserialize)]
struct Transaction {
    id: String,
    customer_id: Option<String>,
    subscription_id: Option<String>,
    origin: Option<String>,
    #[serde(default)]
    items: Vec<Item>,
    billing_period: Option<Period>,
    custom_data: Option<Value>,
}

#[derive(Deserialize)]
struct Item {
    price: Option<Price>,
    price_id: Option<String>,
    #[serde(default = "one")]
    quantity: u32,
}

#[derive(Deserialize)]
struct Price {
    id: String,
}

#[derive(Deserialize)]
struct Period {
    ends_at: String,
}

fn one() -> u32 {
    1
}

/// Read `body` (already verified) under the vendor's price table.
pub fn read(body: &[u8], config: &CommerceConfig) -> Result<Notification, Malformed> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| Malformed(format!("not a Paddle notification: {e}")))?;
    if !envelope.event_id.starts_with("evt_") {
        return Err(Malformed(format!(
            "event_id `{}` is not a Paddle event id (evt_...)",
            envelope.event_id
        )));
    }
    let occurred_at = normalized(parse_time("occurred_at", &envelope.occurred_at)?);
    let effect = match envelope.event_type.as_str() {
        "customer.created" | "customer.updated" => {
            let customer: Customer = data(&envelope.data, "customer")?;
            Effect::Apply(Change::Customer {
                id: customer.id,
                email: customer.email.filter(|e| e.contains('@')),
                name: customer.name.filter(|n| !n.trim().is_empty()),
            })
        }
        kind if kind.starts_with("subscription.") => {
            let subscription: Subscription = data(&envelope.data, "subscription")?;
            Effect::Apply(Change::Subscription {
                id: subscription.id,
                customer_id: subscription.customer_id,
                status: subscription.status,
                scheduled_change: subscription
                    .scheduled_change
                    .filter(|v| !v.is_null())
                    .map(|v| v.to_string()),
            })
        }
        "transaction.completed" => {
            sale(data(&envelope.data, "transaction")?, &occurred_at, config)?
        }
        other => Effect::Ignored(format!("event type {other} is not one Praximous acts on")),
    };
    Ok(Notification {
        event_id: envelope.event_id,
        event_type: envelope.event_type,
        occurred_at,
        effect,
    })
}

/// `data` as the `what` it should be.
fn data<T: serde::de::DeserializeOwned>(data: &Value, what: &str) -> Result<T, Malformed> {
    T::deserialize(data).map_err(|e| Malformed(format!("its {what} data: {e}")))
}

/// A completed transaction: the licence its best priced item buys.
fn sale(
    transaction: Transaction,
    occurred_at: &str,
    config: &CommerceConfig,
) -> Result<Effect, Malformed> {
    let Some(customer_id) = transaction.customer_id.filter(|c| !c.is_empty()) else {
        return Err(Malformed(format!(
            "transaction {} has no customer_id",
            transaction.id
        )));
    };
    let priced = transaction
        .items
        .iter()
        .filter_map(|item| {
            let id = item
                .price
                .as_ref()
                .map(|p| p.id.as_str())
                .or(item.price_id.as_deref())?;
            config
                .prices
                .get(id)
                .map(|terms| (id, terms, item.quantity))
        })
        .max_by_key(|(_, terms, _)| terms.tier);
    let Some((price_id, price, quantity)) = priced else {
        let ids: Vec<String> = transaction
            .items
            .iter()
            .filter_map(|i| {
                i.price
                    .as_ref()
                    .map(|p| p.id.clone())
                    .or(i.price_id.clone())
            })
            .collect();
        return Ok(Effect::Ignored(format!(
            "transaction {} sells no price in [commerce.prices] (its prices: {}); add the price and replay the event from Paddle to issue its licence",
            transaction.id,
            if ids.is_empty() {
                "none".into()
            } else {
                ids.join(", ")
            }
        )));
    };
    let valid_until = match &transaction.billing_period {
        Some(period) => {
            parse_time("billing_period.ends_at", &period.ends_at)?
                + time::Duration::days(i64::from(config.grace_days))
        }
        None => {
            parse_time("occurred_at", occurred_at)? + time::Duration::days(i64::from(price.days))
        }
    };
    let custom = |field: &str| {
        transaction
            .custom_data
            .as_ref()
            .and_then(|c| c.get(field))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(Effect::Apply(Change::Sale(Box::new(Sale {
        licence_id: format!("lic_{}", transaction.id),
        transaction_id: transaction.id,
        customer_id,
        subscription_id: transaction.subscription_id,
        email: custom("email").filter(|e| e.contains('@')),
        name: custom("customer_name").or_else(|| custom("company")),
        terms: Terms {
            tier: price.tier,
            seats: price.seats.map(|s| s.saturating_mul(quantity.max(1))),
            features: price.features.clone(),
            valid_until: normalized(valid_until),
            price_id: price_id.to_owned(),
            renewal: transaction.origin.as_deref() == Some("subscription_recurring"),
        },
    }))))
}

fn parse_time(field: &str, text: &str) -> Result<OffsetDateTime, Malformed> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| Malformed(format!("{field} `{text}` is not an RFC 3339 time")))
}

/// UTC with microseconds: Paddle's own form, whose text order is time order.
pub fn normalized(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> CommerceConfig {
        toml::from_str(
            "signing_key = \"k\"\ngrace_days = 7\n[prices.pri_team]\ntier = \"team\"\nseats = 5\n[prices.pri_pro]\ntier = \"pro\"\ndays = 30\n",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn transaction(items: Value, period: Value) -> Vec<u8> {
        serde_json::json!({
            "event_id": "evt_01", "event_type": "transaction.completed",
            "occurred_at": "2026-12-01T10:00:00.5Z", "notification_id": "ntf_01",
            "data": {"id": "txn_01", "status": "completed", "customer_id": "ctm_01",
                     "subscription_id": "sub_01", "origin": "subscription_recurring",
                     "items": items, "billing_period": period,
                     "custom_data": {"email": "it@acme.example"}}
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_completed_transaction_buys_its_best_priced_item_for_its_period_plus_grace() {
        let body = transaction(
            serde_json::json!([
                {"price": {"id": "pri_other"}, "quantity": 1},
                {"price": {"id": "pri_team"}, "quantity": 3},
            ]),
            serde_json::json!({"starts_at": "2026-12-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}),
        );
        let read = read(&body, &config()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.occurred_at, "2026-12-01T10:00:00.500000Z");
        let Effect::Apply(Change::Sale(sale)) = read.effect else {
            panic!("{:?}", read.effect)
        };
        assert_eq!(sale.licence_id, "lic_txn_01");
        assert_eq!(sale.terms.tier, crate::license::Tier::Team);
        assert_eq!(sale.terms.seats, Some(15));
        assert_eq!(sale.terms.valid_until, "2027-01-08T00:00:00.000000Z");
        assert!(sale.terms.renewal);
        assert_eq!(sale.email.as_deref(), Some("it@acme.example"));
    }

    #[test]
    fn a_one_time_purchase_lasts_its_prices_days() {
        let body = transaction(
            serde_json::json!([{"price": {"id": "pri_pro"}, "quantity": 1}]),
            Value::Null,
        );
        let Effect::Apply(Change::Sale(sale)) = read(&body, &config())
            .unwrap_or_else(|e| panic!("{e}"))
            .effect
        else {
            panic!("not a sale")
        };
        assert_eq!(sale.terms.valid_until, "2026-12-31T10:00:00.500000Z");
        assert_eq!(sale.terms.seats, None);
    }

    #[test]
    fn unknown_prices_and_event_types_are_ignored_and_bad_bodies_refused() {
        let body = transaction(serde_json::json!([{"price": {"id": "pri_x"}}]), Value::Null);
        match read(&body, &config()).map(|n| n.effect) {
            Ok(Effect::Ignored(why)) => assert!(why.contains("pri_x"), "{why}"),
            other => panic!("{other:?}"),
        }
        let other = br#"{"event_id":"evt_2","event_type":"payout.paid","occurred_at":"2026-12-01T10:00:00Z","data":{}}"#;
        assert!(matches!(
            read(other, &config()).map(|n| n.effect),
            Ok(Effect::Ignored(_))
        ));
        assert!(read(b"not json", &config()).is_err());
        let no_customer = br#"{"event_id":"evt_3","event_type":"transaction.completed","occurred_at":"2026-12-01T10:00:00Z","data":{"id":"txn_3","items":[]}}"#;
        assert!(read(no_customer, &config()).is_err());
        let bad_time = br#"{"event_id":"evt_4","event_type":"customer.created","occurred_at":"yesterday","data":{"id":"ctm_1"}}"#;
        assert!(read(bad_time, &config()).is_err());
    }

    /// A verified delivery is still outside input (Paddle's schema grows): no body panics.
    mod properties {
        use proptest::prelude::*;

        use super::super::read;
        use super::config;

        fn json_value() -> impl Strategy<Value = serde_json::Value> {
            let leaf = prop_oneof![
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
                "\\PC{0,20}".prop_map(serde_json::Value::from),
                prop::sample::select(vec![
                    "evt_1",
                    "transaction.completed",
                    "subscription.updated",
                    "customer.created",
                    "2026-12-01T10:00:00Z",
                    "pri_team",
                    "ctm_01"
                ])
                .prop_map(serde_json::Value::from),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                    prop::collection::btree_map(
                        prop::sample::select(vec![
                            "event_id",
                            "event_type",
                            "occurred_at",
                            "data",
                            "id",
                            "items",
                            "price",
                            "quantity",
                            "billing_period",
                            "starts_at",
                            "ends_at",
                            "customer_id",
                            "status",
                            "custom_data",
                            "email"
                        ]),
                        inner,
                        0..6,
                    )
                    .prop_map(|map| {
                        serde_json::Value::Object(
                            map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                        )
                    }),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_bytes_read_or_are_refused_without_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
                if let Err(refused) = read(&bytes, &config()) {
                    prop_assert!(!refused.0.is_empty());
                }
            }

            #[test]
            fn any_json_shaped_like_a_notification_reads_or_says_why_not(value in json_value()) {
                if let Err(refused) = read(value.to_string().as_bytes(), &config()) {
                    prop_assert!(!refused.0.is_empty());
                }
            }
        }
    }
}
