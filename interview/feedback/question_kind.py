"""The kind of an interview question, from English cue phrases (the offline analysis's view).

The model judges the kind itself (`rubric.py`); without a model, the first
group whose cue the question holds, as whole words, case folded, in this order:
- motivation: "why do you want", "why this", "what motivates you"...;
- behavioural, past or situational: "tell me about a", "a time", "an example of",
  "what would you do", "how would you handle"...;
- technical: "explain", "design", "difference between", "how does", "code"...;
- anything else, and every question in another language: other.
Only behavioural questions are judged on STAR.
"""

import regex

from .rubric import BEHAVIOURAL, MOTIVATION, OTHER, TECHNICAL

_CUES = {
    MOTIVATION: (
        "why do you want",
        "why would you like",
        "why this",
        "why our",
        "why us",
        "why are you interested",
        "why did you apply",
        "why should we hire",
        "why are you leaving",
        "what motivates you",
        "what interests you",
        "what attracts you",
        "where do you see yourself",
    ),
    BEHAVIOURAL: (
        "tell me about a",
        "a time",
        "an example of",
        "give an example",
        "describe a situation",
        "describe a project",
        "describe a decision",
        "have you ever",
        "what would you do",
        "what do you do",
        "how would you handle",
        "how would you respond",
        "how would you approach",
        "how would you prioritise",
        "how would you prioritize",
        "how did you",
    ),
    TECHNICAL: (
        "explain",
        "design",
        "difference between",
        "how does",
        "how do you find",
        "how would you make",
        "what happens when",
        "implement",
        "algorithm",
        "complexity",
        "architecture",
        "debug",
        "code",
        "test",
        "testing",
    ),
}
_PATTERNS = {
    kind: regex.compile(r"\b(?:" + "|".join(map(regex.escape, cues)) + r")\b")
    for kind, cues in _CUES.items()
}


def question_kind(question: str) -> str:
    """The kind of `question`: its first matching group of cues (see the module docstring)."""
    folded = question.casefold().replace("’", "'")
    for kind, pattern in _PATTERNS.items():
        if pattern.search(folded):
            return kind
    return OTHER
