"""How well, how fast and in how much memory the local recogniser transcribes clear speech.

    .venv/bin/python bench/transcription_accuracy.py [--voices en-us en] [--formats wav webm]
        [--words-per-minute 150] [--threads 1]

Twenty interview answers (about 13 s each) are spoken by espeak-ng in each
voice, encoded in each format (WebM is Opus, as browsers record it), and
transcribed one by one by the service's `LocalTranscriber` (Whisper tiny.en
through faster-whisper, int8, `--threads` CPU threads), decoding included.
Prints a Markdown table: the word error rate (WER: words substituted, dropped
or added, per word spoken; numbers written as digits count as their words,
fillers are not counted), the real-time factor (CPU seconds per second of
audio, RTF), and, below it, the model's loading time, the process's peak
resident memory and what became of the "um"s and "uh"s of a disfluent answer.
Needs the `speech` extra (`pip install -e '.[speech]'`) and espeak-ng.
"""

import argparse
import io
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av

from interview.feedback.audio import probe_audio
from interview.feedback.providers.local_audio import LocalTranscriber

ANSWERS = [
    "In my last role I led a migration of our billing system. The situation was that payments failed for about two percent of customers every month. I mapped every failure to its cause, fixed the retry logic, and within three months the failure rate dropped below half a percent.",  # noqa: E501
    "The biggest conflict I handled was between our design team and the engineers. Both sides felt ignored. I set up a weekly meeting where each side brought one problem, and we agreed on a shared backlog. After a month the complaints stopped and we shipped the new checkout page on time.",  # noqa: E501
    "I would describe myself as calm under pressure. When our main database went down during a product launch, I coordinated the response, kept the customers informed every thirty minutes, and we restored service in under two hours.",  # noqa: E501
    "My greatest weakness is that I used to say yes to every request. I learned to write down my priorities each Monday and to explain clearly what I would drop if I took on something new. My manager told me it made planning much easier.",  # noqa: E501
    "I want to join your company because you build tools that teachers actually use. I spent four years volunteering at a local school, and I saw how much time they lose on paperwork. I would love to help fix that problem.",  # noqa: E501
    "A project I am proud of is the reporting dashboard I built for our sales team. Before that they spent every Friday copying numbers into spreadsheets. The dashboard saved them about six hours a week and it is still used today.",  # noqa: E501
    "When I disagree with my manager, I ask for a short meeting and bring data. Once I believed a feature was not worth building. I showed that only a small number of customers had asked for it, and we moved the time to fixing performance instead.",  # noqa: E501
    "In five years I see myself leading a small team. I enjoy mentoring junior developers, and last year I ran a reading group on software design that grew from three people to fifteen.",  # noqa: E501
    "Tell you about a failure? Sure. I once promised a client a delivery date without checking with the team. We missed it by two weeks. Since then I always confirm estimates with the people doing the work before I commit to anything.",  # noqa: E501
    "The situation was that our mobile app had very poor reviews. My task was to find out why. I read every review from the previous quarter and grouped them by theme. Most of the complaints were about slow loading, so we focused on that first.",  # noqa: E501
    "I prioritise my work by impact and urgency. Every morning I look at what will block other people, and I do that first. Then I spend a focused block of time on the most valuable long term task.",  # noqa: E501
    "At my previous job I trained twelve new hires on our customer support process. I wrote a simple guide with real examples, paired each person with an experienced colleague, and checked in with them after their first week.",  # noqa: E501
    "My approach to learning a new technology is to build something small with it as soon as possible. When our team adopted a new programming language, I rewrote one internal tool in a weekend and shared the lessons with everyone.",  # noqa: E501
    "The hardest decision I made was to cancel a project that I had started myself. The numbers showed that it would not pay off. I explained the reasons to the team, thanked them for their work, and moved them to a project with a clearer future.",  # noqa: E501
    "I handle feedback by listening first and asking questions before I respond. A senior colleague once told me my presentations were too long. I cut them in half, and people started asking more questions at the end.",  # noqa: E501
    "Our team had a deadline for a government contract and two people were sick. I reorganised the remaining work, negotiated a smaller first release with the client, and we delivered the most important features on the original date.",  # noqa: E501
    "I am comfortable working with remote teams. For the last two years my colleagues were spread across three time zones, so we wrote everything down and kept our meetings short and focused.",  # noqa: E501
    "To improve quality, I introduced automated tests for the payment service. At the start we had almost no coverage. After six months we caught most bugs before release, and the number of urgent fixes fell by about seventy percent.",  # noqa: E501
    "What motivates me is solving real problems for people. I like seeing the result of my work, so I always ask to speak with users, even if it is only for a few minutes each week.",  # noqa: E501
    "Thank you for the question. My salary expectation is in line with the market for this level, but the most important things for me are the team, the chance to learn, and a healthy balance between work and life.",  # noqa: E501
]
DISFLUENT = (
    "Um, so, uh, I think the main thing was, um, communication. "
    "Uh, we did not really talk enough, and, um, that caused most of the problems."
)
FILLERS = {"um", "umm", "uh", "uhm", "er", "erm", "ah", "hmm"}
#: container, encoder, sample rate
FORMATS = {"wav": ("wav", "pcm_s16le", 22050), "webm": ("webm", "libopus", 48000)}
ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    rest = "" if n % 100 == 0 else " " + number_words(n % 100)
    return ONES[n // 100] + " hundred" + rest if n < 1000 else str(n)


def words(text: str, keep_fillers: bool = False) -> list[str]:
    """Lower case words, digits spelt out, British spellings, fillers dropped unless kept."""
    text = text.lower().replace("%", " percent ").replace("-", " ")
    text = re.sub(r"\d+", lambda match: number_words(int(match.group())), text)
    text = re.sub(r"[^a-z' ]", " ", text).replace("'", "")
    text = text.replace("prioritize", "prioritise").replace("reorganized", "reorganised")
    return [word for word in text.split() if keep_fillers or word not in FILLERS]


def errors(reference: list[str], heard: list[str]) -> int:
    """The word-level edit distance."""
    distances = list(range(len(heard) + 1))
    for i, word in enumerate(reference, 1):
        diagonal, distances[0] = distances[0], i
        for j, other in enumerate(heard, 1):
            diagonal, distances[j] = (
                distances[j],
                min(distances[j] + 1, distances[j - 1] + 1, diagonal + (word != other)),
            )
    return distances[-1]


def spoken(text: str, voice: str, words_per_minute: int, kind: str) -> bytes:
    """`text` spoken by espeak-ng in `voice`, encoded as `kind` (a key of FORMATS)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "speech.wav"
        command = ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(path), text]
        subprocess.run(command, check=True, timeout=60)
        wav = path.read_bytes()
    if kind == "wav":
        return wav
    container, encoder, rate = FORMATS[kind]
    out = io.BytesIO()
    with av.open(io.BytesIO(wav)) as source, av.open(out, "w", format=container) as target:
        stream = target.add_stream(encoder, rate=rate, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        for frame in [*source.decode(audio=0), None]:
            for mono in resampler.resample(frame):
                target.mux(stream.encode(mono))
        target.mux(stream.encode(None))
    return out.getvalue()


def transcribe(transcriber: LocalTranscriber, audio: bytes) -> tuple[str, float, float]:
    """The text, the CPU seconds it took, and the recording's duration."""
    file = io.BytesIO(audio)
    info = probe_audio(file)
    started = time.process_time()
    text = transcriber.transcribe(file, info.container, None).text
    return text, time.process_time() - started, info.duration_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", nargs="+", default=["en-us", "en"])
    parser.add_argument("--formats", nargs="+", default=["wav", "webm"], choices=FORMATS)
    parser.add_argument("--words-per-minute", type=int, default=150)
    parser.add_argument("--threads", type=int, default=1)
    options = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed: apt-get install espeak-ng")

    transcriber = LocalTranscriber(cpu_threads=options.threads, wait_s=1.0)
    started = time.monotonic()
    transcriber._loaded()
    load_s = time.monotonic() - started

    print("| voice | format | answers | WER mean | WER all words | worst | RTF (CPU) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for voice in options.voices:
        for kind in options.formats:
            rates, wrong, said, cpu, audio_s = [], 0, 0, 0.0, 0.0
            for answer in ANSWERS:
                heard, took, duration = transcribe(
                    transcriber, spoken(answer, voice, options.words_per_minute, kind)
                )
                reference = words(answer)
                mistakes = errors(reference, words(heard))
                rates.append(mistakes / len(reference))
                wrong, said = wrong + mistakes, said + len(reference)
                cpu, audio_s = cpu + took, audio_s + duration
            print(
                f"| {voice} | {kind} | {len(rates)} | {sum(rates) / len(rates):.1%} "
                f"| {wrong / said:.1%} | {max(rates):.1%} | {cpu / audio_s:.3f} |"
            )
    heard, _, _ = transcribe(
        transcriber, spoken(DISFLUENT, options.voices[0], options.words_per_minute, "webm")
    )
    kept = [word for word in words(heard, keep_fillers=True) if word in FILLERS]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nModel loaded in {load_s:.1f} s; peak resident memory {peak_mb:.0f} MB; "
        f"{options.words_per_minute} words a minute, {options.threads} CPU thread(s)."
    )
    print(f"Fillers heard in a disfluent answer (8 spoken): {len(kept)} ({' '.join(kept)})")


if __name__ == "__main__":
    main()
