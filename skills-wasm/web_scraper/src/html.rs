//! What the skill reads out of a page: its visible text, the text of elements matching a CSS
//! selector, and its links, with the Python original's whitespace rules (BeautifulSoup's
//! `get_text(strip=True)`: every text node stripped, empty ones dropped).

use praximous_skill::Url;
use scraper::{ElementRef, Html, Node, Selector};

/// Elements whose content is not text a reader sees.
const INVISIBLE: &[&str] = &["script", "style"];

/// Every text node outside `<script>` and `<style>`, stripped, joined by one space.
pub fn visible_text(document: &Html) -> String {
    let mut parts = Vec::new();
    for node in document.root_element().descendants() {
        let Node::Text(text) = node.value() else {
            continue;
        };
        let hidden = node.ancestors().any(|ancestor| {
            ancestor
                .value()
                .as_element()
                .is_some_and(|e| INVISIBLE.contains(&e.name()))
        });
        let text = text.trim();
        if !hidden && !text.is_empty() {
            parts.push(text);
        }
    }
    parts.join(" ")
}

/// An element's text nodes, each stripped, joined with `separator`.
fn element_text(element: ElementRef<'_>, separator: &str) -> String {
    element
        .text()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(separator)
}

/// The text of every element matching `selector`, in document order.
pub fn select_text(document: &Html, selector: &Selector) -> Vec<String> {
    document
        .select(selector)
        .map(|element| element_text(element, ""))
        .collect()
}

/// A link on the page.
pub struct Link {
    /// The link's text.
    pub text: String,
    /// Its target, resolved against the page's URL.
    pub href: String,
}

/// Every `<a href>` whose target resolves to a URL, in document order.
pub fn links(document: &Html, base: &Url) -> Vec<Link> {
    let Ok(anchors) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    document
        .select(&anchors)
        .filter_map(|anchor| {
            let href = anchor.value().attr("href")?;
            let target = base.join(href.trim()).ok()?;
            Some(Link {
                text: element_text(anchor, " "),
                href: target.into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html><head><title>Catalogue</title>
        <style>body { color: red }</style><script>var secret = 1;</script></head>
        <body><h1>  Widgets  </h1><p class="item">First <b>one</b></p>
        <p class="item">Second</p><!-- a comment -->
        <a href="/about">About   us</a> <a href="https://other.example/x?q=1">Other</a>
        <a href="mailto:sales@example.com">Mail</a><a>no href</a></body></html>"#;

    #[test]
    fn visible_text_leaves_out_scripts_styles_and_comments() {
        let text = visible_text(&Html::parse_document(PAGE));
        assert_eq!(
            text,
            "Catalogue Widgets First one Second About   us Other Mail no href"
        );
    }

    #[test]
    fn selected_elements_give_their_stripped_text() {
        let document = Html::parse_document(PAGE);
        let selector = Selector::parse("p.item").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(select_text(&document, &selector), ["Firstone", "Second"]);
    }

    #[test]
    fn links_are_resolved_against_the_page() {
        let base =
            Url::parse("http://shop.example/products/list.html").unwrap_or_else(|e| panic!("{e}"));
        let found = links(&Html::parse_document(PAGE), &base);
        let pairs: Vec<(&str, &str)> = found
            .iter()
            .map(|l| (l.text.as_str(), l.href.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("About   us", "http://shop.example/about"),
                ("Other", "https://other.example/x?q=1"),
                ("Mail", "mailto:sales@example.com"),
            ]
        );
    }
}
