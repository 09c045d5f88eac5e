//! `sentiment_analyzer`: VADER sentiment scores (compound, pos, neu, neg) and a label for a
//! text, in the Python original's answer shape.

mod lexicon;
mod vader;

use praximous_skill::{Reply, Request, Skill, SkillError, export_skill, json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    operation: Option<String>,
    text: Option<String>,
}

struct SentimentAnalyzer;

impl Skill for SentimentAnalyzer {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let operation = request
            .params
            .operation
            .unwrap_or_else(|| "analyze_sentiment".into())
            .to_lowercase();
        let text = request.params.text.unwrap_or(request.prompt);
        if text.trim().is_empty() {
            return Err(SkillError::bad_input("Input Error")
                .with_details("Text for sentiment analysis cannot be empty."));
        }
        if operation != "analyze_sentiment" {
            return Err(SkillError::bad_input("Unsupported Operation")
                .with_details(format!("Operation '{operation}' is not supported.")));
        }
        let scores = vader::polarity_scores(&text);
        Ok(Reply::data(json!({
            "text": text,
            "scores": {
                "neg": scores.neg,
                "neu": scores.neu,
                "pos": scores.pos,
                "compound": scores.compound,
            },
            "overall_sentiment": scores.label(),
        })))
    }
}

export_skill!(SentimentAnalyzer);
