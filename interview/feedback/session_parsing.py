"""Reading a session's model output: the generated questions and a follow-up question.

What the model writes is input like any other, so nothing here raises. The
questions are read from a numbered list (`1.` or `1)`, under any bullet or
bold), each item `[category] question` with `Why: ...` on its own line or at
the end of the item's line; a line of prose that is neither an item nor
indented under one ends the item, so text around the list is ignored. The
category may lack its brackets or be a near name (`behavioral`, `situational`,
`leadership`, `motivational`); a category the mix does not ask for becomes the
closest one it does (unknown ones count as behavioural). Items that are empty,
longer than MAX_QUESTION_CHARACTERS or repeat an earlier question are dropped.
"""

import re
from dataclasses import dataclass

from .rubric import BEHAVIOURAL, MOTIVATION, TECHNICAL

MAX_QUESTION_CHARACTERS = 500
MAX_FOLLOW_UP_CHARACTERS = 300


@dataclass(frozen=True)
class GeneratedQuestion:
    text: str
    category: str
    why: str | None


_ITEM = re.compile(r"^\s*(?:[-*+]\s+)?[*_]*\s*\d{1,2}\s*[.)][*_]*\s+(.*)$")
_WHY = re.compile(
    r"(?:^|\s+|[-–—(]\s*)[*_]*(?:why|warum|pourquoi|por qu[eé]|perch[eé]|waarom|porque)"
    r"[*_]*\s*[:：][*_]*\s*",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^(?:\[([^\]\n]{1,40})\]|\(([^)\n]{1,40})\)|([A-Za-z ]{3,30})\s*[:–—-])\s*")
_QUESTION_MARK = re.compile(r"[?？]")
_ASKING = re.compile(r"(?:tell me|walk me|talk me|describe|explain|give me|take me)\b", re.I)
_FOLLOW_UP_LABEL = re.compile(
    r"^(?:(?:follow[- ]?up|next|interviewer|question)(?: question)?\s*[:：-]\s*)+",
    re.IGNORECASE,
)


_MARKUP = re.compile(r"\*\*|__|`")
_QUOTES = "\"'“”‘’«»„"
#: a category's name as a model may write it: the session category it means
_NAMES = {
    "behavioural": BEHAVIOURAL,
    "behavioral": BEHAVIOURAL,
    "behaviour": BEHAVIOURAL,
    "behavior": BEHAVIOURAL,
    "situational": BEHAVIOURAL,
    "leadership": BEHAVIOURAL,
    "teamwork": BEHAVIOURAL,
    "technical": TECHNICAL,
    "tech": TECHNICAL,
    "coding": TECHNICAL,
    "system design": TECHNICAL,
    "motivation": MOTIVATION,
    "motivational": MOTIVATION,
    "culture": MOTIVATION,
    "cultural fit": MOTIVATION,
    "career": MOTIVATION,
}
#: category: the others, closest first
_CLOSEST = {
    BEHAVIOURAL: (MOTIVATION, TECHNICAL),
    TECHNICAL: (BEHAVIOURAL, MOTIVATION),
    MOTIVATION: (BEHAVIOURAL, TECHNICAL),
}


def parse_generated_questions(text: str, mix: dict[str, int]) -> list[GeneratedQuestion]:
    """The questions in the model's list, in order, at most `sum(mix)` of them."""
    wanted = {name: n for name, n in (mix or {}).items() if isinstance(n, int) and n > 0}
    limit = sum(wanted.values())
    questions: list[GeneratedQuestion] = []
    seen: set[str] = set()
    for body, why in _items(text or ""):
        if len(questions) >= limit:
            break
        label, question = _split_label(body)
        key = " ".join(question.casefold().split()).rstrip("?.! ")
        if not key or len(question) > MAX_QUESTION_CHARACTERS or key in seen:
            continue
        seen.add(key)
        why = why if why and len(why) <= MAX_QUESTION_CHARACTERS else None
        questions.append(GeneratedQuestion(question, _category(label, wanted), why))
    return questions


def _items(text: str) -> list[tuple[str, str | None]]:
    """Each numbered item's question (with its label) and its `Why:`, without markup."""
    items: list[tuple[list[str], list[str]]] = []
    for line in text.splitlines():
        item = _ITEM.match(line)
        cleaned = _clean(line).strip().lstrip("-*+ ")
        if item:
            items.append(([_clean(item[1])], []))
        elif not items or not cleaned:
            continue
        elif _WHY.match(cleaned):
            items[-1][1].append(cleaned)
        elif line[:1].isspace():
            items[-1][1 if items[-1][1] else 0].append(cleaned)
        else:
            items.append(([], []))  # prose: whatever follows belongs to no item
    return [_joined(" ".join(body), " ".join(why)) for body, why in items if body]


def _joined(body: str, why: str) -> tuple[str, str | None]:
    """Split a `Why:` written on the question's own line off it; drop the label."""
    inline = _WHY.search(body)
    if inline:
        body, why = body[: inline.start()], f"{body[inline.end() :]} {why}"
    why = _WHY.sub("", why.strip(), count=1) if _WHY.match(why.strip()) else why
    return body.strip(), why.strip().strip(_QUOTES + "()").strip() or None


def _split_label(body: str) -> tuple[str | None, str]:
    """The item's category label, if it has one, and the question."""
    body = _bare(body)
    found = _LABEL.match(body)
    if found:
        label = next(group for group in found.groups() if group is not None)
        bracketed = found[1] is not None or found[2] is not None
        if bracketed or label.strip().casefold() in _NAMES:
            return label, _bare(body[found.end() :])
    return None, _bare(body)


def _category(label: str | None, wanted: dict[str, int]) -> str:
    category = _NAMES.get((label or "").strip().casefold(), BEHAVIOURAL)
    if category in wanted:
        return category
    return next((other for other in _CLOSEST[category] if other in wanted), category)


def parse_follow_up(text: str) -> str | None:
    """The follow-up question in the model's text, or None when it wrote none usable.

    The first line that asks something (a question mark, or an opening such as
    "Tell me" or "Walk me through"), up to its question mark, without markup,
    quotation marks or a label such as `Follow-up:`; at most MAX_FOLLOW_UP_CHARACTERS.
    """
    for line in (text or "").splitlines():
        line = _strip_follow_up(line)
        mark = _QUESTION_MARK.search(line)
        if mark:
            line = line[: mark.end()]
        if line and not line.endswith(":") and (mark or _ASKING.match(line)):
            return line if len(line) <= MAX_FOLLOW_UP_CHARACTERS else None
    return None


def _strip_follow_up(line: str) -> str:
    line = _clean(line).strip().lstrip("#>-+ ").strip("*_ ")
    line = _FOLLOW_UP_LABEL.sub("", line).strip()
    preamble, colon, rest = line.partition(": ")
    if colon and rest[:1].isupper() and not _QUESTION_MARK.search(preamble):
        line = rest  # "Here is my follow-up: What ...?"
    return _bare(line)


def _clean(text: str) -> str:
    return _MARKUP.sub("", text)


def _bare(text: str) -> str:
    """`text` without the emphasis and quotation marks around it."""
    return text.strip().strip("*_ ").strip(_QUOTES).strip("*_ ")
