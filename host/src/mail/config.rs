//! `[mail]`: the operator's SMTP server, which skills granted `mail` send through.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587 by default).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465 by default).
    Tls,
    /// No encryption (port 25 by default): for a relay on this machine or a trusted network.
    None,
}

impl Security {
    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::None => 25,
        }
    }
}

/// `[mail]`. Without this table no skill can send e-mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// The SMTP server's host name or address.
    pub host: String,
    /// Its port; by default the usual one for `security`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default)]
    pub security: Security,
    /// The SMTP login, if the server wants one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The environment variable holding the SMTP password (never the password itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<String>,
    /// The sender of every message: `praximous@example.com` or `Praximous <praximous@example.com>`.
    pub from: String,
    /// Connect and per-command timeout, in milliseconds.
    #[serde(default = "MailConfig::default_timeout_ms")]
    pub timeout_ms: u64,
    /// Most recipients (to and cc together) of one message.
    #[serde(default = "MailConfig::default_max_recipients")]
    pub max_recipients: u32,
    /// The domains messages may go to (`example.com` also allows its subdomains); `"*"`
    /// allows any. Empty (the default): only the sender's own domain, so a skill cannot mail
    /// the outside world from the company's address unless the operator says so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_recipient_domains: Vec<String>,
    /// Messages one API key may have skills send per minute (0: unlimited).
    #[serde(default = "MailConfig::default_per_key")]
    pub max_messages_per_minute_per_key: u32,
    /// Messages one skill may send per minute, whoever asks (0: unlimited).
    #[serde(default = "MailConfig::default_per_skill")]
    pub max_messages_per_minute_per_skill: u32,
    /// A PEM file of extra certificate authorities to trust, e.g. an internal CA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// Internal address ranges (`"10.0.0.0/8"`) `host` may resolve to. Without them only public
    /// addresses are reached, unless `host` is an address or `localhost`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::config::addresses::address_ranges"
    )]
    pub allow_cidrs: Vec<ipnet::IpNet>,
}

impl MailConfig {
    fn default_timeout_ms() -> u64 {
        15_000
    }

    fn default_max_recipients() -> u32 {
        20
    }

    fn default_per_key() -> u32 {
        10
    }

    fn default_per_skill() -> u32 {
        60
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or_else(|| self.security.default_port())
    }

    /// Check the table; on error, the key (below `mail.`) and what to do.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.host.trim().is_empty() || self.host.contains(['/', ' ', ':']) {
            return Err((
                "host",
                "must be the SMTP server's host name or address alone, e.g. \"smtp.example.com\" (put the port in `port`)".into(),
            ));
        }
        if self.port == Some(0) {
            return Err(("port", "must be between 1 and 65535".into()));
        }
        Mailbox::from_str(&self.from).map_err(|e| {
            (
                "from",
                format!(
                    "is not an e-mail address ({e}); write \"praximous@example.com\" or \"Praximous <praximous@example.com>\""
                ),
            )
        })?;
        if !(100..=300_000).contains(&self.timeout_ms) {
            return Err(("timeout_ms", "must be between 100 and 300000 (ms)".into()));
        }
        if !(1..=1000).contains(&self.max_recipients) {
            return Err(("max_recipients", "must be between 1 and 1000".into()));
        }
        if let Some(variable) = &self.password_env {
            if variable.trim().is_empty() {
                return Err((
                    "password_env",
                    "must name an environment variable, e.g. \"SMTP_PASSWORD\"".into(),
                ));
            }
            if self.username.is_none() {
                return Err((
                    "username",
                    "is missing: `password_env` is set, so the server needs a login too".into(),
                ));
            }
        }
        if self.security == Security::None && self.password_env.is_some() && !self.is_loopback() {
            return Err((
                "security",
                format!(
                    "is \"none\", which would send the SMTP password to {} in clear text; use \"starttls\" or \"tls\"",
                    self.host
                ),
            ));
        }
        for domain in &self.allowed_recipient_domains {
            if domain.trim() == "*" {
                // Any domain, as documented (and as the outbox reads it).
                continue;
            }
            let bare = domain.trim_start_matches('@');
            if bare.is_empty() || !bare.contains('.') && bare != "localhost" || bare.contains('@') {
                return Err((
                    "allowed_recipient_domains",
                    format!("has `{domain}`, which is not a domain; write e.g. \"example.com\""),
                ));
            }
        }
        Ok(())
    }

    /// Whether the server is this machine.
    fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> MailConfig {
        let text = format!("host = \"smtp.example.com\"\nfrom = \"bot@example.com\"\n{extra}");
        toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn defaults_are_starttls_on_587() {
        let mail = config("");
        assert_eq!(mail.security, Security::Starttls);
        assert_eq!(mail.port(), 587);
        assert_eq!(config("security = \"tls\"").port(), 465);
        assert_eq!(config("security = \"none\"\nport = 2525").port(), 2525);
        assert!(mail.validate().is_ok());
    }

    #[test]
    fn each_mistake_names_its_key() {
        let key = |extra: &str| config(extra).validate().err().map(|(key, _)| key);
        assert_eq!(key("port = 0"), Some("port"));
        assert_eq!(key("password_env = \"SMTP_PASSWORD\""), Some("username"));
        assert_eq!(
            key("security = \"none\"\nusername = \"u\"\npassword_env = \"P\""),
            Some("security")
        );
        assert_eq!(key("max_recipients = 0"), Some("max_recipients"));
        assert_eq!(key("timeout_ms = 5"), Some("timeout_ms"));
        assert_eq!(
            key("allowed_recipient_domains = [\"not a domain\"]"),
            Some("allowed_recipient_domains")
        );
        assert_eq!(
            key("allowed_recipient_domains = [\"*\"]"),
            None,
            "`*`, any domain, is documented and accepted"
        );
        let mut bad_from = config("");
        bad_from.from = "not an address".into();
        assert_eq!(bad_from.validate().err().map(|(key, _)| key), Some("from"));
        let mut with_port = config("");
        with_port.host = "smtp.example.com:25".into();
        assert_eq!(with_port.validate().err().map(|(key, _)| key), Some("host"));
    }

    #[test]
    fn clear_text_login_is_allowed_only_to_this_machine() {
        let mut local = config("security = \"none\"\nusername = \"u\"\npassword_env = \"P\"");
        local.host = "127.0.0.1".into();
        assert!(local.validate().is_ok());
    }
}
