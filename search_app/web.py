"""The search page researchers use: ``/``, ``/rapport/<id>`` and the exports.

Every state of the page (query, filters, sort, kind, page) lives in the URL
query string and is read with :func:`~search_app.params.parse_search_params`,
so the page and ``/api/search`` accept the same parameters and any search can
be bookmarked. Links and GET forms change the state; JavaScript is optional.

Views ask the app's :class:`indexer.Engine` exactly as the API does, and the
templates read its typed results.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException, NotFound as RoutingNotFound
from werkzeug.wrappers import Response as WerkzeugResponse

from indexer import (
    DEFAULT_SIZE,
    DEFAULT_SORT,
    FACET_LABELS as FACET_LABELS_LOWER,
    KIND_WORDS,
    MAX_YEAR,
    MIN_YEAR,
    SEARCHABLE_KINDS,
    SORT_WORDS,
    FacetCount,
    Facets,
    SearchHit,
    SearchRequest,
    stale_sources,
)
from search_app.backend import current_engine
from search_app.errors import (
    ENGINE_ERRORS,
    HTTP_MESSAGES,
    INTERNAL_ERROR_MESSAGE,
    ApiError,
    EngineError,
    NotFound,
    engine_api_error,
    error_response,
    unreadable_index_reason,
)
from search_app.export import EXPORT_FORMATS, export_rows
from search_app.params import MAX_PAGE, MAX_QUERY_PARAMETER_CHARS, MAX_SIZE, parse_search_params
from search_app.reportpages import REPORT_PAGE_ITEMS, page_of_report
from search_app.response_headers import API_PREFIX
from search_app.urls import PDF_PREFIX, pdf_url, public_url

blueprint = Blueprint("web", __name__)
logger = logging.getLogger("rapportsok.errors")

# Exports hold the whole result set, not just one page, up to this many hits.
EXPORT_LIMIT = 1000
SIMILAR_LIMIT = 10
# Facet values shown before the rest are folded away under «Vis alle».
FACET_VISIBLE = 8
# Facet values listed at all; the chosen ones come first, then the most frequent.
FACET_LISTED = 50
# Page links on each side of the current page.
PAGE_WINDOW = 2
# Paths whose errors stay JSON even when nothing matched the URL.
JSON_PREFIXES = (API_PREFIX, PDF_PREFIX)

# Facet key in the search answer -> field of SearchRequest it filters on.
FACET_FIELDS = {"theme": "themes", "contractor": "contractors", "year": "years"}
# The engine's facet names («tema», «oppdragstaker», «år») as headings.
FACET_LABELS = {facet: label.capitalize() for facet, label in FACET_LABELS_LOWER.items()}
# Kind and sort values are written into URLs as their Bokmål words (KIND_WORDS,
# SORT_WORDS), and shown on the page as the same words capitalised.
KIND_CHOICES = [("Alle", SEARCHABLE_KINDS)] + [(KIND_WORDS[kind].capitalize(), (kind,)) for kind in SEARCHABLE_KINDS]
SORT_CHOICES = [(word.capitalize(), sort) for sort, word in SORT_WORDS.items()]


@dataclass(frozen=True)
class Chip:
    """One active filter, with the link that removes it."""

    label: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class Choice:
    """One option of a one-of-several control (sort, kind), as a link."""

    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap («…») between page numbers
    url: str | None = None
    current: bool = False


@dataclass(frozen=True)
class PageState:
    """The search as it stands in the URL, and the URLs of every change to it."""

    params: SearchRequest

    def pairs(self, *, keep_page: bool = True) -> list[tuple[str, str]]:
        """Query-string pairs, leaving out values at their default."""
        p = self.params
        pairs: list[tuple[str, str]] = [("q", p.query)] if p.query else []
        pairs += [("theme", theme) for theme in p.themes]
        pairs += [("contractor", contractor) for contractor in p.contractors]
        pairs += [("year", str(year)) for year in p.years]
        pairs += [(name, str(value)) for name, value in (("year_from", p.year_from), ("year_to", p.year_to)) if value]
        if self.filters_kinds:
            pairs += [("kind", KIND_WORDS[kind]) for kind in p.kinds]
        if p.sort != DEFAULT_SORT:
            pairs.append(("sort", SORT_WORDS[p.sort]))
        if p.group_by_report:
            pairs.append(("group", "rapport"))
        if p.size != DEFAULT_SIZE:
            pairs.append(("size", str(p.size)))
        if keep_page and p.page != 1:
            pairs.append(("page", str(p.page)))
        return pairs

    def changed(self, **changes: Any) -> PageState:
        """The state with ``changes``; any change but paging starts again at page 1."""
        changes.setdefault("page", 1)
        return PageState(dataclasses.replace(self.params, **changes))

    def url(self, endpoint: str = "web.search_page", **changes: Any) -> str:
        state = self.changed(**changes) if changes else self
        query = urlencode(state.pairs())
        return url_for(endpoint) + (f"?{query}" if query else "")

    def export_url(self, extension: str) -> str:
        query = urlencode(self.pairs(keep_page=False))
        return url_for("web.export", extension=extension) + (f"?{query}" if query else "")

    def hidden_fields(self, *leave_out: str) -> list[tuple[str, str]]:
        """Pairs a GET form must carry so submitting it keeps the rest of the state."""
        return [(name, value) for name, value in self.pairs(keep_page=False) if name not in leave_out]

    @property
    def filters_kinds(self) -> bool:
        return set(self.params.kinds) != set(SEARCHABLE_KINDS)

    def sort_options(self) -> list[Choice]:
        return [Choice(label, self.url(sort=sort), sort == self.params.sort) for label, sort in SORT_CHOICES]

    def kind_options(self) -> list[Choice]:
        current = set(self.params.kinds)
        return [Choice(label, self.url(kinds=kinds), set(kinds) == current) for label, kinds in KIND_CHOICES]

    # --- facets -------------------------------------------------------------

    def selected(self, facet: str) -> tuple:
        return getattr(self.params, FACET_FIELDS[facet])

    def is_selected(self, facet: str, value: Any) -> bool:
        return _facet_value(facet, value) in self.selected(facet)

    def toggle_url(self, facet: str, value: Any) -> str:
        """Adds the value to the facet's filter (OR within the facet), or removes it."""
        value = _facet_value(facet, value)
        selected = self.selected(facet)
        if value in selected:
            chosen = tuple(v for v in selected if v != value)
        else:
            chosen = selected + (value,)
        return self.changed(**{FACET_FIELDS[facet]: chosen}).url()

    @property
    def has_filters(self) -> bool:
        return bool(self.chips())

    def chips(self) -> list[Chip]:
        chips = [
            Chip(FACET_LABELS[facet], str(value), self.toggle_url(facet, value))
            for facet in FACET_FIELDS
            for value in self.selected(facet)
        ]
        if self.params.year_from:
            chips.append(Chip("Fra år", str(self.params.year_from), self.url(year_from=None)))
        if self.params.year_to:
            chips.append(Chip("Til år", str(self.params.year_to), self.url(year_to=None)))
        if self.filters_kinds:
            shown = " og ".join(KIND_WORDS[kind] for kind in self.params.kinds)
            chips.append(Chip("Type", shown, self.url(kinds=SEARCHABLE_KINDS)))
        return chips

    def without_filters_url(self) -> str:
        return self.url(themes=(), contractors=(), years=(), year_from=None, year_to=None, kinds=SEARCHABLE_KINDS)

    def with_query_url(self, query: str) -> str:
        return self.url(query=query)

    # --- paging ---------------------------------------------------------------

    def last_page(self, total: int) -> int:
        return max(1, min(MAX_PAGE, -(-total // self.params.size)))

    def page_links(self, total: int) -> list[PageLink]:
        """First, last and the pages around the current one, with gaps between."""
        last, current = self.last_page(total), self.params.page
        shown = sorted({1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)})
        links: list[PageLink] = []
        for number in shown:
            if links and number - links[-1].number > 1:
                links.append(PageLink(None))
            links.append(PageLink(number, self.url(page=number), number == current))
        return links


def _facet_value(facet: str, value: Any) -> Any:
    # Years are numbers in SearchRequest; a URL or a facet entry may give them as text.
    return int(value) if facet == "year" else str(value)


def _selected_first(state: PageState, facet: str, entries: list[FacetCount]) -> list[dict[str, Any]]:
    """Facet entries with the chosen values first, including chosen values the answer left out (without a count)."""
    listed = {_facet_value(facet, entry["value"]) for entry in entries}
    missing: list[dict[str, Any]] = [
        {"value": value, "count": None} for value in state.selected(facet) if value not in listed
    ]
    chosen = [dict(entry) for entry in entries if state.is_selected(facet, entry["value"])]
    return chosen + missing + [dict(entry) for entry in entries if not state.is_selected(facet, entry["value"])]


def _facet_groups(state: PageState, facets: Facets) -> list[dict[str, Any]]:
    groups = []
    for facet, label in FACET_LABELS.items():
        entries = _selected_first(state, facet, facets.get(facet) or [])
        if entries:
            # Each entry is a link carrying the whole search: the page lists the first
            # FACET_LISTED and says how many more there are.
            groups.append({"key": facet, "label": label, "entries": entries[:FACET_LISTED],
                           "left_out": max(0, len(entries) - FACET_LISTED)})
    return groups


# --- views ------------------------------------------------------------------------


def _has_search(params: SearchRequest) -> bool:
    return bool(params.query.strip() or params.themes or params.contractors or params.years
                or params.year_from or params.year_to)


@blueprint.get("/")
def search_page() -> str:
    params = parse_search_params(request.args)
    state = PageState(params)
    similar_to = request.args.get("lignende", "").strip()
    if similar_to:
        return _similar_page(state, similar_to)
    if not _has_search(params):
        return render_template("home.html", state=state, reports=current_engine().reports())
    response = current_engine().search(params)
    return render_template(
        "search.html",
        state=state,
        response=response,
        hits=response.results,
        facet_groups=_facet_groups(state, response.facets),
    )


def _similar_page(state: PageState, finding_id: str) -> str:
    engine = current_engine()
    finding = engine.finding(finding_id)
    if finding is None:
        raise NotFound(f"Fant ikke funnet «{finding_id}».")
    similar = engine.similar(finding_id, SIMILAR_LIMIT)
    return render_template("similar.html", state=state, finding=finding, hits=similar)


@blueprint.get("/rapport/<report_id>")
def report_page(report_id: str) -> str:
    report = current_engine().report(report_id)
    if report is None:
        raise NotFound(f"Fant ikke rapporten «{report_id}».")
    page = page_of_report(report, request.args)
    return render_template(
        "report.html",
        state=PageState(SearchRequest()),
        report=page.report,
        findings=page.report.findings,
        chapters=page.report.chapters(),
        report_page=page,
        report_page_items=REPORT_PAGE_ITEMS,
        stale=stale_sources(current_app.config["INDEX_DIR"]).get(report.source or ""),
    )


def collect_hits(params: SearchRequest, limit: int = EXPORT_LIMIT) -> list[SearchHit]:
    """Every hit of the search, page by page, up to ``limit``."""
    engine = current_engine()
    hits: list[SearchHit] = []
    page = 1
    while len(hits) < limit and page <= MAX_PAGE:
        response = engine.search(dataclasses.replace(params, page=page, size=MAX_SIZE))
        hits += response.results
        if not response.results or len(hits) >= response.total:
            break
        page += 1
    return hits[:limit]


@blueprint.get("/eksport.<any(csv, ris, bib):extension>")
def export(extension: str) -> Response:
    export_format = EXPORT_FORMATS[extension]
    hits = collect_hits(parse_search_params(request.args))
    base = current_app.config["PUBLIC_BASE_URL"]

    def absolute_pdf_url(hit: SearchHit) -> str:
        # Absolute when the site's public address is configured, because the file is read
        # outside the site (reference manager, spreadsheet); relative otherwise.
        url = pdf_url(hit.report.id, hit.page)
        return public_url(base, url) if url else ""

    rows = export_rows(hits, absolute_pdf_url)
    return Response(
        export_format.render(rows),
        content_type=export_format.content_type,
        headers={"Content-Disposition": f'attachment; filename="rapportsok-treff.{extension}"'},
    )


@blueprint.get("/favicon.ico")
def favicon() -> WerkzeugResponse:
    # Browsers ask for /favicon.ico whatever the page links; the icon is an SVG.
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@blueprint.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"pdf_url": pdf_url, "facet_visible": FACET_VISIBLE, "min_year": MIN_YEAR, "max_year": MAX_YEAR}


# --- errors as pages ------------------------------------------------------------------


def _error_page(status: int, message: str) -> tuple[str, int]:
    # The query is echoed back as a way out of a bad parameter, never the bad value itself,
    # and never one over the cap: the page stays small whatever was sent.
    query = request.args.get("q", "") if request.blueprint == blueprint.name else ""
    if len(query) > MAX_QUERY_PARAMETER_CHARS:
        query = ""
    state = PageState(SearchRequest(query=query))
    return render_template("error.html", state=state, status=status, message=message, query=query), status


# What the page calls each parameter, for messages about a bad value.
PARAMETER_LABELS = {"page": "Side", "size": "Treff per side", "year": "År", "year_from": "Fra år",
                    "year_to": "Til år", "kind": "Vis", "sort": "Sorter", "theme": "Tema",
                    "contractor": "Oppdragstaker", "group": "Gruppering"}


def _in_page_words(message: str) -> str:
    message = message.replace(" («q»)", "")  # «Søket («q») er for langt»: the box needs no name
    for name, label in PARAMETER_LABELS.items():
        message = message.replace(f"«{name}»", f"«{label}»")
    return message


@blueprint.errorhandler(ApiError)
def _page_error(exc: ApiError) -> tuple[str, int]:
    return _error_page(exc.status, _in_page_words(exc.message))


def _engine_page_error(exc: EngineError) -> tuple[str, int]:
    return _page_error(engine_api_error(exc))


@blueprint.errorhandler(Exception)
def _unexpected_page_error(exc: Exception) -> tuple[str, int] | Response:
    """A failure in a page (a damaged index, a bug) is the error page, not JSON."""
    if isinstance(exc, HTTPException) and (exc.code or 500) < 500:
        return _error_page(exc.code or 400, HTTP_MESSAGES.get(exc.code or 400, HTTP_MESSAGES[400]).format(
            method=request.method))
    logger.exception("Uventet feil under %s %s", request.method, request.path)
    reason = unreadable_index_reason()
    if reason:
        return _error_page(503, reason)
    return _error_page(500, INTERNAL_ERROR_MESSAGE)


for _engine_error in ENGINE_ERRORS:
    blueprint.register_error_handler(_engine_error, _engine_page_error)


def _unknown_path(exc: RoutingNotFound) -> tuple[str, int] | Response:
    """A 404 page in Bokmål for browsers; the API and the PDF route keep their JSON."""
    if request.path.startswith(JSON_PREFIXES):
        return error_response(404, "not_found", HTTP_MESSAGES[404])
    return _error_page(404, "Fant ikke siden du ba om. Kanskje adressen er skrevet feil?")


@blueprint.record_once
def _register_unknown_path_page(state: Any) -> None:
    app: Flask = state.app
    app.register_error_handler(RoutingNotFound, _unknown_path)

