"""The rubric the model scores against, and the rule that derives the overall score.

Five criteria, each scored on a 1-5 scale with anchored descriptions of a low
(1), a middle (3) and a high (5) mark: fewer levels than 1-10, each one
described, so the same answer lands on the same mark from one attempt to the
next. The overall score is never a number the model gives: it is derived here
from the criteria (`overall_score`), so it can only move when a criterion does.
"""

from decimal import ROUND_HALF_UP, Decimal

#: The version of the assessment's shape and rules, stored inside each assessment.
ASSESSMENT_VERSION = "1"

SCALE_MIN, SCALE_MAX = 1, 5
CRITERIA = ("relevance", "structure", "evidence", "ownership", "delivery")

#: criterion: (what it judges, a 1, a 3, a 5)
ANCHORS = {
    "relevance": (
        "does it answer the question that was asked?",
        "answers another question, or none",
        "answers the question in part, or only after a detour",
        "answers exactly the question asked, from the first sentence",
    ),
    "structure": (
        "for behavioural questions STAR (situation, task, action, result); otherwise, "
        "easy to follow",
        "no discernible order; the listener cannot follow it",
        "an order that can be followed, with a part missing or out of place",
        "a clear order from start to end (for behavioural questions, all four STAR parts)",
    ),
    "evidence": (
        "concrete examples, numbers and outcomes rather than generalities",
        "only generalities or claims",
        "one concrete example, without numbers or an outcome",
        "specific examples with numbers or a verifiable outcome",
    ),
    "ownership": (
        'the candidate\'s own actions and decisions ("I", not only "we")',
        'only what others or "we" did; the candidate\'s part is unknown',
        "the candidate's part is there but vague or mixed with the team's",
        "clear about what the candidate decided and did, and why",
    ),
    "delivery": (
        "concise enough to say in about two minutes, without filler",
        "far too long or too short, or mostly filler",
        "the right length, with some filler or repetition",
        "concise, fluent and easy to say in about two minutes",
    ),
}

BEHAVIOURAL, TECHNICAL, MOTIVATION, OTHER = "behavioural", "technical", "motivation", "other"
QUESTION_KINDS = (BEHAVIOURAL, TECHNICAL, MOTIVATION, OTHER)
STAR_PARTS = ("situation", "task", "action", "result")
PRESENT, PARTIAL, MISSING = "present", "partial", "missing"
STAR_STATUSES = (PRESENT, PARTIAL, MISSING)
MAX_QUOTE_CHARACTERS = 300

OVERALL_MIN, OVERALL_MAX = 1, 10


def overall_score(criteria: dict[str, int]) -> int | None:
    """The overall score 1-10 from the five criteria (1-5 each); None unless all five are given.

    The rule: the mean of the five (equal weights) mapped linearly from 1..5
    onto 1..10, rounded half up: all 1s give 1, all 3s give 6 (5.5 rounded up),
    all 5s give 10. Exact decimal arithmetic, so the same criteria always give
    the same score.
    """
    if any(criteria.get(name) is None for name in CRITERIA):
        return None
    mean = Decimal(sum(criteria[name] for name in CRITERIA)) / len(CRITERIA)
    stretch = Decimal(OVERALL_MAX - OVERALL_MIN) / (SCALE_MAX - SCALE_MIN)
    scaled = OVERALL_MIN + (mean - SCALE_MIN) * stretch
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


COMPLETE, PARTIAL_ASSESSMENT, MALFORMED, ABSENT, UNAVAILABLE = (
    "complete",
    "partial",
    "malformed",
    "missing",
    "unavailable",
)
ASSESSMENT_STATUSES = (COMPLETE, PARTIAL_ASSESSMENT, MALFORMED, ABSENT, UNAVAILABLE)

#: Who judged: the model, in its assessment block, or the offline analysis's rules.
MODEL, HEURISTIC = "model", "heuristic"
ASSESSMENT_METHODS = (MODEL, HEURISTIC)
