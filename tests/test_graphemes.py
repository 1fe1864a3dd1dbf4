"""Grapheme clusters survive any chunking of the upstream text."""

import pytest

from interview.feedback.graphemes import MAX_CLUSTER_CODE_POINTS, GraphemeSplitter, split_graphemes

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


MARKS = "\u0301" * 100
TRICKY = [
    *TEXTS,
    f"{FAMILY}{FAMILY}‍{FAMILY}",  # a family, then two joined by a ZWJ
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿 and 🇰🇷🇯🇵🇺🇸🇫",  # a tag-sequence flag, then an odd run of regional indicators
    "x" + "🇰🇷" * 20 + "y",
    "\r\n\r\r\n\n",
    "각" + "\u1100" * 40 + "\u1161\u11a8" + "\u1100",  # a Hangul syllable, then a long jamo run
    "e" + MARKS + "x" + MARKS,
    "\u0301" * 33,  # marks with no base
    "ab" + "\u0301" * 64,  # a cluster of exactly 65 code points: pieces of 32, 32, 1
    "\u0915\u094d\u0937\u093f " * 3,  # Devanagari conjuncts
]
CHUNKINGS = [[1], [2], [3], [7], [31], [32], [33], [1, 40, 2], [5, 1, 1, 64]]


def fed_in_chunks(text: str, sizes: list[int]) -> list[str]:
    """Feed `text` to a splitter in chunks of `sizes`, repeated; return every character."""
    splitter, characters, start, turn = GraphemeSplitter(), [], 0, 0
    while start < len(text):
        size = sizes[turn % len(sizes)]
        characters += splitter.feed(text[start : start + size])
        start, turn = start + size, turn + 1
    return characters + splitter.flush()


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("sizes", CHUNKINGS)
def test_any_chunking_gives_the_characters_of_the_whole_text(text, sizes):
    assert fed_in_chunks(text, sizes) == split_graphemes(text)
    assert "".join(split_graphemes(text)) == text


@pytest.mark.parametrize("sizes", CHUNKINGS)
def test_a_cluster_longer_than_the_bound_is_cut_into_pieces(sizes):
    text = "e" + "\u0301" * 99 + "x"
    expected = ["e" + "\u0301" * 31, "\u0301" * 32, "\u0301" * 32, "\u0301" * 4, "x"]
    assert MAX_CLUSTER_CODE_POINTS == 32
    assert split_graphemes(text) == expected
    assert fed_in_chunks(text, sizes) == expected


def test_a_flood_of_marks_is_held_back_at_most_one_piece():
    splitter = GraphemeSplitter()
    given = splitter.feed("e" + "\u0301" * 10_000)
    assert all(len(character) == MAX_CLUSTER_CODE_POINTS for character in given)
    held = splitter.flush()
    assert len(held) == 1 and len(held[0]) < MAX_CLUSTER_CODE_POINTS
    assert "".join(given + held) == "e" + "\u0301" * 10_000
