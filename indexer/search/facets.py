"""Facets (theme, contractor, year): filters that combine and counts that let a user widen.

Filters are AND-ed across facets and OR-ed within one. Counts are taken over
the whole result set, and each facet is counted with the *other* facets'
filters applied but not its own (disjunctive facets): choosing «Fafo» leaves
the other contractors visible with the number of hits each would add.

Per document the facts a filter or a count needs are read once per commit
(:class:`~indexer.index.docfacts.DocFacts`) and counted as NumPy arrays.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from indexer.index.docfacts import DocFacts
from indexer.language.analysis import fold
from indexer.search.options import MAX_YEAR
from indexer.search.querylang import QueryError

FACETS = ("theme", "contractor", "year")
FACET_LABELS = {"theme": "tema", "contractor": "oppdragstaker", "year": "år"}
YearRange = tuple[int | None, int | None]


class FacetCount(TypedDict):
    """One value of a facet and how many hits have it."""

    value: str | int
    count: int


# Per facet, its values in the order they are shown.
Facets = dict[str, list[FacetCount]]


@dataclass(eq=False)
class FacetArrays:
    """The facet values of every document as NumPy arrays, so a result set of
    tens of thousands of documents is filtered and counted at once."""

    theme_names: list[str]
    theme: np.ndarray  # per document: index into theme_names, -1 without a theme
    contractor_names: list[str]
    contractor_doc: np.ndarray  # one entry per (document, contractor) pair …
    contractor: np.ndarray  # … and the contractor's index into contractor_names
    year: np.ndarray  # per document, 0 without a year
    size: int

    @classmethod
    def of(cls, facts: DocFacts) -> FacetArrays:
        """The facts' own code arrays (mapped from the snapshot): nothing is copied."""
        codes = facts.codes
        return cls(
            theme_names=codes.tables["theme"],
            theme=codes.codes["theme"],
            contractor_names=codes.tables["contractors"],
            contractor_doc=codes.contractor_doc,
            contractor=codes.contractor,
            year=codes.year,
            size=codes.size,
        )

    def codes(self, facet: str, values: Iterable[str]) -> list[int]:
        names = self.theme_names if facet == "theme" else self.contractor_names
        wanted = set(values)
        return [code for code, name in enumerate(names) if name in wanted]


# --- filters -----------------------------------------------------------------------


def _comparable(text: str) -> str:
    return fold(" ".join(unicodedata.normalize("NFC", text).lower().split()))


def resolve_value(facet: str, typed: str, known: Iterable[str]) -> str:
    """The facet value a typed filter means: the same text in any case, else the
    one value it is the start of (``fafo`` → ``Fafo``, ``oppvekst`` →
    ``Oppvekst og deltakelse``). Several candidates raise :class:`QueryError`
    naming them; no candidate keeps the text as typed (so nothing matches)."""
    wanted = _comparable(typed)
    known = sorted(known)
    exact = [value for value in known if _comparable(value) == wanted]
    if exact:
        return exact[0]
    starts = [value for value in known if _comparable(value).startswith(wanted)]
    if not starts:
        # A word inside the name also identifies it (oppdragstaker:samfunnsanalyse).
        starts = [value for value in known if any(w.startswith(wanted) for w in _comparable(value).split())]
    if len(starts) == 1:
        return starts[0]
    if len(starts) > 1:
        choices = ", ".join(f"«{value}»" for value in starts)
        raise QueryError(f"«{typed}» passer til flere verdier for {FACET_LABELS[facet]}: {choices}. Skriv mer av navnet.")
    return typed


@dataclass(frozen=True)
class Filters:
    """The active filters: a document passes when it matches every facet given."""

    themes: frozenset[str] = frozenset()
    contractors: frozenset[str] = frozenset()
    years: tuple[YearRange, ...] = ()

    def is_empty(self) -> bool:
        return not (self.themes or self.contractors or self.years)

    def selected(self, facet: str) -> set:
        if facet == "theme":
            return set(self.themes)
        if facet == "contractor":
            return set(self.contractors)
        return {low for low, high in self.years if low is not None and low == high}

    def passing(self, arrays: FacetArrays, docnums: np.ndarray) -> dict[str, np.ndarray]:
        """For each facet, which of the documents pass that facet's filter."""
        everyone = np.ones(len(docnums), dtype=bool)
        theme = everyone
        if self.themes:
            theme = np.isin(arrays.theme[docnums], arrays.codes("theme", self.themes))
        contractor = everyone
        if self.contractors:
            has_one = np.zeros(arrays.size, dtype=bool)
            chosen = np.isin(arrays.contractor, arrays.codes("contractor", self.contractors))
            has_one[arrays.contractor_doc[chosen]] = True
            contractor = has_one[docnums]
        year = everyone
        if self.years:
            years = arrays.year[docnums]
            year = np.zeros(len(docnums), dtype=bool)
            for low, high in self.years:
                year |= (years != 0) & (years >= (low or 0)) & (years <= (high if high is not None else MAX_YEAR))
        return {"theme": theme, "contractor": contractor, "year": year}


def make_filters(
    facts: DocFacts,
    themes: Sequence[str] = (),
    contractors: Sequence[str] = (),
    years: Sequence[int] = (),
    year_ranges: Sequence[YearRange] = (),
) -> Filters:
    """Filters with typed theme and contractor values resolved to the index's values."""
    ranges = [(y, y) for y in years] + [r for r in year_ranges if r != (None, None)]
    return Filters(
        themes=frozenset(resolve_value("theme", t, facts.theme_names) for t in themes if t.strip()),
        contractors=frozenset(resolve_value("contractor", c, facts.contractor_names) for c in contractors if c.strip()),
        years=tuple(dict.fromkeys(ranges)),
    )


# --- counting ----------------------------------------------------------------------


def filter_and_count(
    facts: DocFacts, docnums: np.ndarray, filters: Filters
) -> tuple[np.ndarray, Facets]:
    """Which of the documents pass every filter (a mask in their order), and the facet counts."""
    arrays = FacetArrays.of(facts)
    docnums = np.asarray(docnums, dtype=np.int64)
    passes = filters.passing(arrays, docnums)
    kept = passes["theme"] & passes["contractor"] & passes["year"]
    # A document counts for a facet when only that facet's own filter (or
    # none) excludes it.
    counts = {
        "theme": _theme_counts(arrays, docnums[passes["contractor"] & passes["year"]]),
        "contractor": _contractor_counts(arrays, docnums[passes["theme"] & passes["year"]]),
        "year": _year_counts(arrays, docnums[passes["theme"] & passes["contractor"]]),
    }
    return kept, {facet: _facet_list(facet, counts[facet], filters.selected(facet)) for facet in FACETS}


def _named_counts(names: list[str], codes: np.ndarray) -> Counter:
    tally = np.bincount(codes, minlength=len(names))
    return Counter({names[code]: int(tally[code]) for code in np.flatnonzero(tally)})


def _theme_counts(arrays: FacetArrays, docnums: np.ndarray) -> Counter:
    codes = arrays.theme[docnums]
    return _named_counts(arrays.theme_names, codes[codes >= 0])


def _contractor_counts(arrays: FacetArrays, docnums: np.ndarray) -> Counter:
    counted = np.zeros(arrays.size, dtype=bool)
    counted[docnums] = True
    return _named_counts(arrays.contractor_names, arrays.contractor[counted[arrays.contractor_doc]])


def _year_counts(arrays: FacetArrays, docnums: np.ndarray) -> Counter:
    years = arrays.year[docnums]
    values, tally = np.unique(years[years != 0], return_counts=True)
    return Counter({int(year): int(count) for year, count in zip(values, tally, strict=True)})


def _facet_list(facet: str, counter: Counter, selected: set) -> list[FacetCount]:
    for value in selected:
        counter.setdefault(value, 0)  # a chosen value stays visible so it can be unchosen
    if facet == "year":
        ordered = sorted(counter.items(), key=lambda item: -item[0])
    else:
        ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0].lower()))
    return [{"value": value, "count": count} for value, count in ordered]
