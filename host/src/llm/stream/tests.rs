//! Each provider's streaming format, from real transcripts, cut at every byte and truncated.

use futures_util::StreamExt as _;

use super::anthropic_sse::AnthropicEvents;
use super::gemini_sse::GeminiEvents;
use super::ollama_ndjson::OllamaLines;
use super::openai_sse::OpenAiEvents;
use super::sse::Sse;
use super::{WireFormat, decode};
use crate::llm::client::StreamEvent;
use crate::llm::provider::{FinishReason, ProviderError};

const OPENAI: &str = include_str!("fixtures/openai.sse");
const ANTHROPIC: &str = include_str!("fixtures/anthropic.sse");
const GEMINI: &str = include_str!("fixtures/gemini.sse");
const OLLAMA: &str = include_str!("fixtures/ollama.ndjson");

fn run<F: WireFormat>(format: F, chunks: Vec<Vec<u8>>) -> Vec<Result<StreamEvent, ProviderError>> {
    let body = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, ProviderError>));
    let events = decode(body, format, "asked-for".into()).collect::<Vec<_>>();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map(|runtime| runtime.block_on(events))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The text of the deltas, and the final event.
fn outcome(
    events: &[Result<StreamEvent, ProviderError>],
) -> (String, Option<&Result<StreamEvent, ProviderError>>) {
    let text = events
        .iter()
        .filter_map(|e| match e {
            Ok(StreamEvent::Delta(t)) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    (text, events.last())
}

fn check_whole<F: WireFormat>(make: impl Fn() -> F, transcript: &str, model: &str) {
    let bytes = transcript.as_bytes();
    // Every cut into two chunks, and one cut into single bytes.
    let mut splits: Vec<Vec<Vec<u8>>> = (0..=bytes.len())
        .map(|at| vec![bytes[..at].to_vec(), bytes[at..].to_vec()])
        .collect();
    splits.push(bytes.iter().map(|b| vec![*b]).collect());
    for chunks in splits {
        let events = run(make(), chunks);
        let (text, last) = outcome(&events);
        assert_eq!(text, "Héllo wörld 😀");
        match last {
            Some(Ok(StreamEvent::Done(done))) => {
                assert_eq!(done.text, "Héllo wörld 😀");
                assert_eq!(done.model, model);
                assert_eq!(done.finish_reason, FinishReason::Stop);
                assert_eq!(done.usage.input_tokens, Some(9));
                assert_eq!(done.usage.output_tokens, Some(3));
            }
            other => panic!("expected Done, got {other:?}"),
        }
    }
}

/// Cut the transcript just before the last `marker`: the answer must be incomplete, never done.
fn check_truncated<F: WireFormat>(make: impl Fn() -> F, transcript: &str, marker: &str) {
    let end = transcript
        .rfind(marker)
        .unwrap_or_else(|| panic!("{marker} not in the transcript"));
    let events = run(make(), vec![transcript.as_bytes()[..end].to_vec()]);
    let (text, last) = outcome(&events);
    assert!(!text.is_empty(), "the text before the cut was delivered");
    assert!(
        matches!(last, Some(Err(ProviderError::Incomplete(_)))),
        "cut before {marker}: {last:?}"
    );
}

#[test]
fn openai_chunks_end_only_at_done() {
    check_whole(Sse::<OpenAiEvents>::default, OPENAI, "gpt-4o-mini-2024");
    check_truncated(Sse::<OpenAiEvents>::default, OPENAI, "data: [DONE]");
}

#[test]
fn anthropic_events_end_only_at_message_stop() {
    check_whole(
        Sse::<AnthropicEvents>::default,
        ANTHROPIC,
        "claude-sonnet-4-5",
    );
    check_truncated(
        Sse::<AnthropicEvents>::default,
        ANTHROPIC,
        "event: message_stop",
    );
}

#[test]
fn gemini_chunks_end_only_after_a_finish_reason() {
    check_whole(Sse::<GeminiEvents>::default, GEMINI, "gemini-2.0-flash");
    check_truncated(Sse::<GeminiEvents>::default, GEMINI, "data:");
}

#[test]
fn ollama_lines_end_only_at_done() {
    check_whole(OllamaLines::default, OLLAMA, "llama3.2");
    check_truncated(
        OllamaLines::default,
        OLLAMA,
        "{\"model\":\"llama3.2\",\"created_at\":\"2026-12-06T05:00:01Z\"",
    );
}

#[test]
fn errors_inside_a_stream_are_errors() {
    let openai = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {\"error\":{\"message\":\"overloaded\"}}\n\n";
    let events = run(
        Sse::<OpenAiEvents>::default(),
        vec![openai.as_bytes().to_vec()],
    );
    assert!(matches!(events.last(), Some(Err(ProviderError::StreamError(m))) if m == "overloaded"));
    let anthropic = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    let events = run(
        Sse::<AnthropicEvents>::default(),
        vec![anthropic.as_bytes().to_vec()],
    );
    assert!(
        matches!(events.last(), Some(Err(ProviderError::StreamError(m))) if m.contains("Overloaded"))
    );
    let ollama =
        "{\"message\":{\"content\":\"Hi\"},\"done\":false}\n{\"error\":\"model crashed\"}\n";
    let events = run(OllamaLines::default(), vec![ollama.as_bytes().to_vec()]);
    assert!(matches!(
        events.last(),
        Some(Err(ProviderError::StreamError(_)))
    ));
    let filtered = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"content_filter\"}]}\n\n";
    let events = run(
        Sse::<OpenAiEvents>::default(),
        vec![filtered.as_bytes().to_vec()],
    );
    assert!(matches!(
        events.last(),
        Some(Err(ProviderError::ContentFiltered(_)))
    ));
}
