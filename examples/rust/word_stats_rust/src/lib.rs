//! `word_stats_rust`: word, sentence and character counts of the prompt, and its most
//! frequent words. A Praximous Smart Skill in Rust; `prax skill build` builds it.

use std::collections::BTreeMap;

use praximous_skill::{Reply, Request, Skill, SkillError, Value, export_skill, host, json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    top: Option<Value>,
}

/// Maximal runs of letters, digits and apostrophes.
fn words_of(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|word| !word.is_empty())
        .collect()
}

/// Runs of sentence-ending punctuation; a text without any is one sentence.
fn sentences_of(text: &str) -> usize {
    let mut runs = 0;
    let mut inside = false;
    for c in text.chars() {
        let ends = matches!(c, '.' | '!' | '?');
        if ends && !inside {
            runs += 1;
        }
        inside = ends;
    }
    runs.max(1)
}

struct WordStats;

impl Skill for WordStats {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let top = match request.params.top {
            None => 5,
            Some(Value::Number(n)) => n.as_u64().filter(|n| (1..=50).contains(n)).unwrap_or(0),
            Some(_) => 0,
        };
        if top == 0 {
            return Err(SkillError::bad_input("Input error")
                .with_details("'top' must be a whole number from 1 to 50."));
        }
        let words = words_of(&request.prompt);
        if words.is_empty() {
            return Err(SkillError::bad_input("Input error")
                .with_details("The prompt has no words to count."));
        }
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for word in &words {
            *counts.entry(word.to_lowercase()).or_default() += 1;
        }
        let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
        ranked.sort_by(|(a, m), (b, n)| n.cmp(m).then_with(|| a.cmp(b)));
        ranked.truncate(top as usize);
        let letters: usize = words.iter().map(|w| w.chars().count()).sum();
        host::log_info(&format!("counted {} words", words.len()));
        Ok(Reply::data(json!({
            "words": words.len(),
            "characters": request.prompt.chars().count(),
            "sentences": sentences_of(&request.prompt),
            "average_word_length": letters as f64 / words.len() as f64,
            "top_words": ranked.iter().map(|(word, count)| json!({"word": word, "count": count})).collect::<Vec<_>>(),
            "language": "rust",
        }))
        .with_message(format!("Counted {} words.", words.len())))
    }
}

export_skill!(WordStats);
