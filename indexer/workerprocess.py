"""What every forked worker of an indexing run does first."""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal


def die_with_parent(parent_pid: int) -> None:
    """Linux: the kernel kills this process if the indexer dies (kill -9 included),
    so no orphan keeps running or keeps the inherited write-lock file open."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:
        os._exit(1)


def close_descriptors(fds: tuple[int, ...]) -> None:
    """Close inherited descriptors (the parent's write lock) a worker must not hold."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
