"""The query parameters of ``GET /api/search`` and the search page, read and checked
into the engine's :class:`~indexer.SearchRequest`.

Every bad value becomes a :class:`BadParameter` with a Bokmål message naming
the parameter, so a client learns what to fix instead of getting an empty page
or a server error.
"""
from __future__ import annotations

import re

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
# indexer.search.querylang.MAX_QUERY_CHARS characters.
MAX_QUERY_PARAMETER_CHARS = 2000
MAX_FILTER_VALUES = 50
MAX_FILTER_CHARS = 300

# «group» takes the English name or its Bokmål word, like «kind» and «sort».
GROUP_VALUES = {"report": "report", "rapport": "report"}

_DIGITS = re.compile(r"[0-9]{1,9}")


def _integer(name: str, raw: str, low: int, high: int, meaning: str) -> int:
    value = raw.strip()
    # ASCII digits only: int() would also take "١٢", "1_000" and " +3".
    if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise BadParameter(name, f"«{name}» må være {meaning} mellom {low} og {high}.")
    return int(value)


def _year(name: str, raw: str) -> int:
    return _integer(name, raw, MIN_YEAR, MAX_YEAR, "et årstall")


def _optional_year(args: MultiDict, name: str) -> int | None:
    raw = args.get(name, "")
    return _year(name, raw) if raw.strip() else None


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


def parse_search_params(args: MultiDict) -> SearchRequest:
    query = args.get("q", "")
    if len(query) > MAX_QUERY_PARAMETER_CHARS:
        raise BadParameter("q", f"Søket («q») er for langt (høyst {MAX_QUERY_PARAMETER_CHARS} tegn).")

    page_raw, size_raw = args.get("page", ""), args.get("size", "")
    page = _integer("page", page_raw, 1, MAX_PAGE, "et heltall") if page_raw.strip() else 1
    size = _integer("size", size_raw, 1, MAX_SIZE, "et heltall") if size_raw.strip() else DEFAULT_SIZE

    years = tuple(_year("year", v) for v in _values(args, "year"))
    year_from = _optional_year(args, "year_from")
    year_to = _optional_year(args, "year_to")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise BadParameter("year_from", "«year_from» kan ikke være senere enn «year_to».")

    kinds = tuple(dict.fromkeys(_choice("kind", v, KIND_VALUES) for v in _values(args, "kind")))
    sort_raw = args.get("sort", "")
    sort = _choice("sort", sort_raw, SORT_VALUES) if sort_raw.strip() else DEFAULT_SORT
    group_raw = args.get("group", "")
    group_by_report = bool(group_raw.strip()) and _choice("group", group_raw, GROUP_VALUES) == "report"

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
