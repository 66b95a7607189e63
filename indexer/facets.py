"""Facets (theme, contractor, year): filters that combine and counts that let a user widen.

Filters are AND-ed across facets and OR-ed within one. Counts are taken over
the whole result set, and each facet is counted with the *other* facets'
filters applied but not its own (disjunctive facets): choosing «Fafo» leaves
the other contractors visible with the number of hits each would add.

Per document the facts a filter or a count needs are read once per searcher
from postings and columns (not stored fields) and kept in :class:`DocFacts`.

The theme of a document is its report's theme; a stand-alone report whose
chapters are its themes (the index lists several themes for it) gives each
finding and passage its own chapter instead.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from indexer.analysis import fold
from indexer.querylang import MAX_YEAR, MIN_YEAR, QueryError

FACETS = ("theme", "contractor", "year")
FACET_LABELS = {"theme": "tema", "contractor": "oppdragstaker", "year": "år"}
YearRange = tuple[int | None, int | None]


def _term_text(raw: bytes | str) -> str:
    return raw.decode("utf-8") if isinstance(raw, bytes) else raw


@dataclass(eq=False)
class DocFacts:
    """Facet values and sort keys per document number of one searcher."""

    kind: list[str | None]
    report_id: list[str | None]
    section: list[str | None]
    theme: list[str | None]
    contractors: list[tuple[str, ...]]
    year: list[int | None]
    published: list[str]
    position: list[int]
    theme_names: set[str] = field(default_factory=set)
    contractor_names: set[str] = field(default_factory=set)
    section_names: set[str] = field(default_factory=set)

    def values(self, facet: str) -> set[str]:
        return self.theme_names if facet == "theme" else self.contractor_names

    def docnums(self, kinds: Iterable[str]) -> list[int]:
        wanted = set(kinds)
        return [docnum for docnum, kind in enumerate(self.kind) if kind in wanted]


def _single_values(reader, fieldname: str, size: int) -> list[str | None]:
    values: list[str | None] = [None] * size
    if fieldname not in reader.schema:
        return values
    for raw in reader.lexicon(fieldname):
        text = _term_text(raw)
        for docnum in reader.postings(fieldname, text).all_ids():
            values[docnum] = text
    return values


def _multi_values(reader, fieldname: str, size: int) -> list[list[str]]:
    values: list[list[str]] = [[] for _ in range(size)]
    if fieldname not in reader.schema:
        return values
    for raw in reader.lexicon(fieldname):
        text = _term_text(raw)
        for docnum in reader.postings(fieldname, text).all_ids():
            values[docnum].append(text)
    return values


def _column(reader, fieldname: str, size: int) -> list:
    if not reader.has_column(fieldname):
        return [None] * size
    column = reader.column_reader(fieldname)
    return [column[docnum] for docnum in range(size)]


def build_doc_facts(searcher) -> DocFacts:
    """Read the facts of every document of the searcher (once per searcher: the caller caches)."""
    reader = searcher.reader()
    size = reader.doc_count_all()
    themes = _multi_values(reader, "theme", size)
    chapters = _single_values(reader, "chapter", size)
    theme: list[str | None] = []
    for docnum, (report_themes, chapter) in enumerate(zip(themes, chapters)):
        if len(report_themes) <= 1:
            theme.append(report_themes[0] if report_themes else None)
        elif chapter in report_themes:
            theme.append(chapter)  # a report whose chapters are its themes
        else:
            theme.append(searcher.stored_fields(docnum).get("theme"))
    years = [y if isinstance(y, int) and MIN_YEAR <= y <= MAX_YEAR else None for y in _column(reader, "year", size)]
    contractors = [tuple(sorted(values)) for values in _multi_values(reader, "contractors", size)]
    sections = _single_values(reader, "section", size)
    return DocFacts(
        kind=_single_values(reader, "kind", size),
        report_id=_single_values(reader, "report_id", size),
        section=sections,
        theme=theme,
        contractors=contractors,
        year=years,
        published=[p or "" for p in _column(reader, "published", size)],
        position=[p if isinstance(p, int) else 0 for p in _column(reader, "position", size)],
        theme_names={t for t in theme if t},
        contractor_names={c for names in contractors for c in names},
        section_names={s for s in sections if s},
    )


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

    def passing(self, facts: DocFacts, docnum: int) -> dict[str, bool]:
        """For each facet, whether the document passes that facet's filter."""
        year = facts.year[docnum]
        return {
            "theme": not self.themes or facts.theme[docnum] in self.themes,
            "contractor": not self.contractors or not self.contractors.isdisjoint(facts.contractors[docnum]),
            "year": not self.years or (year is not None and any(_in_range(year, r) for r in self.years)),
        }


def _in_range(year: int, year_range: YearRange) -> bool:
    low, high = year_range
    return (low is None or year >= low) and (high is None or year <= high)


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


def _facet_values(facts: DocFacts, facet: str, docnum: int) -> Iterable:
    if facet == "theme":
        value = facts.theme[docnum]
        return (value,) if value else ()
    if facet == "contractor":
        return facts.contractors[docnum]
    year = facts.year[docnum]
    return (year,) if year is not None else ()


def filter_and_count(
    facts: DocFacts, docnums: Sequence[int], filters: Filters
) -> tuple[list[int], dict[str, list[dict]]]:
    """The documents passing every filter (in the given order) and the facet counts."""
    kept: list[int] = []
    counts = {facet: Counter() for facet in FACETS}
    for docnum in docnums:
        passes = filters.passing(facts, docnum)
        failed = [facet for facet, ok in passes.items() if not ok]
        if not failed:
            kept.append(docnum)
        # A document counts for a facet when only that facet's own filter (or
        # none) excludes it.
        for facet in FACETS:
            if not failed or failed == [facet]:
                counts[facet].update(_facet_values(facts, facet, docnum))
    return kept, {facet: _facet_list(facet, counts[facet], filters.selected(facet)) for facet in FACETS}


def _facet_list(facet: str, counter: Counter, selected: set) -> list[dict]:
    for value in selected:
        counter.setdefault(value, 0)  # a chosen value stays visible so it can be unchosen
    if facet == "year":
        ordered = sorted(counter.items(), key=lambda item: -item[0])
    else:
        ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0].lower()))
    return [{"value": value, "count": count} for value, count in ordered]
