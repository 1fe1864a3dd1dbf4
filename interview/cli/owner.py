"""The owner of the records the terminal client makes: `cli:<operating-system user>`.

An API caller with a key, or a browser, has an owner of its own (`key:...`, a
random id), so it never sees these records; the open API (no keys configured)
reaches every record, as it does the pages'.
"""

import getpass
import os

PREFIX = "cli:"
MAX_OWNER_LENGTH = 64


def terminal_owner() -> str:
    """Return the owner id of whoever runs the command."""
    try:
        user = getpass.getuser()
    except OSError:  # no login name and no passwd entry (a container's bare uid)
        user = f"uid-{os.getuid()}"
    return (PREFIX + user)[:MAX_OWNER_LENGTH]
