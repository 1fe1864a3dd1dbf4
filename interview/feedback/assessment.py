"""Read the model's assessment block into the record's `assessment`.

The block (`assessment_block.py`) is JSON: the question's kind, a score per
criterion and, for behavioural questions, the STAR parts. Each part is
validated on its own (`assessment_schemas.py`), so one bad value costs that value, not the
rest: the assessment is `complete`, `partial` (with the reason naming what is
missing or invalid) or `malformed` (nothing usable). No block at all is
`missing`. The overall score is derived from the criteria (`rubric.py`) only
when all five are valid. Nothing here raises: whatever the model wrote, the
record is saved with its prose and an honest assessment.
"""

from typing import Any

import orjson
import regex
from marshmallow import ValidationError

from .assessment_block import AssessmentBlockFilter
from .assessment_schemas import model_assessment_schema, model_criteria_schema, model_star_schema
from .rubric import (
    ABSENT,
    ASSESSMENT_VERSION,
    BEHAVIOURAL,
    COMPLETE,
    CRITERIA,
    MALFORMED,
    MODEL,
    PARTIAL_ASSESSMENT,
    STAR_PARTS,
    overall_score,
)

# A model may wrap the JSON in a Markdown code fence although asked not to.
_FENCE = regex.compile(r"^\s*```[a-zA-Z]*\s*|\s*```\s*$")


def empty_assessment(status: str, reason: str) -> dict[str, Any]:
    """An assessment of the model's with nothing judged: `missing` or `malformed`, and why."""
    return {
        "version": ASSESSMENT_VERSION,
        "method": MODEL,
        "status": status,
        "reason": reason,
        "question_kind": None,
        "criteria": {},
        "star": None,
        "overall": None,
    }


def assessment_at_end(
    writes_assessment: bool, block_filter: AssessmentBlockFilter, stream: Any
) -> dict[str, Any] | None:
    """The assessment once the text has ended: the model's block as read, or, from a
    provider that writes none (offline), the one its `stream` hands over."""
    if not writes_assessment:
        return stream.assessment
    return read_assessment(block_filter.block, block_filter.unclosed, block_filter.overflowed)


def read_assessment(
    block: str | None, unclosed: str | None = None, overflowed: bool = False
) -> dict[str, Any]:
    """The assessment from the block's text; `unclosed` is a block the text ended inside.

    `overflowed`: the block ran past its cap and was dropped (`assessment_block.py`).
    """
    if overflowed and block is None:
        return empty_assessment(MALFORMED, "the assessment block is too long")
    text = block if block is not None else unclosed
    if text is None:
        return empty_assessment(ABSENT, "the model wrote no assessment block")
    try:
        data = orjson.loads(_FENCE.sub("", text))
    except orjson.JSONDecodeError:
        return empty_assessment(MALFORMED, "the assessment block is not valid JSON")
    if not isinstance(data, dict):
        return empty_assessment(MALFORMED, "the assessment block is not a JSON object")
    problems: list[str] = [] if block is not None else ["the block was not closed"]
    top = _valid_part(model_assessment_schema, data, problems, "")
    kind = top.get("question_kind")
    criteria = _valid_part(model_criteria_schema, data.get("criteria"), problems, "criteria.")
    star = None
    if kind == BEHAVIOURAL:
        star = _valid_part(model_star_schema, data.get("star"), problems, "star.")
        star = {part: star.get(part) for part in STAR_PARTS}
    judged = bool(criteria) or kind is not None
    if not judged:
        return empty_assessment(MALFORMED, "nothing usable: " + ", ".join(problems))
    return {
        "version": ASSESSMENT_VERSION,
        "method": MODEL,
        "status": PARTIAL_ASSESSMENT if problems else COMPLETE,
        "reason": ("invalid or missing: " + ", ".join(problems)) if problems else None,
        "question_kind": kind,
        "criteria": {name: criteria[name] for name in CRITERIA if name in criteria},
        "star": star,
        "overall": overall_score(criteria),
    }


def _valid_part(schema, data: Any, problems: list[str], prefix: str) -> dict[str, Any]:
    """What of `data` the schema accepts; the names of what it refuses go into `problems`."""
    if not isinstance(data, dict):
        problems.append(prefix.rstrip(".") or "the block")
        return {}
    try:
        return schema.load(data)
    except ValidationError as exc:
        problems.extend(prefix + name for name in sorted(exc.messages))
        return exc.valid_data or {}
