"""One PDF in, one :class:`~indexer.records.Document` out.

read (pdftext) → clean page furniture (cleaning) → blocks (blocks) →
reports, findings, passages (segmentation) → tags (tagging).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from indexer.extract.blocks import body_size, build_blocks
from indexer.extract.cleaning import remove_contents, remove_running_lines
from indexer.extract.pdftext import Line, read_pdf
from indexer.extract.segmentation import DocumentContext, document_year, segment
from indexer.extract.tagging import get_tagger
from indexer.records import Document

# Bump when extraction, segmentation or tagging changes what a PDF yields: the next
# `rapportsok index` then re-reads every file instead of keeping stale records.
PIPELINE_VERSION = 2
COVER_MAX_WORDS = 150
PLACEHOLDER_TITLE = re.compile(r"^(untitled|uten tittel|microsoft (word|powerpoint) - .*|.*\.(docx?|pdf|indd|txt))$", re.I)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_cover(page: list[Line], page_count: int) -> bool:
    words = sum(len(line.text.split()) for line in page)
    return page_count > 2 and 0 < words < COVER_MAX_WORDS


def _cover_title(page: list[Line], body: float) -> str | None:
    """The largest type on the cover, lines of that size joined in order."""
    if not page:
        return None
    largest = max(line.size for line in page)
    if largest < body * 1.3:
        return None
    lines = [line.text for line in page if abs(line.size - largest) < 0.6]
    title = " ".join(lines).strip()
    return title if 2 < len(title) < 200 else None


def _meaningful_title(title: str | None) -> str | None:
    """The PDF's metadata title, unless it is a tool's placeholder ("untitled", "Microsoft Word - x.docx")."""
    title = (title or "").strip()
    if not title or PLACEHOLDER_TITLE.match(title):
        return None
    return title


def _is_word(word: str) -> bool:
    from indexer.language.lexicon import get_lexicon

    return get_lexicon().is_word(word)


def warm_up() -> None:
    """Load the word list and the tagger once, before worker processes are forked."""
    from indexer.language.lexicon import get_lexicon

    get_lexicon()
    get_tagger()


def extract_document(path: Path | str, source_name: str | None = None) -> Document:
    """Extract, clean, segment and tag one PDF. Raises an ExtractionError subclass."""
    path = Path(path)
    pdf = read_pdf(path)
    sha256 = file_sha256(path)
    pages = remove_contents(remove_running_lines(pdf.pages))
    body = body_size(pages)
    cover = pdf.pages[0] if _is_cover(pdf.pages[0], pdf.page_count) else None
    metadata_title = _meaningful_title(pdf.title)
    title = (
        (_cover_title(cover, body) if cover else None)
        or metadata_title
        or path.stem.replace("_", " ")
    )
    blocks, footnotes = build_blocks(pages[1:] if cover else pages, _is_word)
    if not cover and not metadata_title:
        first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
        title = first_heading or title
    cover_text = " ".join(line.text for line in cover) if cover else ""
    mentioned = get_tagger().mentions(cover_text) if cover_text else []
    context = DocumentContext(
        sha256=sha256,
        title=title,
        year=document_year(title, pdf.creation_year),
        publisher=mentioned[0] if mentioned else None,
    )
    reports = segment(blocks, footnotes, context)
    return Document(
        source=source_name or path.name,
        sha256=sha256,
        pages=pdf.page_count,
        document_title=title,
        reports=reports,
    )
