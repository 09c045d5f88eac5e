//! Single sign-on end to end: the real `prax` against a stand-in OpenID provider on 127.0.0.1
//! that speaks the protocol over HTTP (`praximous_e2e::oidc`), a "browser" following the
//! redirects with its cookies. Groups map to roles; bad tokens, a replayed or foreign `state`,
//! and overflowing groups are refused with a reason; a rotated key is fetched; sessions need
//! their CSRF token to change anything, end at sign-out (here and at the provider) and at once
//! when an admin disables the user, whose personal keys are revoked with them. Each sign-in,
//! failed sign-in and change to a user is in the admin audit log.

use praximous_e2e::oidc::{Browser, CLIENT_SECRET, Idp, Person, Spoil};
use praximous_e2e::{Server, client, client_with_key, get, post_json};
use reqwest::Method;
use serde_json::{Value, json};

const ROLES: &str = "[sso.roles]\n\"prax-admins\" = \"admin\"\n\"prax-ops\" = \"operator\"\n";

async fn start(idp: &Idp, extra: &str) -> anyhow::Result<Server> {
    Server::start_with_config_and_env(
        &idp.config(extra),
        &[("PRAXIMOUS_SSO_CLIENT_SECRET", CLIENT_SECRET)],
    )
}

async fn admin_log(server: &Server, action: &str) -> anyhow::Result<Vec<Value>> {
    let answer = get(
        &client(),
        &server.url(&format!("/api/v1/admin-audit?action={action}&limit=100")),
    )
    .await?;
    anyhow::ensure!(answer.status == 200, "{}", answer.text);
    Ok(answer.json["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

async fn me(browser: &Browser) -> anyhow::Result<(u16, Value)> {
    browser.get("/api/v1/auth/me").await
}

#[tokio::test]
async fn groups_map_to_roles_and_each_sign_in_is_recorded() -> anyhow::Result<()> {
    let idp = Idp::start().await?;
    let server = start(&idp, ROLES).await?;
    let info = get(&client_with_key(None), &server.url("/api/v1/auth/sso")).await?;
    assert_eq!(info.json["enabled"], true, "{}", info.text);
    assert_eq!(info.json["display_name"], "Acme SSO");

    idp.sign_in_as(Person::new("olga", &["prax-ops", "unrelated"]));
    let mut browser = Browser::new(&server.base_url)?;
    let landing = browser.sign_in().await?;
    assert_eq!(landing.location, "/analytics", "lands where it asked to");
    assert!(
        browser.cookies.contains_key("prax_session"),
        "{:?}",
        browser.cookies
    );
    let (status, who) = me(&browser).await?;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["role"], "operator");
    assert_eq!(who["signed_in_with"], "session");
    assert_eq!(who["user"]["email"], "olga@acme.example");
    assert_eq!(who["user"]["role_granted_by"], "sso:groups");
    assert!(who["csrf_token"].as_str().is_some_and(|t| t.len() == 64));
    // The operator's pages work; the admin's do not.
    assert_eq!(browser.get("/api/v1/analytics/summary").await?.0, 200);
    let (status, refused) = browser.get("/api/v1/keys").await?;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("role_required"))
    );

    // An admin sees the user, with their groups and who granted the role.
    let users = get(&client(), &server.url("/api/v1/users")).await?;
    let olga = &users.json[0];
    assert_eq!(olga["subject"], "olga");
    assert_eq!(olga["groups"], json!(["prax-ops", "unrelated"]));
    assert_eq!(olga["role"], "operator");

    // Groups sent only by the userinfo endpoint count too; the highest mapped role wins.
    idp.sign_in_as(Person {
        groups_in_userinfo_only: true,
        ..Person::new("ada", &["prax-ops", "prax-admins"])
    });
    let mut second = Browser::new(&server.base_url)?;
    second.sign_in().await?;
    assert_eq!(me(&second).await?.1["role"], "admin");

    let signed_in = admin_log(&server, "user.signed_in").await?;
    assert_eq!(signed_in.len(), 2, "{signed_in:?}");
    assert!(
        signed_in
            .iter()
            .any(|e| e["actor_name"] == "olga@acme.example"
                && e["after"].as_str().is_some_and(|a| a.contains("operator"))),
        "{signed_in:?}"
    );
    Ok(())
}

#[tokio::test]
async fn bad_tokens_are_refused_with_their_reason() -> anyhow::Result<()> {
    let idp = Idp::start().await?;
    let server = start(&idp, ROLES).await?;
    for (spoil, reason) in [
        (Spoil::WrongAudience, "another audience"),
        (Spoil::Expired, "expired"),
        (Spoil::ForgedSignature, "signature is not valid"),
    ] {
        idp.spoil(spoil);
        let mut browser = Browser::new(&server.base_url)?;
        let landing = browser.sign_in().await?;
        let error = landing.sso_error().unwrap_or_default();
        assert!(error.contains(reason), "{spoil:?}: {landing:?}");
        assert!(
            !browser.cookies.contains_key("prax_session"),
            "{spoil:?} made a session"
        );
    }
    let failed = admin_log(&server, "user.sign_in_failed").await?;
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(failed.iter().all(|e| e["source"] == "127.0.0.1"));

    // Groups that overflowed into a reference are refused, not given a default role.
    idp.spoil(Spoil::Nothing);
    idp.sign_in_as(Person {
        groups: None,
        extra: json!({"_claim_names": {"groups": "src1"},
                      "_claim_sources": {"src1": {"endpoint": "https://graph.example/getMemberObjects"}}}),
        ..Person::new("many-groups", &[])
    });
    let mut browser = Browser::new(&server.base_url)?;
    let landing = browser.sign_in().await?;
    assert!(
        landing
            .sso_error()
            .is_some_and(|e| e.contains("reference to your groups")),
        "{landing:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_state_is_used_once_by_the_browser_that_began_it() -> anyhow::Result<()> {
    let idp = Idp::start().await?;
    let server = start(&idp, ROLES).await?;
    let mut browser = Browser::new(&server.base_url)?;
    let callback = browser.callback().await?;

    // Another browser (no binding cookie) cannot finish it ...
    let mut thief = Browser::new(&server.base_url)?;
    let stolen = thief.follow(&callback).await?;
    let landing = praximous_e2e::oidc::Landing {
        location: stolen.last().cloned().unwrap_or_default(),
    };
    assert!(
        landing
            .sso_error()
            .is_some_and(|e| e.contains("another browser")),
        "{landing:?}"
    );
    // ... and that spent it: the state is single-use, so the right browser is refused too.
    let replay = browser.follow(&callback).await?;
    let landing = praximous_e2e::oidc::Landing {
        location: replay.last().cloned().unwrap_or_default(),
    };
    assert!(
        landing
            .sso_error()
            .is_some_and(|e| e.contains("already used")),
        "{landing:?}"
    );

    // Anyone can send a callback: those refused before the code is redeemed are not
    // administrative events, and leave no entry.
    assert!(admin_log(&server, "user.sign_in_failed").await?.is_empty());

    // Two tabs of one browser signing in at once both finish: the second keeps the first's
    // binding.
    let mut tabs = Browser::new(&server.base_url)?;
    let (_, first) = tabs.visit("/api/v1/auth/sso/login").await?;
    let (_, second) = tabs.visit("/api/v1/auth/sso/login").await?;
    for to_provider in [first, second] {
        let (_, back) = tabs.visit(&to_provider.unwrap_or_default()).await?;
        let landed = tabs.follow(&back.unwrap_or_default()).await?;
        assert_eq!(landed, ["/"], "both tabs finish");
    }

    // A fresh sign-in works, and its callback cannot be replayed either.
    let mut browser = Browser::new(&server.base_url)?;
    let callback = browser.callback().await?;
    assert_eq!(browser.follow(&callback).await?, ["/"]);
    let session = browser.cookies.get("prax_session").cloned();
    let replayed = browser.follow(&callback).await?;
    assert!(
        replayed[0].starts_with("/signin?sso_error="),
        "{replayed:?}"
    );
    assert_eq!(browser.cookies.get("prax_session"), session.as_ref());

    // Beginning sign-ins is limited per address (each keeps a row until it finishes).
    let mut flood = Browser::new(&server.base_url)?;
    let mut refused = None;
    for _ in 0..25 {
        let (_, location) = flood.visit("/api/v1/auth/sso/login").await?;
        let location = location.unwrap_or_default();
        if location.starts_with("/signin?sso_error=") {
            refused = Some(location);
            break;
        }
    }
    assert!(
        refused
            .as_deref()
            .is_some_and(|l| l.contains("wait+a+minute")),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_key_rotated_at_the_provider_is_fetched() -> anyhow::Result<()> {
    let idp = Idp::start().await?;
    let server = start(&idp, ROLES).await?;
    Browser::new(&server.base_url)?.sign_in().await?;
    let fetches = idp.jwks_fetches();
    // Cached: a second sign-in does not fetch the keys again.
    Browser::new(&server.base_url)?.sign_in().await?;
    assert_eq!(idp.jwks_fetches(), fetches);
    idp.rotate_key()?;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let mut browser = Browser::new(&server.base_url)?;
    let landing = browser.sign_in().await?;
    assert_eq!(landing.sso_error(), None, "{landing:?}");
    assert_eq!(me(&browser).await?.1["role"], "admin");
    assert_eq!(idp.jwks_fetches(), fetches + 1);
    Ok(())
}

#[tokio::test]
async fn sessions_need_their_csrf_token_and_end_at_sign_out() -> anyhow::Result<()> {
    let idp = Idp::start().await?;
    let server = start(&idp, ROLES).await?;
    let mut browser = Browser::new(&server.base_url)?;
    browser.sign_in().await?;
    let csrf = me(&browser).await?.1["csrf_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // A change made with the cookie alone (what a cross-site form could do) is refused.
    let forged = browser
        .request(Method::POST, "/api/v1/keys", None)
        .json(&json!({"name": "x", "role": "user"}))
        .send()
        .await?;
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(forged.json::<Value>().await?["code"], "csrf_required");
    let wrong = browser
        .request(Method::POST, "/api/v1/keys", Some("0".repeat(64).as_str()))
        .json(&json!({"name": "x", "role": "user"}))
        .send()
        .await?;
    assert_eq!(wrong.status().as_u16(), 403);
    let made = browser
        .request(Method::POST, "/api/v1/keys", Some(&csrf))
        .json(&json!({"name": "made by alice", "role": "user"}))
        .send()
        .await?;
    assert_eq!(made.status().as_u16(), 201);
    let created = admin_log(&server, "key.created").await?;
    assert!(
        created[0]["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("user:usr_")),
        "{created:?}"
    );
    assert_eq!(created[0]["actor_name"], "alice@acme.example");

    // Signing out ends the session here and says where to end it at the provider.
    let out = browser
        .request(Method::POST, "/api/v1/auth/sign-out", Some(&csrf))
        .send()
        .await?;
    assert_eq!(out.status().as_u16(), 200);
    let body: Value = out.json().await?;
    let end = body["end_session_url"].as_str().unwrap_or_default();
    assert!(
        end.starts_with(&format!("{}/logout?", idp.issuer)),
        "{body}"
    );
    assert!(end.contains("id_token_hint=") && end.contains("post_logout_redirect_uri="));
    let (status, after) = me(&browser).await?;
    assert_eq!(
        (status, after["code"].as_str()),
        (401, Some("not_authenticated"))
    );
    browser.visit(end).await?;
    assert_eq!(idp.logouts().len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_disabled_user_loses_access_at_once_with_their_personal_keys() -> anyhow::Result<()> {
    let idp = Idp::start().await?;
    let server = start(&idp, ROLES).await?;
    idp.sign_in_as(Person::new("olga", &["prax-ops"]));
    let mut browser = Browser::new(&server.base_url)?;
    browser.sign_in().await?;
    let who = me(&browser).await?.1;
    let (csrf, user_id) = (
        who["csrf_token"].as_str().unwrap_or_default().to_owned(),
        who["user"]["id"].as_str().unwrap_or_default().to_owned(),
    );
    // A personal key, with the user's role; an API key cannot make one.
    let made = browser
        .request(Method::POST, "/api/v1/auth/me/keys", Some(&csrf))
        .json(&json!({"name": "olga's notebook"}))
        .send()
        .await?;
    assert_eq!(made.status().as_u16(), 201);
    let made: Value = made.json().await?;
    assert_eq!(
        (made["role"].as_str(), made["owner"].as_str()),
        (Some("operator"), Some(user_id.as_str()))
    );
    let personal = client_with_key(made["key"].as_str());
    let as_key = get(&personal, &server.url("/api/v1/auth/me")).await?;
    assert_eq!(
        as_key.json["user"]["id"],
        user_id.as_str(),
        "{}",
        as_key.text
    );
    let by_key = post_json(
        &personal,
        &server.url("/api/v1/auth/me/keys"),
        &json!({"name": "x"}),
    )
    .await?;
    assert_eq!(by_key.status, 403, "{}", by_key.text);

    // An admin overrides the role: the session and the key follow it.
    let users = client();
    let raised = users
        .patch(server.url(&format!("/api/v1/users/{user_id}")))
        .json(&json!({"role": "admin"}))
        .send()
        .await?;
    assert_eq!(raised.status().as_u16(), 200);
    assert_eq!(me(&browser).await?.1["role"], "admin");
    assert_eq!(
        get(&personal, &server.url("/api/v1/auth/me")).await?.json["role"],
        "admin"
    );

    // Disabled: the session and the personal key stop at once.
    let disabled = users
        .patch(server.url(&format!("/api/v1/users/{user_id}")))
        .json(&json!({"disabled": true}))
        .send()
        .await?;
    assert_eq!(disabled.status().as_u16(), 200);
    let (status, _) = me(&browser).await?;
    assert_eq!(status, 401);
    assert_eq!(
        get(&personal, &server.url("/api/v1/auth/me")).await?.status,
        403
    );
    // Signing in again does not bring them back.
    let landing = Browser::new(&server.base_url)?.sign_in().await?;
    assert!(
        landing.sso_error().is_some_and(|e| e.contains("disabled")),
        "{landing:?}"
    );

    let changes = admin_log(&server, "user.").await?;
    let actions: Vec<&str> = changes
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "user.signed_in",
        "user.role_changed",
        "user.disabled",
        "user.sign_in_failed",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    Ok(())
}

#[tokio::test]
async fn a_user_whose_groups_stop_mapping_loses_the_role_at_the_next_sign_in() -> anyhow::Result<()>
{
    let idp = Idp::start().await?;
    let server = start(&idp, ROLES).await?;
    idp.sign_in_as(Person::new("max", &["prax-ops"]));
    let mut browser = Browser::new(&server.base_url)?;
    browser.sign_in().await?;
    let csrf = me(&browser).await?.1["csrf_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let made: Value = browser
        .request(Method::POST, "/api/v1/auth/me/keys", Some(&csrf))
        .json(&json!({"name": "max's script"}))
        .send()
        .await?
        .json()
        .await?;
    let personal = client_with_key(made["key"].as_str());
    assert_eq!(
        get(&personal, &server.url("/api/v1/auth/me")).await?.status,
        200
    );

    idp.sign_in_as(Person::new("max", &["left-the-team"]));
    let landing = Browser::new(&server.base_url)?.sign_in().await?;
    assert!(
        landing
            .sso_error()
            .is_some_and(|e| e.contains("none of your groups (left-the-team)")),
        "{landing:?}"
    );
    let users = get(&client(), &server.url("/api/v1/users")).await?;
    assert_eq!(users.json[0]["role"], Value::Null, "{}", users.text);
    // Losing the role ends the old session and revokes the personal key.
    assert_eq!(me(&browser).await?.0, 401);
    assert_eq!(
        get(&personal, &server.url("/api/v1/auth/me")).await?.status,
        403
    );
    let changed = admin_log(&server, "user.role_changed").await?;
    assert_eq!(changed[0]["actor"], "sso");
    Ok(())
}

#[tokio::test]
async fn without_the_licence_feature_single_sign_on_is_not_offered() -> anyhow::Result<()> {
    let idp = Idp::start().await?;
    let server = start(&idp, &format!("{ROLES}[license]\nevaluation = false\n")).await?;
    let info = get(&client_with_key(None), &server.url("/api/v1/auth/sso")).await?;
    assert_eq!(info.json["enabled"], false, "{}", info.text);
    let landing = Browser::new(&server.base_url)?.sign_in().await?;
    assert!(
        landing
            .sso_error()
            .is_some_and(|e| e.contains("licence with the 'sso' feature")),
        "{landing:?}"
    );
    Ok(())
}

#[tokio::test]
async fn each_person_signed_in_takes_a_seat() -> anyhow::Result<()> {
    let idp = Idp::start().await?;
    let scratch = tempfile::tempdir()?;
    let licence = praximous_e2e::licence::issue(
        scratch.path(),
        &["--tier", "team", "--seats", "2", "--days", "30"],
    )?;
    let server = Server::start_with_config_and_env(
        &idp.config(&format!("{ROLES}[license]\nevaluation = false\n")),
        &[
            ("PRAXIMOUS_SSO_CLIENT_SECRET", CLIENT_SECRET),
            ("PRAXIMOUS_LICENSE", &licence),
        ],
    )?;
    let new_key = json!({"name": "ci", "role": "user"});
    // The environment's admin key is one seat; a second key fits.
    let first = post_json(&client(), &server.url("/api/v1/keys"), &new_key).await?;
    assert_eq!(first.status, 201, "{}", first.text);
    let revoked = praximous_e2e::delete(
        &client(),
        &server.url(&format!(
            "/api/v1/keys/{}",
            first.json["id"].as_str().unwrap_or_default()
        )),
    )
    .await?;
    assert_eq!(revoked.status, 200);
    // A person who signs in takes the second seat ...
    idp.sign_in_as(Person::new("olga", &["prax-ops"]));
    let mut browser = Browser::new(&server.base_url)?;
    assert_eq!(browser.sign_in().await?.sso_error(), None);
    let full = post_json(&client(), &server.url("/api/v1/keys"), &new_key).await?;
    assert_eq!(
        (full.status, full.json["code"].as_str()),
        (403, Some("not_licensed")),
        "{}",
        full.text
    );
    // ... and their personal keys take none.
    let csrf = me(&browser).await?.1["csrf_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let personal = browser
        .request(Method::POST, "/api/v1/auth/me/keys", Some(&csrf))
        .json(&json!({"name": "notebook"}))
        .send()
        .await?;
    assert_eq!(personal.status().as_u16(), 201);
    Ok(())
}
