"""What changed in an answer from one attempt to the next, word by word, for the attempt page.

Words are compared as written (case and punctuation count); the space after a
word belongs to it. Long unchanged stretches are cut to their ends around an
ellipsis so the changes stand out.
"""

import difflib
from dataclasses import dataclass

import regex

SAME, ADDED, REMOVED = "same", "added", "removed"
#: Unchanged words kept on each side of a change; a longer unchanged run is cut.
CONTEXT_WORDS = 6
ELLIPSIS = "… "

_WORD_AND_SPACE = regex.compile(r"\S+\s*")


@dataclass(frozen=True)
class Segment:
    kind: str  # SAME, ADDED or REMOVED
    text: str


@dataclass(frozen=True)
class AnswerChanges:
    segments: list[Segment]
    words_added: int
    words_removed: int

    @property
    def unchanged(self) -> bool:
        return not (self.words_added or self.words_removed)


def answer_changes(before: str, after: str) -> AnswerChanges:
    """Return the word-level changes that turn `before` into `after`."""
    old, new = _WORD_AND_SPACE.findall(before.strip()), _WORD_AND_SPACE.findall(after.strip())
    matcher = difflib.SequenceMatcher(
        None, [w.rstrip() for w in old], [w.rstrip() for w in new], autojunk=False
    )
    segments: list[Segment] = []
    added = removed = 0
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            segments.append(
                Segment(SAME, _shortened(old[i1:i2], index > 0, index < len(opcodes) - 1))
            )
            continue
        if i2 > i1:
            text = "".join(old[i1:i2])
            # the last word of the answer has no space after it to part it from the new words
            segments.append(Segment(REMOVED, text if text[-1].isspace() else text + " "))
            removed += i2 - i1
        if j2 > j1:
            segments.append(Segment(ADDED, "".join(new[j1:j2])))
            added += j2 - j1
    if not (added or removed):
        return AnswerChanges([], 0, 0)
    return AnswerChanges(segments, added, removed)


def _shortened(words: list[str], after_change: bool, before_change: bool) -> str:
    """An unchanged run: kept whole when short, else only the words next to a change."""
    keep = CONTEXT_WORDS * (after_change + before_change)
    if len(words) <= keep + 1:
        return "".join(words)
    head = words[:CONTEXT_WORDS] if after_change else []
    tail = words[-CONTEXT_WORDS:] if before_change else []
    return "".join(head) + ELLIPSIS + "".join(tail)
