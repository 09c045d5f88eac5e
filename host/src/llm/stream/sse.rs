//! Server-Sent Events, as the HTML standard defines them: `event:` and `data:` fields (several
//! `data:` lines joined by `\n`), comments (`:` keep-alives) ignored, a blank line ends an event.

use super::lines::{LineDecoder, LineTooLong};
use super::{Transcript, WireFormat};
use crate::llm::provider::ProviderError;

/// One event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `message` when absent.
    pub event: Option<String>,
    /// The `data:` lines, joined.
    pub data: String,
}

/// Turns a byte stream into events, whatever the chunk boundaries.
#[derive(Debug, Default)]
pub struct SseDecoder {
    lines: LineDecoder,
    event: Option<String>,
    data: Option<String>,
}

impl SseDecoder {
    /// Take `chunk`; returns the events it completes.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, LineTooLong> {
        let mut lines = Vec::new();
        self.lines.feed(chunk, |line| lines.push(line.to_owned()))?;
        Ok(lines.iter().filter_map(|line| self.line(line)).collect())
    }

    /// The end of the stream: an event not yet ended by a blank line still counts (some
    /// servers close right after the last `data:` line).
    pub fn finish(&mut self) -> Option<SseEvent> {
        let mut last = None;
        let mut lines = Vec::new();
        self.lines.finish(|line| lines.push(line.to_owned()));
        for line in &lines {
            last = self.line(line).or(last);
        }
        last.or_else(|| self.line(""))
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let data = self.data.take()?;
            return Some(SseEvent {
                event: self.event.take(),
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            _ => {}
        }
        None
    }
}

/// What a provider's SSE events say, one event at a time.
pub trait SseEvents: Send + 'static {
    /// Add what `event` says to `transcript`.
    fn event(&mut self, event: &SseEvent, transcript: &mut Transcript)
    -> Result<(), ProviderError>;

    /// The body has ended, after its last event.
    fn ended(&mut self, transcript: &mut Transcript) {
        let _ = transcript;
    }
}

/// A provider's streaming format carried in Server-Sent Events.
#[derive(Debug, Default)]
pub struct Sse<E> {
    decoder: SseDecoder,
    events: E,
}

impl<E: SseEvents> WireFormat for Sse<E> {
    fn feed(&mut self, chunk: &[u8], transcript: &mut Transcript) -> Result<(), ProviderError> {
        let events = self
            .decoder
            .feed(chunk)
            .map_err(|e| ProviderError::BadResponse(e.to_string()))?;
        events
            .iter()
            .try_for_each(|event| self.events.event(event, transcript))
    }

    fn end(&mut self, transcript: &mut Transcript) -> Result<(), ProviderError> {
        if let Some(event) = self.decoder.finish() {
            self.events.event(&event, transcript)?;
        }
        self.events.ended(transcript);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(chunks: &[&str]) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::default();
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend(decoder.feed(chunk.as_bytes()).unwrap_or_default());
        }
        out.extend(decoder.finish());
        out
    }

    #[test]
    fn fields_comments_and_multi_line_data() {
        let got = events(&[
            ": keep-alive\n\nevent: message_start\ndata: {\"a\":\n",
            "data: 1}\n\ndata:[DONE]\n\n",
        ]);
        assert_eq!(
            got,
            vec![
                SseEvent {
                    event: Some("message_start".into()),
                    data: "{\"a\":\n1}".into()
                },
                SseEvent {
                    event: None,
                    data: "[DONE]".into()
                },
            ]
        );
    }

    #[test]
    fn an_event_cut_off_by_the_end_still_counts() {
        assert_eq!(events(&["data: last"]).len(), 1);
        assert!(events(&[": only a comment\n"]).is_empty());
    }
}
