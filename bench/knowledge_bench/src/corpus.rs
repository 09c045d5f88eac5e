//! The generated corpus: a Zipf-distributed vocabulary (as text is), ~200-word passages each
//! tagged with its number (`ref p0000123`, so a search hit names its passage and the stand-in
//! embedder knows its vector), and 2-4-word queries. Fixed seeds: the same on every run.

/// Words in the generated vocabulary.
pub const VOCABULARY: usize = 30_000;
/// Words per passage.
const WORDS: usize = 200;

/// A small, fixed-seed generator (xorshift64*): the corpus is the same on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Word `rank` of the vocabulary: pronounceable, distinct.
pub fn word(rank: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "pi", "da", "ge", "ho", "ju", "qi", "be",
        "zo",
    ];
    let mut n = rank + 16;
    let mut text = String::new();
    while n > 0 {
        text.push_str(SYLLABLES[n % 16]);
        n /= 16;
    }
    text
}

/// A Zipf(1.0)-distributed rank, by inverting the harmonic CDF approximately.
fn zipf(rng: &mut Rng, words: &[String]) -> usize {
    let h = (words.len() as f64).ln() + 0.5772;
    let target = rng.unit() * h;
    ((target - 0.5772).exp().floor() as usize).min(words.len() - 1)
}

pub fn passage(rng: &mut Rng, words: &[String], number: usize) -> String {
    let mut text = format!("ref {} ", passage_tag(number));
    for i in 0..WORDS {
        if i > 0 {
            text.push(if i % 15 == 0 { '.' } else { ' ' });
            if i % 15 == 0 {
                text.push(' ');
            }
        }
        text.push_str(&words[zipf(rng, words)]);
    }
    text.push('.');
    text
}

/// The tag that names passage `number` in its text.
pub fn passage_tag(number: usize) -> String {
    format!("p{number:07}")
}

/// The tag that names query `number` (no passage has it).
pub fn query_tag(number: usize) -> String {
    format!("q{number:07}")
}

/// The passage or query a text names, by its tag: `(is_query, number)`.
pub fn tagged(text: &str) -> Option<(bool, usize)> {
    text.split_whitespace().find_map(|word| {
        let (query, digits) = match word.as_bytes().first()? {
            b'p' => (false, &word[1..]),
            b'q' => (true, &word[1..]),
            _ => return None,
        };
        (digits.len() == 7)
            .then(|| digits.parse().ok().map(|n| (query, n)))
            .flatten()
    })
}

/// Query `number`: 2-4 words from the middle of the vocabulary (neither stop-word-like nor
/// unseen), then its tag, so a stand-in embedder gives it its vector.
pub fn query(rng: &mut Rng, words: &[String], number: usize) -> String {
    let count = 2 + (rng.next() % 3) as usize;
    let mut text = (0..count)
        .map(|_| words[20 + (rng.next() as usize % 3000)].clone())
        .collect::<Vec<_>>()
        .join(" ");
    text.push(' ');
    text.push_str(&query_tag(number));
    text
}

/// The documents of the corpus: `chunks` passages, `per_doc` to a document, one per heading.
pub fn documents(chunks: usize, per_doc: usize) -> Vec<String> {
    let words: Vec<String> = (0..VOCABULARY).map(word).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..chunks.div_ceil(per_doc))
        .map(|d| {
            let mut text = format!("# Report {d}\n\n");
            for c in 0..per_doc.min(chunks - d * per_doc) {
                text.push_str(&format!(
                    "## Section {c}\n\n{}\n\n",
                    passage(&mut rng, &words, d * per_doc + c)
                ));
            }
            text
        })
        .collect()
}
