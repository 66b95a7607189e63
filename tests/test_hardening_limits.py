"""No single client takes the service down: held connections, amplifying requests,
forged headers, spreadsheet formulas in exports.

The connection tests run a real ``rapportsok serve`` and open a bounded number of
sockets on 127.0.0.1 that send half a request and wait (slow loris), or trickle a
header a byte at a time.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from indexer.index.build import update_index
from indexer.search.engine import close_searchers
from search_app import create_app
from search_app.export import ExportRow, to_csv
from search_app.params import MAX_FILTER_CHARS, MAX_FILTER_VALUES, MAX_QUERY_PARAMETER_CHARS

from test_indexing import build_corpus, make_report_pdf
from test_serve import REPO, free_port, start_server, stop, wait_until_healthy

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses Linux sockets and processes")

HALF_REQUEST = b"GET /api/search?q=bolig HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: loris\r\n"
# More than waitress's default connection limit (100), which these used to exhaust.
LORIS_SOCKETS = 150
# A normal request while they are held answers within this (it takes milliseconds).
ANSWER_BOUND_S = 3.0


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()


def built_small_index(root: Path) -> tuple[Path, Path]:
    """A corpus of the indexing tests' reports and its index, under ``root``."""
    corpus = build_corpus(root / "corpus")
    update_index(corpus, root / "index")
    close_searchers()
    return corpus, root / "index"


@pytest.fixture(scope="module")
def small_index(tmp_path_factory) -> tuple[Path, Path]:
    return built_small_index(tmp_path_factory.mktemp("limits"))


def open_loris(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(HALF_REQUEST)
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:  # reset
        return True


def timed_search(base: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"{base}/api/search?q=tolkeregister", timeout=30) as response:
        assert response.status == 200
    return time.monotonic() - started


def hold_and_check(small_index, request_timeout: float, loris: int, *extra: str) -> None:
    corpus, index_dir = small_index
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(index_dir, corpus, port, "--request-timeout", str(request_timeout), *extra)
    held: list[socket.socket] = []
    try:
        wait_until_healthy(server, base)
        held = open_loris(port, loris)
        trickler = socket.create_connection(("127.0.0.1", port), timeout=5)
        held.append(trickler)
        # Everyone else is answered while the connections are held.
        assert timed_search(base) < ANSWER_BOUND_S
        # A client sending a byte now and then is cut off too: the request must arrive whole in time.
        deadline = time.monotonic() + request_timeout + 2 * 2 + 3
        sent = 0
        while time.monotonic() < deadline and not all(closed_by_server(sock) for sock in held):
            try:
                trickler.send(HALF_REQUEST[sent % len(HALF_REQUEST):][:1])
                sent += 1
            except OSError:
                pass
            time.sleep(0.5)
        still_open = sum(not closed_by_server(sock) for sock in held)
        assert still_open == 0, f"{still_open} of {len(held)} held connections outlived the timeout"
        assert sent > request_timeout  # the trickler did keep sending
        assert timed_search(base) < ANSWER_BOUND_S
    finally:
        for sock in held:
            sock.close()
        output = stop(server)
    assert server.returncode == 0, output


def test_held_connections_lock_nobody_out_and_are_closed_after_the_timeout(small_index):
    hold_and_check(small_index, 2, LORIS_SOCKETS, "--workers", "1")


@pytest.mark.slow
def test_held_connections_at_the_default_timeout_with_two_workers(small_index):
    hold_and_check(small_index, 10, 3 * LORIS_SOCKETS, "--workers", "2")


# --- amplification: every response bounded in size and time -------------------------------------


@pytest.fixture(scope="module")
def app(small_index):
    corpus, index_dir = small_index
    return create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus})


# The largest search page the caps allow, sent as one request: answered in under a
# second with a page of well under a megabyte (it was 86 MB in 3.75 s).
PAGE_BOUND_BYTES = 1_000_000
PAGE_BOUND_S = 2.0


def test_the_largest_allowed_filters_give_a_bounded_page(app):
    client = app.test_client()
    longest = [(facet, f"{number} ".ljust(MAX_FILTER_CHARS, "x")) for facet in ("theme", "contractor")
               for number in range(MAX_FILTER_VALUES)]
    url = "/?" + urlencode([("q", "tolkeregister " + "a" * (MAX_QUERY_PARAMETER_CHARS - 20))] + longest)
    started = time.monotonic()
    response = client.get(url)
    assert response.status_code == 200
    assert len(response.data) < PAGE_BOUND_BYTES and time.monotonic() - started < PAGE_BOUND_S


@pytest.mark.parametrize("path", ["/", "/api/search"])
def test_too_many_or_too_long_filter_values_are_a_400_that_says_so(app, path):
    client = app.test_client()
    for pairs, parameter in [
        ([("theme", f"tema {n}") for n in range(MAX_FILTER_VALUES + 1)], "theme"),
        ([("contractor", "x" * (MAX_FILTER_CHARS + 1))], "contractor"),
    ]:
        started = time.monotonic()
        response = client.get(f"{path}?" + urlencode([("q", "bolig"), *pairs]))
        assert response.status_code == 400 and time.monotonic() - started < PAGE_BOUND_S
        assert len(response.data) < 20_000
        if path == "/":
            assert "for lang" in response.text or "høyst" in response.text
        else:
            assert response.json["error"]["parameter"] == parameter


def test_an_overlong_query_is_a_small_error_page_without_the_query(app):
    response = app.test_client().get("/?" + urlencode([("q", "å" * 100_000)]))
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert len(response.data) < 20_000 and "ååååå" not in response.text


@pytest.mark.parametrize("path", ["/", "/api/search"])
def test_invalid_utf8_in_a_parameter_is_a_400(app, path):
    client = app.test_client()
    for query in ("q=%FF%FEbolig", "q=bolig&theme=%C3", "q=bolig&contractor=%ED%A0%80"):
        assert client.get(f"{path}?{query}").status_code == 400, query
    assert client.get(f"{path}?q=%C3%A5r").status_code == 200  # «år», valid UTF-8


# --- CSV cells a spreadsheet would evaluate ------------------------------------------------------


def export_row(text: str, title: str, source: str) -> ExportRow:
    return ExportRow(id="1", kind="finding", text=text, title=title, contractors=("-Institutt",), authors=(),
                     commissioner="@Direktoratet", year="2020", published="", section="+Sammendrag", page="3",
                     source=source, url="/pdf/1#page=3")


def test_csv_cells_that_start_a_formula_are_neutralised():
    rows = [export_row('=HYPERLINK("http://evil.example.com","klikk")', "\tTittel", "=cmd|' /C calc'!A0.pdf")]
    cells = list(csv.DictReader(io.StringIO(to_csv(rows).lstrip("\ufeff"))))[0]
    for column in ("text", "title", "source", "contractors", "commissioner", "section"):
        assert cells[column].startswith("'"), column
    assert cells["text"] == "'" + '=HYPERLINK("http://evil.example.com","klikk")'  # still readable
    # Ordinary values are left as they are.
    assert cells["year"] == "2020" and cells["page"] == "3" and cells["url"] == "/pdf/1#page=3"


def test_an_exported_report_whose_text_starts_with_a_formula_is_neutralised(tmp_path):
    corpus = tmp_path / "corpus"
    make_report_pdf(corpus / "formel.pdf", "=1+2 formelrapport", ["=SUM(A1:A9) fjordbruk er viktig."], ["Tekst."])
    update_index(corpus, tmp_path / "index")
    client = create_app({"INDEX_DIR": tmp_path / "index", "CORPUS_DIR": corpus}).test_client()
    body = client.get("/eksport.csv?q=fjordbruk").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and all(not row[column].startswith(("=", "+", "-", "@")) for row in rows for column in row)
    assert any(row["title"].startswith("'=1+2") for row in rows)


# --- links never come from the Host header ---------------------------------------------------------

FORGED = {"Host": "evil.example.com"}


def test_a_forged_host_reaches_no_link(small_index):
    corpus, index_dir = small_index
    for base, expected in [(None, "/pdf/"), ("https://rapporter.example.no/sok/", "https://rapporter.example.no/sok/pdf/")]:
        client = create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus, "PUBLIC_BASE_URL": base}).test_client()
        export = client.get("/eksport.csv?q=tolkeregister", headers=FORGED).data.decode("utf-8-sig")
        urls = [row["url"] for row in csv.DictReader(io.StringIO(export))]
        assert urls and all(url.startswith(expected) for url in urls)
        for path in ("/rapport//x", "/api//health"):
            response = client.get(path, headers=FORGED)
            assert response.status_code in (301, 308)
            assert "evil.example.com" not in response.headers["Location"]
            assert response.headers["Location"].startswith(expected.removesuffix("pdf/"))


def test_a_public_url_that_is_not_an_address_is_refused(small_index):
    corpus, index_dir = small_index
    for bad in ("rapporter.example.no", "javascript:alert(1)", "https://x.example/?a=1"):
        with pytest.raises(ValueError, match="http"):
            create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus, "PUBLIC_BASE_URL": bad})


# --- the OpenAPI description and the behaviour agree --------------------------------------------------

SCHEMATHESIS_EXAMPLES = 50


def start_logged_server(index_dir: Path, corpus: Path, port: int, log: Path) -> subprocess.Popen:
    """``rapportsok serve`` with its request log in a file: a pipe nobody reads would
    fill up after a few hundred requests and stop the server."""
    command = [sys.executable, "-m", "search_app", "serve", "--port", str(port), "--workers", "1",
               "--index-dir", str(index_dir), "--corpus", str(corpus)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with log.open("w") as output:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_schemathesis_finds_no_disagreement_between_the_openapi_document_and_the_api(small_index, tmp_path):
    """Every check of schemathesis (status codes, content types, response schemas, valid
    data accepted, invalid data rejected, no 5xx) over every operation, bounded in examples."""
    schemathesis = pytest.importorskip("schemathesis")
    command = shutil.which("schemathesis")
    assert command is not None, f"schemathesis {schemathesis.__version__} is installed without its command"
    corpus, index_dir = small_index
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_logged_server(index_dir, corpus, port, tmp_path / "server.log")
    try:
        wait_until_healthy(server, base)
        run = subprocess.run(
            [command, "run", f"{base}/api/openapi.json", "--checks", "all", "--max-examples", str(SCHEMATHESIS_EXAMPLES),
             "--seed", "18", "--no-color", "--report", "junit", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=900, cwd=tmp_path,
        )
    finally:
        stop(server)
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    assert re.search(r"\d+ generated, \d+ passed", summary), summary
