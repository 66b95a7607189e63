"""What one ``rapportsok index`` run did, its exit code and the closing report."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.exitcodes import ExitCode
from indexer.language.optional_data import missing_language_data
from indexer.records import FailedFile, IncompleteFile


@dataclass
class IndexSummary:
    """What one run did. Counts are PDF files; ``documents`` is index documents."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    extracted: int = 0
    pages: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    # Failed files whose previous, readable version is still indexed (also in ``failed``).
    stale: list[FailedFile] = field(default_factory=list)
    # Indexed files with pages whose text could not be read (not counted as failed).
    incomplete: list[IncompleteFile] = field(default_factory=list)
    indexed_sources: int = 0
    documents: int = 0
    started: str = ""
    finished: str = ""
    seconds: float = 0.0
    strict: bool = False
    committed: bool = False
    cleaned_files: int = 0
    snapshot_seconds: float = 0.0  # writing the serving snapshot, when this run wrote one

    @property
    def exit_code(self) -> int:
        if self.indexed_sources == 0:
            return ExitCode.FAILED
        if self.strict and self.failed:
            return ExitCode.FAILED
        return ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "finished": self.finished,
            "seconds": round(self.seconds, 3),
            "counts": {
                "added": self.added,
                "changed": self.changed,
                "removed": self.removed,
                "unchanged": self.unchanged,
                "failed": len(self.failed),
                "incomplete": len(self.incomplete),
                "extracted": self.extracted,
                "pages": self.pages,
                "indexed_sources": self.indexed_sources,
                "documents": self.documents,
            },
            "committed": self.committed,
            "snapshot_seconds": round(self.snapshot_seconds, 3),
            "failed": [asdict(f) for f in self.failed],
            "stale": [asdict(f) for f in self.stale],
            "incomplete": [asdict(f) for f in self.incomplete],
        }


def render_summary(summary: IndexSummary) -> str:
    """The closing report: counts, time, every file that could not be read and every
    page left out of a file that was."""
    lines = [
        f"Ferdig på {summary.seconds:.1f} s: {summary.added} nye, {summary.changed} endret, "
        f"{summary.removed} fjernet, {summary.unchanged} uendret, {len(summary.failed)} feilet "
        f"({summary.extracted} filer lest, {summary.pages} sider).",
        f"Indeksen har {summary.documents} dokumenter fra {summary.indexed_sources} PDF-filer.",
    ]
    if summary.failed:
        lines.append("Filer som ikke kunne leses:")
        for failure in summary.failed:
            lines.append(f"  - {failure.file} [{failure.code}]: {failure.reason}")
    if summary.incomplete:
        lines.append("Filer som er indeksert uten noen av sidene sine:")
        for incomplete in summary.incomplete:
            for page in incomplete.unread_pages:
                lines.append(f"  - {incomplete.file}, side {page.page} [{page.code}]: {page.reason}")
    if summary.stale:
        lines.append("Forrige versjon er beholdt i indeksen (merket som utdatert) til en lesbar versjon kommer:")
        lines.extend(f"  - {stale.file}" for stale in summary.stale)
    for missing in missing_language_data():
        lines.append(f"Mangler språkdata ({missing.data}): {missing.effect} Installer med «{missing.install}».")
    return "\n".join(lines)
