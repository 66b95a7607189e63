"""A Whoosh query that rewards documents matching more of what was asked.

A query is a list of *units*, one per thing the user typed (a word, a phrase,
words joined by OR). Each unit has a *core* query over the document's own text
and an optional *context* query over what the document inherits from its
report (title, contractors). A document matches when any unit matches;

    score = (sum of matching sub-scores) × (covered units / all units) ** power

where a unit counts as covered (1.0) when its core matches and only partly
(``context_coverage``) when just its context does. So a natural question needs
no hard AND, a document with more of the words ranks higher, and a word found
only in the report's title helps without letting every passage of that report
outrank the passages that actually say it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.matching import Matcher, NullMatcher, ReadTooFar


@dataclass(frozen=True)
class Unit:
    core: wq.Query
    context: wq.Query | None = None

    def queries(self) -> Iterator[tuple[wq.Query, bool]]:
        yield self.core, True
        if self.context is not None:
            yield self.context, False


class CoordinatedQuery(wq.Query):
    """Units OR-ed, scaled by the share of units a document covers."""

    def __init__(self, units: list[Unit], context_coverage: float = 0.5, power: float = 1.0, boost: float = 1.0):
        self.units = list(units)
        self.context_coverage = context_coverage
        self.power = power
        self.boost = boost

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.units!r}, context_coverage={self.context_coverage}, power={self.power})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and self.units == other.units  # type: ignore[attr-defined]
            and self.context_coverage == other.context_coverage  # type: ignore[attr-defined]
            and self.power == other.power  # type: ignore[attr-defined]
            and self.boost == other.boost  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.units), self.context_coverage, self.power, self.boost))

    def is_leaf(self) -> bool:
        return False

    def children(self) -> Iterator[wq.Query]:
        for unit in self.units:
            for q, _ in unit.queries():
                yield q

    def _rebuilt(self, fn: Callable[[wq.Query], wq.Query]) -> "CoordinatedQuery":
        units = [Unit(fn(u.core), fn(u.context) if u.context is not None else None) for u in self.units]
        return type(self)(units, self.context_coverage, self.power, self.boost)

    def apply(self, fn: Callable[[wq.Query], wq.Query]) -> "CoordinatedQuery":
        return self._rebuilt(fn)

    def normalize(self) -> "CoordinatedQuery":
        return self._rebuilt(lambda q: q.normalize())

    def estimate_size(self, ixreader) -> int:
        return min(sum(q.estimate_size(ixreader) for q in self.children()), ixreader.doc_count_all())

    def estimate_min_size(self, ixreader) -> int:
        return 0

    def matcher(self, searcher, context=None) -> Matcher:
        entries = []
        for number, unit in enumerate(self.units):
            for q, is_core in unit.queries():
                m = q.matcher(searcher, context)
                if m.is_active():
                    entries.append((number, 1.0 if is_core else self.context_coverage, m))
        if not entries:
            return NullMatcher()
        return CoordinatedMatcher(entries, len(self.units), self.power, self.boost)


class CoordinatedMatcher(Matcher):
    """Walks the union of the unit matchers; see :class:`CoordinatedQuery` for the score."""

    def __init__(self, entries: list[tuple[int, float, Matcher]], unit_count: int, power: float, boost: float = 1.0):
        self._entries = entries
        self._unit_count = unit_count
        self._power = power
        self._boost = boost

    def _active(self) -> list[tuple[int, float, Matcher]]:
        return [e for e in self._entries if e[2].is_active()]

    def _current(self) -> list[tuple[int, float, Matcher]]:
        active = self._active()
        docnum = min(e[2].id() for e in active)
        return [e for e in active if e[2].id() == docnum]

    def is_active(self) -> bool:
        return any(e[2].is_active() for e in self._entries)

    def id(self) -> int:
        return min(e[2].id() for e in self._active())

    def next(self) -> bool:
        if not self.is_active():
            raise ReadTooFar
        for _, _, m in self._current():
            m.next()
        return False

    def skip_to(self, docnum: int) -> None:
        for _, _, m in self._active():
            if m.id() < docnum:
                m.skip_to(docnum)

    def score(self) -> float:
        coverage: dict[int, float] = {}
        total = 0.0
        for unit, weight, m in self._current():
            total += m.score()
            coverage[unit] = max(coverage.get(unit, 0.0), weight)
        share = sum(coverage.values()) / self._unit_count
        return self._boost * total * share**self._power

    def weight(self) -> float:
        return sum(m.weight() for _, _, m in self._current())

    def children(self) -> list[Matcher]:
        return [m for _, _, m in self._entries]

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def reset(self) -> None:
        for _, _, m in self._entries:
            m.reset()

    def copy(self) -> "CoordinatedMatcher":
        entries = [(u, w, m.copy()) for u, w, m in self._entries]
        return CoordinatedMatcher(entries, self._unit_count, self._power, self._boost)

    def supports_block_quality(self) -> bool:
        return False
