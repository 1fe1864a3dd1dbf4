import pytest

from interview.feedback.scoring import parse_score


@pytest.mark.parametrize(
    ("feedback", "score"),
    [
        ("Great.\nScore: 7/10", 7),
        ("Great.\n**Score: 10/10**", 10),
        ("score : 3 / 10\n", 3),
        ("Score: 4/10\nlater\nScore: 6/10", 6),
        ("Puntuación\nScore: 8/10 👍", 8),
        ("No score here", None),
        ("Score: 0/10", None),
        ("Score: 11/10", None),
        ("My score: 7/10 in the middle of a line", None),
    ],
)
def test_parse_score(feedback, score):
    assert parse_score(feedback) == score
