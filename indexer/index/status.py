"""The committed index as a health check sees it: counts, failed files, whether it is stale, the last run."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term

from indexer.index._whoosh import has_index, open_index
from indexer.index.fingerprint import current_fingerprint, staleness
from indexer.index.schema import KIND_FINDING, KIND_PASSAGE, KIND_REPORT, KIND_SOURCE, build_schema

LAST_RUN_FILE = "last_run.json"
STATUS_FILE = "status.json"


def _count_kind(searcher, kind: str) -> int:
    return len(searcher.search(Term("kind", kind), limit=1, scored=False))


def _status_and_manifests(ix: whoosh_index.FileIndex) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The status of the committed index, and every file's manifest entry."""
    with ix.searcher() as searcher:
        failed = []
        sources = 0
        manifests = []
        for fields in searcher.documents(kind=KIND_SOURCE):
            info = fields.get("manifest") or {}
            manifests.append(info)
            if info.get("status") == "ok":
                sources += 1
            else:
                failed.append({"file": fields["source"], "code": info.get("code"), "reason": info.get("reason")})
        counts = {kind: _count_kind(searcher, kind) for kind in (KIND_REPORT, KIND_FINDING, KIND_PASSAGE)}
        status = {
            "documents": sum(counts.values()),
            "sources": sources,
            "reports": counts[KIND_REPORT],
            "findings": counts[KIND_FINDING],
            "passages": counts[KIND_PASSAGE],
            "failed": sorted(failed, key=lambda f: f["file"]),
            "generation": ix.latest_generation(),
            "last_modified": datetime.fromtimestamp(ix.last_modified()).astimezone().isoformat(timespec="seconds"),
        }
        return status, manifests


def status_of(ix: whoosh_index.FileIndex) -> dict[str, Any]:
    return _status_and_manifests(ix)[0]


def index_status(index_dir: Path | str) -> dict[str, Any]:
    """The committed index as a health check sees it, plus the last run's report.

    ``{"exists": False}`` when there is no index yet. ``stale`` says whether
    the index was built with other analysis, extraction or data than today's
    (see :mod:`indexer.index.fingerprint`); ``stale_reason`` says what changed,
    in Bokmål, or is ``None``.
    """
    storage = FileStorage(str(index_dir))
    if not Path(index_dir).is_dir() or not has_index(storage):
        return {"exists": False}
    counts, manifests = _status_and_manifests(open_index(storage, build_schema()))
    stale = staleness(manifests, current_fingerprint())
    status = {
        "exists": True,
        **counts,
        "stale": stale is not None,
        "stale_reason": stale.status_message() if stale is not None else None,
    }
    last_run = Path(index_dir) / LAST_RUN_FILE
    status["last_run"] = json.loads(last_run.read_text(encoding="utf-8")) if last_run.is_file() else None
    return status
