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

import json
import os
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from indexer.language.analysis import fold
from indexer.search.options import MAX_YEAR, MIN_YEAR
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

    def __post_init__(self) -> None:
        self.arrays = FacetArrays.of(self)

    def values(self, facet: str) -> set[str]:
        return self.theme_names if facet == "theme" else self.contractor_names


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
        theme_names = sorted(facts.theme_names)
        theme_code = {name: code for code, name in enumerate(theme_names)}
        contractor_names = sorted(facts.contractor_names)
        contractor_code = {name: code for code, name in enumerate(contractor_names)}
        pairs = [(docnum, contractor_code[c]) for docnum, names in enumerate(facts.contractors) for c in names]
        return cls(
            theme_names=theme_names,
            theme=np.array([theme_code[t] if t else -1 for t in facts.theme], dtype=np.int64),
            contractor_names=contractor_names,
            contractor_doc=np.array([d for d, _ in pairs], dtype=np.int64),
            contractor=np.array([c for _, c in pairs], dtype=np.int64),
            year=np.array([y or 0 for y in facts.year], dtype=np.int64),
            size=len(facts.theme),
        )

    def codes(self, facet: str, values: Iterable[str]) -> list[int]:
        names = self.theme_names if facet == "theme" else self.contractor_names
        wanted = set(values)
        return [code for code, name in enumerate(names) if name in wanted]


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
    """A column's value for every document, ``None`` in segments without the column.

    Read segment by segment: Whoosh's multi-segment column reader leaves out the
    segments without the column but keeps counting documents from the ones left,
    so a segment of manifest entries only (no year) shifted or broke every lookup.
    """
    values: list = [None] * size
    for leaf, offset in reader.leaf_readers():
        if leaf.has_column(fieldname):
            column = leaf.column_reader(fieldname)
            count = leaf.doc_count_all()
            values[offset : offset + count] = [column[docnum] for docnum in range(count)]
    return values


def build_doc_facts(searcher) -> DocFacts:
    """Read the facts of every document of the searcher (once per searcher: the caller caches)."""
    reader = searcher.reader()
    size = reader.doc_count_all()
    themes = _multi_values(reader, "theme", size)
    chapters = _single_values(reader, "chapter", size)
    theme: list[str | None] = []
    for docnum, (report_themes, chapter) in enumerate(zip(themes, chapters, strict=True)):
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


# --- kept beside a commit's serving snapshot ----------------------------------------

# Reading the facts from Whoosh costs seconds at 100,000 items (stored values, one
# document at a time); a commit's facts never change, so the first process to need them
# writes them beside the commit's snapshot and every later process reads them back.
FACTS_FILE = "facts.json"
_SINGLE_FACTS = ("kind", "report_id", "section", "theme", "published")
FACTS_FORMAT = 1


def save_doc_facts(facts: DocFacts, folder: Path) -> None:
    """Write ``facts`` into ``folder`` (a snapshot's), replacing the file in one rename."""
    data: dict[str, Any] = {"format": FACTS_FORMAT, "size": len(facts.kind)}
    for name in _SINGLE_FACTS:
        values = getattr(facts, name)
        table = sorted({value for value in values if value is not None})
        code = {value: number for number, value in enumerate(table)}
        data[name] = {"values": table, "codes": [code[v] if v is not None else -1 for v in values]}
    contractor_table = sorted(facts.contractor_names)
    contractor_code = {value: number for number, value in enumerate(contractor_table)}
    data["contractors"] = {"values": contractor_table,
                           "codes": [[contractor_code[c] for c in names] for names in facts.contractors]}
    data["year"] = [y if y is not None else 0 for y in facts.year]
    data["position"] = list(facts.position)
    temporary = folder / f".{FACTS_FILE}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, folder / FACTS_FILE)


def load_doc_facts(folder: Path, size: int) -> DocFacts | None:
    """The facts :func:`save_doc_facts` wrote, or ``None`` (none yet, another format, another size)."""
    try:
        data = json.loads((folder / FACTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("format") != FACTS_FORMAT or data.get("size") != size:
        return None
    single: dict[str, list] = {}
    for name in _SINGLE_FACTS:
        table = data[name]["values"]
        single[name] = [table[c] if c >= 0 else None for c in data[name]["codes"]]
    contractor_table = data["contractors"]["values"]
    contractors = [tuple(contractor_table[c] for c in codes) for codes in data["contractors"]["codes"]]
    return DocFacts(
        kind=single["kind"],
        report_id=single["report_id"],
        section=single["section"],
        theme=single["theme"],
        contractors=contractors,
        year=[y or None for y in data["year"]],
        published=[p or "" for p in single["published"]],
        position=data["position"],
        theme_names={t for t in single["theme"] if t},
        contractor_names=set(contractor_table),
        section_names={s for s in single["section"] if s},
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
    arrays = facts.arrays
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
