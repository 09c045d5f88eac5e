//! Golden files for configuration errors: each `tests/golden/config/NAME.toml` is a
//! configuration whose `NAME.txt` holds the exact message `prax` stops with (`ok` for a valid
//! one). Run with `UPDATE_GOLDEN=1` to rewrite them after a deliberate change, then review
//! the diff.

use std::path::Path;

use praximous::config::Config;

#[test]
fn every_golden_configuration_gives_its_expected_message() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/config");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "golden cases are present");
    let mut failures = Vec::new();
    for case in cases {
        let text = std::fs::read_to_string(&case).unwrap_or_else(|e| panic!("{e}"));
        let name = case.file_name().map(Path::new).unwrap_or(&case);
        let actual = match Config::parse(&text, name) {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.to_string(),
        };
        let expected_path = case.with_extension("txt");
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
