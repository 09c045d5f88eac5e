//! A PDF's text layer, page by page (lopdf). An encrypted PDF, one without any text (a scan)
//! and one that does not parse are refused, each saying what to do.

use lopdf::Document;

use super::formats::{Block, FormatError, has_words, plain_text};

/// The blocks of a PDF: each page's paragraphs after a [`Block::Page`].
pub fn read(bytes: &[u8]) -> Result<Vec<Block>, FormatError> {
    if !bytes.starts_with(b"%PDF-") {
        return Err(FormatError::BadPdf(
            "it does not start with %PDF-".to_owned(),
        ));
    }
    let document = match Document::load_mem(bytes) {
        Ok(document) => document,
        Err(lopdf::Error::Decryption(_)) => return Err(FormatError::Encrypted),
        Err(error) => return Err(FormatError::BadPdf(error.to_string())),
    };
    if document.is_encrypted() {
        return Err(FormatError::Encrypted);
    }
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    if pages.is_empty() {
        return Err(FormatError::BadPdf("it has no pages".to_owned()));
    }
    let mut blocks = Vec::new();
    for page in pages {
        // A page whose text cannot be decoded (an unusual font encoding) adds nothing; the
        // others still count.
        let Ok(text) = document.extract_text(&[page]) else {
            continue;
        };
        blocks.push(Block::Page(u64::from(page)));
        blocks.extend(plain_text(&text));
    }
    if !has_words(&blocks) {
        return Err(FormatError::NoTextLayer);
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    // PDFs with a text layer, without one, and in several pages are read end to end in
    // tests/tests/knowledge.rs, which makes them.
    #[test]
    fn what_is_not_a_pdf_is_refused_saying_why() {
        assert!(matches!(
            read(b"%PDF-1.5 broken"),
            Err(FormatError::BadPdf(_))
        ));
        assert!(matches!(read(b"hello"), Err(FormatError::BadPdf(_))));
    }
}
