//! Reading an uploaded file into headings, paragraphs and pages: plain text, Markdown, HTML and
//! PDF (its text layer). Anything else is refused by name, before anything is stored.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// A piece of a document's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading at `level` (1 is the outermost).
    Heading {
        /// 1–6.
        level: u8,
        /// Its text.
        text: String,
    },
    /// A paragraph, list item, table row or code block: text that belongs together.
    Paragraph(String),
    /// Page `n` (from 1) of a paged format starts here.
    Page(u64),
}

/// The formats a document may be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `text/plain`: paragraphs separated by blank lines.
    Text,
    /// `text/markdown` (CommonMark).
    Markdown,
    /// `text/html`: headings and block elements; scripts, styles and navigation left out.
    Html,
    /// `application/pdf`: the text layer, page by page.
    Pdf,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// Neither its type nor its name says a supported format.
    #[error(
        "its type is {0}, which cannot be read: upload plain text (.txt), Markdown (.md), HTML (.html) or PDF (.pdf)"
    )]
    Unsupported(String),
    /// It is not UTF-8.
    #[error(
        "it is not UTF-8 text (the first bad byte is at offset {0}): save it as UTF-8 and upload it again"
    )]
    NotUtf8(usize),
    /// It holds NUL bytes: a binary file under a text name.
    #[error("it holds NUL bytes, so it is not a text file (is it a binary file renamed?)")]
    Binary,
    /// It has no words.
    #[error("it has no text to search")]
    Empty,
    /// A PDF that needs a password.
    #[error("it is an encrypted PDF: save a copy without a password and upload that")]
    Encrypted,
    /// A PDF with pages but no text on them.
    #[error(
        "it is a PDF without a text layer (a scan?): run it through text recognition (OCR) first"
    )]
    NoTextLayer,
    /// Not a PDF that can be read.
    #[error("it is not a readable PDF ({0})")]
    BadPdf(String),
}

impl Format {
    /// The format of `file_name` sent as `content_type`: a declared text type wins, else the
    /// file's extension.
    pub fn detect(file_name: &str, content_type: Option<&str>) -> Result<Self, FormatError> {
        let declared = content_type
            .map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|t| !t.is_empty() && t != "application/octet-stream");
        match declared.as_deref() {
            Some("text/markdown" | "text/x-markdown") => return Ok(Self::Markdown),
            Some("text/html" | "application/xhtml+xml") => return Ok(Self::Html),
            Some("application/pdf") => return Ok(Self::Pdf),
            Some("text/plain") => {}
            Some(other) => return Err(FormatError::Unsupported(format!("`{other}`"))),
            None => {}
        }
        let extension = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase());
        match extension.as_deref() {
            Some("md" | "markdown") => Ok(Self::Markdown),
            Some("txt" | "text") => Ok(Self::Text),
            Some("html" | "htm" | "xhtml") => Ok(Self::Html),
            Some("pdf") => Ok(Self::Pdf),
            _ if declared.is_some() => Ok(Self::Text),
            Some(other) => Err(FormatError::Unsupported(format!(
                "unknown (`.{other}` file)"
            ))),
            None => Err(FormatError::Unsupported(
                "unknown (no type was sent and the name has no extension)".to_owned(),
            )),
        }
    }

    /// Its media type, as recorded.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Text => "text/plain",
            Self::Markdown => "text/markdown",
            Self::Html => "text/html",
            Self::Pdf => "application/pdf",
        }
    }

    /// Read `bytes` into blocks.
    pub fn read(self, bytes: &[u8]) -> Result<Vec<Block>, FormatError> {
        if self == Self::Pdf {
            return super::pdf::read(bytes);
        }
        if bytes.contains(&0) {
            return Err(FormatError::Binary);
        }
        let text = std::str::from_utf8(bytes).map_err(|e| FormatError::NotUtf8(e.valid_up_to()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let blocks = match self {
            Self::Text => plain_text(text),
            Self::Markdown => markdown(text),
            Self::Html => super::html::read(text),
            Self::Pdf => Vec::new(),
        };
        if !has_words(&blocks) {
            return Err(FormatError::Empty);
        }
        Ok(blocks)
    }
}

/// Whether any paragraph has text.
pub fn has_words(blocks: &[Block]) -> bool {
    blocks
        .iter()
        .any(|b| matches!(b, Block::Paragraph(text) if !text.trim().is_empty()))
}

/// Paragraphs between blank lines, each paragraph's lines joined.
pub fn plain_text(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            flush(&mut current, &mut blocks);
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    flush(&mut current, &mut blocks);
    blocks
}

/// End the paragraph in `current`, if it has text.
pub fn flush(current: &mut String, blocks: &mut Vec<Block>) {
    let text = current.trim();
    if !text.is_empty() {
        blocks.push(Block::Paragraph(text.to_owned()));
    }
    current.clear();
}

fn markdown(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut heading: Option<(u8, String)> = None;
    for event in Parser::new(text) {
        let target = match &mut heading {
            Some((_, text)) => text,
            None => &mut current,
        };
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut current, &mut blocks);
                heading = Some((level as u8, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let text = text.trim().to_owned();
                    if !text.is_empty() {
                        blocks.push(Block::Heading { level, text });
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                target.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => target.push(' '),
            Event::End(TagEnd::TableCell) => target.push_str(" | "),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::CodeBlock
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_)
                | TagEnd::HtmlBlock,
            ) => flush(&mut current, &mut blocks),
            _ => {}
        }
    }
    flush(&mut current, &mut blocks);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_its_headings_and_paragraphs() -> Result<(), FormatError> {
        let blocks = Format::Markdown.read(
            "# Leave\n\nStaff get *25 days*.\nPer year.\n\n## Carry-over\n\n- up to 5 days\n- by March\n\n```\ncode here\n```\n"
                .as_bytes(),
        )?;
        assert_eq!(
            blocks,
            vec![
                Block::Heading {
                    level: 1,
                    text: "Leave".into()
                },
                Block::Paragraph("Staff get 25 days. Per year.".into()),
                Block::Heading {
                    level: 2,
                    text: "Carry-over".into()
                },
                Block::Paragraph("up to 5 days".into()),
                Block::Paragraph("by March".into()),
                Block::Paragraph("code here".into()),
            ]
        );
        Ok(())
    }

    #[test]
    fn plain_text_is_paragraphs_between_blank_lines() -> Result<(), FormatError> {
        let blocks = Format::Text.read(b"\xef\xbb\xbfone\ntwo\n\n\nthree\n")?;
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph("one two".into()),
                Block::Paragraph("three".into())
            ]
        );
        Ok(())
    }

    #[test]
    fn what_cannot_be_read_is_refused_with_the_reason() {
        assert_eq!(
            Format::Text.read(b"ok \xff no"),
            Err(FormatError::NotUtf8(3))
        );
        assert_eq!(Format::Text.read(b"a\0b"), Err(FormatError::Binary));
        assert_eq!(
            Format::Markdown.read(b"# Only a title\n"),
            Err(FormatError::Empty)
        );
        assert!(matches!(
            Format::detect("budget.xlsx", Some("application/vnd.ms-excel")),
            Err(FormatError::Unsupported(_))
        ));
        assert_eq!(Format::detect("report.pdf", None), Ok(Format::Pdf));
        assert_eq!(
            Format::detect("page", Some("text/html; charset=utf-8")),
            Ok(Format::Html)
        );
        assert!(matches!(
            Format::detect("photo.png", None),
            Err(FormatError::Unsupported(_))
        ));
        assert_eq!(Format::detect("notes.MD", None), Ok(Format::Markdown));
        assert_eq!(
            Format::detect("notes", Some("text/plain; charset=utf-8")),
            Ok(Format::Text)
        );
        assert_eq!(
            Format::detect("a.md", Some("application/octet-stream")),
            Ok(Format::Markdown)
        );
    }
}
