//! The knowledge base end to end against the real binary and its real store: documents
//! uploaded over HTTP are found by their words with their place in the document; filters apply
//! inside the index; re-adding replaces and deleting removes every trace; bad files are refused
//! by name and change nothing; the index follows the rows through a kill -9, a corrupt or
//! missing index, and (on PostgreSQL) another replica's uploads; and the `knowledge_retrieval`
//! skill answers from the passages with citations, within the collections it may search.

use std::path::Path;
use std::time::{Duration, Instant};

use praximous_e2e::registry::path;
use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{
    Answer, Server, available_or_skip, client, client_with_key, delete, get, post_json, store,
};
use serde_json::{Value, json};

const LEAVE: &str = "# Staff handbook\n\n## Annual leave\n\nEvery employee gets twenty-five days of annual leave per calendar year. \
Unused leave may be carried over until the end of March.\n\n## Sick leave\n\nReport sickness to your manager before ten o'clock.\n";
const TRAVEL: &str = "# Travel policy\n\nBook flights through the travel portal. Economy class for trips under six hours.\n\n\
## Expenses\n\nClaim expenses within thirty days with receipts. Leave the receipts with finance.\n";

async fn upload(
    http: &reqwest::Client,
    server: &Server,
    collection: &str,
    files: &[(&str, &str, &[u8])],
    fields: &[(&str, &str)],
) -> anyhow::Result<Answer> {
    let mut form = reqwest::multipart::Form::new();
    for (name, content_type, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name((*name).to_owned())
            .mime_str(content_type)?;
        form = form.part("file", part);
    }
    for (name, value) in fields {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    let response = http
        .post(server.url(&format!(
            "/api/v1/knowledge/collections/{collection}/documents"
        )))
        .multipart(form)
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok(Answer {
        status,
        request_id: None,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    })
}

async fn search(server: &Server, collection: &str, body: &Value) -> anyhow::Result<Answer> {
    post_json(
        &client(),
        &server.url(&format!(
            "/api/v1/knowledge/collections/{collection}/search"
        )),
        body,
    )
    .await
}

/// (document, heading path) of each passage found.
fn found(answer: &Answer) -> Vec<(String, Vec<String>)> {
    answer.json["passages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            (
                p["document"].as_str().unwrap_or_default().to_owned(),
                p["heading_path"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|h| h.as_str().unwrap_or_default().to_owned())
                    .collect(),
            )
        })
        .collect()
}

async fn make_collection(server: &Server, name: &str) -> anyhow::Result<()> {
    let made = post_json(
        &client(),
        &server.url("/api/v1/knowledge/collections"),
        &json!({"name": name, "description": "Company policies"}),
    )
    .await?;
    anyhow::ensure!(made.status == 201, "{}", made.text);
    Ok(())
}

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

fn index_files(data: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![data.join("knowledge")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[tokio::test]
async fn a_corrupt_or_missing_index_is_rebuilt_from_the_store_at_start() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let mut server = Server::start_in(work.path(), &data, &[])?;
    make_collection(&server, "policies").await?;
    upload(
        &client(),
        &server,
        "policies",
        &[("leave.md", "text/markdown", LEAVE.as_bytes())],
        &[],
    )
    .await?;
    server.stop();

    // Flip bytes in the middle of every segment file.
    let segments: Vec<_> = index_files(&data)
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "idx" || e == "term" || e == "store")
        })
        .collect();
    assert!(
        !segments.is_empty(),
        "no index files under {}",
        data.display()
    );
    for file in &segments {
        let mut bytes = std::fs::read(file)?;
        let middle = bytes.len() / 2;
        for byte in bytes.iter_mut().skip(middle.saturating_sub(4)).take(8) {
            *byte ^= 0x5a;
        }
        std::fs::write(file, bytes)?;
    }
    let server = Server::start_in(work.path(), &data, &[])?;
    assert!(
        server.wait_for_log("rebuilding it from the store", Duration::from_secs(20)),
        "{}",
        server.log()
    );
    let answer = search(&server, "policies", &json!({"query": "annual leave"})).await?;
    assert_eq!(
        found(&answer).first().map(|(d, _)| d.as_str()),
        Some("leave.md"),
        "{}",
        answer.text
    );
    drop(server);

    // No index at all: rebuilt too.
    std::fs::remove_dir_all(data.join("knowledge"))?;
    let server = Server::start_in(work.path(), &data, &[])?;
    let answer = search(&server, "policies", &json!({"query": "sickness manager"})).await?;
    assert_eq!(
        found(&answer).first().map(|(d, _)| d.as_str()),
        Some("leave.md"),
        "{}",
        answer.text
    );
    Ok(())
}

#[tokio::test]
async fn after_kill_9_during_an_upload_every_stored_document_is_whole_and_found()
-> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let mut server = Server::start_in(work.path(), &data, &[])?;
    make_collection(&server, "bulk").await?;
    // Twenty documents, each with a word of its own and enough text to take a while.
    let bodies: Vec<(String, String)> = (0..20)
        .map(|i| {
            let filler = format!("Paragraph about quarterly planning number {i}. ").repeat(400);
            (
                format!("doc{i:02}.md"),
                format!("# Report {i}\n\nmarker{i:02}x appears here.\n\n{filler}\n"),
            )
        })
        .collect();
    let url = server.base_url.clone();
    let uploading = {
        let bodies = bodies.clone();
        tokio::spawn(async move {
            let mut form = reqwest::multipart::Form::new();
            for (name, body) in bodies {
                form = form.part(
                    "file",
                    reqwest::multipart::Part::bytes(body.into_bytes()).file_name(name),
                );
            }
            client()
                .post(format!("{url}/api/v1/knowledge/collections/bulk/documents"))
                .multipart(form)
                .send()
                .await
        })
    };
    // Kill as soon as the first documents are in, while the rest are being written.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let listed = get(&client(), &server.url("/api/v1/knowledge/collections/bulk")).await?;
        if listed.json["documents"].as_u64().unwrap_or_default() >= 1 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.stop();
    let _ = uploading.await;

    let server = Server::start_in(work.path(), &data, &[])?;
    let listed = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/bulk/documents"),
    )
    .await?;
    let stored: Vec<Value> = listed.json.as_array().cloned().unwrap_or_default();
    assert!(!stored.is_empty(), "nothing was stored before the kill");
    for (index, (name, _)) in bodies.iter().enumerate() {
        let record = stored.iter().find(|d| d["id"] == name.as_str());
        let answer = search(
            &server,
            "bulk",
            &json!({"query": format!("marker{index:02}x"), "top_k": 50}),
        )
        .await?;
        let hits = found(&answer);
        match record {
            // Stored: found, and every one of its passages is in the index.
            Some(record) => {
                assert_eq!(
                    hits.first().map(|(d, _)| d.as_str()),
                    Some(name.as_str()),
                    "{}",
                    answer.text
                );
                let all = search(
                    &server,
                    "bulk",
                    &json!({"query": "quarterly planning", "top_k": 50, "filters": {"documents": [name]}}),
                )
                .await?;
                assert_eq!(
                    all.json["passages"]
                        .as_array()
                        .map(Vec::len)
                        .unwrap_or_default() as u64,
                    record["chunks"].as_u64().unwrap_or_default().min(50),
                    "{name}: {}",
                    all.text
                );
            }
            // Not stored: not a trace in the index.
            None => assert!(
                hits.is_empty(),
                "{name} is not stored but found: {}",
                answer.text
            ),
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_document_added_through_one_replica_is_found_through_the_other() -> anyhow::Result<()> {
    let cluster = store::postgres_cluster();
    let missing = cluster.is_none().then(|| {
        format!(
            "no PostgreSQL cluster: run under tools/postgres.sh run -- (make test does), which sets {}",
            store::POSTGRES_URL_ENV
        )
    });
    if !available_or_skip(missing) {
        return Ok(());
    }
    let Some(cluster) = cluster else {
        return Ok(());
    };
    let store_url = store::fresh_database(&cluster)?;
    let work = tempfile::tempdir()?;
    let replica = |name: &str| {
        Server::start_with_env(
            work.path(),
            &work.path().join(name),
            &[],
            &[
                ("PRAXIMOUS_API_KEYS", Some(praximous_e2e::TEST_ADMIN_KEY)),
                ("PRAXIMOUS_STORE_URL", Some(store_url.as_str())),
            ],
        )
    };
    let a = replica("a")?;
    let b = replica("b")?;
    make_collection(&a, "policies").await?;
    let stored = upload(
        &client(),
        &a,
        "policies",
        &[("leave.md", "text/markdown", LEAVE.as_bytes())],
        &[],
    )
    .await?;
    assert_eq!(stored.status, 201, "{}", stored.text);
    let added = Instant::now();
    loop {
        let answer = search(&b, "policies", &json!({"query": "annual leave"})).await?;
        if found(&answer).first().is_some_and(|(d, _)| d == "leave.md") {
            break;
        }
        assert!(
            added.elapsed() < Duration::from_secs(1),
            "replica b did not find it within a second: {}",
            answer.text
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // Deleted through b: gone from a as quickly.
    let gone = delete(
        &client(),
        &b.url("/api/v1/knowledge/collections/policies/documents/leave.md"),
    )
    .await?;
    assert_eq!(gone.status, 204);
    let deleted = Instant::now();
    loop {
        let answer = search(&a, "policies", &json!({"query": "annual leave"})).await?;
        if found(&answer).is_empty() {
            break;
        }
        assert!(
            deleted.elapsed() < Duration::from_secs(1),
            "replica a still finds it: {}",
            answer.text
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Ok(())
}

/// A server whose LLM is a stand-in speaking OpenAI's protocol, with `extra` configuration.
async fn with_llm(extra: &str) -> anyhow::Result<(Server, StandIn, tempfile::TempDir)> {
    let provider = StandIn::start(Flavour::Openai, None).await?;
    let work = tempfile::tempdir()?;
    let config = work.path().join("praximous.toml");
    std::fs::write(
        &config,
        format!(
            "[[providers]]\nname = \"writer\"\ntype = \"openai\"\nmodel = \"small-model\"\nbase_url = \"{}\"\n{extra}",
            provider.base_url
        ),
    )?;
    let server = Server::start_in(
        work.path(),
        &work.path().join("data"),
        &["--config", &path(&config)],
    )?;
    make_collection(&server, "policies").await?;
    let stored = upload(
        &client(),
        &server,
        "policies",
        &[
            ("leave.md", "text/markdown", LEAVE.as_bytes()),
            ("travel.md", "text/markdown", TRAVEL.as_bytes()),
        ],
        &[],
    )
    .await?;
    anyhow::ensure!(stored.status == 201, "{}", stored.text);
    Ok((server, provider, work))
}

async fn ask(server: &Server, body: Value) -> anyhow::Result<Answer> {
    post_json(&client(), &server.url("/api/v1/process"), &body).await
}

#[tokio::test]
async fn knowledge_retrieval_answers_from_the_passages_and_cites_them() -> anyhow::Result<()> {
    let (server, provider, _work) = with_llm("").await?;
    let answer = ask(
        &server,
        json!({"task_type": "knowledge_retrieval", "prompt": "How many days of annual leave?", "collection": "policies", "top_k": 2}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let result = &answer.json["result"];
    assert_eq!(result["found"], true, "{}", answer.text);

    // The LLM was given the numbered passages and the question, and told to cite them.
    let sent = provider.requests().pop().unwrap_or_default();
    let system = sent["messages"][0]["content"].as_str().unwrap_or_default();
    assert!(
        system.contains("using only the numbered passages"),
        "{system}"
    );
    let user = sent["messages"][1]["content"].as_str().unwrap_or_default();
    assert!(
        user.starts_with(
            "Passages:\n\n[1] (Staff handbook › Annual leave)\nEvery employee gets twenty-five days"
        ),
        "{user}"
    );
    assert!(
        user.ends_with("Question: How many days of annual leave?"),
        "{user}"
    );

    // The stand-in repeats the message, so the answer cites [1] and [2]: both are listed,
    // with their documents and places, and the passages come along.
    assert_eq!(result["citations"][0]["number"], 1, "{}", answer.text);
    assert_eq!(result["citations"][0]["document"], "leave.md");
    assert_eq!(
        result["citations"][0]["heading_path"],
        json!(["Staff handbook", "Annual leave"])
    );
    assert_eq!(result["passages"].as_array().map(Vec::len), Some(2));
    assert!(
        result["passages"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("twenty-five days")
    );
    assert_eq!(result["provider"], "writer");

    // The manifest's own example works against these documents.
    let capabilities = get(
        &client(),
        &server.url("/api/v1/skills/knowledge_retrieval/capabilities"),
    )
    .await?;
    let example = capabilities.json["operations"]["answer"]["example_request_payload"].clone();
    let answer = ask(&server, example.clone()).await?;
    assert_eq!(answer.status, 200, "{example}: {}", answer.text);
    assert_eq!(
        answer.json["result"]["citations"][0]["document"],
        "leave.md"
    );

    // Nothing on it in the documents: said so, and the LLM is not asked.
    let before = provider.requests().len();
    let answer = ask(
        &server,
        json!({"task_type": "knowledge_retrieval", "prompt": "quantum chromodynamics", "collection": "policies"}),
    )
    .await?;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json["result"]["found"], false);
    assert!(
        answer.json["result"]["answer"]
            .as_str()
            .unwrap_or_default()
            .contains("do not answer")
    );
    assert_eq!(
        provider.requests().len(),
        before,
        "the LLM was asked anyway"
    );

    // A collection that does not exist is the caller's mistake.
    let answer = ask(
        &server,
        json!({"task_type": "knowledge_retrieval", "prompt": "leave", "collection": "nowhere"}),
    )
    .await?;
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert!(answer.text.contains("nowhere"), "{}", answer.text);
    Ok(())
}

#[tokio::test]
async fn the_operator_narrows_the_collections_a_skill_may_search() -> anyhow::Result<()> {
    let (server, provider, _work) =
        with_llm("[skills.knowledge_retrieval]\nknowledge = [\"handbook\"]\n").await?;
    let answer = ask(
        &server,
        json!({"task_type": "knowledge_retrieval", "prompt": "annual leave", "collection": "policies"}),
    )
    .await?;
    assert_eq!(answer.status, 403, "{}", answer.text);
    assert!(
        answer.text.contains("knowledge collection 'policies'")
            && answer
                .text
                .contains("[skills.knowledge_retrieval] knowledge"),
        "{}",
        answer.text
    );
    assert!(provider.requests().is_empty());
    Ok(())
}

#[tokio::test]
async fn prax_knowledge_uploads_lists_and_searches_through_the_server() -> anyhow::Result<()> {
    let server = Server::start()?;
    let work = tempfile::tempdir()?;
    let leave = work.path().join("leave.md");
    std::fs::write(&leave, LEAVE)?;
    let broken = work.path().join("broken.txt");
    std::fs::write(&broken, b"caf\xe9")?;
    let prax = |args: &[&str]| -> anyhow::Result<std::process::Output> {
        Ok(std::process::Command::new(praximous_e2e::prax_binary())
            .arg("knowledge")
            .args(args)
            .env("PRAXIMOUS_URL", &server.base_url)
            .env("PRAXIMOUS_API_KEY", praximous_e2e::TEST_ADMIN_KEY)
            .output()?)
    };
    let text = |output: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    let made = prax(&["create", "policies", "--description", "HR"])?;
    assert!(made.status.success(), "{}", text(&made));

    // One unreadable file among them: the whole upload is refused, naming it.
    let refused = prax(&["add", "policies", &path(&leave), &path(&broken)])?;
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("`broken.txt`: it is not UTF-8"),
        "{}",
        text(&refused)
    );
    let listed = prax(&["documents", "policies"])?;
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "");

    let added = prax(&["add", "policies", &path(&leave), "--tags", "hr"])?;
    assert!(added.status.success(), "{}", text(&added));
    assert!(text(&added).contains("leave.md: added"), "{}", text(&added));
    let listed = prax(&["documents", "policies"])?;
    assert!(
        String::from_utf8_lossy(&listed.stdout).starts_with("leave.md\tStaff handbook\t"),
        "{}",
        text(&listed)
    );
    let found = prax(&["search", "policies", "annual", "leave"])?;
    assert!(
        text(&found).contains("[1] leave.md (Staff handbook › Annual leave)"),
        "{}",
        text(&found)
    );
    let collections = prax(&["collections"])?;
    assert!(
        text(&collections).starts_with("policies\t1 documents"),
        "{}",
        text(&collections)
    );

    // Without a key: the server's refusal and what to do.
    let anonymous = std::process::Command::new(praximous_e2e::prax_binary())
        .args(["knowledge", "collections"])
        .env("PRAXIMOUS_URL", &server.base_url)
        .env_remove("PRAXIMOUS_API_KEY")
        .output()?;
    assert!(!anonymous.status.success());
    assert!(
        text(&anonymous).contains("--api-key"),
        "{}",
        text(&anonymous)
    );
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
