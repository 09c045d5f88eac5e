//! The knowledge base's indexes follow its rows: a corrupt or missing index is rebuilt at
//! start, a kill -9 during an upload leaves every stored document whole and found and nothing
//! else, and (on PostgreSQL) a document added through one replica is found through another.

use std::path::Path;
use std::time::{Duration, Instant};

use praximous_e2e::chroma::{records_of, suite_chroma};
use praximous_e2e::knowledge::{
    LEAVE, TRAVEL, embedding_config, found, make_collection, search, upload,
};
use praximous_e2e::standin::embed::Embedding;
use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Server, available_or_skip, client, delete, get, store};
use serde_json::{Value, json};

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

/// A configuration embedding through `embedder`, written in `work`; its path.
fn write_embedding_config(work: &Path, embedder: &StandIn) -> anyhow::Result<String> {
    let config = work.join("praximous.toml");
    std::fs::write(&config, embedding_config(&embedder.base_url, "concepts-v1"))?;
    Ok(config.display().to_string())
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
    // Searched by meaning too: the vectors must agree with the rows as the words do.
    let embedder = StandIn::start(Flavour::Openai, None).await?;
    embedder.set_embedding(Embedding::Concepts);
    let config = write_embedding_config(work.path(), &embedder)?;
    let mut server = Server::start_in(work.path(), &data, &["--config", &config])?;
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

    let server = Server::start_in(work.path(), &data, &["--config", &config])?;
    // The meaning index was never saved (killed within its quiet time): rebuilt from the rows,
    // it holds exactly the stored passages.
    loop {
        let probe = search(
            &server,
            "bulk",
            &json!({"query": "planning", "mode": "vector"}),
        )
        .await?;
        if probe.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "{}", probe.text);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stats = get(&client(), &server.url("/api/v1/knowledge/collections/bulk"))
        .await?
        .json;
    assert_eq!(stats["embedding"]["vectors"], stats["chunks"], "{stats}");
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
            &json!({"query": format!("marker{index:02}x"), "top_k": 50, "mode": "lexical"}),
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
                    &json!({"query": "quarterly planning", "top_k": 50, "mode": "lexical", "filters": {"documents": [name]}}),
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
                // Every passage has its vector. (Chroma's filtered graph search does not find
                // every one of these identical vectors, so there they are counted.)
                let vectors = match suite_chroma() {
                    Some(url) => records_of(&url, "bulk", name).await? as u64,
                    None => {
                        let by_meaning = search(
                            &server,
                            "bulk",
                            &json!({"query": "planning", "mode": "vector", "top_k": 50, "filters": {"documents": [name]}}),
                        )
                        .await?;
                        by_meaning.json["passages"]
                            .as_array()
                            .map(Vec::len)
                            .unwrap_or_default() as u64
                    }
                };
                assert_eq!(
                    vectors,
                    record["chunks"].as_u64().unwrap_or_default().min(50),
                    "{name}"
                );
            }
            // Not stored: not a trace in either index.
            None => {
                assert!(
                    hits.is_empty(),
                    "{name} is not stored but found: {}",
                    answer.text
                );
                let by_meaning = search(
                    &server,
                    "bulk",
                    &json!({"query": "planning", "mode": "vector", "filters": {"documents": [name]}}),
                )
                .await?;
                assert_eq!(found(&by_meaning), vec![], "{}", by_meaning.text);
                if let Some(url) = suite_chroma() {
                    assert_eq!(records_of(&url, "bulk", name).await?, 0, "{name}");
                }
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_deleted_documents_entry_leaves_the_change_log_and_an_index_older_than_the_log_is_rebuilt()
-> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let data = work.path().join("data");
    let config = work.path().join("praximous.toml");
    std::fs::write(&config, "[knowledge]\nforget_deleted_after_s = 1\n")?;
    let config = config.display().to_string();
    let mut server = Server::start_in(work.path(), &data, &["--config", &config])?;
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
    assert_eq!(stored.status, 201, "{}", stored.text);
    server.stop();
    // The words index as a replica stopped now would keep it.
    let lexical = index_files(&data)
        .into_iter()
        .find_map(|file| {
            file.ancestors()
                .find(|dir| dir.ends_with("lexical"))
                .map(Path::to_path_buf)
        })
        .ok_or_else(|| anyhow::anyhow!("no words index under {}", data.display()))?;
    let kept = tempfile::tempdir()?;
    copy_dir(&lexical, kept.path())?;

    let mut server = Server::start_in(work.path(), &data, &["--config", &config])?;
    let gone = delete(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents/leave.md"),
    )
    .await?;
    assert_eq!(gone.status, 204, "{}", gone.text);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let logged = store::query(&data, "SELECT document FROM knowledge_changes", &[])?;
        let names: Vec<String> = logged.into_iter().flatten().flatten().collect();
        if names == ["travel.md"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the change log still holds {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop();

    std::fs::remove_dir_all(&lexical)?;
    copy_dir(kept.path(), &lexical)?;
    let server = Server::start_in(work.path(), &data, &["--config", &config])?;
    assert!(
        server.wait_for_log(
            "older than the change log remembers",
            Duration::from_secs(20)
        ),
        "{}",
        server.log()
    );
    let sickness = search(
        &server,
        "policies",
        &json!({"query": "sickness manager", "mode": "lexical"}),
    )
    .await?;
    assert_eq!(found(&sickness), vec![], "{}", sickness.text);
    let flights = search(
        &server,
        "policies",
        &json!({"query": "flights portal", "mode": "lexical"}),
    )
    .await?;
    assert_eq!(
        found(&flights).first().map(|(d, _)| d.as_str()),
        Some("travel.md"),
        "{}",
        flights.text
    );
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)?.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
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
    // Searched by meaning too: each replica builds its vector index from the shared rows.
    let embedder = StandIn::start(Flavour::Openai, None).await?;
    embedder.set_embedding(Embedding::Concepts);
    let config = write_embedding_config(work.path(), &embedder)?;
    let replica = |name: &str| {
        Server::start_with_env(
            work.path(),
            &work.path().join(name),
            &["--config", &config],
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
        let meaning = search(
            &b,
            "policies",
            &json!({"query": "vacation", "mode": "vector"}),
        )
        .await?;
        if found(&answer).first().is_some_and(|(d, _)| d == "leave.md")
            && found(&meaning)
                .first()
                .is_some_and(|(d, _)| d == "leave.md")
        {
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
        let meaning = search(
            &a,
            "policies",
            &json!({"query": "vacation", "mode": "vector"}),
        )
        .await?;
        if found(&answer).is_empty() && found(&meaning).is_empty() {
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
