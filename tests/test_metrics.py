"""Answer metrics: words, speaking time, fillers, STAR coverage, key terms."""

import pytest

from interview.feedback.metrics import compute_answer_metrics

CONFLICT = "Tell me about a time you resolved a conflict in your team."
STAR_ANSWER = (
    "When I was at my previous company, two engineers on my team disagreed about a release. "
    "I was responsible for the release plan. I organized a meeting and I proposed a staged "
    "rollout. As a result we shipped on time and reduced incidents by 30%."
)


def metrics(answer: str, question: str = CONFLICT) -> dict:
    return compute_answer_metrics(question, answer)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("I led the migration.", 4),
        ("It's a well-known trade-off, isn't it?", 6),
        ("팀의 갈등을 해결했습니다", 3),
        ("チームの対立を解決しました", 13),
        ("我解决了团队冲突", 8),
        ("Resolví el conflicto del equipo.", 5),
        ("123 !!! ...", 1),
    ],
)
def test_word_count_in_any_script(answer, words):
    assert metrics(answer)["word_count"] == words


def test_speaking_time_at_130_words_per_minute():
    result = metrics("word " * 260)
    assert result["speaking_time_s"] == 120
    assert result["words_per_minute"] == 130


@pytest.mark.parametrize(
    ("answer", "fillers"),
    [
        (
            "Um, so, like, you know, it was basically hard.",
            {"um", "like", "you know", "basically", "so"},
        ),
        ("I'd like to lead. I like working with people.", set()),
        ("That's right, we were right about it.", set()),
        ("It was, right? Uh, kind of a mess.", {"right", "uh", "kind of"}),
        ("So I decided to act.", set()),
        # Case-insensitive as the patterns are: the long s and the Kelvin sign fold to s and k.
        ("\u017fo, I left.", {"so"}),
        ("It was, \u212aIND OF, hard.", {"kind of"}),
    ],
)
def test_fillers_are_counted_only_as_fillers(answer, fillers):
    result = metrics(answer)
    assert set(result["filler_words"]) == fillers
    assert result["filler_count"] == sum(result["filler_words"].values())


def test_a_star_answer_covers_all_four_parts_with_the_cues_found():
    result = metrics(STAR_ANSWER)
    assert result["star"] == {"situation": True, "task": True, "action": True, "result": True}
    assert "when i was" in result["star_cues"]["situation"]
    assert "as a result" in result["star_cues"]["result"]


def test_a_vague_answer_covers_none():
    result = metrics("I think communication is important in general.")
    assert result["star"] == {"situation": False, "task": False, "action": False, "result": False}


def test_key_terms_of_the_question_and_which_the_answer_uses():
    result = metrics("We had conflicts about scope and I resolved them.")
    terms = result["key_terms"]
    assert "conflict" in terms["terms"] and "team" in terms["terms"]
    assert "conflict" in terms["used"] and "resolved" in terms["used"]
    assert "team" in terms["missing"]
    assert set(terms["used"]) | set(terms["missing"]) == set(terms["terms"])


def test_acronyms_are_key_terms():
    result = compute_answer_metrics("How would you design a REST API?", "I would version the API.")
    assert "API" in result["key_terms"]["used"]
    assert "design" in result["key_terms"]["missing"]


@pytest.mark.parametrize(
    ("answer", "sentences", "average"),
    [
        ("One two three. Four five! Six?", 3, 2.0),
        ("... One. . ?! Two", 2, 1.0),
        ("日本語。はい！", 2, 2.5),
        ("ภาษา๚ ๚ Hello. ...", 1, 7.0),  # Thai punctuation is a character of a Thai "word"
        ("?!", 0, 0.0),
    ],
)
def test_sentences_are_the_runs_between_sentence_ends_that_hold_a_word(answer, sentences, average):
    result = metrics(answer)
    assert result["sentence_count"] == sentences
    assert result["avg_sentence_words"] == average


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        (
            "Erzählen Sie von einem Konflikt in Ihrem Team und warum Sie diese Lösung wählten.",
            ["konflikt", "team", "lösung", "wählten"],
        ),
        ("Warum möchten Sie diese Stelle bei unserer Firma?", ["stelle", "firma"]),
        (
            "Parlez-moi d'une fois où vous avez résolu un conflit dans votre équipe.",
            ["fois", "résolu", "conflit", "équipe"],
        ),
        ("¿Por qué quiere este trabajo en nuestra empresa?", ["trabajo", "empresa"]),
    ],
)
def test_key_terms_leave_out_the_function_words_of_other_languages(question, terms):
    assert metrics("x", question)["key_terms"]["terms"] == terms
