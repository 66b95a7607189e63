"""Many NumPy arrays in one file, mapped with one ``mmap`` (the serving snapshot's storage)."""
from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import Any

import numpy as np


class ArrayFile:
    """Many arrays in one file, each at an aligned offset, mapped with one ``mmap``.

    One file, not one per array: every mapping keeps a file descriptor open for as
    long as it lives, and a server holds the snapshots of a few commits at once.
    """

    ALIGN = 64

    def __init__(self, handle: Any, buffer: Any = None):
        self._handle = handle
        self._buffer = buffer
        self.directory: dict[str, list[Any]] = {}  # name -> [dtype, offset, count]

    @classmethod
    def create(cls, path: Path) -> ArrayFile:
        return cls(path.open("wb"))

    def add(self, name: str, values: np.ndarray) -> None:
        position = self._handle.tell()
        padding = -position % self.ALIGN
        self._handle.write(b"\0" * padding)
        values = np.ascontiguousarray(values)
        self.directory[name] = [values.dtype.str, position + padding, len(values)]
        self._handle.write(values.tobytes())

    def __enter__(self) -> ArrayFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    @classmethod
    def open(cls, path: Path, directory: dict[str, list[Any]]) -> ArrayFile:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        opened = cls(None, buffer)
        opened.directory = directory
        return opened

    def array(self, name: str) -> np.ndarray:
        dtype, offset, count = self.directory[name]
        return np.frombuffer(self._buffer, dtype=np.dtype(dtype), count=count, offset=offset)

    def has(self, name: str) -> bool:
        return name in self.directory
