"""A broken index never looks healthy, and a good report survives a corrupt replacement.

The broken states an unlucky operator meets: a first build killed part-way, an
index file cut in half, a PDF replaced by a copy that cannot be read, a report so
long that one answer about it would be megabytes.
"""
from __future__ import annotations

import gc
import json
import shutil
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest

from indexer.index.build import scan_corpus, update_index
from indexer.search.engine import close_searchers
from search_app import create_app
from search_app.openapi import openapi_document
from search_app.reportpages import REPORT_PAGE_ITEMS
from search_app.serve import UnreadableIndexError, ensure_index

from test_api import assert_matches_openapi
from test_hardening_limits import built_small_index
from test_index_crash import kill_when, start_index
from test_indexing import build_corpus, make_report_pdf
from test_serve import free_port, start_server, stop, wait_until_healthy

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses Linux process semantics")

PROBE_WORD = "tolkeregister"


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()
    gc.collect()  # within the test, so its warning filters apply


def client_for(index_dir: Path, corpus: Path):
    close_searchers()
    return create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus}).test_client()


def check_health_schema(response) -> None:
    assert_matches_openapi(openapi_document(), "/api/health", response)


# --- a first build killed part-way ---------------------------------------------------------------


def test_a_killed_first_build_is_unavailable_and_serve_builds_it_again(tmp_path):
    corpus = build_corpus(tmp_path / "corpus")
    for number in range(6):  # enough files that the run is still reading when it is killed
        make_report_pdf(corpus / f"ekstra-{number}.pdf", f"Rapport {number} om fjellbeite", ["Funn."], ["Tekst."] * 8,
                        pages=6)
    index_dir = tmp_path / "index"
    kill_when(start_index(corpus, index_dir), lambda line: line.startswith("Sjekker"))

    response = client_for(index_dir, corpus).get("/api/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and "første indekseringen" in body["reason"]
    check_health_schema(response)

    port = free_port()
    server = start_server(index_dir, corpus, port, "--workers", "1")
    try:
        health = wait_until_healthy(server, f"http://127.0.0.1:{port}")
    finally:
        output = stop(server)
    assert "ble ikke fullført" in output  # serve said why it builds
    assert health["status"] == "ok"
    assert health["documents"] + len(health["failed"]) == len(scan_corpus(corpus))


# --- an index file cut in half ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    return built_small_index(tmp_path_factory.mktemp("states"))


def cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


# Whoosh leaves the files of a reader it failed to open to the garbage collector.
WHOOSH_LEAVES_FILES_OPEN = pytest.mark.filterwarnings("ignore::ResourceWarning",
                                                      "ignore::pytest.PytestUnraisableExceptionWarning")


@WHOOSH_LEAVES_FILES_OPEN
@pytest.mark.parametrize("suffix", ["._stored.col", ".trm", ".toc"])
def test_an_index_file_cut_in_half_is_not_healthy_and_pages_stay_html(tmp_path, built, suffix):
    corpus, original = built
    index_dir = tmp_path / "index"
    shutil.copytree(original, index_dir)
    cut_in_half(next(path for path in index_dir.iterdir() if path.name.endswith(suffix)))
    client = client_for(index_dir, corpus)

    search = client.get(f"/api/search?q={PROBE_WORD}")
    health = client.get("/api/health")
    if search.status_code != 200:  # searches fail: health must say so, and the search says why
        assert search.status_code == 503 and search.get_json()["error"]["code"] == "index_unavailable"
        assert search.get_json()["error"]["message"] == health.get_json()["reason"]
        assert health.status_code == 503
        assert health.get_json()["status"] in ("degraded", "unavailable") and health.get_json()["reason"]
        check_health_schema(health)
    page = client.get(f"/?q={PROBE_WORD}")
    assert page.mimetype == "text/html" and "<h1>" in page.text
    assert search.status_code != 200 or health.status_code == 200

    # serve refuses what cannot be read at all, and starts on what still answers.
    unreadable = health.get_json()["status"] == "unavailable"
    with pytest.raises(UnreadableIndexError) if unreadable else nullcontext():
        assert ensure_index(index_dir, corpus)


@WHOOSH_LEAVES_FILES_OPEN
def test_serve_refuses_an_index_it_cannot_read_and_says_so(tmp_path, built):
    corpus, original = built
    index_dir = tmp_path / "index"
    shutil.copytree(original, index_dir)
    cut_in_half(next(index_dir.glob("*.toc")))
    server = start_server(index_dir, corpus, free_port())
    output, _ = server.communicate(timeout=120)
    assert server.returncode == 1
    assert "kan ikke leses" in output and str(index_dir) in output


def test_a_healthy_index_answers_the_probe(built):
    corpus, index_dir = built
    response = client_for(index_dir, corpus).get("/api/health")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    check_health_schema(response)


# --- a PDF replaced by a corrupt copy -----------------------------------------------------------------


def test_a_report_replaced_by_a_corrupt_copy_stays_found_and_flagged_until_a_good_one_returns(tmp_path):
    corpus = build_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    update_index(corpus, index_dir)
    source = _search_sources(index_dir, corpus)[0]
    good = (corpus / source).read_bytes()
    (corpus / source).write_bytes(good[:400])  # a cut, unreadable copy

    for run in range(2):  # the next run too: the flag stays while the corrupt copy is there
        summary = update_index(corpus, index_dir)
        assert [failure.file for failure in summary.stale] == [source], run
        assert _search_sources(index_dir, corpus) == [source]
        last_run = json.loads((index_dir / "last_run.json").read_text(encoding="utf-8"))
        assert [entry["file"] for entry in last_run["stale"]] == [source]
        client = client_for(index_dir, corpus)
        health = client.get("/api/health").get_json()
        assert [entry["file"] for entry in health["stale_files"]] == [source]
        report_id = client.get(f"/api/search?q={PROBE_WORD}").get_json()["results"][0]["report"]["id"]
        assert client.get(f"/api/reports/{report_id}").get_json()["stale"]["code"]
        assert "ikke kunne leses" in client.get(f"/rapport/{report_id}").text

    (corpus / source).write_bytes(good)
    summary = update_index(corpus, index_dir)
    assert summary.stale == [] and not summary.failed
    client = client_for(index_dir, corpus)
    assert client.get("/api/health").get_json()["stale_files"] == []
    report_id = client.get(f"/api/search?q={PROBE_WORD}").get_json()["results"][0]["report"]["id"]
    assert "stale" not in client.get(f"/api/reports/{report_id}").get_json()
    assert "ikke kunne leses" not in client.get(f"/rapport/{report_id}").text

    (corpus / source).write_bytes(good[:400])
    update_index(corpus, index_dir)
    (corpus / source).unlink()  # deleted: its records go
    summary = update_index(corpus, index_dir)
    assert summary.stale == [] and _search_sources(index_dir, corpus) == []


def _search_sources(index_dir: Path, corpus: Path) -> list[str]:
    body = client_for(index_dir, corpus).get(f"/api/search?q={PROBE_WORD}").get_json()
    return sorted({hit["report"]["source"] for hit in body["results"]})


# --- a long report comes a page at a time ----------------------------------------------------------------


def test_a_long_report_is_answered_a_bounded_page_at_a_time(tmp_path):
    corpus = tmp_path / "corpus"
    passages = [f"Avsnitt {number} om skjemaer og fjellbeite i kommunene." for number in range(25)]
    make_report_pdf(corpus / "skjema.pdf", "Skjemarapport om fjellbeite", ["Mange skjemaer."], passages, pages=10)
    update_index(corpus, tmp_path / "index")
    client = client_for(tmp_path / "index", corpus)
    report_id = client.get("/api/search?q=fjellbeite").get_json()["results"][0]["report"]["id"]

    first = client.get(f"/api/reports/{report_id}").get_json()
    total = first["passage_count"]
    assert total > REPORT_PAGE_ITEMS and first["pages"] == -(-total // REPORT_PAGE_ITEMS) and first["page"] == 1
    seen = []
    for number in range(1, first["pages"] + 1):
        body = client.get(f"/api/reports/{report_id}?page={number}").get_json()
        shown = [passage["text"] for chapter in body["chapters"] for passage in chapter["passages"]]
        assert 0 < len(shown) <= REPORT_PAGE_ITEMS and body["passage_count"] == total
        seen += shown
    assert len(seen) == total  # every passage on exactly one page
    assert client.get(f"/api/reports/{report_id}?page={first['pages'] + 1}").status_code == 400
    assert client.get(f"/api/reports/{report_id}?page=").status_code == 400

    page = client.get(f"/rapport/{report_id}")
    assert page.status_code == 200 and page.text.count('class="passage"') == REPORT_PAGE_ITEMS
    assert "Vis flere" in page.text and "page=2" in page.text
    last = client.get(f"/rapport/{report_id}?page={first['pages']}")
    assert "Vis flere" not in last.text and "Forrige" in last.text
