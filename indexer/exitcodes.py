"""The exit statuses of every ``rapportsok`` command, defined once (docs/indexing.md lists them)."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    # The job ran and did not succeed: nothing could be indexed, a writer failed,
    # the query cannot be searched, the server could not start.
    FAILED = 1
    # The command cannot run as asked: a missing folder or index, an unreadable file.
    USAGE = 2
    # Another process holds the index's write lock.
    LOCKED = 3
    # Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    INTERRUPTED = 130
