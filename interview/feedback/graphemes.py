"""Split streamed text into user-perceived characters (extended grapheme clusters).

The upstream cuts its chunks anywhere, even inside an emoji sequence, between a
letter and its combining mark, or between CR and LF. `GraphemeSplitter` keeps
the last cluster of what it has seen back until more text (or the end)
arrives, because the next chunk may still extend it.

A character is at most MAX_CLUSTER_CODE_POINTS code points: a longer cluster
(a letter under a flood of combining marks, a run of Hangul jamo) is cut into
pieces of that many, counted and sent as characters of their own. The text is
unchanged, only counted differently, so the length caps bound code points too
and the splitter holds back at most one piece: it rescans a bounded tail on
each chunk, and its work is linear in the input. 32 is above any real
character: the Unicode Stream-Safe Text Format (UAX #15) allows a base and 30
combining marks, the longest emoji ZWJ sequences are about 11 code points,
tag-sequence flags 7.
"""

import regex

MAX_CLUSTER_CODE_POINTS = 32
_CLUSTER = regex.compile(r"\X")


def _pieces(cluster: str) -> list[str]:
    size = MAX_CLUSTER_CODE_POINTS
    if len(cluster) <= size:
        return [cluster]
    return [cluster[start : start + size] for start in range(0, len(cluster), size)]


class GraphemeSplitter:
    """Feed text pieces in order; get back the characters that can no longer change."""

    def __init__(self) -> None:
        self._context = ""  # the last code points given out, for the rescan's lookback
        self._pending = ""  # the held-back end of the last cluster, under one full piece

    def feed(self, text: str) -> list[str]:
        """Add `text`; return every complete character, holding back the last one."""
        if not text:
            return []
        given = len(self._context)
        scanned = self._context + self._pending + text
        # Cut at the cluster ends past the context; a cluster that began inside
        # it (before the held-back text) goes on from where it was given out.
        edges = [given] + [m.end() for m in _CLUSTER.finditer(scanned) if m.end() > given]
        characters: list[str] = []
        for start, end in zip(edges, edges[1:], strict=False):
            characters += _pieces(scanned[start:end])
        self._pending = ""
        if len(characters[-1]) < MAX_CLUSTER_CODE_POINTS:  # a full piece can no longer change
            self._pending = characters.pop()
        out_until = len(scanned) - len(self._pending)
        self._context = scanned[max(0, out_until - MAX_CLUSTER_CODE_POINTS) : out_until]
        return characters

    def flush(self) -> list[str]:
        """Return the held-back character at the end of the stream."""
        pending, self._pending, self._context = self._pending, "", ""
        return [pending] if pending else []


def longest_cluster(text: str) -> int:
    """Return the length in code points of the longest cluster of `text` (0 if empty)."""
    return max((match.end() - match.start() for match in _CLUSTER.finditer(text)), default=0)


def split_graphemes(text: str) -> list[str]:
    """Return the characters of a complete text (clusters cut at MAX_CLUSTER_CODE_POINTS)."""
    clusters = _CLUSTER.findall(text)
    if max(map(len, clusters), default=0) <= MAX_CLUSTER_CODE_POINTS:
        return clusters
    return [piece for cluster in clusters for piece in _pieces(cluster)]
