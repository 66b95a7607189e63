"""The search page in headless Chromium, against ``rapportsok serve`` run as a real process.

A researcher types a query, narrows it with a facet, reads a report, opens the
PDF and downloads the hits, with no console error or CSP violation on the way.
The served corpus is the bundled sample plus one small PDF whose finding holds
a ``<script>``: the page must show it as text and never run it, so the server
builds its own index (the shared ``corpus_index`` lacks that PDF). Screenshots
of the search and report pages go to docs/screenshots/.

Needs Debian's Chromium (/usr/bin/chromium) and the playwright package (a dev
dependency); the browser is never downloaded by the test tool.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright import sync_api
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
STARTUP_LIMIT_S = 120
QUERY = "flyktninger"
SCRIPT_FINDING = "Tolketjenester <script>window.__pwned=1</script> brukes oftere enn før."
SCRIPT_PASSAGE = 'Intervjuer om tolketjenester <img src=x onerror="window.__pwned=2"> i kommunene.'

pytestmark = [
    pytest.mark.browser,
    # The machine's browser, not part of this project: CI installs it.
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed (apt-get install chromium)"),
]


# --- the server -------------------------------------------------------------------------------


def write_script_report(path: Path) -> None:
    """A one-page report whose finding and passage carry markup, as a hostile PDF could."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle("Tolketjenester i kommunene")
    lines = [("Helvetica-Bold", 20, "Tolketjenester i kommunene"), ("Helvetica-Bold", 14, "Hovedfunn"),
             ("Helvetica", 11, "- " + SCRIPT_FINDING), ("Helvetica-Bold", 14, "Bakgrunn"),
             ("Helvetica", 11, SCRIPT_PASSAGE)]
    for number, (font, size, text) in enumerate(lines):
        pdf.setFont(font, size)
        pdf.drawString(60, 780 - 32 * number, text)
    pdf.showPage()
    pdf.save()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/api/health", timeout=5) as response:
            return json.load(response).get("status") == "ok"
    except (OSError, urllib.error.HTTPError, ValueError):
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory, corpus_dir) -> str:
    """``rapportsok serve`` on a free port; it builds its index on the first start."""
    root = tmp_path_factory.mktemp("browser")
    corpus = root / "corpus"
    shutil.copytree(corpus_dir, corpus, ignore=shutil.ignore_patterns("source", "*.py", "*.md"))
    write_script_report(corpus / "tolketjenester.pdf")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = root / "server.log"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "search_app", "serve", "--port", str(port),
               "--index-dir", str(root / "index"), "--corpus", str(corpus)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while not healthy(base):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Console:
    """Console errors, uncaught exceptions and CSP violations seen by one page."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", self._console_message)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        # Init scripts are injected by the browser, outside the page's CSP, so they can watch it.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )

    def _console_message(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"{message.text} ({message.location.get('url')})")


@pytest.fixture
def javascript() -> bool:
    return True


@pytest.fixture
def page(browser, server, javascript):
    context = browser.new_context(base_url=server, accept_downloads=True, viewport={"width": 1280, "height": 1000},
                                  locale="nb-NO", java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    page = context.new_page()
    console = Console(page)
    yield page
    context.close()
    assert console.problems == [], console.problems


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def search_for(page, query: str) -> None:
    page.goto("/")
    box = page.get_by_label("Søk i rapportene")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


# --- tests ------------------------------------------------------------------------------------


def test_search_highlights_hits_and_exports_them(page):
    search_for(page, QUERY)
    assert query_of(page.url)["q"] == [QUERY]
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().endswith(f"treff på «{QUERY}»")
    total = int(heading.inner_text().split()[0])
    hits = page.locator("li.hit")
    assert hits.count() == min(10, total)
    assert "flyktning" in page.locator("li.hit mark").first.inner_text().lower()
    screenshot(page, "search.png")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == total
    assert {row["title"] for row in rows} >= {hits.first.locator("h3").inner_text()}


@pytest.mark.parametrize("javascript", [False])
def test_everything_works_without_javascript(page):
    search_for(page, QUERY)
    total = int(page.get_by_role("heading", level=1).inner_text().split()[0])
    with page.expect_navigation():
        page.get_by_role("link", name="Funn", exact=True).click()
    assert query_of(page.url)["kind"] == ["funn"]
    findings = int(page.get_by_role("heading", level=1).inner_text().split()[0])
    assert 0 < findings < total
    assert set(page.locator("li.hit .badge").all_inner_texts()) == {"FUNN"}
    with page.expect_navigation():
        page.get_by_role("link", name="Neste", exact=True).click()
    assert query_of(page.url)["page"] == ["2"] and query_of(page.url)["kind"] == ["funn"]
    with page.expect_navigation():
        page.locator("a.chip").click()
    assert "kind" not in query_of(page.url)


def test_results_follow_the_typing(page):
    search_for(page, QUERY)
    first = page.locator("li.hit").first.get_attribute("id")
    page.get_by_label("Søk i rapportene").fill("tolketjenester")
    # Without submitting: the list and the address follow after a pause in the typing.
    page.wait_for_url(lambda url: query_of(url).get("q") == ["tolketjenester"])
    page.wait_for_function("document.querySelector('h1').textContent.includes('tolketjenester')")
    assert page.locator("li.hit").first.get_attribute("id") != first
    assert "tolketjenester" in page.locator("#live-status").inner_text()


def test_narrow_screen_puts_the_filters_under_the_results(page):
    page.set_viewport_size({"width": 390, "height": 844})
    search_for(page, QUERY)
    results = page.locator("main").bounding_box()
    assert results["width"] <= 390
    filters = page.locator("aside")
    if filters.count():
        assert filters.bounding_box()["y"] >= results["y"] + results["height"] - 1
    screenshot(page, "search-mobile.png")


def test_keyboard_user_can_skip_to_the_results(page):
    search_for(page, QUERY)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til hovedinnholdet")
    assert skip.evaluate("element => element === document.activeElement")
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"


def test_facet_report_pdf_and_back_to_export(page):
    search_for(page, QUERY)
    facet = page.locator("aside a.facet__option").first
    value = facet.locator(".facet__value").inner_text()
    with page.expect_navigation():
        facet.click()
    assert any(value in values for values in query_of(page.url).values())
    assert value in page.locator("a.chip").first.inner_text()
    filtered_total = int(page.get_by_role("heading", level=1).inner_text().split()[0])

    title = page.locator("li.hit h3").first.inner_text()
    with page.expect_navigation():
        page.locator("li.hit h3 a").first.click()
    assert urlsplit(page.url).path.startswith("/rapport/")
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.locator("ol.findings > li").count() > 0
    # The link lands on the hit (a passage's folded chapter is opened); the picture shows the page from its top.
    assert page.locator(":target").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "report.png")

    pdf_link = page.locator("ol.findings a.pdf-link").first
    href = pdf_link.get_attribute("href")
    assert "#page=" in href
    with page.expect_response(lambda response: urlsplit(response.url).path == urlsplit(href).path) as response_info:
        pdf_link.click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert page.request.get(href.split("#")[0]).body()[:4] == b"%PDF"

    # Back to the filtered results: the PDF opened as a page (two steps back) or as a download (one).
    for _ in range(2):
        if urlsplit(page.url).path != "/":
            page.go_back()
    assert urlsplit(page.url).path == "/" and value in page.locator("a.chip").first.inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == filtered_total


def test_script_text_from_a_pdf_is_shown_and_never_run(page):
    search_for(page, "tolketjenester")
    texts = page.locator("li.hit .hit__text").all_inner_texts()
    assert any("<script>window.__pwned=1</script>" in text for text in texts), texts
    assert any('<img src=x onerror="window.__pwned=2">' in text for text in texts), texts
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("li.hit script, li.hit img").count() == 0


def test_script_text_on_the_report_page_is_never_run(page):
    search_for(page, "tolketjenester")
    with page.expect_navigation():
        page.locator("li.hit h3 a").first.click()
    assert SCRIPT_FINDING in page.locator("ol.findings").inner_text()
    page.locator("details.chapter summary").first.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("main script, main img").count() == 0
