"""Search the index: free text and quoted phrases over findings and passages.

The user's words run through every analyzer the index was built with
(mode="query"); each word becomes one clause over all ``text_*`` and
``title_*`` fields with their boosts. Clauses are OR-ed, not AND-ed: a document
matching more of the words ranks higher (its summed score is scaled by the
share of words it matches). A quoted phrase is one clause, matched as a phrase
on the exact fields.

The index is opened once per process and thread and refreshed when a new
commit has landed, so a long-running server sees each re-index.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.matching import Matcher, NullMatcher, ReadTooFar
from whoosh.searching import Searcher

from indexer.schema import (
    INDEX_NAME,
    KIND_FINDING,
    PHRASE_SUFFIX,
    SEARCHABLE_KINDS,
    TITLE_BOOST,
    analyzed_fields,
)

PDF_URL_PREFIX = "/pdf/"
SNIPPET_CHARS = 240
EXIT_NO_INDEX = 2

_PHRASE = re.compile(r'"([^"]*)"')


class IndexNotFoundError(Exception):
    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        super().__init__(
            f"Fant ingen søkeindeks i {index_dir}. Kjør «rapportsok index» først. "
            f"(No index in {index_dir}; run `rapportsok index` first.)"
        )


@dataclass
class ReportInfo:
    id: str | None
    title: str | None
    theme: str | None
    contractors: list[str]
    commissioner: str | None
    year: int | None
    published: str | None
    source: str | None
    pdf_url: str | None


@dataclass
class SearchHit:
    id: str
    kind: str
    text: str
    highlight: str  # HTML: escaped text with <mark>…</mark> around matched words
    score: float
    section: str | None
    page: int | None
    report: ReportInfo


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    size: int
    took_ms: float
    suggestion: str | None = None
    results: list[SearchHit] = field(default_factory=list)
    facets: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- query building -----------------------------------------------------------


class _WordCoordMatcher(Matcher):
    """Union of one matcher per query word; score = sum × share of words matched."""

    def __init__(self, matchers: list[Matcher], word_count: int):
        self._matchers = matchers
        self._word_count = word_count

    def _active(self) -> list[Matcher]:
        return [m for m in self._matchers if m.is_active()]

    def _current(self) -> list[Matcher]:
        active = self._active()
        docnum = min(m.id() for m in active)
        return [m for m in active if m.id() == docnum]

    def is_active(self) -> bool:
        return any(m.is_active() for m in self._matchers)

    def id(self) -> int:
        return min(m.id() for m in self._active())

    def next(self) -> bool:
        if not self.is_active():
            raise ReadTooFar
        for m in self._current():
            m.next()
        return False

    def skip_to(self, docnum: int) -> None:
        for m in self._active():
            if m.id() < docnum:
                m.skip_to(docnum)

    def score(self) -> float:
        current = self._current()
        return sum(m.score() for m in current) * len(current) / self._word_count

    def weight(self) -> float:
        return sum(m.weight() for m in self._current())

    def children(self) -> list[Matcher]:
        return list(self._matchers)

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self.is_active() else NullMatcher()

    def reset(self) -> None:
        for m in self._matchers:
            m.reset()

    def copy(self) -> "_WordCoordMatcher":
        return _WordCoordMatcher([m.copy() for m in self._matchers], self._word_count)

    def supports_block_quality(self) -> bool:
        return False


class WordCoordinatedOr(wq.Or):
    """``Or`` over query words that rewards documents matching more of them."""

    def _matcher(self, subs, searcher, context):
        return _WordCoordMatcher([q.matcher(searcher, context) for q in subs], len(subs))


def split_query(text: str) -> tuple[list[str], list[str]]:
    """Quoted phrases and loose words; an unmatched quote is ignored."""
    phrases = [p.strip() for p in _PHRASE.findall(text) if p.strip()]
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    return phrases, rest.split()


def _tokens(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text, mode="query")]


def _field_boosts() -> dict[str, float]:
    boosts = {}
    for suffix, boost in analyzed_fields().items():
        boosts[f"text_{suffix}"] = boost
        boosts[f"title_{suffix}"] = boost * TITLE_BOOST
    return boosts


def _is_stop_word(schema, word: str) -> bool:
    """A word some analyzer drops (``og``, ``i``); the exact field still keeps it."""
    return any(
        not _tokens(schema[name].analyzer, word) for name in _field_boosts() if name in schema
    )


def _word_clause(schema, word: str) -> wq.Query | None:
    terms = []
    for fieldname, boost in _field_boosts().items():
        if fieldname in schema:
            for token in dict.fromkeys(_tokens(schema[fieldname].analyzer, word)):
                terms.append(wq.Term(fieldname, token, boost=boost))
    return wq.Or(terms) if terms else None


def _phrase_clause(schema, phrase: str) -> wq.Query | None:
    clauses = []
    for prefix, boost in (("text", 1.0), ("title", TITLE_BOOST)):
        fieldname = f"{prefix}_{PHRASE_SUFFIX}"
        if fieldname not in schema:
            continue
        words = _tokens(schema[fieldname].analyzer, phrase)
        if len(words) == 1:
            clauses.append(wq.Term(fieldname, words[0], boost=boost))
        elif words:
            clauses.append(wq.Phrase(fieldname, words, boost=boost))
    return wq.Or(clauses) if clauses else None


def build_query(schema, text: str) -> wq.Query:
    """The Whoosh query for what a user typed; ``NullQuery`` if nothing is searchable."""
    phrases, words = split_query(text)
    # Stop words would match nearly everything and drown the real words in the
    # coordination; they only count when the query has nothing else.
    content_words = [w for w in words if not _is_stop_word(schema, w)]
    if content_words or phrases:
        words = content_words
    clauses = [_phrase_clause(schema, p) for p in phrases]
    clauses += [_word_clause(schema, w) for w in words]
    clauses = [c for c in clauses if c is not None]
    if not clauses:
        return wq.NullQuery
    if len(clauses) == 1:
        return clauses[0]
    return WordCoordinatedOr(clauses)


# --- highlighting ---------------------------------------------------------------


def _match_spans(schema, text: str, terms: set[tuple[str, str]]) -> list[tuple[int, int]]:
    spans = set()
    for suffix in analyzed_fields():
        fieldname = f"text_{suffix}"
        wanted = {t for f, t in terms if f == fieldname}
        if not wanted or fieldname not in schema:
            continue
        for token in schema[fieldname].analyzer(text, chars=True, mode="index"):
            if token.text in wanted and hasattr(token, "startchar"):
                spans.add((token.startchar, token.endchar))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(schema, text: str, terms: set[tuple[str, str]], width: int = SNIPPET_CHARS) -> str:
    """An HTML snippet of about ``width`` characters around the densest matches."""
    spans = _match_spans(schema, text, terms)
    start = 0
    if spans and len(text) > width:
        best = max(spans, key=lambda s: sum(1 for o in spans if s[0] <= o[0] < s[0] + width))
        start = max(0, best[0] - width // 5)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace():
        end += 1
    parts = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        parts.append(html.escape(text[cursor:span_start]))
        parts.append(f"<mark>{html.escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(html.escape(text[cursor:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts).strip()


# --- searching --------------------------------------------------------------------

_local = threading.local()


def _cached_searchers() -> dict[str, Searcher]:
    if not hasattr(_local, "searchers"):
        _local.searchers = {}
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
        if not Path(key).is_dir() or not storage.index_exists(INDEX_NAME):
            cache.pop(key, None)
            raise IndexNotFoundError(Path(index_dir))
        searcher = storage.open_index(INDEX_NAME).searcher()
    cache[key] = searcher
    return searcher


def close_searchers() -> None:
    """Close this thread's open searchers (tests, shutdown)."""
    cache = _cached_searchers()
    for searcher in cache.values():
        searcher.close()
    cache.clear()


def _report_info(fields: dict[str, Any]) -> ReportInfo:
    report_id = fields.get("report_id")
    pdf_url = None
    if report_id:
        # The web app serves a report's PDF at /pdf/<report id>.
        pdf_url = PDF_URL_PREFIX + quote(report_id)
        if fields.get("page"):
            pdf_url += f"#page={fields['page']}"
    return ReportInfo(
        id=report_id,
        title=fields.get("title"),
        theme=fields.get("theme"),
        contractors=list(fields.get("contractors") or []),
        commissioner=fields.get("commissioner"),
        year=fields.get("year"),
        published=fields.get("published"),
        source=fields.get("source"),
        pdf_url=pdf_url,
    )


def search(
    index_dir: Path | str,
    query: str,
    *,
    limit: int = 10,
    page: int = 1,
    kinds: tuple[str, ...] = SEARCHABLE_KINDS,
) -> SearchResponse:
    """One page of hits for ``query`` among documents of the given kinds."""
    started = time.perf_counter()
    limit = max(1, limit)
    page = max(1, page)
    searcher = get_searcher(index_dir)
    schema = searcher.schema
    whoosh_query = build_query(schema, query)
    response = SearchResponse(query=query, total=0, page=page, size=limit, took_ms=0.0)
    if whoosh_query is not wq.NullQuery:
        kind_filter = wq.Or([wq.Term("kind", kind) for kind in kinds])
        # Not search_page(): it answers a page past the end with the last page.
        results = searcher.search(whoosh_query, limit=page * limit, filter=kind_filter)
        terms = set(whoosh_query.iter_all_terms())
        response.total = len(results)
        for hit in results[(page - 1) * limit : page * limit]:
            fields = hit.fields()
            text = fields.get("text") or ""
            response.results.append(
                SearchHit(
                    id=fields["id"],
                    kind=fields["kind"],
                    text=text,
                    highlight=highlight(schema, text, terms),
                    score=round(hit.score, 4),
                    section=fields.get("section"),
                    page=fields.get("page"),
                    report=_report_info(fields),
                )
            )
    response.took_ms = round((time.perf_counter() - started) * 1000, 1)
    return response


# --- command line -------------------------------------------------------------------


def _terminal_text(snippet: str, emphasis: bool) -> str:
    start, end = ("\x1b[1m", "\x1b[0m") if emphasis else ("", "")
    return html.unescape(snippet.replace("<mark>", start).replace("</mark>", end))


def format_hits(response: SearchResponse, emphasis: bool = False) -> str:
    lines = [f"{response.total} treff for «{response.query}» ({response.took_ms:.0f} ms)"]
    first = (response.page - 1) * response.size
    for number, hit in enumerate(response.results, start=first + 1):
        kind = "funn" if hit.kind == KIND_FINDING else "tekst"
        where = " · ".join(
            part
            for part in (
                hit.section,
                f"s. {hit.page}" if hit.page else None,
                ", ".join(hit.report.contractors) or None,
                str(hit.report.year) if hit.report.year else None,
            )
            if part
        )
        lines.append("")
        lines.append(f"{number}. {hit.report.title} [{kind}]")
        if where:
            lines.append(f"   {where}")
        lines.append(f"   {_terminal_text(hit.highlight, emphasis)}")
    return "\n".join(lines)


def run_search_command(args: argparse.Namespace) -> int:
    try:
        response = search(args.index_dir, args.query, limit=args.limit)
    except IndexNotFoundError as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_INDEX
    if args.json:
        json.dump(response.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(format_hits(response, emphasis=sys.stdout.isatty()))
    return 0
