"""The JSON API and the PDF route, through Flask's test client.

One index is built per session from a copy of the bundled corpus plus one
unreadable file (so the health check has a failure to report), with files
next to and inside the corpus folder that the PDF route must never serve; so
this module builds its own index rather than using the shared ``corpus_index``.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from jsonschema import ValidationError
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_openapi_document
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from indexer import Engine, QueryError, ReportDetail, update_index
from search_app.app import create_app
from search_app.params import MAX_QUERY_PARAMETER_CHARS

REPO = Path(__file__).resolve().parent.parent
UNREADABLE_PDF = "ødelagt.pdf"
SECRET_NEXT_TO_CORPUS = "hemmelig.pdf"
SECRET_TEXT = b"%PDF-1.4 skal aldri serveres"
NOT_A_PDF_IN_CORPUS = "notater.txt"
# A word with findings and passages in several reports and years of the sample corpus.
QUERY = "flyktninger"


# --- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory, corpus_dir) -> dict[str, Path]:
    """Corpus copy and index folder; a secret file sits next to the corpus folder."""
    root = tmp_path_factory.mktemp("api")
    corpus = root / "corpus"
    corpus.mkdir()
    pdfs = sorted(corpus_dir.glob("*.pdf"))
    assert pdfs, f"no sample PDFs in {corpus_dir}"
    for pdf in pdfs:
        shutil.copy2(pdf, corpus / pdf.name)
    (corpus / UNREADABLE_PDF).write_bytes(b"Dette er ingen PDF.\n")
    (root / SECRET_NEXT_TO_CORPUS).write_bytes(SECRET_TEXT)
    (corpus / NOT_A_PDF_IN_CORPUS).write_bytes(SECRET_TEXT)
    index = root / "index"
    summary = update_index(corpus, index, workers=2)
    assert summary.indexed_sources == len(pdfs)
    return {"root": root, "corpus": corpus, "index": index, "pdf_count": len(pdfs)}


@pytest.fixture(scope="session")
def app(site):
    return create_app({"INDEX_DIR": site["index"], "CORPUS_DIR": site["corpus"]})


@pytest.fixture
def client(app):
    return app.test_client()


def get_json(client, url: str, status: int = 200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def search(client, status: int = 200, **params):
    return get_json(client, "/api/search", status, query_string=params)


@pytest.fixture(scope="session")
def query_hits(app) -> list[dict]:
    body = search(app.test_client(), q=QUERY, size=100)
    assert body["results"], f"the sample corpus should have hits for «{QUERY}»"
    return body["results"]


# --- search -------------------------------------------------------------------------


def test_search_returns_hits_with_report_and_page_links(client):
    body = search(client, q=QUERY)
    assert body["query"] == QUERY
    assert body["page"] == 1 and body["size"] == 10
    assert body["results"] and len(body["results"]) == min(10, body["total"])
    for hit in body["results"]:
        assert hit["kind"] in ("finding", "passage")
        assert hit["text"].strip()
        report = hit["report"]
        assert report["title"] and report["id"]
        assert report["pdf_url"] == f"/pdf/{report['id']}#page={hit['page']}"
    assert any("<mark>" in hit["highlight"] for hit in body["results"])


def test_pages_do_not_overlap_and_size_is_respected(client):
    first = search(client, q=QUERY, size=3, page=1)
    second = search(client, q=QUERY, size=3, page=2)
    assert first["total"] == second["total"] > 3
    assert len(first["results"]) == 3
    ids_first = {hit["id"] for hit in first["results"]}
    ids_second = {hit["id"] for hit in second["results"]}
    assert ids_second and not ids_first & ids_second


def test_page_past_the_end_is_empty(client):
    total = search(client, q=QUERY)["total"]
    beyond = search(client, q=QUERY, size=100, page=1000)
    assert beyond["page"] == 1000
    assert beyond["results"] == [] and beyond["total"] == total


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("finding", "finding"), ("funn", "finding"), ("passage", "passage"), ("avsnitt", "passage")],
)
def test_kind_limits_results_to_findings_or_passages(client, kind, expected):
    body = search(client, q=QUERY, kind=kind, size=50)
    assert body["results"]
    assert {hit["kind"] for hit in body["results"]} == {expected}


def test_both_kinds_equal_the_default(client):
    default = search(client, q=QUERY)
    both = get_json(client, "/api/search", query_string=[("q", QUERY), ("kind", "funn"), ("kind", "passage")])
    assert both["total"] == default["total"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=x", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=1001", "page"),
        ("size=0", "size"),
        ("size=101", "size"),
        ("size=ti", "size"),
        ("sort=oldest", "sort"),
        ("kind=chapter", "kind"),
        ("group=theme", "group"),
        ("year=nitten", "year"),
        ("year=99999", "year"),
        ("group=", "group"),  # blank: the schema allows only the listed values
        ("sort=", "sort"),
        ("year_to=%C3%A5r", "year_to"),
        ("q=" + "a" * (MAX_QUERY_PARAMETER_CHARS + 1), "q"),
    ],
)
def test_bad_parameters_are_400_with_a_norwegian_message(client, query, parameter):
    url = f"/api/search?{query}" if query.startswith("q=") else f"/api/search?q=bolig&{query}"
    body = get_json(client, url, 400)
    assert body["error"]["code"] == "bad_parameter"
    assert body["error"]["parameter"] == parameter
    assert f"«{parameter}»" in body["error"]["message"]


NASTY_QUERY_STRINGS = [
    "q=" + "(" * 300 + "bolig" + ")" * 300,  # deeply nested parentheses
    "q=" + "((((" * 100,  # nested and never closed
    "q=*",
    "q=-*",
    "q=finnesikke:bolig",  # a field that does not exist
    "q=tittel:bolig%20forfatter:x",
    "q=%FF%FE%FD",  # invalid UTF-8
    "q=bolig%C3",  # a cut-off UTF-8 sequence
    "q=%00%01%1B[31m",  # control characters
    "q=" + "bolig%20" * 600,  # long, many words
    "q=" + "%F0%9F%8F%A0" * 400,  # emoji
    "q=bolig&page=99999999999999999999",
    "q=bolig&page=-99999999999",
    "q=bolig&size=-1",
    "q=bolig&size=99999999999999999999",
    "q=bolig&year=-2019",
    "q=bolig&year_from=0&year_to=99999999999",
    "q=bolig&theme=%FF&contractor=%00",
]
# A hang guard, not a speed target: the slowest of these answers in well under a second.
NASTY_QUERY_BOUND_S = 10.0


@pytest.mark.parametrize("query_string", NASTY_QUERY_STRINGS)
def test_known_nasty_query_strings_get_200_or_400_quickly(client, query_string):
    for path in ("/api/search", "/"):
        started = time.monotonic()
        response = client.get(f"{path}?{query_string}")
        elapsed = time.monotonic() - started
        assert response.status_code in (200, 400), (path, response.status_code)
        assert elapsed < NASTY_QUERY_BOUND_S, (path, elapsed)
        if path == "/api/search":
            body = response.get_json()
            assert ("results" in body) if response.status_code == 200 else body["error"]["message"]


def test_query_the_engine_rejects_is_400_with_its_message(client, monkeypatch):
    def reject(*args, **kwargs):
        raise QueryError("Søket har en parentes som ikke er lukket.")

    monkeypatch.setattr(Engine, "search", reject)
    body = get_json(client, "/api/search?q=(bolig", 400)
    assert body["error"] == {"code": "bad_query", "message": "Søket har en parentes som ikke er lukket."}


def test_a_filter_value_in_the_query_that_means_nothing_is_bad_query(client):
    body = get_json(client, "/api/search", 400, query_string={"q": "bolig år:nitten"})
    assert body["error"]["code"] == "bad_query" and "årstall" in body["error"]["message"]


# --- filters, sorting, grouping and facets ------------------------------------------------


def _all(client, **params) -> dict:
    return search(client, q=QUERY, size=100, **params)


def test_year_filter_keeps_only_that_year(client, query_hits):
    year = next(hit["report"]["year"] for hit in query_hits if hit["report"]["year"])
    body = _all(client, year=year)
    assert body["results"]
    assert {hit["report"]["year"] for hit in body["results"]} == {year}


def test_year_range_is_inclusive(client, query_hits):
    years = sorted({hit["report"]["year"] for hit in query_hits if hit["report"]["year"]})
    low, high = years[0], years[-1]
    body = _all(client, year_from=low, year_to=low)
    assert body["results"] and {hit["report"]["year"] for hit in body["results"]} == {low}
    everything = _all(client, year_from=low, year_to=high)
    assert everything["total"] >= body["total"]


def test_theme_filter_is_or_within_and_and_across_facets(client, query_hits):
    themes = list(dict.fromkeys(hit["report"]["theme"] for hit in query_hits if hit["report"]["theme"]))
    assert themes
    one = _all(client, theme=themes[0])
    assert one["results"] and one["total"] <= _all(client)["total"]
    if len(themes) > 1:
        two = get_json(client, "/api/search", query_string=[("q", QUERY), ("theme", themes[0]), ("theme", themes[1])])
        assert two["total"] > one["total"]
    year = one["results"][0]["report"]["year"]
    if year:
        both = _all(client, theme=themes[0], year=year)
        assert 0 < both["total"] <= one["total"]
        assert {hit["report"]["year"] for hit in both["results"]} == {year}


def test_contractor_filter_keeps_reports_by_that_institute(client, query_hits):
    contractor = next(c for hit in query_hits for c in hit["report"]["contractors"])
    body = _all(client, contractor=contractor)
    assert body["results"]
    assert all(contractor in hit["report"]["contractors"] for hit in body["results"])


def test_newest_first(client):
    body = _all(client, sort="newest")
    years = [hit["report"]["year"] or 0 for hit in body["results"]]
    assert years == sorted(years, reverse=True)


def test_grouping_gives_one_hit_per_report(client):
    body = _all(client, group="report")
    report_ids = [hit["report"]["id"] for hit in body["results"]]
    assert report_ids and len(report_ids) == len(set(report_ids))


def test_facet_counts_match_filtered_totals(client):
    body = _all(client)
    assert set(body["facets"]) == {"theme", "contractor", "year"}
    year_facet = body["facets"]["year"]
    assert year_facet and all(entry["count"] > 0 for entry in year_facet)
    entry = year_facet[0]
    assert _all(client, year=entry["value"])["total"] == entry["count"]


# --- findings, reports and the PDF -------------------------------------------------------


def test_pdf_url_serves_the_report_pdf(client, query_hits):
    url = urlsplit(query_hits[0]["report"]["pdf_url"])
    assert url.fragment == f"page={query_hits[0]['page']}"
    with client.get(url.path) as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.get_data()[:4] == b"%PDF"


def report_named(report_id: str, source: str) -> ReportDetail:
    """A report as the index would answer it, with only what the PDF route reads."""
    return ReportDetail(id=report_id, title=None, theme=None, contractors=[], authors=[], language=None, commissioner=None, year=None,
                        published=None, source=source, lead=None, page_start=None)


def test_pdf_route_serves_the_source_the_index_names_with_ranges(client, monkeypatch, query_hits):
    report = query_hits[0]["report"]
    monkeypatch.setattr(Engine, "report", lambda engine, report_id: report_named(report_id, report["source"]))
    with client.get(f"/pdf/{report['id']}") as whole:
        assert whole.status_code == 200 and whole.mimetype == "application/pdf"
        assert whole.get_data()[:4] == b"%PDF"
        assert report["source"] in whole.headers["Content-Disposition"]
    # PDF viewers fetch pages with range requests.
    with client.get(f"/pdf/{report['id']}", headers={"Range": "bytes=0-3"}) as part:
        assert part.status_code == 206 and part.get_data() == b"%PDF"


def test_finding_has_its_report_and_similar_findings(client):
    hit = search(client, q=QUERY, kind="finding")["results"][0]
    body = get_json(client, f"/api/findings/{hit['id']}")
    assert body["id"] == hit["id"] and body["text"] == hit["text"]
    assert body["report"]["id"] == hit["report"]["id"]
    assert body["report"]["pdf_url"].startswith(f"/pdf/{hit['report']['id']}")
    assert len(body["similar"]) <= 5
    assert hit["id"] not in {similar["id"] for similar in body["similar"]}


def test_unknown_finding_is_404(client):
    body = get_json(client, "/api/findings/0000000000000000", 404)
    assert body["error"]["code"] == "not_found"


def test_report_list_counts_findings(client):
    body = get_json(client, "/api/reports")
    health = get_json(client, "/api/health")
    assert body["total"] == len(body["reports"]) == health["reports"]
    assert sum(report["finding_count"] for report in body["reports"]) == health["findings"]
    for report in body["reports"]:
        assert report["pdf_url"].startswith(f"/pdf/{report['id']}")


def test_report_has_its_findings_in_order_and_passages_by_chapter(client):
    hits = search(client, q=QUERY, kind="finding", size=100)["results"]
    report_id = hits[0]["report"]["id"]
    body = get_json(client, f"/api/reports/{report_id}")
    assert body["id"] == report_id
    finding_ids = [finding["id"] for finding in body["findings"]]
    assert {hit["id"] for hit in hits if hit["report"]["id"] == report_id} <= set(finding_ids)
    pages = [finding["page"] for finding in body["findings"]]
    assert pages == sorted(pages)
    assert body["chapters"] and all(chapter["passages"] for chapter in body["chapters"])
    titles = [chapter["title"] for chapter in body["chapters"]]
    assert all(a != b for a, b in pairwise(titles))


def test_unknown_report_is_404(client):
    assert get_json(client, "/api/reports/0000000000000000", 404)["error"]["code"] == "not_found"
    assert get_json(client, "/pdf/0000000000000000", 404)["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "/pdf/../setup.cfg",
        "/pdf/..%2fsetup.cfg",
        "/pdf/%2e%2e%2fsetup.cfg",
        "/pdf/%2e%2e%2f%2e%2e%2fsetup.cfg",
        "/pdf/..",
        "/pdf/%2e%2e",
        "/pdf//etc/passwd",
        "/pdf/%2fetc%2fpasswd",
        f"/pdf/{REPO}/setup.cfg",
        "/pdf/..%5c..%5csetup.cfg",
        "/pdf/fou-prosjekter-2019.pdf",
    ],
)
def test_pdf_route_never_serves_paths_from_the_url(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert b"[metadata]" not in response.get_data() and b"root:" not in response.get_data()


@pytest.mark.parametrize(
    "source",
    [
        f"../{SECRET_NEXT_TO_CORPUS}",
        f"{{root}}/{SECRET_NEXT_TO_CORPUS}",
        f"undermappe/../../{SECRET_NEXT_TO_CORPUS}",
        NOT_A_PDF_IN_CORPUS,
        "/etc/passwd",
    ],
)
def test_pdf_route_refuses_an_indexed_source_outside_the_corpus(client, monkeypatch, site, source):
    source = source.format(root=site["root"])
    monkeypatch.setattr(Engine, "report", lambda engine, report_id: report_named(report_id, source))
    response = client.get("/pdf/abcdef0123456789")
    assert response.status_code == 404
    assert SECRET_TEXT not in response.get_data()


# --- health ------------------------------------------------------------------------------


def test_health_reports_counts_time_and_failed_files(client, site):
    body = get_json(client, "/api/health")
    assert body["status"] == "ok" and "stale_reason" not in body
    assert body["documents"] == site["pdf_count"]
    assert body["findings"] > 0 and body["passages"] > 0 and body["reports"] > 0
    assert datetime.fromisoformat(body["last_indexed"]).year >= 2024
    assert [failure["file"] for failure in body["failed"]] == [UNREADABLE_PDF]
    assert body["failed"][0]["code"] and body["failed"][0]["reason"]


def test_an_index_built_with_other_data_is_stale_but_still_answers(client, monkeypatch, openapi):
    from indexer.index import fingerprint, status

    today = fingerprint.current_fingerprint()
    edited = fingerprint.IndexFingerprint({**today.components, "synonyms.txt": "redigert"})
    monkeypatch.setattr(status, "current_fingerprint", lambda: edited)
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "stale"
    assert "synonyms.txt" in body["stale_reason"] and "rapportsok index" in body["stale_reason"]
    assert body["documents"] > 0
    assert_matches_openapi(openapi, "/api/health", response)
    assert get_json(client, f"/api/search?q={QUERY}")["results"]


def test_without_an_index_health_and_search_say_so(tmp_path):
    client = create_app({"INDEX_DIR": tmp_path / "nothing", "CORPUS_DIR": tmp_path}).test_client()
    body = get_json(client, "/api/health", 503)
    assert isinstance(body.pop("missing_language_data"), list)  # what this machine lacks
    assert body == {"status": "unavailable", "documents": 0, "reports": 0, "findings": 0, "passages": 0,
                    "last_indexed": None, "failed": [], "stale_files": [], "incomplete_files": [],
                    "reason": "Søkeindeksen er ikke bygget ennå. Kjør «rapportsok index»."}
    assert get_json(client, "/api/search?q=bolig", 503)["error"]["code"] == "index_missing"


# --- errors, headers and logging ----------------------------------------------------------


def test_unknown_api_path_is_json_404(client):
    body = get_json(client, "/api/finnes-ikke", 404)
    assert body["error"]["code"] == "not_found" and body["error"]["message"]


def test_wrong_method_is_json_405_with_allow_header(client):
    response = client.post("/api/search?q=bolig")
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_unexpected_exception_is_json_500_without_details(client, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("hemmelig intern detalj")

    monkeypatch.setattr(Engine, "search", explode)
    with caplog.at_level(logging.ERROR, logger="rapportsok.errors"):
        response = client.get("/api/search?q=bolig")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    text = response.get_data(as_text=True)
    assert "hemmelig" not in text and "Traceback" not in text
    assert any("hemmelig intern detalj" in (record.exc_text or "") for record in caplog.records)


@pytest.mark.parametrize("path", ["/api/search?q=bolig", "/api/health", "/api/finnes-ikke", "/api/search?page=x"])
def test_api_allows_cross_origin_reads(client, path):
    response = client.get(path, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_allows_get(client):
    response = client.options("/api/search", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_pdf_route_is_not_opened_cross_origin(client):
    assert "Access-Control-Allow-Origin" not in client.get("/pdf/..").headers


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/search?q=bolig"), ("get", "/api/finnes-ikke"), ("post", "/api/health"), ("get", "/pdf/%2e%2e"), ("get", "/")],
)
def test_security_headers_on_every_response(client, method, path):
    response = getattr(client, method)(path)
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_each_request_is_logged_once_with_status_and_latency(client, caplog):
    with caplog.at_level(logging.INFO, logger="rapportsok.requests"):
        client.get("/api/search?q=bolig")
        client.get("/api/finnes-ikke")
    records = [r for r in caplog.records if r.name == "rapportsok.requests"]
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/api/search", 200),
        ("GET", "/api/finnes-ikke", 404),
    ]
    assert all(r.duration_ms >= 0 for r in records)
    assert "status=200" in records[0].getMessage() and "duration_ms=" in records[0].getMessage()


# --- OpenAPI -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def openapi(app) -> dict:
    return app.test_client().get("/api/openapi.json").get_json()


def test_openapi_document_is_valid_and_lists_every_api_route(app, openapi):
    validate_openapi_document(openapi)
    # The document describes the JSON API and the PDF route; the HTML pages are not an API.
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/api/", "/pdf/"))
    }
    assert routes == set(openapi["paths"])


def assert_matches_openapi(openapi: dict, path: str, response) -> None:
    responses = openapi["paths"][path]["get"]["responses"]
    declared = responses.get(str(response.status_code), responses.get("default"))
    assert declared is not None, f"{path} {response.status_code} is not documented"
    schema = declared["content"][response.mimetype]["schema"]
    registry = Registry().with_resource("urn:api", Resource.from_contents(openapi, default_specification=DRAFT4))
    validator = OAS30Validator({"$ref": "urn:api" + schema["$ref"]} if "$ref" in schema else schema, registry=registry)
    try:
        validator.validate(response.get_json())
    except ValidationError as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"{path} {response.status_code}: {exc.message} at {list(exc.absolute_path)}")


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/api/search", "/api/search?q=bolig&size=50"),
        ("/api/search", "/api/search?q=%22bolig%22+kommune&kind=funn"),
        ("/api/search", "/api/search?q="),
        ("/api/search", "/api/search?q=bolig&size=500"),
        ("/api/health", "/api/health"),
        ("/api/openapi.json", "/api/openapi.json"),
        ("/api/findings/{finding_id}", "/api/findings/0000000000000000"),
        ("/api/reports", "/api/reports"),
        ("/api/reports/{report_id}", "/api/reports/0000000000000000"),
        ("/pdf/{report_id}", "/pdf/%2e%2e"),
    ],
)
def test_responses_match_the_openapi_schemas(client, openapi, path, url):
    response = client.get(url)
    assert_matches_openapi(openapi, path, response)


def test_found_finding_and_report_match_the_openapi_schemas(client, openapi, query_hits):
    hit = next(hit for hit in query_hits if hit["kind"] == "finding")
    for path, url in [
        ("/api/findings/{finding_id}", f"/api/findings/{hit['id']}"),
        ("/api/reports/{report_id}", f"/api/reports/{hit['report']['id']}"),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert_matches_openapi(openapi, path, response)


def test_error_responses_match_the_openapi_schema(client, openapi):
    assert_matches_openapi(openapi, "/api/search", client.post("/api/search"))
    assert_matches_openapi(openapi, "/api/search", client.get("/api/search?year_to=%C3%A5r"))


# --- no input makes the server fail ------------------------------------------------------------

# Any text a browser can send: control characters, emoji, quotes, very long strings
# (no lone surrogates, which cannot be encoded in a URL at all).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)))
QUERY_WORDS = ["flyktninger", "bolig", '"bolig', "kommune*", "NOT", "OR", "AND", "(", ")", "~2", "år:2019", "🏠"]
QUERY_TEXT = st.one_of(
    ANY_TEXT,
    st.text(alphabet='"\'()[]{}*?~^:+-!&|\\/ bolig', max_size=40),
    # Real words mixed with operators, so odd input also meets real hits.
    st.lists(st.sampled_from(QUERY_WORDS), max_size=6).map(" ".join),
    # Long queries, up to 5,000 characters, on both sides of the length limit.
    st.builds(lambda part, length: ((part or '"') * length)[:length], ANY_TEXT, st.integers(1000, 5000)),
)
GARBAGE = st.one_of(ANY_TEXT, st.integers().map(str), st.sampled_from(["", " ", "0", "-1", "1e3", "NaN", "١٢"]))


def parameter(*valid: str) -> st.SearchStrategy[str | None]:
    """Mostly absent (None) or valid, sometimes garbage: most examples must reach the search."""
    fine = st.one_of(st.none(), st.sampled_from(valid)) if valid else st.none()
    return st.integers(0, 5).flatmap(lambda draw: GARBAGE if draw == 5 else fine)


def repeated(*valid: str) -> st.SearchStrategy[list[str]]:
    return st.lists(parameter(*valid).filter(lambda value: value is not None), max_size=3)


SERVER_SAFE = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_no_server_error(app, params: dict[str, str | list[str] | None]) -> None:
    query = [(name, value) for name, values in params.items()
             for value in (values if isinstance(values, list) else [values]) if value is not None]
    response = app.test_client().get("/api/search", query_string=query)
    assert response.status_code < 500, (query, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"


@SERVER_SAFE
@given(q=QUERY_TEXT, page=parameter("1", "2", "7"), size=parameter("1", "10", "100"), kind=repeated("funn", "passage"))
def test_no_query_or_paging_garbage_causes_a_server_error(app, q, page, size, kind):
    _assert_no_server_error(app, {"q": q, "page": page, "size": size, "kind": kind})


@SERVER_SAFE
@given(
    q=QUERY_TEXT,
    theme=repeated("Bosetting og tidlig innsats"),
    contractor=repeated("NTNU Samfunnsforskning", "Fafo"),
    year=repeated("2018", "2019", "2020"),
    year_from=parameter("2018", "2019"),
    year_to=parameter("2019", "2020"),
    sort=parameter("relevance", "newest", "nyeste"),
    group=parameter("report"),
)
def test_no_filter_or_sort_garbage_causes_a_server_error(app, q, theme, contractor, year, year_from, year_to, sort, group):
    _assert_no_server_error(
        app,
        {"q": q, "theme": theme, "contractor": contractor, "year": year, "year_from": year_from,
         "year_to": year_to, "sort": sort, "group": group},
    )


# --- re-indexing while serving -----------------------------------------------------------------


@pytest.mark.slow
def test_app_keeps_answering_while_the_index_is_rebuilt(tmp_path, site):
    # A copy of the session's index and corpus, plus one new PDF for the re-index to add.
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(site["corpus"], corpus)
    shutil.copytree(site["index"], index)
    readable = [pdf for pdf in corpus.glob("*.pdf") if pdf.name != UNREADABLE_PDF]
    smallest = min(readable, key=lambda pdf: pdf.stat().st_size)
    shutil.copy2(smallest, corpus / "ny-rapport.pdf")
    client = create_app({"INDEX_DIR": index, "CORPUS_DIR": corpus}).test_client()
    before = get_json(client, "/api/health")["documents"]

    reindex = subprocess.Popen(
        [sys.executable, "-m", "search_app", "index", str(corpus), "--index-dir", str(index), "--workers", "1"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))},
    )
    statuses = []
    try:
        while reindex.poll() is None:
            statuses.append(client.get(f"/api/search?q={QUERY}").status_code)
            time.sleep(0.05)
    finally:
        if reindex.poll() is None:
            reindex.kill()
        reindex.wait(timeout=60)
    assert reindex.returncode == 0
    assert statuses and set(statuses) == {200}
    # The running app sees the new commit without a restart.
    assert get_json(client, "/api/health")["documents"] == before + 1


def test_health_and_the_index_summary_say_which_language_data_is_missing(client, monkeypatch):
    from indexer.index.summary import IndexSummary, render_summary
    from indexer.language import english, nynorsk

    monkeypatch.setattr(nynorsk, "missing_packages", lambda: ["hunspell-no", "dict-freedict-nno-nob"])
    monkeypatch.setattr(english, "missing_packages", lambda: [])
    body = client.get("/api/health").get_json()
    assert [missing["data"] for missing in body["missing_language_data"]] == ["nynorsk"]
    assert body["missing_language_data"][0]["install"] == "apt-get install -y hunspell-no dict-freedict-nno-nob"
    assert body["status"] == "ok"  # everything else still works
    summary = render_summary(IndexSummary(started="", strict=False))
    assert "Mangler språkdata (nynorsk)" in summary and "apt-get install -y hunspell-no" in summary
    monkeypatch.setattr(nynorsk, "missing_packages", lambda: [])
    assert client.get("/api/health").get_json()["missing_language_data"] == []
