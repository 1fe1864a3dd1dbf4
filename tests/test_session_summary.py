"""A session's summary: figures from the assessments, quotes from the answers, bank practice."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from interview.feedback.questions import builtin_questions
from interview.feedback.rubric import CRITERIA
from interview.feedback.session_summary import QUOTE_CHARACTERS, answer_quote, summarize_session


def assessment(relevance, structure, evidence, ownership, delivery, star=None, overall=None):
    scores = (relevance, structure, evidence, ownership, delivery)
    criteria = {name: s for name, s in zip(CRITERIA, scores, strict=True) if s is not None}
    return {"status": "complete", "criteria": criteria, "star": star, "overall": overall}


def answered(number, answer, assessment=None, score=None, question=None, **more):
    return {
        "number": number,
        "question": question or f"Question {number}?",
        "category": "behavioural",
        "answer": answer,
        "assessment": assessment,
        "score": score,
        "skipped": False,
        **more,
    }


def skipped(number, question=None):
    return {**answered(number, "", question=question), "skipped": True}


STAR = {
    "situation": {"status": "present", "quote": "At Acme"},
    "task": {"status": "present", "quote": "I owned the queue"},
    "action": {"status": "present", "quote": "I rewrote the consumer"},
    "result": {"status": "missing", "quote": ""},
}
SESSION = [
    answered(1, "I like building things. Also tea.", assessment(4, 3, 1, 3, 4), score=6),
    answered(
        2,
        "At Acme I owned the queue. I rewrote the consumer in Go. Latency fell by half.",
        assessment(5, 4, 4, 5, 4, star=STAR),
        score=8,
    ),
    skipped(3),
    answered("3a", "We fixed it together.", assessment(3, 2, 1, 1, 3), score=4),
    answered(4, "Indexes are B-trees.", assessment(4, 4, 2, 3, 4), score=6),
]


def test_the_summary_of_a_session():
    summary = summarize_session(SESSION)
    assert json.loads(json.dumps(summary)) == summary
    assert summary["answered"] == 4 and summary["skipped"] == 1
    assert summary["criteria"] == {
        "relevance": {"mean": 4.0, "count": 4, "lowest_number": "3a"},
        "structure": {"mean": 3.3, "count": 4, "lowest_number": "3a"},
        "evidence": {"mean": 2.0, "count": 4, "lowest_number": 1},
        "ownership": {"mean": 3.0, "count": 4, "lowest_number": "3a"},
        "delivery": {"mean": 3.8, "count": 4, "lowest_number": "3a"},
    }
    assert summary["overall"] == 6.0
    assert summary["strongest"] == {
        "number": 2,
        "question": "Question 2?",
        "score": 8,
        "quote": "I rewrote the consumer",
    }
    assert summary["weakest"] == {
        "number": "3a",
        "question": "Question 3a?",
        "score": 4,
        "quote": "We fixed it together.",
    }
    assert [item["criterion"] for item in summary["practise"]] == [
        "evidence",
        "ownership",
        "structure",
    ]


def test_means_are_rounded_half_up_to_one_decimal():
    session = [
        answered(n, "A.", assessment(s, s, s, s, s), score=s) for n, s in enumerate([1, 1, 1, 2], 1)
    ]
    summary = summarize_session(session)
    assert summary["criteria"]["relevance"]["mean"] == 1.3
    assert summary["overall"] == 1.3


def test_ties_go_to_the_earlier_answer():
    session = [
        answered(1, "One.", assessment(3, 3, 3, 3, 3), score=6),
        answered(2, "Two.", assessment(3, 3, 3, 3, 3), score=8),
        answered(3, "Three.", assessment(3, 3, 3, 3, 3), score=8),
        answered(4, "Four.", assessment(3, 3, 3, 3, 3), score=6),
    ]
    summary = summarize_session(session)
    assert summary["strongest"]["number"] == 2
    assert summary["weakest"]["number"] == 1
    assert summary["criteria"]["structure"]["lowest_number"] == 1


def test_there_is_no_weakest_answer_of_one_or_of_equal_scores():
    one = summarize_session([answered(1, "Only.", score=7)])
    assert one["strongest"]["number"] == 1 and one["weakest"] is None
    equal = summarize_session([answered(1, "A.", score=7), answered(2, "B.", score=7)])
    assert equal["strongest"]["number"] == 1 and equal["weakest"] is None


def test_the_score_falls_back_to_the_assessments_overall():
    session = [
        answered(1, "A.", {"overall": 9, "criteria": {}}),
        answered(2, "B.", score=5),
        answered(3, "C.", {"overall": True}, score="10"),
    ]
    summary = summarize_session(session)
    assert summary["overall"] == 7.0
    assert summary["strongest"]["number"] == 1 and summary["weakest"]["number"] == 2


def test_missing_and_partial_assessments_count_only_what_they_scored():
    session = [
        answered(1, "A.", None),
        answered(2, "B.", {"status": "missing", "criteria": {}, "star": None, "overall": None}),
        answered(3, "C.", {"criteria": {"evidence": 2, "structure": "5", "ownership": 9}}),
        answered(4, "D.", {"criteria": {"evidence": 4, "relevance": True}, "star": "bad"}),
        answered(5, "E.", "not a dict"),
    ]
    summary = summarize_session(session)
    assert summary["criteria"] == {"evidence": {"mean": 3.0, "count": 2, "lowest_number": 3}}
    assert summary["overall"] is None
    assert summary["strongest"] is None and summary["weakest"] is None
    # the scored criterion first, then the unscored ones in rubric order
    assert [item["criterion"] for item in summary["practise"]] == [
        "evidence",
        "relevance",
        "structure",
    ]


def test_an_empty_session():
    summary = summarize_session([])
    assert summary == {
        "answered": 0,
        "skipped": 0,
        "criteria": {},
        "overall": None,
        "strongest": None,
        "weakest": None,
        "practise": summary["practise"],
    }
    assert len(summary["practise"]) == 3


def test_skipped_questions_are_counted_but_not_judged():
    session = [
        {**answered(1, "A.", assessment(1, 1, 1, 1, 1), score=1), "skipped": True},
        answered(2, "B.", assessment(5, 5, 5, 5, 5), score=10),
    ]
    summary = summarize_session(session)
    assert summary["answered"] == 1 and summary["skipped"] == 1
    assert summary["criteria"]["relevance"] == {"mean": 5.0, "count": 1, "lowest_number": 2}
    assert summary["weakest"] is None


def test_a_quote_the_answer_does_not_hold_is_not_used():
    star = {"action": {"status": "present", "quote": "I rebuilt everything"}}
    answer = "I rebuilt it. Then we shipped."
    assert answer_quote(answer, {"star": star}) == "I rebuilt it."


def test_the_star_quote_prefers_the_action_then_the_result():
    answer = "At Acme, I owned search. I rewrote the indexer. Queries got 3x faster."
    star = {
        "situation": {"status": "present", "quote": "At Acme"},
        "action": {"status": "missing", "quote": ""},
        "result": {"status": "present", "quote": "Queries got 3x faster"},
    }
    assert answer_quote(answer, {"star": star}) == "Queries got 3x faster"


def test_a_long_first_sentence_is_cut_at_a_word():
    answer = "I " + "really " * 40 + "led it. Then more."
    quote = answer_quote(answer, None)
    assert len(quote) <= QUOTE_CHARACTERS
    assert quote.endswith("really…")
    assert answer.startswith(quote[:-1])


def test_quotes_of_odd_answers():
    assert answer_quote("", None) == ""
    assert answer_quote(None, None) == ""
    assert answer_quote("   \n no full stop here", None) == "no full stop here"
    assert answer_quote("x" * 500, None) == "x" * (QUOTE_CHARACTERS - 1) + "…"
    assert answer_quote("Version 2.5 shipped. Fine.", None) == "Version 2.5 shipped."


def test_practice_questions_exercise_the_criterion_and_were_not_asked():
    bank = builtin_questions()
    asked = [
        answered(1, "A.", assessment(5, 1, 5, 5, 5), score=7, question=bank[0]["text"]),
        answered(2, "B.", assessment(5, 2, 5, 5, 5), score=8, bank_id=bank[1]["id"]),
        skipped(3, question=bank[2]["text"].upper()),
    ]
    practise = summarize_session(asked)["practise"]
    assert [item["criterion"] for item in practise] == ["structure", "relevance", "evidence"]
    assert practise[0]["advice"] == (
        "A clear order from start to end (for behavioural questions, all four STAR parts)."
    )
    ids = [item["question"]["id"] for item in practise]
    assert len(set(ids)) == 3
    assert not {bank[0]["id"], bank[1]["id"], bank[2]["id"]} & set(ids)
    assert practise[0]["question"]["category"] == "behavioural"
    assert practise[1]["question"]["category"] == "situational"
    by_id = {q["id"]: q for q in bank}
    assert all(
        item["question"]["text"] == by_id[item["question"]["id"]]["text"] for item in practise
    )
    assert summarize_session(asked)["practise"] == practise


def test_a_bank_without_a_fitting_question_gives_none():
    bank = [{"id": "x-1", "category": "technical", "text": "Explain DNS.", "tips": ""}]
    practise = summarize_session([], questions=bank)["practise"]
    assert [item["question"] for item in practise] == [
        None,
        None,
        {"id": "x-1", "text": "Explain DNS.", "category": "technical"},
    ]


JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 12) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["criteria", "star", "overall", "quote", "status", *CRITERIA]),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "number": st.integers(1, 10) | st.text(max_size=3),
                "question": JUNK,
                "answer": JUNK,
                "assessment": JUNK,
                "score": JUNK,
                "skipped": st.booleans(),
                "bank_id": JUNK,
            },
        )
        | JUNK,
        max_size=6,
    )
)
def test_the_summary_never_raises_on_partial_input(session):
    summary = summarize_session(session)
    assert json.loads(json.dumps(summary)) == summary
    assert len(summary["practise"]) == 3
