"""Read the score the feedback ends with (`Score: N/10`)."""

import regex

_SCORE_LINE = regex.compile(r"(?im)^[\s*_#>-]*score\s*[:：]\s*\**\s*(\d{1,2})\s*/\s*10\b")


def parse_score(feedback: str) -> int | None:
    """Return N from the last `Score: N/10` line, or None when there is no valid one."""
    matches = _SCORE_LINE.findall(feedback)
    if not matches:
        return None
    score = int(matches[-1])
    return score if 1 <= score <= 10 else None
