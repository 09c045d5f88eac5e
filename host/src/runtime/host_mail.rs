//! The `mail` import: e-mail through the operator's SMTP server, for skills granted `mail`.

use super::bindings::mail::{Host, MailError, Message, Receipt};
use super::state::SkillState;
use crate::mail::{self, Origin, OutgoingMail};

impl Host for SkillState {
    async fn send(&mut self, message: Message) -> wasmtime::Result<Result<Receipt, MailError>> {
        let origin = Origin {
            skill: &self.call.skill,
            request_id: &self.call.request_id,
        };
        let outgoing = OutgoingMail {
            to: message.to,
            cc: message.cc,
            subject: message.subject,
            body: message.body,
            reply_to: message.reply_to,
        };
        let sent = self.call.mail.send(origin, outgoing).await;
        tracing::info!(target: "skill", skill = &*self.call.skill, request_id = &*self.call.request_id, ok = sent.is_ok(), "mail send");
        Ok(sent
            .map(|receipt| Receipt {
                message_id: receipt.message_id,
                sender: receipt.sender,
                recipients: receipt.recipients,
            })
            .map_err(|error| match error {
                mail::MailError::Denied(m) => MailError::Denied(m),
                mail::MailError::NotConfigured(m) => MailError::NotConfigured(m),
                mail::MailError::Invalid(m) => MailError::Invalid(m),
                mail::MailError::Rejected(m) => MailError::Rejected(m),
                mail::MailError::Unavailable(m) => MailError::Unavailable(m),
            }))
    }
}
