"""An answer's metrics without a model call or a record (`feedback/metrics.py`).

The practice page asks for them as the candidate types, to mark the question's
key terms the answer uses: one rule, in Python, for the page and the records.
"""

from flask import Blueprint

from ..feedback.metrics import compute_answer_metrics
from ..schemas import answer_metrics_request_schema, answer_metrics_schema
from .negotiation import json_body

bp = Blueprint("answer_metrics", __name__, url_prefix="/answer-metrics")


@bp.post("")
def measure_answer():
    """Return the metrics a record of this question and answer would carry."""
    payload = answer_metrics_request_schema.load(json_body())
    return answer_metrics_schema.dump(
        compute_answer_metrics(payload["question"], payload["answer"])
    )
