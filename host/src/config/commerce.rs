//! `[commerce]`: the vendor's own server turning Paddle Billing purchases into licences. Absent
//! (the default, and every customer's installation), the webhook answers 404.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::FieldError;
use crate::license::{Feature, Tier};

/// `[commerce]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommerceConfig {
    /// The variable holding the notification destination's secret key (Paddle shows it as
    /// `pdl_ntfset_...`); never the file.
    #[serde(default = "default_secret_env")]
    pub webhook_secret_env: String,
    /// The vendor's signing key (`vendor.key` from `prax license keygen`).
    pub signing_key: PathBuf,
    /// How far a signature's timestamp may be from now, in seconds. Paddle's own SDKs allow 5.
    #[serde(default = "default_tolerance")]
    pub signature_tolerance_s: u64,
    /// Days a subscription's licence stays valid past the paid period's end, so a renewal
    /// that is paid late does not stop anyone.
    #[serde(default = "default_grace")]
    pub grace_days: u32,
    /// What each Paddle price id sells: `[commerce.prices.pri_...]`.
    pub prices: BTreeMap<String, PriceTerms>,
}

/// What one Paddle price sells.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTerms {
    /// The tier.
    pub tier: Tier,
    /// Seats per unit bought (the licence has this times the quantity); absent: the tier's.
    #[serde(default)]
    pub seats: Option<u32>,
    /// Features beyond the tier's.
    #[serde(default)]
    pub features: Vec<Feature>,
    /// How long a purchase without a billing period (a one-time price) is valid, in days.
    #[serde(default = "default_days")]
    pub days: u32,
}

fn default_secret_env() -> String {
    "PRAXIMOUS_PADDLE_WEBHOOK_SECRET".into()
}

fn default_tolerance() -> u64 {
    5
}

fn default_grace() -> u32 {
    7
}

fn default_days() -> u32 {
    365
}

impl CommerceConfig {
    /// Check names, numbers and the price table.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.webhook_secret_env.trim().is_empty() {
            return Err(FieldError::new(
                "commerce.webhook_secret_env",
                "must name an environment variable, e.g. \"PRAXIMOUS_PADDLE_WEBHOOK_SECRET\"",
            ));
        }
        if self.signing_key.as_os_str().is_empty() {
            return Err(FieldError::new(
                "commerce.signing_key",
                "must name the vendor key file written by `prax license keygen`",
            ));
        }
        if !(1..=3600).contains(&self.signature_tolerance_s) {
            return Err(FieldError::new(
                "commerce.signature_tolerance_s",
                "must be between 1 and 3600 (seconds); Paddle's SDKs use 5",
            ));
        }
        if self.grace_days > 366 {
            return Err(FieldError::new(
                "commerce.grace_days",
                "must be at most 366",
            ));
        }
        if self.prices.is_empty() {
            return Err(FieldError::new(
                "commerce.prices",
                "must map at least one Paddle price id to a tier, e.g. [commerce.prices.pri_01abc] tier = \"pro\"",
            ));
        }
        for (id, terms) in &self.prices {
            let key = format!("commerce.prices.{id}");
            if id.trim().is_empty() {
                return Err(FieldError::new(key, "a price id must not be blank"));
            }
            if terms.seats == Some(0) {
                return Err(FieldError::new(
                    format!("{key}.seats"),
                    "must be at least 1 (leave it out for the tier's seats)",
                ));
            }
            if !(1..=3660).contains(&terms.days) {
                return Err(FieldError::new(
                    format!("{key}.days"),
                    "must be between 1 and 3660",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CommerceConfig, String> {
        let config: CommerceConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        config
            .validate()
            .map_err(|e| format!("{}: {}", e.key, e.problem))?;
        Ok(config)
    }

    #[test]
    fn prices_map_to_tiers_with_defaults() {
        let config = parse(
            "signing_key = \"vendor.key\"\n[prices.pri_team]\ntier = \"team\"\nseats = 10\n[prices.pri_pro]\ntier = \"pro\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.webhook_secret_env, "PRAXIMOUS_PADDLE_WEBHOOK_SECRET");
        assert_eq!(config.signature_tolerance_s, 5);
        assert_eq!(config.prices["pri_team"].seats, Some(10));
        assert_eq!(config.prices["pri_pro"].tier, Tier::Pro);
        assert_eq!(config.prices["pri_pro"].days, 365);
    }

    #[test]
    fn an_empty_price_table_or_zero_seats_is_refused() {
        let none = parse("signing_key = \"vendor.key\"\nprices = {}\n");
        assert!(none.is_err_and(|e| e.starts_with("commerce.prices:")));
        let zero = parse("signing_key = \"k\"\n[prices.p]\ntier = \"team\"\nseats = 0\n");
        assert!(zero.is_err_and(|e| e.contains("commerce.prices.p.seats")));
        let unknown = parse("signing_key = \"k\"\n[prices.p]\ntier = \"gold\"\n");
        assert!(unknown.is_err());
    }
}
