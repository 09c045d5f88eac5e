//! `pii_redactor`: replace personal data in text with typed placeholders, and say what was
//! found (kind, character span, counts) without ever repeating the values.

mod checks;
mod detect;

use std::collections::BTreeMap;

use detect::{Finding, Kind};
use praximous_skill::{Reply, Request, Skill, SkillError, export_skill, json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Params {
    text: Option<String>,
    types: Option<Vec<String>>,
}

fn kinds(requested: Option<Vec<String>>) -> Result<Vec<Kind>, SkillError> {
    let Some(names) = requested else {
        return Ok(Kind::ALL.to_vec());
    };
    names
        .iter()
        .map(|name| {
            Kind::parse(name).ok_or_else(|| {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                SkillError::bad_input("Input error").with_details(format!(
                    "Unknown type '{name}' in 'types'; known types: {}.",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// The text with each finding replaced, and each finding's span in characters (as Python
/// and JavaScript index strings) of the original text.
fn redact(text: &str, findings: &[Finding]) -> (String, Vec<serde_json::Value>) {
    let mut redacted = String::with_capacity(text.len());
    let mut spans = Vec::with_capacity(findings.len());
    let (mut copied_to, mut chars_before) = (0, 0);
    for finding in findings {
        let gap = &text[copied_to..finding.start];
        redacted.push_str(gap);
        redacted.push_str(finding.kind.placeholder());
        let start = chars_before + gap.chars().count();
        let end = start + text[finding.start..finding.end].chars().count();
        spans.push(json!({
            "type": finding.kind.name(),
            "start": start,
            "end": end,
            "placeholder": finding.kind.placeholder(),
        }));
        (copied_to, chars_before) = (finding.end, end);
    }
    redacted.push_str(&text[copied_to..]);
    (redacted, spans)
}

struct PiiRedactor;

impl Skill for PiiRedactor {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let kinds = kinds(request.params.types)?;
        let text = request.params.text.unwrap_or(request.prompt);
        if text.is_empty() {
            return Err(SkillError::bad_input("Input error")
                .with_details("There is no text to redact: send it as 'prompt' or 'text'."));
        }
        let findings = detect::find(&text, &kinds);
        let (redacted, spans) = redact(&text, &findings);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for finding in &findings {
            *counts.entry(finding.kind.name()).or_default() += 1;
        }
        let message = match findings.len() {
            0 => "No personal data found.".to_owned(),
            1 => "Redacted 1 item of personal data.".to_owned(),
            n => format!("Redacted {n} items of personal data."),
        };
        Ok(Reply::data(json!({
            "redacted_text": redacted,
            "findings": spans,
            "counts": counts,
            "total": findings.len(),
        }))
        .with_message(message))
    }
}

export_skill!(PiiRedactor);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_characters_and_placeholders_replace_findings() {
        let text = "Émile: émile@example.fr, 192.168.0.1";
        let findings = detect::find(text, &Kind::ALL);
        let (redacted, spans) = redact(text, &findings);
        assert_eq!(redacted, "Émile: [EMAIL], [IPV4]");
        assert_eq!(spans[0]["start"], 7);
        assert_eq!(spans[0]["end"], 23);
        assert_eq!(spans[1]["start"], 25);
        assert_eq!(spans[1]["end"], 36);
    }
}
