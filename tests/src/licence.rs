//! Licences for the tests: issued with the test vendor key, which debug builds trust and
//! release builds never.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::{prax_on, repo_root};

/// The test vendor's private key file.
pub fn vendor_key() -> PathBuf {
    repo_root().join("tests/fixtures/license/test-vendor.key")
}

/// A command's stdout and stderr together, for messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `prax license issue` for Acme Corp with the test vendor key and `args` (`--tier`, `--days`,
/// ...); the key text.
pub fn issue(data: &Path, args: &[&str]) -> anyhow::Result<String> {
    let key = vendor_key().display().to_string();
    let mut all = vec![
        "license",
        "issue",
        "--key",
        &key,
        "--customer",
        "Acme Corp",
        "--email",
        "it@acme.example",
    ];
    all.extend_from_slice(args);
    let out = prax_on(data)?.args(&all).output()?;
    anyhow::ensure!(out.status.success(), "{}", text(&out));
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
