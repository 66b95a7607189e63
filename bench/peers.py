"""What a team would otherwise pick, on the same findings and passages and queries.

Every peer indexes each item's report title and text and answers a free-text
query with its top ids, OR-ing the query's words (a hard AND would fail natural
questions and flatter us). None of them computes facets or highlights; our
numbers include both.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.paths import dir_size


@dataclass(frozen=True)
class BenchItem:
    """One finding or passage as the peers see it."""

    id: str
    title: str
    text: str


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


def all_peers() -> list[Peer]:
    return [whoosh_standard(), whoosh_snowball(), Bm25sPeer(), Fts5Peer()]


def timed_build(peer: Peer, items: list[BenchItem], workdir: Path) -> dict:
    started = time.perf_counter()
    count = peer.build(items, workdir)
    seconds = time.perf_counter() - started
    return {"documents": count, "seconds": seconds, "documents_per_s": count / seconds, "index_bytes": peer.size_bytes()}


def items_from_documents(documents: Iterable) -> Iterator[BenchItem]:
    for document in documents:
        for report in document.reports:
            for item in [*report.findings, *report.passages]:
                yield BenchItem(item.id, report.title, item.text)
