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
    use lopdf::content::{Content, Operation};
    use lopdf::{Object, Stream, dictionary};

    use super::*;

    /// A PDF with one page per entry, each showing its lines of text (none: a page with no text
    /// layer, as a scan has).
    fn pdf(pages: &[&[&str]]) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
        let mut kids = Vec::new();
        for lines in pages {
            let mut operations = Vec::new();
            for (index, line) in lines.iter().enumerate() {
                operations.extend([
                    Operation::new("BT", vec![]),
                    Operation::new("Tf", vec!["F1".into(), 12.into()]),
                    Operation::new("Td", vec![72.into(), (700 - 20 * index as i64).into()]),
                    Operation::new("Tj", vec![Object::string_literal(*line)]),
                    Operation::new("ET", vec![]),
                ]);
            }
            let content = Content { operations }.encode().unwrap_or_default();
            let content = doc.add_object(Stream::new(dictionary! {}, content));
            kids.push(Object::from(doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            })));
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap_or_else(|e| panic!("{e}"));
        bytes
    }

    fn texts(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| match b {
                Block::Page(n) => format!("page {n}"),
                Block::Paragraph(text) => text.trim().to_owned(),
                Block::Heading { text, .. } => format!("# {text}"),
            })
            .collect()
    }

    #[test]
    fn each_page_s_text_follows_its_page_marker() -> Result<(), FormatError> {
        let blocks = read(&pdf(&[
            &["Annual leave is twenty-five days."],
            &["Travel by train."],
        ]))?;
        let texts = texts(&blocks);
        assert_eq!(texts[0], "page 1");
        assert!(
            texts[1].contains("Annual leave is twenty-five days."),
            "{texts:?}"
        );
        assert_eq!(texts[2], "page 2");
        assert!(texts[3].contains("Travel by train."), "{texts:?}");
        Ok(())
    }

    #[test]
    fn scans_and_non_pdfs_are_refused_saying_why() {
        assert_eq!(read(&pdf(&[&[], &[]])), Err(FormatError::NoTextLayer));
        assert!(matches!(
            read(b"%PDF-1.5 broken"),
            Err(FormatError::BadPdf(_))
        ));
        assert!(matches!(read(b"hello"), Err(FormatError::BadPdf(_))));
    }
}
