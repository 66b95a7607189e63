"""``/api/health`` that tells the truth: the index opens, and answers a probe query.

Counting documents is not enough: an index whose files were cut short still gives
its counts from the table of contents while every search fails, and an index whose
first build was killed is empty and valid. Each state has its status, a Bokmål
``reason`` and an HTTP status a load balancer can act on:

* ``ok`` / ``stale`` (200): searches work (``stale``: built by other code or data);
* ``degraded`` (503): the index opens but the probe search fails or finds nothing;
* ``unavailable`` (503): no index, an empty one, or one that cannot be read.
"""
from __future__ import annotations

import gc
import logging
import re
from pathlib import Path
from typing import Any

from indexer import Engine, SearchRequest, index_status

logger = logging.getLogger("rapportsok.health")

_WORD = re.compile(r"\w{3,}")


def _empty_body(status: str, reason: str) -> dict[str, Any]:
    return {"status": status, "reason": reason, "documents": 0, "reports": 0, "findings": 0, "passages": 0,
            "last_indexed": None, "failed": [], "stale_files": [], "incomplete_files": [],
            "missing_language_data": []}


def _probe(engine: Engine) -> str | None:
    """Why the index cannot answer a search, or ``None`` when it can: a word of the
    first report's title must find something, and the report must open."""
    reports = engine.reports()
    if not reports:
        return "Indeksen har ingen rapporter å søke i."
    first = reports[0]
    if engine.report(str(first.id)) is None:
        return "Den første rapporten i indeksen kunne ikke åpnes."
    words = _WORD.findall(first.title or "")
    if words:
        probe = max(words, key=len)
        if not engine.search(SearchRequest(query=probe, size=1)).total:
            return f"Et prøvesøk etter «{probe}» fra en rapporttittel ga ingen treff."
    return None


def check_health(engine: Engine, index_dir: Path) -> tuple[dict[str, Any], int]:
    """The health body and its HTTP status."""
    try:
        status = index_status(index_dir)
    except Exception as exc:  # a cut or missing file of the table of contents
        logger.warning("the index in %s cannot be read", index_dir, exc_info=True)
        gc.collect()  # Whoosh leaves the files of a reader it failed to open to the collector
        return _empty_body("unavailable", f"Indeksen kan ikke leses ({type(exc).__name__}). "
                           "Flytt eller slett indeksmappen og bygg den på nytt."), 503
    if not status["exists"] or not status["documents"]:
        if status.get("unfinished_build"):
            reason = ("Indeksen er tom fordi den første indekseringen ikke er fullført (avbrutt, eller den "
                      "kjører fortsatt). Kjør «rapportsok index» på nytt.")
        elif status["exists"]:
            reason = "Indeksen er tom: ingen PDF-filer er indeksert."
        else:
            reason = "Søkeindeksen er ikke bygget ennå. Kjør «rapportsok index»."
        body = _empty_body("unavailable", reason)
        if status["exists"]:
            body["failed"] = status["failed"]
        else:
            body["missing_language_data"] = engine.health().missing_language_data
        return body, 503
    try:
        body = engine.health().to_dict()
        failure = _probe(engine)
    except Exception as exc:
        logger.warning("the index in %s does not answer", index_dir, exc_info=True)
        failure = f"Indeksen åpnes, men et prøvesøk feilet ({type(exc).__name__})."
        body = _empty_body("degraded", failure)
        body.update({key: status[key] for key in ("reports", "findings", "passages", "failed")},
                    documents=status["sources"])
    body["stale_files"] = status["stale_files"]
    body["incomplete_files"] = status["incomplete_files"]
    if failure is not None:
        return {**body, "status": "degraded", "reason": failure}, 503
    return body, 200

