"""The committed index as a health check sees it: counts, failed and incomplete files, whether it is stale, the last run."""
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
# Written when a run creates a new index, removed when that run ends: an index that
# still has it is empty because its first build never finished.
FIRST_BUILD_FILE = "first_build.json"


def _count_kind(searcher, kind: str) -> int:
    return len(searcher.search(Term("kind", kind), limit=1, scored=False))


def _status_and_manifests(ix: whoosh_index.FileIndex) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The status of the committed index, and every file's manifest entry."""
    with ix.searcher() as searcher:
        failed = []
        sources = 0
        manifests = []
        stale = []
        incomplete = []
        for fields in searcher.documents(kind=KIND_SOURCE):
            info = fields.get("manifest") or {}
            manifests.append(info)
            if info.get("status") == "ok":
                sources += 1
                if info.get("unread_pages"):
                    incomplete.append({"file": fields["source"], "unread_pages": info["unread_pages"]})
            else:
                failed.append({"file": fields["source"], "code": info.get("code"), "reason": info.get("reason")})
            if info.get("stale"):
                newer = info["stale"]
                stale.append({"file": fields["source"], "code": newer.get("code"), "reason": newer.get("reason"),
                              "since": newer.get("since")})
        counts = {kind: _count_kind(searcher, kind) for kind in (KIND_REPORT, KIND_FINDING, KIND_PASSAGE)}
        status = {
            "documents": sum(counts.values()),
            "sources": sources,
            "reports": counts[KIND_REPORT],
            "findings": counts[KIND_FINDING],
            "passages": counts[KIND_PASSAGE],
            "failed": sorted(failed, key=lambda f: f["file"]),
            # Files whose new version could not be read: the previous version is still indexed.
            "stale_files": sorted(stale, key=lambda f: f["file"]),
            # Indexed files with pages whose text could not be read (scans without OCR, a page over its limit).
            "incomplete_files": sorted(incomplete, key=lambda f: f["file"]),
            "generation": ix.latest_generation(),
            "last_modified": datetime.fromtimestamp(ix.last_modified()).astimezone().isoformat(timespec="seconds"),
        }
        return status, manifests


def status_of(ix: whoosh_index.FileIndex) -> dict[str, Any]:
    return _status_and_manifests(ix)[0]


def _last_run(index_dir: Path) -> dict[str, Any] | None:
    """The last run's report; ``None`` without one, or when it cannot be read (it is
    written by rename, but a disk may still lose it), which says nothing of the index."""
    try:
        report = json.loads((index_dir / LAST_RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def index_status(index_dir: Path | str) -> dict[str, Any]:
    """The committed index as a health check sees it, plus the last run's report.

    ``{"exists": False}`` when there is no index yet. ``unfinished_build`` (also beside
    ``"exists": False`` when true): the first
    build of the index was started and has not finished (killed, or still running), so
    the index is empty or missing for that reason. ``stale`` says whether
    the index was built with other analysis, extraction or data than today's
    (see :mod:`indexer.index.fingerprint`); ``stale_reason`` says what changed,
    in Bokmål, or is ``None``.
    """
    storage = FileStorage(str(index_dir))
    unfinished = (Path(index_dir) / FIRST_BUILD_FILE).is_file()
    if not Path(index_dir).is_dir() or not has_index(storage):
        return {"exists": False, "unfinished_build": True} if unfinished else {"exists": False}
    counts, manifests = _status_and_manifests(open_index(storage, build_schema()))
    stale = staleness(manifests, current_fingerprint())
    status = {
        "exists": True,
        **counts,
        "stale": stale is not None,
        "stale_reason": stale.status_message() if stale is not None else None,
        "unfinished_build": unfinished,
    }
    status["last_run"] = _last_run(Path(index_dir))
    return status


def stale_sources(index_dir: Path | str) -> dict[str, dict[str, Any]]:
    """Files whose new version could not be read and whose previous version is still
    indexed, by file, as the last run reported them (cheap: one small file is read)."""
    last_run = _last_run(Path(index_dir)) or {}
    return {entry["file"]: entry for entry in last_run.get("stale") or [] if isinstance(entry, dict) and "file" in entry}
