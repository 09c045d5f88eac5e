//! `email_sender`: a plain-text e-mail through the operator's SMTP server, via the host's
//! `mail` capability. The operator's `[mail]` table decides the server, the sender and which
//! domains mail may go to; this skill only shapes the message the caller asked for.

use praximous_skill::host::{MailMessage, send_mail};
use praximous_skill::{Reply, Request, Skill, SkillError, Value, export_skill, json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    operation: Option<String>,
    to: Option<Value>,
    cc: Option<Value>,
    subject: Option<String>,
    body: Option<String>,
    reply_to: Option<String>,
}

fn input_error(details: impl Into<String>) -> SkillError {
    SkillError::bad_input("Input Error").with_details(details.into())
}

/// `to` or `cc` as the original took it: a comma-separated string or a list of strings.
fn addresses(field: &str, value: Option<Value>) -> Result<Vec<String>, SkillError> {
    let list: Vec<String> = match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(text)) => text.split(',').map(|a| a.trim().to_owned()).collect(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => text.trim().to_owned(),
                other => other.to_string(),
            })
            .collect(),
        Some(_) => {
            return Err(input_error(format!(
                "'{field}' must be a string (comma-separated for multiple) or a list of strings."
            )));
        }
    };
    Ok(list.into_iter().filter(|a| !a.is_empty()).collect())
}

struct EmailSender;

impl Skill for EmailSender {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let Params {
            operation,
            to,
            cc,
            subject,
            body,
            reply_to,
        } = request.params;
        let operation = operation
            .unwrap_or_else(|| "send_email".into())
            .to_lowercase();
        let to = addresses("to", to)?;
        if to.is_empty() {
            return Err(input_error("'to' (recipient email address) is required."));
        }
        let cc = addresses("cc", cc)?;
        let body = body.unwrap_or(request.prompt);
        if body.trim().is_empty() {
            return Err(input_error("'body' (email content) cannot be empty."));
        }
        if operation != "send_email" {
            return Err(SkillError::bad_input("Unsupported Operation")
                .with_details(format!("Operation '{operation}' is not supported.")));
        }
        let subject = subject.unwrap_or_else(|| "Message from Praximous".into());
        let receipt = send_mail(&MailMessage {
            to: to.clone(),
            cc: cc.clone(),
            subject: subject.clone(),
            body,
            reply_to,
        })?;
        let count = receipt.recipients.len();
        Ok(Reply::data(json!({
            "message": "Email sent successfully.",
            "to": to,
            "cc": cc,
            "subject": subject,
            "message_id": receipt.message_id,
            "from": receipt.sender,
        }))
        .with_message(format!(
            "Email sent to {count} recipient{}.",
            if count == 1 { "" } else { "s" }
        )))
    }
}

export_skill!(EmailSender);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_come_as_a_comma_separated_string_or_a_list() {
        let from_text = addresses("to", Some(json!("a@example.com, b@example.com,")));
        assert_eq!(
            from_text.ok(),
            Some(vec!["a@example.com".to_owned(), "b@example.com".to_owned()])
        );
        let from_list = addresses("to", Some(json!([" a@example.com ", ""])));
        assert_eq!(from_list.ok(), Some(vec!["a@example.com".to_owned()]));
        assert_eq!(addresses("cc", None).ok(), Some(Vec::new()));
        assert!(addresses("to", Some(json!(42))).is_err());
    }
}
