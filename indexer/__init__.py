"""Rapportsøk's engine: PDF extraction, indexing and search.

The public API, and all the web app and the command line use of it:

- :class:`Engine` searches one index folder with a :class:`SearchRequest` and
  answers with typed results (:class:`SearchResponse`, :class:`FindingDetail`,
  :class:`ReportSummary`, :class:`ReportDetail`, :class:`IndexHealth` …), each
  with the ``to_dict`` the JSON API sends;
- :func:`update_index` builds or updates an index from a folder of PDFs,
  :func:`index_status` reads a committed index's counts;
- :func:`extract_document` reads one PDF, :func:`extract_file` does so in a
  bounded worker process;
- the names of the search options (kinds, sort orders, year limits) and the
  default folders.

Names are imported on first use, so a command that needs one part (``rapportsok
extract``) does not load the rest (NumPy, Whoosh, the search engine).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexer.config import DEFAULT_CORPUS, DEFAULT_INDEX_DIR
    from indexer.evaluation.extraction import run_extraction_eval_command
    from indexer.evaluation.relevance import run_eval_command
    from indexer.exitcodes import ExitCode
    from indexer.extract.pipeline import extract_document
    from indexer.extract.workers import extract_file
    from indexer.index.build import CorpusNotFoundError, run_index_command, update_index
    from indexer.index.progress import IndexProgress
    from indexer.index.status import index_status, stale_sources
    from indexer.index.summary import render_summary
    from indexer.language.analysis import preload_language
    from indexer.search.engine import Engine, IndexNotFoundError
    from indexer.search.facets import FACET_LABELS, FacetCount, Facets
    from indexer.search.options import (
        DEFAULT_SIZE,
        DEFAULT_SORT,
        KIND_VALUES,
        KIND_WORDS,
        MAX_YEAR,
        MIN_YEAR,
        SEARCHABLE_KINDS,
        SORT_VALUES,
        SORT_WORDS,
        SearchRequest,
    )
    from indexer.search.querylang import QueryError
    from indexer.search.results import (
        Chapter,
        FailedSource,
        FindingDetail,
        IndexHealth,
        PdfLinker,
        ReportDetail,
        ReportInfo,
        ReportItem,
        ReportSummary,
        SearchHit,
        SearchResponse,
    )

# Each public name and the module it comes from.
_EXPORTS = {
    "DEFAULT_CORPUS": "indexer.config",
    "DEFAULT_INDEX_DIR": "indexer.config",
    "ExitCode": "indexer.exitcodes",
    "run_eval_command": "indexer.evaluation.relevance",
    "run_extraction_eval_command": "indexer.evaluation.extraction",
    "extract_document": "indexer.extract.pipeline",
    "extract_file": "indexer.extract.workers",
    "CorpusNotFoundError": "indexer.index.build",
    "run_index_command": "indexer.index.build",
    "update_index": "indexer.index.build",
    "IndexProgress": "indexer.index.progress",
    "index_status": "indexer.index.status",
    "stale_sources": "indexer.index.status",
    "render_summary": "indexer.index.summary",
    "preload_language": "indexer.language.analysis",
    "Engine": "indexer.search.engine",
    "IndexNotFoundError": "indexer.search.engine",
    "FACET_LABELS": "indexer.search.facets",
    "FacetCount": "indexer.search.facets",
    "Facets": "indexer.search.facets",
    "DEFAULT_SIZE": "indexer.search.options",
    "DEFAULT_SORT": "indexer.search.options",
    "KIND_VALUES": "indexer.search.options",
    "KIND_WORDS": "indexer.search.options",
    "MAX_YEAR": "indexer.search.options",
    "MIN_YEAR": "indexer.search.options",
    "SEARCHABLE_KINDS": "indexer.search.options",
    "SORT_VALUES": "indexer.search.options",
    "SORT_WORDS": "indexer.search.options",
    "SearchRequest": "indexer.search.options",
    "QueryError": "indexer.search.querylang",
    "Chapter": "indexer.search.results",
    "FailedSource": "indexer.search.results",
    "FindingDetail": "indexer.search.results",
    "IndexHealth": "indexer.search.results",
    "PdfLinker": "indexer.search.results",
    "ReportDetail": "indexer.search.results",
    "ReportInfo": "indexer.search.results",
    "ReportItem": "indexer.search.results",
    "ReportSummary": "indexer.search.results",
    "SearchHit": "indexer.search.results",
    "SearchResponse": "indexer.search.results",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
