"""Search the index: the one engine behind the terminal, the JSON API and the web page.

:class:`Engine` is the typed interface front ends use::

    engine = Engine(index_dir)
    engine.search(SearchRequest(query, page=..., themes=..., sort=...)) -> SearchResponse
    engine.finding(finding_id) -> FindingDetail | None
    engine.similar(finding_id, limit) -> list[SearchHit]
    engine.reports() -> list[ReportSummary]
    engine.report(report_id) -> ReportDetail | None
    engine.health() -> IndexHealth

It calls the module's functions (:func:`search`, :func:`get_searcher`,
:func:`warm`, :func:`close_searchers`), which tests and tools may use directly.

A search parses what was typed (:mod:`indexer.search.querylang`), builds Whoosh
queries (:mod:`indexer.search.querybuild`), scores every matching document
(:mod:`indexer.search.arrayscoring`), applies the facet filters and counts
(:mod:`indexer.search.facets`), sorts, groups, pages and highlights
(:mod:`indexer.search.highlight`). Collecting all matches, not one page, is what
makes exact facet counts and a correct total possible; scoring, filtering,
counting and sorting work on NumPy arrays so that stays fast at 100,000
findings and passages.

The index is opened once per process and thread and reopened when a new
commit has landed, so a long-running server sees each re-index.
"""
from __future__ import annotations

import contextlib
import os
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from indexer.index._whoosh import has_index, open_index
from indexer.index.docfacts import DocFacts, build_doc_facts
from indexer.index.schema import KIND_FINDING, KIND_PASSAGE, SEARCHABLE_KINDS, build_schema
from indexer.index.snapshot import Snapshot, commit_key, open_snapshot
from indexer.index.status import index_status
from indexer.language.optional_data import missing_language_data
from indexer.language.synonyms import text_keys
from indexer.search import lookup, morelike
from indexer.search.arrayscoring import ArrayScorer, make_leaf_scorers, score_all
from indexer.search.contractor_names import ContractorNames
from indexer.search.facets import FACETS, Facets, Filters, filter_and_count, make_filters
from indexer.search.heading_names import Headings
from indexer.search.options import DEFAULT_SIZE, DEFAULT_SORT, SORT_NEWEST, SORT_VALUES, SearchRequest
from indexer.search.querybuild import BuiltQuery, QueryBuilder
from indexer.search.querylang import KIND_ALIASES, QueryError, parse_query
from indexer.search.results import (
    FailedSource,
    FindingDetail,
    IndexHealth,
    ReportDetail,
    ReportSummary,
    SearchHit,
    SearchResponse,
    make_hit,
)
from indexer.search.snapshotscoring import SnapshotScorer
from indexer.search.typo import Vocabulary

__all__ = [
    "Engine",
    "IndexNotFoundError",
    "QueryError",
    "close_searchers",
    "get_searcher",
    "search",
    "warm",
]

# Query-time weights on top of the scores: a finding is what readers come for
# (the index already boosts findings 2×); a footnote rarely answers anything.
KIND_WEIGHTS = {KIND_PASSAGE: 0.8}
SECTION_WEIGHTS = {"Fotnoter": 0.5}
# Finding and report ids are short hex digests (``indexer.records.stable_id``);
# anything unlike an id is answered as unknown without asking the index.
_PLAUSIBLE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")

T = TypeVar("T")


class IndexNotFoundError(Exception):
    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        super().__init__(
            f"Fant ingen søkeindeks i {index_dir}. Kjør «rapportsok index» først. "
            f"(No index in {index_dir}; run `rapportsok index` first.)"
        )


# --- the searcher and what is derived from it ---------------------------------------

_local = threading.local()
# Values derived from an index's documents, shared by every thread's searcher of
# the same commit; a few commits are kept so a re-index does not stall searches.
_derived: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_DERIVED_COMMITS = 3
# Values tied to one searcher (they hold its open files).
_per_searcher: weakref.WeakKeyDictionary[Searcher, dict[str, Any]] = weakref.WeakKeyDictionary()
_derived_lock = threading.Lock()
# One build at a time: eight server threads asking at once wait for the first
# instead of each building the same facts.
_build_lock = threading.RLock()


class _ThreadSearchers(dict):
    """One thread's open searchers, closed when the thread ends (a server's
    worker threads never call :func:`close_searchers`), so their files are
    closed rather than left to the garbage collector."""

    def __init__(self) -> None:
        super().__init__()
        self._pid = os.getpid()

    def __del__(self) -> None:
        # A forked extraction worker drops the other threads' state right after
        # the fork, when a file lock may be held by a thread that no longer
        # exists there: closing would hang, and the worker's copies need no closing.
        if os.getpid() != self._pid:
            return
        for searcher in self.values():
            with contextlib.suppress(Exception):  # already closed, or its files already gone
                searcher.close()


def _cached_searchers() -> dict[str, Searcher]:
    if not hasattr(_local, "searchers"):
        _local.searchers = _ThreadSearchers()
    return _local.searchers


def get_searcher(index_dir: Path | str) -> Searcher:
    """This thread's searcher for the index, reopened when a newer commit exists.

    Not ``Searcher.refresh()``: it reuses segment readers by segment id, and a
    reused reader keeps its old set of deleted documents, so files removed from
    the corpus would still be found. Per thread, so closing the old searcher
    never pulls files from under a search running elsewhere.
    """
    key = str(Path(index_dir).resolve())
    cache = _cached_searchers()
    searcher = cache.get(key)
    if searcher is not None:
        try:
            current = searcher.up_to_date()
        except OSError:  # index folder removed or replaced
            current = False
        if not current:
            searcher.close()
            searcher = None
    if searcher is None:
        storage = FileStorage(key, readonly=True)
        if not Path(key).is_dir() or not has_index(storage):
            cache.pop(key, None)
            raise IndexNotFoundError(Path(index_dir))
        searcher = open_index(storage, build_schema()).searcher()
    cache[key] = searcher
    return searcher


def close_searchers(index_dir: Path | str | None = None) -> None:
    """Close this thread's open searchers (tests, shutdown), or only its searcher of ``index_dir``."""
    cache = _cached_searchers()
    keys = list(cache) if index_dir is None else [str(Path(index_dir).resolve())]
    for key in keys:
        searcher = cache.pop(key, None)
        if searcher is not None:
            searcher.close()


def _derived_for(searcher: Searcher, name: str, build: Callable[[], T], per_searcher: bool = False) -> T:
    """A value computed from the index's documents once per commit (or, with
    ``per_searcher``, once per searcher)."""

    key = () if per_searcher else commit_key(searcher)

    def values() -> dict[str, Any]:
        if not key:  # asked for, or an index without segments
            return _per_searcher.setdefault(searcher, {})
        if key not in _derived:
            _derived[key] = {}
            while len(_derived) > _DERIVED_COMMITS:
                _derived.popitem(last=False)
        _derived.move_to_end(key)
        return _derived[key]

    with _derived_lock:
        found = values()
        if name in found:
            return found[name]
    with _build_lock:
        with _derived_lock:
            found = values()
            if name in found:
                return found[name]
        value = build()
        with _derived_lock:
            return values().setdefault(name, value)


def _facts(searcher: Searcher, index_dir: Path | str | None = None) -> DocFacts:
    """The commit's document facts: mapped from its serving snapshot when it has
    one, else read from Whoosh (seconds at 100,000 items)."""

    def build() -> DocFacts:
        snapshot = _snapshot(index_dir, searcher) if index_dir is not None else None
        return snapshot.facts() if snapshot is not None else build_doc_facts(searcher)

    return _derived_for(searcher, "facts", build)


def _query_builder(searcher: Searcher, facts: DocFacts, index_dir: Path | str | None = None) -> QueryBuilder:
    snapshot = _snapshot(index_dir, searcher) if index_dir is not None else None
    kept = snapshot.name_keys if snapshot is not None else {}

    def keys_of(name: str) -> tuple[str, ...]:
        found = kept.get(name)
        return found if found is not None else text_keys(name)

    contractors = _derived_for(searcher, "contractors", lambda: ContractorNames(facts.contractor_names, keys_of))
    headings = _derived_for(searcher, "headings",
                            lambda: Headings(facts.section_names, facts.codes.tables["report_titles"], keys_of))
    vocabulary = _derived_for(searcher, "vocabulary", lambda: Vocabulary(snapshot))
    near_cache: dict[tuple[str, str], tuple[str, ...]] = _derived_for(searcher, "near_spellings", dict)
    return QueryBuilder(searcher, contractors, headings, vocabulary=vocabulary, near_cache=near_cache)


def warm(index_dir: Path | str) -> bool:
    """Build what searches of the index's newest commit share (facts, sort
    keys, name tables, typo vocabulary), so the first search after a re-index
    does not wait seconds for them. Cheap when they exist. False when there
    is no index."""
    try:
        searcher = get_searcher(index_dir)
    except IndexNotFoundError:
        return False
    facts = _facts(searcher, index_dir)
    _scorers(index_dir, searcher)
    _sort_keys(searcher, facts)
    _kind_array(searcher, facts)
    _weight_array(searcher, facts)
    _query_builder(searcher, facts, index_dir).vocabulary.load(searcher.reader())
    return True


# --- searching ------------------------------------------------------------------------


def _kinds(requested: Sequence[str], typed: Sequence[str]) -> list[str]:
    kinds = [KIND_ALIASES.get(kind, kind) for kind in requested] or list(SEARCHABLE_KINDS)
    if typed:
        kinds = [kind for kind in kinds if kind in typed]
    return list(dict.fromkeys(kinds))


def _scored(index_dir: Path | str, searcher: Searcher, facts: DocFacts, built: BuiltQuery,
            kinds: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every matching document of the kinds (document numbers, ascending) and
    its score, before the facet filters."""
    if not kinds:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    scorers = _scorers(index_dir, searcher)
    of_kind = _kind_array(searcher, facts)
    if built.positive is None:
        docnums = np.flatnonzero(np.isin(of_kind, kinds))
        scores = np.zeros(len(docnums))
    else:
        matches = score_all(searcher, built.positive, scorers)
        keep = np.isin(of_kind[matches.docnums], kinds)
        docnums = matches.docnums[keep]
        scores = matches.scores[keep] * _weight_array(searcher, facts)[docnums]
    if built.excluded is not None:
        keep = ~np.isin(docnums, score_all(searcher, built.excluded, scorers).docnums)
        docnums, scores = docnums[keep], scores[keep]
    return docnums, scores


def _leaf_scorers(searcher: Searcher) -> list[tuple[ArrayScorer, int]]:
    return _derived_for(searcher, "leaf_scorers", lambda: make_leaf_scorers(searcher), per_searcher=True)


def _snapshot(index_dir: Path | str, searcher: Searcher) -> Snapshot | None:
    """The commit's serving snapshot (:mod:`indexer.index.snapshot`), ``None`` without one."""
    return _derived_for(searcher, "snapshot", lambda: open_snapshot(index_dir, searcher))


def _scorers(index_dir: Path | str, searcher: Searcher) -> list[tuple[ArrayScorer, int]]:
    """What scores a query: the commit's snapshot when it has one, else Whoosh's
    segments one by one (an index written before snapshots, say)."""
    def build() -> list[tuple[ArrayScorer, int]]:
        snapshot = _snapshot(index_dir, searcher)
        if snapshot is None:
            return _leaf_scorers(searcher)
        return [(SnapshotScorer(snapshot, searcher, lambda: _leaf_scorers(searcher)), 0)]

    return _derived_for(searcher, "scorers", build, per_searcher=True)


def _kind_array(searcher: Searcher, facts: DocFacts) -> np.ndarray:
    return _derived_for(searcher, "kinds", lambda: np.array([*facts.codes.tables["kind"], ""])[facts.codes.codes["kind"]])


def _weight_array(searcher: Searcher, facts: DocFacts) -> np.ndarray:
    """Each document's query-time weight (:data:`KIND_WEIGHTS` × :data:`SECTION_WEIGHTS`)."""

    def build() -> np.ndarray:
        tables, codes = facts.codes.tables, facts.codes.codes
        # Per value of the table, then picked per document by its code (-1: the last, no value).
        kind = np.array([KIND_WEIGHTS.get(k, 1.0) for k in tables["kind"]] + [KIND_WEIGHTS.get("", 1.0)])
        section = np.array([SECTION_WEIGHTS.get(s, 1.0) for s in tables["section"]] + [SECTION_WEIGHTS.get("", 1.0)])
        return kind[codes["kind"]] * section[codes["section"]]

    return _derived_for(searcher, "weights", build)


@dataclass(eq=False)
class _SortKeys:
    """Per document, ranks that sort a whole result set with one NumPy lexsort."""

    newest: np.ndarray  # newest first; documents of the same date share a rank
    document: np.ndarray  # findings before passages, newest report first, then as printed
    report: np.ndarray  # the report's number, -1 without a report


def _sort_keys(searcher: Searcher, facts: DocFacts) -> _SortKeys:
    def build() -> _SortKeys:
        codes = facts.codes
        # The date of each document: its own published date, else its year; the
        # distinct dates are few, so each is keyed once and ranked.
        published = codes.codes["published"]
        dates = np.where(published >= 0, published, len(codes.tables["published"]) + codes.year.astype(np.int64))
        distinct, date_of = np.unique(dates, return_inverse=True)
        table = codes.tables["published"]
        keys = [_newest_key(table[d] if d < len(table) else (str(d - len(table)) if d > len(table) else ""))
                for d in distinct.tolist()]
        key_rank = {key: rank for rank, key in enumerate(sorted(set(keys)))}
        newest = np.array([key_rank[key] for key in keys], dtype=np.int64)[date_of]
        is_finding = np.array([k == KIND_FINDING for k in codes.tables["kind"]] + [False])[codes.codes["kind"]]
        # Report ids sort as their codes do (the table is sorted); no report ("") first.
        printed = np.lexsort((codes.position, codes.codes["report_id"], newest, ~is_finding))
        document = np.empty(codes.size, dtype=np.int64)
        document[printed] = np.arange(codes.size)
        return _SortKeys(newest=newest, document=document, report=codes.codes["report_id"].astype(np.int64))

    return _derived_for(searcher, "sort_keys", build)


def _order_columns(keys: _SortKeys, docnums: np.ndarray, scores: np.ndarray, sort: str,
                   ranked: bool) -> list[np.ndarray]:
    """The sort keys of the hits, most significant first; the last (the document's
    place in print) is unique, so the order they give is total."""
    document = keys.document[docnums]
    if sort == SORT_NEWEST:
        return [keys.newest[docnums], -scores, document]
    if not ranked:
        return [document]
    return [-scores, document]


def _ordered(keys: _SortKeys, docnums: np.ndarray, scores: np.ndarray, sort: str, ranked: bool,
             first: int | None = None) -> np.ndarray:
    """The order (indexes into ``docnums``) the hits are shown in; with ``first``,
    only the first ``first`` of them.

    A page needs the best few of thousands of hits: the primary key is partitioned
    (``argpartition``, linear) to the hits that can reach the first ``first``
    places — every hit tied with the last of them included — and only those are
    sorted. The result is the head of the full order, exactly."""
    columns = _order_columns(keys, docnums, scores, sort, ranked)
    if first is not None and 0 < first < len(docnums):
        primary = columns[0]
        cut = primary[np.argpartition(primary, first - 1)[first - 1]]
        candidates = np.flatnonzero(primary <= cut)
        head = np.lexsort([column[candidates] for column in reversed(columns)])
        return candidates[head][:first]
    return np.lexsort(list(reversed(columns)))


def _newest_key(published: str) -> tuple[int, str]:
    """Sorts newest first; a date known only to the month or year counts as its
    start («2019» after «2019-11», «2019-11» after «2019-11-20»); undated last."""
    if not published:
        return (1, "")
    padded = (published + "-00-00")[:10]
    # Descending order of the date as ascending order of this key.
    return (0, "".join(chr(0x10FFFF - ord(ch)) for ch in padded))


def _grouped(keys: _SortKeys, docnums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of ordered hits, the position of each report's best hit (in order) and
    how many more hits that report has."""
    _, first, count = np.unique(keys.report[docnums], return_index=True, return_counts=True)
    in_order = np.argsort(first)
    return first[in_order], count[in_order] - 1


def _empty_facets() -> Facets:
    return {facet: [] for facet in FACETS}


def search(
    index_dir: Path | str,
    query: str,
    *,
    page: int = 1,
    size: int = DEFAULT_SIZE,
    themes: Sequence[str] = (),
    contractors: Sequence[str] = (),
    years: Sequence[int] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    kinds: Sequence[str] = SEARCHABLE_KINDS,
    sort: str = DEFAULT_SORT,
    group_by_report: bool = False,
) -> SearchResponse:
    """One page of hits for ``query``.

    Raises :class:`QueryError` (message in Bokmål) for a query or filter that
    cannot be searched, :class:`IndexNotFoundError` without an index.
    """
    started = time.perf_counter()
    size = max(1, int(size))
    page = max(1, int(page))
    if sort not in SORT_VALUES:
        raise QueryError(f"Ukjent sortering «{sort}». Bruk «relevans» eller «nyeste».")
    parsed = parse_query(query)
    searcher = get_searcher(index_dir)
    facts = _facts(searcher, index_dir)
    year_ranges = list(parsed.year_ranges)
    if year_from is not None or year_to is not None:
        year_ranges.append((year_from, year_to))
    filters: Filters = make_filters(
        facts, [*themes, *parsed.themes], [*contractors, *parsed.contractors], list(years), year_ranges
    )
    built = _query_builder(searcher, facts, index_dir).build(parsed)
    response = SearchResponse(
        query=query, total=0, page=page, size=size, took_ms=0.0, suggestion=built.suggestion, facets=_empty_facets(),
        limits=built.limits, translations=built.translations,
    )
    browsing = built.positive is None
    if browsing and filters.is_empty() and built.excluded is None and not parsed.kinds:
        response.took_ms = _elapsed(started)
        return response  # nothing asked for

    docnums, scores = _scored(index_dir, searcher, facts, built, _kinds(kinds, parsed.kinds))
    kept, response.facets = filter_and_count(facts, docnums, filters)
    docnums, scores = docnums[kept], scores[kept]
    keys = _sort_keys(searcher, facts)
    more = None
    if group_by_report:  # a report's place is that of its best hit: every hit is ordered
        order = _ordered(keys, docnums, scores, SORT_VALUES[sort], not browsing)
        docnums, scores = docnums[order], scores[order]
        best, more = _grouped(keys, docnums)
        docnums, scores = docnums[best], scores[best]
        response.total = len(docnums)
    else:
        response.total = len(docnums)
        order = _ordered(keys, docnums, scores, SORT_VALUES[sort], not browsing, first=page * size)
        docnums, scores = docnums[order], scores[order]
    terms, phrases = built.highlight_marks()
    snapshot = _snapshot(index_dir, searcher)
    shown = slice((page - 1) * size, page * size)
    shown_more = more[shown].tolist() if more is not None else [None] * len(docnums[shown])
    for docnum, score, more_in_report in zip(docnums[shown].tolist(), scores[shown].tolist(), shown_more, strict=True):
        hit = make_hit(searcher.stored_fields(docnum), terms, score, theme=facts.value("theme", docnum), phrases=phrases,
                       word_spans=snapshot.word_spans(docnum) if snapshot is not None else None)
        hit.more_in_report = more_in_report
        response.results.append(hit)
    response.took_ms = _elapsed(started)
    return response


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


# --- the interface front ends use ------------------------------------------------------


def _plausible_id(value: str) -> bool:
    return _PLAUSIBLE_ID.fullmatch(value) is not None


class Engine:
    """One index folder, asked through typed requests and answered with typed results.

    Cheap to make: the searchers and what is derived from them are shared per
    thread and commit (see :func:`get_searcher`). Every method but
    :meth:`health` and :meth:`warm` raises :class:`IndexNotFoundError` without
    an index; :meth:`search` raises :class:`QueryError` for a query that
    cannot be searched.
    """

    def __init__(self, index_dir: Path | str):
        self.index_dir = Path(index_dir)

    def search(self, request: SearchRequest) -> SearchResponse:
        return search(
            self.index_dir,
            request.query,
            page=request.page,
            size=request.size,
            themes=request.themes,
            contractors=request.contractors,
            years=request.years,
            year_from=request.year_from,
            year_to=request.year_to,
            kinds=request.kinds,
            sort=request.sort,
            group_by_report=request.group_by_report,
        )

    def finding(self, finding_id: str) -> FindingDetail | None:
        """A finding with its report, or ``None`` for an unknown id."""
        if not _plausible_id(finding_id):
            return None
        searcher = get_searcher(self.index_dir)
        return lookup.finding(searcher, _facts(searcher, self.index_dir), finding_id)

    def similar(self, finding_id: str, limit: int) -> list[SearchHit]:
        """Up to ``limit`` findings (then passages) most like the given finding, itself left out."""
        if not _plausible_id(finding_id):
            return []
        searcher = get_searcher(self.index_dir)
        return morelike.similar_findings(searcher, _facts(searcher, self.index_dir), finding_id, limit=limit)

    def reports(self) -> list[ReportSummary]:
        """Every report, newest first, each with its number of findings and passages."""
        searcher = get_searcher(self.index_dir)
        return lookup.list_reports(searcher, _facts(searcher, self.index_dir))

    def report(self, report_id: str) -> ReportDetail | None:
        """A report with its findings and passages in order, or ``None`` for an unknown id."""
        if not _plausible_id(report_id):
            return None
        searcher = get_searcher(self.index_dir)
        return lookup.get_report(searcher, _facts(searcher, self.index_dir), report_id)

    def health(self) -> IndexHealth:
        """The committed index's counts, failed files, last run and staleness."""
        status = index_status(self.index_dir)
        missing = [data.to_dict() for data in missing_language_data()]
        if not status["exists"]:
            return IndexHealth(exists=False, missing_language_data=missing)
        last_run = status["last_run"] or {}
        return IndexHealth(
            exists=True,
            documents=status["sources"],
            reports=status["reports"],
            findings=status["findings"],
            passages=status["passages"],
            last_indexed=last_run.get("finished") or status["last_modified"],
            failed=[FailedSource(**failure) for failure in status["failed"]],
            stale=status["stale"],
            stale_reason=status["stale_reason"],
            missing_language_data=missing,
        )

    def warm(self) -> bool:
        """Prepare the newest commit before anyone searches it (see :func:`warm`)."""
        return warm(self.index_dir)

    def close(self) -> None:
        """Close this thread's searcher of the index."""
        close_searchers(self.index_dir)
