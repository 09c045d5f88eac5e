//! Finding personal data: one detector per kind, each a pattern for candidates and a
//! check that keeps only the real ones. Detectors run in order of how specific they are,
//! and a later one never takes text an earlier one found (a card number is not also a
//! phone number).

use std::net::Ipv6Addr;
use std::sync::OnceLock;

use regex_lite::Regex;

use crate::checks;

/// The kinds of personal data found, in detection order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// An e-mail address.
    Email,
    /// An international bank account number.
    Iban,
    /// A payment card number that passes the Luhn check.
    CreditCard,
    /// A US social security number.
    UsSsn,
    /// An IPv6 address.
    Ipv6,
    /// An IPv4 address.
    Ipv4,
    /// A phone number.
    Phone,
}

impl Kind {
    /// Every kind, in detection order.
    pub const ALL: [Kind; 7] = [
        Kind::Email,
        Kind::Iban,
        Kind::CreditCard,
        Kind::UsSsn,
        Kind::Ipv6,
        Kind::Ipv4,
        Kind::Phone,
    ];

    /// The name callers use.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Iban => "iban",
            Kind::CreditCard => "credit_card",
            Kind::UsSsn => "us_ssn",
            Kind::Ipv6 => "ipv6",
            Kind::Ipv4 => "ipv4",
            Kind::Phone => "phone",
        }
    }

    /// What replaces it.
    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::Email => "[EMAIL]",
            Kind::Iban => "[IBAN]",
            Kind::CreditCard => "[CREDIT_CARD]",
            Kind::UsSsn => "[US_SSN]",
            Kind::Ipv6 => "[IPV6]",
            Kind::Ipv4 => "[IPV4]",
            Kind::Phone => "[PHONE]",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The pattern for candidates; e-mail addresses are scanned for by [`emails`].
    fn pattern(self) -> Option<&'static Regex> {
        static PATTERNS: OnceLock<Vec<Regex>> = OnceLock::new();
        let patterns = PATTERNS.get_or_init(|| {
            [
                r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b",
                r"\b(?:[0-9][ -]?){12,18}[0-9]\b",
                r"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b",
                r"(?i)(?:[0-9a-f]{0,4}:){2,7}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-f]{0,4})",
                r"\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}\b",
                r"(?:\+[0-9]{1,3}[ .-]?)?(?:\([0-9]{1,4}\)[ .-]?)?[0-9]{2,5}(?:[ .-]?[0-9]{2,5}){1,4}",
            ]
            .into_iter()
            .map(|p| Regex::new(p).unwrap_or_else(|e| panic!("pattern {p}: {e}")))
            .collect()
        });
        // Every request is a fresh instance, so patterns compile on every call: they stay
        // ASCII (a Unicode `\w` class alone costs milliseconds to compile).
        match self {
            Kind::Email => None,
            other => patterns.get(other as usize - 1),
        }
    }

    /// Whether the candidate `text` (found at `start..end` of `whole`) is the real thing.
    fn accepts(self, whole: &str, start: usize, end: usize) -> bool {
        let text = &whole[start..end];
        let before = whole[..start].chars().next_back();
        let after = whole[end..].chars().next();
        let digits: Vec<u8> = text
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        match self {
            Kind::Email => true,
            Kind::Iban => checks::iban(&text.replace(' ', "")),
            Kind::CreditCard => (13..=19).contains(&digits.len()) && checks::luhn(&digits),
            Kind::UsSsn => checks::us_ssn(&text[..3], &text[4..6], &text[7..]),
            Kind::Ipv6 => {
                let standalone = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == ':')
                    && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == ':');
                standalone && text.parse::<Ipv6Addr>().is_ok()
            }
            Kind::Ipv4 => text.split('.').all(|octet| octet.parse::<u8>().is_ok()),
            Kind::Phone => {
                let separated = text.contains([' ', '-', '.', '(']);
                let international = text.starts_with('+');
                !before.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '-')
                    && !after.is_some_and(|c| c.is_alphanumeric())
                    && (7..=15).contains(&digits.len())
                    && (international || separated || digits.len() >= 10)
                    && !checks::date_like(text)
                    && !checks::ssn_shaped(text)
            }
        }
    }
}

/// One finding, by byte range of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// Byte offset of its start.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
}

/// Candidate e-mail addresses: around each `@`, a local part of letters, digits and `._%+-`,
/// and a domain of dot-separated labels ending in a top-level domain of two or more letters.
fn emails(text: &str) -> Vec<(usize, usize)> {
    let local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || c == '-' || c == '.';
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        let start = text[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| local(c))
            .last()
            .map_or(at, |(i, _)| i);
        let after = &text[at + 1..];
        let length = after
            .char_indices()
            .find(|&(_, c)| !domain(c))
            .map_or(after.len(), |(i, _)| i);
        let host = after[..length].trim_end_matches(['.', '-']);
        let top_level = host.rsplit_once('.').map(|(_, tld)| tld);
        let valid = start < at
            && !host.starts_with(['.', '-'])
            && !host.contains("..")
            && top_level.is_some_and(|tld| {
                tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
            });
        if valid {
            found.push((start, at + 1 + host.len()));
        }
    }
    found
}

/// Every finding of the `kinds` in `text`, in text order, none overlapping.
pub fn find(text: &str, kinds: &[Kind]) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    for kind in Kind::ALL.into_iter().filter(|k| kinds.contains(k)) {
        let candidates: Vec<(usize, usize)> = match kind.pattern() {
            None => emails(text),
            Some(pattern) => pattern
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect(),
        };
        for (start, end) in candidates {
            let free = found.iter().all(|f| end <= f.start || start >= f.end);
            if free && kind.accepts(text, start, end) {
                found.push(Finding { kind, start, end });
            }
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&'static str, &str)> {
        find(text, &Kind::ALL)
            .into_iter()
            .map(|f| (f.kind.name(), &text[f.start..f.end]))
            .collect()
    }

    #[test]
    fn each_kind_is_found_and_look_alikes_are_not() {
        let empty: [(&str, &str); 0] = [];
        assert_eq!(
            kinds("write to jane.doe+x@mail.example.co.uk today"),
            [("email", "jane.doe+x@mail.example.co.uk")]
        );
        assert_eq!(
            kinds("card 4111 1111 1111 1111."),
            [("credit_card", "4111 1111 1111 1111")]
        );
        assert_eq!(kinds("card 4111 1111 1111 1112."), empty, "fails Luhn");
        assert_eq!(
            kinds("pay to GB82 WEST 1234 5698 7654 32 now"),
            [("iban", "GB82 WEST 1234 5698 7654 32")]
        );
        assert_eq!(kinds("ssn 123-45-6789"), [("us_ssn", "123-45-6789")]);
        assert_eq!(kinds("ssn 666-45-6789"), empty, "never issued");
        assert_eq!(kinds("from 192.168.1.20:"), [("ipv4", "192.168.1.20")]);
        assert_eq!(kinds("version 1.2.3.400"), empty, "not an address");
        assert_eq!(
            kinds("host 2001:db8::8a2e:370:7334 up"),
            [("ipv6", "2001:db8::8a2e:370:7334")]
        );
        assert_eq!(kinds("at 10:30:00 sharp"), empty, "a time");
        assert_eq!(
            kinds("call +44 20 7946 0958"),
            [("phone", "+44 20 7946 0958")]
        );
        assert_eq!(kinds("call (555) 123-4567."), [("phone", "(555) 123-4567")]);
        assert_eq!(kinds("on 2024-01-15 we"), empty, "a date");
        assert_eq!(kinds("total 1234567 units"), empty, "a bare number");
    }
}
