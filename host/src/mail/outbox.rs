//! The outbox: checks a skill's message against the operator's rules and hands it to the SMTP
//! server. The host, not the skill, decides the sender and which domains mail may go to.

use std::num::NonZeroU32;
use std::str::FromStr;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, Mailboxes, MultiPart, SinglePart, header::Header};
use lettre::{AsyncTransport, Message};

use super::config::MailConfig;
use super::smtp_server::SmtpServer;
use crate::egress::Resolver;
use crate::environment::Environment;

/// Largest body a skill may send, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Longest subject, in characters (RFC 5322's line limit).
pub const MAX_SUBJECT_CHARS: usize = 998;

/// A message as a skill asks for it.
#[derive(Debug, Clone, Default)]
pub struct OutgoingMail {
    /// Recipients.
    pub to: Vec<String>,
    /// Carbon-copy recipients.
    pub cc: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Reply-To address.
    pub reply_to: Option<String>,
}

/// A message the host itself sends.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The one recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// A file attached to it.
    pub attachment: Option<NoticeAttachment>,
}

/// A file attached to a [`Notice`].
#[derive(Debug, Clone)]
pub struct NoticeAttachment {
    /// Its file name.
    pub filename: String,
    /// Its MIME type, e.g. `text/plain`.
    pub content_type: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

/// Which skill and request a message comes from; it travels in `X-Praximous-*` headers so the
/// mail server's logs lead back to the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The skill's name.
    pub skill: &'a str,
    /// The request id.
    pub request_id: &'a str,
    /// The API key the request came with, if any.
    pub key_id: Option<&'a str>,
}

/// What the SMTP server accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The message's `Message-ID`.
    pub message_id: String,
    /// The sender it went out with.
    pub sender: String,
    /// Every recipient address.
    pub recipients: Vec<String>,
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The skill may not send mail, or not to this recipient.
    #[error("{0}")]
    Denied(String),
    /// No SMTP server is configured, or its password is missing.
    #[error("{0}")]
    NotConfigured(String),
    /// The message is malformed.
    #[error("{0}")]
    Invalid(String),
    /// The server refused it for good.
    #[error("{0}")]
    Rejected(String),
    /// The server could not be reached, or asked to retry later.
    #[error("{0}")]
    Unavailable(String),
}

/// Why the outbox could not be set up from `[mail]`.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    /// `ca_file` could not be read or holds no certificate.
    #[error("[mail] ca_file {path}: {problem}")]
    CaFile {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// `from` is not an address (validation refuses this first).
    #[error("[mail] from: {0}")]
    Sender(String),
    /// TLS could not be set up for the server.
    #[error("[mail] cannot set up TLS for {host}: {problem}")]
    Tls {
        /// The server.
        host: String,
        /// What is wrong.
        problem: String,
    },
}

/// The operator's SMTP server, ready to send.
pub struct Outbox {
    server: SmtpServer,
    sender: Mailbox,
    max_recipients: usize,
    recipients: RecipientDomains,
    per_key: Option<(u32, DefaultKeyedRateLimiter<String>)>,
    per_skill: Option<(u32, DefaultKeyedRateLimiter<String>)>,
    /// Set when `password_env` names a variable that is unset: sending would only fail later.
    missing_password: Option<String>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("server", &self.server.name())
            .field("sender", &self.sender.to_string())
            .finish_non_exhaustive()
    }
}

impl Outbox {
    /// Set up the outbox from a validated `[mail]` table; `env` reads the password variable.
    pub fn new(
        config: &MailConfig,
        env: &Environment,
        resolver: &Resolver,
    ) -> Result<Self, MailSetupError> {
        let sender = Mailbox::from_str(&config.from).map_err(|e| {
            MailSetupError::Sender(format!("`{}` is not an address: {e}", config.from))
        })?;
        let password = config
            .password_env
            .as_deref()
            .map(|var| (var, env.get(var)));
        let missing_password = match &password {
            Some((var, None)) => Some((*var).to_owned()),
            _ => None,
        };
        let server = SmtpServer::new(config, password.and_then(|(_, value)| value), resolver)?;
        let own_domain = sender.email.domain().to_ascii_lowercase();
        Ok(Self {
            server,
            sender,
            max_recipients: config.max_recipients as usize,
            recipients: RecipientDomains::new(&config.allowed_recipient_domains, &own_domain),
            per_key: per_minute(config.max_messages_per_minute_per_key),
            per_skill: per_minute(config.max_messages_per_minute_per_skill),
            missing_password,
        })
    }

    /// The environment variable that should hold the password but is unset, if any.
    pub fn missing_password(&self) -> Option<&str> {
        self.missing_password.as_deref()
    }

    /// `host:port` of the SMTP server.
    pub fn server(&self) -> String {
        self.server.name()
    }

    /// Check `mail` and send it; returns once the server has accepted it.
    pub async fn send(&self, origin: Origin<'_>, mail: OutgoingMail) -> Result<Receipt, MailError> {
        if let Some(variable) = &self.missing_password {
            return Err(MailError::NotConfigured(format!(
                "the SMTP password variable {variable} named by [mail] password_env is not set; set it and restart Praximous"
            )));
        }
        let message = self.compose(origin, mail)?;
        self.within_rate(&origin)?;
        self.deliver(message).await
    }

    /// Send the host's own message (a licence to its buyer, say): from the operator's sender,
    /// to anyone. The rules for skills' mail (recipient domains, rates) do not apply; the
    /// host, not a skill, wrote it.
    pub async fn send_notice(&self, notice: Notice) -> Result<Receipt, MailError> {
        if let Some(variable) = &self.missing_password {
            return Err(MailError::NotConfigured(format!(
                "the SMTP password variable {variable} named by [mail] password_env is not set; set it and restart Praximous"
            )));
        }
        let to = parse_mailbox("to", &notice.to)?;
        let domain = self.sender.email.domain();
        let builder = Message::builder()
            .from(self.sender.clone())
            .to(to)
            .subject(notice.subject)
            .message_id(Some(format!("<{}@{domain}>", uuid::Uuid::now_v7())));
        let text = SinglePart::plain(notice.body);
        let message = match notice.attachment {
            None => builder.singlepart(text),
            Some(attachment) => {
                builder.multipart(MultiPart::mixed().singlepart(text).singlepart(
                    Attachment::new(attachment.filename).body(
                        attachment.content,
                        ContentType::parse(&attachment.content_type).map_err(|e| {
                            MailError::Invalid(format!("the attachment's type: {e}"))
                        })?,
                    ),
                ))
            }
        }
        .map_err(|e| MailError::Invalid(format!("the message cannot be built: {e}")))?;
        self.deliver(message).await
    }

    /// Hand `message` to the SMTP server.
    async fn deliver(&self, message: Message) -> Result<Receipt, MailError> {
        let message_id = message
            .headers()
            .get_raw("Message-ID")
            .unwrap_or_default()
            .to_owned();
        let recipients = message
            .envelope()
            .to()
            .iter()
            .map(ToString::to_string)
            .collect();
        let transport = self.server.transport().await?;
        match transport.send(message).await {
            Ok(_) => Ok(Receipt {
                message_id,
                sender: self.sender.email.to_string(),
                recipients,
            }),
            Err(error) if error.is_permanent() => Err(MailError::Rejected(format!(
                "the SMTP server {} refused the message: {error}",
                self.server.name()
            ))),
            Err(error) => Err(MailError::Unavailable(format!(
                "cannot send through the SMTP server {}: {error}",
                self.server.name()
            ))),
        }
    }

    /// Build the message, refusing what the operator's rules or RFC 5322 do not allow.
    fn compose(&self, origin: Origin<'_>, mail: OutgoingMail) -> Result<Message, MailError> {
        let to = self.mailboxes("to", &mail.to)?;
        let cc = self.mailboxes("cc", &mail.cc)?;
        if to.iter().next().is_none() {
            return Err(MailError::Invalid(
                "the message has no recipient in `to`".into(),
            ));
        }
        let count = to.iter().count() + cc.iter().count();
        if count > self.max_recipients {
            return Err(MailError::Invalid(format!(
                "the message has {count} recipients; the operator allows at most {} per message",
                self.max_recipients
            )));
        }
        if mail.subject.contains(['\r', '\n']) {
            return Err(MailError::Invalid(
                "the subject must be a single line".into(),
            ));
        }
        if mail.subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(MailError::Invalid(format!(
                "the subject is longer than {MAX_SUBJECT_CHARS} characters"
            )));
        }
        if mail.body.trim().is_empty() {
            return Err(MailError::Invalid("the body is empty".into()));
        }
        if mail.body.len() > MAX_BODY_BYTES {
            return Err(MailError::Invalid(format!(
                "the body is {} bytes; the limit is {MAX_BODY_BYTES}",
                mail.body.len()
            )));
        }
        let domain = self.sender.email.domain();
        let mut builder = Message::builder()
            .from(self.sender.clone())
            .mailbox(lettre::message::header::To::from(to))
            .subject(mail.subject)
            .message_id(Some(format!("<{}@{domain}>", uuid::Uuid::now_v7())))
            .header(ContentType::TEXT_PLAIN)
            .header(PraximousSkill(origin.skill.to_owned()))
            .header(PraximousRequest(origin.request_id.to_owned()));
        if cc.iter().next().is_some() {
            builder = builder.mailbox(lettre::message::header::Cc::from(cc));
        }
        if let Some(reply_to) = mail.reply_to.filter(|r| !r.trim().is_empty()) {
            builder = builder.reply_to(parse_mailbox("reply_to", &reply_to)?);
        }
        builder
            .body(mail.body)
            .map_err(|e| MailError::Invalid(format!("the message cannot be built: {e}")))
    }

    /// Count one message against its key's and its skill's per-minute limits.
    fn within_rate(&self, origin: &Origin<'_>) -> Result<(), MailError> {
        let over = |limit: &Option<(u32, DefaultKeyedRateLimiter<String>)>,
                    key: &str,
                    whose: &str| {
            let Some((per_minute, limiter)) = limit else {
                return Ok(());
            };
            limiter.check_key(&key.to_owned()).map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                MailError::Denied(format!(
                    "the operator allows at most {per_minute} messages a minute {whose}; try again in {} s",
                    wait.as_secs() + 1
                ))
            })
        };
        if let Some(key) = origin.key_id {
            over(&self.per_key, key, "per API key")?;
        }
        over(&self.per_skill, origin.skill, "from this skill")
    }

    /// Parse addresses and check each against the allowed domains.
    fn mailboxes(&self, field: &str, addresses: &[String]) -> Result<Mailboxes, MailError> {
        let mut boxes = Mailboxes::new();
        for text in addresses.iter().filter(|a| !a.trim().is_empty()) {
            let mailbox = parse_mailbox(field, text)?;
            self.recipients.check(&mailbox)?;
            boxes.push(mailbox);
        }
        Ok(boxes)
    }
}

/// A per-minute limiter, or none for 0.
fn per_minute(limit: u32) -> Option<(u32, DefaultKeyedRateLimiter<String>)> {
    NonZeroU32::new(limit).map(|n| (limit, DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))))
}

/// Where messages may go.
#[derive(Debug)]
enum RecipientDomains {
    /// Anywhere (`"*"`).
    Any,
    /// These domains and their subdomains.
    Listed(Vec<String>),
    /// Only the sender's own domain (the default).
    Own(String),
}

impl RecipientDomains {
    fn new(configured: &[String], own: &str) -> Self {
        if configured.iter().any(|d| d.trim() == "*") {
            Self::Any
        } else if configured.is_empty() {
            Self::Own(own.to_owned())
        } else {
            Self::Listed(
                configured
                    .iter()
                    .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                    .collect(),
            )
        }
    }

    fn check(&self, mailbox: &Mailbox) -> Result<(), MailError> {
        let domain = mailbox.email.domain().to_ascii_lowercase();
        let (allowed, described) = match self {
            Self::Any => return Ok(()),
            Self::Listed(domains) => (
                domains.iter().any(|d| is_within(&domain, d)),
                domains.join(", "),
            ),
            Self::Own(own) => (
                is_within(&domain, own),
                format!("only the sender's own, {own}"),
            ),
        };
        if allowed {
            Ok(())
        } else {
            Err(MailError::Denied(format!(
                "'{}' is outside the domains the operator allows e-mail to ({described}); ask the operator to add it to [mail] allowed_recipient_domains (\"*\" allows any)",
                mailbox.email
            )))
        }
    }
}

/// Whether `domain` is `allowed` or one of its subdomains.
fn is_within(domain: &str, allowed: &str) -> bool {
    domain
        .strip_suffix(allowed)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

fn parse_mailbox(field: &str, text: &str) -> Result<Mailbox, MailError> {
    Mailbox::from_str(text.trim()).map_err(|e| {
        MailError::Invalid(format!(
            "'{text}' in `{field}` is not an e-mail address ({e})"
        ))
    })
}

/// `X-Praximous-Skill`: the skill that sent the message.
#[derive(Debug, Clone)]
struct PraximousSkill(String);

/// `X-Praximous-Request-Id`: the request that sent it.
#[derive(Debug, Clone)]
struct PraximousRequest(String);

macro_rules! text_header {
    ($type:ident, $name:literal) => {
        impl Header for $type {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Self(s.to_owned()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(PraximousSkill, "X-Praximous-Skill");
text_header!(PraximousRequest, "X-Praximous-Request-Id");

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox(extra: &str) -> Outbox {
        let domains = if extra.contains("allowed_recipient_domains") {
            ""
        } else {
            "allowed_recipient_domains = [\"*\"]\n"
        };
        let text = format!(
            "host = \"127.0.0.1\"\nsecurity = \"none\"\nfrom = \"Praximous <bot@corp.example>\"\n{domains}{extra}"
        );
        let config: MailConfig = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        Outbox::new(
            &config,
            &Environment::fixed(Vec::<(String, String)>::new()),
            &Resolver::system(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn mail(to: &[&str]) -> OutgoingMail {
        OutgoingMail {
            to: to.iter().map(|s| (*s).to_owned()).collect(),
            subject: "Hello".into(),
            body: "Body".into(),
            ..OutgoingMail::default()
        }
    }

    const ORIGIN: Origin<'static> = Origin {
        skill: "email_sender",
        request_id: "r-1",
        key_id: Some("key-1"),
    };

    #[test]
    fn by_default_mail_goes_only_to_the_senders_own_domain() {
        let own = outbox("allowed_recipient_domains = []");
        assert!(own.compose(ORIGIN, mail(&["ann@corp.example"])).is_ok());
        assert!(own.compose(ORIGIN, mail(&["ann@eu.corp.example"])).is_ok());
        match own.compose(ORIGIN, mail(&["mark@gmail.example"])) {
            Err(MailError::Denied(m)) => {
                assert!(m.contains("only the sender's own, corp.example"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        let any = outbox("allowed_recipient_domains = [\"*\"]");
        assert!(any.compose(ORIGIN, mail(&["mark@gmail.example"])).is_ok());
    }

    #[test]
    fn each_key_and_each_skill_has_its_own_message_budget() {
        let limited =
            outbox("max_messages_per_minute_per_key = 2\nmax_messages_per_minute_per_skill = 3");
        let from = |key| Origin {
            key_id: Some(key),
            ..ORIGIN
        };
        assert!(limited.within_rate(&from("a")).is_ok());
        assert!(limited.within_rate(&from("a")).is_ok());
        match limited.within_rate(&from("a")) {
            Err(MailError::Denied(m)) => {
                assert!(m.contains("2 messages a minute per API key"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            limited.within_rate(&from("b")).is_ok(),
            "another key has its own"
        );
        match limited.within_rate(&from("c")) {
            Err(MailError::Denied(m)) => assert!(m.contains("from this skill"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_sender_and_origin_headers_are_the_hosts() {
        let message = outbox("")
            .compose(ORIGIN, mail(&["Jane <jane@example.com>"]))
            .unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8_lossy(&message.formatted()).into_owned();
        assert!(
            text.contains("From: Praximous <bot@corp.example>"),
            "{text}"
        );
        assert!(text.contains("X-Praximous-Skill: email_sender"), "{text}");
        assert!(text.contains("X-Praximous-Request-Id: r-1"), "{text}");
        assert!(text.contains("@corp.example>"), "{text}");
    }

    #[test]
    fn bad_messages_are_refused_before_any_connection() {
        let outbox = outbox("max_recipients = 2\nallowed_recipient_domains = [\"example.com\"]");
        let refuse = |m: OutgoingMail| outbox.compose(ORIGIN, m).err();
        assert!(matches!(refuse(mail(&[])), Some(MailError::Invalid(_))));
        assert!(matches!(
            refuse(mail(&["not-an-address"])),
            Some(MailError::Invalid(_))
        ));
        assert!(matches!(
            refuse(mail(&["a@example.com", "b@example.com", "c@example.com"])),
            Some(MailError::Invalid(_))
        ));
        assert!(matches!(
            refuse(mail(&["x@evil.test"])),
            Some(MailError::Denied(_))
        ));
        assert!(
            outbox
                .compose(ORIGIN, mail(&["a@sales.example.com"]))
                .is_ok()
        );
        let mut injected = mail(&["a@example.com"]);
        injected.subject = "Hi\r\nBcc: x@evil.test".into();
        assert!(matches!(refuse(injected), Some(MailError::Invalid(_))));
        let mut empty = mail(&["a@example.com"]);
        empty.body = "  ".into();
        assert!(matches!(refuse(empty), Some(MailError::Invalid(_))));
    }

    #[tokio::test]
    async fn an_unset_password_variable_is_not_configured() {
        let outbox = outbox("username = \"u\"\npassword_env = \"PRAX_TEST_UNSET_SMTP\"");
        assert_eq!(outbox.missing_password(), Some("PRAX_TEST_UNSET_SMTP"));
        assert!(matches!(
            outbox.send(ORIGIN, mail(&["a@example.com"])).await,
            Err(MailError::NotConfigured(_))
        ));
    }
}
