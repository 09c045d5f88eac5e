//! Cutting a document into passages for search: a passage never crosses a heading (or a page
//! of a paged format), is cut between paragraphs or sentences (words only when one sentence is
//! too long), stays within a token budget, and starts with the last sentences of the passage
//! before it (the overlap), so an answer that straddles a cut is still found in one piece.

use unicode_segmentation::UnicodeSegmentation;

use super::formats::Block;

/// How big passages are, in tokens (estimated at four characters each, the usual rule for
/// English text and today's tokenizers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// At most this many tokens per passage.
    pub tokens: usize,
    /// Up to this many tokens of the passage before are repeated.
    pub overlap: usize,
}

/// A passage, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Its text.
    pub text: String,
    /// The headings it sits under, outermost first.
    pub heading_path: Vec<String>,
    /// The page it starts on, for paged formats.
    pub page: Option<u64>,
}

/// The estimated tokens of `text`.
pub fn tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// A sentence (or a piece of one), and whether it starts a paragraph.
struct Unit {
    text: String,
    starts_paragraph: bool,
    page: Option<u64>,
}

/// Cut `blocks` into passages within `budget`.
pub fn chunk(blocks: &[Block], budget: Budget) -> Vec<Passage> {
    let mut passages = Vec::new();
    let mut headings: Vec<(u8, String)> = Vec::new();
    let mut section: Vec<Unit> = Vec::new();
    let mut page = None;
    for block in blocks {
        match block {
            // A passage stays on one page, so that a citation's page is where its text is.
            Block::Page(number) => {
                cut_section(&section, &headings, budget, &mut passages);
                section.clear();
                page = Some(*number);
            }
            Block::Heading { level, text } => {
                cut_section(&section, &headings, budget, &mut passages);
                section.clear();
                while headings.last().is_some_and(|(l, _)| l >= level) {
                    headings.pop();
                }
                headings.push((*level, text.clone()));
            }
            Block::Paragraph(text) => {
                let mut first = true;
                for sentence in text.split_sentence_bounds() {
                    let sentence = sentence.trim();
                    if sentence.is_empty() {
                        continue;
                    }
                    for piece in within(sentence, budget.tokens) {
                        section.push(Unit {
                            text: piece,
                            starts_paragraph: first,
                            page,
                        });
                        first = false;
                    }
                }
            }
        }
    }
    cut_section(&section, &headings, budget, &mut passages);
    passages
}

/// `sentence` as is, or cut between words into pieces within `limit` tokens.
fn within(sentence: &str, limit: usize) -> Vec<String> {
    if tokens(sentence) <= limit {
        return vec![sentence.to_owned()];
    }
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for word in sentence.split_whitespace() {
        // A single "word" longer than the budget (a URL, a hash) is cut by characters.
        let mut word = word;
        while tokens(word) > limit {
            let cut = word
                .char_indices()
                .nth(limit * 4)
                .map_or(word.len(), |(at, _)| at);
            if !piece.is_empty() {
                pieces.push(std::mem::take(&mut piece));
            }
            pieces.push(word[..cut].to_owned());
            word = &word[cut..];
        }
        if word.is_empty() {
            continue;
        }
        if !piece.is_empty() && tokens(&piece) + 1 + tokens(word) > limit {
            pieces.push(std::mem::take(&mut piece));
        }
        if !piece.is_empty() {
            piece.push(' ');
        }
        piece.push_str(word);
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

fn cut_section(
    units: &[Unit],
    headings: &[(u8, String)],
    budget: Budget,
    passages: &mut Vec<Passage>,
) {
    let heading_path: Vec<String> = headings.iter().map(|(_, t)| t.clone()).collect();
    let mut start = 0;
    while start < units.len() {
        // Take units while they fit (always at least one).
        let mut end = start;
        let mut used = 0;
        while end < units.len() {
            let cost = tokens(&units[end].text) + 1;
            if end > start && used + cost > budget.tokens {
                break;
            }
            used += cost;
            end += 1;
        }
        passages.push(Passage {
            text: join(&units[start..end]),
            heading_path: heading_path.clone(),
            page: units[start].page,
        });
        if end == units.len() {
            break;
        }
        // The next passage repeats the last whole units that fit in the overlap, but always
        // moves forward.
        let mut next = end;
        let mut repeated = 0;
        while next > start + 1 {
            let cost = tokens(&units[next - 1].text) + 1;
            if repeated + cost > budget.overlap {
                break;
            }
            repeated += cost;
            next -= 1;
        }
        start = next;
    }
}

fn join(units: &[Unit]) -> String {
    let mut text = String::new();
    for (index, unit) in units.iter().enumerate() {
        if index > 0 {
            text.push_str(if unit.starts_paragraph { "\n\n" } else { " " });
        }
        text.push_str(&unit.text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraph(text: &str) -> Block {
        Block::Paragraph(text.to_owned())
    }

    fn heading(level: u8, text: &str) -> Block {
        Block::Heading {
            level,
            text: text.to_owned(),
        }
    }

    #[test]
    fn passages_stay_under_their_headings() {
        let blocks = [
            heading(1, "Handbook"),
            paragraph("Welcome."),
            heading(2, "Leave"),
            paragraph("Staff get 25 days."),
            heading(2, "Travel"),
            paragraph("Book through the portal."),
        ];
        let passages = chunk(
            &blocks,
            Budget {
                tokens: 100,
                overlap: 10,
            },
        );
        let paths: Vec<(String, Vec<String>)> = passages
            .into_iter()
            .map(|p| (p.text, p.heading_path))
            .collect();
        assert_eq!(
            paths,
            vec![
                ("Welcome.".into(), vec!["Handbook".into()]),
                (
                    "Staff get 25 days.".into(),
                    vec!["Handbook".into(), "Leave".into()]
                ),
                (
                    "Book through the portal.".into(),
                    vec!["Handbook".into(), "Travel".into()]
                ),
            ]
        );
    }

    #[test]
    fn long_sections_are_cut_between_sentences_with_overlap_and_within_budget() {
        let sentences: Vec<String> = (0..40)
            .map(|i| format!("Sentence number {i} says something."))
            .collect();
        let blocks = [paragraph(&sentences.join(" "))];
        let budget = Budget {
            tokens: 40,
            overlap: 10,
        };
        let passages = chunk(&blocks, budget);
        assert!(passages.len() > 5, "{passages:?}");
        for pair in passages.windows(2) {
            assert!(tokens(&pair[0].text) <= budget.tokens, "{:?}", pair[0]);
            // Each passage ends with a whole sentence, and the next begins with that sentence.
            let last = pair[0]
                .text
                .rsplit(". ")
                .next()
                .unwrap_or_default()
                .to_owned();
            assert!(pair[0].text.ends_with('.'));
            assert!(
                pair[1].text.starts_with(last.trim_end_matches('.')),
                "{pair:?}"
            );
        }
        // Every sentence is in some passage.
        for sentence in &sentences {
            assert!(passages.iter().any(|p| p.text.contains(sentence.as_str())));
        }
    }

    #[test]
    fn passages_of_a_paged_document_stay_on_their_page() {
        let blocks = [
            Block::Page(1),
            paragraph("Security handbook."),
            Block::Page(2),
            paragraph("Badges must be worn."),
        ];
        let passages = chunk(
            &blocks,
            Budget {
                tokens: 100,
                overlap: 10,
            },
        );
        let pages: Vec<(String, Option<u64>)> =
            passages.into_iter().map(|p| (p.text, p.page)).collect();
        assert_eq!(
            pages,
            [
                ("Security handbook.".to_owned(), Some(1)),
                ("Badges must be worn.".to_owned(), Some(2))
            ]
        );
    }

    #[test]
    fn a_sentence_longer_than_the_budget_is_cut_between_words() {
        let long = vec!["word"; 200].join(" ");
        let passages = chunk(
            &[paragraph(&long)],
            Budget {
                tokens: 32,
                overlap: 0,
            },
        );
        assert!(passages.len() >= 6);
        assert!(passages.iter().all(|p| tokens(&p.text) <= 32));
        let words: usize = passages.iter().map(|p| p.text.split(' ').count()).sum();
        assert_eq!(words, 200);
    }
}
