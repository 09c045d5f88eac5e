//! VADER (Hutto & Gilbert, 2014): lexicon and rule-based sentiment, following the reference
//! implementation (vaderSentiment 3.3.2) rule for rule, quirks included, so that its scores
//! agree with the reference to the last rounded digit (see `tests/reference.json`).

mod vocabulary;

use vocabulary::*;

use crate::lexicon;

/// VADER's four scores, rounded as the reference rounds them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// Share of the text that is negative, 0 to 1 (3 decimals).
    pub neg: f64,
    /// Share that is neutral (3 decimals).
    pub neu: f64,
    /// Share that is positive (3 decimals).
    pub pos: f64,
    /// Normalised overall sentiment, -1 (most negative) to 1 (most positive), 4 decimals.
    pub compound: f64,
}

impl Scores {
    /// The label VADER's authors recommend: positive at compound ≥ 0.05, negative at ≤ -0.05.
    pub fn label(&self) -> &'static str {
        if self.compound >= 0.05 {
            "positive"
        } else if self.compound <= -0.05 {
            "negative"
        } else {
            "neutral"
        }
    }
}

/// Score `text`.
pub fn polarity_scores(text: &str) -> Scores {
    let text = replace_emoji(text);
    let text = text.trim();
    let tokens = tokenize(text);
    let lower: Vec<String> = tokens.iter().map(|t| t.to_lowercase()).collect();
    let caps_differ = caps_differ(&tokens);

    let mut sentiments = Vec::with_capacity(tokens.len());
    for (i, word) in lower.iter().enumerate() {
        let is_modifier = booster_scalar(word).is_some()
            || (word == "kind" && lower.get(i + 1).is_some_and(|next| next == "of"));
        let valence = if is_modifier {
            0.0
        } else {
            Context {
                tokens: &tokens,
                lower: &lower,
                caps_differ,
            }
            .valence(i)
        };
        sentiments.push(valence);
    }
    but_check(&lower, &mut sentiments);
    score(&sentiments, text)
}

/// Emoji become their description, set off by a space, so the lexicon can score them.
fn replace_emoji(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_was_space = true;
    for c in text.chars() {
        match lexicon::emoji_description(c) {
            Some(description) => {
                if !previous_was_space {
                    out.push(' ');
                }
                out.push_str(description);
                previous_was_space = false;
            }
            None => {
                out.push(c);
                previous_was_space = c == ' ';
            }
        }
    }
    out
}

/// Whitespace-separated words without surrounding punctuation, except that a token left with
/// two characters or fewer keeps it (it was probably an emoticon such as `:)`).
fn tokenize(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|token| {
            let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
            if stripped.chars().count() <= 2 {
                token
            } else {
                stripped
            }
        })
        .collect()
}

/// Python's `str.isupper`: at least one cased character, and no lower-case one.
fn is_upper(word: &str) -> bool {
    let mut cased = false;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// Whether some, but not all, words are in capitals: only then do capitals add emphasis.
fn caps_differ(tokens: &[&str]) -> bool {
    let capitals = tokens.iter().filter(|t| is_upper(t)).count();
    let others = tokens.len() - capitals;
    0 < others && others < tokens.len()
}

/// The intensity a booster or dampener adds, before direction and capitals.
fn booster_scalar(word: &str) -> Option<f64> {
    if BOOSTERS.contains(&word) {
        Some(BOOSTER_INCREASE)
    } else if DAMPENERS.contains(&word) {
        Some(BOOSTER_DECREASE)
    } else {
        None
    }
}

fn special_case(phrase: &str) -> Option<f64> {
    SPECIAL_CASES
        .iter()
        .find(|(idiom, _)| *idiom == phrase)
        .map(|(_, valence)| *valence)
}

fn is_negation(word: &str) -> bool {
    NEGATIONS.contains(&word) || word.contains("n't")
}

/// The text around the word being scored.
struct Context<'a> {
    tokens: &'a [&'a str],
    lower: &'a [String],
    caps_differ: bool,
}

impl Context<'_> {
    fn word(&self, i: usize) -> &str {
        &self.lower[i]
    }

    /// The valence of word `i` with the rules of the three words before it applied.
    fn valence(&self, i: usize) -> f64 {
        let word = self.word(i);
        let Some(base) = lexicon::valence(word) else {
            return 0.0;
        };
        let mut valence = base;
        // "no" before a lexicon word negates it rather than counting as sentiment itself.
        if word == "no" && i + 1 < self.lower.len() && lexicon::contains(self.word(i + 1)) {
            valence = 0.0;
        }
        if (i > 0 && self.word(i - 1) == "no")
            || (i > 1 && self.word(i - 2) == "no")
            || (i > 2 && self.word(i - 3) == "no" && matches!(self.word(i - 1), "or" | "nor"))
        {
            valence = base * NEGATION_SCALAR;
        }
        if is_upper(self.tokens[i]) && self.caps_differ {
            valence += if valence > 0.0 {
                CAPS_INCREASE
            } else {
                -CAPS_INCREASE
            };
        }
        for distance in 0..3 {
            if i > distance && !lexicon::contains(self.word(i - distance - 1)) {
                let mut scalar = self.modifier(i - distance - 1, valence);
                if distance == 1 {
                    scalar *= 0.95;
                } else if distance == 2 {
                    scalar *= 0.9;
                }
                valence += scalar;
                valence = self.negation_check(valence, distance, i);
                if distance == 2 {
                    valence = self.special_idioms_check(valence, i);
                }
            }
        }
        self.least_check(valence, i)
    }

    /// What the booster or dampener at `j` adds to `valence` (0 if `j` is neither).
    fn modifier(&self, j: usize, valence: f64) -> f64 {
        let Some(mut scalar) = booster_scalar(self.word(j)) else {
            return 0.0;
        };
        if valence < 0.0 {
            scalar = -scalar;
        }
        if is_upper(self.tokens[j]) && self.caps_differ {
            scalar += if valence > 0.0 {
                CAPS_INCREASE
            } else {
                -CAPS_INCREASE
            };
        }
        scalar
    }

    fn negation_check(&self, valence: f64, distance: usize, i: usize) -> f64 {
        let w = |back: usize| self.word(i - back);
        match distance {
            0 if is_negation(w(1)) => valence * NEGATION_SCALAR,
            1 if w(2) == "never" && matches!(w(1), "so" | "this") => valence * 1.25,
            1 if w(2) == "without" && w(1) == "doubt" => valence,
            1 if is_negation(w(2)) => valence * NEGATION_SCALAR,
            // The reference's precedence, kept: (never and so/this two back) or so/this one back.
            2 if (w(3) == "never" && matches!(w(2), "so" | "this"))
                || matches!(w(1), "so" | "this") =>
            {
                valence * 1.25
            }
            2 if w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt") => valence,
            2 if is_negation(w(3)) => valence * NEGATION_SCALAR,
            _ => valence,
        }
    }

    /// Idioms around word `i` (which has at least three words before it).
    fn special_idioms_check(&self, mut valence: f64, i: usize) -> f64 {
        let w = |j: usize| self.word(j);
        let one_zero = format!("{} {}", w(i - 1), w(i));
        let two_one_zero = format!("{} {} {}", w(i - 2), w(i - 1), w(i));
        let two_one = format!("{} {}", w(i - 2), w(i - 1));
        let three_two_one = format!("{} {} {}", w(i - 3), w(i - 2), w(i - 1));
        let three_two = format!("{} {}", w(i - 3), w(i - 2));
        for sequence in [
            &one_zero,
            &two_one_zero,
            &two_one,
            &three_two_one,
            &three_two,
        ] {
            if let Some(idiom) = special_case(sequence) {
                valence = idiom;
                break;
            }
        }
        let len = self.lower.len();
        if len - 1 > i
            && let Some(idiom) = special_case(&format!("{} {}", w(i), w(i + 1)))
        {
            valence = idiom;
        }
        if len - 1 > i + 1
            && let Some(idiom) = special_case(&format!("{} {} {}", w(i), w(i + 1), w(i + 2)))
        {
            valence = idiom;
        }
        for n_gram in [&three_two_one, &three_two, &two_one] {
            if let Some(scalar) = booster_scalar(n_gram) {
                valence += scalar;
            }
        }
        valence
    }

    /// "least" negates ("the least compelling") unless it follows "at" or "very".
    fn least_check(&self, valence: f64, i: usize) -> f64 {
        let before_is_least = |back: usize| {
            i >= back && self.word(i - back) == "least" && !lexicon::contains("least")
        };
        if i > 1 && before_is_least(1) {
            if !matches!(self.word(i - 2), "at" | "very") {
                return valence * NEGATION_SCALAR;
            }
            valence
        } else if i > 0 && before_is_least(1) {
            valence * NEGATION_SCALAR
        } else {
            valence
        }
    }
}

/// After "but", sentiment counts 1.5 times; before it, half. The reference finds each score's
/// position with `list.index`, so a repeated score changes its first occurrence instead; the
/// same is done here, to give the same numbers.
fn but_check(lower: &[String], sentiments: &mut [f64]) {
    let Some(but) = lower.iter().position(|w| w == "but") else {
        return;
    };
    for k in 0..sentiments.len() {
        let value = sentiments[k];
        let Some(first) = sentiments.iter().position(|s| *s == value) else {
            continue;
        };
        if first < but {
            sentiments[first] = value * 0.5;
        } else if first > but {
            sentiments[first] = value * 1.5;
        }
    }
}

/// Emphasis from exclamation marks (up to four) and from two or more question marks.
fn punctuation_emphasis(text: &str) -> f64 {
    let exclamations = text.matches('!').count().min(4);
    let questions = text.matches('?').count();
    let question_emphasis = match questions {
        0 | 1 => 0.0,
        2 | 3 => questions as f64 * 0.18,
        _ => 0.96,
    };
    exclamations as f64 * 0.292 + question_emphasis
}

fn score(sentiments: &[f64], text: &str) -> Scores {
    if sentiments.is_empty() {
        return Scores {
            neg: 0.0,
            neu: 0.0,
            pos: 0.0,
            compound: 0.0,
        };
    }
    let emphasis = punctuation_emphasis(text);
    let mut sum: f64 = sentiments.iter().sum();
    if sum > 0.0 {
        sum += emphasis;
    } else if sum < 0.0 {
        sum -= emphasis;
    }
    let compound = (sum / (sum * sum + 15.0).sqrt()).clamp(-1.0, 1.0);

    // Each sentiment word also counts as one neutral unit, hence the ±1.
    let mut positive = 0.0;
    let mut negative = 0.0;
    let mut neutral = 0usize;
    for &s in sentiments {
        if s > 0.0 {
            positive += s + 1.0;
        }
        if s < 0.0 {
            negative += s - 1.0;
        }
        if s == 0.0 {
            neutral += 1;
        }
    }
    if positive > f64::abs(negative) {
        positive += emphasis;
    } else if positive < f64::abs(negative) {
        negative -= emphasis;
    }
    let total = positive + negative.abs() + neutral as f64;
    Scores {
        neg: round(f64::abs(negative / total), 3),
        neu: round(f64::abs(neutral as f64 / total), 3),
        pos: round(f64::abs(positive / total), 3),
        compound: round(compound, 4),
    }
}

/// Python's `round(x, digits)`: the decimal nearest to the exact binary value, ties to even.
/// Formatting does exactly that; the multiply-and-round shortcut is off by one in rare cases.
fn round(x: f64, digits: usize) -> f64 {
    format!("{x:.digits$}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Case {
        text: String,
        scores: Reference,
    }

    #[derive(serde::Deserialize)]
    struct Reference {
        neg: f64,
        neu: f64,
        pos: f64,
        compound: f64,
    }

    /// The reference implementation's scores for its published examples and a case per rule,
    /// recorded by `tools/vader_reference.py`.
    #[test]
    fn scores_agree_with_the_reference_implementation() {
        let cases: Vec<Case> = serde_json::from_str(include_str!("../../tests/reference.json"))
            .unwrap_or_else(|e| panic!("tests/reference.json: {e}"));
        assert!(cases.len() > 80, "{} cases", cases.len());
        let mismatches: Vec<String> = cases
            .iter()
            .filter_map(|case| {
                let ours = polarity_scores(&case.text);
                let theirs = Scores {
                    neg: case.scores.neg,
                    neu: case.scores.neu,
                    pos: case.scores.pos,
                    compound: case.scores.compound,
                };
                (ours != theirs)
                    .then(|| format!("{:?}: ours {ours:?}, reference {theirs:?}", case.text))
            })
            .collect();
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    }

    #[test]
    fn labels_follow_the_compound_thresholds() {
        assert_eq!(polarity_scores("The book was good.").label(), "positive");
        assert_eq!(polarity_scores("The movie was bad.").label(), "negative");
        assert_eq!(polarity_scores("The meeting is at 3pm.").label(), "neutral");
    }

    #[test]
    fn python_rounding_is_kept() {
        assert_eq!(round(0.0005, 3), 0.001);
        assert_eq!(round(2.675, 2), 2.67);
        assert_eq!(round(-0.12345, 4), -0.1235);
    }
}
