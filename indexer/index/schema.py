"""The Whoosh schema and how one extracted PDF becomes index documents.

One index document per finding and per passage, one ``kind="report"`` document
per report (title, lead and metadata, so every report can be listed even without
findings) and one ``kind="source"`` document per PDF. The source document is the
manifest: it remembers the file's sha256 and whether it could be read, and since
it lives in the index it is committed atomically with everything else.

Report metadata is copied onto every finding and passage so a hit can be shown
without a second lookup.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import fields
from whoosh.analysis import RegexTokenizer

from indexer.records import Document, Finding, Passage, Report, stable_id

# Whoosh's name for the index inside the index folder (file names start with it).
INDEX_NAME = "MAIN"

# Bump when the field layout changes: an index built with another layout is rebuilt.
SCHEMA_VERSION = 4

KIND_FINDING = "finding"
KIND_PASSAGE = "passage"
KIND_REPORT = "report"
KIND_SOURCE = "source"
SEARCHABLE_KINDS = (KIND_FINDING, KIND_PASSAGE)

# Findings are what readers come for; passages back them up. Applied as the
# Whoosh per-document boost, so it scales term weights before BM25F saturation.
FINDING_BOOST = 2.0

# Multi-valued facet fields (contractors, themes) are indexed as one term per
# line, because names contain spaces and commas.
FACET_SEPARATOR = "\n"


def analyzed_fields() -> dict[str, float]:
    """Field suffix -> boost, as the analysis module defines them."""
    from indexer.language.analysis import ANALYZED_FIELDS

    return dict(ANALYZED_FIELDS)


def _facet_values_field() -> fields.KEYWORD:
    # Not sortable: a column holds one value per document; multi-valued facets
    # are counted from postings with sorting.FieldFacet(..., allow_overlap=True).
    return fields.KEYWORD(
        stored=True, scorable=False, analyzer=RegexTokenizer(r"[^\n]+")
    )


def build_schema() -> fields.Schema:
    """The index schema, with one text_* and title_* field per analyzer suffix."""
    from indexer.language.analysis import field_type

    schema_fields: dict[str, fields.FieldType] = {
        "id": fields.ID(stored=True, unique=True),
        "kind": fields.ID(stored=True),
        "text": fields.STORED(),
        "title": fields.STORED(),
        "lead": fields.STORED(),
        "theme": _facet_values_field(),
        "contractors": _facet_values_field(),
        "commissioner": fields.ID(stored=True, sortable=True),
        "authors": fields.STORED(),
        "language": fields.ID(stored=True),
        "year": fields.NUMERIC(int, stored=True, sortable=True),
        "year_inferred": fields.BOOLEAN(stored=True),
        "published": fields.ID(stored=True, sortable=True),
        "page": fields.NUMERIC(int, stored=True),
        "position": fields.NUMERIC(int, stored=True, sortable=True),
        "section": fields.ID(stored=True),
        "chapter": fields.ID(stored=True),
        "source": fields.ID(stored=True),
        "source_sha256": fields.ID(stored=True),
        "report_id": fields.ID(stored=True),
        "manifest": fields.STORED(),
        # Findings and passages read with OCR: Tesseract's mean confidence in their words.
        "ocr_confidence": fields.STORED(),
    }
    for suffix in analyzed_fields():
        # field_type: positions only where phrases need them, alternatives OR-ed.
        schema_fields[f"text_{suffix}"] = field_type(suffix)
        schema_fields[f"title_{suffix}"] = field_type(suffix)
    return fields.Schema(**schema_fields)


def _field_layout(name: str, field: fields.FieldType) -> list[object]:
    """What a field keeps: its type, postings format, stored/unique/sortable, analyzer parts."""
    analyzer = getattr(field, "analyzer", None)
    postings = getattr(field, "format", None)
    return [
        name,
        type(field).__name__,
        type(postings).__name__ if postings is not None else None,
        bool(field.stored),
        bool(field.unique),
        bool(field.scorable),
        type(field.column_type).__name__ if field.column_type is not None else None,
        [type(part).__name__ for part in getattr(analyzer, "items", ())],
    ]


def schema_fingerprint() -> str:
    """Changes whenever the field layout changes, so documents indexed with the
    old layout are rebuilt (one component of :mod:`indexer.index.fingerprint`)."""
    schema = build_schema()
    layout = [_field_layout(name, schema[name]) for name in sorted(schema.names())]
    payload = json.dumps([SCHEMA_VERSION, layout, sorted(analyzed_fields().items())])
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]


def join_facet_values(values: Iterable[str | None]) -> str | None:
    """One facet term per value; blank values dropped, order and duplicates cleaned."""
    cleaned: list[str] = []
    for value in values:
        text = " ".join((value or "").split())
        if text and text not in cleaned:
            cleaned.append(text)
    return FACET_SEPARATOR.join(cleaned) or None


def _analyzed(prefix: str, text: str | None) -> dict[str, str]:
    if not text:
        return {}
    return {f"{prefix}_{suffix}": text for suffix in analyzed_fields()}


def _report_fields(report: Report, source: str, sha256: str, report_id: str) -> dict[str, Any]:
    themes = report.themes or ([report.theme] if report.theme else [])
    primary_theme = report.theme or (themes[0] if themes else None)
    contractors = [c for c in report.contractors if c and c.strip()]
    entry: dict[str, Any] = {
        "title": report.title,
        "theme": join_facet_values(themes),
        "_stored_theme": primary_theme,
        "contractors": join_facet_values(contractors),
        "_stored_contractors": contractors,
        "authors": list(report.authors) or None,
        "language": report.language,
        "commissioner": report.commissioner or None,
        "year": report.year,
        "year_inferred": report.year_inferred,
        "published": report.published or None,
        "source": source,
        "source_sha256": sha256,
        "report_id": report_id,
        **_analyzed("title", report.title),
    }
    return {key: value for key, value in entry.items() if value is not None}


def document_entries(
    document: Document, source: str, sha256: str, *, qualify_ids: bool = False
) -> Iterator[dict[str, Any]]:
    """Keyword arguments for ``writer.add_document``, one per index document.

    Record ids derive from the file's content, so a second copy of the same PDF
    under another name gets ``qualify_ids=True``: its ids are made unique by
    adding a short hash of its path.
    """
    suffix = f"-{stable_id(source, length=8)}" if qualify_ids else ""
    for report in document.reports:
        common = _report_fields(report, source, sha256, report.id + suffix)
        yield {
            **common,
            "id": report.id + suffix,
            "kind": KIND_REPORT,
            "text": report.lead,
            "lead": report.lead,
            "page": report.page_start,
            "position": 0,
            **_analyzed("text", report.lead),
        }
        for position, finding in enumerate(report.findings):
            yield _item_entry(common, KIND_FINDING, finding, position, suffix, _boost=FINDING_BOOST)
        for position, passage in enumerate(report.passages):
            yield _item_entry(common, KIND_PASSAGE, passage, position, suffix)


def _item_entry(
    common: dict[str, Any], kind: str, item: Finding | Passage, position: int, id_suffix: str, **extra: Any
) -> dict[str, Any]:
    return {
        **common,
        "id": item.id + id_suffix,
        "kind": kind,
        "text": item.text,
        "page": item.page,
        "position": position,
        "section": item.section or None,
        "chapter": item.chapter or None,
        **({"ocr_confidence": item.ocr_confidence or 0.0} if item.ocr else {}),
        **_item_theme(common, item),
        **extra,
        **_analyzed("text", item.text),
    }


def _item_theme(common: dict[str, Any], item: Finding | Passage) -> dict[str, Any]:
    """A stand-alone report's themes are its chapters: each finding or passage carries its own.

    A compilation report has one theme, which every item inherits unchanged.
    """
    themes = (common.get("theme") or "").split(FACET_SEPARATOR)
    if len(themes) <= 1:
        return {}
    theme = item.chapter if item.chapter in themes else common.get("_stored_theme") or themes[0]
    return {"theme": theme, "_stored_theme": theme}


def manifest_entry(source: str, sha256: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """The per-PDF bookkeeping document: what was indexed from which file version."""
    return {
        "id": f"{KIND_SOURCE}:{source}",
        "kind": KIND_SOURCE,
        "source": source,
        "source_sha256": sha256,
        "manifest": manifest,
    }
