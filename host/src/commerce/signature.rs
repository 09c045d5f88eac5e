//! `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=<hex>...]`: HMAC-SHA256 of `"<ts>:" + raw body`
//! with the notification destination's secret. While Paddle rotates a secret it sends one `h1`
//! per active secret, so any one that matches is enough.

use ring::hmac;

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Paddle-Signature` header.
    #[error(
        "the Paddle-Signature header is missing: only Paddle's signed notifications are accepted here"
    )]
    Missing,
    /// The header has no timestamp or no `h1`.
    #[error("the Paddle-Signature header is malformed ({0}); expected ts=<unix seconds>;h1=<hex>")]
    Malformed(&'static str),
    /// The timestamp is outside the tolerance: an old delivery replayed, or a clock far off.
    #[error(
        "the signature's timestamp is {age} s from now, beyond the {tolerance} s allowed: a replayed or delayed delivery is refused (check this server's clock)"
    )]
    Stale {
        /// Seconds between the timestamp and now.
        age: i64,
        /// Seconds allowed.
        tolerance: u64,
    },
    /// No `h1` matches the body and the secret.
    #[error(
        "the signature does not match the body: check [commerce] webhook_secret_env holds this notification destination's secret key"
    )]
    Mismatch,
}

/// Check `header` for `body` against `secret` at `now` (Unix seconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
    tolerance: u64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(';') {
        match part.trim().split_once('=') {
            Some(("ts", value)) => timestamp = Some(value.trim()),
            Some(("h1", value)) => signatures.push(value.trim()),
            // Other schemes may be added later; they are not ours to judge.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed("no ts"))?;
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| SignatureError::Malformed("ts is not a number"))?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed("no h1"));
    }
    let age = now.saturating_sub(seconds);
    if age.unsigned_abs() > tolerance {
        return Err(SignatureError::Stale { age, tolerance });
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = Vec::with_capacity(timestamp.len() + 1 + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b':');
    signed.extend_from_slice(body);
    let matches = signatures.iter().any(|text| {
        hex::decode(text).is_ok_and(|expected| hmac::verify(&key, &signed, &expected).is_ok())
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The header Paddle would send for `body` signed with `secret` at `ts` (for tests and
/// `prax`'s own tooling).
pub fn sign(body: &[u8], secret: &str, ts: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = format!("{ts}:").into_bytes();
    signed.extend_from_slice(body);
    format!(
        "ts={ts};h1={}",
        hex::encode(hmac::sign(&key, &signed).as_ref())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "pdl_ntfset_01test_secret";
    const BODY: &[u8] = br#"{"event_id":"evt_1"}"#;

    #[test]
    fn a_fresh_signature_over_the_raw_body_verifies() {
        let header = sign(BODY, SECRET, 1_700_000_000);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, 1_700_000_003, 5),
            Ok(())
        );
        // One byte of whitespace is another body.
        assert_eq!(
            verify(
                Some(&header),
                br#"{"event_id": "evt_1"}"#,
                SECRET,
                1_700_000_000,
                5
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, "another", 1_700_000_000, 5),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn any_h1_of_a_rotation_may_match_and_unknown_parts_are_ignored() {
        let good = sign(BODY, SECRET, 1_700_000_000);
        let h1 = good.split("h1=").nth(1).unwrap_or_default();
        let header = format!("ts=1700000000;h1=00ff;v2=whatever;h1={h1}");
        assert_eq!(
            verify(Some(&header), BODY, SECRET, 1_700_000_000, 5),
            Ok(())
        );
    }

    #[test]
    fn old_future_and_malformed_headers_are_refused() {
        let header = sign(BODY, SECRET, 1_700_000_000);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, 1_700_000_006, 5),
            Err(SignatureError::Stale {
                age: 6,
                tolerance: 5
            })
        );
        assert!(matches!(
            verify(Some(&header), BODY, SECRET, 1_699_999_990, 5),
            Err(SignatureError::Stale { age: -10, .. })
        ));
        assert_eq!(
            verify(None, BODY, SECRET, 0, 5),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(Some("h1=00"), BODY, SECRET, 0, 5),
            Err(SignatureError::Malformed("no ts"))
        );
        assert_eq!(
            verify(Some("ts=1"), BODY, SECRET, 1, 5),
            Err(SignatureError::Malformed("no h1"))
        );
        assert_eq!(
            verify(Some("ts=1;h1=zz"), BODY, SECRET, 1, 5),
            Err(SignatureError::Mismatch)
        );
    }

    /// The header and body come from whoever reaches the webhook: nothing they send panics,
    /// and only the secret's holder gets through.
    mod properties {
        use proptest::prelude::*;

        use super::super::{sign, verify};

        const SECRET: &str = "pdl_ntfset_01test_secret";

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_header_without_the_secret_is_refused_without_a_panic(
                header in "\\PC{0,200}",
                body in prop::collection::vec(any::<u8>(), 0..200),
                now in any::<i64>(),
                tolerance in any::<u64>(),
            ) {
                prop_assert!(verify(Some(&header), &body, SECRET, now, tolerance).is_err());
            }

            #[test]
            fn a_signature_holds_for_its_body_alone(
                body in prop::collection::vec(any::<u8>(), 0..200),
                other in prop::collection::vec(any::<u8>(), 0..200),
                ts in 0i64..4_000_000_000,
            ) {
                let header = sign(&body, SECRET, ts);
                prop_assert_eq!(verify(Some(&header), &body, SECRET, ts, 5), Ok(()));
                prop_assert_eq!(verify(Some(&header), &other, SECRET, ts, 5).is_ok(), other == body);
            }
        }
    }
}
