//! Licence provisioning end to end: Paddle Billing notifications, shaped as Paddle documents
//! them and signed with a test secret, posted to the real binary; the licence arriving by
//! e-mail at a real SMTP server and installed with `prax license install`. Refused deliveries
//! (wrong signature, stale timestamp, replayed, malformed) store nothing; duplicated events
//! issue nothing twice; unknown prices and event types are acknowledged and ignored.

use std::path::Path;
use std::time::Duration;

use praximous_e2e::smtp::{SmtpSink, smtp_python};
use praximous_e2e::{Server, prax_on, store};
use ring::hmac;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SECRET: &str = "pdl_ntfset_01test_4c2f9e_secret";
/// Seconds a signature's timestamp may be off (short, so the replay test need not wait long).
const TOLERANCE: u64 = 2;

fn config(sink: &SmtpSink) -> String {
    let key = praximous_e2e::licence::vendor_key();
    format!(
        "{}\n[commerce]\nsigning_key = \"{}\"\nsignature_tolerance_s = {TOLERANCE}\ngrace_days = 7\n\
         [commerce.prices.pri_team_seat]\ntier = \"team\"\nseats = 10\n\
         [commerce.prices.pri_pro_year]\ntier = \"pro\"\ndays = 365\n",
        sink.mail_table("allowed_recipient_domains = [\"vendor.example\"]\n"),
        key.display()
    )
}

fn start(sink: &SmtpSink) -> anyhow::Result<Server> {
    Server::start_with_config_and_env(
        &config(sink),
        &[
            (
                "PRAX_TEST_SMTP_PASSWORD",
                praximous_e2e::smtp::SMTP_PASSWORD,
            ),
            ("PRAXIMOUS_PADDLE_WEBHOOK_SECRET", SECRET),
        ],
    )
}

fn stamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// `Paddle-Signature` for `body` at `ts`, as Paddle computes it.
fn signature(body: &[u8], secret: &str, ts: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = format!("{ts}:").into_bytes();
    signed.extend_from_slice(body);
    format!(
        "ts={ts};h1={}",
        hex::encode(hmac::sign(&key, &signed).as_ref())
    )
}

/// A notification as Paddle sends it.
fn notification(event_id: &str, event_type: &str, data: Value) -> Vec<u8> {
    json!({
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": stamp(OffsetDateTime::now_utc()),
        "notification_id": format!("ntf_{}", event_id.trim_start_matches("evt_")),
        "data": data,
    })
    .to_string()
    .into_bytes()
}

fn customer(id: &str, email: &str, name: &str) -> Value {
    json!({"id": id, "status": "active", "email": email, "name": name,
           "marketing_consent": false, "locale": "en", "custom_data": null,
           "created_at": "2026-12-01T09:00:00.000000Z", "updated_at": "2026-12-01T09:00:00.000000Z"})
}

fn transaction(
    id: &str,
    customer: &str,
    price: &str,
    quantity: u32,
    origin: &str,
    ends: OffsetDateTime,
) -> Value {
    json!({
        "id": id, "status": "completed", "customer_id": customer, "address_id": "add_01",
        "business_id": null, "custom_data": null, "origin": origin, "collection_mode": "automatic",
        "subscription_id": "sub_01acme", "currency_code": "EUR",
        "billing_period": {"starts_at": stamp(ends - time::Duration::days(30)), "ends_at": stamp(ends)},
        "items": [{"price": {"id": price, "product_id": "pro_01praximous"}, "quantity": quantity}],
        "details": {"totals": {"total": "9900", "currency_code": "EUR"}}
    })
}

/// Post `body` signed with `header`; the status and the answer.
async fn post(server: &Server, body: &[u8], header: Option<&str>) -> anyhow::Result<(u16, Value)> {
    let mut request = praximous_e2e::client()
        .post(server.url("/api/v1/webhooks/paddle"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(header) = header {
        request = request.header("Paddle-Signature", header);
    }
    let answer = request.send().await?;
    let status = answer.status().as_u16();
    Ok((status, answer.json().await.unwrap_or(Value::Null)))
}

/// Post `body` with a fresh, good signature.
async fn deliver(server: &Server, body: &[u8]) -> anyhow::Result<(u16, Value)> {
    let header = signature(body, SECRET, OffsetDateTime::now_utc().unix_timestamp());
    post(server, body, Some(&header)).await
}

fn count(server: &Server, table: &str) -> anyhow::Result<String> {
    let rows = store::query(
        &server.data_dir,
        &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"),
        &[],
    )?;
    Ok(rows
        .first()
        .and_then(|r| r.first().cloned().flatten())
        .unwrap_or_default())
}

/// The licence a message carries: its attachment (decoded by Python's e-mail parser), which
/// must also be in the body.
fn licence_in(message: &Value) -> anyhow::Result<String> {
    let parts = message["parts"].as_array().cloned().unwrap_or_default();
    let attachment = parts
        .iter()
        .find(|p| p["filename"] == "praximous-licence.key")
        .ok_or_else(|| anyhow::anyhow!("no licence attached: {message}"))?;
    let key = attachment["text"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let body = parts
        .iter()
        .find(|p| p["content_type"] == "text/plain" && p["filename"].is_null())
        .and_then(|p| p["text"].as_str())
        .unwrap_or_default();
    anyhow::ensure!(key.starts_with("prax-license-v1."), "{key}");
    anyhow::ensure!(
        body.contains(&key),
        "the body does not carry the key: {body}"
    );
    Ok(key)
}

/// Install `key` with `prax license install FILE` on a fresh data directory; `prax license show`.
fn install(work: &Path, key: &str) -> anyhow::Result<String> {
    std::fs::create_dir_all(work)?;
    let data = work.join("customer");
    let file = work.join("praximous-licence.key");
    std::fs::write(&file, format!("{key}\n"))?;
    let mut command = prax_on(&data)?;
    let installed = command
        .args(["license", "install"])
        .arg(&file)
        .arg("--data-dir")
        .arg(&data)
        .env_remove("PRAXIMOUS_LICENSE")
        .output()?;
    anyhow::ensure!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let mut show = prax_on(&data)?;
    let shown = show
        .args(["license", "show", "--data-dir"])
        .arg(&data)
        .env_remove("PRAXIMOUS_LICENSE")
        .stdin(std::process::Stdio::null())
        .output()?;
    Ok(String::from_utf8_lossy(&shown.stdout).into_owned())
}

/// `prax license ARGS` on the server's installation.
fn license_cmd(server: &Server, args: &[&str]) -> anyhow::Result<std::process::Output> {
    Ok(prax_on(&server.data_dir)?
        .arg("license")
        .args(args)
        .arg("--data-dir")
        .arg(&server.data_dir)
        .output()?)
}

/// `prax license sales --json`.
fn sales(server: &Server) -> anyhow::Result<Vec<Value>> {
    let out = license_cmd(server, &["sales", "--json"])?;
    anyhow::ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

#[tokio::test]
async fn a_purchase_becomes_a_licence_in_the_buyers_inbox() -> anyhow::Result<()> {
    let Some(python) = smtp_python() else {
        return Ok(());
    };
    let sink = SmtpSink::start(&python)?;
    let server = start(&sink)?;
    let work = tempfile::tempdir()?;
    let ends = OffsetDateTime::now_utc() + time::Duration::days(30);

    // The customer first, then the sale (the usual order): one e-mail to the buyer.
    let created = notification(
        "evt_01cust",
        "customer.created",
        customer("ctm_01acme", "it@acme.example", "Acme Corp"),
    );
    let (status, answer) = deliver(&server, &created).await?;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("recorded")),
        "{answer}"
    );
    let sale = notification(
        "evt_01sale",
        "transaction.completed",
        transaction("txn_01first", "ctm_01acme", "pri_team_seat", 2, "web", ends),
    );
    let sale_header = signature(&sale, SECRET, OffsetDateTime::now_utc().unix_timestamp());
    let (status, answer) = post(&server, &sale, Some(&sale_header)).await?;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("recorded")),
        "{answer}"
    );
    let message = sink.next_message()?;
    assert_eq!(message["rcpt_tos"], json!(["it@acme.example"]), "{message}");
    assert!(
        message["data"]
            .as_str()
            .unwrap_or_default()
            .contains("Subject: Your Praximous licence"),
        "{message}"
    );
    let key = licence_in(&message)?;
    let shown = install(work.path(), &key)?;
    assert!(shown.contains("tier in force: Team"), "{shown}");
    assert!(
        shown.contains("lic_txn_01first (Acme Corp <it@acme.example>)"),
        "{shown}"
    );
    assert!(
        shown.contains("seats: 20"),
        "10 seats a unit, 2 units: {shown}"
    );
    let until = (ends + time::Duration::days(7)).date().to_string();
    assert!(
        shown.contains(&format!("valid until: {until}")),
        "paid period + grace: {shown}"
    );

    // Paddle retries the same event (a new notification, a fresh signature): nothing twice.
    let (status, answer) = deliver(&server, &sale).await?;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("duplicate")),
        "{answer}"
    );
    // The very same request again, once its timestamp is old: a replay, refused.
    tokio::time::sleep(Duration::from_secs(TOLERANCE + 1)).await;
    let (status, answer) = post(&server, &sale, Some(&sale_header)).await?;
    assert_eq!(status, 401, "{answer}");
    assert!(
        answer["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("replayed"),
        "{answer}"
    );
    assert!(
        sink.received_nothing(),
        "a duplicate or a replay sent a second licence"
    );
    assert_eq!(count(&server, "commerce_licences")?, "1");

    // The vendor sees the sale, and can send its licence again.
    let sold = sales(&server)?;
    assert_eq!(sold[0]["licence_id"], "lic_txn_01first", "{sold:?}");
    assert_eq!(sold[0]["state"], "sent", "{sold:?}");
    let resent = license_cmd(&server, &["resend", "lic_txn_01first"])?;
    assert!(
        resent.status.success(),
        "{}",
        String::from_utf8_lossy(&resent.stderr)
    );
    let again = sink.next_message()?;
    assert_eq!(licence_in(&again)?, key, "the same licence, sent again");
    let unknown = license_cmd(&server, &["resend", "lic_nothing"])?;
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no signed licence of that id"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );

    // The sale before its customer: the licence waits for the e-mail, then goes out.
    let early = notification(
        "evt_02sale",
        "transaction.completed",
        transaction(
            "txn_02early",
            "ctm_02globex",
            "pri_pro_year",
            1,
            "web",
            ends,
        ),
    );
    let (status, answer) = deliver(&server, &early).await?;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("recorded")),
        "{answer}"
    );
    assert!(
        sink.received_nothing(),
        "a licence went out before its customer's e-mail was known"
    );
    let late = notification(
        "evt_02cust",
        "customer.created",
        customer("ctm_02globex", "ops@globex.example", "Globex"),
    );
    assert_eq!(deliver(&server, &late).await?.0, 200);
    let message = sink.next_message()?;
    assert_eq!(
        message["rcpt_tos"],
        json!(["ops@globex.example"]),
        "{message}"
    );
    let shown = install(&work.path().join("globex"), &licence_in(&message)?)?;
    assert!(shown.contains("tier in force: Pro"), "{shown}");

    // A renewal: a recurring transaction of the subscription, a later period, a new licence.
    let later = ends + time::Duration::days(30);
    let renewal = notification(
        "evt_03renew",
        "transaction.completed",
        transaction(
            "txn_03renew",
            "ctm_01acme",
            "pri_team_seat",
            2,
            "subscription_recurring",
            later,
        ),
    );
    assert_eq!(deliver(&server, &renewal).await?.0, 200);
    let message = sink.next_message()?;
    assert!(
        message["data"]
            .as_str()
            .unwrap_or_default()
            .contains("Subject: Your renewed Praximous licence"),
        "{message}"
    );
    let shown = install(&work.path().join("renewed"), &licence_in(&message)?)?;
    let until = (later + time::Duration::days(7)).date().to_string();
    assert!(shown.contains(&format!("valid until: {until}")), "{shown}");

    // Cancellation updates the stored subscription; an older update arriving late does not
    // undo it.
    let canceled = notification(
        "evt_04cancel",
        "subscription.canceled",
        json!({"id": "sub_01acme", "status": "canceled", "customer_id": "ctm_01acme",
               "scheduled_change": null, "canceled_at": stamp(OffsetDateTime::now_utc())}),
    );
    assert_eq!(deliver(&server, &canceled).await?.0, 200);
    let mut stale = serde_json::from_slice::<Value>(&notification(
        "evt_00update",
        "subscription.updated",
        json!({"id": "sub_01acme", "status": "active", "customer_id": "ctm_01acme"}),
    ))?;
    stale["occurred_at"] = json!("2026-01-01T00:00:00.000000Z");
    assert_eq!(deliver(&server, stale.to_string().as_bytes()).await?.0, 200);
    let rows = store::query(
        &server.data_dir,
        "SELECT status FROM commerce_subscriptions WHERE subscription_id = 'sub_01acme'",
        &[],
    )?;
    assert_eq!(rows, vec![vec![Some("canceled".to_owned())]]);
    Ok(())
}

#[tokio::test]
async fn bad_deliveries_store_nothing_and_unknown_ones_are_acknowledged() -> anyhow::Result<()> {
    let Some(python) = smtp_python() else {
        return Ok(());
    };
    let sink = SmtpSink::start(&python)?;
    let server = start(&sink)?;
    let ends = OffsetDateTime::now_utc() + time::Duration::days(30);
    let sale = notification(
        "evt_10sale",
        "transaction.completed",
        transaction("txn_10", "ctm_10", "pri_team_seat", 1, "web", ends),
    );
    let now = OffsetDateTime::now_utc().unix_timestamp();

    let refused = [
        ("no signature", None),
        (
            "another secret",
            Some(signature(&sale, "pdl_ntfset_other", now)),
        ),
        (
            "a stale timestamp",
            Some(signature(&sale, SECRET, now - 60)),
        ),
        (
            "a future timestamp",
            Some(signature(&sale, SECRET, now + 60)),
        ),
        ("a garbled header", Some("ts=abc;h1=00".to_owned())),
    ];
    for (what, header) in refused {
        let (status, answer) = post(&server, &sale, header.as_deref()).await?;
        assert_eq!(status, 401, "{what}: {answer}");
        assert!(
            !answer["detail"].as_str().unwrap_or_default().is_empty(),
            "{what}"
        );
    }
    // The body changed after signing: the signature no longer matches.
    let header = signature(&sale, SECRET, now);
    let mut tampered = sale.clone();
    tampered.extend_from_slice(b" ");
    assert_eq!(post(&server, &tampered, Some(&header)).await?.0, 401);

    // Signed, but not a notification: 400.
    for body in [&b"not json"[..], br#"{"event_id": 5}"#, br#"{"event_id":"evt_11","event_type":"transaction.completed","occurred_at":"2026-12-01T00:00:00Z","data":{"id":"txn_11","items":[]}}"#] {
        let (status, answer) = deliver(&server, body).await?;
        assert_eq!(status, 400, "{answer}");
    }

    // Acknowledged and ignored: a price that is not on sale here, an event type we do not
    // act on.
    let unknown_price = notification(
        "evt_12sale",
        "transaction.completed",
        transaction("txn_12", "ctm_10", "pri_consulting_day", 1, "web", ends),
    );
    let (status, answer) = deliver(&server, &unknown_price).await?;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("ignored")),
        "{answer}"
    );
    assert!(
        answer["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("pri_consulting_day"),
        "{answer}"
    );
    let payout = notification("evt_13", "payout.paid", json!({"id": "pay_1"}));
    let (status, answer) = deliver(&server, &payout).await?;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("ignored")),
        "{answer}"
    );

    for table in ["commerce_events", "commerce_licences", "commerce_customers"] {
        assert_eq!(count(&server, table)?, "0", "{table}");
    }
    assert!(sink.received_nothing());
    Ok(())
}

#[tokio::test]
async fn without_commerce_there_is_no_webhook_and_a_missing_secret_stops_the_start()
-> anyhow::Result<()> {
    let server = Server::start()?;
    let body = notification(
        "evt_20",
        "customer.created",
        customer("ctm_20", "a@b.example", "A"),
    );
    let (status, answer) = deliver(&server, &body).await?;
    assert_eq!(status, 404, "{answer}");
    assert!(
        answer["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("[commerce]"),
        "{answer}"
    );

    // [commerce] without the secret in the environment: the server says so and does not start.
    let work = tempfile::tempdir()?;
    let file = work.path().join("praximous.toml");
    let key = praximous_e2e::licence::vendor_key();
    std::fs::write(
        &file,
        format!(
            "[mail]\nhost = \"127.0.0.1\"\nfrom = \"sales@vendor.example\"\nsecurity = \"none\"\n\
             [commerce]\nsigning_key = \"{}\"\n[commerce.prices.pri_1]\ntier = \"team\"\n",
            key.display()
        ),
    )?;
    let data = work.path().join("data");
    let out = prax_on(&data)?
        .args(["serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(&file)
        .arg("--data-dir")
        .arg(&data)
        .env_remove("PRAXIMOUS_PADDLE_WEBHOOK_SECRET")
        .stdin(std::process::Stdio::null())
        .output()?;
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(text.contains("PRAXIMOUS_PADDLE_WEBHOOK_SECRET"), "{text}");
    Ok(())
}
