"""Institute names as search words: ``Proba`` finds the reports Proba wrote.

The index keeps each report's contractors as facet values (``Proba
samfunnsanalyse``), not as text. A query word or run of words that is one of
the names, or an alias from the institute gazetteer (``ISF``, ``Institutt for
samfunnsforskning``, a genitive ``Fafos``), is matched here to the facet values
present in the index, so the query builder can add those reports' findings and
passages to the hits.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from indexer.language.institutes import institutes
from indexer.language.synonyms import find_runs, text_keys


@lru_cache(maxsize=1)
def _gazetteer_aliases() -> dict[str, tuple[str, ...]]:
    """Canonical institute name → its aliases, from the gazetteer."""
    return {institute.name: institute.aliases for institute in institutes()}


@dataclass(frozen=True)
class ContractorMatch:
    """Query words ``start``..``end`` (exclusive) name these contractors."""

    start: int
    end: int
    names: tuple[str, ...]


class ContractorNames:
    """The names and aliases of the contractors in one index."""

    def __init__(self, contractors: Iterable[str], keys_of: Callable[[str], tuple[str, ...]] = text_keys):
        """``keys_of``: a name's analysed words (:func:`text_keys`, or what a snapshot kept of it)."""
        aliases = _gazetteer_aliases()
        self._names: dict[tuple[str, ...], set[str]] = {}
        for name in contractors:
            for alias in (name, *aliases.get(name, ())):
                keys = keys_of(alias)
                if keys:
                    self._names.setdefault(keys, set()).add(name)
        self.longest = max((len(keys) for keys in self._names), default=0)

    def names_for(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        found = self._names.get(keys)
        if found is None and keys and keys[-1].endswith("s"):
            # The genitive: «Fafos», «Probas rapport».
            found = self._names.get((*keys[:-1], keys[-1][:-1]))
        return tuple(sorted(found or ()))

    def matches(self, keys: Sequence[str]) -> list[ContractorMatch]:
        """Every run of ``keys`` naming a contractor."""
        return [ContractorMatch(start, end, names) for start, end, names in find_runs(keys, self.longest, self.names_for)]
