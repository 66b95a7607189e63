"""Searching over HTTP while the index is rebuilt, and no HTTP route that writes."""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from waitress.server import create_server

from indexer.index.build import update_index
from indexer.index.progress import IndexProgress
from indexer.search.engine import close_searchers
from search_app import create_app

from test_indexing import build_corpus, make_report_pdf
from test_serve import free_port, start_server, stop, wait_until_healthy

NEW_WORD = "fjellandbruk"
OLD_WORD = "tolkeregister"
CLIENTS = 4
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class CommitClock(IndexProgress):
    """Notes when the run starts its single commit."""

    committing_at: float | None = None

    def log(self, message: str) -> None:
        if message.startswith("Lagrer indeksen"):
            self.committing_at = time.monotonic()
        super().log(message)


@pytest.fixture(params=["in-process", "two-workers"])
def served(tmp_path: Path, request: pytest.FixtureRequest):
    """The search app over a small index: in this process, or as `rapportsok serve
    --workers 2` (each process over the mapped serving snapshot, switching on its own)."""
    corpus = build_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    update_index(corpus, index_dir)
    if request.param == "two-workers":
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_server(index_dir, corpus, port, "--workers", "2")
        try:
            wait_until_healthy(process, base)
            yield corpus, index_dir, base
        finally:
            stop(process)
        return
    server = create_server(create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus}), host="127.0.0.1", port=0)
    stopping = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            if not stopping.is_set():  # closing the socket ends the loop with one of these
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield corpus, index_dir, f"http://127.0.0.1:{server.effective_port}"
    stopping.set()
    server.close()
    thread.join(timeout=10)
    close_searchers()


def sources_for(base: str, word: str) -> set[str]:
    with urllib.request.urlopen(f"{base}/api/search?q={quote(word)}", timeout=30) as response:
        assert response.status == 200
        body = json.load(response)
    return {hit["report"]["source"] for hit in body["results"]}


def test_searches_during_a_full_reindex_never_fail_and_switch_at_the_commit(served):
    corpus, index_dir, base = served
    old_sources = sources_for(base, OLD_WORD)
    assert old_sources and not sources_for(base, NEW_WORD)
    make_report_pdf(corpus / "ny.pdf", f"Rapport om {NEW_WORD}", [f"Mer {NEW_WORD} i nord."], ["Tekst."])
    observations: list[tuple[float, float, set[str], set[str]]] = []
    failures: list[str] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            sent = time.monotonic()
            try:
                new, old = sources_for(base, NEW_WORD), sources_for(base, OLD_WORD)
            except (urllib.error.URLError, OSError, AssertionError, KeyError) as exc:
                failures.append(repr(exc))
                continue
            observations.append((sent, time.monotonic(), new, old))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    clock = CommitClock(stream=None)
    try:
        summary = update_index(corpus, index_dir, workers=2, force=True, progress=clock)
        committed_at = time.monotonic()
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert summary.committed and summary.extracted == 3
    assert failures == []
    before = [o for o in observations if o[1] < clock.committing_at]
    after = [o for o in observations if o[0] > committed_at]
    assert before and after
    # Until the commit: the old state only, whole (every old report still found).
    assert all(not new and old == old_sources for _s, _r, new, old in before)
    assert all(new == {"ny.pdf"} and old == old_sources for _s, _r, new, old in after)
    print(f"\n{len(observations) * 2} requests under load, {len(failures)} failed")


def test_no_route_accepts_a_writing_method():
    app = create_app({"INDEX_DIR": Path("/nonexistent/index"), "CORPUS_DIR": Path("/nonexistent")})
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        assert rule.methods <= READ_METHODS, f"{rule.rule} accepts {rule.methods - READ_METHODS}"
        url = rule.rule
        for argument in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{argument}>", "x", url)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open(url, method=method)
            assert response.status_code in (404, 405), f"{method} {url} → {response.status_code}"
            checked += 1
    assert checked >= 4 * 5  # the API's routes and the page at least
