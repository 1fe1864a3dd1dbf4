"""Withhold the model's assessment block from the text the candidate reads.

The prompt asks the model to end its prose with a block between two markers
that carry a nonce made for that one request (`new_block_nonce`, put into the
prompt as it is built). An answer written before the request cannot contain
the nonce, so a block inside the candidate's answer, or the model quoting one,
is never taken for the model's: without this request's nonce it is prose.

`AssessmentBlockFilter` sits where the model's text enters the service, before
the grapheme splitter and the pacer: every protocol (the native stream, the AI
SDK stream, the OpenAI-compatible endpoint) and the saved `feedback` get the
prose only. Deliberate choices:
- A marker may arrive split across upstream pieces at any point. Only a tail
  that could still begin the marker is held back (at most the marker's length
  less one), with the whitespace just before it (at most MAX_HELD_WHITESPACE
  characters), so the prose does not end in the blank lines that led to the
  block; held text is released as soon as it cannot be a marker. Each piece is
  searched once, with at most a marker's length carried over: linear time.
- Text after the block is prose again (rare: the prompt asks for the block
  last); only the first block is kept, a second is withheld too.
- The block is capped at MAX_BLOCK_CHARACTERS; past that, `overflowed` is set
  and the producer stops the upstream as it does for too much prose.
"""

import secrets

NONCE_BYTES = 6
MAX_BLOCK_CHARACTERS = 8_000
MAX_HELD_WHITESPACE = 16


def new_block_nonce() -> str:
    """A fresh nonce for one request's markers (12 hex digits)."""
    return secrets.token_hex(NONCE_BYTES)


def block_markers(nonce: str) -> tuple[str, str]:
    """The start and end markers of the assessment block for `nonce`."""
    return f"[[ASSESSMENT {nonce}]]", f"[[/ASSESSMENT {nonce}]]"


def _marker_prefix_length(text: str, marker: str) -> int:
    """The length of the longest end of `text` that is a proper beginning of `marker`."""
    for length in range(min(len(text), len(marker) - 1), 0, -1):
        if text.endswith(marker[:length]):
            return length
    return 0


def _whitespace_before(text: str, end: int) -> int:
    """Where the run of whitespace ending at `end` starts, at most MAX_HELD_WHITESPACE back."""
    start = end
    while start > max(0, end - MAX_HELD_WHITESPACE) and text[start - 1].isspace():
        start -= 1
    return start


class AssessmentBlockFilter:
    """Split a stream of model text into prose (returned) and the assessment block (kept)."""

    def __init__(self, nonce: str) -> None:
        self._start, self._end = block_markers(nonce)
        self._held = ""  # prose that may precede a start marker
        self._inside = False
        self._pieces: list[str] = []  # the block so far, less `_carry`
        self._carry = ""  # the block's last characters, that may begin the end marker
        self._size = 0
        self._after_block = False  # strip whitespace right after a block
        self.block: str | None = None  # the first block, once complete
        self.unclosed: str | None = None  # a block the text ended inside
        self.overflowed = False

    def feed(self, text: str) -> str:
        """Take the next piece of model text; return the prose that can go out now."""
        out: list[str] = []
        while text:
            text = self._feed_block(text) if self._inside else self._feed_prose(text, out)
        return "".join(out)

    def flush(self) -> str:
        """The text has ended: return the prose still held back."""
        if self._inside:
            if self.block is None and not self.overflowed:
                self.unclosed = "".join(self._pieces) + self._carry
            return ""
        held, self._held = self._held, ""
        return held

    def _feed_prose(self, text: str, out: list[str]) -> str:
        """Release prose up to a start marker or a possible one; return the text left."""
        if self._after_block:
            text = text.lstrip()
            if not text:
                return ""
            self._after_block = False
            out.append("\n\n")
        window = self._held + text
        found = window.find(self._start)
        if found >= 0:
            out.append(window[: _whitespace_before(window, found)])
            self._held = ""
            self._inside = True
            return window[found + len(self._start) :]
        keep = len(window) - _marker_prefix_length(window, self._start)
        keep = _whitespace_before(window, keep)
        out.append(window[:keep])
        self._held = window[keep:]
        return ""

    def _feed_block(self, text: str) -> str:
        """Collect block text up to the end marker; return the text after it, if any."""
        window = self._carry + text
        found = window.find(self._end)
        if found >= 0:
            self._collect(window[:found])
            if self.block is None and not self.overflowed:
                self.block = "".join(self._pieces)
            self._pieces, self._carry, self._size = [], "", 0
            self._inside = False
            self._after_block = True
            return window[found + len(self._end) :]
        cut = max(0, len(window) - (len(self._end) - 1))
        self._collect(window[:cut])
        self._carry = window[cut:]
        return ""

    def _collect(self, text: str) -> None:
        self._size += len(text)
        if self._size > MAX_BLOCK_CHARACTERS:
            self.overflowed = True
            self._pieces = []
        elif text:
            self._pieces.append(text)
