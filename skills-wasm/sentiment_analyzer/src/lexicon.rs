//! VADER's word and emoji lexicons, as sorted tables built from `data/` by `build.rs`.

/// Every lexicon word (as VADER spells it, mostly lower case) with its mean valence, sorted.
static WORDS: &[(&str, f64)] = include!(concat!(env!("OUT_DIR"), "/lexicon.rs"));

/// Single-code-point emoji with their English description, sorted.
static EMOJI: &[(char, &str)] = include!(concat!(env!("OUT_DIR"), "/emoji.rs"));

/// The valence of `word`, if it is in the lexicon.
pub fn valence(word: &str) -> Option<f64> {
    WORDS
        .binary_search_by(|(entry, _)| (*entry).cmp(word))
        .ok()
        .map(|i| WORDS[i].1)
}

/// Whether `word` is in the lexicon.
pub fn contains(word: &str) -> bool {
    valence(word).is_some()
}

/// The description VADER reads in place of the emoji `c`.
pub fn emoji_description(c: char) -> Option<&'static str> {
    EMOJI
        .binary_search_by(|(entry, _)| entry.cmp(&c))
        .ok()
        .map(|i| EMOJI[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_emoji_are_found_and_others_are_not() {
        assert_eq!(valence("good"), Some(1.9));
        assert_eq!(valence(":)"), Some(2.0));
        assert_eq!(valence("sux"), Some(-1.5));
        assert_eq!(valence("praximous"), None);
        assert!(WORDS.len() > 7000, "{}", WORDS.len());
        assert_eq!(
            emoji_description('😁'),
            Some("beaming face with smiling eyes")
        );
        assert_eq!(emoji_description('a'), None);
    }
}
