//! A real SMTP server on 127.0.0.1 for the tests (`tests/smtp/sink.py`, aiosmtpd from
//! `tools/test-tools.sh`): what it accepted, message by message.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::Value;

use crate::{repo_root, tool_python};

/// The login the sink asks for.
pub const SMTP_USER: &str = "praximous";
/// The password the sink asks for.
pub const SMTP_PASSWORD: &str = "smtp-secret-4f9c";

/// aiosmtpd's interpreter (see [`tool_python`]).
pub fn smtp_python() -> Option<PathBuf> {
    tool_python("smtp", "aiosmtpd")
}

/// A running `tests/smtp/sink.py`, stopped when dropped.
pub struct SmtpSink {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    messages: Receiver<Value>,
}

impl SmtpSink {
    /// A server that wants the test's login.
    pub fn start(python: &PathBuf) -> anyhow::Result<Self> {
        Self::start_with(python, &["--user", SMTP_USER, "--password", SMTP_PASSWORD])
    }

    /// A server that takes mail without a login (as an internal relay may).
    pub fn start_open(python: &PathBuf) -> anyhow::Result<Self> {
        Self::start_with(python, &[])
    }

    /// A server started with `args` (`--user`, `--password`).
    pub fn start_with(python: &PathBuf, args: &[&str]) -> anyhow::Result<Self> {
        let mut child = Command::new(python)
            .arg(repo_root().join("tests/smtp/sink.py"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (message_tx, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.strip_prefix("READY ") {
                    let _ = ready_tx.send(port.parse::<u16>().unwrap_or(0));
                } else if let Ok(message) = serde_json::from_str::<Value>(&line) {
                    let _ = message_tx.send(message);
                }
            }
        });
        let port = ready_rx.recv_timeout(Duration::from_secs(30))?;
        anyhow::ensure!(port != 0, "the SMTP sink did not say its port");
        Ok(Self {
            child,
            port,
            messages,
        })
    }

    /// The next message the server accepted.
    pub fn next_message(&self) -> anyhow::Result<Value> {
        Ok(self.messages.recv_timeout(Duration::from_secs(20))?)
    }

    /// Whether the server accepted nothing (more) within a short wait.
    pub fn received_nothing(&self) -> bool {
        matches!(
            self.messages.recv_timeout(Duration::from_millis(300)),
            Err(RecvTimeoutError::Timeout)
        )
    }

    /// A `[mail]` table for this server, with `extra` lines.
    pub fn mail_table(&self, extra: &str) -> String {
        format!(
            "[mail]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nusername = \"{SMTP_USER}\"\n\
             password_env = \"PRAX_TEST_SMTP_PASSWORD\"\nfrom = \"Acme Assistant <assistant@acme.example>\"\n{extra}",
            self.port
        )
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
