"""Page views: each reads plain data from the domain and renders one template."""

from flask import abort, current_app, render_template, request

from ..browser_session import browser_owner
from ..extensions import current_runtime
from ..feedback.attempts import (
    attempts_at,
    compare_attempts,
    derived_score_trend,
    history_by_question,
    previous_attempt,
)
from ..feedback.cursors import InvalidCursor
from ..feedback.questions import list_questions
from ..feedback.records import get_record
from ..feedback.rubric import ANCHORS
from ..feedback.session_history import TREND_SESSIONS, criteria_trends, session_history
from ..models import STREAMING
from . import bp
from .charts import HEIGHT, WIDTH, polyline, score_trend, session_chart

OVERALL = "derived from the five criteria"
#: Sessions listed on one page of the history.
HISTORY_SESSIONS = 20


@bp.get("/")
def index():
    """Show the practice form, with the question bank and a question given in `?question=`.

    `?again=<attempt id>` fills the form with that attempt of this browser's, its
    answer included, to revise it. The answer can be spoken only where a
    transcription service is configured.
    """
    questions: dict[str, list] = {}
    for question in list_questions(current_app.config["INTERVIEW_BUILTIN_QUESTIONS"]):
        questions.setdefault(question["category"], []).append(question)
    again = request.args.get("again")
    revising = get_record(again, browser_owner()) if again else None
    return render_template(
        "index.html",
        questions=questions,
        question=revising.question if revising else request.args.get("question", "")[:2000],
        role=(revising.role or "") if revising else request.args.get("role", "")[:200],
        answer=revising.answer if revising else "",
        revising=revising,
        can_speak=current_runtime().transcriber is not None,
        answer_target_s=current_app.config["INTERVIEW_ANSWER_TARGET_S"],
    )


@bp.get("/history")
def history():
    """List this browser's mock interviews with their answers, then its other attempts by
    question, newest first. `?sessions=<cursor>` shows the next page of sessions."""
    owner = browser_owner()
    cursor = request.args.get("sessions")
    try:
        sessions, next_cursor = session_history(current_runtime(), owner, HISTORY_SESSIONS, cursor)
    except InvalidCursor:
        abort(400, "That page of the history does not exist.")
    return render_template(
        "history.html",
        sessions=sessions,
        next_sessions=next_cursor,
        groups=[] if cursor else history_by_question(owner),
        paged=cursor is not None,
    )


@bp.get("/progress")
def progress():
    """Show each criterion's mean per mock interview over this browser's latest sessions."""
    trends = criteria_trends(browser_owner())
    charts = {trend.name: session_chart(trend) for trend in trends if len(trend.points) > 1}
    return render_template(
        "progress.html",
        trends=trends,
        charts=charts,
        sessions={p.session_id for trend in trends for p in trend.points},
        trend_sessions=TREND_SESSIONS,
        judges={**{name: anchors[0] for name, anchors in ANCHORS.items()}, "overall": OVERALL},
        chart_size=(WIDTH, HEIGHT),
    )


@bp.get("/feedback/<feedback_id>")
def attempt(feedback_id: str):
    """Show one attempt in full, compared with the previous attempt at the same question."""
    owner = browser_owner()
    record = get_record(feedback_id, owner)
    if record is None:
        abort(404, "There is no such attempt in this browser's history.")
    attempts = attempts_at(record, owner)
    previous = previous_attempt(record, attempts)
    points = score_trend(derived_score_trend(attempts))
    return render_template(
        "attempt.html",
        record=record,
        live=record.status == STREAMING,
        previous=previous,
        comparison=compare_attempts(record, previous) if previous else None,
        trend=points,
        trend_line=polyline(points),
        trend_left_out=len(attempts) - len(points),
        chart_size=(WIDTH, HEIGHT),
    )
