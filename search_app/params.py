"""The query parameters of ``GET /api/search`` and the search page, read and checked
into the engine's :class:`~indexer.SearchRequest`.

Every bad value becomes a :class:`BadParameter` with a Bokmål message naming
the parameter, so a client learns what to fix instead of getting an empty page
or a server error.
"""
from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import MultiDict

from indexer import (
    DEFAULT_SIZE,
    DEFAULT_SORT,
    KIND_VALUES,
    MAX_YEAR,
    MIN_YEAR,
    SEARCHABLE_KINDS,
    SORT_VALUES,
    SearchRequest,
)
from search_app.errors import BadParameter

MAX_SIZE = 100
# Deep pages cost memory in the searcher (it collects page × size hits).
MAX_PAGE = 1000
# The longest «q» a request may send; the engine searches its first
# indexer.search.querylang.MAX_QUERY_CHARS characters. The page echoes «q» into
# every link it makes, so this also bounds the page.
MAX_QUERY_PARAMETER_CHARS = 1000
# Every selected filter value is echoed into every chip and facet link of the page,
# so the page grows with the square of the filters' size: these caps bound it.
MAX_FILTER_VALUES = 10
MAX_FILTER_CHARS = 150

# «group» takes the English name or its Bokmål word, like «kind» and «sort».
GROUP_VALUES = {"report": "report", "rapport": "report"}

_DIGITS = re.compile(r"[0-9]{1,9}")


def read_integer(name: str, raw: str, low: int, high: int, meaning: str) -> int:
    value = raw.strip()
    # ASCII digits only: int() would also take "١٢", "1_000" and " +3".
    if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise BadParameter(name, f"«{name}» må være {meaning} mellom {low} og {high}.")
    return int(value)


def _year(name: str, raw: str) -> int:
    return read_integer(name, raw, MIN_YEAR, MAX_YEAR, "et årstall")


def _optional(args: MultiDict, name: str, allow_blank: bool) -> str | None:
    """The parameter's value; ``None`` when absent, or blank where a blank means «not set»."""
    raw = args.get(name)
    if raw is None or (allow_blank and not raw.strip()):
        return None
    if not raw.strip():
        raise BadParameter(name, f"«{name}» er tom; utelat parameteren eller gi den en verdi.")
    return raw


def _optional_year(args: MultiDict, name: str, allow_blank: bool) -> int | None:
    raw = _optional(args, name, allow_blank)
    return _year(name, raw) if raw is not None else None


def _choice(name: str, raw: str, allowed: dict[str, str]) -> str:
    value = raw.strip().lower()
    if value not in allowed:
        choices = ", ".join(sorted(set(allowed)))
        raise BadParameter(name, f"Ukjent verdi for «{name}». Gyldige verdier: {choices}.")
    return allowed[value]


def _values(args: MultiDict, name: str) -> list[str]:
    """Non-blank values of a repeatable parameter, in order, without repeats."""
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(values) > MAX_FILTER_VALUES:
        raise BadParameter(name, f"«{name}» kan gjentas høyst {MAX_FILTER_VALUES} ganger.")
    for value in values:
        if len(value) > MAX_FILTER_CHARS:
            raise BadParameter(name, f"En verdi for «{name}» er for lang (høyst {MAX_FILTER_CHARS} tegn).")
    return list(dict.fromkeys(values))


def check_query_string(query_string: bytes) -> None:
    """A 400 for a query string whose values are not UTF-8 once percent-decoded.

    Werkzeug keeps such escapes as literal text («%FF»), which would then be searched
    for; a client sending them has another encoding in mind and should hear so."""
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        for part in (name, value):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                shown = unquote_to_bytes(name).decode("utf-8", "replace") if part is value else "?"
                raise BadParameter(shown, f"«{shown}» er ikke gyldig UTF-8-tekst.") from None


def parse_search_params(args: MultiDict, *, allow_blank: bool = True) -> SearchRequest:
    """The search the parameters ask for. ``allow_blank``: a blank value means «not set»
    (what an HTML form sends for an empty field); without it a blank value is a 400, as
    the OpenAPI description says."""
    query = args.get("q", "")
    if len(query) > MAX_QUERY_PARAMETER_CHARS:
        raise BadParameter("q", f"Søket («q») er for langt (høyst {MAX_QUERY_PARAMETER_CHARS} tegn).")

    page_raw, size_raw = _optional(args, "page", allow_blank), _optional(args, "size", allow_blank)
    page = read_integer("page", page_raw, 1, MAX_PAGE, "et heltall") if page_raw is not None else 1
    size = read_integer("size", size_raw, 1, MAX_SIZE, "et heltall") if size_raw is not None else DEFAULT_SIZE

    years = tuple(_year("year", v) for v in _values(args, "year"))
    year_from = _optional_year(args, "year_from", allow_blank)
    year_to = _optional_year(args, "year_to", allow_blank)
    if year_from is not None and year_to is not None and year_from > year_to:
        # Both are valid years: the range between them, whichever was typed first.
        year_from, year_to = year_to, year_from

    kinds = tuple(dict.fromkeys(_choice("kind", v, KIND_VALUES) for v in _values(args, "kind")))
    sort_raw = _optional(args, "sort", allow_blank)
    sort = _choice("sort", sort_raw, SORT_VALUES) if sort_raw is not None else DEFAULT_SORT
    group_raw = _optional(args, "group", allow_blank)
    group_by_report = group_raw is not None and _choice("group", group_raw, GROUP_VALUES) == "report"

    return SearchRequest(
        query=query,
        page=page,
        size=size,
        themes=tuple(_values(args, "theme")),
        contractors=tuple(_values(args, "contractor")),
        years=years,
        year_from=year_from,
        year_to=year_to,
        kinds=kinds or SEARCHABLE_KINDS,
        sort=sort,
        group_by_report=group_by_report,
    )
