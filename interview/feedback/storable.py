"""Model text made storable before anyone sees it.

PostgreSQL refuses NUL (U+0000) in a text column, and no UTF-8 encodes a lone
surrogate (U+D800 to U+DFFF): neither PostgreSQL, SQLite nor the event stream's
bytes can carry one. The producer replaces each with U+FFFD as the model's text
arrives, before it is streamed, so what a client sees is what is saved. Every
other code point is stored as sent. (A request's own text is refused at the
edge instead, `schemas.py`.)
"""

import re

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """Return `text` with each character no database can hold replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text)
