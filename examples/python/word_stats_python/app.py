"""word_stats_python: word, sentence and character counts of the prompt, and its most
frequent words. A Praximous Smart Skill in Python; `prax skill build` builds it with
componentize-py against the WIT package in wit/."""

import json
from collections import Counter

import wit_world
from componentize_py_types import Err
from wit_world.imports import log, types


def bad_input(message: str, details: str) -> Err:
    """A failure the caller can fix: the host answers it with HTTP 400."""
    return Err(types.Failure_BadInput(types.ErrorInfo(message=message, details=details)))


def words_of(text: str) -> list[str]:
    """Maximal runs of letters, digits and apostrophes."""
    words, current = [], []
    for char in text:
        if char.isalnum() or char == "'":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def sentences_of(text: str) -> int:
    """Runs of sentence-ending punctuation; a text without any is one sentence."""
    runs, inside = 0, False
    for char in text:
        ends = char in ".!?"
        if ends and not inside:
            runs += 1
        inside = ends
    return max(runs, 1)


class WitWorld(wit_world.WitWorld):
    def run(self, request: types.Invocation) -> types.Outcome:
        params = json.loads(request.params or "{}")
        top = params.get("top", 5)
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 50:
            raise bad_input("Input error", "'top' must be a whole number from 1 to 50.")
        words = words_of(request.prompt)
        if not words:
            raise bad_input("Input error", "The prompt has no words to count.")
        counts = Counter(word.lower() for word in words)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
        letters = sum(len(word) for word in words)
        result = {
            "words": len(words),
            "characters": len(request.prompt),
            "sentences": sentences_of(request.prompt),
            "average_word_length": letters / len(words),
            "top_words": [{"word": word, "count": count} for word, count in ranked],
            "language": "python",
        }
        log.log(log.Level.INFO, f"counted {len(words)} words")
        return types.Outcome(
            data=json.dumps(result), message=f"Counted {len(words)} words.", details=None
        )
