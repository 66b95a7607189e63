"""Reading dictd dictionaries (FreeDict's Debian packages): headwords and their entries.

An index line is ``headword<TAB>offset<TAB>length``, the numbers in dictd's own
base64 digits, pointing into the ``.dict`` file (``.dict.dz``: gzip with a
random-access table in its header, so gzip reads it whole). Entries whose
headword starts with ``00database`` describe the dictionary and are skipped.
"""
from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

_DIGITS = {ch: value for value, ch in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_META_PREFIX = "00database"


def dictd_number(digits: str) -> int:
    """A dictd index number (offset or length) from its base64 digits (``E4+s`` …)."""
    value = 0
    for ch in digits:
        value = value * 64 + _DIGITS[ch]
    return value


def read_dictd(index_path: Path, dict_path: Path) -> Iterator[tuple[str, str]]:
    """(headword, entry text) for every word of a dictd dictionary, in index order."""
    data = dict_path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    for line in index_path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) != 3 or fields[0].startswith(_META_PREFIX):
            continue
        headword, offset, length = fields
        start = dictd_number(offset)
        yield headword, data[start:start + dictd_number(length)].decode("utf-8", "replace")
