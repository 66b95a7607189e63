"""What every document of a commit is: kind, report, section, theme, contractors, year, date, place.

Filters, facet counts, sort orders and report pages need these per document
number. They are read from postings and columns (not stored fields), once per
commit: :mod:`indexer.index.snapshot` writes them into the commit's serving
snapshot, so a new server process maps them instead of reading Whoosh for
seconds; an index without a snapshot reads them from Whoosh in each process.

:class:`DocFacts` keeps each fact both ways: as a code per document into a
sorted table of values (:class:`FactCodes`, for NumPy) and as a list of values
(for the code that looks at one document).

The theme of a document is its report's theme; a stand-alone report whose
chapters are its themes (the index lists several themes for it) gives each
finding and passage its own chapter instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from indexer.index.schema import KIND_REPORT

# Years outside these are no years (a misread number), in filters as in facts.
MIN_YEAR, MAX_YEAR = 1000, 9999

# Facts with one value (or none) per document, kept as codes into a table of values.
SINGLE_FACTS = ("kind", "report_id", "section", "theme", "published")


@dataclass(eq=False)
class FactCodes:
    """Every fact as NumPy arrays: codes into sorted tables of the values."""

    # fact -> its values, sorted (SINGLE_FACTS and "contractors"); "report_titles": every report's title
    tables: dict[str, list[str]]
    codes: dict[str, np.ndarray]  # SINGLE_FACTS -> per document, index into its table, -1 without a value
    contractor_doc: np.ndarray  # one entry per (document, contractor) pair …
    contractor: np.ndarray  # … and the contractor's index into tables["contractors"]
    year: np.ndarray  # per document, 0 without a year
    position: np.ndarray  # per document, its place in its report

    @property
    def size(self) -> int:
        return len(self.year)

    def values(self, fact: str) -> np.ndarray:
        """One value per document of a single fact, as an object array (``None`` without one)."""
        table = np.array([*self.tables[fact], None], dtype=object)
        return table[self.codes[fact]]  # code -1 picks the final None


class DocFacts:
    """Facet values and sort keys per document number of one commit.

    Kept as codes (:attr:`codes`); the per-document lists are made when first
    asked for, and one document's value is read from the codes directly.
    """

    def __init__(self, codes: FactCodes):
        self.codes = codes

    def value(self, fact: str, docnum: int) -> str | None:
        """One document's value of a single fact (:data:`SINGLE_FACTS`)."""
        code = int(self.codes.codes[fact][docnum])
        return self.codes.tables[fact][code] if code >= 0 else None

    def values(self, facet: str) -> set[str]:
        return self.theme_names if facet == "theme" else self.contractor_names

    @cached_property
    def theme_names(self) -> set[str]:
        return set(self.codes.tables["theme"])

    @cached_property
    def contractor_names(self) -> set[str]:
        return set(self.codes.tables["contractors"])

    @cached_property
    def section_names(self) -> set[str]:
        return set(self.codes.tables["section"])

    @cached_property
    def kind(self) -> list[str | None]:
        return self.codes.values("kind").tolist()

    @cached_property
    def report_id(self) -> list[str | None]:
        return self.codes.values("report_id").tolist()

    @cached_property
    def section(self) -> list[str | None]:
        return self.codes.values("section").tolist()

    @cached_property
    def theme(self) -> list[str | None]:
        return self.codes.values("theme").tolist()

    @cached_property
    def published(self) -> list[str]:
        return [p or "" for p in self.codes.values("published").tolist()]

    @cached_property
    def contractors(self) -> list[tuple[str, ...]]:
        table = self.codes.tables["contractors"]
        names: list[list[str]] = [[] for _ in range(self.codes.size)]
        for docnum, code in zip(self.codes.contractor_doc.tolist(), self.codes.contractor.tolist(), strict=True):
            names[docnum].append(table[code])
        return [tuple(n) for n in names]

    @cached_property
    def year(self) -> list[int | None]:
        return [y or None for y in self.codes.year.tolist()]

    @cached_property
    def position(self) -> list[int]:
        return self.codes.position.tolist()


def encode_facts(**facts: list) -> FactCodes:
    """Codes of per-document lists: one list per :data:`SINGLE_FACTS` name, and
    ``contractors`` (tuples), ``year`` (``None`` without one) and ``position``."""
    tables: dict[str, list[str]] = {}
    codes: dict[str, np.ndarray] = {}
    for name in SINGLE_FACTS:
        values = facts[name]
        table = sorted({value for value in values if value})
        code = {value: number for number, value in enumerate(table)}
        tables[name] = table
        codes[name] = np.array([code[v] if v else -1 for v in values], dtype=np.int32)
    tables["contractors"] = sorted({c for names in facts["contractors"] for c in names})
    contractor_code = {name: number for number, name in enumerate(tables["contractors"])}
    pairs = [(docnum, contractor_code[c]) for docnum, names in enumerate(facts["contractors"]) for c in names]
    return FactCodes(
        tables=tables,
        codes=codes,
        contractor_doc=np.array([d for d, _ in pairs], dtype=np.int32),
        contractor=np.array([c for _, c in pairs], dtype=np.int32),
        year=np.array([y or 0 for y in facts["year"]], dtype=np.int32),
        position=np.array(facts["position"], dtype=np.int32),
    )


# --- reading them from Whoosh --------------------------------------------------------


def _term_text(raw: bytes | str) -> str:
    return raw.decode("utf-8") if isinstance(raw, bytes) else raw


def _single_values(reader: Any, fieldname: str, size: int) -> list[str | None]:
    values: list[str | None] = [None] * size
    if fieldname not in reader.schema:
        return values
    for raw in reader.lexicon(fieldname):
        text = _term_text(raw)
        for docnum in reader.postings(fieldname, text).all_ids():
            values[docnum] = text
    return values


def _multi_values(reader: Any, fieldname: str, size: int) -> list[list[str]]:
    values: list[list[str]] = [[] for _ in range(size)]
    if fieldname not in reader.schema:
        return values
    for raw in reader.lexicon(fieldname):
        text = _term_text(raw)
        for docnum in reader.postings(fieldname, text).all_ids():
            values[docnum].append(text)
    return values


def _column(reader: Any, fieldname: str, size: int) -> list:
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


def build_doc_facts(searcher: Searcher) -> DocFacts:
    """Read the facts of every document of the searcher from Whoosh (seconds at 100,000 items)."""
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
    codes = encode_facts(
        kind=_single_values(reader, "kind", size),
        report_id=_single_values(reader, "report_id", size),
        section=_single_values(reader, "section", size),
        theme=theme,
        contractors=contractors,
        year=years,
        published=_column(reader, "published", size),
        position=[p if isinstance(p, int) else 0 for p in _column(reader, "position", size)],
    )
    codes.tables["report_titles"] = [fields.get("title") or "" for fields in searcher.documents(kind=KIND_REPORT)]
    return DocFacts(codes)


# --- kept in a snapshot ----------------------------------------------------------------


def facts_arrays(codes: FactCodes) -> dict[str, np.ndarray]:
    """The arrays a snapshot stores (the tables go into its meta file)."""
    return {
        **{f"facts.{name}": codes.codes[name] for name in SINGLE_FACTS},
        "facts.contractor_doc": codes.contractor_doc,
        "facts.contractor": codes.contractor,
        "facts.year": codes.year,
        "facts.position": codes.position,
    }


def facts_from_arrays(tables: dict[str, list[str]], array: Any) -> DocFacts:
    """The facts a snapshot stored: ``array(name)`` gives each of :func:`facts_arrays`."""
    codes = FactCodes(
        tables=tables,
        codes={name: array(f"facts.{name}") for name in SINGLE_FACTS},
        contractor_doc=array("facts.contractor_doc"),
        contractor=array("facts.contractor"),
        year=array("facts.year"),
        position=array("facts.position"),
    )
    return DocFacts(codes)
