//! `web_scraper`: a page's content, its readable text, the text of elements matching a CSS
//! selector, or its links, fetched over `wasi:http` from the hosts the operator allows this
//! skill (`allow_hosts` in `[skills.web_scraper]`), within size and time limits.

mod html;

use praximous_skill::host::setting;
use praximous_skill::http::{self, HttpError, Limits};
use praximous_skill::{Reply, Request, Skill, SkillError, Url, export_skill, json};
use scraper::{Html, Selector};
use serde::Deserialize;

/// How much of the page or its text an answer shows, as in the original.
const PREVIEW_CHARS: usize = 500;
/// How many selected elements an answer lists, as in the original.
const ELEMENTS_PREVIEW: usize = 20;
/// How many links an answer lists.
const LINKS_PREVIEW: usize = 100;

/// Defaults for the operator's settings.
const DEFAULT_MAX_BYTES: usize = 2 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS: u64 = 10_000;
const DEFAULT_USER_AGENT: &str = "Praximous-web_scraper/1.0";
const MAX_REDIRECTS: u8 = 5;

#[derive(Deserialize)]
struct Params {
    operation: Option<String>,
    url: Option<String>,
    selector: Option<String>,
}

fn input_error(details: impl Into<String>) -> SkillError {
    SkillError::bad_input("Input Error").with_details(details.into())
}

/// A numeric operator setting, or its default.
fn number_setting<T: std::str::FromStr>(key: &str, default: T) -> Result<T, SkillError> {
    match setting(key) {
        None => Ok(default),
        Some(text) => text.trim().parse().map_err(|_| {
            SkillError::internal("Skill misconfigured").with_details(format!(
                "The operator setting `{key}` in [skills.web_scraper] is `{text}`, not a positive whole number."
            ))
        }),
    }
}

fn limits() -> Result<Limits, SkillError> {
    Ok(Limits {
        max_bytes: number_setting("max_bytes", DEFAULT_MAX_BYTES)?,
        timeout_ms: number_setting("timeout_ms", DEFAULT_TIMEOUT_MS)?,
        max_redirects: MAX_REDIRECTS,
    })
}

/// A fetched page, or why there is none, in the original's words where it had them.
fn fetch(url: &Url, shown: &str) -> Result<(Url, u16, String), SkillError> {
    let agent = setting("user_agent").unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned());
    let response = http::get(url, &[("user-agent", &agent)], &limits()?).map_err(|error| match error {
        HttpError::Denied { host } => SkillError::denied("Network access denied").with_details(format!(
            "This skill may not fetch from '{host}'. An operator can allow it with `allow_hosts` in the [skills.web_scraper] table of the configuration."
        )),
        prohibited @ HttpError::AddressProhibited { .. } => SkillError::from(prohibited),
        HttpError::TooLarge(limit) => SkillError::bad_input("Page too large").with_details(format!(
            "The page at '{shown}' is larger than {limit} bytes, the limit set for this skill (`max_bytes`)."
        )),
        HttpError::Timeout => SkillError::bad_input("Network Error").with_details(format!(
            "Could not fetch URL '{shown}' in time (`timeout_ms` for this skill)."
        )),
        HttpError::Redirect(problem) => SkillError::bad_input("Network Error")
            .with_details(format!("Could not follow URL '{shown}': {problem}.")),
        HttpError::Network(problem) => SkillError::bad_input("Network Error").with_details(
            format!("Could not connect to URL '{shown}'. Error: {problem}"),
        ),
    })?;
    if response.status >= 400 {
        return Err(SkillError::bad_input("API Error").with_details(format!(
            "Failed to fetch URL '{shown}'. Status: {}",
            response.status
        )));
    }
    let body = response.text();
    Ok((response.url, response.status, body))
}

/// The first `n` characters of `text`, then `...`, as the original shows previews.
fn preview(text: &str, n: usize) -> String {
    let mut shown: String = text.chars().take(n).collect();
    shown.push_str("...");
    shown
}

struct WebScraper;

impl Skill for WebScraper {
    type Params = Params;

    fn run(request: Request<Params>) -> Result<Reply, SkillError> {
        let Params {
            operation,
            url,
            selector,
        } = request.params;
        let operation = operation
            .unwrap_or_else(|| "get_page_content".into())
            .to_lowercase();
        let url = url
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| input_error("'url' parameter is required."))?;
        if !matches!(
            operation.as_str(),
            "get_page_content" | "extract_text" | "extract_elements" | "extract_links"
        ) {
            return Err(SkillError::bad_input("Unsupported Operation")
                .with_details(format!("Operation '{operation}' is not supported.")));
        }
        let selector = match operation.as_str() {
            "extract_elements" => {
                let text = selector.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                    input_error(
                        "'selector' (CSS selector) is required for 'extract_elements' operation.",
                    )
                })?;
                let parsed = Selector::parse(&text).map_err(|e| {
                    input_error(format!("'{text}' is not a valid CSS selector: {e}"))
                })?;
                Some((text, parsed))
            }
            _ => None,
        };
        let target = Url::parse(url.trim())
            .map_err(|e| input_error(format!("'{url}' is not a valid URL: {e}.")))?;
        if !matches!(target.scheme(), "http" | "https") {
            return Err(input_error(format!("'{url}' is not an http or https URL.")));
        }

        let (final_url, status, body) = fetch(&target, &url)?;
        let data = match (operation.as_str(), selector) {
            ("get_page_content", _) => json!({
                "url": url,
                "final_url": final_url.as_str(),
                "status": status,
                "raw_html_length": body.chars().count(),
                "content_preview": preview(&body, PREVIEW_CHARS),
            }),
            ("extract_text", _) => {
                let text = html::visible_text(&Html::parse_document(&body));
                json!({
                    "url": url,
                    "extracted_text_length": text.chars().count(),
                    "text_preview": preview(&text, PREVIEW_CHARS),
                })
            }
            ("extract_elements", Some((text, parsed))) => {
                let found = html::select_text(&Html::parse_document(&body), &parsed);
                json!({
                    "url": url,
                    "selector": text,
                    "elements_found": found.len(),
                    "extracted_elements": found.iter().take(ELEMENTS_PREVIEW).collect::<Vec<_>>(),
                })
            }
            _ => {
                let found = html::links(&Html::parse_document(&body), &final_url);
                let listed: Vec<_> = found
                    .iter()
                    .take(LINKS_PREVIEW)
                    .map(|link| json!({ "text": link.text, "href": link.href }))
                    .collect();
                json!({ "url": url, "links_found": found.len(), "links": listed })
            }
        };
        Ok(Reply::data(data))
    }
}

export_skill!(WebScraper);
