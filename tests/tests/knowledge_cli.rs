//! `prax knowledge` from a shell, through a running server.

use praximous_e2e::Server;
use praximous_e2e::knowledge::LEAVE;
use praximous_e2e::registry::path;

#[tokio::test]
async fn prax_knowledge_uploads_lists_and_searches_through_the_server() -> anyhow::Result<()> {
    let server = Server::start()?;
    let work = tempfile::tempdir()?;
    let leave = work.path().join("leave.md");
    std::fs::write(&leave, LEAVE)?;
    let broken = work.path().join("broken.txt");
    std::fs::write(&broken, b"caf\xe9")?;
    let prax = |args: &[&str]| -> anyhow::Result<std::process::Output> {
        Ok(std::process::Command::new(praximous_e2e::prax_binary())
            .arg("knowledge")
            .args(args)
            .env("PRAXIMOUS_URL", &server.base_url)
            .env("PRAXIMOUS_API_KEY", praximous_e2e::TEST_ADMIN_KEY)
            .output()?)
    };
    let text = |output: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    let made = prax(&["create", "policies", "--description", "HR"])?;
    assert!(made.status.success(), "{}", text(&made));

    // One unreadable file among them: the whole upload is refused, naming it.
    let refused = prax(&["add", "policies", &path(&leave), &path(&broken)])?;
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("`broken.txt`: it is not UTF-8"),
        "{}",
        text(&refused)
    );
    let listed = prax(&["documents", "policies"])?;
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "");

    let added = prax(&["add", "policies", &path(&leave), "--tags", "hr"])?;
    assert!(added.status.success(), "{}", text(&added));
    assert!(text(&added).contains("leave.md: added"), "{}", text(&added));
    let listed = prax(&["documents", "policies"])?;
    assert!(
        String::from_utf8_lossy(&listed.stdout).starts_with("leave.md\tStaff handbook\t"),
        "{}",
        text(&listed)
    );
    let found = prax(&["search", "policies", "annual", "leave"])?;
    assert!(
        text(&found).contains("[1] leave.md (Staff handbook › Annual leave)"),
        "{}",
        text(&found)
    );
    let collections = prax(&["collections"])?;
    assert!(
        text(&collections).starts_with("policies\t1 documents"),
        "{}",
        text(&collections)
    );

    // Without a key: the server's refusal and what to do.
    let anonymous = std::process::Command::new(praximous_e2e::prax_binary())
        .args(["knowledge", "collections"])
        .env("PRAXIMOUS_URL", &server.base_url)
        .env_remove("PRAXIMOUS_API_KEY")
        .output()?;
    assert!(!anonymous.status.success());
    assert!(
        text(&anonymous).contains("--api-key"),
        "{}",
        text(&anonymous)
    );
    Ok(())
}
