"""Typeset the IMDi seed texts in other layouts, each PDF with its extraction gold.

Usage:  python corpus/build_layouts.py [--out DIR] [--layout NAME ...] [--jobs N] [--quiet]

The committed corpus (corpus/build_corpus.py) has one typography.  Real
reports come in many, and the extractor has to cope with all of them, so this
script sets the same seed texts, parsed by build_corpus.parse_seed, in several
layouts (LAYOUTS below: columns, a brochure with a side column, list glyphs,
heading styles, running headers, an A5 booklet, a consultancy report).  Every
layout is built for every seed and writes

    <out>/<layout>-<seed>.pdf         e.g. tospalter-fou-prosjekter-2019.pdf
    <out>/<layout>-<seed>.gold.json   the gold, in the format of tests/gold/README.md

The default out is bench/generated/layouts/ (git-ignored); nothing here is
committed.  Builds are byte-for-byte reproducible (reportlab invariant mode).

The gold is the seed's, not the layout's: it is derived from the parsed seed
blocks (the same blocks that are typeset) plus REPORT_FACTS, a table of what a
careful reader gets from each report's text (who wrote it, for whom).  Every
layout of one seed therefore has the same reports and findings; only "source"
and "sha256" differ.  Nothing in indexer/ is used.

How the gold is read from the seed:

* Reports: a seed whose second-level headings carry their own "Utgitt:" line
  is a compilation, one report per such heading (title as printed, chapters
  the summary's own headings: "Hovedfunn:", "Om undersøkelsen" …).  Otherwise
  the seed is one report, its title the cover title and its chapters the
  first-level headings without numbers.
* Findings: everything in a summary section, one paragraph or list item
  each, with section = the nearest heading above it as printed (without its
  number).  A summary section opens at a heading named in SUMMARY_HEADINGS and
  runs to the next heading at its level or above, or to the report's download
  link (a line that is only a link).  Not findings: a bare lead-in (a
  one-sentence paragraph ending in ":" right before a list), list items that
  are links to other publications, and what REPORT_FACTS marks as context
  after the findings.
* Year: the year of the report's "Utgitt:" line, else REPORT_FACTS (with the
  reason in the gold's note).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

CORPUS_DIR = Path(__file__).resolve().parent
REPO_DIR = CORPUS_DIR.parent
DEFAULT_OUT = REPO_DIR / "bench" / "generated" / "layouts"


def _load_build_corpus() -> ModuleType:
    """corpus/build_corpus.py as a module, also when this file is imported by path."""
    if "build_corpus" in sys.modules:
        return sys.modules["build_corpus"]
    spec = importlib.util.spec_from_file_location("build_corpus", CORPUS_DIR / "build_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_corpus"] = module
    spec.loader.exec_module(module)
    return module


corpus = _load_build_corpus()
HeadingBlock, TextBlock, ListItem = corpus.HeadingBlock, corpus.TextBlock, corpus.ListItem
TableBlock, FigureBlock = corpus.TableBlock, corpus.FigureBlock

ACCENT = colors.HexColor(corpus.ACCENT_COLOUR)
GREY_FILL = colors.HexColor("#EDF0F1")
RULE_GREY = colors.HexColor("#888888")


# --------------------------------------------------------------------------
# The seeds and what a reader learns from them
# --------------------------------------------------------------------------

def _isbn(key: str) -> str:
    """A well-formed (made-up) Norwegian ISBN-13, the same for the same seed."""
    digits = "97882" + str(int(hashlib.sha256(key.encode()).hexdigest(), 16))[:7]
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10) % 10
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:9]}-{digits[9:]}-{check}"


@dataclass(frozen=True)
class SeedSpec:
    key: str                               # file stem, part of every output name
    colophon: tuple[tuple[str, str], ...]  # printed on the cover or its back; facts of the seed
    series: str                            # running header text of the consultancy layout

    @property
    def path(self) -> Path:
        return corpus.SOURCE_DIR / f"{self.key}.txt"


SEEDS = (
    SeedSpec("fou-prosjekter-2019", (
        ("Utgitt av", "Integrerings- og mangfoldsdirektoratet (IMDi)"),
        ("Rapport", "2019:3"),
        ("ISBN", _isbn("fou-prosjekter-2019") + " (digital)"),
    ), series="IMDi Rapport 2019:3"),
    SeedSpec("kommuneundersokelsen-2020", (
        ("Utgitt av", "Integrerings- og mangfoldsdirektoratet (IMDi)"),
        ("Utført av", "IMDi"),
        ("ISBN", _isbn("kommuneundersokelsen-2020") + " (digital)"),
    ), series="IMDi kommuneundersøkelse"),
)
SEED_BY_KEY = {spec.key: spec for spec in SEEDS}


@dataclass(frozen=True)
class Facts:
    """What the report's own text says about it; checked against the seed when the gold is made.

    contractors and commissioner pair the gazetteer's canonical name
    (indexer/language/data/institutes.json) with the words the seed uses.
    """
    contractors: tuple[tuple[str, str], ...] = ()
    commissioner: tuple[str, str] | None = None
    year: int | None = None         # only used when the report has no "Utgitt:" line
    context_from: str | None = None  # opening words of the first paragraph after the findings
    note: str = ""


IMDI_ASSIGNMENT = ("IMDi", "på oppdrag fra IMDi")
REPORT_FACTS: dict[str, Facts] = {
    "Kunnskap om bosetting av flyktninger": Facts(
        (("NTNU Samfunnsforskning", "NTNU Samfunnsforskning har på oppdrag"),),
        ("Kunnskapsdepartementet", "på oppdrag fra Kunnskapsdepartementet")),
    "Satsing for økt måloppnåelse i introduksjonsprogram": Facts(
        (("Rambøll Management Consulting", "Rambøll Management Consulting har bistått IMDi"),),
        ("IMDi", "bistått IMDi med dokumentasjon")),
    "Hvor lenge deltar flyktninger og familiegjenforente i introduksjonsprogrammet?": Facts(
        note="names neither author nor commissioner"),
    "Økonomiske insentiver i integreringsarbeidet": Facts(
        (("Fafo", "Fafo og Frischsenteret"), ("Frischsenteret", "Frischsenteret har på oppdrag")),
        IMDI_ASSIGNMENT,
        note="the three proposed models («Forslag til modeller») are the report's findings"),
    "Evaluering av empowermentkurs for deltakere i introduksjonsprogrammet": Facts(
        (("Rambøll Management Consulting", "Rambøll har i perioden"),),
        ("IMDi", "på oppdrag for Integrerings- og mangfoldsdirektoratet (IMDi)")),
    "Jobbsjansen 2017 og 2018 – Analyse av individrapporteringer": Facts(
        (("Ideas2evidence", "Ideas2evidence har sammenfattet"),),
        context_from="Rapporten er en del av en evaluering",
        note="no commissioner named; the paragraph on the evaluation and the list of "
             "sub-reports after the Hovedfunn bullets are context"),
    "Samarbeid mellom offentlig, privat og frivillig sektor i gjennomføringen av introduksjonsprogrammet":
        Facts((("NORCE", "Norwegian Research Centre (NORCE)"),), IMDI_ASSIGNMENT),
    "Flyktningers deltagelse i arbeid og utdanning – før og etter introduksjonsordningen": Facts(
        (("Institutt for samfunnsforskning", "Institutt for samfunnsforskning (ISF)"),),
        ("IMDi og Arbeids- og velferdsdirektoratet",
         "på oppdrag fra IMDi og Arbeids- og velferdsdirektoratet")),
    "Hurtigspor for nyankomne flyktninger": Facts(
        (("IMDi", "IMDi og Arbeids- og velferdsdirektoratet har utarbeidet"),
         ("Arbeids- og velferdsdirektoratet", "Arbeids- og velferdsdirektoratet har utarbeidet")),
        note="written jointly by IMDi and Arbeids- og velferdsdirektoratet, not commissioned"),
    "Supported Employment i kvalifiseringstiltak for innvandrere": Facts(
        (("Arbeidsforskningsinstituttet (OsloMet)", "Arbeidsforskningsinstituttet (AFI) ved OsloMet"),),
        IMDI_ASSIGNMENT, year=2019,
        note="no «Utgitt:» line; year from the cover (projects completed in 2019)"),
    "Unge i utsatte boområder – en kunnskapsoversikt": Facts(
        (("Fafo", "Fafo har på oppdrag"),), IMDI_ASSIGNMENT,
        context_from="Denne kunnskapsoppsummeringen er første rapportering",
        note="the paragraph on the final report after the Hovedfunn bullets is context"),
    "Mestring i mottak og kommuner": Facts(
        (("Folkehelseinstituttet", "Folkehelseinstituttet (FHI) har utarbeidet"),),
        note="Bufdir, UDI and IMDi funded the project («økonomisk støtte»); nobody is named "
             "as having ordered it, so commissioner is null"),
    "Migrasjon, foreldreskap og sosial kontroll": Facts(
        (("Fafo", "Fafo har på oppdrag"),), IMDI_ASSIGNMENT),
    "Integrering som samskaping i distriktskommuner": Facts(
        (("Høgskolen i Innlandet", "Høgskolen i Innlandet og Østlandsforskning"),
         ("Østlandsforskning", "Østlandsforskning har studert")),
        note="no commissioner named"),
    "Kommunenes utgifter til bosetting og integrering av flyktninger i 2018": Facts(
        (("Beregningsutvalget", "Beregningsutvalgets rapport"),)),
    "Kommuneundersøkelsen 2018": Facts(
        (("IMDi", "IMDis kommuneundersøkelse har blitt gjennomført"),),
        note="IMDi's own survey, not commissioned"),
    "Hvordan måle integrering?": Facts(
        (("Proba samfunnsanalyse", "Proba samfunnsanalyse gjennomført"),),
        ("IMDi", "På oppdrag fra IMDi")),
    "IMDi kommuneundersøkelse 2020": Facts(
        (("IMDi", "Integrerings- og mangfoldsdirektoratet (IMDi) gjennomfører"),),
        note="IMDi's own survey, not commissioned. The document prints no publication date: "
             "2020 in the title is the survey year and the data were collected until "
             "17.01.2021, so year is null. Findings: the paragraphs of chapter 1 Sammendrag"),
}

SUMMARY_HEADINGS = {"sammendrag", "hovedfunn", "anbefalinger", "forslag til modeller",
                    "oppsummering av sentrale funn", "konklusjon", "konklusjoner"}
NUMBER_PREFIX = re.compile(r"^\d+(?:\.\d+)*\.?\s+")
YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
SENTENCE_INSIDE = re.compile(r"[.!?…]\s+[A-ZÆØÅ«]")


def plain_text(text: str) -> str:
    """Seed markup as printed: link labels and URLs, escapes and italics gone, whitespace normalised."""
    def unlink(token: re.Match) -> str:
        return token.group("label") or token.group("url")

    text = corpus.INLINE_TOKEN.sub(unlink, text)
    text = corpus.ITALIC.sub(r"\1", corpus.MARKDOWN_ESCAPE.sub(r"\1", text))
    return " ".join(text.split())


def heading_name(text: str) -> str:
    """A heading as printed, without its number ("2 Generelt" -> "Generelt", "Hovedfunn:" stays)."""
    return NUMBER_PREFIX.sub("", text).strip()


def _summary_key(text: str) -> str:
    return heading_name(text).rstrip(":").strip().casefold()


def _is_bare_lead_in(block, following) -> bool:
    return (isinstance(block, TextBlock) and block.text.endswith(":")
            and isinstance(following, ListItem) and not SENTENCE_INSIDE.search(block.text))


def summary_findings(blocks: list, facts: Facts) -> list[dict[str, str]]:
    """Every item of the summary sections in `blocks` (see the module docstring)."""
    findings = []
    summary_level: int | None = None
    section = ""
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if isinstance(block, HeadingBlock):
            if summary_level is not None and block.level <= summary_level:
                summary_level = None
            if summary_level is None and _summary_key(block.text) in SUMMARY_HEADINGS:
                summary_level = block.level
            section = heading_name(block.text)
            continue
        if summary_level is None:
            continue
        if isinstance(block, TextBlock) and (
                block.kind == "link" or (facts.context_from and block.text.startswith(facts.context_from))):
            summary_level = None  # the download link or the context after the findings
            continue
        if isinstance(block, ListItem) and block.text.startswith("["):
            continue  # a reference to another publication
        if isinstance(block, (TextBlock, ListItem)) and getattr(block, "kind", "body") == "body" \
                and not _is_bare_lead_in(block, following):
            findings.append({"section": section, "text": plain_text(block.text)})
    return findings


def _check_facts(title: str, facts: Facts, text: str) -> None:
    named = [wording for _, wording in facts.contractors]
    if facts.commissioner:
        named.append(facts.commissioner[1])
    for wording in named:
        if wording not in text:
            raise ValueError(f"«{wording}» står ikke i teksten til «{title}»")


def _published_year(blocks: list) -> int | None:
    for block in blocks:
        if isinstance(block, TextBlock) and block.kind == "published" and (year := YEAR.search(block.text)):
            return int(year.group(1))
    return None


def _report_gold(title: str, blocks: list, chapters: list[str]) -> dict:
    if title not in REPORT_FACTS:
        raise ValueError(f"REPORT_FACTS mangler rapporten «{title}»")
    facts = REPORT_FACTS[title]
    _check_facts(title, facts, " ".join(plain_text(getattr(b, "text", "")) for b in blocks))
    year = _published_year(blocks)
    return {
        "title": title,
        "contractors": [name for name, _ in facts.contractors],
        "commissioner": facts.commissioner[0] if facts.commissioner else None,
        "year": year if year is not None else facts.year,
        "findings": summary_findings(blocks, facts),
        "chapters": chapters,
    }


def report_spans(seed) -> list[tuple[int, int]]:
    """(title block index, end index) of each report of a compilation; [] for a single report."""
    blocks = seed.blocks
    titles = [i for i, b in enumerate(blocks) if isinstance(b, HeadingBlock) and b.level == 1]
    spans = []
    for start in titles:
        end = next((j for j in range(start + 1, len(blocks))
                    if isinstance(blocks[j], HeadingBlock) and blocks[j].level <= 1), len(blocks))
        spans.append((start, end))
    dated = [span for span in spans if _published_year(blocks[span[0] + 1:span[1]]) is not None]
    return spans if len(dated) >= 3 and len(dated) >= 0.5 * len(spans) else []


def seed_gold(seed) -> list[dict]:
    """The gold reports of one parsed seed."""
    if spans := report_spans(seed):
        return [_report_gold(seed.blocks[start].text, seed.blocks[start + 1:end],
                             [heading_name(b.text) for b in seed.blocks[start + 1:end]
                              if isinstance(b, HeadingBlock)])
                for start, end in spans]
    chapters = [heading_name(b.text) for b in seed.blocks if isinstance(b, HeadingBlock) and b.level == 0]
    return [_report_gold(seed.title, seed.blocks, chapters)]


def gold_note(reports: list[dict]) -> str:
    notes = [f"{report['title']}: {REPORT_FACTS[report['title']].note}."
             for report in reports if REPORT_FACTS[report["title"]].note]
    return ("Generated by corpus/build_layouts.py from the seed text, the same for every layout. "
            "Findings: every paragraph and list item of the summary sections (Hovedfunn, "
            "Anbefalinger, Sammendrag …) up to the download link, without bare lead-ins "
            "and links to other publications; section is the nearest heading as printed, without its number. "
            "The chapters of a compilation summary are its own headings. " + " ".join(notes))


def load_seed(spec: SeedSpec):
    return corpus.parse_seed(spec.path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    """One typography.  Lengths in points; pages are mirrored (inner/outer margins)."""
    name: str
    exercises: str
    page_size: tuple[float, float] = A4
    inner: float = 2.5 * cm
    outer: float = 2.5 * cm
    top: float = 2.7 * cm
    bottom: float = 2.5 * cm
    columns: int = 1
    gutter: float = 0.8 * cm
    side_column: float = 0.0          # brochure: quotes and captions beside the text
    body_font: str = "DejaVuSerif"
    body_size: float = 10
    leading: float = 13.6
    justified: bool = True
    hyphenate: bool = True
    heading_numbers: str = "seed"     # seed (as the seed: "2 Generelt") | none | decimal ("2.3 …")
    hanging_numbers: bool = False     # heading numbers stand in the left margin
    chapter_break: str = "page"       # page | odd (next right-hand page) | none (runs on)
    section_style: str = "sans"       # sans | weight (bold at body size)
    minor_style: str = "sans"         # sans | weight | runin (bold, the paragraph follows on its line)
    bullets: tuple[str, ...] = ("•",)     # one per bullet list, in turn ("a)": that list is lettered)
    numbering: tuple[str, ...] = ("1.",)  # one per numbered list, in turn: 1. | 1) | (1) | a)
    item_indent: float = 16
    cover: str = "page"               # page | colophon (on the cover) | colophon-page (its back) | inline
    contents: bool = False
    header: tuple[str, str] | None = None  # (even page, odd page); fields {book} {chapter} {page} {series}
    header_align: str = "outer"       # outer | split (first left, second right, every page) | left
    footer: str | None = None
    footer_align: str = "outer"       # outer | centre | right
    pull_quotes: bool = False
    fact_boxes: bool = False          # brochure: a grey box with Utgitt/Oppdragstaker/Oppdragsgiver
    report_cards: bool = False        # report: Oppdragstaker/Oppdragsgiver under each report title
    sidebars: bool = False            # brochure: short background sections in a frame
    figure_height: float = 4 * cm
    table_size: float | None = None   # default: 1.5 pt under the body text

    @property
    def page_width(self) -> float:
        return self.page_size[0]

    @property
    def page_height(self) -> float:
        return self.page_size[1]

    @property
    def text_width(self) -> float:
        return self.page_width - self.inner - self.outer

    @property
    def side_gap(self) -> float:
        return 0.7 * cm if self.side_column else 0.0

    @property
    def body_width(self) -> float:
        """Width of the running text (all columns), without the side column."""
        return self.text_width - self.side_column - self.side_gap

    @property
    def column_width(self) -> float:
        return (self.body_width - (self.columns - 1) * self.gutter) / self.columns


LAYOUTS = (
    Layout(
        "tospalter",
        "two justified, hyphenated columns under a full-width chapter band; numbered chapters; "
        "running header alternating (even: page number and book title, odd: chapter title and "
        "page number); cover with colophon; contents; ▪ bullets and 1) numbers; footnotes at "
        "the foot of the column; lists and tables inside a column",
        inner=2.0 * cm, outer=2.0 * cm, columns=2, gutter=0.8 * cm, body_size=9.5, leading=12.4,
        bullets=("▪",), numbering=("1)",), item_indent=12, cover="colophon", contents=True,
        header=("{page}    {book}", "{chapter}    {page}"), header_align="outer"),
    Layout(
        "trespalter",
        "three justified, hyphenated sans-serif columns; title block on page 1 instead of a "
        "cover; chapters run on without a page break and without numbers; section and minor "
        "headings bold at body size; – bullets and (1) numbers; page number in the footer only",
        inner=1.5 * cm, outer=1.5 * cm, top=2.0 * cm, columns=3, gutter=0.6 * cm,
        body_font="DejaVuSans", body_size=8.5, leading=11.2, heading_numbers="none",
        chapter_break="none", section_style="weight", minor_style="weight", bullets=("–",),
        numbering=("(1)",), item_indent=10, cover="inline", footer="{page}", footer_align="right",
        figure_height=3 * cm, table_size=5.8),
    Layout(
        "brosjyre",
        "brochure: ragged sans-serif text beside a wide side column that holds pull-quotes "
        "(a sentence repeated from the text, next to each report or chapter heading) and the "
        "figure captions; grey fact boxes (Utgitt, Oppdragstaker, Oppdragsgiver); framed "
        "sidebars; unnumbered headings; ✓ bullets; header without page numbers",
        inner=1.6 * cm, outer=1.6 * cm, side_column=4.6 * cm, body_font="DejaVuSans",
        body_size=9.5, leading=13.5, justified=False, hyphenate=False, heading_numbers="none",
        bullets=("✓",), numbering=("1.",), item_indent=15,
        header=("IMDi  |  {book}", "IMDi  |  {book}"), header_align="left",
        pull_quotes=True, fact_boxes=True, sidebars=True),
    Layout(
        "punktlister",
        "one justified column; every list its own bullet (• ▪ ■ ◦ – ✓ ➢) or number style "
        "(1. 1) (1), and a) for one bullet list in eight) with hanging indents of different "
        "widths; cover, then a colophon page (Utgitt av, Rapport 2019:3, ISBN); contents; book "
        "title left and chapter right in every header, page number centred in the footer",
        inner=2.6 * cm, outer=2.6 * cm, body_size=10.5, leading=14.5,
        bullets=("•", "▪", "■", "◦", "a)", "–", "✓", "➢"), numbering=("1.", "1)", "(1)"),
        item_indent=18, cover="colophon-page", contents=True,
        header=("{book}", "{chapter}"), header_align="split", footer="– {page} –",
        footer_align="centre"),
    Layout(
        "a5hefte",
        "A5 booklet with mirrored margins; ragged right without hyphenation; unnumbered "
        "chapters that open on a right-hand page (blank left pages); running header "
        "alternating (even: book title, odd: chapter title) without page numbers, page "
        "numbers in the outer footer corner; ◦ bullets and a) items; lists broken across pages",
        page_size=A5, inner=1.9 * cm, outer=1.4 * cm, top=1.9 * cm, bottom=1.8 * cm,
        body_size=9, leading=12.6, justified=False, hyphenate=False, heading_numbers="none",
        chapter_break="odd", bullets=("◦",), numbering=("a)",), item_indent=13,
        header=("{book}", "{chapter}"), header_align="outer", footer="{page}",
        footer_align="outer", figure_height=3.2 * cm),
    Layout(
        "rapport",
        "consultancy report: decimal heading numbers (2.3) hanging in the left margin; minor "
        "headings run into their paragraph in bold at body size; Oppdragstaker/Oppdragsgiver "
        "under each report title; cover with colophon; contents; ■ bullets; series in the "
        "header, «Side N» in the footer",
        inner=2.0 * cm, outer=2.2 * cm, body_font="DejaVuSans", body_size=9.5, leading=14,
        heading_numbers="decimal", hanging_numbers=True, minor_style="runin", bullets=("■",),
        numbering=("1.",), item_indent=14, cover="colophon", contents=True,
        header=("{series}", "{book}"), header_align="split", footer="Side {page}",
        footer_align="right", report_cards=True),
)
LAYOUT_BY_NAME = {layout.name: layout for layout in LAYOUTS}
HANGING_NUMBER_ROOM = 1.6 * cm


def output_name(layout: Layout, spec: SeedSpec) -> str:
    return f"{layout.name}-{spec.key}"


# --------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------

def _bold(font: str) -> str:
    return f"{font}-Bold"


def _italic(font: str) -> str:
    return f"{font}-Italic" if font == "DejaVuSerif" else f"{font}-Oblique"


def make_styles(layout: Layout) -> dict[str, ParagraphStyle]:
    size, leading = layout.body_size, layout.leading
    hyphenation = (dict(hyphenationLang=corpus.hyphenate_nb, embeddedHyphenation=1, uriWasteReduce=0.3)
                   if layout.hyphenate else dict(hyphenationLang="", uriWasteReduce=0.3))
    indent = HANGING_NUMBER_ROOM if layout.hanging_numbers else 0
    body = ParagraphStyle(
        "body", fontName=layout.body_font, fontSize=size, leading=leading, leftIndent=indent,
        alignment=TA_JUSTIFY if layout.justified else TA_LEFT, spaceAfter=leading * 0.45, **hyphenation)
    heading = dict(keepWithNext=1, hyphenationLang="", alignment=TA_LEFT, leftIndent=indent,
                   bulletIndent=0, bulletFontName="DejaVuSans-Bold")
    weight = dict(fontName=_bold(layout.body_font), fontSize=size, leading=leading,
                  spaceBefore=leading * 0.6, spaceAfter=leading * 0.15)
    section = (dict(weight) if layout.section_style == "weight" else
               dict(fontName="DejaVuSans-Bold", fontSize=size + 2.5, leading=size + 6,
                    spaceBefore=size + 4, spaceAfter=size * 0.6))
    minor = (dict(weight) if layout.minor_style != "sans" else
             dict(fontName="DejaVuSans-Bold", fontSize=size + 0.5, leading=leading, spaceBefore=size * 0.8,
                  spaceAfter=size * 0.3))
    chapter_size = 13 if layout.chapter_break == "none" else (15 if layout.page_size == A5 else 18)
    side = dict(fontSize=size * 1.15, leading=size * 1.55)
    table_size = layout.table_size or size - 1.5
    return {
        "body": body,
        "published": ParagraphStyle("published", body, fontName=_italic(layout.body_font),
                                    fontSize=size - 0.5, alignment=TA_LEFT),
        "item": ParagraphStyle("item", body, leftIndent=indent + layout.item_indent, bulletIndent=indent + 1,
                               spaceAfter=leading * 0.25, bulletFontName="DejaVuSans",
                               bulletFontSize=size),
        "chapter": ParagraphStyle("chapter", fontName="DejaVuSans-Bold", fontSize=chapter_size,
                                  leading=chapter_size * 1.25, textColor=ACCENT,
                                  spaceBefore=14 if layout.chapter_break == "none" else 0,
                                  spaceAfter=chapter_size * 0.7, **heading),
        "section": ParagraphStyle("section", **section, **heading),
        "minor": ParagraphStyle("minor", **minor, **heading),
        "caption": ParagraphStyle("caption", fontName="DejaVuSans-Oblique", fontSize=size - 1.5,
                                  leading=(size - 1.5) * 1.3, leftIndent=indent, spaceBefore=3,
                                  spaceAfter=leading * 0.7),
        "footnote": ParagraphStyle("footnote", body, fontSize=size - 2, leading=(size - 2) * 1.25,
                                   leftIndent=0, spaceAfter=0, alignment=TA_LEFT),
        "table": ParagraphStyle("table", fontName="DejaVuSans", fontSize=table_size, leading=table_size * 1.2,
                                hyphenationLang=corpus.hyphenate_nb, embeddedHyphenation=1),
        "table_head": ParagraphStyle("table_head", fontName="DejaVuSans-Bold", fontSize=table_size,
                                     leading=table_size * 1.2, hyphenationLang=corpus.hyphenate_nb,
                                     embeddedHyphenation=1),
        "quote": ParagraphStyle("quote", fontName="DejaVuSerif-Italic", textColor=ACCENT,
                                hyphenationLang=corpus.hyphenate_nb, embeddedHyphenation=1, **side),
        "side_caption": ParagraphStyle("side_caption", fontName="DejaVuSans-Oblique", fontSize=size - 1.5,
                                       leading=(size - 1.5) * 1.3, hyphenationLang=""),
        "box": ParagraphStyle("box", fontName="DejaVuSans", fontSize=size - 1, leading=(size - 1) * 1.35,
                              spaceAfter=2, hyphenationLang=""),
        "box_title": ParagraphStyle("box_title", fontName="DejaVuSans-Bold", fontSize=size - 0.5,
                                    leading=size * 1.3, spaceAfter=3, hyphenationLang=""),
        "card": ParagraphStyle("card", fontName="DejaVuSans", fontSize=size - 1, leading=(size - 1) * 1.3,
                               leftIndent=indent, spaceAfter=1, hyphenationLang=""),
        "contents_chapter": ParagraphStyle("contents_chapter", fontName="DejaVuSans-Bold",
                                           fontSize=size + 0.5, leading=size * 1.4, spaceBefore=4,
                                           rightIndent=1 * cm),
        "contents_section": ParagraphStyle("contents_section", fontName=layout.body_font,
                                           fontSize=size - 0.5, leading=size * 1.25, leftIndent=0.8 * cm,
                                           rightIndent=1 * cm),
        "cover_title": ParagraphStyle("cover_title", fontName="DejaVuSans-Bold",
                                      fontSize=22 if layout.cover == "inline" else 28,
                                      leading=28 if layout.cover == "inline" else 34, spaceAfter=12,
                                      textColor=ACCENT),
        "cover_subtitle": ParagraphStyle("cover_subtitle", fontName="DejaVuSans",
                                         fontSize=11 if layout.cover == "inline" else 14,
                                         leading=15 if layout.cover == "inline" else 19, spaceAfter=6),
        "colophon": ParagraphStyle("colophon", fontName="DejaVuSans", fontSize=8.5, leading=12),
    }


# --------------------------------------------------------------------------
# Flowables
# --------------------------------------------------------------------------

class Heading(Paragraph):
    """A heading with its contents level (None: not listed), outline key and running-header text."""

    def __init__(self, text: str, style: ParagraphStyle, level: int | None, key: str,
                 number: str | None = None, running: str | None = None):
        label = text if number is None else f"{number} {text}"
        if number is not None and style.bulletFontName and style.leftIndent:
            super().__init__(escape(text), style, bulletText=number)  # the number hangs in the margin
        else:
            super().__init__(escape(label), style)
        self.label = label
        self.contents_level = level
        self.outline_key = key
        self.running = running  # text for the running header from here on


class SideColumn:
    """Where the side column of the current page is taken, so notes do not overlap."""

    def __init__(self) -> None:
        self.page = 0
        self.floor = 0.0

    def place(self, page: int, top: float, height: float, bottom_limit: float,
              must_draw: bool) -> float | None:
        if page == self.page:
            top = min(top, self.floor - 8)
        if top - height < bottom_limit and not must_draw:
            return None
        self.page, self.floor = page, top - height
        return top


class PullQuote(Flowable):
    """A sentence from the text, repeated large in the side column next to where it stands."""

    def __init__(self, text: str, style: ParagraphStyle, layout: Layout, side: SideColumn):
        super().__init__()
        self.quote = Paragraph(escape(text), style)
        self.layout, self.side = layout, side
        self.keepWithNext = 1

    def wrap(self, availWidth, availHeight):
        self.quote_height = self.quote.wrap(self.layout.side_column, self.layout.page_height)[1] + 8
        return availWidth, 0

    def draw(self):
        canv = self.canv
        x = -(self.layout.side_column + self.layout.side_gap)
        top = self.side.place(canv.getPageNumber(), canv.absolutePosition(0, 0)[1], self.quote_height,
                              self.layout.bottom, must_draw=False)
        if top is None:
            return  # no room beside the text on this page: magazines drop the quote
        y = top - canv.absolutePosition(0, 0)[1]
        canv.saveState()
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(1.5)
        canv.line(x, y, x + 1.5 * cm, y)
        canv.restoreState()
        self.quote.drawOn(canv, x, y - self.quote_height)


class SideCaptionFigure(Flowable):
    """A grey figure stand-in in the text column with its caption in the side column."""

    def __init__(self, caption: str, style: ParagraphStyle, layout: Layout, side: SideColumn):
        super().__init__()
        self.caption = Paragraph(escape(caption), style)
        self.layout, self.side = layout, side
        self.spaceBefore, self.spaceAfter = 6, 10

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.caption_height = self.caption.wrap(self.layout.side_column, self.layout.page_height)[1]
        return availWidth, self.layout.figure_height

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colors.HexColor(corpus.FIGURE_FILL))
        canv.setStrokeColor(colors.HexColor(corpus.FIGURE_STROKE))
        canv.setLineWidth(0.5)
        canv.rect(0, 0, self.width, self.layout.figure_height, fill=1, stroke=1)
        canv.restoreState()
        origin = canv.absolutePosition(0, 0)[1]
        wanted = origin + self.caption_height  # level with the foot of the figure
        top = self.side.place(canv.getPageNumber(), wanted, self.caption_height, 0, must_draw=True)
        assert top is not None
        self.caption.drawOn(canv, -(self.layout.side_column + self.layout.side_gap),
                            top - origin - self.caption_height)


class BlankIfEven(ActionFlowable):
    """After a page break: turn an even (left-hand) page into a blank one, so chapters open on the right."""

    def apply(self, doc):
        if doc.page % 2 == 0:
            doc.blank_pages.add(doc.page)
            doc.handle_pageBreak()


# --------------------------------------------------------------------------
# Document template
# --------------------------------------------------------------------------

class LayoutDocument(corpus.ContentsAndFootnotes, BaseDocTemplate):
    """Mirrored pages: every page template exists for odd and even pages, chosen by page number."""

    def __init__(self, filename: str, seed, spec: SeedSpec, layout: Layout):
        super().__init__(
            filename, pagesize=layout.page_size, leftMargin=layout.inner, rightMargin=layout.outer,
            topMargin=layout.top, bottomMargin=layout.bottom, invariant=1, lang="nb-NO",
            title=seed.title, author=corpus.PUBLISHER_SHORT, subject=" – ".join(seed.subtitles),
            creator="Rapportsøk corpus/build_layouts.py")
        self.layout, self.seed, self.spec = layout, seed, spec
        self.chapter = ""
        self.blank_pages: set[int] = set()
        self.side = SideColumn()
        templates = []
        for parity in ("odd", "even"):
            templates += self._templates(parity)
        self.addPageTemplates(templates)

    # -- page geometry ------------------------------------------------------

    def _left(self, parity: str) -> float:
        return self.layout.inner if parity == "odd" else self.layout.outer

    def _columns(self, parity: str, bottom: float, height: float, prefix: str) -> list[Frame]:
        layout = self.layout
        x = self._left(parity) + layout.side_column + layout.side_gap
        return [corpus.FootnoteFrame(x + i * (layout.column_width + layout.gutter), bottom,
                                     layout.column_width, height, id=f"{prefix}{i}", **NO_PADDING)
                for i in range(layout.columns)]

    def _templates(self, parity: str) -> list[PageTemplate]:
        layout = self.layout
        left, bottom = self._left(parity), layout.bottom
        height = layout.page_height - layout.top - layout.bottom
        width = layout.text_width
        band = 2.2 * cm
        running = dict(onPageEnd=self._draw_running)
        templates = [
            PageTemplate(f"cover:{parity}", [
                Frame(left, bottom + 7 * cm, width, height - 9 * cm, id="cover", **NO_PADDING),
                Frame(left, bottom, width, 6 * cm, id="colophon", **NO_PADDING)],
                onPage=self._draw_cover, autoNextPageTemplate="body"),
            PageTemplate(f"colophon:{parity}", [Frame(left, bottom, width, 7 * cm, id="colophon",
                                                      **NO_PADDING)], autoNextPageTemplate="body"),
            PageTemplate(f"body:{parity}", self._columns(parity, bottom, height, "col"), **running),
            PageTemplate(f"first:{parity}", [
                Frame(left, bottom + height - band, width, band, id="band", **NO_PADDING),
                *self._columns(parity, bottom, height - band, "col")],
                autoNextPageTemplate="body", **running),
        ]
        if layout.cover == "inline":
            title_band = 5.2 * cm
            templates.insert(0, PageTemplate(f"opening:{parity}", [
                Frame(left, bottom + height - title_band, width, title_band, id="title", **NO_PADDING),
                *self._columns(parity, bottom, height - title_band, "col")],
                autoNextPageTemplate="body", **running))
        return templates

    # -- template choice by parity -----------------------------------------

    def handle_nextPageTemplate(self, pt):
        if isinstance(pt, str) and ":" not in pt:
            pt = f"{pt}:odd"  # the parity is settled when the page begins
        super().handle_nextPageTemplate(pt)

    def handle_pageBegin(self):
        parity = "odd" if (self.page + 1) % 2 else "even"
        kind = self.pageTemplate.id.split(":")[0]
        self.pageTemplate = next(t for t in self.pageTemplates if t.id == f"{kind}:{parity}")
        super().handle_pageBegin()

    def beforeDocument(self):
        self.chapter = ""
        self.blank_pages = set()
        self.side.page = 0

    # -- page furniture ------------------------------------------------------

    def _fields(self, canv) -> dict[str, str]:
        return {"book": self.seed.title, "chapter": self.chapter or self.seed.title,
                "page": str(canv.getPageNumber()), "series": self.spec.series}

    def _draw_running(self, canv, doc) -> None:
        layout = self.layout
        page = canv.getPageNumber()
        if page in self.blank_pages:
            return
        odd = page % 2 == 1
        left = self._left("odd" if odd else "even")
        right = layout.page_width - (layout.outer if odd else layout.inner)
        fields = self._fields(canv)
        canv.saveState()
        canv.setFont("DejaVuSans", 8)
        canv.setFillColor(colors.HexColor("#444444"))
        header_y = layout.page_height - layout.top + 0.75 * cm
        if layout.header:
            even_text, odd_text = (text.format(**fields) for text in layout.header)
            if layout.header_align == "split":
                canv.drawString(left, header_y, even_text)
                canv.drawRightString(right, header_y, odd_text)
            elif layout.header_align == "left":
                canv.drawString(left, header_y, even_text)
            elif odd:
                canv.drawRightString(right, header_y, odd_text)
            else:
                canv.drawString(left, header_y, even_text)
            canv.setStrokeColor(RULE_GREY)
            canv.setLineWidth(0.4)
            canv.line(left, header_y - 4, right, header_y - 4)
        if layout.footer:
            text, y = layout.footer.format(**fields), layout.bottom - 1.1 * cm
            if layout.footer_align == "centre":
                canv.drawCentredString((left + right) / 2, y, text)
            elif layout.footer_align == "right" or (layout.footer_align == "outer" and odd):
                canv.drawRightString(right, y, text)
            else:
                canv.drawString(left, y, text)
        canv.restoreState()

    def _draw_cover(self, canv, doc) -> None:
        layout = self.layout
        canv.saveState()
        canv.setFillColor(ACCENT)
        canv.rect(0, layout.page_height - 2.6 * cm, layout.page_width, 2.6 * cm, fill=1, stroke=0)
        canv.setFillColor(colors.black)
        canv.setFont("DejaVuSans-Bold", 10)
        canv.drawString(layout.inner, layout.bottom + 6.6 * cm, self.seed.publisher)
        canv.restoreState()

    def afterFlowable(self, flowable):
        if not isinstance(flowable, Heading):
            return
        if flowable.running is not None:
            self.chapter = flowable.running
        if flowable.contents_level is not None:
            self.add_contents_entry(flowable.contents_level, flowable.outline_key, flowable.label)


NO_PADDING = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


# --------------------------------------------------------------------------
# Seed blocks -> story
# --------------------------------------------------------------------------

NUMBER_STYLES = ("1.", "1)", "(1)", "a)")


def _letter(number: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[number - 1]


def list_label(style: str, number: int) -> str:
    if style == "a)":
        return f"{_letter(number)})"
    return style.replace("1", str(number))


def pull_quote_text(text: str) -> str | None:
    """The first sentence of 8 to 30 words: what a magazine would lift out."""
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«0-9])", plain_text(text)):
        words = sentence.split()
        if 8 <= len(words) <= 30 and not corpus.FOOTNOTE_MARKER.search(sentence):
            return sentence
    return None


SIDEBAR_HEADINGS = {"Om undersøkelsen", "Målet med hurtigspor for nyankomne flyktninger", "Utvalg",
                    "Nye tiltak med overføringsverdi til andre kommuner"}


def _column_widths(rows: list[list[str]], header_rows: int, available: float,
                   styles: dict[str, ParagraphStyle]) -> list[float]:
    """Number columns as wide as their widest figure, the label column gets the rest.

    Header cells wrap (and hyphenate) in the widths the body rows need; room
    left over, when the labels fit on one line, widens the number columns.  In
    a narrow column the labels wrap between words (never inside one: a layout
    that squeezes a table this hard sets it in a smaller size) and each number
    column keeps room for a hyphenated header word ("Kom-/mune-/…").
    """
    font, size = styles["table"].fontName, styles["table"].fontSize

    def natural(text: str) -> float:
        return stringWidth(text, font, size) + 7

    body = rows[header_rows:] or rows
    widths = [max(natural(row[c]) for row in body) for c in range(len(rows[0]))]
    if len(widths) == 1:
        return [available]
    widths[1:] = [max(w, 5.2 * size) for w in widths[1:]]
    numbers = sum(widths[1:])
    if widths[0] + numbers <= available:
        spare = available - widths[0] - numbers
        return [widths[0]] + [w + spare / (len(widths) - 1) for w in widths[1:]]
    longest_word = max(natural(word) for row in body for word in row[0].split())
    label = max(longest_word, available - numbers)
    return [label] + [w * (available - label) / numbers for w in widths[1:]]


class StoryBuilder:
    """Turns the parsed seed into flowables for one layout."""

    def __init__(self, seed, spec: SeedSpec, layout: Layout, gold: list[dict], side: SideColumn):
        self.seed, self.spec, self.layout, self.side = seed, spec, layout, side
        self.styles = make_styles(layout)
        self.used_notes: set[int] = set()
        self.story: list[Flowable] = []
        self.chapter_number: str | None = None
        self.section_count = 0
        self.bullet_lists = self.numbered_lists = self.list_position = 0
        spans = report_spans(seed)
        # the title block of each compilation report -> its gold (none for a single report)
        self.report_at = ({start: report for (start, _), report in zip(spans, gold, strict=True)}
                          if spans else {})
        self.facts_box_at: dict[int, dict] = {}
        if layout.fact_boxes:
            for start, end in spans:
                blocks = seed.blocks[start + 1:end]
                published = next((i for i, b in enumerate(blocks)
                                  if isinstance(b, TextBlock) and b.kind == "published"), None)
                first_text = next(i for i, b in enumerate(blocks) if isinstance(b, TextBlock))
                self.facts_box_at[start + 1 + (published if published is not None else first_text)] = \
                    self.report_at[start]

    # -- cover, contents --------------------------------------------------

    def _colophon(self) -> list[Flowable]:
        style = self.styles["colophon"]
        lines = [f"<b>{escape(label)}:</b> {escape(value)}" if label not in ("Rapport", "ISBN")
                 else f"{escape(label)} {escape(value)}" for label, value in self.spec.colophon]
        return [Paragraph(line, style) for line in lines]

    def cover(self) -> None:
        styles, seed, layout = self.styles, self.seed, self.layout
        title = [Paragraph(escape(seed.title), styles["cover_title"])]
        title += [Paragraph(escape(line), styles["cover_subtitle"]) for line in seed.subtitles]
        if layout.cover == "inline":  # page 1 starts with the "opening" template
            self.story += [*title, Paragraph(escape(seed.publisher), styles["colophon"]), FrameBreak()]
            return
        self.story += [Spacer(1, 2 * cm), *title, FrameBreak()]
        if layout.cover == "colophon":
            self.story += self._colophon()
        if layout.cover == "colophon-page":
            self.story += [NextPageTemplate("colophon"), PageBreak(), *self._colophon()]
        # the first chapter heading turns the page; anything else needs a page of its own
        first = self.seed.blocks[0]
        if self.layout.contents or not (isinstance(first, HeadingBlock) and first.level == 0):
            self.story += [NextPageTemplate("body"), PageBreak()]

    def contents(self) -> None:
        styles = self.styles
        table = TableOfContents(
            levelStyles=[styles["contents_chapter"], styles["contents_section"]], dotsMinLevel=0,
            tableStyle=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                   ("TOPPADDING", (0, 0), (-1, -1), 1),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
        heading = Heading("Innhold", ParagraphStyle("contents", styles["chapter"], leftIndent=0), None,
                          "contents", running="Innhold")
        self.story += [heading, table]

    # -- headings -----------------------------------------------------------

    def _numbered(self, block) -> tuple[str | None, str]:
        """(number, text) as this layout prints the heading."""
        match = re.match(r"^(\d+) (.+)$", block.text)
        if block.level == 0:
            self.chapter_number = match.group(1) if match else None
            self.section_count = 0
            if match and self.layout.heading_numbers in ("seed", "decimal"):
                return match.group(1), match.group(2)
            return None, match.group(2) if match else block.text
        if block.level == 1 and self.layout.heading_numbers == "decimal" and self.chapter_number:
            self.section_count += 1
            return f"{self.chapter_number}.{self.section_count}", block.text
        return None, block.text

    def heading(self, index: int, block) -> None:
        layout, styles = self.layout, self.styles
        number, text = self._numbered(block)
        label = text if number is None else f"{number} {text}"
        style = styles[("chapter", "section", "minor")[block.level]]
        level = block.level if block.level < 2 else None
        if number is not None and not layout.hanging_numbers:
            heading = Heading(label, style, level, f"h{index}", running=label if block.level == 0 else None)
        else:
            heading = Heading(text, style, level, f"h{index}", number=number,
                              running=label if block.level == 0 else None)
        if block.level == 0 and layout.chapter_break != "none":
            first = "first" if layout.columns > 1 else "body"
            self.story += [NextPageTemplate(first), PageBreak()]
            if layout.chapter_break == "odd":
                self.story.append(BlankIfEven())
            self.story.append(heading)
            if layout.columns > 1:
                self.story += [NextPageTemplate("body"), FrameBreak()]
        else:
            if block.level == 0:
                self.story.append(CondPageBreak(6 * layout.leading))
            self.story.append(heading)
        # a quote next to each report title (compilation) or chapter heading (single report)
        if layout.pull_quotes and (index in self.report_at if self.report_at else block.level == 0):
            following = next((b for b in self.seed.blocks[index + 1:]
                              if isinstance(b, TextBlock) and b.kind == "body"), None)
            if following is not None and (quote := pull_quote_text(following.text)):
                self.story.append(PullQuote(quote, styles["quote"], layout, self.side))
        if layout.report_cards and index in self.report_at:
            self.story += self._facts(self.report_at[index], styles["card"], with_title=False)

    def _facts(self, report: dict, style: ParagraphStyle, with_title: bool,
               published: str | None = None) -> list[Flowable]:
        lines = []
        if published:
            lines.append(escape(published))
        if report["contractors"]:
            lines.append("<b>Oppdragstaker:</b> " + escape(" og ".join(report["contractors"])))
        if report["commissioner"]:
            lines.append("<b>Oppdragsgiver:</b> " + escape(report["commissioner"]))
        flowables: list[Flowable] = [Paragraph(line, style) for line in lines]
        if with_title and flowables:
            flowables.insert(0, Paragraph("Om rapporten", self.styles["box_title"]))
        return flowables

    # -- other blocks -------------------------------------------------------

    def _box(self, flowables: list[Flowable], framed_only: bool) -> Table:
        commands = [("BOX", (0, 0), (-1, -1), 0.75, ACCENT if framed_only else RULE_GREY),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]
        if not framed_only:
            commands.append(("BACKGROUND", (0, 0), (-1, -1), GREY_FILL))
        return Table([[flowables]], colWidths=[self.layout.column_width], style=TableStyle(commands),
                     hAlign="LEFT", spaceBefore=4, spaceAfter=10)

    def table(self, rows: list[list[str]]) -> Table:
        styles, layout = self.styles, self.layout
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        header_rows = 0
        while header_rows < len(rows) and rows[header_rows][0] == "":
            header_rows += 1
        spans = [(c - 1, r) for r in range(header_rows) for c in range(1, width)
                 if rows[r][c] == "" and rows[r][c - 1] != ""]
        cells = [[Paragraph(escape(cell), styles["table_head" if r < header_rows else "table"])
                  for cell in row] for r, row in enumerate(rows)]
        available = layout.column_width - (HANGING_NUMBER_ROOM if layout.hanging_numbers else 0)
        widths = _column_widths(rows, header_rows, available, styles)
        last_header = header_rows - 1
        commands = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, last_header), (-1, last_header), 0.5, colors.black),
            ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
            ("BACKGROUND", (0, 0), (-1, last_header), GREY_FILL),
        ] + [("SPAN", (c, r), (c + 1, r)) for c, r in spans]
        return Table(cells, colWidths=widths, repeatRows=header_rows, style=TableStyle(commands),
                     hAlign="RIGHT" if layout.hanging_numbers else "LEFT", spaceBefore=4, spaceAfter=10)

    def figure(self, block) -> Flowable:
        layout, styles = self.layout, self.styles
        if layout.side_column:
            return SideCaptionFigure(block.caption, styles["side_caption"], layout, self.side)
        stand_in = corpus.FigurePlaceholder(layout.figure_height)
        if layout.hanging_numbers:
            stand_in = Table([["", stand_in]], colWidths=[HANGING_NUMBER_ROOM, layout.column_width
                                                          - HANGING_NUMBER_ROOM],
                             style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        return KeepTogether([stand_in, Paragraph(escape(block.caption), styles["caption"])])

    def item(self, block, previous) -> Flowable:
        layout = self.layout
        bullet = block.label == "•"
        continues = isinstance(previous, ListItem) and (previous.label == "•") == bullet
        if not continues:
            if bullet:
                self.bullet_lists += 1
            else:
                self.numbered_lists += 1
        self.list_position = self.list_position + 1 if continues else 1
        style = self.styles["item"]
        if bullet:
            label = layout.bullets[(self.bullet_lists - 1) % len(layout.bullets)]
            if label in NUMBER_STYLES:
                label = list_label(label, self.list_position)
        else:
            number_style = layout.numbering[(self.numbered_lists - 1) % len(layout.numbering)]
            label = list_label(number_style, int(block.label.rstrip(".")))
        if len(layout.bullets) > 1:  # the list layout: hanging indents of different widths too
            extra = (self.bullet_lists + self.numbered_lists) % 3 * 6
            style = ParagraphStyle(f"item{extra}", style, leftIndent=style.leftIndent + extra)
        paragraph = Paragraph(corpus.inline_markup(block.text), style, bulletText=label)
        return self.with_footnotes(paragraph, block.text)

    def with_footnotes(self, flowable: Flowable, text: str) -> Flowable:
        return corpus._with_footnotes(flowable, text, self.seed, self.styles, self.used_notes)

    def sidebar(self, index: int) -> int:
        """A framed box with a short background section; returns the index after it."""
        blocks = self.seed.blocks
        end = index + 1
        while end < len(blocks) and isinstance(blocks[end], TextBlock) and blocks[end].kind == "body" \
                and not corpus.footnote_numbers(blocks[end].text):
            end += 1
        inside: list[Flowable] = [Paragraph(escape(blocks[index].text), self.styles["box_title"])]
        inside += [Paragraph(corpus.inline_markup(b.text), self.styles["box"]) for b in blocks[index + 1:end]]
        self.story.append(self._box(inside, framed_only=True))
        return end

    # -- the whole story ----------------------------------------------------

    def build(self) -> list[Flowable]:
        layout, styles, blocks = self.layout, self.styles, self.seed.blocks
        self.cover()
        if layout.contents:
            if layout.cover == "inline":
                raise ValueError("innholdsfortegnelse krever forside")
            self.contents()
        index = 0
        while index < len(blocks):
            block = blocks[index]
            previous = blocks[index - 1] if index else None
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            index += 1
            if isinstance(block, HeadingBlock):
                if layout.sidebars and block.level == 2 and block.text in SIDEBAR_HEADINGS:
                    index = self.sidebar(index - 1)
                elif (layout.minor_style == "runin" and block.level == 2 and isinstance(following, TextBlock)
                      and following.kind == "body"):
                    markup = f"<b>{escape(block.text)}</b> {corpus.inline_markup(following.text)}"
                    self.story.append(self.with_footnotes(Paragraph(markup, styles["body"]), following.text))
                    index += 1
                else:
                    self.heading(index - 1, block)
                continue
            if isinstance(block, ListItem):
                self.story.append(self.item(block, previous))
            elif isinstance(block, TableBlock):
                self.story.append(self.table(block.rows))
            elif isinstance(block, FigureBlock):
                self.story.append(self.figure(block))
            elif block.kind == "published":
                if index - 1 not in self.facts_box_at:
                    self.story.append(Paragraph(escape(block.text), styles["published"]))
            else:
                self.story.append(self.with_footnotes(
                    Paragraph(corpus.inline_markup(block.text), styles["body"]), block.text))
            if index - 1 in self.facts_box_at:
                report = self.facts_box_at[index - 1]
                published = block.text if isinstance(block, TextBlock) and block.kind == "published" else None
                inside = self._facts(report, styles["box"], with_title=True, published=published)
                if inside:
                    self.story.append(self._box(inside, framed_only=False))
        if unused := sorted(set(self.seed.footnotes) - self.used_notes):
            raise ValueError(f"fotnoter uten henvisning i teksten: {unused}")
        return self.story


# --------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------

def build_one(layout_name: str, seed_key: str, out_dir: str) -> tuple[str, int, float]:
    """Typeset one seed in one layout and write its gold; returns (name, pages, seconds)."""
    started = time.perf_counter()
    corpus.register_fonts()
    corpus.adapt_reportlab_hyphenation()
    layout, spec = LAYOUT_BY_NAME[layout_name], SEED_BY_KEY[seed_key]
    seed = load_seed(spec)
    gold = seed_gold(seed)
    name = output_name(layout, spec)
    pdf = Path(out_dir) / f"{name}.pdf"
    doc = LayoutDocument(str(pdf), seed, spec, layout)
    story = StoryBuilder(seed, spec, layout, gold, doc.side).build()
    if layout.contents:
        doc.multiBuild(story)
    else:
        doc.build(story)
    document = {
        "source": pdf.name,
        "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(),
        "note": gold_note(gold),
        "reports": gold,
    }
    (Path(out_dir) / f"{name}.gold.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return name, doc.page, time.perf_counter() - started


def build_layouts(out_dir: Path = DEFAULT_OUT, names: Iterable[str] | None = None,
                  jobs: int = 1, report: Callable[[str], None] | None = None) -> list[tuple[str, int, float]]:
    """Build the named layouts (all by default) for every seed into out_dir."""
    names = list(names or LAYOUT_BY_NAME)
    if unknown := [name for name in names if name not in LAYOUT_BY_NAME]:
        raise KeyError(f"ukjent layout: {', '.join(unknown)} (kjente: {', '.join(LAYOUT_BY_NAME)})")
    if missing := corpus.missing_fonts():
        raise FileNotFoundError("Fant ikke DejaVu-fontene: " + ", ".join(str(path) for path in missing))
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(name, spec.key, str(out_dir)) for name in names for spec in SEEDS]
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(build_one, *zip(*tasks, strict=True)))
    else:
        results = [build_one(*task) for task in tasks]
    for name, pages, seconds in results:
        if report:
            report(f"{name}.pdf: {pages} sider, {seconds:.1f} s")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Setter kildetekstene i corpus/source/ i andre layouter, "
                                                 "med fasit (gold) for uttrekket.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="mappe PDF-ene og fasitene skrives til (standard: bench/generated/layouts/)")
    parser.add_argument("--layout", action="append", choices=list(LAYOUT_BY_NAME), metavar="NAME",
                        help="bygg bare denne layouten (kan gjentas); kjente: " + ", ".join(LAYOUT_BY_NAME))
    parser.add_argument("--jobs", type=int, default=1, help="antall prosesser (standard: 1)")
    parser.add_argument("--quiet", action="store_true", help="ikke skriv ut noe")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        build_layouts(args.out, args.layout, args.jobs, None if args.quiet else print)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"{time.perf_counter() - started:.1f} s i alt, skrevet til {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
