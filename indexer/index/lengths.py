"""Field lengths as Whoosh stores them: one byte per document and field.

Whoosh's W3 codec keeps each scorable field's length in a column of single
bytes (a lossy encoding decoded by ``byte_to_length``). Reading the whole column
at once is what both the array scorer and the bulk writer need; Whoosh's own
reader answers one document at a time.
"""
from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN


def read_length_bytes(perdoc, fieldname: str, doccount: int) -> np.ndarray | None:
    """Every document's length byte of ``fieldname`` in a segment's per-document
    reader, ``None`` when the field has no length column (not scorable)."""
    # The reader's own cached column reader (closed with the reader).
    cached_reader = getattr(perdoc, "_cached_reader", None)
    column = cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN) if cached_reader else None
    if column is None or getattr(column, "_fixedlen", None) != 1:
        return None
    stored = min(column._count, doccount)
    lengths = np.zeros(doccount, dtype=np.uint8)  # documents past the column's end: length 0
    if stored:
        lengths[:stored] = np.frombuffer(bytes(column._dbfile.get(column._basepos, stored)), dtype=np.uint8)
    return lengths
