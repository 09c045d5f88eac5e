//! Licences and tiers: a signed licence key verified offline against the vendor keys compiled
//! into the binary, the state it puts the installation in (evaluation, valid, expiring,
//! expired, or none), and the tier table the feature gates read.

pub mod gate;
pub mod live;
pub mod status;
pub mod tiers;
pub mod token;
pub mod vendor;

pub use live::Licensing;
pub use status::{LicenseState, LicenseStatus};
pub use tiers::{Feature, Tier};

/// Whom an operator asks about a licence.
pub const CONTACT: &str = "licensing@praximous.example";

/// Why a licence key was not accepted, or a vendor command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenseError {
    /// Not a licence key at all.
    #[error("the licence key is malformed: {0}; ask {CONTACT} for a new copy")]
    Malformed(String),
    /// Signed by a key this binary does not trust.
    #[error(
        "the licence key is signed by vendor key {0}, which this prax does not trust: it was not issued for this product's releases; ask {CONTACT}"
    )]
    UnknownKey(String),
    /// The signature does not match: the key was changed after it was issued.
    #[error(
        "the licence key's signature does not match its contents: it was changed after it was issued; ask {CONTACT} for the original"
    )]
    Tampered,
    /// Validly signed, for another product.
    #[error("the licence key is for `{0}`, not Praximous; ask {CONTACT}")]
    OtherProduct(String),
    /// The store could not record or read what licensing keeps.
    #[error("licence state: {0}")]
    Store(String),
    /// A vendor-side operation (keys, issuing) failed.
    #[error("{0}")]
    Vendor(String),
}
