//! `email_sender` and the `mail` capability on the real binary, against a real SMTP server on
//! 127.0.0.1 (aiosmtpd, from `tools/test-tools.sh`): the message goes out from the operator's
//! sender with the operator's login, to exactly the recipients asked for; the operator's rules
//! and the server's refusals come back as clear errors; a skill whose manifest does not ask for
//! `mail` cannot send.

use std::net::Ipv4Addr;
use std::time::Duration;

use praximous_e2e::dns::TestDns;
use praximous_e2e::registry::config_check;
use praximous_e2e::smtp::{SMTP_PASSWORD, SmtpSink, smtp_python};
use praximous_e2e::{Answer, Server, client, component, install_skill, post_json};
use serde_json::{Value, json};

async fn send(server: &Server, body: Value) -> Answer {
    let mut body = body;
    body["task_type"] = json!("email_sender");
    post_json(&client(), &server.url("/api/v1/process"), &body)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn detail(answer: &Answer) -> &str {
    answer.json["detail"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn email_goes_out_through_the_operators_smtp_server() -> anyhow::Result<()> {
    let Some(python) = smtp_python() else {
        return Ok(());
    };
    let sink = SmtpSink::start(&python)?;
    let server = Server::start_with_config_and_env(
        &sink.mail_table(
            "allowed_recipient_domains = [\"example.com\", \"example.org\", \"acme.example\"]\n",
        ),
        &[("PRAX_TEST_SMTP_PASSWORD", SMTP_PASSWORD)],
    )?;

    let answer = send(
        &server,
        json!({
            "prompt": "The quarterly report is attached to the wiki.\nRegards",
            "to": "jane@example.com, Bob Smith <bob@example.org>",
            "cc": ["audit@acme.example"],
            "subject": "Quarterly report: ready ✔",
            "reply_to": "finance@acme.example",
        }),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let result = &answer.json["result"];
    assert_eq!(result["message"], "Email sent successfully.");
    assert_eq!(
        result["to"],
        json!(["jane@example.com", "Bob Smith <bob@example.org>"])
    );
    assert_eq!(result["subject"], "Quarterly report: ready ✔");
    assert_eq!(result["from"], "assistant@acme.example");
    assert_eq!(answer.json["message"], "Email sent to 3 recipients.");

    let message = sink.next_message()?;
    assert_eq!(message["mail_from"], "assistant@acme.example");
    assert_eq!(
        message["rcpt_tos"],
        json!(["jane@example.com", "bob@example.org", "audit@acme.example"])
    );
    let data = message["data"].as_str().unwrap_or_default();
    let request_id = answer.json["request_id"].as_str().unwrap_or_default();
    assert!(!request_id.is_empty());
    for header in [
        "From: \"Acme Assistant\" <assistant@acme.example>",
        "Reply-To: finance@acme.example",
        "Cc: audit@acme.example",
        "X-Praximous-Skill: email_sender",
        &format!("X-Praximous-Request-Id: {request_id}"),
        &format!(
            "Message-ID: {}",
            result["message_id"].as_str().unwrap_or("?")
        ),
    ] {
        assert!(data.contains(header), "missing `{header}` in:\n{data}");
    }
    assert!(
        data.contains("The quarterly report is attached to the wiki."),
        "the prompt is the body:\n{data}"
    );
    assert!(
        result["message_id"]
            .as_str()
            .is_some_and(|id| id.ends_with("@acme.example>")),
        "{result}"
    );

    // The manifest's own example works as written.
    let caps = praximous_e2e::get(
        &client(),
        &server.url("/api/v1/skills/email_sender/capabilities"),
    )
    .await?;
    assert_eq!(caps.json["permissions"]["mail"], true);
    let example = caps.json["operations"]["send_email"]["example_request_payload"].clone();
    let answer = post_json(&client(), &server.url("/api/v1/process"), &example).await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let message = sink.next_message()?;
    assert_eq!(message["rcpt_tos"], json!(["recipient@example.com"]));
    assert!(
        message["data"]
            .as_str()
            .is_some_and(|d| d.contains("Subject: Test Email")),
        "{message}"
    );
    assert!(
        !server.log().contains(SMTP_PASSWORD),
        "the SMTP password never reaches the log"
    );
    Ok(())
}

#[tokio::test]
async fn bad_messages_and_refusals_are_clear_errors() -> anyhow::Result<()> {
    let Some(python) = smtp_python() else {
        return Ok(());
    };
    let sink = SmtpSink::start(&python)?;
    let server = Server::start_with_config_and_env(
        &sink.mail_table(
            "max_recipients = 3\nallowed_recipient_domains = [\"example.com\", \"refused.example\", \"busy.example\"]\n",
        ),
        &[("PRAX_TEST_SMTP_PASSWORD", SMTP_PASSWORD)],
    )?;
    let cases = [
        (
            json!({"prompt": "hi"}),
            400,
            "Input Error (Details: 'to' (recipient email address) is required.)",
        ),
        (
            json!({"to": "a@example.com", "prompt": "  "}),
            400,
            "Input Error (Details: 'body' (email content) cannot be empty.)",
        ),
        (
            json!({"to": 7, "prompt": "hi"}),
            400,
            "'to' must be a string (comma-separated for multiple) or a list of strings.",
        ),
        (
            json!({"to": "a@example.com", "prompt": "hi", "operation": "fax"}),
            400,
            "Unsupported Operation (Details: Operation 'fax' is not supported.)",
        ),
        (
            json!({"to": "not an address", "prompt": "hi"}),
            400,
            "'not an address' in `to` is not an e-mail address",
        ),
        (
            json!({"to": "a@example.com,b@example.com,c@example.com,d@example.com", "prompt": "hi"}),
            400,
            "the message has 4 recipients; the operator allows at most 3 per message",
        ),
        (
            json!({"to": "a@example.com", "subject": "x\r\nBcc: eve@evil.test", "prompt": "hi"}),
            400,
            "the subject must be a single line",
        ),
        (
            json!({"to": "eve@evil.test", "prompt": "hi"}),
            403,
            "'eve@evil.test' is outside the domains the operator allows e-mail to",
        ),
        (
            json!({"to": "ghost@refused.example", "prompt": "hi"}),
            500,
            "SMTP Error (Details: Failed to send email: the SMTP server 127.0.0.1:",
        ),
        (
            json!({"to": "later@busy.example", "prompt": "hi"}),
            500,
            "SMTP Error (Details: Failed to send email: cannot send through the SMTP server",
        ),
    ];
    for (body, status, expected) in cases {
        let answer = send(&server, body.clone()).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.text);
        assert!(
            detail(&answer).contains(expected),
            "{body}: `{}` lacks `{expected}`",
            answer.text
        );
    }
    let refused = send(
        &server,
        json!({"to": "ghost@refused.example", "prompt": "hi"}),
    )
    .await;
    assert!(detail(&refused).contains("550"), "{}", refused.text);
    assert!(
        sink.received_nothing(),
        "no refused or invalid message was delivered"
    );
    Ok(())
}

#[tokio::test]
async fn without_the_operators_server_or_login_nothing_is_sent() -> anyhow::Result<()> {
    let Some(python) = smtp_python() else {
        return Ok(());
    };
    let sink = SmtpSink::start(&python)?;
    let message = json!({"to": "jane@acme.example", "prompt": "hello"});

    let no_mail = Server::start_with_config_and_env("", &[])?;
    let answer = send(&no_mail, message.clone()).await;
    assert_eq!(answer.status, 500, "{}", answer.text);
    assert!(
        detail(&answer).starts_with("Configuration Error (Details: no SMTP server is configured"),
        "{}",
        answer.text
    );

    let unset_password = Server::start_with_config_and_env(&sink.mail_table(""), &[])?;
    let answer = send(&unset_password, message.clone()).await;
    assert_eq!(answer.status, 500, "{}", answer.text);
    assert!(
        detail(&answer).contains("PRAX_TEST_SMTP_PASSWORD named by [mail] password_env is not set"),
        "{}",
        answer.text
    );
    assert!(
        unset_password.wait_for_log("PRAX_TEST_SMTP_PASSWORD", Duration::from_secs(5)),
        "start-up warns about the unset variable"
    );

    let wrong_password = Server::start_with_config_and_env(
        &sink.mail_table(""),
        &[("PRAX_TEST_SMTP_PASSWORD", "not-the-password")],
    )?;
    let answer = send(&wrong_password, message).await;
    assert_eq!(answer.status, 500, "{}", answer.text);
    assert!(detail(&answer).contains("535"), "{}", answer.text);
    assert!(sink.received_nothing(), "nothing was delivered");
    Ok(())
}

#[tokio::test]
async fn a_skill_whose_manifest_does_not_ask_for_mail_cannot_send() -> anyhow::Result<()> {
    let Some(python) = smtp_python() else {
        return Ok(());
    };
    let sink = SmtpSink::start(&python)?;
    // The very component of email_sender, under a manifest that leaves `mail` out.
    let manifest = "name: quiet_mailer\nversion: 1.0.0\ndescription: email_sender without the permission\n\
        author: tests\nlicense: MIT\nwit: praximous:skill@0.1.0\ncomponent: skill.wasm\n\
        operations:\n  send_email: { description: send, params: { type: object } }\n\
        permissions: { llm: false, network: [] }\n";
    let config = sink.mail_table("");
    let server = Server::start_with_config(&config, |data| {
        install_skill(data, "quiet_mailer", manifest, &component("email_sender"));
    })?;
    let answer = post_json(
        &client(),
        &server.url("/api/v1/process"),
        &json!({"task_type": "quiet_mailer", "to": "jane@example.com", "prompt": "hello"}),
    )
    .await?;
    assert_eq!(answer.status, 403, "{}", answer.text);
    assert!(
        detail(&answer).contains(
            "Mail access denied (Details: skill 'quiet_mailer' may not send e-mail: its manifest does not grant it"
        ),
        "{}",
        answer.text
    );
    assert!(sink.received_nothing(), "nothing was delivered");
    Ok(())
}

#[test]
fn a_bad_mail_table_stops_start_up_naming_the_key() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let check = |text: &str| config_check(work.path(), text);
    check("[mail]\nhost = \"smtp.example.com\"\nsecurity = \"none\"\nusername = \"u\"\npassword_env = \"P\"\nfrom = \"a@example.com\"\n")
        .fails_with(
            "`mail.security` is \"none\", which would send the SMTP password to smtp.example.com in clear text",
            "a password in clear text to another machine",
        );
    check("[mail]\nhost = \"smtp.example.com\"\nfrom = \"nobody\"\n")
        .fails_with("`mail.from` is not an e-mail address", "a bad sender");
    check("[mail]\nhost = \"smtp.example.com\"\nfrom = \"a@example.com\"\nsecurity = \"ssl\"\n")
        .fails_with("unknown variant `ssl`", "an unknown security mode");
    check("[mail]\nfrom = \"a@example.com\"\n").fails_with("missing field `host`", "no host");
    check("[mail]\nhost = \"smtp.example.com\"\nport = 465\nsecurity = \"tls\"\nusername = \"u\"\npassword_env = \"P\"\nfrom = \"Bot <a@example.com>\"\n")
        .ok("a valid table");
    Ok(())
}

#[tokio::test]
async fn outside_domains_need_the_operators_word_and_each_key_has_a_message_budget()
-> anyhow::Result<()> {
    let Some(python) = smtp_python() else {
        return Ok(());
    };
    let sink = SmtpSink::start(&python)?;
    let server = Server::start_with_config_and_env(
        &sink.mail_table("max_messages_per_minute_per_key = 2\n"),
        &[("PRAX_TEST_SMTP_PASSWORD", SMTP_PASSWORD)],
    )?;
    // Without allowed_recipient_domains, only the sender's own domain: no open relay.
    let outside = send(
        &server,
        json!({"to": "mark@outside.example", "prompt": "Click this link", "reply_to": "thief@outside.example"}),
    )
    .await;
    assert_eq!(outside.status, 403, "{}", outside.text);
    assert!(
        detail(&outside).contains("only the sender's own, acme.example"),
        "{}",
        outside.text
    );
    assert!(sink.received_nothing(), "nothing left for outside");

    let inside = json!({"to": "ann@acme.example", "prompt": "Lunch at noon"});
    for _ in 0..2 {
        let answer = send(&server, inside.clone()).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        sink.next_message()?;
    }
    let third = send(&server, inside).await;
    assert_eq!(third.status, 403, "{}", third.text);
    assert!(
        detail(&third).contains("at most 2 messages a minute per API key"),
        "{}",
        third.text
    );
    assert!(sink.received_nothing(), "the third message was not sent");
    Ok(())
}

#[tokio::test]
async fn the_smtp_server_is_reached_only_at_an_address_the_operator_allows() -> anyhow::Result<()> {
    let Some(python) = smtp_python() else {
        return Ok(());
    };
    let sink = SmtpSink::start_open(&python)?;
    // The configured name resolves to this machine, as a hijacked or rebinding DNS could make
    // a public mail server's name do.
    let dns = TestDns::start(|name, _| (name == "smtp.test").then_some(Ipv4Addr::LOCALHOST))?;
    let mail = |extra: &str| {
        format!(
            "{}\n[mail]\nhost = \"smtp.test\"\nport = {}\nsecurity = \"none\"\nfrom = \"assistant@acme.example\"\n{extra}",
            dns.config(),
            sink.port
        )
    };
    let message = json!({"prompt": "Hello", "to": "ops@acme.example", "subject": "Hi"});

    let guarded = Server::start_with_config_and_env(&mail(""), &[])?;
    let refused = send(&guarded, message.clone()).await;
    assert_eq!(refused.status, 500, "{}", refused.text);
    for part in [
        "smtp.test resolves to 127.0.0.1",
        "loopback",
        "allow_cidrs in [mail]",
    ] {
        assert!(refused.text.contains(part), "`{part}` in {}", refused.text);
    }
    assert!(sink.received_nothing(), "no connection reached the server");

    let allowing =
        Server::start_with_config_and_env(&mail("allow_cidrs = [\"127.0.0.0/8\"]\n"), &[])?;
    let sent = send(&allowing, message).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(
        sink.next_message()?["rcpt_tos"],
        json!(["ops@acme.example"])
    );
    Ok(())
}
