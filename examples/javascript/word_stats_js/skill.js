// word_stats_js: word, sentence and character counts of the prompt, and its most frequent
// words. A Praximous Smart Skill in JavaScript; `prax skill build` builds it with
// componentize-js against the WIT package in wit/.

import { log } from 'praximous:skill/log@0.1.0';

/** A failure the caller can fix: the host answers it with HTTP 400. */
function badInput(message, details) {
  return { tag: 'bad-input', val: { message, details } };
}

/** Letters (anything with case), digits and apostrophes make words. The engine is built
 * without Unicode property escapes, so `\p{L}` is not available. */
function isWordChar(char) {
  return char === "'" || (char >= '0' && char <= '9') || char.toLowerCase() !== char.toUpperCase();
}

/** Maximal runs of letters, digits and apostrophes. */
function wordsOf(text) {
  const words = [];
  let current = '';
  for (const char of text) {
    if (isWordChar(char)) {
      current += char;
    } else if (current) {
      words.push(current);
      current = '';
    }
  }
  if (current) words.push(current);
  return words;
}

/** Runs of sentence-ending punctuation; a text without any is one sentence. */
function sentencesOf(text) {
  return Math.max((text.match(/[.!?]+/g) ?? []).length, 1);
}

export function run(request) {
  const params = JSON.parse(request.params || '{}');
  const top = params.top ?? 5;
  if (!Number.isInteger(top) || top < 1 || top > 50) {
    throw badInput('Input error', "'top' must be a whole number from 1 to 50.");
  }
  const words = wordsOf(request.prompt);
  if (words.length === 0) {
    throw badInput('Input error', 'The prompt has no words to count.');
  }
  const counts = new Map();
  for (const word of words) {
    const lower = word.toLowerCase();
    counts.set(lower, (counts.get(lower) ?? 0) + 1);
  }
  const ranked = [...counts.entries()]
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, top);
  const letters = words.reduce((sum, word) => sum + [...word].length, 0);
  const result = {
    words: words.length,
    characters: [...request.prompt].length,
    sentences: sentencesOf(request.prompt),
    average_word_length: letters / words.length,
    top_words: ranked.map(([word, count]) => ({ word, count })),
    language: 'javascript',
  };
  log('info', `counted ${words.length} words`);
  return { data: JSON.stringify(result), message: `Counted ${words.length} words.` };
}
