//! HTML into headings and paragraphs: `h1`-`h6` are headings, block elements (paragraphs, list
//! items, table rows, quotes, preformatted text) end a paragraph, and what a reader never sees
//! as text (scripts, styles, templates, navigation and forms) is left out.

use scraper::{ElementRef, Html, Node};

use super::formats::{Block, flush};

/// Elements whose content is not the document's text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "nav", "form", "svg", "iframe", "button",
    "select", "textarea",
];

/// Elements that end the paragraph before and after them.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "footer",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "tr",
    "table",
    "thead",
    "tbody",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "br",
    "hr",
    "address",
    "details",
    "summary",
];

/// The blocks of an HTML document.
pub fn read(text: &str) -> Vec<Block> {
    let document = Html::parse_document(text);
    let mut blocks = Vec::new();
    let mut current = String::new();
    walk(document.root_element(), &mut current, &mut blocks);
    end_paragraph(&mut current, &mut blocks);
    blocks
}

/// Text as a reader sees it: runs of whitespace are one space.
fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn end_paragraph(current: &mut String, blocks: &mut Vec<Block>) {
    let mut text = collapsed(current);
    flush(&mut text, blocks);
    current.clear();
}

fn heading_level(name: &str) -> Option<u8> {
    let level = name.strip_prefix('h')?.parse::<u8>().ok()?;
    (1..=6).contains(&level).then_some(level)
}

fn walk(element: ElementRef<'_>, current: &mut String, blocks: &mut Vec<Block>) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => current.push_str(text),
            Node::Element(value) => {
                let Some(child) = ElementRef::wrap(child) else {
                    continue;
                };
                let name = value.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                if let Some(level) = heading_level(name) {
                    end_paragraph(current, blocks);
                    let text = collapsed(&child.text().collect::<String>());
                    if !text.is_empty() {
                        blocks.push(Block::Heading { level, text });
                    }
                } else if name == "td" || name == "th" {
                    if !current.trim().is_empty() {
                        current.push_str(" | ");
                    }
                    walk(child, current, blocks);
                } else if BLOCKS.contains(&name) {
                    end_paragraph(current, blocks);
                    walk(child, current, blocks);
                    end_paragraph(current, blocks);
                } else {
                    walk(child, current, blocks);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_blocks_are_kept_and_what_is_not_text_is_left_out() {
        let blocks = read(
            "<html><head><title>T</title><style>p{}</style></head><body>\
             <nav><a href='/'>Home</a></nav>\
             <h1>Leave <em>policy</em></h1>\
             <p>Staff get <b>25</b> days.\n  Per year.</p>\
             <script>var x = 1;</script>\
             <ul><li>Carry over 5</li><li>By March</li></ul>\
             <table><tr><td>Grade</td><td>Days</td></tr></table>\
             </body></html>",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Heading {
                    level: 1,
                    text: "Leave policy".into()
                },
                Block::Paragraph("Staff get 25 days. Per year.".into()),
                Block::Paragraph("Carry over 5".into()),
                Block::Paragraph("By March".into()),
                Block::Paragraph("Grade | Days".into()),
            ]
        );
    }
}
