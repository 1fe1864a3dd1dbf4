"""The offline analysis's cues: the question's kind and whether the answer looks English."""

import json
from pathlib import Path

import pytest

from interview.feedback.answer_language import looks_english
from interview.feedback.question_kind import question_kind

from .offline_answers import GERMAN_ANSWER, MOTIVATION_ANSWER
from .test_metrics import STAR_ANSWER

BANK = json.loads(Path("interview/feedback/questions.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why do you want this job?", "motivation"),
        ("Why this company?", "motivation"),
        ("What motivates you in your work?", "motivation"),
        ("Where do you see yourself in five years?", "motivation"),
        ("Tell me about a time you resolved a conflict in your team.", "behavioural"),
        ("Give an example of a goal you set and how you reached it.", "behavioural"),
        ("What would you do if you found a serious bug just before a release?", "behavioural"),
        ("Explain the difference between a process and a thread.", "technical"),
        ("Describe how you would design a rate limiter for an API.", "technical"),
        ("Explain eventual consistency with an example.", "technical"),
        ("Tell me about yourself.", "other"),
        ("Warum möchten Sie diese Stelle?", "other"),
    ],
)
def test_the_question_kind_comes_from_its_cues(question, kind):
    assert question_kind(question) == kind


@pytest.mark.parametrize("category", ["behavioural", "situational", "technical", "motivation"])
def test_most_of_the_banks_questions_get_their_category(category):
    texts = [item["text"] for item in BANK if item["category"] == category]
    expected = "behavioural" if category == "situational" else category
    assert sum(question_kind(text) == expected for text in texts) >= len(texts) - 2


@pytest.mark.parametrize(
    "answer",
    [
        STAR_ANSWER,
        MOTIVATION_ANSWER,
        "A hash map stores pairs in buckets indexed by a hash of the key; lookups take "
        "constant time on average.",
        "Um, like, I dunno.",
        "I fixed it.",
    ],
)
def test_english_answers_look_english(answer):
    assert looks_english(answer)


@pytest.mark.parametrize(
    "answer",
    [
        GERMAN_ANSWER,
        "Ich möchte diese Stelle, weil mich die Produkte Ihres Unternehmens begeistern.",
        "J'ai organisé une réunion avec les deux ingénieurs et nous avons trouvé un compromis.",
        "Organicé una reunión con los dos ingenieros y encontramos un compromiso.",
        "Ik heb een vergadering georganiseerd met de twee ontwikkelaars.",
        "Я организовал встречу, и мы договорились о поэтапном выпуске.",
        "我组织了一次会议，我们同意分阶段发布。",
    ],
)
def test_answers_in_other_languages_do_not(answer):
    assert not looks_english(answer)
