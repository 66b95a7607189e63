"""The OpenAPI 3.0 description of the JSON API, served at ``/api/openapi.json``.

Kept next to the views and checked by the tests against real responses, so the
document cannot drift from what the endpoints return.
"""
from __future__ import annotations

import copy
from typing import Any

from indexer import DEFAULT_SIZE, DEFAULT_SORT, KIND_VALUES, MAX_YEAR, MIN_YEAR, SEARCHABLE_KINDS, SORT_VALUES
from search_app.params import (
    GROUP_VALUES,
    MAX_FILTER_CHARS,
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_QUERY_PARAMETER_CHARS,
    MAX_SIZE,
)

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(type_name: str, **extra: Any) -> Schema:
    return {"type": type_name, "nullable": True, **extra}


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """An object; every property is required unless ``required`` says otherwise."""
    schema: Schema = {"type": "object", "properties": properties}
    required = list(properties) if required is None else required
    if required:  # OpenAPI 3.0 forbids an empty "required" list
        schema["required"] = required
    return schema


def _json_response(description: str, schema: Schema) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error_response(description: str) -> dict[str, Any]:
    return _json_response(description, _ref("Error"))


def _query_parameter(name: str, description: str, schema: Schema, repeatable: bool = False) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "description": description}
    if repeatable:
        parameter.update(schema={**_array(schema), "maxItems": MAX_FILTER_VALUES}, style="form", explode=True)
    else:
        parameter["schema"] = schema
    return parameter


def _path_id(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


YEAR = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}
FILTER_VALUE = {"type": "string", "maxLength": MAX_FILTER_CHARS}

REPORT_METADATA: dict[str, Schema] = {
    "id": _nullable("string"),
    "title": _nullable("string"),
    "theme": _nullable("string", description="Hovedtema (kapitlet rapporten står under)."),
    "contractors": _array({"type": "string"}),
    "authors": {**_array({"type": "string"}), "description": "Forfattere i en byline (kapitler i en antologi); ellers tom."},
    "language": {"type": "string", "nullable": True, "enum": ["nb", "nn", "en", None],
                 "description": "Språket rapporten er skrevet på (nb, nn eller en); null når teksten er for kort."},
    "commissioner": _nullable("string", description="Oppdragsgiver, for eksempel IMDi."),
    "year": _nullable("integer"),
    "published": _nullable("string", description="«2018-12-12», «2019-11» eller «2019»."),
    "source": _nullable("string", description="PDF-filen, relativt til korpusmappen."),
    "pdf_url": _nullable("string", description="/pdf/<rapport-id>#page=N"),
}

# A finding or passage read with OCR from a scanned page.
OCR_FIELDS: dict[str, Schema] = {
    "ocr": {"type": "boolean", "description": "Lest med OCR fra en skannet side."},
    "ocr_confidence": _nullable("number", minimum=0, maximum=100,
                                description="Tesseracts gjennomsnittlige sikkerhet (0–100) for ordene; null uten OCR."),
}

LOCATED_TEXT: dict[str, Schema] = {
    "id": {"type": "string"},
    "text": {"type": "string"},
    "page": _nullable("integer"),
    "section": _nullable("string"),
    "pdf_url": _nullable("string"),
    **OCR_FIELDS,
}

SCHEMAS: dict[str, Schema] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "parameter": {"type": "string", "description": "Parameteren som er feil (bad_parameter)."},
                },
                required=["code", "message"],
            )
        }
    ),
    "ReportRef": _object(dict(REPORT_METADATA)),
    "SearchHit": _object(
        {
            "id": {"type": "string"},
            "kind": {"type": "string", "enum": list(SEARCHABLE_KINDS)},
            "text": {"type": "string"},
            "highlight": {"type": "string", "description": "HTML: escaped text with <mark> around matches."},
            "score": {"type": "number"},
            "section": _nullable("string"),
            "page": _nullable("integer"),
            **OCR_FIELDS,
            "report": _ref("ReportRef"),
        }
    ),
    "FacetValue": _object(
        {"value": {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "count": {"type": "integer", "minimum": 0}}
    ),
    "Facets": _object(
        {name: _array(_ref("FacetValue")) for name in ("theme", "contractor", "year")}, required=[]
    ),
    "SearchResponse": _object(
        {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
            "took_ms": {"type": "number", "minimum": 0},
            "suggestion": _nullable("string", description="«Mente du …?»"),
            "limits": {**_array({"type": "string"}), "description": (
                "What the query-cost guard cut from the query (too long; a word* that matches too many "
                "words), one sentence each in Bokmål; empty when nothing was cut.")},
            "translations": {**_array(_ref("Translation")), "description": (
                "English words of the query and the Norwegian words also searched for them, "
                "ranked below the words themselves; empty for a Norwegian query.")},
            "results": _array(_ref("SearchHit")),
            "facets": _ref("Facets"),
        }
    ),
    "Translation": _object(
        {
            "english": {"type": "string", "description": "The English word or term as typed."},
            "norwegian": {**_array({"type": "string"}), "description": "Norwegian lemmas or phrases searched for it."},
        }
    ),
    "FindingDetail": _object(
        {
            "id": {"type": "string"},
            "text": {"type": "string"},
            "section": _nullable("string"),
            "page": _nullable("integer"),
            **OCR_FIELDS,
            "report": _ref("ReportRef"),
            "similar": _array(_ref("SearchHit")),
        }
    ),
    "ReportSummary": _object(
        {**REPORT_METADATA, "finding_count": {"type": "integer", "minimum": 0}},
        required=["id", "title", "pdf_url", "finding_count"],
    ),
    "ReportList": _object({"total": {"type": "integer", "minimum": 0}, "reports": _array(_ref("ReportSummary"))}),
    "LocatedText": _object(dict(LOCATED_TEXT)),
    "Chapter": _object({"title": _nullable("string"), "passages": _array(_ref("LocatedText"))}),
    "ReportDetail": _object(
        {
            **REPORT_METADATA,
            "findings": {**_array(_ref("LocatedText")), "description": "Funnene på denne siden."},
            "chapters": {**_array(_ref("Chapter")), "description": "Avsnittene på denne siden, per kapittel."},
            "finding_count": {"type": "integer", "minimum": 0, "description": "Funn i hele rapporten."},
            "passage_count": {"type": "integer", "minimum": 0, "description": "Avsnitt i hele rapporten."},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1, "description": "Høyst så mange funn og avsnitt per side."},
            "stale": {**_object({"code": _nullable("string"), "reason": _nullable("string")}), "description": (
                "PDF-filen er byttet ut med en versjon som ikke kunne leses; dette er den forrige versjonen.")},
        },
        required=["id", "title", "pdf_url", "findings", "chapters", "finding_count", "passage_count", "page",
                  "pages", "page_size"],
    ),
    "Health": _object(
        {
            "status": {
                "type": "string",
                "enum": ["ok", "stale", "degraded", "unavailable"],
                "description": "«stale»: indeksen er bygget med annen kode eller andre data enn dagens; "
                "søket virker, men indeksen bør bygges på nytt. «degraded»: indeksen åpnes, men et prøvesøk "
                "feiler. «unavailable»: ingen indeks, en tom indeks (også når den første indekseringen ikke ble "
                "fullført) eller en som ikke kan leses.",
            },
            "reason": {"type": "string", "description": "Hvorfor (bare når status er «degraded» eller «unavailable»)."},
            "stale_reason": {"type": "string", "description": "Hva som er endret (bare når status er «stale»)."},
            "stale_files": {**_array(_object({
                "file": {"type": "string"}, "code": _nullable("string"), "reason": _nullable("string"),
                "since": _nullable("string")})),
                "description": "Filer der en ny versjon ikke kunne leses; den forrige versjonen er fortsatt i indeksen."},
            "incomplete_files": {**_array(_object({
                "file": {"type": "string"},
                "unread_pages": _array(_object({
                    "page": {"type": "integer", "minimum": 1},
                    "code": {"type": "string", "description": "needs_ocr, timeout eller unreadable."},
                    "reason": {"type": "string"},
                })),
            })),
                "description": "Filer som er indeksert uten noen av sidene sine: skannede sider uten OCR-programmene, "
                "eller sider der OCR brukte for lang tid eller feilet. Resten av filen er søkbar."},
            "documents": {"type": "integer", "minimum": 0, "description": "PDF-filer i indeksen."},
            "reports": {"type": "integer", "minimum": 0},
            "findings": {"type": "integer", "minimum": 0},
            "passages": {"type": "integer", "minimum": 0},
            "last_indexed": _nullable("string", description="Når indekseringen sist ble kjørt (ISO 8601)."),
            "failed": _array(
                _object({"file": {"type": "string"}, "code": _nullable("string"), "reason": _nullable("string")})
            ),
            "missing_language_data": {**_array(_object({
                "data": {"type": "string", "enum": ["nynorsk", "english", "ocr"]},
                "packages": _array({"type": "string"}),
                "effect": {"type": "string", "description": "Hva søket mangler uten dem (bokmål)."},
                "install": {"type": "string", "description": "Kommandoen som installerer dem."},
            })), "description": "Valgfrie språkdata som ikke er installert; tom når alt er på plass."},
        },
        required=["status", "documents", "reports", "findings", "passages", "last_indexed", "failed",
                  "stale_files", "incomplete_files", "missing_language_data"],
    ),
}

SEARCH_PARAMETERS = [
    _query_parameter("q", "Søketekst; «sitat» søker etter frasen.", {"type": "string", "maxLength": MAX_QUERY_PARAMETER_CHARS}),
    _query_parameter("theme", "Tema; flere verdier gir treff i ett av dem.", FILTER_VALUE, repeatable=True),
    _query_parameter("contractor", "Oppdragstaker (institutt).", FILTER_VALUE, repeatable=True),
    _query_parameter("year", "Utgivelsesår.", YEAR, repeatable=True),
    _query_parameter("year_from", "Fra og med år.", YEAR),
    _query_parameter("year_to", "Til og med år.", YEAR),
    _query_parameter("kind", "finding/funn eller passage/avsnitt.", {"type": "string", "enum": sorted(KIND_VALUES)}, repeatable=True),
    _query_parameter("sort", "Rekkefølge.", {"type": "string", "enum": sorted(SORT_VALUES), "default": DEFAULT_SORT}),
    _query_parameter("page", "Side, fra 1.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    _query_parameter("size", "Treff per side.", {"type": "integer", "minimum": 1, "maximum": MAX_SIZE, "default": DEFAULT_SIZE}),
    _query_parameter("group", "Grupper treff per rapport.", {"type": "string", "enum": sorted(GROUP_VALUES)}),
]

NO_INDEX = _error_response("Søkeindeksen er ikke bygget.")
ANY_ERROR = _error_response("Annen feil (405, 500 …), alltid som JSON.")

def _get(summary: str, operation_id: str, responses: dict[str, Any], parameters: list | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "operationId": operation_id, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def _index_read(ok: dict[str, Any], **more: dict[str, Any]) -> dict[str, Any]:
    """Responses of an endpoint that reads the index."""
    return {"200": ok, **more, "503": NO_INDEX, "default": ANY_ERROR}


PATHS: dict[str, Any] = {
    "/api/search": _get(
        "Søk i funn og avsnitt",
        "search",
        _index_read(
            _json_response("Én side med treff.", _ref("SearchResponse")),
            **{"400": _error_response("Ugyldig parameter (bad_parameter) eller søk (bad_query).")},
        ),
        SEARCH_PARAMETERS,
    ),
    "/api/findings/{finding_id}": _get(
        "Ett funn, med lignende funn",
        "getFinding",
        _index_read(_json_response("Funnet.", _ref("FindingDetail")), **{"404": _error_response("Ukjent id.")}),
        [_path_id("finding_id", "Funnets id.")],
    ),
    "/api/reports": _get(
        "Alle rapporter med metadata og antall funn",
        "listReports",
        _index_read(_json_response("Rapportene.", _ref("ReportList"))),
    ),
    "/api/reports/{report_id}": _get(
        "Én rapport: metadata, funn i rekkefølge og avsnitt per kapittel",
        "getReport",
        _index_read(_json_response("Rapporten, med høyst «page_size» funn og avsnitt.", _ref("ReportDetail")),
                    **{"400": _error_response("Ugyldig side (bad_parameter)."),
                       "404": _error_response("Ukjent id.")}),
        [_path_id("report_id", "Rapportens id."),
         _query_parameter("page", "Side av rapporten, fra 1 (se «pages»).", {"type": "integer", "minimum": 1,
                                                                            "default": 1})],
    ),
    "/api/health": _get(
        "Tilstand: antall dokumenter, siste indeksering og filer som feilet",
        "health",
        {
            "200": _json_response("Indeksen er klar (også når den er «stale»).", _ref("Health")),
            "503": _json_response("Ingen, tom eller uleselig indeks, eller et prøvesøk som feiler; «reason» sier hva.",
                                  _ref("Health")),
            "default": ANY_ERROR,
        },
    ),
    "/api/openapi.json": _get(
        "Dette dokumentet",
        "openapi",
        {"200": _json_response("OpenAPI 3.0-dokumentet.", {"type": "object"})},
    ),
    "/pdf/{report_id}": _get(
        "PDF-en rapporten kommer fra (åpne på side N med #page=N)",
        "reportPdf",
        {
            "200": {
                "description": "PDF-filen.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            "404": _error_response("Ukjent rapport eller fil utenfor korpusmappen."),
            "default": ANY_ERROR,
        },
        [_path_id("report_id", "Rapportens id.")],
    ),
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Rapportsøk API",
        "version": "1.0.0",
        "description": "Fulltekstsøk i norske forskningsrapporter: hovedfunn, anbefalinger og avsnitt. "
        "Feil returneres som {\"error\": {\"code\", \"message\"}} med meldinger på bokmål.",
    },
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}


def openapi_document() -> dict[str, Any]:
    """A fresh copy, so a caller cannot change the served document."""
    return copy.deepcopy(DOCUMENT)
