//! The knowledge base end to end against the real binary and its real store: documents
//! uploaded over HTTP are found by their words with their place in the document; filters apply
//! inside the index; re-adding replaces and deleting removes every trace; bad files (and HTML
//! and PDF ones) are read or refused by name, changing nothing; roles, the licence, key scopes
//! and both audit logs apply.

use praximous_e2e::knowledge::{LEAVE, TRAVEL, found, make_collection, search, upload};
use praximous_e2e::registry::path;
use praximous_e2e::{Server, client, client_with_key, delete, get, post_json};
use serde_json::{Value, json};

#[tokio::test]
async fn documents_are_found_by_their_words_in_place_and_filters_apply_inside_the_index()
-> anyhow::Result<()> {
    // Low sensitivity: the audit log keeps prompts and answers unmasked, to be checked below.
    let server = Server::start_with_config("[identity]\nsensitivity_level = \"Low\"\n", |_| {})?;
    make_collection(&server, "policies").await?;
    let stored = upload(
        &client(),
        &server,
        "policies",
        &[
            ("leave.md", "text/markdown", LEAVE.as_bytes()),
            ("travel.md", "application/octet-stream", TRAVEL.as_bytes()),
        ],
        &[("tags", "hr, 2026"), ("date", "2026-01-15")],
    )
    .await?;
    assert_eq!(stored.status, 201, "{}", stored.text);
    assert_eq!(stored.json["documents"][0]["outcome"], "added");
    let notes = "Canteen opening hours.\n\nThe canteen serves lunch from noon. Annual leave requests go to HR.\n";
    let stored = upload(
        &client(),
        &server,
        "policies",
        &[("canteen.txt", "text/plain", notes.as_bytes())],
        &[("tags", "facilities"), ("date", "2025-06-01")],
    )
    .await?;
    assert_eq!(stored.status, 201, "{}", stored.text);

    // Found by its words, under its headings, with its title.
    let answer = search(
        &server,
        "policies",
        &json!({"query": "how many days of annual leave", "top_k": 3}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["mode"], "lexical");
    let passages = found(&answer);
    assert_eq!(
        passages.first(),
        Some(&(
            "leave.md".to_owned(),
            vec!["Staff handbook".to_owned(), "Annual leave".to_owned()]
        )),
        "{}",
        answer.text
    );
    let best = &answer.json["passages"][0];
    assert_eq!(best["title"], "Staff handbook");
    assert_eq!(best["rank"], 1);
    assert!(
        best["text"]
            .as_str()
            .unwrap_or_default()
            .contains("twenty-five days")
    );

    // Filters cut inside the index: the one best passage *of travel.md* comes back, though
    // leave.md's passages score higher overall (a filter after the top-1 would leave nothing).
    let answer = search(
        &server,
        "policies",
        &json!({"query": "annual leave", "top_k": 1, "filters": {"documents": ["travel.md"]}}),
    )
    .await?;
    assert_eq!(
        found(&answer)
            .into_iter()
            .map(|(d, _)| d)
            .collect::<Vec<_>>(),
        ["travel.md"],
        "{}",
        answer.text
    );
    let answer = search(
        &server,
        "policies",
        &json!({"query": "annual leave", "top_k": 1, "filters": {"tags": ["facilities"]}}),
    )
    .await?;
    assert_eq!(found(&answer)[0].0, "canteen.txt", "{}", answer.text);
    let answer = search(
        &server,
        "policies",
        &json!({"query": "annual leave", "top_k": 5, "filters": {"date_to": "2025-12-31"}}),
    )
    .await?;
    let documents: Vec<String> = found(&answer).into_iter().map(|(d, _)| d).collect();
    assert_eq!(documents, ["canteen.txt"], "{}", answer.text);

    // The collection counts what it holds.
    let stats = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies"),
    )
    .await?;
    assert_eq!(stats.json["documents"], 3, "{}", stats.text);
    assert!(stats.json["chunks"].as_u64().unwrap_or_default() >= 5);

    // Bad searches say what is wrong.
    for (body, status, needle) in [
        (json!({"query": "  "}), 422, "empty"),
        (json!({"query": "x", "top_k": 0}), 422, "top_k"),
        (
            json!({"query": "x", "filters": {"date_from": "2026-02-30"}}),
            422,
            "YYYY-MM-DD",
        ),
        (json!({"query": "x", "mode": "vector"}), 409, "lexical"),
    ] {
        let refused = search(&server, "policies", &body).await?;
        assert_eq!(refused.status, status, "{body}: {}", refused.text);
        assert!(refused.text.contains(needle), "{body}: {}", refused.text);
    }
    let missing = search(&server, "nowhere", &json!({"query": "leave"})).await?;
    assert_eq!(missing.status, 404, "{}", missing.text);

    // Every search is in the audit log: who asked what, and which passages went out.
    let records = get(
        &client(),
        &server.url("/api/v1/analytics?kind=knowledge&limit=50"),
    )
    .await?;
    let records = records.json["data"].as_array().cloned().unwrap_or_default();
    let asked = records
        .iter()
        .find(|r| r["prompt"] == "how many days of annual leave")
        .cloned()
        .unwrap_or_default();
    assert_eq!(asked["task_type"], "knowledge:policies", "{records:?}");
    assert_eq!(asked["status"], "success");
    let returned: Value = serde_json::from_str(asked["response_data"].as_str().unwrap_or("null"))?;
    assert_eq!(returned["passages"][0]["document"], "leave.md", "{asked}");
    assert!(
        !asked["response_data"]
            .as_str()
            .unwrap_or_default()
            .contains("twenty-five")
    );
    let refused = records
        .iter()
        .find(|r| r["task_type"] == "knowledge:nowhere")
        .cloned()
        .unwrap_or_default();
    assert_eq!(refused["http_status"], 404, "{records:?}");
    Ok(())
}

#[tokio::test]
async fn re_adding_replaces_and_deleting_removes_every_trace() -> anyhow::Result<()> {
    let server = Server::start()?;
    make_collection(&server, "policies").await?;
    let first = upload(
        &client(),
        &server,
        "policies",
        &[("leave.md", "text/markdown", LEAVE.as_bytes())],
        &[],
    )
    .await?;
    assert_eq!(
        first.json["documents"][0]["outcome"], "added",
        "{}",
        first.text
    );
    let again = upload(
        &client(),
        &server,
        "policies",
        &[("leave.md", "text/markdown", LEAVE.as_bytes())],
        &[],
    )
    .await?;
    assert_eq!(
        again.json["documents"][0]["outcome"], "unchanged",
        "{}",
        again.text
    );

    let revised = LEAVE.replace("twenty-five", "thirty");
    let replaced = upload(
        &client(),
        &server,
        "policies",
        &[("leave.md", "text/markdown", revised.as_bytes())],
        &[],
    )
    .await?;
    assert_eq!(
        replaced.json["documents"][0]["outcome"], "replaced",
        "{}",
        replaced.text
    );
    let old = search(&server, "policies", &json!({"query": "twenty-five"})).await?;
    assert!(
        found(&old).is_empty(),
        "the old version is still found: {}",
        old.text
    );
    let new = search(&server, "policies", &json!({"query": "thirty"})).await?;
    assert_eq!(found(&new).len(), 1, "{}", new.text);

    let gone = delete(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents/leave.md"),
    )
    .await?;
    assert_eq!(gone.status, 204, "{}", gone.text);
    let after = search(
        &server,
        "policies",
        &json!({"query": "thirty leave sickness"}),
    )
    .await?;
    assert!(found(&after).is_empty(), "{}", after.text);
    let listed = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents"),
    )
    .await?;
    assert_eq!(listed.json, json!([]));
    let stats = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies"),
    )
    .await?;
    assert_eq!(
        (
            stats.json["documents"].clone(),
            stats.json["chunks"].clone()
        ),
        (json!(0), json!(0))
    );
    let twice = delete(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents/leave.md"),
    )
    .await?;
    assert_eq!(twice.status, 404, "{}", twice.text);

    // A collection deleted and made again under its name starts empty.
    upload(
        &client(),
        &server,
        "policies",
        &[("leave.md", "text/markdown", LEAVE.as_bytes())],
        &[],
    )
    .await?;
    let dropped = delete(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies"),
    )
    .await?;
    assert_eq!(dropped.status, 204, "{}", dropped.text);
    make_collection(&server, "policies").await?;
    let fresh = search(&server, "policies", &json!({"query": "annual leave"})).await?;
    assert!(found(&fresh).is_empty(), "{}", fresh.text);
    Ok(())
}

#[tokio::test]
async fn bad_files_are_refused_by_name_and_change_nothing() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let config = work.path().join("praximous.toml");
    std::fs::write(&config, "[knowledge]\nmax_document_mb = 1\n")?;
    let server = Server::start_in(
        work.path(),
        &work.path().join("data"),
        &["--config", &path(&config)],
    )?;
    make_collection(&server, "policies").await?;
    let good: &[u8] = LEAVE.as_bytes();
    let big = "word ".repeat(300_000);
    let scan = praximous_e2e::pdf::with_pages(&[&[], &[]]);
    for (files, status, needle) in [
        (
            vec![
                ("leave.md", "text/markdown", good),
                ("tool.md", "text/markdown", &b"a\0b"[..]),
            ],
            422,
            "`tool.md`: it holds NUL bytes",
        ),
        (
            vec![
                ("leave.md", "text/markdown", good),
                ("latin1.txt", "text/plain", &b"caf\xe9"[..]),
            ],
            422,
            "`latin1.txt`: it is not UTF-8",
        ),
        (
            vec![
                ("leave.md", "text/markdown", good),
                ("photo.png", "image/png", &b"\x89PNG"[..]),
            ],
            415,
            "`photo.png`: its type is `image/png`",
        ),
        (
            vec![
                ("leave.md", "text/markdown", good),
                ("scan.pdf", "application/pdf", &scan[..]),
            ],
            422,
            "`scan.pdf`: it is a PDF without a text layer",
        ),
        (
            vec![
                ("leave.md", "text/markdown", good),
                ("broken.pdf", "application/pdf", &b"%PDF-1.7 cut"[..]),
            ],
            422,
            "`broken.pdf`: it is not a readable PDF",
        ),
        (
            vec![
                ("leave.md", "text/markdown", good),
                ("huge.txt", "text/plain", big.as_bytes()),
            ],
            413,
            "`huge.txt`",
        ),
        (
            vec![
                ("leave.md", "text/markdown", good),
                ("empty.md", "text/markdown", &b"# Title only\n"[..]),
            ],
            422,
            "`empty.md`: it has no text",
        ),
    ] {
        let refused = upload(&client(), &server, "policies", &files, &[]).await?;
        assert_eq!(refused.status, status, "{}", refused.text);
        assert!(
            refused.json["detail"]
                .as_str()
                .unwrap_or_default()
                .contains(needle),
            "{}",
            refused.text
        );
    }
    for (fields, needle) in [
        (vec![("tags", "two words")], "not a tag"),
        (vec![("date", "soon")], "YYYY-MM-DD"),
        (vec![("colour", "blue")], "`colour`"),
    ] {
        let refused = upload(
            &client(),
            &server,
            "policies",
            &[("leave.md", "text/markdown", good)],
            &fields,
        )
        .await?;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(refused.text.contains(needle), "{}", refused.text);
    }
    let no_file = upload(&client(), &server, "policies", &[], &[("tags", "hr")]).await?;
    assert_eq!(no_file.status, 422, "{}", no_file.text);
    let elsewhere = upload(
        &client(),
        &server,
        "nowhere",
        &[("leave.md", "text/markdown", good)],
        &[],
    )
    .await?;
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.text);
    let not_form = post_json(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents"),
        &json!({"text": "hello"}),
    )
    .await?;
    assert_eq!(not_form.status, 400, "{}", not_form.text);

    // Nothing of any refused upload was kept, not even the good file beside the bad one.
    let listed = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents"),
    )
    .await?;
    assert_eq!(listed.json, json!([]), "{}", listed.text);
    let search_after = search(&server, "policies", &json!({"query": "annual leave"})).await?;
    assert!(found(&search_after).is_empty());

    let badly_named = post_json(
        &client(),
        &server.url("/api/v1/knowledge/collections"),
        &json!({"name": "HR Policies"}),
    )
    .await?;
    assert_eq!(badly_named.status, 422, "{}", badly_named.text);
    let taken = post_json(
        &client(),
        &server.url("/api/v1/knowledge/collections"),
        &json!({"name": "policies"}),
    )
    .await?;
    assert_eq!(taken.status, 409, "{}", taken.text);
    Ok(())
}

#[tokio::test]
async fn users_search_operators_manage_and_the_licence_gates_it_all() -> anyhow::Result<()> {
    let server = Server::start()?;
    make_collection(&server, "policies").await?;
    let made = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "reader", "role": "user"}),
    )
    .await?;
    let user = client_with_key(made.json["key"].as_str());
    let stored = upload(
        &client(),
        &server,
        "policies",
        &[("leave.md", "text/markdown", LEAVE.as_bytes())],
        &[],
    )
    .await?;
    assert_eq!(stored.status, 201);

    let answer = post_json(
        &user,
        &server.url("/api/v1/knowledge/collections/policies/search"),
        &json!({"query": "annual leave"}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        get(&user, &server.url("/api/v1/knowledge/collections"))
            .await?
            .status,
        200
    );
    let refused = upload(
        &user,
        &server,
        "policies",
        &[("x.md", "text/markdown", LEAVE.as_bytes())],
        &[],
    )
    .await?;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let refused = delete(&user, &server.url("/api/v1/knowledge/collections/policies")).await?;
    assert_eq!(refused.status, 403, "{}", refused.text);

    // A key limited to named skills was given for those alone: no knowledge API.
    let limited = post_json(
        &client(),
        &server.url("/api/v1/keys"),
        &json!({"name": "echo-only", "role": "user", "skills": ["echo"]}),
    )
    .await?;
    assert_eq!(limited.status, 201, "{}", limited.text);
    let refused = post_json(
        &client_with_key(limited.json["key"].as_str()),
        &server.url("/api/v1/knowledge/collections/policies/search"),
        &json!({"query": "annual leave"}),
    )
    .await?;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.json["code"], "not_in_scope", "{}", refused.text);

    // The changes are in the admin audit log.
    let log = get(&client(), &server.url("/api/v1/admin-audit")).await?;
    for action in ["knowledge.collection_created", "knowledge.document_stored"] {
        assert!(log.text.contains(action), "{action} missing: {}", log.text);
    }

    // Without a licence (the Standard tier) Knowledge is locked, and says which tier has it.
    let work = tempfile::tempdir()?;
    let config = work.path().join("praximous.toml");
    std::fs::write(&config, "[license]\nevaluation = false\n")?;
    let standard = Server::start_in(
        work.path(),
        &work.path().join("data"),
        &["--config", &path(&config)],
    )?;
    let locked = get(&client(), &standard.url("/api/v1/knowledge/collections")).await?;
    assert_eq!(locked.status, 403, "{}", locked.text);
    assert_eq!(locked.json["code"], "not_licensed");
    assert!(locked.text.contains("Pro tier"), "{}", locked.text);
    Ok(())
}

#[tokio::test]
async fn html_and_pdf_documents_are_found_with_their_headings_and_pages() -> anyhow::Result<()> {
    let server = Server::start()?;
    make_collection(&server, "policies").await?;
    let html = "<html><head><script>var leave = 'x';</script></head><body><nav>Home | Leave</nav>\
        <h1>Expenses</h1><p>Claim expenses within <b>thirty</b> days.</p></body></html>";
    let pdf = praximous_e2e::pdf::with_pages(&[
        &["Security handbook"],
        &[
            "Badges must be worn at all times.",
            "Visitors sign in at reception.",
        ],
    ]);
    let stored = upload(
        &client(),
        &server,
        "policies",
        &[
            ("expenses.html", "text/html", html.as_bytes()),
            ("security.pdf", "application/pdf", &pdf),
        ],
        &[],
    )
    .await?;
    assert_eq!(stored.status, 201, "{}", stored.text);

    let answer = search(&server, "policies", &json!({"query": "claim expenses"})).await?;
    assert_eq!(
        found(&answer).first(),
        Some(&("expenses.html".to_owned(), vec!["Expenses".to_owned()])),
        "{}",
        answer.text
    );
    // The script and the navigation are not text of the document.
    let hidden = search(&server, "policies", &json!({"query": "var home"})).await?;
    assert!(found(&hidden).is_empty(), "{}", hidden.text);

    let answer = search(&server, "policies", &json!({"query": "badges visitors"})).await?;
    let best = &answer.json["passages"][0];
    assert_eq!(best["document"], "security.pdf", "{}", answer.text);
    assert_eq!(best["page"], 2, "{}", answer.text);
    assert!(
        best["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Badges must be worn")
    );
    let listed = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents"),
    )
    .await?;
    assert_eq!(
        listed.json[1]["media_type"], "application/pdf",
        "{}",
        listed.text
    );
    Ok(())
}
