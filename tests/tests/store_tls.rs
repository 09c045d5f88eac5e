//! TLS to PostgreSQL: with `sslmode=require` a server's certificate is verified against the
//! public roots and `[store] ca_file`; one signed by an unknown CA is refused with a message
//! that says what to configure, and a `prax serve` started that way stops instead of serving.

use std::path::Path;
use std::process::Command;

use praximous_e2e::{
    Server, TEST_ADMIN_KEY, available_or_skip, client, post_json, prax_binary, repo_root,
};
use serde_json::json;

/// A CA, and a certificate for 127.0.0.1 it signed, made with the openssl command line.
fn certificates(dir: &Path) -> anyhow::Result<()> {
    let openssl = |args: &[&str]| -> anyhow::Result<()> {
        let out = Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=Praximous test CA",
    ])?;
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ])?;
    std::fs::write(dir.join("san.ext"), "subjectAltName = IP:127.0.0.1\n")?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ])?;
    Ok(())
}

/// A cluster serving TLS in `dir`; its URL (`postgres://user@127.0.0.1:PORT`).
fn tls_cluster(dir: &Path) -> anyhow::Result<String> {
    let out = Command::new(repo_root().join("tools/postgres.sh"))
        .args(["start"])
        .arg(dir.join("cluster"))
        .env("PG_TLS_CERT", dir.join("server.crt"))
        .env("PG_TLS_KEY", dir.join("server.key"))
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

struct Cluster(std::path::PathBuf);

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("tools/postgres.sh"))
            .arg("stop")
            .arg(&self.0)
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_is_reached_over_verified_tls() -> anyhow::Result<()> {
    let installed = std::fs::read_dir("/usr/lib/postgresql").is_ok();
    if !available_or_skip((!installed).then(|| {
        "PostgreSQL's server is missing: run tools/test-tools.sh (make test does)".to_owned()
    })) {
        return Ok(());
    }
    let work = tempfile::tempdir()?;
    let dir = work.path();
    certificates(dir)?;
    let cluster = tls_cluster(dir)?;
    let _stop = Cluster(dir.join("cluster"));
    let url = format!("{cluster}/postgres?sslmode=require");

    // Trusting the CA: served, over TLS.
    let config = dir.join("prax.toml");
    std::fs::write(
        &config,
        format!("[store]\nca_file = {:?}\n", dir.join("ca.crt")),
    )?;
    let config = config.display().to_string();
    let server = Server::start_with_env(
        dir,
        &dir.join("data"),
        &["--config", &config],
        &[
            ("PRAXIMOUS_API_KEYS", Some(TEST_ADMIN_KEY)),
            ("PRAXIMOUS_STORE_URL", Some(&url)),
        ],
    )?;
    let answer = post_json(
        &client(),
        &server.url("/api/v1/process"),
        &json!({"task_type": "echo", "prompt": "over tls"}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let encrypted =
        praximous_e2e::store::run_on(&format!("{cluster}/postgres"), |client| async move {
            let row = client
                .query_one(
                    "SELECT COUNT(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
                 WHERE ssl AND application_name = 'prax'",
                    &[],
                )
                .await?;
            Ok(row.get::<_, i64>(0))
        })?;
    assert!(encrypted > 0, "prax's connections use TLS");
    drop(server);

    // Not trusting it: `prax serve` stops and says why.
    let refused = Command::new(prax_binary())
        .current_dir(dir)
        .env("PRAXIMOUS_STORE_URL", &url)
        .env_remove("PRAXIMOUS_CONFIG")
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data2"))
        .output()?;
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot connect to PostgreSQL") && err.contains("certificate"),
        "{err}"
    );
    Ok(())
}
