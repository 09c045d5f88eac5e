//! A licence key: `prax-license-v1.<payload>.<signature>`, both parts base64url. The payload
//! is JSON; the signature is the vendor's Ed25519 signature over `prax-license-v1.<payload>`,
//! so a key made for another format or product cannot be passed off as one.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::LicenseError;
use super::tiers::{Feature, Tier};
use super::vendor::{VendorKey, VendorPublicKey};

const FORMAT: &str = "prax-license-v1";
/// The product every licence of this binary names.
pub const PRODUCT: &str = "praximous";

/// What a licence grants, as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// Always `praximous`.
    pub product: String,
    /// The licence's id.
    pub id: String,
    /// Whom it was sold to.
    pub customer: String,
    /// Their contact address.
    pub email: String,
    /// The tier.
    pub tier: Tier,
    /// Features beyond the tier's.
    #[serde(default)]
    pub features: Vec<Feature>,
    /// Seats (active keys and SSO users); `None`: the tier's.
    #[serde(default)]
    pub seats: Option<u32>,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// When it stops (RFC 3339).
    pub valid_until: String,
    /// Which vendor key signed it.
    pub key_id: String,
}

impl Payload {
    /// When it stops.
    pub fn valid_until(&self) -> Result<OffsetDateTime, LicenseError> {
        OffsetDateTime::parse(&self.valid_until, &Rfc3339)
            .map_err(|_| LicenseError::Malformed("its valid_until is not a date".into()))
    }

    /// The seats it allows: its own, else its tier's; `None`: unlimited.
    pub fn seats(&self) -> Option<u32> {
        self.seats.or(self.tier.seats())
    }
}

/// Sign `payload` with `key`: the licence key text.
pub fn issue(payload: &Payload, key: &VendorKey) -> Result<String, LicenseError> {
    let json = serde_json::to_vec(payload)
        .map_err(|e| LicenseError::Vendor(format!("cannot encode the licence: {e}")))?;
    let signed = format!("{FORMAT}.{}", B64URL.encode(json));
    let signature = B64URL.encode(key.sign(signed.as_bytes()));
    Ok(format!("{signed}.{signature}"))
}

/// Read and verify a licence key against `trusted` keys; the payload it carries. Dates are
/// not judged here (an expired licence is valid, and expired).
pub fn verify(text: &str, trusted: &[VendorPublicKey]) -> Result<Payload, LicenseError> {
    let text = text.trim();
    let mut parts = text.split('.');
    let (Some(format), Some(payload_text), Some(signature_text), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(LicenseError::Malformed(
            "it is not three dot-separated parts; paste the whole key, as it was sent".into(),
        ));
    };
    if format != FORMAT {
        return Err(LicenseError::Malformed(format!(
            "it starts with `{}`, not `{FORMAT}`",
            format.chars().take(40).collect::<String>()
        )));
    }
    let json = B64URL
        .decode(payload_text)
        .map_err(|_| LicenseError::Malformed("its payload is not base64url".into()))?;
    let signature = B64URL
        .decode(signature_text)
        .map_err(|_| LicenseError::Malformed("its signature is not base64url".into()))?;
    let payload: Payload = serde_json::from_slice(&json)
        .map_err(|e| LicenseError::Malformed(format!("its payload does not read: {e}")))?;
    let signed = &text[..format.len() + 1 + payload_text.len()];
    let key = trusted
        .iter()
        .find(|key| key.key_id() == payload.key_id)
        .ok_or_else(|| LicenseError::UnknownKey(payload.key_id.clone()))?;
    if !key.verifies(signed.as_bytes(), &signature) {
        return Err(LicenseError::Tampered);
    }
    if payload.product != PRODUCT {
        return Err(LicenseError::OtherProduct(payload.product));
    }
    payload.valid_until()?;
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(key: &VendorKey) -> Payload {
        Payload {
            product: PRODUCT.into(),
            id: "lic_1".into(),
            customer: "Acme".into(),
            email: "it@acme.example".into(),
            tier: Tier::Pro,
            features: vec![],
            seats: Some(20),
            issued_at: "2026-12-01T00:00:00Z".into(),
            valid_until: "2027-12-01T00:00:00Z".into(),
            key_id: key.public_key().key_id(),
        }
    }

    #[test]
    fn a_licence_verifies_and_every_change_is_caught() -> Result<(), LicenseError> {
        let (key, _) = VendorKey::generate()?;
        let trusted = [key.public_key()];
        let text = issue(&payload(&key), &key)?;
        assert_eq!(verify(&text, &trusted)?, payload(&key));

        // A payload edited after signing (a higher tier) is tampered.
        let mut parts: Vec<String> = text.split('.').map(str::to_owned).collect();
        let edited = String::from_utf8_lossy(&B64URL.decode(&parts[1]).unwrap_or_default())
            .replace("\"pro\"", "\"enterprise\"");
        parts[1] = B64URL.encode(edited);
        assert!(matches!(
            verify(&parts.join("."), &trusted),
            Err(LicenseError::Tampered)
        ));

        // Signed by a key this binary does not trust.
        let (other, _) = VendorKey::generate()?;
        let foreign = issue(
            &Payload {
                key_id: other.public_key().key_id(),
                ..payload(&key)
            },
            &other,
        )?;
        assert!(matches!(
            verify(&foreign, &trusted),
            Err(LicenseError::UnknownKey(_))
        ));

        // Validly signed, for another product.
        let elsewhere = issue(
            &Payload {
                product: "other".into(),
                ..payload(&key)
            },
            &key,
        )?;
        assert!(matches!(
            verify(&elsewhere, &trusted),
            Err(LicenseError::OtherProduct(_))
        ));

        assert!(matches!(
            verify("hello", &trusted),
            Err(LicenseError::Malformed(_))
        ));
        Ok(())
    }

    /// Licence keys are pasted by people and arrive from the commerce webhook: whatever the
    /// text, reading it never panics, and no edit of a genuine key is accepted.
    mod properties {
        use proptest::prelude::*;

        use super::super::{PRODUCT, Payload, issue, verify};
        use crate::license::tiers::{Feature, Tier};
        use crate::license::vendor::VendorKey;

        fn any_payload(key_id: String) -> impl Strategy<Value = Payload> {
            (
                "[a-z0-9_]{1,24}",
                "\\PC{0,40}",
                "\\PC{0,40}",
                prop::sample::select(Tier::ALL.to_vec()),
                prop::sample::subsequence(Feature::ALL.to_vec(), 0..=Feature::ALL.len()),
                prop::option::of(any::<u32>()),
                (2000i32..2200, 1u8..=12, 1u8..=28),
            )
                .prop_map(
                    move |(id, customer, email, tier, features, seats, (year, month, day))| {
                        Payload {
                            product: PRODUCT.into(),
                            id,
                            customer,
                            email,
                            tier,
                            features,
                            seats,
                            issued_at: "2026-12-01T00:00:00Z".into(),
                            valid_until: format!("{year:04}-{month:02}-{day:02}T00:00:00Z"),
                            key_id: key_id.clone(),
                        }
                    },
                )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn any_text_is_refused_without_a_panic(text in "\\PC{0,300}") {
                let (key, _) = VendorKey::generate().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(verify(&text, &[key.public_key()]).is_err());
            }

            #[test]
            fn text_shaped_like_a_key_is_refused_without_a_panic(
                payload in "[A-Za-z0-9_-]{0,200}",
                signature in "[A-Za-z0-9_-]{0,100}",
            ) {
                let (key, _) = VendorKey::generate().map_err(|e| TestCaseError::fail(e.to_string()))?;
                let text = format!("prax-license-v1.{payload}.{signature}");
                prop_assert!(verify(&text, &[key.public_key()]).is_err());
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            #[test]
            fn every_licence_reads_back_as_issued_and_any_one_changed_character_is_refused(
                seed_payload in any_payload(String::new()),
                position in any::<prop::sample::Index>(),
                replacement in any::<char>(),
            ) {
                let (key, _) = VendorKey::generate().map_err(|e| TestCaseError::fail(e.to_string()))?;
                let trusted = [key.public_key()];
                let payload = Payload { key_id: key.public_key().key_id(), ..seed_payload };
                let text = issue(&payload, &key).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(verify(&text, &trusted), Ok(payload));

                let mut chars: Vec<char> = text.chars().collect();
                let at = position.index(chars.len());
                prop_assume!(chars[at] != replacement);
                chars[at] = replacement;
                let edited: String = chars.into_iter().collect();
                prop_assert!(verify(&edited, &trusted).is_err(), "accepted an edited key: {edited}");
            }
        }
    }
}
