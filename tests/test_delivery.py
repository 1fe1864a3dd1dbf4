"""Delivery figures from word timestamps and from a recording's loudness."""

import io

import pytest

from interview.feedback.audio import probe_audio
from interview.feedback.audio_levels import FLOOR_DB, WINDOW_S, loudness_levels
from interview.feedback.delivery import (
    LONG_PAUSE_S,
    MAX_PAUSES,
    TimedWord,
    delivery_from_levels,
    delivery_from_words,
    voiced_runs,
)

from .audio_files import converted, spoken_wav, wav_duration_s, with_silence


def timed(*triples) -> list[TimedWord]:
    return [TimedWord(*triple) for triple in triples]


def test_speaking_time_runs_from_the_first_word_to_the_last():
    words = timed(("So,", 1.0, 1.3), ("we", 1.4, 1.5), ("shipped.", 1.6, 2.2), ("Um", 3.0, 4.0))

    delivery = delivery_from_words("So, we shipped. Um", words, duration_s=6.0)

    assert delivery["source"] == "word_timestamps"
    assert delivery["duration_s"] == 6.0
    assert delivery["speaking_time_s"] == 3.0
    assert delivery["word_count"] == 4
    assert delivery["words_per_minute"] == 80  # 4 words in 3 s, not in the 6 s recorded


def test_a_gap_of_two_seconds_or_more_is_a_long_pause_and_says_where():
    words = timed(("First", 0.0, 0.5), ("then", 2.4, 2.8), ("later", 5.0, 5.5))

    delivery = delivery_from_words("First then later", words, duration_s=6.0)

    assert LONG_PAUSE_S == 2.0
    assert delivery["long_pauses"] == [{"start_s": 2.8, "duration_s": 2.2, "after": "then"}]
    assert delivery["long_pause_count"] == 1  # 1.9 s after "First" is not long
    assert delivery["longest_pause_s"] == 2.2


def test_fillers_are_counted_in_the_transcript():
    text = "Um, so, I mean, it was, like, hard. Uh, yes."
    words = timed(*((word, i * 0.5, i * 0.5 + 0.4) for i, word in enumerate(text.split())))

    delivery = delivery_from_words(text, words, duration_s=10.0)

    assert delivery["filler_words"] == {"um": 1, "uh": 1, "i mean": 1, "like": 1, "so": 1}
    assert delivery["filler_count"] == 5


def test_only_the_longest_pauses_are_listed_but_all_are_counted():
    words = timed(*((f"w{i}", i * 3.0, i * 3.0 + 0.5 + i / 1000) for i in range(30)))

    delivery = delivery_from_words(" ".join(f"w{i}" for i in range(30)), words, 100.0)

    assert delivery["long_pause_count"] == 29
    assert len(delivery["long_pauses"]) == MAX_PAUSES
    starts = [pause["start_s"] for pause in delivery["long_pauses"]]
    assert starts == sorted(starts)


def test_no_words_means_no_pace():
    delivery = delivery_from_words("", [], duration_s=3.0)

    assert delivery["speaking_time_s"] == 0.0
    assert delivery["words_per_minute"] is None
    assert delivery["long_pauses"] == []


LOUD, QUIET = -20.0, FLOOR_DB


@pytest.mark.parametrize(
    ("levels", "runs"),
    [
        ([QUIET] * 4 + [LOUD] * 10 + [QUIET] * 4, [(0.2, 0.7)]),
        ([LOUD] * 10 + [QUIET] * 50 + [LOUD] * 10, [(0.0, 0.5), (3.0, 3.5)]),
        ([LOUD] * 10 + [-60.0] * 10 + [LOUD] * 10, [(0.0, 0.5), (1.0, 1.5)]),  # 40 dB down
        ([LOUD] * 10 + [-35.0] * 10 + [LOUD] * 10, [(0.0, 1.5)]),  # 15 dB down: still voiced
        ([QUIET] * 10 + [LOUD] * 2 + [QUIET] * 10, []),  # 0.1 s: a click, not speech
        ([-70.0] * 20, []),  # quiet throughout: no speech
        ([], []),
    ],
    ids=["one run", "two runs", "a quiet gap", "a softer gap", "a click", "silence", "nothing"],
)
def test_voiced_runs_are_loud_windows_long_enough_to_be_speech(levels, runs):
    found = voiced_runs(levels, WINDOW_S)

    assert found == [pytest.approx(run) for run in runs]


def test_pauses_from_levels_are_the_gaps_between_voiced_runs():
    levels = [LOUD] * 20 + [QUIET] * 60 + [LOUD] * 20 + [QUIET] * 10

    delivery = delivery_from_levels("Umm, one two three four", levels, WINDOW_S, duration_s=5.5)

    assert delivery["source"] == "audio_levels"
    assert delivery["speaking_time_s"] == 5.0
    assert delivery["long_pauses"] == [{"start_s": 1.0, "duration_s": 3.0}]
    assert delivery["words_per_minute"] == 60
    assert delivery["filler_words"] == {"um": 1}


@pytest.mark.parametrize("kind", ["wav", "webm", "ogg", "mp3", "m4a"])
def test_the_silence_in_a_real_recording_is_found(kind):
    wav = with_silence(spoken_wav(), seconds=3.0)
    audio = io.BytesIO(wav if kind == "wav" else converted(wav, kind))
    info = probe_audio(audio)

    levels = loudness_levels(audio, info.container)
    delivery = delivery_from_levels("words", levels, WINDOW_S, info.duration_s)

    # espeak-ng leaves a little silence before and after its speech
    alone = voiced_runs(loudness_levels(io.BytesIO(spoken_wav()), "wav"), WINDOW_S)
    ends_s, lead_s = alone[-1][1], alone[0][0]
    assert delivery["long_pause_count"] == 1
    [pause] = delivery["long_pauses"]
    assert pause["start_s"] == pytest.approx(ends_s, abs=0.15)
    assert pause["duration_s"] == pytest.approx(
        wav_duration_s(spoken_wav()) - ends_s + 3.0 + lead_s, abs=0.15
    )
    assert audio.tell() == 0
