"""A session's questions from the bank: the mix, reproducible by seed, in an interview's order."""

from collections import Counter

import pytest

from interview.feedback.questions import builtin_questions
from interview.feedback.session_questions import default_mix, pick_bank_questions


@pytest.mark.parametrize(
    ("count", "mix"),
    [
        (3, (2, 0, 1)),
        (4, (2, 1, 1)),
        (5, (3, 1, 1)),
        (6, (4, 1, 1)),
        (8, (5, 2, 1)),
        (10, (6, 2, 2)),
        (1, (1, 0, 0)),
        (0, (0, 0, 0)),
    ],
)
def test_the_default_mix(count, mix):
    assert default_mix(count) == dict(
        zip(("behavioural", "technical", "motivation"), mix, strict=True)
    )


def test_every_session_size_gets_a_motivation_question_and_its_count():
    for count in range(3, 11):
        mix = default_mix(count)
        assert sum(mix.values()) == count and mix["motivation"] >= 1


def test_the_pick_follows_the_mix_in_an_interviews_order():
    picked = pick_bank_questions(
        {"behavioural": 4, "technical": 2, "motivation": 2}, None, seed="s1"
    )
    assert [q["category"] for q in picked] == [
        "motivation",
        "behavioural",
        "technical",
        "behavioural",
        "technical",
        "behavioural",
        "behavioural",
        "motivation",
    ]
    behavioural = [q["bank_category"] for q in picked if q["category"] == "behavioural"]
    assert behavioural == ["behavioural", "situational", "leadership", "behavioural"]
    bank = {q["id"]: q for q in builtin_questions()}
    for q in picked:
        assert q["text"] == bank[q["bank_id"]]["text"] and q["tips"] == bank[q["bank_id"]]["tips"]
    assert len({q["bank_id"] for q in picked}) == len(picked)


def test_the_same_seed_gives_the_same_questions_and_another_seed_others():
    mix = default_mix(10)
    first = pick_bank_questions(mix, None, seed="session-1")
    assert pick_bank_questions(mix, None, seed="session-1") == first
    assert pick_bank_questions(mix, None, seed="session-2") != first


def test_excluded_questions_are_not_picked():
    mix = {"behavioural": 3, "technical": 1, "motivation": 1}
    first = pick_bank_questions(mix, None, seed="x")
    again = pick_bank_questions(mix, None, [q["bank_id"] for q in first], seed="x")
    assert len(again) == 5
    assert not {q["bank_id"] for q in first} & {q["bank_id"] for q in again}


BANK = [
    {"id": "g-1", "category": "behavioural", "text": "General 1?", "tips": None, "role": None},
    {"id": "g-2", "category": "behavioural", "text": "General 2?", "tips": None, "role": None},
    {"id": "n-1", "category": "behavioural", "text": "Nurse 1?", "tips": None, "role": "Nurse"},
    {"id": "p-1", "category": "behavioural", "text": "Pilot 1?", "tips": None, "role": "Pilot"},
    {"id": "t-1", "category": "technical", "text": "Tech 1?", "tips": None, "role": None},
    {"id": "o-1", "category": "general", "text": "Other?", "tips": None, "role": None},
]


def test_the_roles_own_questions_come_first_and_other_roles_are_left_out():
    picked = pick_bank_questions({"behavioural": 4}, "nurse", questions=BANK, seed="x")
    assert [q["bank_id"] for q in picked][0] == "n-1"
    assert {q["bank_id"] for q in picked} == {"n-1", "g-1", "g-2", "t-1"}
    without_role = pick_bank_questions({"behavioural": 4}, None, questions=BANK, seed="x")
    assert "n-1" not in {q["bank_id"] for q in without_role}


def test_a_kind_that_runs_out_is_filled_from_the_others():
    picked = pick_bank_questions({"motivation": 10}, None, seed="x")
    assert len(picked) == 10
    assert Counter(q["category"] for q in picked)["motivation"] == 8
    tiny = pick_bank_questions({"technical": 3, "nonsense": 4}, None, questions=BANK, seed="x")
    assert [q["category"] for q in tiny] == ["behavioural", "technical", "behavioural"]
    assert pick_bank_questions({}, None, seed="x") == []
