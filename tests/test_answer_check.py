"""What is plainly not an answer is refused before any model call; real answers never are."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview.feedback.answer_check import (
    KEYBOARD_MASH,
    NO_LETTERS,
    REPEATED_WORD,
    answer_problem,
    refusal_message,
)

from .test_validation import assert_no_records, assert_problem

FEEDBACK = "/api/v1/feedback"
QUESTION = "Tell me about a time you led a team."

REAL_ANSWERS = [
    "I",
    "Yes.",
    "No, I disagree.",
    "No, no.",
    "I led the team.",
    "3 years in Python",
    "C++ and SQL.",
    "HTTPS",
    "QWERTY is the layout I use, and I type fast on it.",
    "Oui, j'ai dirigé l'équipe.",
    "Ja.",
    "Ja, ich habe das Team geleitet.",
    "Wert.",
    "Sí, lideré el equipo.",
    "Treze.",
    "Tak, kierowałem zespołem.",
    "Strč prst skrz krk.",
    "Scvrnkls.",
    "Jäääär.",
    "Да, я руководил командой.",
    "Мить.",
    "Ναι, ηγήθηκα της ομάδας.",
    "是",
    "是的，我领导了团队。",
    "谢谢",
    "はい、チームを率いました。",
    "いろいろ",
    "네, 제가 팀을 이끌었습니다.",
    "نعم، قدت الفريق.",
    "כן, הובלתי את הצוות.",
    "हाँ, मैंने टीम का नेतृत्व किया।",
    "ผมเป็นหัวหน้าทีม",
    "Xin chào, tôi đã dẫn dắt nhóm.",
    "Evet, ekibi yönettim.",
    "Ndiyo.",
    "MCMXCIV",
]

JUNK = [
    ("12345", NO_LETTERS),
    ("!!! ???", NO_LETTERS),
    ("👍👍👍", NO_LETTERS),
    ("2019-2024 / 40%", NO_LETTERS),
    ("test test test test", REPEATED_WORD),
    ("Yes yes yes yes yes", REPEATED_WORD),
    ("ok, OK, ok.", REPEATED_WORD),
    ("asdf asdf", KEYBOARD_MASH),
    ("asdf", KEYBOARD_MASH),
    ("asdfghjkl", KEYBOARD_MASH),
    ("qwertyuiop", KEYBOARD_MASH),
    ("lkjhgfdsa", KEYBOARD_MASH),
    ("zxcvbnm", KEYBOARD_MASH),
    ("jjjjjjjj", KEYBOARD_MASH),
    ("aaaaaaaaaaaa!", KEYBOARD_MASH),
    ("sdfkjsdfkjsdf", KEYBOARD_MASH),
    ("asdasdasd", KEYBOARD_MASH),
    ("asdfasdf", KEYBOARD_MASH),
    ("kjhkjhkjh dkfjdkfj", KEYBOARD_MASH),
    ("qwerty asdf zxcv", KEYBOARD_MASH),
    ("фывапролдж", KEYBOARD_MASH),
]


@pytest.mark.parametrize("answer", REAL_ANSWERS)
def test_real_short_answers_in_any_language_pass(answer):
    assert answer_problem(answer) is None


@pytest.mark.parametrize(("answer", "problem"), JUNK)
def test_junk_is_refused_with_its_reason(answer, problem):
    assert answer_problem(answer) == problem


def test_the_message_says_what_is_wrong_and_what_to_write():
    message = refusal_message(KEYBOARD_MASH)
    assert message.startswith("This does not look like an answer yet: ")
    assert message.endswith("Write a sentence or two about what you did.")


# A few real words from several languages and scripts (none of them mash on its own).
# fmt: off
VOCABULARY = [
    "I", "led", "the", "team", "we", "shipped", "on", "time", "because", "users",
    "oui", "j'ai", "dirigé", "l'équipe", "ich", "habe", "geleitet", "sí", "lideré",
    "equipo", "да", "я", "руководил", "командой", "是的", "我", "领导", "团队", "はい",
    "チーム", "率いました", "نعم", "قدت", "الفريق", "हाँ", "मैंने", "नेतृत्व", "ใช่",
    "หัวหน้า", "ทีม", "네", "제가", "이끌었습니다", "ναι", "ομάδα", "3 years", "in 2019",
]
# fmt: on


@given(
    words=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=15, unique=True),
    separator=st.sampled_from([" ", ", ", "; ", " - ", "\n"]),
    end=st.sampled_from(["", ".", "!", "?", "。", "..."]),
)
def test_any_sentence_of_real_words_passes(words, separator, end):
    assert answer_problem(separator.join(words) + end) is None


# -- through the API: before any record and any model call ---------------------------


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (FEEDBACK, {"question": QUESTION, "answer": "asdfghjkl"}),
        (FEEDBACK, {"question": QUESTION, "answer": "test test test test"}),
        (FEEDBACK + "?protocol=ai-sdk", {"question": QUESTION, "prompt": "12345"}),
        (
            FEEDBACK + "?protocol=ai-sdk",
            {
                "question": QUESTION,
                "messages": [{"role": "user", "parts": [{"type": "text", "text": "jjjjjjjj"}]}],
            },
        ),
        (
            "/api/v1/openai/chat/completions",
            {"question": QUESTION, "messages": [{"role": "user", "content": "qwerty asdf"}]},
        ),
    ],
)
def test_junk_is_422_on_answer_before_any_model_call(app, client, upstream, url, body):
    response = client.post(url, json=body, headers={"Accept": "application/json"})
    problem = assert_problem(response, 422)
    assert list(problem["errors"]) == ["answer"]
    assert problem["errors"]["answer"][0].startswith("This does not look like an answer yet")
    assert upstream.requests == []
    assert_no_records(app)


@pytest.mark.parametrize(
    "answer", ["Ja.", "是的，我领导了团队。", "Да, я руководил командой.", "I"]
)
def test_real_short_answers_are_accepted_by_the_api(client, answer):
    body = {"question": QUESTION, "answer": answer}
    response = client.post(FEEDBACK, json=body, headers={"Accept": "application/json"})
    assert response.status_code == 202


def test_the_check_can_be_turned_off(make_app):
    client = make_app(INTERVIEW_ANSWER_CHECK="off").test_client()
    body = {"question": QUESTION, "answer": "asdfghjkl"}
    response = client.post(FEEDBACK, json=body, headers={"Accept": "application/json"})
    assert response.status_code == 202
