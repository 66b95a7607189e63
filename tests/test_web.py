"""The HTML search page, report page and exports, through Flask's test client.

The app searches the bundled corpus, indexed once per session (``app`` and
``client`` in conftest.py). Tests of how the page shows an answer it cannot get
from the two sample PDFs (many pages, every facet, a typo suggestion, hostile
text) replace the engine's ``search`` with one that answers from a list.
"""
from __future__ import annotations

import csv
import dataclasses
import html
import io
import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from indexer import Engine, ReportInfo, SearchHit, SearchRequest, SearchResponse
from search_app.app import create_app
from search_app.export import ExportRow, bibtex_escape, to_bibtex
from search_app.params import parse_search_params
from search_app.web import EXPORT_LIMIT

REPO = Path(__file__).resolve().parent.parent
# A word with findings and passages in several reports and years of the sample corpus.
QUERY = "flyktninger"
NO_HITS = "xqzvwyk"


# --- a small DOM over html.parser ------------------------------------------------------

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def __getitem__(self, name: str) -> str:
        return self.attrs[name] or ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def raw_text(self) -> str:
        return "".join(child if isinstance(child, str) else child.raw_text() for child in self.children)

    def text(self) -> str:
        """The text a reader sees, whitespace collapsed as a browser does."""
        return " ".join(self.raw_text().split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(name.rstrip("_").replace("_", "-")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'}> with class={cls} {attrs}"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID_TAGS:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def params_of(url: str) -> SearchRequest:
    return parse_search_params(MultiDict(parse_qsl(urlsplit(url).query, keep_blank_values=True)))


def page_links(doc: Node) -> list[Node]:
    """Links that change the search (controls), not those to reports, PDFs or similar findings."""
    return [a for a in doc.find_all("a") if (a.get("href") or "").startswith("/?") and "lignende=" not in a["href"]]


# --- helpers ---------------------------------------------------------------------------


def get_page(client, url: str, status: int = 200, **kwargs) -> tuple[Node, str]:
    response = client.get(url, **kwargs)
    text = response.get_data(as_text=True)
    assert response.status_code == status, text[:500]
    assert response.mimetype == "text/html"
    return parse_html(text), text


def api_search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def hit_items(doc: Node) -> list[Node]:
    return doc.find_all("li", cls="hit")


def hit_ids(doc: Node) -> list[str]:
    return [item["id"].removeprefix("treff-") for item in hit_items(doc)]


def fake_hit(number: int, **changes) -> SearchHit:
    hit = SearchHit(
        id=f"f{number:04d}",
        kind="finding" if number % 3 else "passage",
        text=f"Funn nummer {number} om bolig og arbeid.",
        highlight=f"Funn nummer {number} om <mark>bolig</mark> og arbeid.",
        score=1.0 / (number + 1),
        section="Hovedfunn",
        page=number % 40 + 1,
        report=ReportInfo(
            id=f"r{number % 7:04d}",
            title=f"Rapport {number % 7}",
            theme="Bosetting",
            contractors=["Fafo", "NOVA"],
            authors=[],
            language="nb",
            commissioner="IMDi",
            year=2015 + number % 6,
            published=f"{2015 + number % 6}-03-01",
            source=f"rapport-{number % 7}.pdf",
        ),
    )
    return dataclasses.replace(hit, **changes)


FAKE_FACETS = {
    "theme": [{"value": "Bosetting", "count": 40}, {"value": "Helse", "count": 12}],
    "contractor": [{"value": "Fafo", "count": 30}, {"value": "NOVA", "count": 5}],
    "year": [{"value": 2019, "count": 50}, {"value": 2020, "count": 45}],
}


@pytest.fixture
def fake_search(monkeypatch):
    """Replaces ``Engine.search``; returns (what it answers from, the requests it got)."""
    answer = {"hits": [fake_hit(n) for n in range(95)], "facets": FAKE_FACETS, "suggestion": None}
    requests: list[SearchRequest] = []

    def search(engine: Engine, request: SearchRequest) -> SearchResponse:
        requests.append(request)
        hits = answer["hits"]
        start = (request.page - 1) * request.size
        return SearchResponse(query=request.query, total=len(hits), page=request.page, size=request.size,
                              took_ms=1.0, suggestion=answer["suggestion"],
                              results=hits[start:start + request.size], facets=answer["facets"])

    monkeypatch.setattr(Engine, "search", search)
    return answer, requests


# --- the result list ------------------------------------------------------------------------


def test_results_show_highlighted_findings_with_their_report(client):
    doc, _ = get_page(client, f"/?q={QUERY}")
    api = api_search(client, q=QUERY)
    assert hit_ids(doc) == [hit["id"] for hit in api["results"]]
    heading = doc.find("h1").text()
    assert heading == f"{api['total']} treff på «{QUERY}»"
    for item, hit in zip(hit_items(doc), api["results"], strict=True):
        assert item.find("h3").text() == hit["report"]["title"]
        meta = {dt.text(): dt.parent.find("dd").text() for dt in item.find_all("dt")}
        report = hit["report"]
        assert meta.get("Oppdragstaker") == (", ".join(report["contractors"]) or None)
        assert meta.get("År") == (str(report["year"]) if report["year"] else None)
        assert meta.get("Tema") == report["theme"]
        assert meta["Side"] == str(hit["page"])
        label = item.find("p", cls="hit__label").text()
        # The section, unless it only repeats the report's title just above it.
        if hit["section"] and hit["section"] != report["title"]:
            assert hit["section"] in label
        else:
            assert label in ("Funn", "Avsnitt")
        assert item.find("p", cls="hit__text").text().replace("…", "").strip()
    # The matched words are marked (synonyms may be too, so not every mark is the query word).
    marked = [item for item in hit_items(doc) if item.find_all("mark")]
    assert len(marked) >= len(hit_items(doc)) / 2
    assert "flyktning" in marked[0].find("mark").text().lower()


def test_each_hit_opens_its_pdf_page_and_report(client):
    doc, _ = get_page(client, f"/?q={QUERY}")
    api = {hit["id"]: hit for hit in api_search(client, q=QUERY)["results"]}
    for item in hit_items(doc):
        hit = api[item["id"].removeprefix("treff-")]
        pdf = item.find("a", cls="pdf-link")
        assert pdf.text() == f"Åpne PDF (s. {hit['page']})"
        assert pdf["href"] == f"/pdf/{hit['report']['id']}#page={hit['page']}"
        assert item.find("h3").find("a")["href"].startswith(f"/rapport/{hit['report']['id']}#")
    first_pdf = hit_items(doc)[0].find("a", cls="pdf-link")["href"].split("#")[0]
    with client.get(first_pdf) as response:
        assert response.status_code == 200 and response.get_data()[:4] == b"%PDF"


def test_page_and_api_take_the_same_parameters(client):
    for params in ({"q": QUERY, "kind": "funn"}, {"q": QUERY, "kind": "avsnitt", "size": 5, "page": 2},
                   {"q": "bolig kommune", "size": 3}):
        doc, _ = get_page(client, "/", query_string=params)
        assert hit_ids(doc) == [hit["id"] for hit in api_search(client, **params)["results"]], params


def test_kind_filter_shows_only_findings_and_says_so(client):
    doc, _ = get_page(client, f"/?q={QUERY}&kind=funn")
    assert {item.find("span", cls="badge").text() for item in hit_items(doc)} == {"Funn"}
    current = [a.text() for a in doc.find_all("a", cls="choices__option") if a.get("aria-current") == "true"]
    assert "Funn" in current
    chip = doc.find("a", cls="chip")
    assert "funn" in chip.text() and params_of(chip["href"]).kinds == ("finding", "passage")


def test_pagination_walks_through_all_hits_without_repeats(client):
    total = api_search(client, q=QUERY)["total"]
    seen: list[str] = []
    url = f"/?q={QUERY}&size=20"
    while url:
        doc, _ = get_page(client, url)
        seen += hit_ids(doc)
        nav = doc.find_all("nav", aria_label="Sider med treff")
        following = [a for a in nav[0].find_all("a") if a.text() == "Neste"] if nav else []
        url = following[0]["href"] if following else None
    assert len(seen) == len(set(seen)) == total


def test_find_similar_lists_other_findings(client):
    doc, _ = get_page(client, f"/?q={QUERY}&kind=funn")
    link = hit_items(doc)[0].find("a", cls="similar-link")
    source_id = dict(parse_qsl(urlsplit(link["href"]).query))["lignende"]
    similar, _ = get_page(client, link["href"])
    assert similar.find("h1").text() == "Funn som ligner"
    assert source_id not in hit_ids(similar)


# --- every state lives in the URL -------------------------------------------------------------

ROUND_TRIP = [
    ("q", "bolig og skole"), ("theme", "Bosetting"), ("theme", "Arbeid & helse"), ("contractor", "Fafo"),
    ("year", "2019"), ("year_from", "2015"), ("year_to", "2021"), ("kind", "funn"), ("sort", "nyeste"),
    ("size", "5"), ("page", "3"),
]


def changed_fields(before: SearchRequest, after: SearchRequest) -> set[str]:
    return {f.name for f in dataclasses.fields(SearchRequest) if getattr(before, f.name) != getattr(after, f.name)}


def test_the_page_searches_with_every_parameter_in_the_url(client, fake_search):
    _, requests = fake_search
    get_page(client, "/", query_string=ROUND_TRIP)
    assert requests == [SearchRequest(query="bolig og skole", size=5, page=3, themes=("Bosetting", "Arbeid & helse"),
                                      contractors=("Fafo",), years=(2019,), year_from=2015, year_to=2021,
                                      kinds=("finding",), sort="newest")]


def test_every_control_keeps_the_rest_of_the_state(client, fake_search):
    state = parse_search_params(MultiDict(ROUND_TRIP))
    doc, _ = get_page(client, "/", query_string=ROUND_TRIP)
    assert doc.find("input", id="q")["value"] == "bolig og skole"

    # The search box and the year form resend everything else (and start again at page 1).
    for form in doc.find_all("form"):
        fields = [(i["name"], i.get("value") or "") for i in form.find_all("input") if i.get("name")]
        sent = parse_search_params(MultiDict(fields))
        assert changed_fields(state, sent) == {"page"} and sent.page == 1

    links = [a for a in page_links(doc) if "chips__clear" not in a.classes]
    assert len(links) > 10
    for link in links:
        changed = changed_fields(state, params_of(link["href"]))
        # One control changes one thing; only the pagination keeps the page.
        assert len(changed - {"page"}) <= 1, (link.text(), changed)
        assert "query" not in changed and "size" not in changed
        if changed - {"page"}:
            assert params_of(link["href"]).page == 1
    by_text = {link.text(): params_of(link["href"]) for link in links}
    assert by_text["Neste"].page == 4 and by_text["Forrige"].page == 2
    assert by_text["Nyeste"].sort == "newest" and by_text["Relevans"].sort == "relevance"
    assert by_text["Avsnitt"].kinds == ("passage",)

    exports = [a["href"] for a in doc.find_all("a") if a["href"].startswith("/eksport.")]
    assert sorted(urlsplit(url).path for url in exports) == ["/eksport.bib", "/eksport.csv", "/eksport.ris"]
    for url in exports:
        assert changed_fields(state, params_of(url)) == {"page"}


def test_pagination_shows_neighbours_and_ends(client, fake_search):
    doc, _ = get_page(client, "/", query_string=ROUND_TRIP)
    nav = doc.find("nav", aria_label="Sider med treff")
    numbers = [a.text().removeprefix("Side ").strip() for a in nav.find_all("a") if a.text().startswith("Side")]
    # 95 hits, 5 per page: 19 pages; page 3 shows 1–5 and the last page.
    assert numbers == ["1", "2", "3", "4", "5", "19"]
    assert nav.find("a", aria_current="page").text().endswith("3")
    assert "…" in nav.text()


def test_facet_links_add_and_remove_filters(client, fake_search):
    doc, _ = get_page(client, "/", query_string=ROUND_TRIP)
    aside = doc.find("aside")
    state = params_of("/?q=x&theme=Bosetting&theme=Arbeid+%26+helse&contractor=Fafo&year=2019")

    def facet_link(label: str) -> Node:
        return next(a for a in aside.find_all("a", cls="facet__option") if a.find("span", cls="facet__value").text().startswith(label))

    # Another value of a chosen facet is OR-ed in; a value of another facet is AND-ed.
    assert params_of(facet_link("Helse")["href"]).themes == state.themes + ("Helse",)
    nova = params_of(facet_link("NOVA")["href"])
    assert nova.contractors == ("Fafo", "NOVA") and nova.themes == state.themes and nova.years == (2019,)
    assert params_of(facet_link("2020")["href"]).years == (2019, 2020)
    # A chosen value is ticked and its link removes it; a chosen value the answer does not list is still shown.
    assert facet_link("Bosetting").get("aria-current") == "true"
    assert params_of(facet_link("Bosetting")["href"]).themes == ("Arbeid & helse",)
    assert params_of(facet_link("Arbeid & helse")["href"]).themes == ("Bosetting",)
    assert facet_link("Helse").get("aria-current") is None
    counts = {a.find("span", cls="facet__value").text(): a.find("span", cls="facet__count").text() for a in
              aside.find_all("a", cls="facet__option") if a.find_all("span", cls="facet__count")}
    assert counts["NOVA"] == "5 treff" and counts["2019 (valgt, klikk for å fjerne)"] == "50 treff"

    chips = {a.text().replace("(fjern filteret)", "").replace("×", "").strip(): params_of(a["href"])
             for a in doc.find_all("a", cls="chip")}
    assert chips["Oppdragstaker: Fafo"].contractors == ()
    assert chips["Tema: Arbeid & helse"].themes == ("Bosetting",)
    assert chips["Fra år: 2015"].year_from is None and chips["Fra år: 2015"].year_to == 2021
    assert len(chips) == 7  # two themes, a contractor, a year, from, to and the kind
    cleared = params_of(doc.find("a", cls="chips__clear")["href"])
    assert cleared == SearchRequest(query="bolig og skole", size=5, sort="newest")


def test_without_facets_there_is_no_sidebar(client, fake_search):
    answer, _ = fake_search
    answer["facets"] = {}
    doc, _ = get_page(client, "/?q=bolig")
    assert not doc.find_all("aside")
    assert hit_items(doc)


def _facet_entries(doc: Node, heading: str) -> list[Node]:
    aside = doc.find("aside")
    section = next(s for s in aside.find_all("section") if s.find("h3").text() == heading)
    return section.find_all("a", cls="facet__option")


def _count(option: Node) -> int:
    return int(option.find("span", cls="facet__count").text().split()[0])


def test_clicking_a_facet_narrows_the_results_to_its_count(client):
    doc, _ = get_page(client, f"/?q={QUERY}")
    for heading in ("Tema", "Oppdragstaker", "År"):
        option = _facet_entries(doc, heading)[0]
        narrowed, _ = get_page(client, option["href"])
        assert narrowed.find("h1").text().startswith(f"{_count(option)} treff")
        chip = narrowed.find("a", cls="chip")
        assert option.find("span", cls="facet__value").text() in chip.text()
        # The chip's × takes the filter off again.
        assert params_of(chip["href"]) == params_of(f"/?q={QUERY}")


def test_facets_combine_or_within_and_across(client):
    doc, _ = get_page(client, f"/?q={QUERY}")
    themes = _facet_entries(doc, "Tema")
    one, _ = get_page(client, themes[0]["href"])
    one_total = int(one.find("h1").text().split()[0])
    if len(themes) > 1:
        either_url = next(a["href"] for a in _facet_entries(one, "Tema") if a.get("aria-current") != "true")
        either, _ = get_page(client, either_url)
        assert int(either.find("h1").text().split()[0]) > one_total
    year = _facet_entries(one, "År")[0]
    both, _ = get_page(client, year["href"])
    assert int(both.find("h1").text().split()[0]) == _count(year) <= one_total


def test_newest_first_orders_hits_by_year(client):
    doc, _ = get_page(client, f"/?q={QUERY}&sort=nyeste&size=50")
    years = [int(dd.text()) for item in hit_items(doc) for dt in item.find_all("dt") if dt.text() == "År"
             for dd in [dt.parent.find("dd")]]
    assert years and years == sorted(years, reverse=True)


# --- suggestions and empty results -----------------------------------------------------------


def test_empty_result_explains_and_offers_to_drop_the_filter(client):
    doc, _ = get_page(client, f"/?q={NO_HITS}&kind=funn")
    assert doc.find("h1").text() == f"Ingen treff på «{NO_HITS}»"
    remove = [a for a in doc.find("main").find_all("a") if a.text().startswith("Fjern filteret")]
    assert remove and params_of(remove[0]["href"]) == params_of(f"/?q={NO_HITS}")


def test_typo_suggestion_links_to_the_corrected_search(client, fake_search):
    answer, _ = fake_search
    answer["hits"], answer["suggestion"] = [], "flyktninger"
    doc, _ = get_page(client, "/?q=flyktnnger&kind=funn")
    suggestion = doc.find("p", cls="suggestion")
    assert suggestion.text() == "Mente du «flyktninger»?"
    assert params_of(suggestion.find("a")["href"]) == SearchRequest(query="flyktninger", kinds=("finding",))


def test_a_misspelt_word_gets_a_suggestion_from_the_index(client):
    doc, _ = get_page(client, "/?q=flyktnnger")
    assert "flyktning" in doc.find("p", cls="suggestion").find("a").text()


def test_a_page_past_the_end_points_back(client):
    total = api_search(client, q=QUERY)["total"]
    doc, _ = get_page(client, f"/?q={QUERY}&page=50")
    link = next(a for a in doc.find("main").find_all("a") if a.text() == "Gå til den siste siden")
    last, _ = get_page(client, link["href"])
    assert hit_items(last) and len(hit_items(last)) == total - (params_of(link["href"]).page - 1) * 10


# --- report page --------------------------------------------------------------------------------


def test_report_page_lists_findings_in_order_with_pdf_pages(client):
    hit = api_search(client, q=QUERY, kind="finding")["results"][0]
    report_id = hit["report"]["id"]
    doc, _ = get_page(client, f"/rapport/{report_id}")
    api = client.get(f"/api/reports/{report_id}").get_json()
    assert doc.find("h1").text() == api["title"]
    findings = doc.find("ol", cls="findings").find_all("li")
    assert [li["id"] for li in findings] == [f"funn-{f['id']}" for f in api["findings"]]
    assert f"funn-{hit['id']}" in [li["id"] for li in findings]
    for li, finding in zip(findings, api["findings"], strict=True):
        assert li.find("p", cls="finding__text").text() == " ".join(finding["text"].split())
        assert li.find("a", cls="pdf-link")["href"] == f"/pdf/{report_id}#page={finding['page']}"
    labels = [dt.text() for dt in doc.find("dl", cls="report__meta").find_all("dt")]
    assert "Oppdragstaker" in labels and "Kilde" in labels
    chapters = doc.find_all("details", cls="chapter")
    assert [d.find("span", cls="chapter__title").text() for d in chapters] == [
        c["title"] or "Uten kapittel" for c in api["chapters"]]


def test_unknown_report_is_a_norwegian_html_404(client):
    doc, _ = get_page(client, "/rapport/0000000000000000", 404)
    assert "Fant ikke rapporten" in doc.find("main").text()


def test_unknown_page_is_html_but_the_api_stays_json(client):
    doc, _ = get_page(client, "/finnes-ikke", 404)
    assert doc.find("h1").text() == "Fant ikke siden"
    assert doc.find("html")["lang"] == "nb"
    for path in ("/api/finnes-ikke", "/pdf/%2e%2e"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "application/json"


def test_bad_parameter_is_an_html_page_that_names_it(client):
    doc, _ = get_page(client, f"/?q={QUERY}&year_from=20x1", 400)
    main = doc.find("main")
    assert "«Fra år» må være et årstall" in main.text()
    back = next(a for a in main.find_all("a") if "uten de andre valgene" in a.text())
    assert params_of(back["href"]) == SearchRequest(query=QUERY)


def test_a_query_the_engine_cannot_search_is_an_html_page_with_its_message(client):
    doc, _ = get_page(client, "/?q=bolig+år:nitten", 400)
    assert doc.find("h1").text() == "Søket kunne ikke utføres"
    assert "«nitten» er ikke et årstall" in doc.find("main").text()


@pytest.mark.parametrize("url", ["/", "/?q=bolig", "/rapport/0000000000000000"])
def test_without_an_index_the_pages_say_how_to_build_one(tmp_path, url):
    client = create_app({"INDEX_DIR": tmp_path / "ingen", "CORPUS_DIR": tmp_path}).test_client()
    doc, _ = get_page(client, url, 503)
    assert doc.find("h1").text() == "Søket er ikke klart"
    assert "rapportsok index" in doc.find("main").text()


# --- export -------------------------------------------------------------------------------------


def export(client, extension: str, **params):
    response = client.get(f"/eksport.{extension}", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f".{extension}" in response.headers["Content-Disposition"]
    return response


def all_api_hits(client, **params) -> list[dict]:
    hits, page = [], 1
    while True:
        body = api_search(client, size=100, page=page, **params)
        hits += body["results"]
        if len(hits) >= body["total"] or not body["results"]:
            return hits
        page += 1


def test_csv_export_has_one_row_per_hit_of_the_whole_result(client):
    hits = all_api_hits(client, q=QUERY)
    assert len(hits) > 10  # more than one page
    response = export(client, "csv", q=QUERY)
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == len(hits)
    for row, hit in zip(rows, hits, strict=True):
        assert row["text"] == " ".join(hit["text"].split())
        assert row["title"] == hit["report"]["title"]
        assert row["contractors"].split("; ") == (hit["report"]["contractors"] or [""])
        assert row["year"] == str(hit["report"]["year"] or "")
        assert row["page"] == str(hit["page"])
        assert row["source"] == hit["report"]["source"]
        assert row["url"] == f"/pdf/{hit['report']['id']}#page={hit['page']}"


def test_export_keeps_the_filters(client):
    response = export(client, "csv", q=QUERY, kind="avsnitt")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows and {row["kind"] for row in rows} == {"passage"}
    assert len(rows) == api_search(client, q=QUERY, kind="avsnitt")["total"]


def test_ris_export_has_one_report_record_per_hit(client):
    total = api_search(client, q=QUERY)["total"]
    response = export(client, "ris", q=QUERY)
    assert response.mimetype == "application/x-research-info-systems"
    records = response.get_data(as_text=True).split("ER  - ")
    assert len(records) == total + 1 and not records[-1].strip()
    for record in records[:-1]:
        lines = [line for line in record.strip().splitlines() if line]
        assert lines[0] == "TY  - RPRT"
        assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .+", line) for line in lines)
        tags = [line[:2] for line in lines]
        assert {"TI", "AB", "PY", "SP", "UR"} <= set(tags)


def test_bibtex_export_has_one_techreport_per_hit(client):
    total = api_search(client, q=QUERY)["total"]
    response = export(client, "bib", q=QUERY)
    assert response.mimetype == "application/x-bibtex"
    text = response.get_data(as_text=True)
    entries = re.findall(r"^@techreport\{([^,]+),", text, flags=re.MULTILINE)
    assert len(entries) == total and len(set(entries)) == total
    assert_balanced_bibtex(text)


def assert_balanced_bibtex(text: str) -> None:
    depth = 0
    unescaped = re.sub(r"\\[{}]", "", text)
    for char in unescaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_bibtex_escapes_braces_and_specials_in_pdf_text():
    row = ExportRow(id="a1", kind="finding", text="Mål {x} } \\end{document} 50 % & #1 a_b ~ ^",
                    title="Tittel med } og {", contractors=("Fafo {AS}",), authors=(), commissioner="", year="2020",
                    published="2020", section="", page="3", source="a.pdf", url="http://x/pdf/a#page=3")
    text = to_bibtex([row])
    assert_balanced_bibtex(text)
    assert "\\end{document}" not in text
    assert bibtex_escape("{x}") == "\\{x\\}"
    assert bibtex_escape("50 % & #1 a_b") == "50 \\% \\& \\#1 a\\_b"
    assert "url = {http://x/pdf/a#page=3}" in text


def test_export_is_capped(client, fake_search):
    answer, _ = fake_search
    answer["hits"] = [fake_hit(n) for n in range(EXPORT_LIMIT + 150)]
    text = export(client, "ris", q="bolig").get_data(as_text=True)
    assert text.count("TY  - RPRT") == EXPORT_LIMIT


def test_unknown_export_format_is_404(client):
    assert client.get(f"/eksport.xml?q={QUERY}").status_code == 404


# --- escaping and the content security policy ---------------------------------------------------


def test_query_with_markup_is_echoed_as_text(client):
    query = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
    doc, text = get_page(client, "/", query_string={"q": query})
    assert "<script>alert" not in text and "<img src=x" not in text
    assert doc.find("input", id="q")["value"] == query
    assert doc.find("h1").text().endswith(f" på «{query}»")
    assert doc.find("title").text().startswith(f"«{query}»")


def test_pdf_text_is_escaped_and_only_the_highlight_marks_are_html(client, fake_search):
    answer, _ = fake_search
    hostile = '<script>window.__pwned=1</script><b onmouseover="x()">fet</b>'
    # As the search module builds it: the text escaped, then <mark> around the matched word.
    highlight = html.escape("<script>window.__pwned=1</script> ") + "<mark>fet</mark>"
    hit = fake_hit(1, text=hostile, highlight=highlight, section="<i>Seksjon</i>")
    hit.report.title = "<img src=x onerror=alert(1)>Rapport"
    answer["hits"] = [hit]
    doc, text = get_page(client, "/?q=fet")
    assert "<script>window" not in text and "<img src=x" not in text and "<i>Seksjon" not in text
    item = hit_items(doc)[0]
    assert item.find("p", cls="hit__text").text() == "<script>window.__pwned=1</script> fet"
    assert item.find("mark").text() == "fet"
    assert item.find("h3").text() == "<img src=x onerror=alert(1)>Rapport"


PAGES = [f"/?q={QUERY}", "/", f"/?q={NO_HITS}&kind=funn", "/finnes-ikke", "/?page=x"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style(client, url):
    response = client.get(url)
    doc = parse_html(response.get_data(as_text=True))
    assert all(script.get("src") for script in doc.find_all("script"))
    assert not doc.find_all("style")
    for node in doc.iter():
        assert "style" not in node.attrs, node.tag
        assert not [name for name in node.attrs if name.startswith("on")], node.tag
        assert not (node.get("href") or "").lower().startswith("javascript:")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_report_page_has_no_inline_script_or_style(client):
    report_id = api_search(client, q=QUERY)["results"][0]["report"]["id"]
    doc, _ = get_page(client, f"/rapport/{report_id}")
    assert all(script.get("src") for script in doc.find_all("script"))
    assert not any("style" in node.attrs for node in doc.iter())


# --- accessibility basics --------------------------------------------------------------------------


def test_landmarks_labels_and_skip_link(client, fake_search):
    doc, _ = get_page(client, "/?q=bolig")
    assert doc.find("html")["lang"] == "nb"
    for tag in ("header", "nav", "main", "aside", "footer"):
        assert doc.find_all(tag), tag
    # The filters are beside the results, not inside them.
    assert not any(node.tag == "main" for node in doc.find("aside").ancestors())
    label = next(label for label in doc.find_all("label") if label.get("for") == "q")
    assert label.text() == "Søk i rapportene"
    for control in doc.find_all("input"):
        if control.get("type") != "hidden":
            assert any(label.get("for") == control["id"] for label in doc.find_all("label")), control.attrs
    skip = doc.find("a", cls="skip-link")
    assert doc.find(id=skip["href"].lstrip("#")).tag == "main"
    headings = [int(node.tag[1]) for node in doc.iter() if re.fullmatch(r"h[1-6]", node.tag)]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in pairwise(headings))


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def static_text(client, path: str) -> tuple[str, str]:
    """A static file's text and type (file responses must be closed)."""
    with client.get(path) as response:
        assert response.status_code == 200
        return response.get_data(as_text=True), response.mimetype


def test_text_colours_meet_wcag_aa(client):
    css, _ = static_text(client, "/static/site.css")
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))
    for text, background in [("ink", "page"), ("ink", "surface"), ("ink", "mark"), ("muted", "page"),
                             ("muted", "surface"), ("link", "page"), ("link", "surface"), ("brand", "chip")]:
        assert contrast(colours[text], colours[background]) >= 4.5, (text, background)
    assert contrast("#ffffff", colours["brand"]) >= 4.5
    assert contrast(colours["brand-soft"], colours["brand"]) >= 4.5
    # Focus rings are non-text: 3:1 against what they sit on.
    assert contrast(colours["focus"], colours["page"]) >= 3 and contrast(colours["focus-dark"], colours["brand"]) >= 3
    assert ":focus-visible" in css and "@media (max-width" in css


def test_static_files_are_served_with_their_types(client):
    assert static_text(client, "/static/app.js")[1] == "text/javascript"
    assert static_text(client, "/static/site.css")[1] == "text/css"


def test_a_chapters_authors_are_cited_as_people_and_its_institutes_as_publishers():
    from search_app.export import to_csv, to_ris

    row = ExportRow(id="k3", kind="finding", text="Kjønnsbalansen i forskergrupper øker sakte.",
                    title="Kjønnsbalanse og samarbeid i globaliserte forskergrupper", contractors=("NIFU",),
                    authors=("Dag W. Aksnes", "Lynn P. Nygaard"), commissioner="", year="2022", published="2022",
                    section="Konklusjon", page="104", source="antologi.pdf", url="http://x/pdf/k#page=104")
    ris = to_ris([row])
    assert "AU  - Dag W. Aksnes" in ris and "AU  - Lynn P. Nygaard" in ris and "PB  - NIFU" in ris
    assert "AU  - NIFU" not in ris
    bibtex = to_bibtex([row])
    assert "author = {Dag W. Aksnes and Lynn P. Nygaard}" in bibtex
    assert "Dag W. Aksnes; Lynn P. Nygaard" in to_csv([row])
