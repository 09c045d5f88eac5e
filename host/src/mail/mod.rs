//! E-mail for skills: the operator's SMTP server (`[mail]`), reached only by skills whose
//! manifest grants `mail`, through the `mail` host import.

pub mod config;
pub mod outbox;
pub mod smtp_server;

use std::sync::Arc;

pub use config::{MailConfig, Security};
pub use outbox::{
    MailError, MailSetupError, Notice, NoticeAttachment, Origin, Outbox, OutgoingMail, Receipt,
};

/// What one skill instance may do with e-mail.
#[derive(Debug, Clone, Default)]
pub enum MailAccess {
    /// Its manifest does not grant `mail`.
    #[default]
    NotGranted,
    /// Granted, but the operator has configured no SMTP server.
    NotConfigured,
    /// Granted, through this outbox.
    Ready(Arc<Outbox>),
}

impl MailAccess {
    /// The access of a skill whose manifest does (`granted`) or does not ask for `mail`.
    pub fn for_skill(granted: bool, outbox: Option<&Arc<Outbox>>) -> Self {
        match (granted, outbox) {
            (false, _) => Self::NotGranted,
            (true, None) => Self::NotConfigured,
            (true, Some(outbox)) => Self::Ready(outbox.clone()),
        }
    }

    /// Send `mail` for `origin`, or say why this skill cannot.
    pub async fn send(&self, origin: Origin<'_>, mail: OutgoingMail) -> Result<Receipt, MailError> {
        match self {
            Self::NotGranted => Err(MailError::Denied(format!(
                "skill '{}' may not send e-mail: its manifest does not grant it (add `permissions: {{ mail: true }}`)",
                origin.skill
            ))),
            Self::NotConfigured => Err(MailError::NotConfigured(
                "no SMTP server is configured: the operator must add a [mail] table (host, from, and login if needed) to the configuration".into(),
            )),
            Self::Ready(outbox) => outbox.send(origin, mail).await,
        }
    }
}
