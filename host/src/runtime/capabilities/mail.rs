//! `mail`: e-mail through the operator's SMTP server, for skills whose manifest grants `mail`.

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

use crate::mail::{self, MailAccess, Origin, OutgoingMail};
use crate::runtime::bindings::mail::{self as wit, Host, MailError, Message, Receipt};
use crate::runtime::capability::{Capability, GrantInput, InstanceInput, LinkCapability};

/// The `mail` capability.
pub struct Mail;

/// One instance's access to e-mail.
pub struct MailState {
    access: MailAccess,
    skill: Arc<str>,
    request_id: Arc<str>,
    key_id: Option<Arc<str>>,
}

impl Capability for Mail {
    type Grant = MailAccess;
    type State = MailState;

    fn grant(input: &GrantInput<'_>) -> MailAccess {
        MailAccess::for_skill(input.permissions.mail, input.services.mail.as_ref())
    }

    fn instantiate(grant: &MailAccess, input: &InstanceInput<'_>) -> MailState {
        MailState {
            access: grant.clone(),
            skill: input.skill.clone(),
            request_id: input.request_id.clone(),
            key_id: input.key_id.cloned(),
        }
    }
}

impl<T: Send + 'static> LinkCapability<T> for Mail {
    fn add_to_linker(
        linker: &mut Linker<T>,
        state: fn(&mut T) -> &mut MailState,
    ) -> wasmtime::Result<()> {
        wit::add_to_linker::<T, HasSelf<MailState>>(linker, state)
    }
}

impl Host for MailState {
    async fn send(&mut self, message: Message) -> wasmtime::Result<Result<Receipt, MailError>> {
        let origin = Origin {
            skill: &self.skill,
            request_id: &self.request_id,
            key_id: self.key_id.as_deref(),
        };
        let outgoing = OutgoingMail {
            to: message.to,
            cc: message.cc,
            subject: message.subject,
            body: message.body,
            reply_to: message.reply_to,
        };
        let sent = self.access.send(origin, outgoing).await;
        tracing::info!(target: "skill", skill = &*self.skill, request_id = &*self.request_id, ok = sent.is_ok(), "mail send");
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
