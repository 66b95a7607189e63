"""One PDF in, one :class:`~indexer.records.Document` out.

read (pdftext) → clean page furniture (cleaning) → blocks (blocks) →
reports, findings, passages (segmentation) → tags (tagging).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from indexer.extract.blocks import BULLET, NUMBERED_HEADING, Block, build_blocks
from indexer.extract.cleaning import remove_contents, remove_running_lines
from indexer.extract.hyphenation import join_lines
from indexer.extract.ocr import mark_items, read_document
from indexer.extract.pdftext import Line, PdfText, body_size, read_pdf
from indexer.extract.segmentation import DocumentContext, document_year, heading_name, segment, segment_volume
from indexer.extract.tagging import Published, get_tagger, is_published_line, read_colophon
from indexer.extract.volumes import person_names, read_volume
from indexer.language.detect import detect_language
from indexer.records import Document, Finding, Furniture, Passage, Report

# Bump when extraction, segmentation or tagging changes what a PDF yields: the next
# `rapportsok index` then re-reads every file instead of keeping stale records.
PIPELINE_VERSION = 7
COVER_MAX_WORDS = 150
BACK_COVER_MAX_WORDS = 250
# Metadata titles a tool or a file name left: "untitled", "Microsoft Word - x.docx",
# "20250313_Context_PlastkriterierFB_med vedlegg", "Rapportmal", "Document1".
PLACEHOLDER_TITLE = re.compile(
    r"^(untitled|uten tittel|(document|dokument|presentasjon|presentation)\s*\d*|(rapport)?mal\b.*|template\b.*"
    r"|microsoft (word|powerpoint|excel) - .*|.*\.(docx?|dotx?|pdf|indd|txt|pptx?|odt|rtf|xlsx?))$", re.I)
FILE_NAME_LIKE = re.compile(r"_|\b(19|20)\d\d[01]\d[0-3]\d\b|\b(19|20)\d\d-[01]\d-[0-3]\d\b|\b[a-zæøå]+[A-ZÆØÅ]{2,}")
# The title is the largest type on the first page: display type at least this much larger
# than the body, near the top of a page that is not a cover.
TITLE_SIZE = 1.3
TITLE_TOP_SHARE = 0.6
SUBTITLE_SIZE = 0.8  # a subtitle right below in type this large joins the title
# A periodical's name at the head of a page ("NORSK LOVTIDEND"): a masthead, not the title.
MASTHEAD = re.compile(r"(tidende?|tidsskrift|bulletin|magasin|journal|nytt)$", re.I)
# On a masthead page, the line naming the document's kind is its title: "Lov om …".
DOCUMENT_KIND = re.compile(r"^(lov|forskrift|instruks|vedtak|kunngjøring|resolusjon|forordning)\s+(om|til|for)\b", re.I)
# Contact details of a colophon or a back cover: "Postboks 814, 1306 Sandvika", "Tlf. 67 86 40 00",
# an e-mail or web address, an organisation number.
CONTACT_DETAIL = re.compile(
    r"\b(?:postboks|pb\.|p\.\s?o\.\s?box|po box)\s*\d+|,\s*\d{4}\s+[A-ZÆØÅ][\w-]+"
    r"|\b(?:tlf|telefon|tel|phone|faks|fax|mobil)\.?:?\s*\+?\d[\d ]{6,}\d|\S+@\S+\.\w+|(?:https?://|www\.)\S+"
    r"|\b(?:org\.?\s?nr|organisasjonsnummer)\.?:?\s*\d[\d ]{7,}\d", re.I)
# The names of contact fields set without their values ("Telefon E-post", "WWW").
CONTACT_LABELS = frozenset({"telefon", "tlf", "tel", "phone", "e-post", "epost", "e-mail", "email", "www", "web",
                            "nettside", "adresse", "postadresse", "besøksadresse", "address", "faks", "fax"})
# A colophon field's name ending in a colon: "Design:", "Trykk og distribusjon:".
COLOPHON_FIELD = re.compile(r"\b[A-ZÆØÅ][\w-]*(?: (?:og|and|&) [\w-]+| [\w-]+)?:(?=\s|$)")
SIGNATURE_MAX_WORDS = 5


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_cover(page: list[Line], page_count: int) -> bool:
    words = sum(len(line.text.split()) for line in page)
    return page_count > 2 and 0 < words < COVER_MAX_WORDS


def _type_groups(lines: list[Line]) -> list[list[Line]]:
    """Consecutive lines set in one size, close together: a title, a subtitle, a masthead."""
    groups: list[list[Line]] = []
    for line in lines:
        last = groups[-1][-1] if groups else None
        if (last is not None and abs(line.size - last.size) < 0.6 and line.page == last.page
                and -last.height < line.top - last.bottom < line.size * 0.9):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _joined(group: list[Line]) -> str:
    text = group[0].text.strip()
    for line in group[1:]:
        text = _join_display_lines(text, line.text.strip())
    return text


def _join_display_lines(left: str, right: str) -> str:
    """Two lines of display type as one text. Large type on a narrow page may break a
    long word without a hyphen ("IMDi kommuneunde" / "rsøkelse 2020"): when neither
    piece is a word and the two together are, they are one word."""
    head, tail = re.search(r"(\w+)$", left), re.match(r"(\w+)", right)
    if head and tail and tail.group(1)[0].islower():
        pieces = head.group(1).lower(), tail.group(1).lower()
        if not any(_is_word(piece) for piece in pieces) and _is_word("".join(pieces)):
            return left + right
    return join_lines(left, right, _is_word)


def first_page_title(page: list[Line], body: float, cover: bool) -> str | None:
    """The title as printed on the first page: its largest type (on a page that is not
    a cover, in its upper part), with a subtitle set right below in type nearly as large.

    A periodical's masthead ("NORSK LOVTIDEND") is passed over; on such a page the line
    naming the document's kind ("Lov om …") is the title.
    """
    lines = [line for line in page if cover or line.top < line.page_height * TITLE_TOP_SHARE]
    groups = [g for g in _type_groups(lines) if sum(c.isalpha() for c in _joined(g)) >= 2]
    mastheads = [g for g in groups if MASTHEAD.search(_joined(g)) and len(_joined(g).split()) <= 4]
    if mastheads:
        for group in groups:
            if DOCUMENT_KIND.match(_joined(group)) and (group[0].bold or group[0].size >= body * 1.1):
                return _joined(group)
    display = [g for g in groups if g[0].size >= body * TITLE_SIZE and not any(g is m for m in mastheads)]
    if not display:
        return None
    largest = max(g[0].size for g in display)
    index = next(i for i, g in enumerate(groups) if g in display and g[0].size > largest - 0.6)
    title = _joined(groups[index])
    if index + 1 < len(groups):
        below, above = groups[index + 1], groups[index][-1]
        if below[0].size >= largest * SUBTITLE_SIZE and 0 <= below[0].top - above.bottom < below[0].size * 2:
            title = f"{title} {_joined(below)}"
    return title if 2 < len(title) < 250 else None


def meaningful_title(title: str | None) -> str | None:
    """The PDF's metadata title, unless it is a tool's placeholder or a file name
    ("untitled", "Microsoft Word - x.docx", "20250313_Context_PlastkriterierFB_med vedlegg")."""
    title = (title or "").strip()
    if not title or PLACEHOLDER_TITLE.match(title) or FILE_NAME_LIKE.search(title):
        return None
    return title


def _file_title(path: Path) -> str:
    """A file's name as a last resort: no extension, no underscores, no date stamp."""
    stem = re.sub(r"\b(19|20)\d\d[-]?[01]\d[-]?[0-3]\d\b", " ", path.stem.replace("_", " "))
    return " ".join(stem.split()) or path.stem


def _colophon_pages(pdf: PdfText) -> list[list[str]]:
    """The pages a colophon stands on: the first four and the last two."""
    count = len(pdf.pages)
    wanted = sorted({i for i in (0, 1, 2, 3, count - 2, count - 1) if 0 <= i < count})
    return [[line.text for line in pdf.pages[i]] for i in wanted]


def _is_word(word: str) -> bool:
    from indexer.language.lexicon import get_lexicon

    return get_lexicon().is_word(word)


def _left_out(blocks: list[Block]) -> list[Furniture]:
    """Block text that segmentation keeps out of findings and passages, as furniture:
    captions, link lines, publication lines (read into ``Report.published``), the
    numbers of numbered list items and of numbered headings (chapter and section
    names go without them)."""
    left_out = []
    for block in blocks:
        if block.marker and block.marker != "•":  # also on a list item that became a link
            left_out.append(Furniture(page=block.page, kind="list_marker", text=block.marker))
        elif block.marker and block.lines and (bullet := BULLET.match(block.lines[0].text)) and any(
                ch.isalnum() for ch in bullet.group(0)):
            # A bullet glyph without a Unicode name, read as "(cid:88)".
            left_out.append(Furniture(page=block.page, kind="list_marker", text=bullet.group(0).strip()))
        if block.kind in ("caption", "link"):
            left_out.append(Furniture(page=block.page, kind=block.kind, text=block.text))
        elif block.kind == "paragraph" and is_published_line(block.text):
            left_out.append(Furniture(page=block.page, kind="published", text=block.text))
        elif block.kind == "heading" and (number := NUMBERED_HEADING.match(block.text)):
            left_out.append(Furniture(page=block.page, kind="heading_number", text=number.group(1)))
    return left_out


def is_colophon_text(text: str) -> bool:
    """Contact details and colophon fields without running text: "Postboks 814, 1306 Sandvika",
    "Tlf. 67 86 40 00 post@nsm.stat.no", "Telefon E-post", "Design: Trykk og distribusjon:"."""
    if len(text.split()) > 16:
        return False
    details = len(CONTACT_DETAIL.findall(text))
    rest = CONTACT_DETAIL.sub(" ", text)
    fields = len(COLOPHON_FIELD.findall(rest))
    words = re.findall(r"\w[\w-]*", COLOPHON_FIELD.sub(" ", rest))
    labels = sum(word.lower() in CONTACT_LABELS for word in words)
    return labels == len(words) and (details + labels > 0 or fields >= 2)


def set_apart_colophon(blocks: list[Block]) -> tuple[list[Block], list[Furniture]]:
    """Paragraphs that are contact details or colophon fields are no passage: furniture of kind "colophon"."""
    kept: list[Block] = []
    colophon: list[Furniture] = []
    for block in blocks:
        if block.kind == "paragraph" and is_colophon_text(block.text):
            colophon.append(Furniture(page=block.page, kind="colophon", text=block.text))
        else:
            kept.append(block)
    return kept, colophon


def _signs(block: Block) -> bool:
    """A signature: a person's name, alone or followed by the signer's title ("Kjetil Nilsen Direktør NSM")."""
    words = block.text.split()
    return any(person_names(" ".join(words[:count])) is not None for count in (2, 3, 4) if count <= len(words))


def join_signatures(blocks: list[Block]) -> list[Block]:
    """The short lines that close a text at the foot of its page — a greeting ("God lesing!"), a
    signature ("Arne Christian Haugstøyl" / "Direktør") — belong to the paragraph they close."""
    def short(block: Block) -> bool:
        return (block.kind in ("paragraph", "heading") and len(block.lines) <= 2
                and len(block.text.split()) <= SIGNATURE_MAX_WORDS)

    closing: set[int] = set()
    for end, last in enumerate(blocks):
        if end + 1 < len(blocks) and blocks[end + 1].page == last.page or not short(last):
            continue  # not the last block of its page
        start = end
        while start > 0 and blocks[start - 1].page == last.page and short(blocks[start - 1]):
            start -= 1
        run, text = blocks[start:end + 1], blocks[start - 1] if start else None
        if (text is not None and text.kind == "paragraph" and not text.table and text.page == last.page
                and text.text.rstrip().endswith((".", "!", "?", ".»", ".”")) and any(_signs(block) for block in run)):
            for block in run:
                text.text = f"{text.text}\n{block.text}"
                text.lines.extend(block.lines)
                closing.add(id(block))
    return [block for block in blocks if id(block) not in closing]


def _unnamed_headings(blocks: list[Block], reports: list[Report], title: str,
                      recorded: Sequence[Furniture] = ()) -> list[Furniture]:
    """Headings that name no report, theme, chapter or section and open no finding or
    passage: a heading followed by another with no text between ("4.2. Regelverk" over
    "4.2.1. Introduksjon") leaves its name on no record, so it is recorded here (unless
    ``recorded`` holds it already)."""
    names = {title}
    known = {(piece.page, piece.text) for piece in recorded}
    texts: dict[int, list[str]] = {}
    for report in reports:
        names.update([report.title, *([report.theme] if report.theme else []), *report.themes])
        items: list[Finding | Passage] = [*report.findings, *report.passages]
        for item in items:
            names.update(name for name in (item.chapter, item.section) if name)
            texts.setdefault(item.page, []).append(item.text)
    unnamed = []
    for block in blocks:
        name = heading_name(block.text)
        if block.kind != "heading" or name in names or (block.page, block.text.strip()) in known:
            continue
        if any(text == block.text or text.startswith(block.text + " ")
               for page in (block.page, block.page + 1) for text in texts.get(page, ())):
            continue  # the finding or passage under it begins with it
        unnamed.append(Furniture(page=block.page, kind="heading", text=name))
    return unnamed


def _outside_reports(blocks: list[Block]) -> list[Furniture]:
    """Text before the first report of a compilation (its front page, a chapter's
    introduction): no report holds it. Headings, captions, links and publication lines
    are accounted for elsewhere."""
    return [Furniture(page=block.page, kind="front_matter", text=block.text) for block in blocks
            if block.kind in ("paragraph", "item") and not is_published_line(block.text)]


def warm_up() -> None:
    """Load the word lists and the tagger once, before worker processes are forked (the
    English list tells an unusable text layer: indexer.extract.ocr)."""
    from indexer.language.english import get_english
    from indexer.language.lexicon import get_lexicon

    get_lexicon()
    get_english()
    get_tagger()


def _report_text(report: Report) -> str:
    texts = [finding.text for finding in report.findings] + [passage.text for passage in report.passages]
    return " ".join([report.title, report.lead, *texts])


def _tag_languages(reports: Sequence[Report]) -> None:
    """Each report's language from its own text, else from the whole document's (a short
    summary in a compilation is written like the rest of it)."""
    document_language = detect_language(" ".join(_report_text(report) for report in reports))
    for report in reports:
        report.language = detect_language(_report_text(report)) or document_language


def extract_document(path: Path | str, source_name: str | None = None) -> Document:
    """Extract, clean, segment and tag one PDF. Raises an ExtractionError subclass."""
    path = Path(path)
    sha256 = file_sha256(path)
    pdf, scanned, unread = read_document(path, sha256, read_pdf)
    furniture: list[Furniture] = []
    pages = remove_contents(remove_running_lines(pdf.pages, furniture), furniture)
    body = body_size(pages)
    cover = pdf.pages[0] if _is_cover(pdf.pages[0], pdf.page_count) else None
    # The title as printed, else the metadata's own, else the first heading, else the file's name.
    title = first_page_title(pdf.pages[0], body, cover is not None) if pdf.pages else None
    blocks, footnotes = build_blocks(pages[1:] if cover else pages, _is_word, pdf.outline)
    blocks, colophon_lines = set_apart_colophon(join_signatures(blocks))
    furniture.extend(colophon_lines)
    title = (title or meaningful_title(pdf.title)
             or next((b.text for b in blocks if b.kind == "heading"), None) or _file_title(path))
    tagger = get_tagger()
    back = pdf.pages[-1] if pdf.page_count > 2 and len(pdf.pages) > 1 else []
    if sum(len(line.text.split()) for line in back) >= BACK_COVER_MAX_WORDS:
        back = []
    publisher = (tagger.publisher([line.text for line in pdf.pages[0]], cover=cover is not None) if pdf.pages else None
                 ) or tagger.publisher([line.text for line in back], cover=False)
    colophon = read_colophon(_colophon_pages(pdf), tagger)
    published = colophon.published or (Published(str(colophon.year), colophon.year) if colophon.year else None)
    context = DocumentContext(
        sha256=sha256,
        title=title,
        year=document_year(title, pdf.creation_year),
        publisher=publisher,
        contractors=colophon.contractors,
        commissioner=colophon.commissioner,
        published=published.published if published else None,
    )
    outside: list[Block] = []
    recorded: Sequence[Furniture] = ()
    # An edited volume gives one report per chapter; anything else is a compilation or one report.
    volume = read_volume(blocks)
    if volume is not None:
        reports = segment_volume(volume, footnotes, context)
        recorded = volume.furniture
        furniture.extend(recorded)
    else:
        reports = segment(blocks, footnotes, context, outside)
    if cover:
        furniture.extend(Furniture(page=line.page, kind="cover", text=line.text) for line in pages[0])
    furniture.extend(_left_out(blocks))
    furniture.extend(_unnamed_headings(blocks, reports, title, recorded))
    furniture.extend(_outside_reports(outside))
    _tag_languages(reports)
    if scanned:
        items: list[Finding | Passage] = []
        for report in reports:
            items.extend(report.findings)
            items.extend(report.passages)
        mark_items(items, scanned)
    return Document(
        source=source_name or path.name,
        sha256=sha256,
        pages=pdf.page_count,
        document_title=title,
        reports=reports,
        furniture=sorted(furniture, key=lambda piece: piece.page),
        unread_pages=unread,
    )
