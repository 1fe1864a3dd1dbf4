"""The offline provider's session texts: honest about their origin, read by the model's parsers."""

import pytest

from interview.feedback.offline_session import (
    CRITERION_FOLLOW_UPS,
    GENERAL_FOLLOW_UP,
    STAR_FOLLOW_UPS,
    WHY,
    offline_follow_up,
    offline_questions_text,
    offline_report_text,
)
from interview.feedback.session_parsing import GeneratedQuestion, parse_follow_up
from interview.feedback.session_prompts import parse_generated_questions
from interview.feedback.session_questions import default_mix, pick_bank_questions
from interview.feedback.session_summary import summarize_session

NO_MODEL = "Offline analysis (no AI model was used)"


@pytest.mark.parametrize("count", [3, 5, 10])
@pytest.mark.parametrize("seed", ["a", "session-42"])
def test_the_offline_questions_are_read_back_by_the_parser(count, seed):
    mix = default_mix(count)
    questions = pick_bank_questions(mix, None, seed=seed)
    text = offline_questions_text(questions)
    assert text.startswith(NO_MODEL)
    assert parse_generated_questions(text, mix) == [
        GeneratedQuestion(q["text"], q["category"], WHY[q["category"]]) for q in questions
    ]


def test_a_questions_own_why_is_kept():
    questions = [{"text": "Why us?", "category": "motivation", "why": "Fit."}]
    text = offline_questions_text(questions)
    assert "1. [motivation] Why us?\n   Why: Fit." in text
    assert parse_generated_questions(text, {"motivation": 1}) == [
        GeneratedQuestion("Why us?", "motivation", "Fit.")
    ]


def star(**statuses):
    return {part: {"status": status, "quote": ""} for part, status in statuses.items()}


CRITERIA = {"relevance": 4, "structure": 4, "evidence": 2, "ownership": 2, "delivery": 3}


@pytest.mark.parametrize(
    ("assessment", "question"),
    [
        (
            {"criteria": CRITERIA, "star": star(situation="present", result="missing")},
            STAR_FOLLOW_UPS["result"],
        ),
        (
            {"star": star(situation="missing", action="partial", result="present")},
            STAR_FOLLOW_UPS["action"],
        ),
        ({"criteria": CRITERIA, "star": None}, CRITERION_FOLLOW_UPS["evidence"]),
        ({"criteria": {**CRITERIA, "relevance": 1}}, CRITERION_FOLLOW_UPS["relevance"]),
        (
            {"criteria": CRITERIA, "star": star(situation="present", result="present")},
            CRITERION_FOLLOW_UPS["evidence"],
        ),
        (None, GENERAL_FOLLOW_UP),
        ({"status": "missing", "criteria": {}, "star": None}, GENERAL_FOLLOW_UP),
        ({"criteria": {"evidence": True}, "star": {"result": "missing"}}, GENERAL_FOLLOW_UP),
    ],
)
def test_the_offline_follow_up_probes_the_weakest_point(assessment, question):
    text = offline_follow_up("Tell me about a time.", "I did it.", assessment)
    first, second = text.split("\n")
    assert first.startswith(NO_MODEL)
    assert second == question
    assert parse_follow_up(text) == question


def test_every_template_is_one_question():
    for question in [*STAR_FOLLOW_UPS.values(), *CRITERION_FOLLOW_UPS.values(), GENERAL_FOLLOW_UP]:
        assert question.endswith("?") and question.count("?") == 1
        assert parse_follow_up(question) == question


HEADINGS = (
    "**Across your answers**",
    "**Strongest answer**",
    "**Weakest answer**",
    "**Practise next**",
)


def test_the_offline_report_is_written_from_the_summary():
    session = [
        {
            "number": 1,
            "question": "Why us?",
            "answer": "I like your product. It is fast.",
            "assessment": {"criteria": {"relevance": 4, "evidence": 1}},
            "score": 5,
            "skipped": False,
        },
        {
            "number": 2,
            "question": "Tell me about a time.",
            "answer": "I shipped the release on time.",
            "assessment": {"criteria": {"relevance": 5, "evidence": 3}},
            "score": 8,
            "skipped": False,
        },
        {"number": 3, "question": "Explain DNS.", "answer": "", "skipped": True},
    ]
    summary = summarize_session(session)
    report = offline_report_text("Backend engineer", summary)
    assert report.startswith(
        f"{NO_MODEL}: a debrief computed from the scores of your answers "
        "for the Backend engineer role."
    )
    assert "You answered 2 questions and skipped 1; your mean score is 6.5/10." in report
    assert [report.index(heading) for heading in HEADINGS] == sorted(
        report.index(heading) for heading in HEADINGS
    )
    assert "- Evidence: 2.0/5 over 2 answers; lowest in answer 1." in report
    assert 'Answer 2, 8/10: "I shipped the release on time."' in report
    assert 'Answer 1, 5/10: "I like your product."' in report
    practise = report.split("**Practise next**\n", 1)[1].splitlines()
    assert [line[:3] for line in practise] == ["1. ", "2. ", "3. "]
    for line, item in zip(practise, summary["practise"], strict=True):
        assert f'"{item["question"]["text"]}"' in line and item["advice"] in line


def test_an_offline_report_of_nothing_still_has_every_heading():
    report = offline_report_text(None, summarize_session([]))
    assert report.startswith(f"{NO_MODEL}: a debrief computed from the scores of your answers.")
    assert "You answered 0 questions." in report
    assert all(heading in report for heading in HEADINGS)
    assert "No answer was scored on the criteria." in report
    assert "No answer was scored." in report
    assert offline_report_text(None, {}).count("**") == 2 * len(HEADINGS)
