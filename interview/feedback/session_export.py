"""A mock interview as a Markdown document: the setting, each question and answer, the report."""

from ..models import Feedback, as_utc
from .session_state import SessionState

_STATUS_WORDS = {"pending": "not answered", "skipped": "skipped"}


def _quoted(text: str) -> str:
    """`text` as a Markdown block quote, every line of it."""
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def report_markdown(state: SessionState, report: Feedback | None) -> str:
    """The session, its answers with their scores, and the report's text if there is one."""
    day = as_utc(state.created_at).date().isoformat()
    lines = [
        f"# Mock interview: {state.role}",
        "",
        f"{state.seniority.capitalize()} level, {day}. "
        f"{state.progress['answered']} of {state.question_count} questions answered.",
        "",
    ]
    for question in state.questions:
        lines += [f"## {question.number}. {question.text}", ""]
        record = question.answer_record
        if record is None:
            lines += [f"*{_STATUS_WORDS[question.status]}*", ""]
            continue
        lines += [_quoted(record.answer), ""]
        if question.score is not None:
            lines += [f"Score: {question.score}/10", ""]
    lines += ["## Report", ""]
    if report is None:
        lines.append("*No report yet.*")
    else:
        lines.append(report.feedback or f"*The report {report.status}.*")
    return "\n".join(lines).rstrip() + "\n"
