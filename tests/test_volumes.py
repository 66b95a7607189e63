"""An edited volume: one report per chapter, with its title, byline, pages and the book's year."""
from __future__ import annotations

import json

import pytest

from indexer.extract.blocks import Block
from indexer.extract.pdftext import Line
from indexer.extract.pipeline import extract_document
from indexer.extract.segmentation import DocumentContext, segment_volume
from indexer.extract.volumes import person_names, read_volume

BODY = 11.0
TITLE = 26.0
SECTION = 17.0


def _block(kind: str, text: str, page: int, size: float = BODY, level: int = 0) -> Block:
    line = Line(text=text, page=page, x0=72.0, x1=72.0 + size * 0.5 * len(text), top=100.0, bottom=100.0 + size,
                size=size, bold=False, italic=False, link=False, link_chars=0, page_height=842.0, page_width=595.0)
    return Block(kind=kind, text=text, page=page, level=level, lines=[line])


def _heading(text: str, page: int, size: float = SECTION, level: int = 2) -> Block:
    return _block("heading", text, page, size, level)


def _paragraph(text: str, page: int, size: float = BODY) -> Block:
    return _block("paragraph", text, page, size)


PROSE = "Kvinner er fortsatt underrepresentert i de øverste stillingene ved universitetene i Norge."


def _chapter(page: int, number: int, title: str, subtitle: str | None, byline: str, citation: str | None) -> list[Block]:
    blocks = [_paragraph(citation, page, 9.0)] if citation else []
    blocks.append(_heading(str(number), page, 15.0, level=11))
    blocks.append(_heading(title, page, TITLE, level=1))
    if subtitle:
        blocks.append(_heading(subtitle, page, 20.0, level=8))
    blocks += [_heading(byline, page, 15.0, level=11), _heading("Innledning", page), _paragraph(PROSE, page),
               _heading("Konklusjon", page + 1), _paragraph(PROSE, page + 1),
               _heading("Referanser", page + 2, level=10), _paragraph("Acker, J. (1990). Hierarchies, jobs, bodies.", page + 2, 9.5)]
    return blocks


def _book() -> list[Block]:
    return [
        _heading("Kjønn og akademia", 1, 30.0, level=5),
        _paragraph("Boken ble første gang utgitt i 2022. ISBN 978-82-450-4418-8", 2, 9.5),
        _heading("Forord", 3, 28.0, level=1),
        _paragraph("Ideen til denne boken ble unnfanget da vi planla en markering av programmet.", 3),
        *_chapter(5, 1, "Hva slags problem er kjønnsulikhet i akademia?", None,
                  "Marte Mangset, Julia Orupabo, Liza Reisel og Mari Teigen", None),
        *_chapter(8, 2, "Likestilling i akademia", "Er eksellense for menn?", "Inge Henningsen og Knut Liestøl",
                  "Henningsen, I. & Liestøl, K. (2022). Likestilling i akademia. Er eksellense for menn? "
                  "I I.W. Owesen (Red.), Kjønn og akademia (s. 8–10). Fagbokforlaget."),
        *_chapter(11, 3, "Langsom karriereutvikling", "Mot en livsløpsstandard", "Gry Brandser", None),
        _heading("Forfatteromtaler", 14, 28.0, level=1),
        _heading("Gry Brandser", 14, BODY, level=14),
        _paragraph("er statsviter og professor ved fakultet for samfunnsvitenskap.", 14),
    ]


@pytest.mark.parametrize("byline, names", [
    ("Dag W. Aksnes, Fredrik N. Piro og Lynn P. Nygaard", ["Dag W. Aksnes", "Fredrik N. Piro", "Lynn P. Nygaard"]),
    ("Hanne Haaland, Rebecca W.B. Lund, May-Linda Magnussen og Hege Wallevik",
     ["Hanne Haaland", "Rebecca W.B. Lund", "May-Linda Magnussen", "Hege Wallevik"]),
    ("Sofia Moratti", ["Sofia Moratti"]),
    ("Jane Doe and Pieter van der Berg", ["Jane Doe", "Pieter van der Berg"]),
])
def test_a_byline_names_people(byline, names):
    assert person_names(byline) == names


@pytest.mark.parametrize("text", [
    "Likestilling i akademia", "Kjønnsdimensjonen", "Horizon 2020", "Edith Stein om emosjonell innlevelse",
    "Innledning", "Er eksellense for menn?", "Ingeborg W. Owesen og Helene Aarseth (red.)",
])
def test_titles_and_headings_are_no_byline(text):
    assert person_names(text) is None


def test_three_chapter_openings_make_a_volume_of_three_chapters():
    volume = read_volume(_book())
    assert volume is not None
    assert [c.title for c in volume.chapters] == [
        "Hva slags problem er kjønnsulikhet i akademia?",
        "Likestilling i akademia. Er eksellense for menn?",  # joined as the how-to-cite line joins them
        "Langsom karriereutvikling: Mot en livsløpsstandard",
    ]
    assert volume.chapters[1].authors == ["Inge Henningsen", "Knut Liestøl"]
    # The chapter's own sections, not its number, title or byline.
    assert [b.text for b in volume.chapters[2].blocks if b.kind == "heading"] == ["Innledning", "Konklusjon", "Referanser"]


def test_front_and_back_matter_belong_to_no_chapter():
    volume = read_volume(_book())
    assert volume is not None
    kinds = {(piece.kind, piece.text[:20]) for piece in volume.furniture}
    assert ("front_matter", "Ideen til denne boke") in kinds
    assert ("back_matter", "er statsviter og pro") in kinds
    assert ("citation", "Henningsen, I. & Lie") in kinds
    assert all(block.page < 14 for block in volume.chapters[-1].blocks)


def test_two_openings_are_no_volume():
    blocks = _book()
    third = next(i for i, b in enumerate(blocks) if b.text == "Langsom karriereutvikling")
    blocks[third + 2] = _heading("Om datagrunnlaget", 11, 15.0, level=11)  # no byline under the third title
    assert read_volume(blocks) is None


def test_a_report_with_chapters_but_no_bylines_is_no_volume():
    blocks = []
    for page, title in enumerate(["Innledning", "Metode", "Resultater", "Konklusjon"], start=2):
        blocks += [_heading(title, page, TITLE, level=1), _paragraph(PROSE, page)]
    assert read_volume(blocks) is None


def test_each_chapter_is_a_report_with_its_byline_pages_and_the_books_year():
    blocks = _book()
    blocks.insert(blocks.index(next(b for b in blocks if b.text == "Konklusjon")),
                  _paragraph("NIFU har gjennomført en undersøkelse på oppdrag fra Forskningsrådet om dette.", 6))
    volume = read_volume(blocks)
    assert volume is not None
    context = DocumentContext(sha256="0" * 64, title="Kjønn og akademia", year=2022, publisher=None, published="2022")
    reports = segment_volume(volume, [], context)
    first = reports[0]
    assert first.authors == ["Marte Mangset", "Julia Orupabo", "Liza Reisel", "Mari Teigen"]
    assert (first.page_start, first.page_end, first.year, first.year_inferred) == (5, 7, 2022, False)
    # A study the chapter cites is not the chapter's contractor or commissioner.
    assert (first.contractors, first.commissioner) == ([], None)
    assert "Innledning" in first.themes and "Konklusjon" in first.themes
    assert [r.title for r in reports][1:] == ["Likestilling i akademia. Er eksellense for menn?",
                                               "Langsom karriereutvikling: Mot en livsløpsstandard"]


# --- the anthology ------------------------------------------------------------------------

ANTHOLOGY = "5855f20c21757d9e5d9adfb479995f277508a3be45ce480b8fe44d78a98b81bb"


@pytest.fixture(scope="module")
def anthology(real_pdfs):
    return extract_document(real_pdfs / "no" / "rbok_kap10_bok_fagbokforlaget_oa.pdf")


def test_the_anthology_is_one_report_per_chapter_as_the_gold_has_them(anthology):
    from pathlib import Path

    gold = json.loads((Path(__file__).parent / "gold" / "realpdfs" / f"{ANTHOLOGY}.json").read_text(encoding="utf-8"))
    assert [r.title for r in anthology.reports] == [r["title"] for r in gold["reports"]]
    assert {r.year for r in anthology.reports} == {2022}
    assert all(r.authors for r in anthology.reports)
    publishing = next(r for r in anthology.reports if r.title.startswith("Kjønn og vitenskapelig publisering"))
    assert publishing.authors == ["Dag W. Aksnes", "Fredrik N. Piro", "Lynn P. Nygaard"]
    assert (publishing.page_start, publishing.page_end) == (93, 107)
    assert anthology.document_title == "Kjønn og akademia"


def test_one_chapter_on_its_own_stays_one_report(real_pdfs):
    document = extract_document(real_pdfs / "no" / "rbok_kap09_1_old.pdf")
    assert [r.title for r in document.reports] == ["Introduksjon"]


def test_records_written_before_authors_existed_still_load():
    from indexer.records import Document

    old = {"source": "a.pdf", "sha256": "0" * 64, "pages": 3, "document_title": "T", "furniture": [],
           "reports": [{"id": "r", "title": "T", "theme": None, "contractors": ["Fafo"], "commissioner": None,
                        "published": "2019", "year": 2019, "year_inferred": False, "lead": "", "page_start": 1,
                        "page_end": 3, "findings": [], "passages": [], "themes": []}]}
    document = Document.from_dict(old)
    assert document.reports[0].authors == []
    assert Document.from_dict(document.to_dict()) == document


def test_each_chapter_number_is_recorded_once_as_a_heading_number():
    volume = read_volume(_book())
    assert volume is not None
    numbers = [(piece.page, piece.text) for piece in volume.furniture if piece.kind == "heading_number"]
    assert numbers == [(5, "1"), (8, "2"), (11, "3")]


def test_a_chapters_authors_reach_the_api(tmp_path):
    from indexer import Engine
    from indexer.index.build import update_index
    from indexer.records import Document, Finding, Report

    report = Report(
        id="kap3", title="Kjønnsbalanse og samarbeid i globaliserte forskergrupper", theme=None, contractors=[],
        commissioner=None, published="2022", year=2022, year_inferred=False, lead="", page_start=93, page_end=107,
        findings=[Finding(id="kap3-f0", text="Kjønnsbalansen i globaliserte forskergrupper bedres sakte.",
                          page=104, section="Avsluttende diskusjon")],
        authors=["Dag W. Aksnes", "Fredrik N. Piro", "Lynn P. Nygaard"],
    )
    document = Document(source="antologi.pdf", sha256="", pages=263, document_title="Kjønn og akademia",
                        reports=[report])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "antologi.pdf").write_bytes(b"%PDF-1.4 stand-in")
    update_index(corpus, tmp_path / "index", workers=1, extractor=lambda path: document)
    engine = Engine(tmp_path / "index")
    detail = engine.report("kap3")
    assert detail is not None and detail.to_dict()["authors"] == ["Dag W. Aksnes", "Fredrik N. Piro", "Lynn P. Nygaard"]
    summary = next(r for r in engine.reports() if r.id == "kap3")
    assert summary.to_dict()["authors"] == detail.authors
    engine.close()
