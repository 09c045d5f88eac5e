//! `internal_summary`: summarise text through the host's `llm` capability. The host adds the
//! system persona to every call; this skill adds only what a summary needs. The summary is the
//! completion itself, so a caller that streams sees it as it is written.

use praximous_skill::host::{self, CompletionRequest};
use praximous_skill::{Reply, Request, Skill, SkillError, export_skill, json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    text: Option<String>,
    max_words: Option<u32>,
    style: Option<String>,
}

/// The instructions for one summary.
fn instructions(max_words: u32, bullets: bool) -> String {
    let shape = if bullets {
        "as a bulleted list of the key points, one line each"
    } else {
        "as one or two short paragraphs"
    };
    format!(
        "Summarise the text the user sends {shape}, in at most {max_words} words. Keep names, \
         figures and dates exact; add nothing the text does not say; answer with the summary only."
    )
}

struct InternalSummary;

impl Skill for InternalSummary {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let Params {
            text,
            max_words,
            style,
        } = request.params;
        let text = text.unwrap_or(request.prompt);
        if text.trim().is_empty() {
            return Err(SkillError::bad_input("Input error")
                .with_details("There is nothing to summarise: send the text as 'prompt'."));
        }
        let max_words = max_words.unwrap_or(150);
        if !(10..=2000).contains(&max_words) {
            return Err(SkillError::bad_input("Input error")
                .with_details("'max_words' must be between 10 and 2000."));
        }
        let bullets = match style.as_deref() {
            None | Some("paragraph") => false,
            Some("bullets") => true,
            Some(other) => {
                return Err(SkillError::bad_input("Input error").with_details(format!(
                    "'style' must be 'paragraph' or 'bullets', not '{other}'."
                )));
            }
        };
        let completion = host::complete_streamed(&CompletionRequest {
            prompt: text,
            system: Some(instructions(max_words, bullets)),
            // Room for the words asked for, in tokens, with a margin.
            max_tokens: Some(max_words.saturating_mul(2).max(64)),
            temperature: Some(0.2),
        })?;
        Ok(Reply::data(json!({
            "summary": completion.text,
            "provider": completion.provider,
            "model": completion.model,
            "finish_reason": completion.finish_reason,
            "usage": {
                "input_tokens": completion.input_tokens,
                "output_tokens": completion.output_tokens,
            },
        }))
        .with_message(format!("Summary by {}", completion.provider)))
    }
}

export_skill!(InternalSummary);
