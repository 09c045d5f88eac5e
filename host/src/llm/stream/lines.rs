//! Bytes to lines, whatever the chunk boundaries: a line is decoded only once its `\n` has
//! arrived, so a chunk that ends mid-line or mid-character loses nothing.

/// Splits a byte stream into lines (without `\n` or a trailing `\r`).
#[derive(Debug, Default)]
pub struct LineDecoder {
    pending: Vec<u8>,
}

/// Longest line accepted: a provider sending more without a newline is broken or hostile.
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// A line longer than [`MAX_LINE_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a line of the stream is longer than {MAX_LINE_BYTES} bytes")]
pub struct LineTooLong;

impl LineDecoder {
    /// Take `chunk`; call `line` for each line it completes, in order.
    pub fn feed(&mut self, chunk: &[u8], mut line: impl FnMut(&str)) -> Result<(), LineTooLong> {
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.pending.extend_from_slice(&rest[..end]);
            rest = &rest[end + 1..];
            if self.pending.last() == Some(&b'\r') {
                self.pending.pop();
            }
            line(&String::from_utf8_lossy(&self.pending));
            self.pending.clear();
        }
        self.pending.extend_from_slice(rest);
        if self.pending.len() > MAX_LINE_BYTES {
            return Err(LineTooLong);
        }
        Ok(())
    }

    /// The end of the stream: a last line without its newline, if any.
    pub fn finish(&mut self, mut line: impl FnMut(&str)) {
        if !self.pending.is_empty() {
            if self.pending.last() == Some(&b'\r') {
                self.pending.pop();
            }
            line(&String::from_utf8_lossy(&self.pending));
            self.pending.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn lines_of(chunks: &[&[u8]]) -> Vec<String> {
        let mut decoder = LineDecoder::default();
        let mut out = Vec::new();
        for chunk in chunks {
            decoder
                .feed(chunk, |l| out.push(l.to_owned()))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        decoder.finish(|l| out.push(l.to_owned()));
        out
    }

    #[test]
    fn a_character_split_across_chunks_arrives_whole() {
        let text = "caf\u{e9} \u{1f600}\r\nnext\n".as_bytes();
        // Split inside the two-byte é and inside the four-byte emoji.
        let (a, rest) = text.split_at(4);
        let (b, c) = rest.split_at(4);
        assert_eq!(lines_of(&[a, b, c]), vec!["caf\u{e9} \u{1f600}", "next"]);
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_lines(text in "([a-z\u{e9}\u{1f600} :]{0,12}(\r?\n)){0,8}[a-z]{0,5}", cuts in proptest::collection::vec(0usize..200, 0..6)) {
            let bytes = text.as_bytes();
            let whole = lines_of(&[bytes]);
            let mut points: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut start = 0;
            for point in points {
                chunks.push(&bytes[start..point]);
                start = point;
            }
            chunks.push(&bytes[start..]);
            prop_assert_eq!(lines_of(&chunks), whole);
        }
    }
}
