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
    let facts = FileFacts {
        file_name: "leave.md".into(),
        ..FileFacts::default()
    };
    let prepared = first.prepare(&facts, LEAVE.as_bytes())?;
    first.add("policies", vec![prepared]).await?;
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
