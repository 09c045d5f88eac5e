#!/usr/bin/env python3
"""Import VADER's lexicons into the sentiment_analyzer skill and record the reference scores
its tests compare against.

The skill reimplements VADER (Hutto & Gilbert, 2014) in Rust; this script is the only place
the reference Python implementation is used. Run it after upgrading VADER:

    python3 -m venv /tmp/vader && /tmp/vader/bin/pip install vaderSentiment==3.3.2
    /tmp/vader/bin/python tools/vader_reference.py

It writes, under skills-wasm/sentiment_analyzer/:
  data/lexicon.tsv   word<TAB>mean valence (later duplicates win, as VADER's dict does)
  data/emoji.tsv     emoji<TAB>description, single code points only (VADER matches no others)
  tests/reference.json  [{"text": ..., "scores": {neg, neu, pos, compound}}] for every
                        example sentence VADER publishes, plus cases for each rule.
"""

import json
import os
import pathlib

from vaderSentiment import vaderSentiment as vader

SKILL = pathlib.Path(__file__).resolve().parent.parent / "skills-wasm" / "sentiment_analyzer"
PACKAGE = pathlib.Path(vader.__file__).parent

# The example sentences of vaderSentiment.py's demo and README.
PUBLISHED = [
    "VADER is smart, handsome, and funny.",
    "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "The book was good.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Not bad at all",
    "Sentiment analysis has never been good.",
    "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.",
    "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.",
    "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!",
    "Without a doubt, excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.",
    "Without a doubt, an excellent idea.",
    "It was one of the worst movies I've seen, despite good reviews.",
    "Unbelievably bad acting!!",
    "Poor direction.",
    "VERY poor production.",
    "The movie was bad.",
    "Very bad movie.",
    "VERY BAD movie!",
    "balloons", "cake", "candles", "happy birthday", "friends", "laughing", "smiling", "party",
    "riot", "fire", "fight", "blood", "mob", "war", "police", "tear gas",
    "I'm surprised to see just how amazingly helpful VADER is!",
]

# One or more cases for each rule the published examples leave unexercised.
RULES = [
    "",
    "   ",
    "The meeting is at 3pm in room 4.",
    "no problems at all",
    "no good, no bad, no fun",
    "There is no way or nor good here",
    "not the least bit happy",
    "at least happy",
    "very least happy",
    "least happy",
    "It was sort of good and kind of bad",
    "It was just enough good",
    "The food was great but the service was great but slow",
    "good good good but bad bad",
    "GOOD but BAD",
    "I am never so happy",
    "never this sad",
    "without doubt good",
    "The party was the bomb!!!!!",
    "Yeah right, that is a kiss of death for a beating heart",
    "to die for cake",
    "Is it good??",
    "Is it good????",
    "Really?? Is it bad???",
    "I don't like it",
    "I DON'T LIKE IT AT ALL",
    "He isn't bad, he wasn't awful, they aren't terrible",
    "EXTREMELY good",
    "SO bad and VERY ugly",
    "ALL CAPS GREAT NEWS",
    "happy 😀 sad 😢 angry 😠",
    "😍😍😍",
    "(: :( :-) ;)",
    "'Wonderful', \"awful\", (excellent).",
    "Ça va très bien, merci — c'est génial",
    "Das ist GUT",
    "kind of",
    "the kind of day",
    "uh-uh, nope, that is good",
    "I rarely feel sad",
    "Despite the rain, fun",
    "shit, the shit, bad ass, badass",
    "The customer support team resolved my issue quickly and politely; I'm delighted.",
    "Terrible latency, broken builds and a support desk that never answers. Furious.",
]


def main() -> None:
    lexicon = {}
    text = (PACKAGE / "vader_lexicon.txt").read_text(encoding="utf-8")
    for line in text.rstrip("\n").split("\n"):
        if line:
            word, measure = line.strip().split("\t")[0:2]
            lexicon[word] = measure
    (SKILL / "data").mkdir(parents=True, exist_ok=True)
    with open(SKILL / "data" / "lexicon.tsv", "w", encoding="utf-8", newline="\n") as out:
        for word in sorted(lexicon, key=lambda w: w.encode("utf-8")):
            out.write(f"{word}\t{lexicon[word]}\n")

    emojis = {}
    text = (PACKAGE / "emoji_utf8_lexicon.txt").read_text(encoding="utf-8")
    for line in text.rstrip("\n").split("\n"):
        emoji, description = line.strip().split("\t")[0:2]
        if len(emoji) == 1:
            emojis[emoji] = description
    with open(SKILL / "data" / "emoji.tsv", "w", encoding="utf-8", newline="\n") as out:
        for emoji in sorted(emojis):
            out.write(f"{emoji}\t{emojis[emoji]}\n")

    analyzer = vader.SentimentIntensityAnalyzer()
    cases = [
        {"text": sentence, "scores": analyzer.polarity_scores(sentence)}
        for sentence in PUBLISHED + RULES
    ]
    (SKILL / "tests").mkdir(parents=True, exist_ok=True)
    with open(SKILL / "tests" / "reference.json", "w", encoding="utf-8") as out:
        json.dump(cases, out, ensure_ascii=False, indent=1)
        out.write("\n")
    print(f"{len(lexicon)} words, {len(emojis)} emoji, {len(cases)} reference cases")


if __name__ == "__main__":
    os.chdir(SKILL)
    main()
