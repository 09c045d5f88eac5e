//! What a gated call is told: which feature, which tier has it, which tier is in force.

use super::CONTACT;
use super::status::LicenseStatus;
use super::tiers::{Feature, Tier};

/// A call refused by the licence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Locked {
    /// The feature is not in the tier in force.
    #[error(
        "{} is not included in this installation's {} tier; it comes with the {} tier. Ask {CONTACT} to upgrade.",
        feature.title(), current.title(), feature.tier().title()
    )]
    Feature {
        /// What was asked for.
        feature: Feature,
        /// The tier in force.
        current: Tier,
    },
    /// Every seat is taken.
    #[error(
        "this installation's {} tier allows {seats} seats (active API keys and SSO users) and all are in use; revoke one, or ask {CONTACT} for more",
        current.title()
    )]
    SeatsFull {
        /// Seats allowed.
        seats: u32,
        /// The tier in force.
        current: Tier,
    },
}

/// `Ok` if `status` unlocks `feature`.
pub fn require(status: &LicenseStatus, feature: Feature) -> Result<(), Locked> {
    if status.allows(feature) {
        Ok(())
    } else {
        Err(Locked::Feature {
            feature,
            current: status.tier,
        })
    }
}

/// `Ok` if one more seat fits beside `used`.
pub fn require_seat(status: &LicenseStatus, used: usize) -> Result<(), Locked> {
    match status.seats() {
        Some(seats) if used >= seats as usize => Err(Locked::SeatsFull {
            seats,
            current: status.tier,
        }),
        _ => Ok(()),
    }
}
