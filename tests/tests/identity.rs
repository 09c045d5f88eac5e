//! System identity and the commands that edit it: the `prax init` wizard in a real
//! pseudo-terminal (Ctrl-C included), non-interactive init, rename and reset on a file with
//! comments, the display name in logs and `/api/v1/system`, and the `context` import as a
//! skill sees it.

use std::path::{Path, PathBuf};
use std::process::Command;

use praximous_e2e::{Server, client, component, get, install_skill, post_json, prax_binary};
use rexpect::process::WaitStatus;
use serde_json::json;

const TIMEOUT_MS: Option<u64> = Some(20_000);

/// A configuration file as an operator writes one: comments everywhere, one provider.
const COMMENTED: &str = r#"# Acme's gateway
[server]
bind = "127.0.0.1:8000" # behind the proxy

# who we are
[identity]
system_name = "Praximous" # the product name
business_name = "Acme Solutions Inc."
industry = "Retail"
persona_style = "Friendly"
sensitivity_level = "Medium" # Low | Medium | High
location = "Leeds"

[[providers]]
name = "gemini_pro_model"
type = "gemini"
model = "gemini-1.5-pro"
api_key_env = "PRAX_TEST_GEMINI_KEY"
"#;

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(config: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        if let Some(text) = config {
            std::fs::write(dir.path().join("praximous.toml"), text)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        Self { dir }
    }
    fn config(&self) -> PathBuf {
        self.dir.path().join("praximous.toml")
    }
    fn env_file(&self) -> PathBuf {
        self.dir.path().join(".env")
    }
    fn read(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(prax_binary());
        command
            .args(args)
            .arg("--config")
            .arg(self.config())
            .current_dir(self.dir.path())
            .env_remove("PRAXIMOUS_CONFIG")
            .env_remove("PRAX_TEST_GEMINI_KEY");
        command
    }
    fn run(&self, args: &[&str], stdin: &str) -> (i32, String) {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.code().unwrap_or(-1), text)
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

#[test]
fn wizard_in_a_terminal_writes_identity_and_credentials() -> Result<(), rexpect::error::Error> {
    let setup = Setup::new(Some(COMMENTED));
    let mut command = setup.command(&["init"]);
    command.arg("--env-file").arg(setup.env_file());
    let mut p = rexpect::session::spawn_command(command, TIMEOUT_MS)?;
    p.exp_string("System name [Praximous]: ")?;
    p.send_line("Praximous")?;
    p.exp_string("Business name [Acme Solutions Inc.]: ")?;
    p.send_line("")?;
    p.exp_string("Industry [Retail]: ")?;
    p.send_line("Logistics")?;
    p.exp_string("Persona style (tone) [Friendly]: ")?;
    p.send_line("")?;
    p.exp_string("Sensitivity level (Low/Medium/High) [Medium]: ")?;
    p.send_line("extreme")?;
    p.exp_string("`extreme` is not a sensitivity level")?;
    p.exp_string("Sensitivity level (Low/Medium/High) [Medium]: ")?;
    p.send_line("high")?;
    p.exp_string("Location [Leeds]: ")?;
    p.send_line("York")?;
    p.exp_string("PRAX_TEST_GEMINI_KEY (API key for provider `gemini_pro_model`) [not set]: ")?;
    p.send_line("s3cret-key")?;
    p.exp_string("Saved the identity of Praximous-AcmeSolutions")?;
    p.exp_eof()?;

    let config = setup.read(&setup.config()).unwrap_or_default();
    let expected = COMMENTED
        .replace("industry = \"Retail\"", "industry = \"Logistics\"")
        .replace(
            "sensitivity_level = \"Medium\" #",
            "sensitivity_level = \"High\" #",
        )
        .replace("location = \"Leeds\"", "location = \"York\"");
    assert_eq!(
        config, expected,
        "only the changed values differ; comments stay"
    );
    assert!(
        !config.contains("s3cret"),
        "no secret in the configuration file"
    );
    let env = setup.read(&setup.env_file()).unwrap_or_default();
    assert_eq!(env, "PRAX_TEST_GEMINI_KEY='s3cret-key'\n");
    assert_eq!(mode(&setup.env_file()), 0o600, ".env is owner-only");

    // Re-running shows what was saved as the defaults, and keeps the secret on Enter.
    let mut command = setup.command(&["init"]);
    command.arg("--env-file").arg(setup.env_file());
    let mut p = rexpect::session::spawn_command(command, TIMEOUT_MS)?;
    for (prompt, _) in [
        ("System name [Praximous]: ", ""),
        ("Business name [Acme Solutions Inc.]: ", ""),
        ("Industry [Logistics]: ", ""),
        ("Persona style (tone) [Friendly]: ", ""),
        ("Sensitivity level (Low/Medium/High) [High]: ", ""),
        ("Location [York]: ", ""),
        (
            "PRAX_TEST_GEMINI_KEY (API key for provider `gemini_pro_model`) [keep current]: ",
            "",
        ),
    ] {
        p.exp_string(prompt)?;
        p.send_line("")?;
    }
    p.exp_eof()?;
    assert_eq!(setup.read(&setup.config()).unwrap_or_default(), expected);
    assert_eq!(setup.read(&setup.env_file()).unwrap_or_default(), env);
    Ok(())
}

#[test]
fn ctrl_c_mid_wizard_leaves_every_file_as_it_was() -> Result<(), rexpect::error::Error> {
    let setup = Setup::new(Some(COMMENTED));
    std::fs::write(setup.env_file(), "OTHER=1\n").unwrap_or_else(|e| panic!("{e}"));
    for stop_at in ["Industry [Retail]: ", "PRAX_TEST_GEMINI_KEY"] {
        let mut command = setup.command(&["init"]);
        command.arg("--env-file").arg(setup.env_file());
        let mut p = rexpect::session::spawn_command(command, TIMEOUT_MS)?;
        p.exp_string("System name [Praximous]: ")?;
        p.send_line("Changed")?;
        p.exp_string("Business name")?;
        p.send_line("Changed Inc")?;
        if stop_at != "Industry [Retail]: " {
            for _ in 0..4 {
                p.exp_string("]: ")?;
                p.send_line("")?;
            }
        }
        p.exp_string(stop_at)?;
        p.send_control('c')?;
        p.exp_string("Interrupted: nothing was changed.")?;
        let status = p.process().wait()?;
        assert!(
            matches!(status, WaitStatus::Exited(_, 130)),
            "exit 130 on Ctrl-C: {status:?}"
        );
        assert_eq!(
            setup.read(&setup.config()).as_deref(),
            Some(COMMENTED),
            "stopped at {stop_at}"
        );
        assert_eq!(setup.read(&setup.env_file()).as_deref(), Some("OTHER=1\n"));
    }
    Ok(())
}

#[test]
fn end_of_input_mid_wizard_changes_nothing() {
    let setup = Setup::new(Some(COMMENTED));
    let (code, out) = setup.run(&["init"], "NewName\nNew Biz\n");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("input ended before every question was answered; nothing was changed"),
        "{out}"
    );
    assert_eq!(setup.read(&setup.config()).as_deref(), Some(COMMENTED));
    assert!(setup.read(&setup.env_file()).is_none());
}

#[test]
fn non_interactive_init_from_flags_and_from_a_file() {
    let setup = Setup::new(None);
    let (code, out) = setup.run(
        &[
            "init",
            "--no-input",
            "--system-name",
            "Praximous",
            "--business-name",
            "Globex LLC",
            "--sensitivity-level",
            "low",
        ],
        "",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Saved the identity of Praximous-Globex"),
        "{out}"
    );
    let config = setup.read(&setup.config()).unwrap_or_default();
    assert!(config.contains("system_name = \"Praximous\""), "{config}");
    assert!(
        config.contains("sensitivity_level = \"Low\""),
        "canonical spelling: {config}"
    );
    assert!(
        config.contains("industry = \"General\""),
        "unset flags keep the defaults: {config}"
    );
    assert!(
        config.contains("[skills]"),
        "a new file starts from the documented template"
    );

    let from = setup.dir.path().join("identity.toml");
    std::fs::write(
        &from,
        "[identity]\nindustry = \"Aerospace\"\nlocation = \"Toulouse\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = setup.run(
        &[
            "init",
            "--no-input",
            "--from",
            from.to_str().unwrap_or_default(),
            "--location",
            "Bristol",
        ],
        "",
    );
    assert_eq!(code, 0, "{out}");
    let config = setup.read(&setup.config()).unwrap_or_default();
    assert!(config.contains("industry = \"Aerospace\""), "{config}");
    assert!(
        config.contains("location = \"Bristol\""),
        "flags win over --from: {config}"
    );
    assert!(
        config.contains("business_name = \"Globex LLC\""),
        "re-running keeps current values: {config}"
    );

    let before = setup.read(&setup.config());
    let (code, out) = setup.run(
        &["init", "--no-input", "--sensitivity-level", "Extreme"],
        "",
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("--sensitivity-level is `Extreme`; use `Low`, `Medium` or `High`"),
        "{out}"
    );
    std::fs::write(&from, "colour = \"blue\"\n").unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = setup.run(
        &[
            "init",
            "--no-input",
            "--from",
            from.to_str().unwrap_or_default(),
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("identity.toml: not a prefilled identity"),
        "{out}"
    );
    assert_eq!(
        setup.read(&setup.config()),
        before,
        "a refused init changes nothing"
    );
}

#[test]
fn rename_and_reset_keep_the_rest_of_a_commented_file() {
    let setup = Setup::new(Some(COMMENTED));
    let (code, out) = setup.run(&["rename", "Nexus"], "");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("from 'Praximous' to 'Nexus'")
            && out.contains("display name: Nexus-AcmeSolutions"),
        "{out}"
    );
    let renamed = COMMENTED.replace("system_name = \"Praximous\" #", "system_name = \"Nexus\" #");
    assert_eq!(
        setup.read(&setup.config()).as_deref(),
        Some(renamed.as_str())
    );

    let (code, out) = setup.run(&["reset-identity"], "no\n");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("cancelled; nothing was changed"), "{out}");
    assert_eq!(
        setup.read(&setup.config()).as_deref(),
        Some(renamed.as_str())
    );

    let (code, _) = setup.run(&["reset-identity"], "yes\n");
    assert_eq!(code, 0);
    let reset = setup.read(&setup.config()).unwrap_or_default();
    let expected = COMMENTED
        .replace("\"Praximous\" #", "\"Praximous-Default\" #")
        .replace("\"Acme Solutions Inc.\"", "\"Default Business\"")
        .replace("\"Retail\"", "\"General\"")
        .replace("\"Friendly\"", "\"Professional and concise\"")
        .replace("\"Medium\" #", "\"High\" #")
        .replace("\"Leeds\"", "\"Unknown\"");
    assert_eq!(
        reset, expected,
        "identity back to the original's defaults, comments kept"
    );

    let (code, out) = setup.run(&["rename", " "], "");
    assert_eq!(code, 1);
    assert!(out.contains("the new name is empty"), "{out}");

    let empty = Setup::new(None);
    let (code, out) = empty.run(&["rename", "X"], "");
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "no configuration file, so no identity to change; create one with `prax init`"
        ),
        "{out}"
    );
    assert!(
        empty.read(&empty.config()).is_none(),
        "rename does not create a file"
    );
    let (code, _) = empty.run(&["reset-identity", "--yes"], "");
    assert_eq!(code, 1);
}

#[test]
fn config_check_validates_and_reports_missing_credentials() {
    let setup = Setup::new(Some(COMMENTED));
    let (code, out) = setup.run(&["config", "check"], "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("praximous.toml: valid"), "{out}");
    assert!(out.contains("warning: provider `gemini_pro_model` needs the environment variable PRAX_TEST_GEMINI_KEY"), "{out}");

    std::fs::write(setup.env_file(), "PRAX_TEST_GEMINI_KEY=abc\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = setup.run(
        &[
            "config",
            "check",
            "--env-file",
            setup.env_file().to_str().unwrap_or_default(),
        ],
        "",
    );
    assert_eq!(code, 0);
    assert!(
        !out.contains("warning"),
        "the .env file supplies the key: {out}"
    );

    std::fs::write(
        setup.config(),
        COMMENTED.replace("type = \"gemini\"", "type = \"gemeni\""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = setup.run(&["config", "check"], "");
    assert_eq!(code, 1);
    assert!(
        out.contains("praximous.toml") && out.contains("gemeni") && out.contains("line 16"),
        "{out}"
    );
    assert!(
        out.contains("expected one of `gemini`, `ollama`, `openai`, `anthropic`"),
        "{out}"
    );

    std::fs::write(
        setup.config(),
        COMMENTED.replace("model = \"gemini-1.5-pro\"\n", ""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, out) = setup.run(&["config", "check"], "");
    assert_eq!(code, 1);
    assert!(
        out.contains("missing field `model`"),
        "a missing required value is named: {out}"
    );
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = Command::new(prax_binary())
            .args(["completions", shell])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(output.status.success());
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(
            script.contains("reset-identity") && script.contains("completions"),
            "{shell}: {script}"
        );
    }
}

const PROBE_MANIFEST: &str = r#"
name: context_probe
version: 0.1.0
description: Returns the identity it sees.
author: Tests
license: MIT
wit: praximous:skill@0.1.0
component: skill.wasm
operations:
  probe: { description: Report the identity., params: { type: object } }
"#;

#[tokio::test]
async fn display_name_tags_logs_and_identity_reaches_the_api_and_skills() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let config = work.path().join("praximous.toml");
    std::fs::write(
        &config,
        COMMENTED.replace("bind = \"127.0.0.1:8000\"", "bind = \"127.0.0.1:1\""),
    )?;
    let data = work.path().join("data");
    install_skill(
        &data,
        "context_probe",
        PROBE_MANIFEST,
        &component("context_probe"),
    );
    let server = Server::start_in(
        work.path(),
        &data,
        &["--config", config.to_str().unwrap_or_default()],
    )?;

    let log = server.log();
    assert!(
        log.contains("Praximous-AcmeSolutions serving"),
        "banner: {log}"
    );
    assert!(
        log.lines()
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.starts_with("[Praximous-AcmeSolutions] ")),
        "every log line carries the display name:\n{log}"
    );
    assert!(
        log.contains("PRAX_TEST_GEMINI_KEY, which is not set"),
        "missing credential reported at start-up"
    );

    let system = get(&client(), &server.url("/api/v1/system")).await?;
    assert_eq!(system.status, 200);
    assert_eq!(system.json["display_name"], "Praximous-AcmeSolutions");
    assert_eq!(system.json["version"], env!("CARGO_PKG_VERSION"));
    assert!(system.json["uptime_seconds"].is_u64());
    assert_eq!(system.json["identity"]["industry"], "Retail");
    assert_eq!(system.json["identity"]["sensitivity_level"], "Medium");

    let probe = post_json(
        &client(),
        &server.url("/api/v1/process"),
        &json!({"task_type": "context_probe", "prompt": ""}),
    )
    .await?;
    assert_eq!(probe.status, 200, "{}", probe.text);
    assert_eq!(
        probe.json["result"],
        json!({
            "display_name": "Praximous-AcmeSolutions",
            "system_name": "Praximous",
            "business_name": "Acme Solutions Inc.",
            "industry": "Retail",
            "persona_style": "Friendly",
            "sensitivity_level": "Medium",
            "location": "Leeds",
        })
    );
    Ok(())
}
