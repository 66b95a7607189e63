"""The app's one door to the search module (``indexer.search.engine``).

Views never open the index or build queries themselves: every read goes
through :class:`SearchBackend`, which calls the search module's functions and
turns its exceptions into API errors. The search module keeps its searcher
open per process and thread and refreshes it after a re-index, so the app keeps
answering while ``rapportsok index`` runs.

The search module grows over time (filters, facets, finding and report
lookup). A feature it does not offer yet is answered with 501 and a message
saying so, rather than being ignored or imitated here.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path
from typing import Any

from flask import current_app

from indexer.search import engine as searching
from indexer.index.status import index_status
from search_app.errors import ApiError
from search_app.params import ALL_KINDS, SearchParams


EXTENSION_KEY = "rapportsok"

# Report and finding ids are short hex digests (``indexer.records.stable_id``);
# anything unlike an id is answered as unknown without asking the index.
_PLAUSIBLE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def is_plausible_id(value: str) -> bool:
    return _PLAUSIBLE_ID.fullmatch(value) is not None


# What each search-module option or function is called when it is missing.
FEATURE_NAMES = {
    "themes": "filter på tema",
    "contractors": "filter på oppdragstaker",
    "years": "filter på år",
    "year_from": "filter på år",
    "year_to": "filter på år",
    "kinds": "filter på funn eller avsnitt",
    "sort": "sortering",
    "group_by_report": "gruppering per rapport",
    "get_finding": "oppslag av funn",
    "similar_findings": "lignende funn",
    "list_reports": "rapportlisten",
    "get_report": "oppslag av rapporter",
}


class FeatureUnavailable(ApiError):
    status = 501
    code = "not_implemented"

    def __init__(self, feature: str):
        super().__init__(f"Søkemodulen støtter ikke {FEATURE_NAMES.get(feature, feature)} ennå.")
        self.feature = feature


class IndexUnavailable(ApiError):
    status = 503
    code = "index_missing"

    def __init__(self) -> None:
        super().__init__("Søkeindeksen er ikke bygget ennå. Kjør «rapportsok index» og prøv igjen.")


def _search_parameters() -> set[str]:
    return set(inspect.signature(searching.search).parameters)


def search_supports(option: str) -> bool:
    """Whether ``indexer.search.engine.search`` accepts the keyword ``option``."""
    return option in _search_parameters()


def has_function(name: str) -> bool:
    return callable(getattr(searching, name, None))


def _plain(value: Any) -> Any:
    """A record as a dict (the search module may answer with dataclasses or dicts)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _search_options(params: SearchParams) -> dict[str, Any]:
    """Keyword arguments for ``search``; options left at their default are not sent."""
    options: dict[str, Any] = {"page": params.page}
    # The first search module called the page size ``limit``.
    options["size" if search_supports("size") else "limit"] = params.size
    wanted = {
        "themes": params.themes,
        "contractors": params.contractors,
        "years": params.years,
        "year_from": params.year_from,
        "year_to": params.year_to,
        "sort": params.sort if params.sort != "relevance" else None,
        "group_by_report": params.group_by_report or None,
        "kinds": params.kinds if params.kinds != ALL_KINDS else None,
    }
    for option, value in wanted.items():
        if value is None or value == ():
            continue
        if not search_supports(option):
            raise FeatureUnavailable(option)
        options[option] = value
    return options


class SearchBackend:
    """Reads one index folder through the search module."""

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        function = getattr(searching, name, None)
        if not callable(function):
            raise FeatureUnavailable(name)
        query_error = getattr(searching, "QueryError", None)
        try:
            return function(self.index_dir, *args, **kwargs)
        except searching.IndexNotFoundError as exc:
            raise IndexUnavailable() from exc
        except Exception as exc:
            if query_error is not None and isinstance(exc, query_error):
                raise ApiError(str(exc), code="bad_query") from exc
            raise

    def search(self, params: SearchParams) -> dict[str, Any]:
        return _plain(self._call("search", params.query, **_search_options(params)))

    def get_finding(self, finding_id: str) -> dict[str, Any] | None:
        if not is_plausible_id(finding_id):
            return None
        return _plain(self._call("get_finding", finding_id))

    def similar_findings(self, finding_id: str, limit: int) -> list[dict[str, Any]]:
        return [_plain(hit) for hit in self._call("similar_findings", finding_id, limit=limit)]

    def list_reports(self) -> list[dict[str, Any]]:
        return [_plain(report) for report in self._call("list_reports")]

    def get_report(self, report_id: str) -> dict[str, Any] | None:
        if not is_plausible_id(report_id):
            return None
        return _plain(self._call("get_report", report_id))

    def status(self) -> dict[str, Any]:
        return index_status(self.index_dir)


def current_backend() -> SearchBackend:
    """The backend of the app handling this request (one per app, made in ``create_app``)."""
    return current_app.extensions[EXTENSION_KEY]
