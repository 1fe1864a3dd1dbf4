"""Whether an answer looks English: the one language the offline analysis can judge.

Dependency-free and cheap, on purpose: no language model, only two cues.
- Script: fewer than half of the answer's letters are Latin (Cyrillic, Han,
  Arabic, Devanagari...): not English.
- Function words: English prose is about 40% function words ("the", "and",
  "I", "to"...). An answer of at least MIN_WORDS words of which fewer than
  MIN_FUNCTION_SHARE are in `_ENGLISH_FUNCTION_WORDS` is in another language
  written in Latin letters (German, French, Spanish...). The list leaves out
  words that are also common in those languages ("die", "in", "was", "an").
Shorter answers are taken as English: too few words to tell, and a short
answer is judged short anyway.
"""

import regex

MIN_WORDS = 5
MIN_FUNCTION_SHARE = 0.15

_LETTER = regex.compile(r"\p{L}")
_LATIN_LETTER = regex.compile(r"\p{Latin}")
_WORD = regex.compile(r"\p{L}+(?:['’]\p{L}+)*")
_ENGLISH_FUNCTION_WORDS = frozenset(
    """a about after all am and any are as at be because been before but by can could
    did do does for from had has have he her his how i i'd i'll i'm i've if into is it
    it's its just me my no not of on or our out she so than that the their them then
    there these they this those to up us was we were what when where which while who
    why will with would you your""".split()
)


def looks_english(answer: str) -> bool:
    """Whether `answer` looks English by its script and its share of English function words."""
    letters = len(_LETTER.findall(answer))
    if letters and len(_LATIN_LETTER.findall(answer)) * 2 < letters:
        return False
    words = [word.lower().replace("’", "'") for word in _WORD.findall(answer)]
    if len(words) < MIN_WORDS:
        return True
    function_words = sum(1 for word in words if word in _ENGLISH_FUNCTION_WORDS)
    return function_words >= MIN_FUNCTION_SHARE * len(words)
