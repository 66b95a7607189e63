"""Scaled corpora: 100,000 or 1,000,000 findings and passages made of real sentences.

The sentences come from the Documents the extraction workload wrote (the sample
corpus and the real reports under realpdfs/no), so words, their frequencies and
sentence lengths are Norwegian report prose. Each synthetic item strings together
one to five sentences drawn at random; titles, themes, contractors and years are
drawn from the real ones. Vocabulary does not grow with size the way a real
archive's would (every sentence exists already), so term dictionaries stay smaller
than in a real 1M-item archive; postings and document counts scale as they would.

A synthetic "file" holds one document of several reports. It is written as JSON
under a ``.pdf`` name because ``rapportsok index`` picks files by name and hash;
:func:`read_stand_in` is the extractor that reads it back, so the real indexer
(worker processes, manifest, commit) does the indexing.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from bench.extraction import DOCUMENTS_DIR
from bench.paths import GENERATED_DIR
from indexer.records import Document, Finding, Passage, Report, stable_id

ITEMS_PER_REPORT = 50
FINDINGS_PER_REPORT = 6
REPORTS_PER_FILE = 10
SEED = 2026
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9«])")
MIN_SENTENCE_WORDS = 4


@dataclass
class SentencePool:
    sentences: list[str]
    titles: list[str]
    themes: list[str]
    contractors: list[str]
    sections: list[str]


def load_real_documents() -> list[Document]:
    """The Documents the extraction workload saved; empty until it has run."""
    return [
        Document.from_dict(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(DOCUMENTS_DIR.glob("*.json"))
    ]


def sentence_pool(documents: list[Document]) -> SentencePool:
    sentences: list[str] = []
    titles, themes, contractors, sections = set(), set(), set(), set()
    for document in documents:
        for report in document.reports:
            titles.add(report.title)
            themes.update(report.themes or ([report.theme] if report.theme else []))
            contractors.update(report.contractors)
            for item in [*report.findings, *report.passages]:
                if item.section:
                    sections.add(item.section)
                for sentence in SENTENCE_END.split(item.text):
                    if len(sentence.split()) >= MIN_SENTENCE_WORDS:
                        sentences.append(sentence.strip())
    if not sentences:
        raise RuntimeError("no sentences: run the extraction workload first")
    return SentencePool(
        sentences=sentences,
        titles=sorted(titles),
        themes=sorted(themes) or ["Diverse"],
        contractors=sorted(contractors) or ["Ukjent"],
        sections=sorted(sections) or ["Hovedfunn"],
    )


def _text(rng: random.Random, pool: SentencePool, low: int, high: int) -> str:
    return " ".join(rng.choice(pool.sentences) for _ in range(rng.randint(low, high)))


def _report(rng: random.Random, pool: SentencePool, number: int) -> Report:
    report_id = stable_id("bench-report", number)
    year = rng.randint(2005, 2025)
    themes = [rng.choice(pool.themes)]
    findings = [
        Finding(id=stable_id(report_id, "f", i), text=_text(rng, pool, 1, 2), page=1 + i // 3, section="Hovedfunn")
        for i in range(FINDINGS_PER_REPORT)
    ]
    passages = [
        Passage(
            id=stable_id(report_id, "p", i),
            text=_text(rng, pool, 2, 5),
            page=2 + i // 4,
            chapter=themes[0],
            section=rng.choice(pool.sections),
        )
        for i in range(ITEMS_PER_REPORT - FINDINGS_PER_REPORT)
    ]
    return Report(
        id=report_id,
        title=f"{rng.choice(pool.titles)} ({number})",
        theme=themes[0],
        contractors=rng.sample(pool.contractors, k=min(len(pool.contractors), rng.choice((1, 1, 1, 2)))),
        commissioner="IMDi",
        published=str(year),
        year=year,
        year_inferred=False,
        lead=_text(rng, pool, 1, 3),
        page_start=1,
        page_end=2 + len(passages) // 4,
        findings=findings,
        passages=passages,
        themes=themes,
    )


def corpus_dir(items: int) -> Path:
    return GENERATED_DIR / f"scaled-{items}"


def write_scaled_corpus(items: int, pool: SentencePool) -> Path:
    """Stand-in files for ``items`` findings and passages; reused when already written."""
    target = corpus_dir(items)
    reports = max(1, items // ITEMS_PER_REPORT)
    files = -(-reports // REPORTS_PER_FILE)
    done_marker = target / ".complete"
    if done_marker.is_file() and done_marker.read_text() == f"{files} {SEED}":
        return target
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.pdf"):
        old.unlink()
    rng = random.Random(SEED)
    for file_number in range(files):
        first = file_number * REPORTS_PER_FILE
        numbers = range(first, min(reports, first + REPORTS_PER_FILE))
        name = f"syntetisk-{file_number:05d}.pdf"
        document = Document(
            source=name,
            sha256="",
            pages=max(1, len(numbers)) * 14,
            document_title=f"Syntetisk samling {file_number}",
            reports=[_report(rng, pool, n) for n in numbers],
        )
        (target / name).write_text(json.dumps(document.to_dict(), ensure_ascii=False), encoding="utf-8")
    done_marker.write_text(f"{files} {SEED}")
    return target


def read_stand_in(path: Path) -> Document:
    """The bench's extractor for stand-in files (see the module text)."""
    return Document.from_dict(json.loads(path.read_text(encoding="utf-8")))
