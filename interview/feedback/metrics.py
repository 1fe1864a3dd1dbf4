"""Answer metrics, computed before any model call and stored on every record.

`compute_answer_metrics(question, answer)` returns:

    {
      "word_count": 54, "speaking_time_s": 25, "words_per_minute": 130,
      "sentence_count": 3, "avg_sentence_words": 18.0,
      "filler_words": {"um": 1, "you know": 1}, "filler_count": 2,
      "star": {"situation": True, "task": False, "action": True, "result": True},
      "star_cues": {"situation": ["when i was"], "task": [], ...},
      "star_applicable": True,
      "key_terms": {"terms": ["conflict", "team"], "used": ["conflict"], "missing": ["team"]},
    }

Rules:
- A word is a run of letters, marks, digits and inner apostrophes or hyphens; in
  scripts written without spaces (Han, Hiragana, Katakana, Thai) each character
  counts as a word, which is close to how such text is timed when spoken.
- Fillers are counted as whole words or phrases. "like", "right" and "so" are
  also ordinary words, so they count only where they stand apart: "like" next
  to a comma ("it was, like, hard"), "right" as a tag or opener (", right?",
  "Right,"), "so" followed by a comma at the start of the answer, a sentence or a clause.
- STAR cues are English phrases; answers in other languages mostly show none.
  `star_applicable` says whether the cues can mean anything: the question is
  behavioural (`question_kind.py`) and the answer looks English
  (`answer_language.py`). Where it is false the pages show no keyword STAR hints.
- Key terms of the question are its content words (stopwords dropped, four
  letters or more, or an acronym), at most eight; an answer uses a term when one
  of its words shares the term's stem (plural and -ed/-ing endings dropped).
  The stopwords are English, and the function words and question verbs ("tell",
  "describe") of German, French, Spanish, Italian, Portuguese and Dutch, so a
  question in those languages does not list "diese" or "warum" as its terms; an
  elided article or pronoun ("d'une", "parlez-moi") is dropped with its word.
"""

from collections.abc import Callable
from typing import Any

import regex

from .answer_language import looks_english
from .question_kind import question_kind
from .rubric import BEHAVIOURAL

WORDS_PER_MINUTE = 130
STAR_PARTS = ("situation", "task", "action", "result")

_NO_SPACE_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}"
# A letter, mark or digit outside those scripts: one set (regex's V1 set
# difference), tested once per character.
_SPACED_WORD_CHARACTER = rf"[[\p{{L}}\p{{M}}\p{{N}}]--[{_NO_SPACE_SCRIPTS}]]"
_TOKEN = regex.compile(
    rf"[{_NO_SPACE_SCRIPTS}]|{_SPACED_WORD_CHARACTER}+(?:['’\-]{_SPACED_WORD_CHARACTER}+)*",
    regex.V1,
)
# A sentence holds a word: a run from a word's first character up to the next
# sentence end. (Words hold no sentence end, so each lies within one sentence.)
_SENTENCE = regex.compile(rf"[\p{{L}}\p{{M}}\p{{N}}{_NO_SPACE_SCRIPTS}][^.!?。！？]*")

_FILLERS = {
    "um": r"\bu+m+\b",
    "uh": r"\bu+h+\b",
    "er": r"\ber+\b",
    "ah": r"\bah+\b",
    "you know": r"\byou know\b",
    "basically": r"\bbasically\b",
    "actually": r"\bactually\b",
    "literally": r"\bliterally\b",
    "sort of": r"\bsort of\b",
    "kind of": r"\bkind of\b",
    "kinda": r"\bkinda\b",
    "i mean": r"\bi mean\b",
    "so yeah": r"\bso yeah\b",
    "like": r"(?:,\s*like\b|\blike\s*,)",
    "right": r"(?:,\s*right\s*[?,.!]|(?:^|[.!?]\s+)right\s*,)",
    "so": r"(?:^|[.!?,]\s*)so\s*,",
}
_FILLER_PATTERNS = {name: regex.compile(p, regex.IGNORECASE) for name, p in _FILLERS.items()}

_STAR_CUES = {
    "situation": (
        "when i was",
        "at my previous",
        "at my last",
        "in my last role",
        "in my previous role",
        "we had",
        "the situation",
        "at the time",
        "there was a",
        "our team was",
        "i was working",
    ),
    "task": (
        "my task",
        "i was responsible",
        "my responsibility",
        "my goal",
        "my job was",
        "needed to",
        "had to",
        "i was asked",
        "the goal was",
        "my role was",
    ),
    "action": (
        "i decided",
        "i built",
        "i led",
        "i implemented",
        "i organized",
        "i organised",
        "i talked",
        "i created",
        "i proposed",
        "i wrote",
        "i set up",
        "i worked with",
        "i met",
        "i started",
        "i designed",
        "i analyzed",
        "i analysed",
        "i introduced",
    ),
    "result": (
        "as a result",
        "resulted in",
        "which led to",
        "increased",
        "reduced",
        "improved",
        "saved",
        "in the end",
        "outcome",
        "%",
        "percent",
        "we shipped",
        "we delivered",
        "cut",
        "grew",
        "i learned",
    ),
}

_STOPWORDS = frozenset(
    """about above after again against because been before being below between both
    could describe does doing down during each explain from further give have having
    here into just more most other over same should some such tell than that their
    them then there these they this those through time under until very want were what
    when where which while who whom why will with would your yours you've would like
    ever example situation share walk""".split()
)
# Function words and question verbs of four letters or more in languages the
# key terms would otherwise take them from (three-letter words are no terms).
_OTHER_LANGUAGES_STOPWORDS = frozenset(
    """aber alle allem allen aller alles also andere anderen auch dass dein deine
    deinem deinen deiner dem den denn dessen diese diesem diesen dieser dieses doch
    durch eine einem einen einer eines erzählen erzähle beschreiben beschreibe
    erklären erkläre haben hast hatte hatten ihnen ihre ihrem ihren ihrer ihres
    jede jedem jeden jeder jedes kann kannst können könnten mein meine meinem
    meinen meiner mich mein möchten nach nicht noch oder ohne schon sehr sein
    seine seinem seinen seiner sich sind über unser unsere unserem unseren unserer
    vielleicht warum weil welche welchem welchen welcher welches wenn werden wieso
    wird wollen würden zwischen
    alors aussi autre autres avec avez avoir avons cela celle celui cette comme
    comment dans depuis donc elle elles entre être fait faire leur leurs mais même
    nous notre nos parce peut plus pour pourquoi quand quel quelle quelles quels
    sans sont sous votre vous décrivez décrire expliquez parlez racontez
    algún alguna alguno cómo como cuál cuando cuándo desde donde dónde durante
    ella ellos entre esta este esto estos estas están fue fueron hacer hasta para
    pero porque por qué puede quiere quién sobre suya suyo tiene tuvo usted ustedes
    nuestra nuestro nuestros nuestras describa describe cuénteme cuéntame háblame
    explique
    anche con cosa della delle dello degli dove essere hanno loro molto nella
    nelle nostro nostra perché però quale quali quando quello questa questo sono
    sulla vostro vostra descriva racconti parli
    isso isto onde pela pelo porquê qual quais seja também você vocês nossa nosso
    conte fale
    alle andere deze heeft hebben hoe jouw kunnen maar meer naar niet onze
    over voor waar waarom wanneer welke worden zijn beschrijf vertel""".split()
)
# An elided article or pronoun: "d'une", "l'équipe", "parlez-moi".
_ELISION = regex.compile(r"^\p{L}{1,2}['’]|-(?:moi|nous|vous|toi|lui|mir|me|le|la)$")
_MAX_TERMS = 8


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def count_words(text: str) -> int:
    """How many words `text` holds, by the rule above."""
    return len(_words(text))


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def count_fillers(answer: str) -> dict[str, int]:
    """How often each filler word or phrase stands in `answer` (the rules above)."""
    # Every match of a filler's pattern contains its name, case folded: the
    # patterns only run on answers that do.
    folded = answer.casefold()
    counts = {
        name: len(pattern.findall(answer))
        for name, pattern in _FILLER_PATTERNS.items()
        if name in folded
    }
    return {name: count for name, count in counts.items() if count}


def _star(answer: str) -> tuple[dict[str, bool], dict[str, list[str]]]:
    lowered = answer.lower()
    cues = {
        part: [cue for cue, found_in in matchers if found_in(lowered)][:5]
        for part, matchers in _STAR_MATCHERS.items()
    }
    return {part: bool(found) for part, found in cues.items()}, cues


def _phrase_matcher(phrase: str) -> Callable[[str], bool]:
    """A test for `phrase` in lowered text: as whole words, unless it starts with a symbol."""
    if not phrase[0].isalpha():
        return lambda lowered: phrase in lowered
    pattern = regex.compile(rf"\b{regex.escape(phrase)}\b")
    return lambda lowered: phrase in lowered and pattern.search(lowered) is not None


_STAR_MATCHERS = {
    part: [(cue, _phrase_matcher(cue)) for cue in phrases] for part, phrases in _STAR_CUES.items()
}


def _is_content_word(word: str) -> bool:
    return len(word) >= 4 and word not in _STOPWORDS and word not in _OTHER_LANGUAGES_STOPWORDS


def _key_terms(question: str, answer_words: list[str]) -> dict[str, list[str]]:
    terms: list[str] = []
    for word in _words(question):
        acronym = len(word) >= 2 and word.isupper()
        term = word if acronym else _ELISION.sub("", word.lower())
        if (acronym or _is_content_word(term)) and term not in terms:
            terms.append(term)
    terms = terms[:_MAX_TERMS]
    answer_stems = {_stem(word) for word in set(answer_words)}
    used = [term for term in terms if _stem(term) in answer_stems]
    return {"terms": terms, "used": used, "missing": [t for t in terms if t not in used]}


def compute_answer_metrics(question: str, answer: str) -> dict[str, Any]:
    """Return the metrics of `answer` to `question` (see the module docstring)."""
    words = _words(answer)
    word_count = len(words)
    sentence_count = len(_SENTENCE.findall(answer))
    fillers = count_fillers(answer)
    star, star_cues = _star(answer)
    return {
        "word_count": word_count,
        "speaking_time_s": round(word_count * 60 / WORDS_PER_MINUTE),
        "words_per_minute": WORDS_PER_MINUTE,
        "sentence_count": sentence_count,
        "avg_sentence_words": round(word_count / sentence_count, 1) if sentence_count else 0.0,
        "filler_words": fillers,
        "filler_count": sum(fillers.values()),
        "star": star,
        "star_cues": star_cues,
        "star_applicable": question_kind(question) == BEHAVIOURAL and looks_english(answer),
        "key_terms": _key_terms(question, words),
    }
