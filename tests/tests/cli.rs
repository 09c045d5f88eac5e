//! The `prax` command line: help, version, and configuration errors that name the file,
//! the key and the fix.

use std::process::Command;

use praximous_e2e::{Server, client, get, prax_binary};

fn prax(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let output = Command::new(prax_binary())
        .args(args)
        .current_dir(dir)
        .env_remove("PRAXIMOUS_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("cannot run prax: {e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn help_explains_every_command_and_flag() {
    let dir = std::env::temp_dir();
    let (code, out, _) = prax(&["--help"], &dir);
    assert_eq!(code, 0);
    assert!(
        out.contains("serve") && out.contains("Start the HTTP server"),
        "{out}"
    );
    let (code, out, _) = prax(&["serve", "--help"], &dir);
    assert_eq!(code, 0);
    for flag in [
        "--bind <ADDR>",
        "--data-dir <DIR>",
        "--config <FILE>",
        "PRAXIMOUS_CONFIG",
    ] {
        assert!(
            out.contains(flag),
            "`prax serve --help` explains {flag}:\n{out}"
        );
    }
    let (code, out, _) = prax(&["--version"], &dir);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("prax {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = prax(
        &["serve", "--bind", "not-an-address"],
        &std::env::temp_dir(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("--bind"), "{err}");
}

#[test]
fn bad_configuration_stops_startup_naming_file_key_and_line() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("bad.toml");
    std::fs::write(
        &config,
        "[server]\nbind = \"127.0.0.1:0\"\n\n[skills]\nmax_concurent = 4\n",
    )?;
    let (code, _, err) = prax(
        &["serve", "--config", config.to_str().unwrap_or_default()],
        dir.path(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bad.toml"), "names the file: {err}");
    assert!(err.contains("max_concurent"), "names the key: {err}");
    assert!(err.contains("line 5"), "names the line: {err}");
    assert!(
        err.contains("max_concurrent"),
        "suggests the valid keys: {err}"
    );

    std::fs::write(&config, "[identity]\nsensitivity_level = \"Extreme\"\n")?;
    let (code, _, err) = prax(
        &["serve", "--config", config.to_str().unwrap_or_default()],
        dir.path(),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("`identity.sensitivity_level` is `Extreme`; use `Low`, `Medium` or `High`"),
        "{err}"
    );

    let (code, _, err) = prax(&["serve", "--config", "missing.toml"], dir.path());
    assert_eq!(code, 1);
    assert!(
        err.contains("missing.toml: cannot read the configuration file"),
        "{err}"
    );
    Ok(())
}

#[tokio::test]
async fn config_file_sets_defaults_and_flags_override_them() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let config_dir = work.path().join("config");
    std::fs::create_dir_all(&config_dir)?;
    // Picked up from ./config/praximous.toml without --config; the flags override bind and data dir.
    std::fs::write(
        config_dir.join("praximous.toml"),
        "[server]\nbind = \"127.0.0.1:1\"\n\n[identity]\nsystem_name = \"Prax\"\nbusiness_name = \"Acme Solutions Inc.\"\n",
    )?;
    let data = work.path().join("elsewhere");
    let server = Server::start_in(work.path(), &data, &[])?;
    assert!(
        server.log().contains("Prax-AcmeSolutions serving"),
        "{}",
        server.log()
    );
    assert!(data.join("cache").is_dir(), "--data-dir is used");
    let health = get(&client(), &server.url("/healthz")).await?;
    assert_eq!(health.status, 200);
    Ok(())
}

#[test]
fn port_in_use_is_a_clear_error() -> anyhow::Result<()> {
    let holder = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = holder.local_addr()?.to_string();
    let dir = tempfile::tempdir()?;
    let (code, _, err) = prax(&["serve", "--bind", &addr, "--data-dir", "d"], dir.path());
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!("cannot listen on {addr}")) && err.contains("--bind"),
        "{err}"
    );
    Ok(())
}
