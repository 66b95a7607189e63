"""A Whoosh query that rewards documents matching more of what was asked.

A query is a list of *units*, one per thing the user typed (a word, a phrase,
words joined by OR). Each unit has a *core* query over the document's own text
and an optional *context* query over what the document inherits from its
report (title, contractors). A document matches when any unit matches;

    score = (sum of matching sub-scores) × (covered units / all units) ** power
            × (1 + context_bonus × (units matched in context / all units) ** 2)

where a unit counts as covered (1.0) when its core matches and only partly
when just its context does (``context_coverage``) or just its *partial* query,
one part of a compound word (``partial_coverage``). So a natural question needs
no hard AND, a document with more of the words ranks higher, and a word found
only in the report's title helps without letting every passage of that report
outrank the passages that actually say it. The last factor lifts documents of
a report whose title says much of what was asked: little for one word of a
long question, a lot when the title is the question.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.matching import Matcher, NullMatcher, ReadTooFar

from indexer.search import arrayscoring
from indexer.search.arrayscoring import ArrayScorer, Matches

CORE, CONTEXT, WEAK_CONTEXT, PARTIAL = "core", "context", "weak_context", "partial"


@dataclass(frozen=True)
class Unit:
    """One thing the user asked for. ``weak_context`` is context matched only
    loosely (a synonym or compound part in the title): it covers the unit like
    context but does not earn the context bonus. ``partial`` is a looser match of
    the text (one part of a compound word): it covers the unit only in part."""

    core: wq.Query
    context: wq.Query | None = None
    weak_context: wq.Query | None = None
    partial: wq.Query | None = None

    def queries(self) -> Iterator[tuple[wq.Query, str]]:
        yield self.core, CORE
        if self.context is not None:
            yield self.context, CONTEXT
        if self.weak_context is not None:
            yield self.weak_context, WEAK_CONTEXT
        if self.partial is not None:
            yield self.partial, PARTIAL


class CoordinatedQuery(wq.Query):
    """Units OR-ed, scaled by the share of units a document covers."""

    def __init__(
        self,
        units: list[Unit],
        context_coverage: float = 0.5,
        power: float = 1.0,
        context_bonus: float = 0.0,
        boost: float = 1.0,
        partial_coverage: float = 0.5,
    ):
        self.units = list(units)
        self.context_coverage = context_coverage
        self.power = power
        self.context_bonus = context_bonus
        self.boost = boost
        self.partial_coverage = partial_coverage

    def _settings(self) -> tuple:
        return (self.context_coverage, self.power, self.context_bonus, self.boost, self.partial_coverage)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.units!r}, settings={self._settings()})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and self.units == other.units
            and self._settings() == other._settings()
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.units), self._settings()))

    def is_leaf(self) -> bool:
        return False

    def children(self) -> Iterator[wq.Query]:
        for unit in self.units:
            for q, _ in unit.queries():
                yield q

    def _rebuilt(self, fn: Callable[[wq.Query], wq.Query]) -> CoordinatedQuery:
        units = [
            Unit(*(fn(q) if q is not None else None for q in (u.core, u.context, u.weak_context, u.partial)))
            for u in self.units
        ]
        return type(self)(units, *self._settings())

    def apply(self, fn: Callable[[wq.Query], wq.Query]) -> CoordinatedQuery:
        return self._rebuilt(fn)

    def normalize(self) -> CoordinatedQuery:
        return self._rebuilt(lambda q: q.normalize())

    def estimate_size(self, ixreader) -> int:
        return min(sum(q.estimate_size(ixreader) for q in self.children()), ixreader.doc_count_all())

    def estimate_min_size(self, ixreader) -> int:
        return 0

    def matcher(self, searcher, context=None) -> Matcher:
        entries = []
        for number, unit in enumerate(self.units):
            for q, role in unit.queries():
                m = q.matcher(searcher, context)
                if m.is_active():
                    entries.append((number, role, m))
        if not entries:
            return NullMatcher()
        return CoordinatedMatcher(entries, len(self.units), self.context_coverage, self.power, self.context_bonus,
                                  self.boost, self.partial_coverage)


class CoordinatedMatcher(Matcher):
    """Walks the union of the unit matchers; see :class:`CoordinatedQuery` for the score."""

    def __init__(
        self,
        entries: list[tuple[int, str, Matcher]],
        unit_count: int,
        context_coverage: float,
        power: float,
        context_bonus: float = 0.0,
        boost: float = 1.0,
        partial_coverage: float = 0.5,
    ):
        self._entries = entries
        self._unit_count = unit_count
        self._context_coverage = context_coverage
        self._power = power
        self._context_bonus = context_bonus
        self._boost = boost
        self._partial_coverage = partial_coverage
        self._refresh()

    def _refresh(self) -> None:
        """Work out which sub-matchers sit on the lowest document, once per move.

        The collector asks is_active, id and score for every document; doing the
        walk over all sub-matchers once per move instead of once per call keeps
        whole-result-set scoring (needed for facets) affordable.
        """
        self._active = [e for e in self._entries if e[2].is_active()]
        if self._active:
            positions = [e[2].id() for e in self._active]
            self._docnum = min(positions)
            self._current = [e for e, at in zip(self._active, positions, strict=True) if at == self._docnum]
        else:
            self._docnum = None
            self._current = []

    def is_active(self) -> bool:
        return bool(self._active)

    def id(self) -> int:
        return self._docnum

    def next(self) -> bool:
        if not self._active:
            raise ReadTooFar
        for _, _, m in self._current:
            m.next()
        self._refresh()
        return False

    def skip_to(self, docnum: int) -> None:
        for _, _, m in self._active:
            if m.id() < docnum:
                m.skip_to(docnum)
        self._refresh()

    def score(self) -> float:
        coverage: dict[int, float] = {}
        in_context: set[int] = set()
        total = 0.0
        for unit, role, m in self._current:
            total += m.score()
            weight = _coverage(role, self._context_coverage, self._partial_coverage)
            coverage[unit] = max(coverage.get(unit, 0.0), weight)
            if role == CONTEXT:
                in_context.add(unit)
        share = sum(coverage.values()) / self._unit_count
        # The title must share at least two of the query's units to count:
        # one word in a title says little about the report.
        context_share = (len(in_context) - 1) / (self._unit_count - 1) if len(in_context) > 1 else 0.0
        return self._boost * total * share**self._power * (1 + self._context_bonus * context_share**2)

    def weight(self) -> float:
        return sum(m.weight() for _, _, m in self._current)

    def children(self) -> list[Matcher]:
        return [m for _, _, m in self._entries]

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def reset(self) -> None:
        for _, _, m in self._entries:
            m.reset()
        self._refresh()

    def copy(self) -> CoordinatedMatcher:
        entries = [(u, w, m.copy()) for u, w, m in self._entries]
        return CoordinatedMatcher(
            entries, self._unit_count, self._context_coverage, self._power, self._context_bonus, self._boost,
            self._partial_coverage,
        )

    def supports_block_quality(self) -> bool:
        return False


def _coverage(role: str, context_coverage: float, partial_coverage: float) -> float:
    """How much of its unit a matching sub-query covers."""
    if role == CORE:
        return 1.0
    return partial_coverage if role == PARTIAL else context_coverage


def _coordinated_matches(scorer: ArrayScorer, query: CoordinatedQuery) -> Matches:
    """:meth:`CoordinatedMatcher.score` for every matching document at once."""
    entries = [
        (number, role, scorer.matches(q)) for number, unit in enumerate(query.units) for q, role in unit.queries()
    ]
    entries = [entry for entry in entries if len(entry[2])]
    if not entries:
        return Matches.none()
    # The union sums the entries' scores in the matcher's order, so the sums agree.
    merged = scorer.union([m for _, _, m in entries])
    docnums, total = merged.docnums, merged.scores
    coverage = np.zeros((len(query.units), len(docnums)))
    in_context = np.zeros(len(docnums))
    for unit, role, m in entries:
        at = np.searchsorted(docnums, m.docnums)
        weight = _coverage(role, query.context_coverage, query.partial_coverage)
        coverage[unit, at] = np.maximum(coverage[unit, at], weight)
        if role == CONTEXT:
            in_context[at] += 1
    unit_count = len(query.units)
    share = coverage.sum(axis=0) / unit_count
    context_share = np.where(in_context > 1, (in_context - 1) / max(unit_count - 1, 1), 0.0)
    scores = query.boost * total * share**query.power * (1 + query.context_bonus * context_share**2)
    return Matches(docnums, scores)


arrayscoring.register(CoordinatedQuery, _coordinated_matches)
