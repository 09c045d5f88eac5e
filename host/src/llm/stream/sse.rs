//! Server-Sent Events, as the HTML standard defines them: `event:` and `data:` fields (several
//! `data:` lines joined by `\n`), comments (`:` keep-alives) ignored, a blank line ends an event.

use super::lines::{LineDecoder, LineTooLong};

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
