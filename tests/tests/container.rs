//! The container image (`Dockerfile`): its runtime stage built from the `prax` under test, its
//! configuration and size, and its root filesystem alone serving requests as its user.
//!
//! Machines that can pull no base image and run no container can still build the `FROM
//! scratch` runtime stage from a local binary (`ROOTFS=rootfs-local`) with podman and export
//! it; running the image's entrypoint in that export under `chroot --userspec` shows the image
//! holds everything `prax` needs, and that its user may write its volume.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail, ensure};
use praximous_e2e::{
    TEST_ADMIN_KEY, available_or_skip, client, client_with_key, get, post_json, prax_binary,
    repo_root,
};
use serde_json::{Value, json};

/// The image's user, as the Dockerfile and tools/container-rootfs.sh make it.
const USER: &str = "10001:10001";
/// What the image may add to the binary: the C libraries, the loader and the CA certificates
/// take about 3.5 MB; a base distribution slipping in would take far more.
const OVERHEAD_LIMIT: u64 = 30 << 20;

/// Whether podman and a usable `chroot` are here (outside CI, a note says why not).
fn tools_or_skip() -> bool {
    let podman = Command::new("podman")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    available_or_skip(if !podman {
        Some("podman is missing: run tools/test-tools.sh (make test does)".into())
    } else if !root {
        Some("the image's root filesystem runs under chroot, which needs root".into())
    } else {
        None
    })
}

/// Run `command` to its end: its stdout, or an error with its status and both streams.
fn run(command: &mut Command) -> anyhow::Result<String> {
    let described = format!("{command:?}");
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {described}"))?;
    ensure!(
        output.status.success(),
        "{described}: {}\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The built image, removed when dropped with every intermediate image of its build (the
/// build labels each of them).
struct Image {
    tag: String,
    label: String,
}

impl Drop for Image {
    fn drop(&mut self) {
        let _ = Command::new("podman")
            .args(["rmi", "--force", self.tag.as_str()])
            .output();
        let filter = format!("label={}", self.label);
        let listed = Command::new("podman")
            .args(["images", "--all", "--quiet", "--filter", filter.as_str()])
            .output();
        if let Ok(listed) = listed {
            for id in String::from_utf8_lossy(&listed.stdout).split_whitespace() {
                let _ = Command::new("podman").args(["rmi", "--force", id]).output();
            }
        }
    }
}

/// A process started in the image's root filesystem, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `argv` run in `root` as the image's user, with `env` and nothing of this process's
/// environment: what the image gets from its own configuration alone.
fn in_image(root: &Path, env: &[(String, String)], argv: &[String]) -> Command {
    let mut command = Command::new("chroot");
    command
        .env_clear()
        .envs(env.iter().map(|(name, value)| (name, value)))
        .arg(format!("--userspec={USER}"))
        .arg(root)
        .args(argv);
    command
}

fn strings(value: &Value) -> Vec<String> {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_image_serves_from_its_own_files_as_its_user() -> anyhow::Result<()> {
    if !tools_or_skip() {
        return Ok(());
    }
    let binary = prax_binary();
    let work = tempfile::tempdir()?;
    let files = work.path().join("image");
    run(Command::new(repo_root().join("tools/container-rootfs.sh"))
        .arg(&binary)
        .arg(&files))?;

    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let unique = format!("praximous-test-{}-{nanos}", std::process::id());
    let image = Image {
        tag: format!("localhost/{unique}:test"),
        label: format!("praximous.test={unique}"),
    };
    // The OCI format has no HEALTHCHECK, hence docker's. Without the cache every image the
    // build makes is new and labelled, so the guard removes them all.
    run(Command::new("podman")
        .args(["build", "--format", "docker", "--no-cache"])
        .args(["--build-arg", "ROOTFS=rootfs-local"])
        .args(["--label", image.label.as_str(), "--tag", image.tag.as_str()])
        .arg("--file")
        .arg(repo_root().join("Dockerfile"))
        .arg(&files))?;

    let inspected = run(Command::new("podman").args(["image", "inspect", image.tag.as_str()]))?;
    let inspected: Value = serde_json::from_str(&inspected)?;
    let info = &inspected[0];
    let config = &info["Config"];
    assert_eq!(config["User"], USER, "{config}");
    assert!(config["ExposedPorts"].get("8000/tcp").is_some(), "{config}");
    assert!(config["Volumes"].get("/data").is_some(), "{config}");
    let (entrypoint, cmd) = (strings(&config["Entrypoint"]), strings(&config["Cmd"]));
    assert_eq!(entrypoint, ["/usr/local/bin/prax"]);
    assert_eq!(cmd, ["serve"]);
    let healthcheck = strings(&info["Healthcheck"]["Test"]);
    assert_eq!(healthcheck, ["CMD", "/usr/local/bin/prax", "healthcheck"]);
    let env: Vec<(String, String)> = strings(&config["Env"])
        .iter()
        .filter_map(|v| v.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let has = |name: &str, value: &str| env.iter().any(|(n, v)| n == name && v == value);
    assert!(has("PRAXIMOUS_BIND", "0.0.0.0:8000"), "{env:?}");
    assert!(has("PRAXIMOUS_DATA_DIR", "/data"), "{env:?}");

    let binary_size = std::fs::metadata(&binary)?.len();
    let size = info["Size"].as_u64().context("no image size")?;
    assert!(
        size >= binary_size && size - binary_size < OVERHEAD_LIMIT,
        "the image is {size} bytes for a {binary_size}-byte binary"
    );

    let container = run(Command::new("podman").args(["create", image.tag.as_str()]))?;
    let container = container.trim();
    let tar = work.path().join("rootfs.tar");
    let exported = run(Command::new("podman")
        .args(["export", "--output"])
        .arg(&tar)
        .arg(container));
    let _ = Command::new("podman")
        .args(["rm", "--force", container])
        .output();
    exported?;
    let root = work.path().join("root");
    std::fs::create_dir(&root)?;
    run(Command::new("tar")
        .args(["--extract", "--numeric-owner", "--file"])
        .arg(&tar)
        .arg("--directory")
        .arg(&root))?;
    let data = std::fs::metadata(root.join("data"))?;
    assert_eq!((data.uid(), data.gid()), (10001, 10001), "owner of /data");
    assert_eq!(std::fs::metadata(root.join("tmp"))?.mode() & 0o7777, 0o1777);

    // Exactly what the image runs, on a free port instead of 8000.
    let mut serve_env: Vec<(String, String)> = env
        .iter()
        .filter(|(name, _)| name != "PRAXIMOUS_BIND")
        .cloned()
        .collect();
    for (name, value) in [
        ("PRAXIMOUS_BIND", "127.0.0.1:0"),
        ("PRAXIMOUS_API_KEYS", TEST_ADMIN_KEY),
        ("NO_COLOR", "1"),
    ] {
        serve_env.push((name.to_owned(), value.to_owned()));
    }
    let argv = [entrypoint, cmd].concat();
    let log_path = work.path().join("prax.log");
    let mut server = Running(
        in_image(&root, &serve_env, &argv)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log_path)?)
            .spawn()
            .context("cannot start chroot")?,
    );
    let stdout = server.0.stdout.take().context("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = tx.send(url.to_owned());
            }
        }
    });
    // Generous: a debug build compiles every built-in skill at start-up.
    let Ok(base_url) = rx.recv_timeout(Duration::from_secs(240)) else {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        bail!("prax in the image did not start listening within 240 s; its log:\n{log}");
    };

    let health = get(&client_with_key(None), &format!("{base_url}/healthz")).await?;
    assert_eq!(health.status, 200, "{}", health.text);
    assert_eq!(health.json["status"], "ok", "{}", health.text);
    let process = format!("{base_url}/api/v1/process");
    let body = json!({"task_type": "echo", "prompt": "Hello from the image"});
    let echo = post_json(&client(), &process, &body).await?;
    assert_eq!(echo.status, 200, "{}", echo.text);
    assert_eq!(echo.json["result"]["echoed_prompt"], "Hello from the image");
    let anonymous = post_json(&client_with_key(None), &process, &body).await?;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    let audit = std::fs::metadata(root.join("data/praximous.db"))?;
    assert_eq!(audit.uid(), 10001, "owner of the store in the volume");

    // The image's own HEALTHCHECK command, told the port through its environment variable.
    let mut check_env = env.clone();
    check_env.push(("PRAXIMOUS_HEALTHCHECK_URL".to_owned(), base_url.clone()));
    let check = &healthcheck[1..];
    let healthy = in_image(&root, &check_env, check).output()?;
    assert!(
        healthy.status.success(),
        "healthcheck against a serving prax: {}",
        String::from_utf8_lossy(&healthy.stderr)
    );
    server.0.kill()?;
    server.0.wait()?;
    let stopped = in_image(&root, &check_env, check).output()?;
    assert!(!stopped.status.success(), "healthy with the server stopped");
    Ok(())
}
