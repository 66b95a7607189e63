"""Split a document's blocks into reports, findings and passages.

Two shapes are recognised:

* a **compilation** (IMDi's yearly list of finished projects): chapters are themes,
  each heading one level below a chapter starts a report summary with its own
  ``Utgitt:`` line, lead paragraph and ``Hovedfunn``/``Anbefalinger`` items;
* a **single report**: one report whose chapters are its themes and whose findings
  are the items (or, failing items, the paragraphs) of its summary sections.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.extract.blocks import NUMBERED_HEADING, Block
from indexer.extract.tagging import get_tagger, is_published_line, parse_published
from indexer.records import Finding, Passage, Report, stable_id

FINDINGS_HEADINGS = {
    "hovedfunn", "funn", "sentrale funn", "viktige funn", "oppsummering av sentrale funn",
    "anbefalinger", "anbefaling", "våre anbefalinger", "forslag til modeller", "sammendrag",
    "oppsummering", "konklusjon", "konklusjoner", "hovedkonklusjoner",
    "konklusjon og anbefalinger", "konklusjoner og anbefalinger", "sammendrag og anbefalinger",
    "prosjektgruppens anbefalinger", "nsm anbefaler", "anbefalte tiltak", "samandrag", "tilrådingar",
}
# Headings that end a summary: what follows is body, not findings.
NON_FINDINGS_HEADINGS = {
    "innledning", "forord", "om undersøkelsen", "metode", "datagrunnlag og metode", "bakgrunn",
    "litteratur", "litteraturliste", "referanser", "kilder", "vedlegg", "innhold", "utvalg",
    "om rapporten", "innleiing", "føreord",
}
YEAR_IN_TITLE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def heading_name(text: str) -> str:
    """Heading text as readers name it: no chapter number, no trailing colon."""
    return NUMBERED_HEADING.sub("", text).strip().rstrip(":").strip()


def _key(text: str) -> str:
    return heading_name(text).lower()


@dataclass
class DocumentContext:
    sha256: str
    title: str
    year: int | None  # the document's own year, inherited by undated reports
    publisher: str | None


@dataclass
class _Draft:
    """A report being assembled from its blocks."""

    title: str
    theme: str | None
    blocks: list[Block] = field(default_factory=list)


def _chapter_level(headings: list[Block]) -> int:
    counts = Counter(h.level for h in headings)
    repeated = sorted(level for level, n in counts.items() if n >= 2)
    return repeated[0] if repeated else (min(counts) if counts else 1)


def is_compilation(blocks: list[Block]) -> bool:
    """Several sub-chapter headings each followed by their own publication line."""
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings:
        return False
    report_level = _chapter_level(headings) + 1
    dated = total = 0
    current_is_report = False
    seen_date = False
    for block in blocks:
        if block.kind == "heading" and block.level <= report_level:
            if current_is_report:
                dated += seen_date
            current_is_report = block.level == report_level
            total += current_is_report
            seen_date = False
        elif block.kind == "paragraph" and is_published_line(block.text):
            seen_date = True
    if current_is_report:
        dated += seen_date
    return dated >= 3 and dated >= 0.4 * total


class ReportBuilder:
    """Turns one draft (title + blocks) into a :class:`Report`."""

    def __init__(self, context: DocumentContext, index: int, draft: _Draft, single: bool):
        self.context = context
        self.single = single
        self.draft = draft
        self.report_id = stable_id(context.sha256, "report", index, draft.title)

    def build(self) -> Report:
        findings: list[Finding] = []
        passages: list[Passage] = []
        paragraphs: list[str] = []
        published = None
        chapter = self.draft.theme
        section: str | None = None
        themes: list[str] = [self.draft.theme] if self.draft.theme else []
        findings_level: int | None = None  # level of the open findings heading, if any
        pending: list[Block] = []  # one findings section's blocks until it closes
        top_level = min((b.level for b in self.draft.blocks if b.kind == "heading"), default=1)

        def close_findings_section() -> None:
            items = [b for b in pending if b.kind == "item"]
            # Summaries written as bullet lists: the bullets are the findings and the
            # prose around them is context. Summaries in prose: each paragraph is one.
            chosen = items if items else [b for b in pending if b.kind == "paragraph"]
            for block in pending:
                if block in chosen:
                    assert block.section is not None, "the loop below sets the section of every block it keeps"
                    findings.append(Finding(
                        id=stable_id(self.report_id, "finding", len(findings)),
                        text=block.text, page=block.page, section=block.section,
                        chapter=block.chapter,
                    ))
                elif block.kind in ("paragraph", "item"):
                    add_passage(block)
            pending.clear()

        def add_passage(block: Block) -> None:
            text = block.text if block.kind == "paragraph" else f"• {block.text}"
            previous = passages[-1] if passages else None
            if (block.kind == "item" and previous is not None and previous.section == block.section
                    and previous.text.split("\n")[0].endswith(":")):
                previous.text += "\n" + text  # list items belong to the sentence introducing them
                return
            passages.append(Passage(
                id=stable_id(self.report_id, "passage", len(passages)),
                text=text, page=block.page, chapter=block.chapter, section=block.section,
            ))

        for block in self.draft.blocks:
            if block.kind == "heading":
                name = heading_name(block.text)
                if findings_level is not None and (block.level <= findings_level or _key(block.text) in NON_FINDINGS_HEADINGS):
                    close_findings_section()
                    findings_level = None
                if self.single and block.level == top_level:
                    chapter = name
                    if name not in themes:
                        themes.append(name)
                section = name
                if findings_level is None and _key(block.text) in FINDINGS_HEADINGS:
                    findings_level = block.level
                continue
            if block.kind in ("link", "caption"):
                continue
            block.section = section or self.draft.title
            block.chapter = chapter
            if block.kind == "paragraph" and is_published_line(block.text):
                published = published or parse_published(block.text)
                continue
            if block.kind == "paragraph":
                paragraphs.append(block.text)
            if findings_level is not None:
                pending.append(block)
            else:
                add_passage(block)
        if findings_level is not None:
            close_findings_section()

        lead = self._lead(passages, findings)
        contractors, commissioners = get_tagger().roles(paragraphs[:40])
        publisher = self.context.publisher
        if not contractors and self.single and publisher:
            contractors = [publisher]  # a stand-alone report names its author on the cover
        commissioner = " og ".join(commissioners) if commissioners else None
        if commissioner is None and publisher and publisher not in contractors:
            commissioner = publisher
        year_inferred = published is None
        year = published.year if published else self.context.year
        pages = [b.page for b in self.draft.blocks] or [0]
        return Report(
            id=self.report_id, title=self.draft.title, theme=self.draft.theme,
            contractors=contractors, commissioner=commissioner,
            published=published.published if published else (str(year) if year else None),
            year=year, year_inferred=year_inferred, lead=lead,
            page_start=min(pages), page_end=max(pages),
            findings=findings, passages=passages, themes=themes,
        )

    def _lead(self, passages: list[Passage], findings: list[Finding]) -> str:
        for block in self.draft.blocks:
            if block.kind == "paragraph" and not is_published_line(block.text) and len(block.text) > 40:
                return block.text
        return findings[0].text if findings else ""


def segment(blocks: list[Block], footnotes: list[Block], context: DocumentContext) -> list[Report]:
    """Reports in document order."""
    headings = [b for b in blocks if b.kind == "heading"]
    chapter_level = _chapter_level(headings)
    if is_compilation(blocks):
        drafts: list[_Draft] = []
        theme: str | None = None
        current: _Draft | None = None
        for block in blocks:
            if block.kind == "heading" and block.level <= chapter_level:
                theme = heading_name(block.text)
                current = None
                continue
            if block.kind == "heading" and block.level == chapter_level + 1:
                current = _Draft(title=heading_name(block.text), theme=theme)
                drafts.append(current)
                continue
            if current is not None:
                current.blocks.append(block)
        return [ReportBuilder(context, i, d, single=False).build() for i, d in enumerate(drafts)]

    draft = _Draft(title=context.title, theme=None, blocks=list(blocks))
    report = ReportBuilder(context, 0, draft, single=True).build()
    _attach_footnotes(report, footnotes, blocks)
    return [report]


def _attach_footnotes(report: Report, footnotes: list[Block], blocks: list[Block]) -> None:
    """Footnotes become passages of the chapter they stand in, kept out of running text."""
    chapter_by_page: dict[int, str | None] = {}
    for block in blocks:
        chapter_by_page.setdefault(block.page, block.chapter)
    for note in footnotes:
        chapter = chapter_by_page.get(note.page)
        report.passages.append(Passage(
            id=stable_id(report.id, "footnote", note.page, note.text[:40]),
            text=note.text, page=note.page, chapter=chapter, section="Fotnoter",
        ))


def document_year(title: str, fallback: int | None) -> int | None:
    match = YEAR_IN_TITLE.search(title or "")
    return int(match.group(1)) if match else fallback
