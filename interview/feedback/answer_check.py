"""Refusing answers that are plainly not an answer, before any record or model call.

`answer_problem(text)` returns why an answer is refused, or None. The rules
(INTERVIEW_ANSWER_CHECK=off turns them all off):

1. No letters at all: not one Unicode letter, in any script (`\\p{L}`): only
   digits, punctuation, symbols or emoji.
2. One word repeated: three or more words, all the same ("test test test").
   Two are let through ("No, no."), unless the word is mash ("asdf asdf").
3. Keyboard mash: every word looks typed at random. A word does when it has
   - five or more of one letter in a row ("jjjjjjjj"), in any script;
   - only neighbouring keys of one keyboard row (QWERTY, or the Russian and
     Ukrainian ЙЦУКЕН), at least five different keys ("qwerty", "фывапролдж"),
     or four on QWERTY's middle and bottom rows ("asdf", "lkjh"); shorter
     walks and the other rows spell real words ("wert", "мить", "Смит");
   - one stretch of letters repeated three times or more ("asdasdasd"), or a
     row walk repeated ("asdfasdf");
   - six or more ASCII letters with no vowel nor any letter that can carry a
     syllable in some language (a e i o u y w r l m n), and not a Roman
     numeral ("sdfkjsdfkjsdf", "kjhkjhkjh").

A word is a run of letters and combining marks. The rules look only at whole
words and refuse only when every word fails, so one real word anywhere lets
an answer through: in doubt they let junk pass rather than refuse a real
answer. A real sentence in any language, however short, always passes: "I",
"Ja.", "是的。", Thai without spaces, "3 years in Python".
"""

import regex

NO_LETTERS = "it has no letters, only digits, symbols or punctuation"
REPEATED_WORD = "it is one word repeated"
KEYBOARD_MASH = "it looks like random keys rather than words"

_LETTER = regex.compile(r"\p{L}")
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_RUN_OF_FIVE = regex.compile(r"(.)\1{4,}")
_ASCII_WORD = regex.compile(r"[a-z]+")
_SYLLABIC = frozenset("aeiouywrlmn")
_ROMAN = frozenset("ivxlcdm")
_SHORT_WALK_ROWS = ("asdfghjkl", "zxcvbnm")
_ROWS = (
    *_SHORT_WALK_ROWS,
    "qwertyuiop",
    "йцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю",
    "йцукенгшщзхї",
    "фівапролджє",
)
_NEIGHBOURS = frozenset(
    pair for row in _ROWS for a, b in zip(row, row[1:], strict=False) for pair in ((a, b), (b, a))
)
_SHORT_WALK_KEYS = frozenset("".join(_SHORT_WALK_ROWS))


def _is_row_walk(word: str) -> bool:
    keys = set(word)
    if len(keys) < (4 if keys <= _SHORT_WALK_KEYS else 5):
        return False
    return all((a, b) in _NEIGHBOURS for a, b in zip(word, word[1:], strict=False))


def _period(word: str) -> int:
    """Return the length of the shortest stretch that, repeated, spells `word`."""
    border = [0] * len(word)  # Knuth-Morris-Pratt: longest proper prefix that is also a suffix
    k = 0
    for i in range(1, len(word)):
        while k and word[i] != word[k]:
            k = border[k - 1]
        if word[i] == word[k]:
            k += 1
        border[i] = k
    return len(word) - border[-1]


def _is_repeated_stretch(word: str) -> bool:
    period = _period(word)
    if len(word) >= 6 and len(word) >= 3 * period:
        return True
    return len(word) >= 2 * period and _is_row_walk(word[:period])


def _has_no_syllable(word: str) -> bool:
    return (
        len(word) >= 6
        and _ASCII_WORD.fullmatch(word) is not None
        and not _SYLLABIC.intersection(word)
        and not set(word) <= _ROMAN
    )


def is_mash(word: str) -> bool:
    """True when one word (letters only) looks typed at random."""
    word = word.casefold()
    return (
        _RUN_OF_FIVE.search(word) is not None
        or _is_row_walk(word)
        or _is_repeated_stretch(word)
        or _has_no_syllable(word)
    )


def answer_problem(text: str) -> str | None:
    """Return why `text` is plainly not an answer, or None when it may be one."""
    if not _LETTER.search(text):
        return NO_LETTERS
    words = [word.casefold() for word in _WORD.findall(text)]
    if len(words) >= 3 and len(set(words)) == 1:
        return REPEATED_WORD
    if all(is_mash(word) for word in words):
        return KEYBOARD_MASH
    return None


def refusal_message(problem: str) -> str:
    """The 422 message for an answer refused for `problem`."""
    return (
        f"This does not look like an answer yet: {problem}. "
        "Write a sentence or two about what you did."
    )
