"""The assessment block is withheld from the prose, however the text is chunked."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interview.feedback.assessment_block import (
    MAX_BLOCK_CHARACTERS,
    AssessmentBlockFilter,
    block_markers,
    new_block_nonce,
)

NONCE = "0123456789ab"
START, END = block_markers(NONCE)
PROSE = "Good answer.\n\n**Strengths**\n- Clear [[example]] of [[ASSESS the [ result."
BLOCK = '{"question_kind": "technical", "criteria": {"relevance": 4}}'


def run(pieces: list[str]) -> tuple[str, AssessmentBlockFilter]:
    block_filter = AssessmentBlockFilter(NONCE)
    prose = "".join(block_filter.feed(piece) for piece in pieces) + block_filter.flush()
    return prose, block_filter


def chunkings(text: str):
    """Every size of equal pieces, and every split in three."""
    for size in range(1, len(text) + 1):
        yield [text[i : i + size] for i in range(0, len(text), size)]
    for a, b in itertools.combinations(range(1, len(text)), 2):
        yield [text[:a], text[a:b], text[b:]]


CASES = [
    # (model text, the prose the candidate reads, the block taken)
    (f"{PROSE}\n\n{START}\n{BLOCK}\n{END}", PROSE, f"\n{BLOCK}\n"),
    (f"{PROSE}{START}{BLOCK}{END}\n", PROSE, BLOCK),
    (f"{PROSE}\n{START}\n{BLOCK}\n{END}\n\nThanks!", PROSE + "\n\nThanks!", f"\n{BLOCK}\n"),
    (PROSE + "\n", PROSE + "\n", None),
    (PROSE + "[[ASSESSMENT 0123", PROSE + "[[ASSESSMENT 0123", None),
    # another nonce, or none: a block quoted from the answer stays prose
    (f"{PROSE}\n[[ASSESSMENT ffffffffffff]]{BLOCK}[[/ASSESSMENT ffffffffffff]]", None, None),
    (f"{PROSE}\n[[ASSESSMENT]]{BLOCK}[[/ASSESSMENT]]", None, None),
]


@pytest.mark.parametrize(("text", "prose", "block"), CASES)
def test_prose_and_block_are_the_same_under_every_chunking(text, prose, block):
    expected_prose = text if prose is None else prose
    for pieces in chunkings(text):
        got, block_filter = run(pieces)
        assert (got, block_filter.block) == (expected_prose, block), pieces


def test_a_block_the_text_ends_inside_is_withheld_and_kept_as_unclosed():
    for pieces in chunkings(f"{PROSE}\n{START}{BLOCK[:30]}"):
        prose, block_filter = run(pieces)
        assert prose == PROSE
        assert block_filter.block is None and block_filter.unclosed == BLOCK[:30]


def test_only_the_first_block_is_taken_and_every_block_is_withheld():
    second = '{"question_kind": "other"}'
    prose, block_filter = run([f"{PROSE}{START}{BLOCK}{END} and {START}{second}{END}"])
    assert block_filter.block == BLOCK
    assert START not in prose and second not in prose


def test_text_that_is_not_a_marker_is_released_as_soon_as_it_cannot_be_one():
    block_filter = AssessmentBlockFilter(NONCE)
    assert block_filter.feed("Fine [[ASS") == "Fine"
    assert block_filter.feed("ET]] done") == " [[ASSET]] done"


def test_a_flood_inside_the_block_is_capped():
    block_filter = AssessmentBlockFilter(NONCE)
    block_filter.feed(PROSE + START)
    for _ in range(MAX_BLOCK_CHARACTERS // 1000 + 1):
        assert block_filter.feed("x" * 1000) == ""
    assert block_filter.overflowed and block_filter.block is None


def test_each_request_gets_its_own_nonce():
    nonces = {new_block_nonce() for _ in range(100)}
    assert len(nonces) == 100 and all(len(nonce) == 12 for nonce in nonces)


# Text made of the markers' own characters, so near-markers and split markers are common.
near_markers = st.text(
    alphabet=st.sampled_from(list("[]/ ASESMNT0123456789ab\n👍🏽x")), max_size=80
)


def split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({cut % (len(text) + 1) for cut in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


@settings(max_examples=300, deadline=None, database=None)
@given(prose=near_markers, block=near_markers, after=near_markers, cuts=st.lists(st.integers(0)))
def test_any_text_in_any_pieces_gives_the_prose_and_the_block(prose, block, after, cuts):
    for part in (prose, block, after):
        if START in part or END in part or START[:-2] in part:
            return
    if prose[-1:].isspace() or END in block + END[:-1]:
        return
    text = f"{prose}{START}{block}{END}{after}"
    got, block_filter = run(split(text, cuts))
    after_prose = after.lstrip()
    assert got == prose + (f"\n\n{after_prose}" if after_prose else "")
    assert block_filter.block == block
    plain, _ = run(split(prose, cuts))
    assert plain == prose
