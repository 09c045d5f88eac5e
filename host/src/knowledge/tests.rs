//! The knowledge base over a real SQLite store, its indexes on disk.

use std::sync::Arc;

use super::search::Filters;
use super::{FileFacts, Knowledge};
use crate::config::KnowledgeConfig;
use crate::store::sqlite::knowledge::SqliteKnowledge;

type Outcome = Result<(), Box<dyn std::error::Error>>;

const LEAVE: &str = "# Leave\n\nAnnual leave is booked with your manager.\n\n## Sickness\n\nTell your manager on the first day of sickness.\n";

fn knowledge(data: &std::path::Path) -> Result<Arc<Knowledge>, Box<dyn std::error::Error>> {
    let store = SqliteKnowledge::open(&data.join("prax.db"))?;
    Ok(Arc::new(Knowledge::new(
        Arc::new(store),
        KnowledgeConfig::default(),
        data,
        None,
    )))
}

#[tokio::test]
async fn a_rebuilt_words_index_is_whole_before_any_search_can_use_it() -> Outcome {
    let data = tempfile::tempdir()?;
    let first = knowledge(data.path())?;
    first.create_collection("policies", "", None)?;
    add(&first, "leave.md", LEAVE).await?;
    drop(first);
    std::fs::remove_dir_all(data.path().join("knowledge"))?;

    // As after a restart with the index gone: the first to open it gets it complete.
    let restarted = knowledge(data.path())?;
    let collection = restarted.found("policies")?.collection;
    let index = restarted.lexical(&collection)?;
    assert_eq!(index.applied(), restarted.store.last_change("policies")?);
    let hits = index.search("sickness", &Filters::default(), 5)?;
    assert_eq!(
        hits.first().map(|h| h.document.as_str()),
        Some("leave.md"),
        "{hits:?}"
    );
    Ok(())
}

const TRAVEL: &str = "# Travel\n\nBook flights through the portal.\n";

async fn add(knowledge: &Arc<Knowledge>, name: &str, body: &str) -> Outcome {
    let facts = FileFacts {
        file_name: name.into(),
        ..FileFacts::default()
    };
    let prepared = knowledge.prepare(&facts, body.as_bytes())?;
    knowledge.add("policies", vec![prepared]).await?;
    Ok(())
}

#[tokio::test]
async fn the_change_log_keeps_one_entry_a_document_and_forgets_the_deleted() -> Outcome {
    let data = tempfile::tempdir()?;
    let knowledge = knowledge(data.path())?;
    knowledge.create_collection("policies", "", None)?;
    add(&knowledge, "leave.md", LEAVE).await?;
    add(&knowledge, "travel.md", TRAVEL).await?;
    add(
        &knowledge,
        "travel.md",
        &format!("{TRAVEL}\nEconomy class.\n"),
    )
    .await?;
    let store = &knowledge.store;
    let logged: Vec<String> = store
        .changes_since("policies", 0)?
        .into_iter()
        .map(|c| c.document)
        .collect();
    assert_eq!(logged, ["leave.md", "travel.md"]);

    // The words index as it was before the deletion, kept aside as a stopped replica's.
    drop(knowledge);
    let lexical_dir = |root: &std::path::Path| -> std::io::Result<std::path::PathBuf> {
        let uid = std::fs::read_dir(root.join("knowledge"))?
            .flatten()
            .next()
            .map(|e| e.path())
            .ok_or_else(|| std::io::Error::other("no index folder"))?;
        Ok(uid.join("lexical"))
    };
    let kept = tempfile::tempdir()?;
    let live = lexical_dir(data.path())?;
    copy_dir(&live, kept.path())?;

    let knowledge = self::knowledge(data.path())?;
    knowledge.delete_document("policies", "leave.md")?;
    let store = &knowledge.store;
    let last = store.last_change("policies")?;
    assert_eq!(store.forget_deleted("2000-01-01T00:00:00.000Z")?, 0);
    assert_eq!(store.forget_deleted("2999-01-01T00:00:00.000Z")?, 1);
    let logged: Vec<String> = store
        .changes_since("policies", 0)?
        .into_iter()
        .map(|c| c.document)
        .collect();
    assert_eq!(logged, ["travel.md"], "the deleted document's name stayed");
    assert_eq!(store.log_floor("policies")?, last);
    assert_eq!(store.last_change("policies")?, last);
    drop(knowledge);

    // The stale index cannot learn of the deletion from the log: it is rebuilt.
    std::fs::remove_dir_all(&live)?;
    copy_dir(kept.path(), &live)?;
    let restarted = self::knowledge(data.path())?;
    let collection = restarted.found("policies")?.collection;
    let index = restarted.lexical(&collection)?;
    assert_eq!(index.applied(), last);
    let hits = index.search("sickness", &Filters::default(), 5)?;
    assert!(
        hits.is_empty(),
        "a deleted document is still indexed: {hits:?}"
    );
    Ok(())
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
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
async fn a_stale_words_index_is_caught_up_before_any_search_can_use_it() -> Outcome {
    let data = tempfile::tempdir()?;
    let first = knowledge(data.path())?;
    first.create_collection("policies", "", None)?;
    add(&first, "leave.md", LEAVE).await?;
    // Stored as another replica would while this one was stopped: rows, no index update.
    let facts = FileFacts {
        file_name: "travel.md".into(),
        ..FileFacts::default()
    };
    let travel = first.prepare(&facts, TRAVEL.as_bytes())?;
    first
        .store
        .put_document("policies", &travel.document, &travel.chunks, None)?;
    drop(first);

    let restarted = knowledge(data.path())?;
    let collection = restarted.found("policies")?.collection;
    let index = restarted.lexical(&collection)?;
    let hits = index.search("flights portal", &Filters::default(), 5)?;
    assert_eq!(
        hits.first().map(|h| h.document.as_str()),
        Some("travel.md"),
        "{hits:?}"
    );
    Ok(())
}
