//! Property tests for the parsers that read outside input (manifests, bundles, signatures,
//! keys, registry indexes): whatever the bytes, they answer with a value or an error, never a
//! panic, and what they accept round-trips.

use praximous_registry::bundle::Bundle;
use praximous_registry::index::Index;
use praximous_registry::signing::{PublicKey, SignatureFile};
use praximous_registry::{Manifest, WitVersion};
use proptest::prelude::*;

/// Text that looks a little like a manifest: keys it knows, YAML punctuation, anything.
fn manifest_like() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "name",
        "version",
        "description",
        "author",
        "license",
        "wit",
        "component",
        "sha256",
        "operations",
        "permissions",
        "limits",
        "tier",
        "llm",
        "network",
        "memory_mb",
    ]);
    prop::collection::vec((key, "[ -~]{0,24}", prop::bool::ANY), 0..16).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(k, v, nest)| {
                if nest {
                    format!("{k}:\n  {v}\n")
                } else {
                    format!("{k}: {v}\n")
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn manifests_parse_or_refuse_without_panicking(text in manifest_like()) {
        let _ = Manifest::from_yaml(&text);
    }

    #[test]
    fn arbitrary_text_is_never_a_panicking_manifest(text in "\\PC{0,400}") {
        let _ = Manifest::from_yaml(&text);
    }

    #[test]
    fn bundles_of_any_bytes_are_refused_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = Bundle::from_tar(&bytes, 1 << 20);
    }

    #[test]
    fn signatures_and_keys_of_any_bytes_are_refused_cleanly(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
        text in "\\PC{0,120}",
    ) {
        let _ = SignatureFile::parse(&bytes);
        let _ = PublicKey::parse(&text);
        // A public key is 32 bytes in base64, 43 or more characters: shorter text never is one.
        let prefixed = format!("ed25519:{text}");
        let accepted = PublicKey::parse(&prefixed).is_ok();
        prop_assert!(!accepted || text.len() >= 40);
    }

    #[test]
    fn indexes_of_any_json_are_read_or_refused(text in "\\PC{0,300}") {
        let _ = serde_json::from_str::<Index>(&text);
    }

    #[test]
    fn wit_versions_that_parse_print_back_the_same(major in 0u64..100, minor in 0u64..100, patch in 0u64..100) {
        let text = format!("praximous:skill@{major}.{minor}.{patch}");
        let parsed: WitVersion = text.parse().map_err(|e: String| TestCaseError::fail(e))?;
        prop_assert_eq!(parsed.to_string(), text);
    }
}
