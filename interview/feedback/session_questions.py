"""A session's questions from the bank, and the default mix of a session.

A session asks for counts of three kinds (`behavioural`, `technical`,
`motivation`); the bank has finer categories. Behavioural draws on the bank's
behavioural, situational and leadership questions, interleaved in that order;
technical and motivation on their own categories.

The pick is reproducible: each category's questions are shuffled with
`random.Random(seed)` (the session's id, say), so the same session, bank and
exclusions always get the same questions in the same order. Questions for the
session's role come before questions for any role; questions for another role
are left out. The order of the result is an interview's: one motivation
question opens, behavioural and technical questions alternate, and any further
motivation questions close. When a kind runs out, the others fill its places.
"""

import random
from itertools import chain, zip_longest
from typing import Any

from .questions import builtin_questions
from .rubric import BEHAVIOURAL, MOTIVATION, TECHNICAL

SESSION_CATEGORIES = (BEHAVIOURAL, TECHNICAL, MOTIVATION)
#: session category: the bank's categories it draws on, interleaved in this order
BANK_CATEGORIES = {
    BEHAVIOURAL: ("behavioural", "situational", "leadership"),
    TECHNICAL: ("technical",),
    MOTIVATION: ("motivation",),
}


def default_mix(count: int) -> dict[str, int]:
    """The default spread of `count` questions: mostly behavioural, a quarter technical,
    one motivation question per five (at least one from three questions up)."""
    count = max(count, 0)
    motivation = max(1, count // 5) if count >= 3 else 0
    technical = count // 4
    return {
        BEHAVIOURAL: count - technical - motivation,
        TECHNICAL: technical,
        MOTIVATION: motivation,
    }


def pick_bank_questions(
    mix: dict[str, int],
    role: str | None,
    exclude_ids=(),
    questions: list[dict[str, Any]] | None = None,
    *,
    seed: str = "",
) -> list[dict[str, Any]]:
    """Pick `sum(mix)` bank questions for a session (the rules are in the module docstring).

    Each is `{"bank_id", "text", "category" (the session's), "bank_category", "tips"}`;
    fewer only when the bank (`questions`, else the built-in one) has no more.
    """
    bank = builtin_questions() if questions is None else questions
    pools = {
        category: _pool(bank, category, role, set(exclude_ids), random.Random(seed))
        for category in SESSION_CATEGORIES
    }
    wanted = {category: max(int(mix.get(category) or 0), 0) for category in SESSION_CATEGORIES}
    chosen = {category: pools[category][: wanted[category]] for category in SESSION_CATEGORIES}
    spare = [q for category in SESSION_CATEGORIES for q in pools[category][wanted[category] :]]
    shortfall = sum(wanted.values()) - sum(len(picked) for picked in chosen.values())
    for question in spare[: max(shortfall, 0)]:
        chosen[question["category"]].append(question)
    return _interview_order(chosen)


def _pool(bank, category, role, excluded, rng) -> list[dict[str, Any]]:
    """The bank's questions for `category`, shuffled, for this role first, interleaved."""
    folded_role = (role or "").strip().casefold()
    groups = []
    for bank_category in BANK_CATEGORIES[category]:
        found = [q for q in bank if q.get("category") == bank_category and q["id"] not in excluded]
        own = [q for q in found if folded_role and (q.get("role") or "").casefold() == folded_role]
        general = [q for q in found if not q.get("role")]
        rng.shuffle(own)
        rng.shuffle(general)
        groups.append(own + general)
    interleaved = (q for q in chain.from_iterable(zip_longest(*groups)) if q is not None)
    return [_session_question(q, category) for q in interleaved]


def _session_question(question: dict[str, Any], category: str) -> dict[str, Any]:
    return {
        "bank_id": question["id"],
        "text": question["text"],
        "category": category,
        "bank_category": question["category"],
        "tips": question.get("tips"),
    }


def _interview_order(chosen: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    motivation = chosen[MOTIVATION]
    middle = chain.from_iterable(zip_longest(chosen[BEHAVIOURAL], chosen[TECHNICAL]))
    return [*motivation[:1], *(q for q in middle if q is not None), *motivation[1:]]
