//! Golden files for manifest validation: each folder under `tests/golden/` is a skill whose
//! `expected.txt` holds the exact error loading it must produce (`ok` for a valid one).
//! Run with `UPDATE_GOLDEN=1` to rewrite them after a deliberate change, then review the diff.

use std::path::Path;

use praximous_registry::{WitVersion, load_skill_dir};

#[test]
fn every_golden_manifest_gives_its_expected_result() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let supported: Vec<WitVersion> = ["praximous:skill@0.1.0"]
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "golden cases are present");
    let mut failures = Vec::new();
    for case in cases {
        let actual = match load_skill_dir(&case, &supported) {
            Ok(skill) => {
                assert_eq!(skill.component, b"component bytes");
                "ok".to_owned()
            }
            // Paths are relative to the golden folder so the files do not depend on the checkout.
            Err(e) => e.to_string().replace(&format!("{}/", root.display()), ""),
        };
        let expected_path = case.join("expected.txt");
        if update {
            std::fs::write(&expected_path, format!("{actual}\n")).unwrap_or_else(|e| panic!("{e}"));
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected.trim_end() != actual {
            failures.push(format!(
                "{}:\n  expected: {}\n  actual:   {actual}",
                case.display(),
                expected.trim_end()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n")
    );
}
