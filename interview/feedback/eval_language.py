"""Which of the eval's languages a text is in: a cheap count of function words.

Each language has a short list of its most frequent function words (articles,
pronouns, conjunctions, prepositions); a word in two lists counts for neither.
The text is in the language whose words it uses most, if at least
MIN_HITS of them; otherwise it is `unknown`. Enough to tell English, German,
Spanish and French feedback apart (a paragraph has dozens of such words), not
a general language detector: the eval only asks whether the feedback is in the
answer's language, and the dataset's answers are checked against it in tests.
"""

from collections import Counter

import regex

UNKNOWN = "unknown"
MIN_HITS = 3

FUNCTION_WORDS = {
    "en": "the and to of a in is you that it for with was this your i on be are as "
    "what how but not have an by at or my we",
    "de": "der die das und ist nicht ich sie ein eine zu mit auf für den dem des es "
    "wir auch wie sich von ihre ihr wenn oder aber noch bei",
    "es": "el la los las de que y en un una es por con para no se lo del su como "
    "más pero al muy tu sus está esta",
    "fr": "le la les de des et est un une que en du pour pas vous je nous dans qui "
    "sur avec au ce il votre mais plus être",
}
_WORD = regex.compile(r"\p{L}+")


def _distinctive(lists: dict[str, str]) -> dict[str, str]:
    """Each word that belongs to exactly one language, mapped to it."""
    counts = Counter(word for words in lists.values() for word in set(words.split()))
    return {
        word: language
        for language, words in lists.items()
        for word in words.split()
        if counts[word] == 1
    }


_LANGUAGE_OF = _distinctive(FUNCTION_WORDS)


def detect_language(text: str) -> str:
    """The eval language `text` is most likely in (en, de, es, fr), or `unknown`."""
    hits = Counter(
        _LANGUAGE_OF[word] for word in _WORD.findall(text.lower()) if word in _LANGUAGE_OF
    )
    if not hits:
        return UNKNOWN
    (language, count), *rest = hits.most_common(2)
    if count < MIN_HITS or (rest and rest[0][1] == count):
        return UNKNOWN
    return language
