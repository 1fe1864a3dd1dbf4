"""Split streamed text into user-perceived characters (extended grapheme clusters).

The upstream cuts its chunks anywhere, even inside an emoji sequence, between a
letter and its combining mark, or between CR and LF. `GraphemeSplitter` keeps
the last cluster of what it has seen back until more text (or the end)
arrives, because the next chunk may still extend it.
"""

import regex

_CLUSTER = regex.compile(r"\X")


class GraphemeSplitter:
    """Feed text pieces in order; get back the clusters that can no longer change."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> list[str]:
        """Add `text`; return every complete cluster, holding back the last one."""
        if not text:
            return []
        clusters = _CLUSTER.findall(self._pending + text)
        self._pending = clusters.pop()
        return clusters

    def flush(self) -> list[str]:
        """Return the held-back cluster at the end of the stream."""
        pending, self._pending = self._pending, ""
        return [pending] if pending else []


def split_graphemes(text: str) -> list[str]:
    """Return the grapheme clusters of a complete text."""
    return _CLUSTER.findall(text)
