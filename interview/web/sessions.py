"""Mock interview pages: set up a session, answer it a question at a time, read its report.

The pages only render a frame; their scripts drive the session through
/api/v1/sessions (the one door to the domain) and resume from its state on a
reload. A session of another browser is a 404, as its API is.
"""

from flask import abort, current_app, render_template

from ..browser_session import browser_owner
from ..extensions import current_runtime
from ..feedback.session_reading import find_state
from ..feedback.session_state import SessionState
from . import bp

NO_SESSION = "There is no such mock interview in this browser."


def _session_or_404(session_id: str) -> SessionState:
    state = find_state(current_runtime(), session_id, browser_owner())
    if state is None:
        abort(404, NO_SESSION)
    return state


@bp.get("/interview")
def interview_setup():
    """Show the form that starts a mock interview."""
    return render_template("interview_setup.html")


@bp.get("/interview/<session_id>")
def interview_session(session_id: str):
    """Show the session's current question; its script follows the session's state."""
    state = _session_or_404(session_id)
    return render_template(
        "interview_session.html",
        session=state,
        can_speak=current_runtime().transcriber is not None,
        answer_target_s=current_app.config["INTERVIEW_ANSWER_TARGET_S"],
    )


@bp.get("/interview/<session_id>/report")
def interview_report(session_id: str):
    """Show the session's report, started here when it has none."""
    return render_template("interview_report.html", session=_session_or_404(session_id))
