"""Grapheme clusters survive any chunking of the upstream text."""

import pytest

from interview.feedback.graphemes import GraphemeSplitter, split_graphemes

FAMILY = "👨‍👩‍👧‍👦"
TEXTS = [
    "Good answer.",
    f"Team {FAMILY} and 👍🏽 thumbs",
    "e\u0301te\u0301 (combining accents)",
    "한국어 요약: 좋습니다",
    "日本語のフィードバック",
    "Line one\r\nLine two\n\nLine four",
    "flags 🇰🇷🇯🇵 together",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7])
def test_chunked_text_gives_the_same_clusters_as_whole_text(text, chunk_size):
    splitter = GraphemeSplitter()
    clusters = []
    for start in range(0, len(text), chunk_size):
        clusters += splitter.feed(text[start : start + chunk_size])
    clusters += splitter.flush()
    assert clusters == split_graphemes(text)
    assert "".join(clusters) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FAMILY, [FAMILY]),
        ("👍🏽", ["👍🏽"]),
        ("e\u0301", ["e\u0301"]),
        ("\r\n", ["\r\n"]),
        ("🇰🇷🇯🇵", ["🇰🇷", "🇯🇵"]),
        ("한국", ["한", "국"]),
    ],
)
def test_user_perceived_characters(text, expected):
    assert split_graphemes(text) == expected


def test_last_cluster_is_held_back_until_the_end():
    splitter = GraphemeSplitter()
    assert splitter.feed("ab") == ["a"]
    assert splitter.feed("") == []
    assert splitter.feed("\u0301c") == ["b\u0301"]
    assert splitter.flush() == ["c"]
    assert splitter.flush() == []
