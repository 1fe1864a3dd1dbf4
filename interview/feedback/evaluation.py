"""Run the eval's answers through the configured provider, as a real generation would.

Each answer goes through the same steps as `POST /api/v1/feedback`: the
answer's metrics, the prompt with a fresh block nonce (`prompt.py`), the
provider's stream, the assessment block filter and the assessment reader. No
record is saved: the eval measures the model and the prompt, not the storage,
and leaves no records behind in the database it runs against. No pacing
either: the text is read as fast as the upstream sends it.

Runs go out in parallel, at most `concurrency` at a time, on plain threads
(the command runs outside gevent). A failed generation is an outcome too
(`status: "error"` with the provider's error code), never an exception.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from .assessment import assessment_at_end
from .assessment_block import AssessmentBlockFilter, new_block_nonce
from .eval_dataset import EvalCase
from .eval_language import detect_language
from .metrics import compute_answer_metrics
from .prompt import build_feedback_prompt
from .providers import FeedbackProvider, ProviderError
from .providers.base import FeedbackInput

ERROR = "error"


def run_eval(
    provider: FeedbackProvider, cases: list[EvalCase], runs: int, concurrency: int
) -> list[dict[str, Any]]:
    """Every case `runs` times; the outcomes in case order, then run order."""
    jobs = [(case, run) for case in cases for run in range(1, runs + 1)]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda job: run_case(provider, *job), jobs))


def run_case(provider: FeedbackProvider, case: EvalCase, run: int) -> dict[str, Any]:
    """Generate feedback on one answer once; return what came of it, as plain data."""
    nonce = new_block_nonce()
    messages = build_feedback_prompt(case.question, case.answer, None, nonce=nonce)
    metrics = compute_answer_metrics(case.question, case.answer)
    request = FeedbackInput(case.question, case.answer, None, metrics, messages, block_nonce=nonce)
    block_filter = AssessmentBlockFilter(nonce)
    prose: list[str] = []
    error = None
    started = time.monotonic()
    try:
        stream = provider.open_stream(request)
        for piece in stream:
            prose.append(block_filter.feed(piece))
        prose.append(block_filter.flush())
    except ProviderError as exc:
        error = {"code": exc.code, "message": exc.message}
    text = "".join(prose)
    assessment = None
    if error is None:
        assessment = assessment_at_end(provider.writes_assessment, block_filter, stream)
    return {
        **asdict(case),
        "run": run,
        "status": ERROR if assessment is None else assessment["status"],
        "overall": None if assessment is None else assessment["overall"],
        "assessment": assessment,
        "error": error,
        "prose_language": detect_language(text),
        "prose": text,
        "seconds": round(time.monotonic() - started, 3),
    }
