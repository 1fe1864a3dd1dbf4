"""Where `flask session run` takes its answers from: files given up front, or typed.

Both hand out one answer a question, in the order the questions are asked
(follow-ups included): the text, "" to skip the question, None to end the
interview early.
- Files: one file per answer, or a single file whose answers are separated by
  a line holding only `---`. All are read before the session starts, so a
  missing or unreadable file saves nothing.
- Typed: lines from standard input until an empty line; an empty line first
  skips; end of input ends the interview (text typed before it still counts).
"""

import re
import sys
from collections.abc import Iterator

import click

SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
TYPING_HELP = (
    "Type each answer and end it with an empty line. An empty answer skips the question; "
    "Ctrl-D ends the interview and writes the report."
)


def read_text_file(path: str, what: str) -> str:
    """The UTF-8 text of `path` ('-': standard input); a clean error otherwise."""
    try:
        if path == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        with open(path, encoding="utf-8") as file:
            return file.read()
    except UnicodeDecodeError:
        raise click.UsageError(f"the {what} must be UTF-8 text: {path}") from None
    except OSError as exc:
        raise click.UsageError(f"cannot read the {what}: {exc.strerror}: {path}") from None


def answers_from_files(paths: tuple[str, ...]) -> Iterator[str]:
    """The answers of the files, read now: one a file, or one file split at `---` lines."""
    texts = [read_text_file(path, "answers") for path in paths]
    if len(texts) == 1:
        texts = SEPARATOR.split(texts[0])
    return iter([text.strip() for text in texts])


def typed_answers() -> Iterator[str]:
    """Answers typed on standard input, each ended by an empty line."""
    while True:
        lines = []
        while line := sys.stdin.readline():
            if not line.strip():
                break
            lines.append(line)
        else:  # end of input
            if lines:
                yield "".join(lines).strip()
            return
        yield "".join(lines).strip()
