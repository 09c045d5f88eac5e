//! Turns VADER's lexicons (`data/*.tsv`) into sorted static tables, so that a fresh instance
//! per request looks words up by binary search instead of parsing 7,500 lines first.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=data/lexicon.tsv");
    println!("cargo:rerun-if-changed=data/emoji.tsv");

    let mut words: Vec<(String, f64)> = rows("data/lexicon.tsv")
        .map(|(word, valence)| {
            let valence = valence.parse().unwrap_or_else(|e| {
                panic!("data/lexicon.tsv: `{word}` has valence `{valence}`: {e}")
            });
            (word, valence)
        })
        .collect();
    words.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(pair) = words.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        panic!("data/lexicon.tsv: `{}` appears twice", pair[0].0);
    }
    let mut lexicon = String::from("&[\n");
    for (word, valence) in &words {
        let _ = writeln!(lexicon, "    ({word:?}, {valence:?}),");
    }
    lexicon.push(']');

    let mut emojis: Vec<(char, String)> = rows("data/emoji.tsv")
        .map(|(emoji, description)| {
            let mut chars = emoji.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => (c, description),
                _ => panic!("data/emoji.tsv: `{emoji}` is not one code point"),
            }
        })
        .collect();
    emojis.sort();
    let mut emoji = String::from("&[\n");
    for (c, description) in &emojis {
        let _ = writeln!(emoji, "    ({c:?}, {description:?}),");
    }
    emoji.push(']');

    for (file, table) in [("lexicon.rs", lexicon), ("emoji.rs", emoji)] {
        let path = out_dir.join(file);
        if let Err(e) = std::fs::write(&path, table) {
            panic!("cannot write {}: {e}", path.display());
        }
    }
}

/// The `key<TAB>value` rows of a data file.
fn rows(path: &str) -> impl Iterator<Item = (String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_once('\t') {
            Some((key, value)) => (key.to_owned(), value.to_owned()),
            None => panic!("{path}: `{line}` has no tab"),
        })
        .collect::<Vec<_>>()
        .into_iter()
}
