"""What a team would otherwise pick, on the same findings and passages and queries.

Every peer indexes each item's report title and text and answers a free-text
query with its top ids, OR-ing the query's words (a hard AND would fail natural
questions and flatter us). Our numbers include facets, exact totals, stored
fields and highlighted snippets; of the peers only tantivy does that work too,
the others return ids only.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.paths import dir_size
from indexer.search.highlight import SNIPPET_CHARS


@dataclass(frozen=True)
class BenchItem:
    """One finding or passage as the peers see it."""

    id: str
    title: str
    text: str
    # Facet values, for the peers that count facets as we do.
    theme: str = ""
    contractors: tuple[str, ...] = ()
    year: int | None = None


class Peer:
    name: str = ""
    label: str = ""
    # Indexes in one Python process at a few hundred documents/s: left out of
    # sizes above --slow-peer-max-size so a full run stays within hours.
    builds_slowly: bool = False

    def build(self, items: Iterable[BenchItem], workdir: Path) -> int:
        """Index the items under ``workdir``; returns how many were indexed."""
        raise NotImplementedError

    def search(self, query: str, k: int = 10) -> list[str]:
        raise NotImplementedError

    def size_bytes(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass


# --- Whoosh with its own analyzers -------------------------------------------------


class WhooshPeer(Peer):
    builds_slowly = True

    def __init__(self, name: str, label: str, analyzer_factory):
        self.name, self.label = name, label
        self._analyzer_factory = analyzer_factory
        self._dir: Path | None = None
        self._searcher = None
        self._parser = None

    def build(self, items: Iterable[BenchItem], workdir: Path) -> int:
        from whoosh import fields, index, qparser

        analyzer = self._analyzer_factory()
        schema = fields.Schema(
            id=fields.ID(stored=True, unique=False),
            title=fields.TEXT(analyzer=analyzer),
            text=fields.TEXT(analyzer=analyzer),
        )
        self._dir = workdir / self.name
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir.mkdir(parents=True)
        ix = index.create_in(str(self._dir), schema)
        writer = ix.writer(limitmb=256)
        count = 0
        for item in items:
            writer.add_document(id=item.id, title=item.title, text=item.text)
            count += 1
        writer.commit()
        self._searcher = ix.searcher()
        self._parser = qparser.MultifieldParser(["title", "text"], schema, group=qparser.OrGroup)
        return count

    def search(self, query: str, k: int = 10) -> list[str]:
        parsed = self._parser.parse(query)
        return [hit["id"] for hit in self._searcher.search(parsed, limit=k)]

    def size_bytes(self) -> int:
        return dir_size(self._dir)

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()


def whoosh_standard() -> WhooshPeer:
    from whoosh.analysis import StandardAnalyzer

    return WhooshPeer("whoosh_standard", "Whoosh StandardAnalyzer", StandardAnalyzer)


def whoosh_snowball() -> WhooshPeer:
    from whoosh.analysis import LanguageAnalyzer

    return WhooshPeer("whoosh_snowball", 'Whoosh LanguageAnalyzer("no")', lambda: LanguageAnalyzer("no"))


# --- bm25s with PyStemmer's Norwegian Snowball stemmer -----------------------------------


class Bm25sPeer(Peer):
    name = "bm25s_snowball"
    label = "bm25s + PyStemmer (norsk)"

    def build(self, items: Iterable[BenchItem], workdir: Path) -> int:
        import bm25s
        import Stemmer

        self._stemmer = Stemmer.Stemmer("norwegian")
        self._ids = []
        texts = []
        for item in items:
            self._ids.append(item.id)
            texts.append(f"{item.title}\n{item.text}")
        tokens = bm25s.tokenize(texts, stopwords="no", stemmer=self._stemmer, show_progress=False)
        self._retriever = bm25s.BM25()
        self._retriever.index(tokens, show_progress=False)
        self._dir = workdir / self.name
        shutil.rmtree(self._dir, ignore_errors=True)
        self._retriever.save(str(self._dir))
        return len(self._ids)

    def search(self, query: str, k: int = 10) -> list[str]:
        import bm25s

        tokens = bm25s.tokenize([query], stopwords="no", stemmer=self._stemmer, show_progress=False)
        if not tokens.ids[0]:
            return []
        k = min(k, len(self._ids))
        documents, scores = self._retriever.retrieve(tokens, k=k, show_progress=False)
        return [self._ids[d] for d, s in zip(documents[0], scores[0], strict=True) if s > 0]

    def size_bytes(self) -> int:
        return dir_size(self._dir)


# --- SQLite FTS5 -----------------------------------------------------------------------

FTS_WORD = re.compile(r"\w+")


class Fts5Peer(Peer):
    name = "sqlite_fts5"
    label = "SQLite FTS5 (unicode61)"
    _db: sqlite3.Connection | None = None

    def build(self, items: Iterable[BenchItem], workdir: Path) -> int:
        workdir.mkdir(parents=True, exist_ok=True)
        self._path = workdir / f"{self.name}.sqlite"
        self._path.unlink(missing_ok=True)
        self._db = sqlite3.connect(str(self._path), check_same_thread=False)
        self._db.execute("CREATE VIRTUAL TABLE items USING fts5(id UNINDEXED, title, text, tokenize='unicode61')")
        with self._db:
            self._db.executemany(
                "INSERT INTO items (id, title, text) VALUES (?, ?, ?)", ((i.id, i.title, i.text) for i in items)
            )
            self._db.execute("INSERT INTO items(items) VALUES ('optimize')")
        return self._db.execute("SELECT count(*) FROM items").fetchone()[0]

    def search(self, query: str, k: int = 10) -> list[str]:
        words = FTS_WORD.findall(query.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self._db.execute("SELECT id FROM items WHERE items MATCH ? ORDER BY rank LIMIT ?", (match, k))
        return [row[0] for row in rows]

    def size_bytes(self) -> int:
        return self._path.stat().st_size

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


# --- tantivy with its Norwegian Snowball stemmer, doing per query the work we do -------

TANTIVY_ANALYZER = "norsk_snowball"
TANTIVY_FACETS = ("theme", "contractor", "year")
# tantivy splits the writer's memory budget between its indexing threads, and by
# default uses no more than 8 of them.
TANTIVY_HEAP_PER_THREAD = 128_000_000
TANTIVY_MAX_THREADS = 8
# As tantivy's "default" analyzer does: longer tokens are dropped.
TANTIVY_LONGEST_TOKEN = 40


@dataclass
class FacetedHits:
    """A search that does what ours does: top ids, exact total, facet counts over
    every match, the top hits' stored fields and a highlighted snippet per hit."""

    ids: list[str] = field(default_factory=list)
    total: int = 0
    facets: dict[str, Counter] = field(default_factory=lambda: {facet: Counter() for facet in TANTIVY_FACETS})
    stored: list[dict[str, list[Any]]] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)


def _norwegian_analyzer():
    import tantivy

    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(TANTIVY_LONGEST_TOKEN))
        .filter(tantivy.Filter.lowercase())
        # Stopwords out, as in the other Snowball peers (Whoosh LanguageAnalyzer, bm25s).
        .filter(tantivy.Filter.stopword("norwegian"))
        .filter(tantivy.Filter.stemmer("norwegian"))
        .build()
    )


class TantivyPeer(Peer):
    """tantivy through its Python binding: multi-threaded writer, one commit.

    Each search counts the total with the top hits, aggregates theme, contractor
    and year over the whole match set (a second pass: the binding has no single
    collector for both), reads the top hits' stored fields and makes a snippet
    for each, so its latency covers the same work as ours.
    """

    name = "tantivy_snowball"
    label = "tantivy + norsk Snowball (fasetter, totaler og utdrag)"

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._index: Any = None
        self._searcher: Any = None
        self._analyzer: Any = None
        self._aggregations: dict[str, Any] = {}

    def build(self, items: Iterable[BenchItem], workdir: Path) -> int:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name=TANTIVY_ANALYZER)
        builder.add_text_field("text", stored=True, tokenizer_name=TANTIVY_ANALYZER)
        builder.add_text_field("theme", stored=True, fast=True, tokenizer_name="raw")
        builder.add_text_field("contractor", stored=True, fast=True, tokenizer_name="raw")
        builder.add_integer_field("year", stored=True, fast=True)
        self._dir = workdir / self.name
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir.mkdir(parents=True)
        self._index = tantivy.Index(builder.build(), path=str(self._dir))
        self._analyzer = _norwegian_analyzer()
        self._index.register_tokenizer(TANTIVY_ANALYZER, self._analyzer)
        threads = min(os.cpu_count() or 1, TANTIVY_MAX_THREADS)
        writer = self._index.writer(TANTIVY_HEAP_PER_THREAD * threads, threads)
        values: dict[str, set] = {facet: set() for facet in TANTIVY_FACETS}
        count = 0
        for item in items:
            document = tantivy.Document()
            document.add_text("id", item.id)
            document.add_text("title", item.title)
            document.add_text("text", item.text)
            if item.theme:
                document.add_text("theme", item.theme)
                values["theme"].add(item.theme)
            for contractor in item.contractors:
                document.add_text("contractor", contractor)
                values["contractor"].add(contractor)
            if item.year is not None:
                document.add_integer("year", item.year)
                values["year"].add(item.year)
            writer.add_document(document)
            count += 1
        writer.commit()
        # Merges finish before the size on disk is read.
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()
        # As many buckets as a facet has values: every value is counted, as in ours.
        self._aggregations = {
            facet: {"terms": {"field": facet, "size": max(1, len(values[facet]))}} for facet in TANTIVY_FACETS
        }
        return count

    def search_faceted(self, query: str, k: int = 10) -> FacetedHits:
        import tantivy

        # The query's terms as the index has them, OR-ed over both fields; built directly
        # rather than parsed, so syntax characters and stopword-only queries need no handling.
        terms = self._analyzer.analyze(query)
        if not terms:
            return FacetedHits()
        schema = self._index.schema
        matching = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, name, term))
             for term in terms for name in ("title", "text")]
        )
        result = self._searcher.search(matching, k, count=True)
        aggregated = self._searcher.aggregate(matching, self._aggregations)
        stored = [self._searcher.doc(address) for _, address in result.hits]
        snippets = tantivy.SnippetGenerator.create(self._searcher, matching, schema, "text")
        snippets.set_max_num_chars(SNIPPET_CHARS)  # the window our passages are cut to
        return FacetedHits(
            ids=[document.get_first("id") for document in stored],
            total=result.count,
            facets={
                facet: Counter({bucket["key"]: bucket["doc_count"] for bucket in aggregated[facet]["buckets"]})
                for facet in TANTIVY_FACETS
            },
            stored=[document.to_dict() for document in stored],
            snippets=[snippets.snippet_from_doc(document).to_html() for document in stored],
        )

    def search(self, query: str, k: int = 10) -> list[str]:
        return self.search_faceted(query, k).ids

    def size_bytes(self) -> int:
        return dir_size(self._dir) if self._dir is not None else 0

    def close(self) -> None:
        self._searcher = None
        self._index = None


def all_peers() -> list[Peer]:
    return [whoosh_standard(), whoosh_snowball(), Bm25sPeer(), Fts5Peer(), TantivyPeer()]


def timed_build(peer: Peer, items: list[BenchItem], workdir: Path) -> dict:
    started = time.perf_counter()
    count = peer.build(items, workdir)
    seconds = time.perf_counter() - started
    return {"documents": count, "seconds": seconds, "documents_per_s": count / seconds, "index_bytes": peer.size_bytes()}


def items_from_documents(documents: Iterable) -> Iterator[BenchItem]:
    for document in documents:
        for report in document.reports:
            themes = report.themes or ([report.theme] if report.theme else [])
            contractors = tuple(c for c in report.contractors if c and c.strip())
            for item in [*report.findings, *report.passages]:
                yield BenchItem(item.id, report.title, item.text, _item_theme(report.theme, themes, item.chapter),
                                contractors, report.year)


def _item_theme(primary: str | None, themes: list[str], chapter: str | None) -> str:
    """The theme our index gives an item: its chapter, where the report's themes are its chapters."""
    if len(themes) > 1 and chapter in themes:
        return chapter or ""
    return primary or (themes[0] if themes else "")
