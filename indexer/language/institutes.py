"""The gazetteer of research institutes and consultancies (``data/institutes.json``).

Extraction uses it to tell who wrote a report; search uses it so an alias
(``ISF``) finds the reports of the institute it names.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from indexer.config import language_data

GAZETTEER_FILE = "institutes.json"


@dataclass(frozen=True)
class Institute:
    name: str  # the canonical name, as facets show it
    kind: str
    aliases: tuple[str, ...]


@lru_cache(maxsize=1)
def institutes() -> tuple[Institute, ...]:
    """Every institute of the gazetteer, in the file's order."""
    entities = json.loads(language_data(GAZETTEER_FILE).read_text(encoding="utf-8"))["entities"]
    return tuple(
        Institute(name=entity["name"], kind=entity.get("kind", ""), aliases=tuple(entity.get("aliases") or ()))
        for entity in entities
    )
