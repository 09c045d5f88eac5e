//! Vectors kept in a real Chroma server (`[knowledge] store = "chroma"`, `chroma run` from
//! `.tools/chroma`): the passages' records are in Chroma and follow deletes; while Chroma is
//! down, uploads are still stored and searches answer by their words, and once it is back the
//! vectors catch up; a Chroma collection deleted behind the server's back is rebuilt from the
//! rows. (The rest of the knowledge suite runs on Chroma too, in `make test`'s pass on it.)

use std::time::{Duration, Instant};

use praximous_e2e::chroma::{ChromaServer, chroma_bin, chroma_keys, keeping, records_of};
use praximous_e2e::knowledge::{
    LEAVE, TRAVEL, embedding_config_with, found, make_collection, search, upload,
};
use praximous_e2e::standin::embed::Embedding;
use praximous_e2e::standin::{Flavour, StandIn};
use praximous_e2e::{Answer, Server, client, delete, get};
use serde_json::{Value, json};

/// A Chroma server, a stand-in embedder and a server keeping its vectors in that Chroma;
/// `None` (a skip, outside CI) when Chroma is not installed.
async fn setup() -> anyhow::Result<Option<(ChromaServer, StandIn, Server)>> {
    let Some(bin) = chroma_bin() else {
        return Ok(None);
    };
    let chroma = ChromaServer::start(&bin).await?;
    let standin = StandIn::start(Flavour::Openai, None).await?;
    standin.set_embedding(Embedding::Concepts);
    let config = embedding_config_with(
        &standin.base_url,
        "concepts-v1",
        &chroma_keys(&chroma.url()),
    );
    let server = Server::start_with_config(&config, |_| {})?;
    Ok(Some((chroma, standin, server)))
}

async fn upload_one(server: &Server, name: &str, body: &str) -> anyhow::Result<Answer> {
    upload(
        &client(),
        server,
        "policies",
        &[(name, "text/markdown", body.as_bytes())],
        &[],
    )
    .await
}

async fn chunks_of(server: &Server) -> anyhow::Result<Value> {
    let stats = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies"),
    )
    .await?;
    anyhow::ensure!(stats.status == 200, "{}", stats.text);
    Ok(stats.json)
}

/// Search by meaning alone for `question`, until `document` is the first found or `within`
/// passes; the last answer.
async fn until_found_by_meaning(
    server: &Server,
    question: &str,
    document: &str,
    within: Duration,
) -> anyhow::Result<Answer> {
    let deadline = Instant::now() + within;
    loop {
        let answer = search(
            server,
            "policies",
            &json!({"query": question, "mode": "vector"}),
        )
        .await?;
        let first = found(&answer).first().map(|(d, _)| d.clone());
        if first.as_deref() == Some(document) || Instant::now() > deadline {
            return Ok(answer);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_passages_vectors_live_in_chroma_and_follow_deletes() -> anyhow::Result<()> {
    let Some((chroma, _standin, server)) = setup().await? else {
        return Ok(());
    };
    make_collection(&server, "policies").await?;
    for (name, body) in [("leave.md", LEAVE), ("travel.md", TRAVEL)] {
        let stored = upload_one(&server, name, body).await?;
        assert_eq!(stored.status, 201, "{}", stored.text);
    }
    let stats = chunks_of(&server).await?;
    assert_eq!(stats["embedding"]["vectors"], stats["chunks"], "{stats}");
    let held = keeping(&chroma.url(), "policies").await?;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].1["prax_model"], "concepts-v1", "{held:?}");
    assert_eq!(held[0].1["prax_dimension"], 7, "{held:?}");
    let documents = get(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents"),
    )
    .await?;
    for document in documents.json.as_array().cloned().unwrap_or_default() {
        let id = document["id"].as_str().unwrap_or_default();
        assert_eq!(
            records_of(&chroma.url(), "policies", id).await? as u64,
            document["chunks"].as_u64().unwrap_or_default(),
            "{document}"
        );
    }
    // Nothing of the meaning is kept on this replica.
    let vector_folders: Vec<_> = walk(&server.data_dir.join("knowledge"))
        .into_iter()
        .filter(|p| p.ends_with("vectors"))
        .collect();
    assert_eq!(vector_folders, Vec::<std::path::PathBuf>::new());

    // Found by meaning through Chroma: no word of the question is in the handbook.
    let meaning =
        until_found_by_meaning(&server, "vacation allowance", "leave.md", Duration::ZERO).await?;
    assert_eq!(
        found(&meaning).first().map(|(d, _)| d.as_str()),
        Some("leave.md"),
        "{}",
        meaning.text
    );
    // Filters apply inside Chroma's search.
    let filtered = search(
        &server,
        "policies",
        &json!({"query": "vacation allowance", "mode": "vector", "filters": {"documents": ["travel.md"]}}),
    )
    .await?;
    assert!(
        found(&filtered).iter().all(|(d, _)| d == "travel.md") && !found(&filtered).is_empty(),
        "{}",
        filtered.text
    );

    let gone = delete(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies/documents/leave.md"),
    )
    .await?;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert_eq!(records_of(&chroma.url(), "policies", "leave.md").await?, 0);
    assert!(records_of(&chroma.url(), "policies", "travel.md").await? > 0);

    let dropped = delete(
        &client(),
        &server.url("/api/v1/knowledge/collections/policies"),
    )
    .await?;
    assert_eq!(dropped.status, 204, "{}", dropped.text);
    let left = keeping(&chroma.url(), "policies").await?;
    assert_eq!(
        left,
        vec![],
        "the Chroma collection outlived its collection"
    );
    Ok(())
}

#[tokio::test]
async fn while_chroma_is_down_uploads_are_stored_words_answer_and_vectors_catch_up_later()
-> anyhow::Result<()> {
    let Some((mut chroma, _standin, server)) = setup().await? else {
        return Ok(());
    };
    make_collection(&server, "policies").await?;
    let stored = upload_one(&server, "travel.md", TRAVEL).await?;
    assert_eq!(stored.status, 201, "{}", stored.text);

    chroma.pause();
    let stored = upload_one(&server, "leave.md", LEAVE).await?;
    assert_eq!(stored.status, 201, "{}", stored.text);
    assert_eq!(chunks_of(&server).await?["documents"], 2);
    // Hybrid answers by its words, and says so.
    let hybrid = search(
        &server,
        "policies",
        &json!({"query": "annual leave", "mode": "hybrid"}),
    )
    .await?;
    assert_eq!(hybrid.status, 200, "{}", hybrid.text);
    assert_eq!(
        found(&hybrid).first().map(|(d, _)| d.as_str()),
        Some("leave.md"),
        "{}",
        hybrid.text
    );
    assert_eq!(hybrid.json["mode"], "lexical", "{}", hybrid.text);
    assert!(
        hybrid.json["note"]
            .as_str()
            .is_some_and(|n| n.contains("words alone") && n.contains("Chroma")),
        "{}",
        hybrid.text
    );
    // By meaning alone it cannot answer: 503, naming Chroma.
    let meaning = search(
        &server,
        "policies",
        &json!({"query": "vacation allowance", "mode": "vector"}),
    )
    .await?;
    assert_eq!(meaning.status, 503, "{}", meaning.text);
    assert!(meaning.text.contains("Chroma"), "{}", meaning.text);

    // Back: the document stored meanwhile is found by meaning, without another upload.
    chroma.resume().await?;
    let meaning = until_found_by_meaning(
        &server,
        "vacation allowance",
        "leave.md",
        Duration::from_secs(20),
    )
    .await?;
    assert_eq!(
        found(&meaning).first().map(|(d, _)| d.as_str()),
        Some("leave.md"),
        "{}",
        meaning.text
    );
    assert!(
        server.wait_for_log("the vector store answers again", Duration::from_secs(5)),
        "{}",
        server.log()
    );
    Ok(())
}

#[tokio::test]
async fn a_chroma_collection_deleted_behind_the_servers_back_is_rebuilt_from_the_rows()
-> anyhow::Result<()> {
    let Some((chroma, _standin, server)) = setup().await? else {
        return Ok(());
    };
    make_collection(&server, "policies").await?;
    let stored = upload_one(&server, "leave.md", LEAVE).await?;
    assert_eq!(stored.status, 201, "{}", stored.text);
    let (name, _) = keeping(&chroma.url(), "policies")
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no Chroma collection for `policies`"))?;
    let deleted = client()
        .delete(format!(
            "{}/api/v2/tenants/default_tenant/databases/default_database/collections/{name}",
            chroma.url()
        ))
        .send()
        .await?;
    assert!(deleted.status().is_success(), "{}", deleted.status());

    // Built once at the first upload, and again now.
    let deadline = Instant::now() + Duration::from_secs(20);
    while server
        .log()
        .matches("meaning index built from the store")
        .count()
        < 2
    {
        assert!(Instant::now() < deadline, "{}", server.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let meaning = until_found_by_meaning(
        &server,
        "vacation allowance",
        "leave.md",
        Duration::from_secs(10),
    )
    .await?;
    assert_eq!(
        found(&meaning).first().map(|(d, _)| d.as_str()),
        Some("leave.md"),
        "{}",
        meaning.text
    );
    let stats = chunks_of(&server).await?;
    assert_eq!(
        records_of(&chroma.url(), "policies", "leave.md").await? as u64,
        stats["chunks"].as_u64().unwrap_or_default()
    );
    Ok(())
}

/// Every folder under `root`.
fn walk(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut folders = Vec::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path.clone());
                pending.push(path);
            }
        }
    }
    folders
}
