"""Every use of Whoosh beyond its public API, in one place.

Rapportsøk relies on a few Whoosh internals for speed and safety. They are
collected here so an upgrade has one module to check; ``docs/architecture.md``
lists what is used and why, and ``tests/test_whoosh_internals.py`` pins the
behaviour relied on.
"""
from __future__ import annotations

from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage

from indexer.index.schema import INDEX_NAME


def has_index(storage: FileStorage) -> bool:
    """Whether the folder holds a committed index (a table of contents).

    Not ``storage.index_exists``: it opens the index with the schema pickled
    in it, which names the analyzer classes by module path and so fails to
    load after the code that defines them has moved.
    """
    return whoosh_index.TOC._latest_generation(storage, INDEX_NAME) >= 0


def open_index(storage: FileStorage, schema: Schema) -> whoosh_index.FileIndex:
    """The committed index, read with today's schema instead of the pickled one."""
    return storage.open_index(INDEX_NAME, schema=schema)
