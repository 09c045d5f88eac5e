//! A search of a collection: what a caller asks (words, how many passages, filters) and what
//! comes back (passages with their place in the document and their scores).

use serde::{Deserialize, Serialize};

/// How to search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// Words and meaning, fused; words alone while the collection has no vectors.
    #[default]
    Hybrid,
    /// Meaning only (needs embeddings).
    Vector,
    /// Words only (BM25).
    Lexical,
}

/// Restrictions applied inside the index, before the top passages are cut.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    /// Only these documents (their ids).
    #[serde(default)]
    pub documents: Vec<String>,
    /// Only documents with at least one of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only documents dated on or after this day (`YYYY-MM-DD`).
    #[serde(default)]
    pub date_from: Option<String>,
    /// Only documents dated on or before this day (`YYYY-MM-DD`).
    #[serde(default)]
    pub date_to: Option<String>,
}

/// `POST /api/v1/knowledge/collections/{name}/search`
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// What to look for, in plain words (no query syntax).
    pub query: String,
    /// How many passages to return, 1–50 (default 5).
    #[serde(default = "default_top_k")]
    pub top_k: usize,
    /// How to search (default `hybrid`).
    #[serde(default)]
    pub mode: SearchMode,
    /// Restrictions.
    #[serde(default)]
    pub filters: SearchFilters,
}

fn default_top_k() -> usize {
    5
}

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2000;
/// The most passages one search returns.
pub const MAX_TOP_K: usize = 50;

/// A passage found.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Passage {
    /// Its rank in this answer, from 1.
    pub rank: usize,
    /// The document it is from.
    pub document: String,
    /// That document's title.
    pub title: String,
    /// Its place in the document, from 0.
    pub position: u64,
    /// The headings it sits under, outermost first.
    pub heading_path: Vec<String>,
    /// The page it starts on, for paged formats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    /// Its text.
    pub text: String,
    /// How well it matched, higher is better: BM25 in `lexical` answers, cosine similarity in
    /// `vector` ones, the fused reciprocal-rank score in `hybrid` ones.
    pub score: f32,
    /// Its rank among the words' hits, from 1 (when they found it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lexical_rank: Option<usize>,
    /// Its rank among the meaning's hits, from 1 (when they found it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector_rank: Option<usize>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SearchAnswer {
    /// How the search was made (`lexical` when `hybrid` was asked of a collection without
    /// vectors).
    pub mode: SearchMode,
    /// The passages, best first.
    pub passages: Vec<Passage>,
    /// Why the search was narrower than asked (the question could not be embedded, the
    /// meaning index is being built).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Restrictions applied inside each index, before the top hits are cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only these documents (none: all).
    pub documents: Vec<String>,
    /// Only documents with at least one of these tags (none: all).
    pub tags: Vec<String>,
    /// Only documents dated on or after this day (days since 1970-01-01).
    pub from_day: Option<i64>,
    /// Only documents dated on or before this day.
    pub to_day: Option<i64>,
}

impl Filters {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
            && self.tags.is_empty()
            && self.from_day.is_none()
            && self.to_day.is_none()
    }

    /// Whether a document with this id, these tags and this day passes.
    pub fn admits(&self, id: &str, tags: &[String], day: Option<i64>) -> bool {
        (self.documents.is_empty() || self.documents.iter().any(|d| d == id))
            && (self.tags.is_empty() || self.tags.iter().any(|t| tags.contains(t)))
            && self
                .from_day
                .is_none_or(|from| day.is_some_and(|d| d >= from))
            && self.to_day.is_none_or(|to| day.is_some_and(|d| d <= to))
    }
}

/// `YYYY-MM-DD` as days since 1970-01-01; `None` if it is not a date.
pub fn day_number(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(date, format).ok()?;
    Some(i64::from(
        date.to_julian_day()
            - time::Date::from_calendar_date(1970, time::Month::January, 1)
                .ok()?
                .to_julian_day(),
    ))
}

impl SearchRequest {
    /// Check the request; the filters as the index takes them.
    pub fn check(&self) -> Result<Filters, String> {
        if self.query.trim().is_empty() {
            return Err("`query` is empty: send the words to look for".to_owned());
        }
        if self.query.chars().count() > MAX_QUERY_CHARS {
            return Err(format!(
                "`query` is longer than {MAX_QUERY_CHARS} characters"
            ));
        }
        if !(1..=MAX_TOP_K).contains(&self.top_k) {
            return Err(format!("`top_k` must be between 1 and {MAX_TOP_K}"));
        }
        let day = |name: &str, value: &Option<String>| -> Result<Option<i64>, String> {
            value
                .as_deref()
                .map(|text| {
                    day_number(text).ok_or_else(|| {
                        format!("`filters.{name}` is `{text}`, not a date: write it as YYYY-MM-DD")
                    })
                })
                .transpose()
        };
        Ok(Filters {
            documents: self.filters.documents.clone(),
            tags: self.filters.tags.clone(),
            from_day: day("date_from", &self.filters.date_from)?,
            to_day: day("date_to", &self.filters.date_to)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_epoch() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2026-12-06"), Some(20_793));
        assert_eq!(day_number("2026-02-30"), None);
        assert_eq!(day_number("yesterday"), None);
    }
}
