"""The layout rules of docs/extraction.md, one by one, on small hand-made pages and tiny PDFs,
and on the real reports in ../shared/realpdfs when they are there."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.extract.blocks import Block, build_blocks
from indexer.extract.cleaning import remove_running_lines, running_lines
from indexer.extract.glyphs import repair_glyphs
from indexer.extract.pdftext import Line, OutlineEntry, read_pdf, reading_order
from indexer.extract.pipeline import _is_word, extract_document
from indexer.records import Furniture

H, W = 842.0, 595.0


def frag(text, x0, top, *, x1=None, size=10.0, page=1, bold=False, font="Serif", italic=False, lead=""):
    """A text line as pdfminer hands it over (5 pt a character unless told)."""
    return Line(text=text, page=page, x0=x0, x1=x1 if x1 is not None else x0 + 5 * len(text), top=top,
                bottom=top + size * 1.2, size=size, bold=bold, italic=italic, link=False, link_chars=0,
                page_height=H, page_width=W, font=font, lead=lead)


def accept_all(word):
    return True


def texts(lines):
    return [line.text for line in lines]


# --- reading order -------------------------------------------------------------------------


def column(words, x0, x1, top, pitch=14.0, page=1, size=10.0):
    return [frag(f"{w} spalte linje {i} med litt tekst", x0, top + pitch * i, x1=x1, page=page, size=size)
            for i, w in enumerate(words)]


def test_two_columns_read_column_by_column_even_when_their_baselines_line_up():
    left = column(["venstre"] * 6, 60, 280, 100)
    right = column(["høyre"] * 6, 306, 530, 100)
    ordered = texts(reading_order(right + left))
    assert ordered == texts(left) + texts(right)


def test_a_full_width_heading_stands_over_both_columns():
    heading = frag("En overskrift som går over begge spaltene på siden", 60, 60, x1=530, size=16)
    left = column(["venstre"] * 5, 60, 280, 100)
    right = column(["høyre"] * 5, 306, 530, 100)
    ordered = reading_order(left + right + [heading])
    assert texts(ordered) == [heading.text] + texts(left) + texts(right)
    assert len({line.region for line in ordered}) == 3


def test_a_page_with_a_one_column_part_over_two_columns():
    top = [frag(f"Helbredde linje {i} som går fra marg til marg over hele siden", 60, 60 + 14 * i, x1=530)
           for i in range(4)]
    short_end = frag("slutt.", 60, 116, x1=90)  # the full-width paragraph's last line is short
    left = column(["venstre"] * 5, 60, 280, 150)
    right = column(["høyre"] * 5, 306, 530, 150)
    ordered = texts(reading_order(right + left + [short_end] + top))
    assert ordered == texts(top) + [short_end.text] + texts(left) + texts(right)


def test_three_columns():
    cols = [column([name] * 5, x0, x0 + 150, 100) for name, x0 in (("første", 50), ("andre", 220), ("tredje", 390))]
    ordered = texts(reading_order(cols[2] + cols[0] + cols[1]))
    assert ordered == texts(cols[0]) + texts(cols[1]) + texts(cols[2])


def test_centred_columns_without_a_shared_left_edge():
    left = [frag(f"Punkt {i} i venstre spalte", 60 + 7 * (i % 3), 100 + 14 * i, x1=240 - 7 * (i % 3)) for i in range(5)]
    right = [frag(f"Punkt {i} i høyre spalte", 320 + 9 * (i % 2), 100 + 14 * i, x1=500 - 9 * (i % 2)) for i in range(5)]
    assert texts(reading_order(left + right)) == texts(left) + texts(right)


def test_a_widely_spaced_line_split_by_pdfminer_is_one_line_in_word_order():
    """pdfminer puts a word of a stretched justified line in a box of its own; none is lost."""
    left = column(["venstre"] * 4, 60, 280, 100)
    right = column(["høyre"] * 4, 306, 530, 100)
    pieces = [frag("en «innlåsningseffekt» de første", 168, 156, x1=280), frag("har", 146, 156, x1=160),
              frag("Introduksjonsprogrammet", 60, 156, x1=140)]
    ordered = texts(reading_order(pieces + right + left))
    assert "Introduksjonsprogrammet har en «innlåsningseffekt» de første" in ordered
    assert ordered.index(texts(left)[-1]) < ordered.index("Introduksjonsprogrammet har en «innlåsningseffekt» de første")
    words = sorted(" ".join(texts(pieces + left + right)).split())
    assert sorted(" ".join(ordered).split()) == words


def test_a_pull_quote_across_the_gutter_is_read_after_the_columns_not_inside_them():
    left = column(["venstre"] * 8, 60, 280, 100)
    right = column(["høyre"] * 8, 306, 530, 100)
    quote = frag("«Et sitat satt stort over spaltemellomrommet»", 200, 150, x1=400, size=14)
    ordered = texts(reading_order(left + right + [quote]))
    assert ordered == texts(left) + texts(right) + [quote.text]


# --- tables ----------------------------------------------------------------------------------


def test_table_cells_are_kept_as_rows():
    rows = [("Humaniora", "61,8", "57,8"), ("Samfunnsfag", "63,5", "57,9"), ("Realfag og teknologi", "26,0", "28,4"),
            ("Alle", "54,7", "47,4")]
    cells = []
    for i, (label, a, b) in enumerate(rows):
        top = 300 + 11 * i
        cells += [frag(label, 80, top, x1=80 + 3.5 * len(label), size=8), frag(a, 180, top, x1=194, size=8),
                  frag(b, 236, top, x1=250, size=8)]
    lines = reading_order(cells)
    assert texts(lines) == [" ".join(row) for row in rows]
    assert all(line.cells == 3 for line in lines)
    body = [frag(f"Setning nummer {i} i teksten om kvinneandeler.", 60, 100 + 14 * i, x1=400) for i in range(12)]
    blocks, _ = build_blocks([body + lines], accept_all)
    table = [b for b in blocks if b.table]
    assert len(table) == 1 and table[0].text.split("\n") == [" ".join(row) for row in rows]


def test_the_wide_word_gaps_of_one_stretched_line_are_no_table():
    pieces = [frag("munedirektør,", 57, 200, x1=120), frag("integreringsansvarlig", 150, 200, x1=250),
              frag("og", 275, 200, x1=286)]
    rest = [frag(f"Linje {i} i samme avsnitt med vanlig ordmellomrom og tekst.", 57, 214 + 14 * i, x1=286)
            for i in range(3)]
    lines = reading_order(pieces + rest)
    assert lines[0].text == "munedirektør, integreringsansvarlig og" and lines[0].cells == 1


def test_a_text_column_beside_a_table_in_the_other_column_is_still_a_column():
    # The left column holds a small table over its running text; the right column is text.
    table = []
    for i in range(8):
        table += [frag(f"Rad {i}", 60, 100 + 14 * i, x1=100), frag(f"{10 + i} (75 %)", 210, 100 + 14 * i, x1=255)]
    left = column(["venstre"] * 7, 60, 280, 100 + 14 * 8)
    right = column(["høyre"] * 15, 306, 530, 100)
    ordered = texts(reading_order(table + left + right))
    assert ordered[-15:] == texts(right)
    assert ordered.index(texts(left)[-1]) < ordered.index(texts(right)[0])


def test_labels_beside_their_texts_are_read_with_them_line_by_line():
    rows = []
    for n, top in ((1, 300), (2, 326)):
        rows += [frag(f"Tiltak {n}:", 107, top, x1=148, bold=True),
                 frag(f"Utarbeide sett med standardiserte egenskapsverdier nummer {n}", 178, top, x1=517),
                 frag("for utvalgte egenskaper.", 178, top + 12, x1=300)]
    lines = reading_order(rows)
    assert texts(lines)[0] == "Tiltak 1: Utarbeide sett med standardiserte egenskapsverdier nummer 1"
    assert all(line.cells == 1 for line in lines)
    assert lines[0].lead == "Tiltak 1:"
    blocks, _ = build_blocks([lines], accept_all)
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", f"Tiltak {n}: Utarbeide sett med standardiserte egenskapsverdier nummer {n} for utvalgte egenskaper.")
        for n in (1, 2)]


# --- running heads and page furniture -------------------------------------------------------


def book(pages=12, chapter_at=7):
    """An anthology: book title over even pages, chapter title over odd pages, page numbers."""
    out = []
    for n in range(1, pages + 1):
        chapter = "kjønnsbalanse i tellekantenes tid" if n < chapter_at else "hva slags problem er kjønnsulikhet?"
        head = frag("kjønn og akademia" if n % 2 == 0 else chapter, 75 if n % 2 == 0 else 300, 204, size=11,
                    font="Sans", page=n)
        body = [frag(f"Brødtekst {n}.{i} om likestilling i akademia, med nok ord til en linje.", 75, 234 + 15 * i,
                     x1=406, size=11, page=n) for i in range(30)]
        number = frag(str(n), 75 if n % 2 == 0 else 396, 789, size=11, page=n)
        out.append([head, *body, number])
    return out


def test_running_heads_alternating_between_book_and_chapter_titles_are_furniture():
    pages = book()
    removed: list[Furniture] = []
    cleaned = remove_running_lines(pages, removed)
    assert all(not line.text[0].isdigit() and "Brødtekst" in line.text for page in cleaned for line in page)
    assert {f.text for f in removed if f.kind == "header"} == {
        "kjønn og akademia", "kjønnsbalanse i tellekantenes tid", "hva slags problem er kjønnsulikhet?"}
    assert sum(f.kind == "page_number" for f in removed) == 12


def test_a_chapter_title_running_on_only_two_pages_goes_by_its_place_and_type():
    pages = book(pages=12, chapter_at=10)  # the second chapter's title heads only pages 11 (and 13, not printed)
    found = running_lines(pages)
    heads = [line for page in pages for line in page if line.top == 204]
    assert all(id(line) in found for line in heads)


def test_numbered_headings_at_the_top_of_chapters_are_not_running_heads():
    pages = []
    for n in range(1, 8):
        page = 2 * n - 1  # each chapter opens on a right-hand page
        pages.append([frag(f"4.{n}.1. Introduksjon", 108, 108, size=12, font="Calibri", page=page),
                      *[frag(f"Tekst {n}.{i} om regelverk for modeller og leveranser.", 72, 137 + 13 * i, x1=500,
                             size=11, font="Calibri", page=page) for i in range(20)]])
    cleaned = remove_running_lines(pages)
    assert all(page[0].text.endswith("Introduksjon") for page in cleaned)


def test_the_same_words_in_heading_type_are_kept_under_a_running_head():
    pages = []
    for n in range(1, 8):
        heading = [frag("Sammendrag", 54, 57, size=15, bold=True, page=n)] if n == 1 else []
        pages.append([frag("Sammendrag", 325, 26, size=8, page=n), *heading,
                      *[frag(f"Tekst om integrering i kommunene, linje {'abcdefghijklmnopqrstuvwxyzæøå'[i]}.", 54,
                             120 + 12.6 * i, x1=375, size=9, page=n) for i in range(29)]])
    cleaned = remove_running_lines(pages)
    assert [line.text for line in cleaned[0][:2]] == ["Sammendrag", "Tekst om integrering i kommunene, linje a."]
    assert cleaned[0][0].size == 15
    assert all(len(page) == 29 for page in cleaned[1:])


def test_decorated_page_numbers_and_angled_text_are_furniture():
    pages = []
    for n in range(1, 5):
        credit = frag("Foto: Ola Nordmann/NTB", 20, 300, x1=26, page=n)
        credit.rotated, credit.size = True, 0.0
        pages.append([*[frag(f"Tekst {n}.{i} om saken.", 72, 100 + 14 * i, x1=400, page=n) for i in range(20)],
                      frag(f"– {n} –", 280, 800, page=n), credit])
    removed: list[Furniture] = []
    cleaned = remove_running_lines(pages, removed)
    assert all(len(page) == 20 for page in cleaned)
    assert sorted({f.kind for f in removed}) == ["page_number", "rotated"]


# --- list items -----------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["•", "▪", "■", "◦", "–", "-", "✓", "➢", "1.", "1)", "(1)", "a)"])
def test_every_bullet_and_number_style_with_a_hanging_indent(marker):
    lead = [frag("Hovedfunn i rapporten er disse:", 72, 100)]
    items = []
    for i in range(3):
        top = 120 + 40 * i
        items += [frag(f"{marker} Funn nummer {i} som er langt nok til å gå over", 72, top),
                  frag("to linjer med hengende innrykk.", 86, top + 14)]
    blocks, _ = build_blocks([lead + items], accept_all)
    found = [b for b in blocks if b.kind == "item"]
    assert [b.text for b in found] == [f"Funn nummer {i} som er langt nok til å gå over to linjer med hengende innrykk."
                                       for i in range(3)]


def test_a_dash_opening_a_line_inside_a_sentence_is_no_list_item():
    lines = [frag("Det forsterker konfliktlinjer og skaper mistillit", 60, 100),
             frag("– både til myndighetene og innad i befolkningen.", 60, 114),
             frag("Neste avsnitt begynner her og handler om noe annet.", 60, 140)]
    blocks, _ = build_blocks([lines], accept_all)
    assert blocks[0].kind == "paragraph" and blocks[0].text.endswith("innad i befolkningen.")


def test_a_symbol_the_document_uses_as_its_bullet_is_one():
    """A bullet from a symbol font without Unicode names reads as some other sign ("@")."""
    lines = [frag("Anbefalinger:", 72, 90, bold=True)]
    for i in range(3):
        lines += [frag(f"@ Anbefaling {i} om sikring av viktige", 72, 110 + 30 * i), frag("samfunnsfunksjoner.", 84, 124 + 30 * i)]
    blocks, _ = build_blocks([lines], accept_all)
    assert [b.kind for b in blocks] == ["heading", "item", "item", "item"]
    assert blocks[1].text == "Anbefaling 0 om sikring av viktige samfunnsfunksjoner."


# --- headings --------------------------------------------------------------------------------


def report_pages():
    body = "Tekst om modellbaserte leveranser og regelverk for samferdselskonstruksjoner i dag."
    pages = []
    for n in range(1, 4):
        page = [frag(f"4.{n}. Kapittel {n}", 90, 74, size=13, font="Calibri")]
        top = 110.0
        for s in range(2):
            page.append(frag(f"4.{n}.{s + 1}. Seksjon om tema {s}", 108, top, size=12, font="Calibri"))
            top += 28
            for _ in range(8):
                page.append(frag(body, 72, top, x1=500, size=11, font="Calibri"))
                top += 13.4
            top += 14
        pages.append(page)
    return pages


def test_headings_one_point_over_the_body_are_headings_when_that_type_only_sets_headings():
    blocks, _ = build_blocks(report_pages(), accept_all)
    headings = [(b.text, b.level) for b in blocks if b.kind == "heading"]
    assert headings[:3] == [("4.1. Kapittel 1", 1), ("4.1.1. Seksjon om tema 0", 2), ("4.1.2. Seksjon om tema 1", 2)]


def test_bold_box_heading_in_small_type_but_not_a_bold_passage():
    body = [frag(f"Brødtekst {i} i ti punkt, en vanlig linje i spalten.", 60, 100 + 12.5 * i, x1=290) for i in range(10)]
    box = [frag("Påvirkningsoperasjoner utnytter KI", 76, 250, size=9, bold=True),
           *[frag(f"Boksens tekst {i} i ni punkt om falske profiler.", 76, 270 + 12 * i, x1=270, size=9)
             for i in range(4)]]
    bold_passage = [frag(f"NSM mener at det bør prioriteres å etablere {i}", 60, 340 + 12.5 * i, x1=290, bold=True)
                    for i in range(5)]
    blocks, _ = build_blocks([body + box + bold_passage], accept_all)
    assert [b.text for b in blocks if b.kind == "heading"] == ["Påvirkningsoperasjoner utnytter KI"]


def test_outline_titles_give_headings_and_levels_also_over_two_lines():
    page = [frag("Innledning", 60, 60, size=14),
            frag("Hva slags problem er kjønns-", 60, 100, size=11, font="Sans"),
            frag("ulikhet i akademia?", 60, 113, size=11, font="Sans"),
            *[frag(f"Brødtekst {i} om akademia og likestilling i Norge.", 60, 140 + 15 * i, x1=400, size=11) for i in range(10)]]
    outline = [OutlineEntry(1, "Innledning", 1), OutlineEntry(2, "Hva slags problem er kjønnsulikhet i akademia?", 1)]
    blocks, _ = build_blocks([page], accept_all, outline)
    assert [(b.text, b.level) for b in blocks if b.kind == "heading"] == [
        ("Innledning", 1), ("Hva slags problem er kjønnsulikhet i akademia?", 2)]


def test_a_run_in_bold_heading_is_split_from_its_paragraph():
    lines = [frag("Arbeid og kvalifisering Generelt er kommunene tilfredse med både kvaliteten", 102, 100, x1=530,
                  lead="Arbeid og kvalifisering"),
             frag("og arbeidet de gjør for å kvalifisere innvandrere til arbeid.", 102, 114, x1=400)]
    blocks, _ = build_blocks([lines], accept_all)
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Arbeid og kvalifisering"),
        ("paragraph", "Generelt er kommunene tilfredse med både kvaliteten og arbeidet de gjør for å kvalifisere "
                      "innvandrere til arbeid.")]


def test_labelled_lines_each_with_a_bold_lead_are_one_block_each_and_no_heading():
    lines = [frag(f"Tiltak {n} – {title}", 107, 662 + 11.5 * n, x1=450, lead=f"Tiltak {n}")
             for n, title in enumerate(["Praktisk implementering av egenskapssettene i prosjekter",
                                        "Vedlikehold og tilbakemeldinger", "Samhandling mellom byggherrene"], start=1)]
    blocks, _ = build_blocks([lines], accept_all)
    assert [(b.kind, b.text) for b in blocks] == [("paragraph", line.text) for line in lines]


def test_a_label_heading_and_its_one_line_value_are_one_text():
    body = [frag(f"Brødtekst {i} i rapporten om forslag til regelverk for modeller.", 72, 100 + 14 * i, x1=500)
            for i in range(8)]
    pairs = [frag("Type:", 72, 262, bold=True), frag("Anbefaling for videre standardiseringsarbeid.", 72, 276),
             frag("Begrunnelse/kommentar:", 72, 303, bold=True),
             frag("Et mer detaljert og utfyllende regelverk vil redusere ressursbehovet ved", 72, 316, x1=500),
             frag("produksjon av modeller og minske usikkerheten rundt fremdrift.", 72, 330, x1=400)]
    blocks, _ = build_blocks([body + pairs], accept_all)
    kinds = [(b.kind, b.text[:30]) for b in blocks[1:]]
    assert kinds == [("paragraph", "Type: Anbefaling for videre st"), ("heading", "Begrunnelse/kommentar:"),
                     ("paragraph", "Et mer detaljert og utfyllende")]


def test_a_laws_section_headings_are_headings_and_named_without_their_number():
    from indexer.extract.segmentation import heading_name

    page = [frag("§ 3. Tilsyn mv.", 71, 133, bold=True, italic=True, size=11),
            *[frag(f"({i}) Finanstilsynet fører tilsyn med at bestemmelsene i loven her følges.", 71, 160 + 14 * i,
                   x1=530, size=11) for i in range(1, 6)],
            frag("§ 4 Overtredelsesgebyr", 71, 260, bold=True, italic=True, size=11),
            frag("Finanstilsynet kan ilegge overtredelsesgebyr ved overtredelse av bestemmelsene.", 71, 280,
                 x1=530, size=11),
            frag("Departementet gir forskrift om utmåling, jf. § 1.", 71, 294, size=11)]
    blocks, _ = build_blocks([page], accept_all)
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings == ["§ 3. Tilsyn mv.", "§ 4 Overtredelsesgebyr"]
    assert [heading_name(text) for text in headings] == ["Tilsyn mv.", "Overtredelsesgebyr"]


def test_text_beside_the_running_text_does_not_break_its_word():
    # A narrow note in the margin between the lines of a column: "ap-" / "Department" / "ply".
    lines = [frag("of 2007, the following instructional changes ap-", 402, 277, x1=570, size=8),
             frag("Department", 42, 281, x1=84, size=8),
             frag("ply when completing the 2007 Form 1040 (or", 402, 286, x1=570, size=8),
             frag("of the", 42, 291, x1=62, size=8),
             frag("for the paper and online versions.", 402, 296, x1=570, size=8)]
    blocks, _ = build_blocks([lines], lambda word: word.lower() == "apply")
    assert [b.text for b in blocks] == [
        "of 2007, the following instructional changes apply when completing the 2007 Form 1040 (or "
        "for the paper and online versions.", "Department", "of the"]


def test_an_indented_first_line_goes_on_in_the_next_column_with_a_capital():
    left = [frag("Vi er som nasjon utsatt for et dynamisk", 62, 100, x1=214, size=8.5),
            *[frag(f"trusselbilde linje {i} der fremmede stater", 54, 112 + 12 * i, x1=210, size=8.5) for i in range(6)],
            frag("sabotere også endrer seg.", 54, 184, x1=177, size=8.5),
            frag("Politiets sikkerhetstjeneste (PST) og", 62, 196, x1=200, size=8.5)]
    right = [frag(f"Etterretningstjenesten forteller oss {i}", 232, 100 + 12 * i, x1=395, size=8.5) for i in range(9)]
    blocks, _ = build_blocks([reading_order(left + right)], accept_all)
    assert any(b.text.startswith("Politiets sikkerhetstjeneste (PST) og Etterretningstjenesten forteller") for b in blocks)


def test_chart_labels_and_a_tables_cells_are_one_block_each():
    body = [frag(f"Brødtekst {i} om forskere ved klimaforskningsmiljøene i Norge.", 75, 100 + 15 * i, x1=407, size=11)
            for i in range(6)]
    chart = [frag(f"{100 - 10 * i} %", 101, 200 + 14 * i, size=9.4, font="Sans") for i in range(5)]
    chart += [frag("Utenlandsfødte kvinner", 145, 280, size=9.4, font="Sans"),
              frag("Norskfødte kvinner", 145, 294, size=9.4, font="Sans")]
    caption = [frag("Figur 11.1 Forskere etter kjønn og regional bakgrunn.", 75, 330, size=10.1, italic=True)]
    table = [frag("Tabell 5.1 Kjønnsforskjeller i publiseringsmønstre", 75, 380, size=10.1),
             frag("Etter kontroll for komposisjonelle variabler", 75, 400, size=10.5),
             frag("Kjønnsforskjeller sterkt redusert", 75, 420, size=10.5),
             frag("Uklart mønster", 75, 440, size=10.5),
             frag("Kilde: Forenklet versjon av tabell i Nygaard (2022).", 75, 460, size=10.1)]
    more = [frag(f"Mer brødtekst {i} om publiseringsanalysen og kjønn i akademia.", 75, 500 + 15 * i, x1=407, size=11)
            for i in range(6)]
    blocks, _ = build_blocks([body + chart + caption + table + more], accept_all)
    figure_text = [" ".join(b.text.split()) for b in blocks if b.table]
    assert figure_text == ["100 % 90 % 80 % 70 % 60 % Utenlandsfødte kvinner Norskfødte kvinner",
                           "Etter kontroll for komposisjonelle variabler Kjønnsforskjeller sterkt redusert Uklart mønster"]


def test_a_large_introduction_is_a_paragraph_not_a_heading():
    lines = [frag("Scenarioer som for få år siden virket utenkelige, er i dag realistiske.", 60, 100, size=12),
             frag("Sabotasjeaksjoner i Norge er sannsynlig. Norske virksomheter kan ikke", 60, 115, size=12),
             frag("vente på ytterligere advarsler. Tiltak må prioriteres i dag.", 60, 130, size=12),
             *[frag(f"Brødtekst {i} om sikring mot sabotasje og innsidere.", 60, 160 + 12.5 * i, x1=290) for i in range(12)]]
    blocks, _ = build_blocks([lines], accept_all)
    assert blocks[0].kind == "paragraph" and blocks[0].text.endswith("Tiltak må prioriteres i dag.")


# --- paragraphs over breaks, boxes and quotes ------------------------------------------------


def test_a_paragraph_carries_on_over_a_column_break_past_a_box():
    left = [frag(f"Venstre spalte linje {i} med løpende tekst om", 60, 100 + 12.5 * i, x1=290) for i in range(8)]
    left[-1].text = "tilgang for å sabotere, modifisere eller hente ut"
    box = [frag("Ansvarsdeling ved bruk av skytjenester", 320, 100, size=11, bold=True),
           frag("Virksomheten har ansvar for sikring av egne verdier.", 320, 120, x1=530),
           frag("Plattformen har ansvar for resten av sikringen.", 320, 132.5, x1=530)]
    right = [frag("informasjon fra disse IKT-systemene. Problemstillingen", 320, 300, x1=530),
             frag("omfatter konti og tilganger til systemene.", 320, 312.5, x1=500)]
    lines = reading_order(left + box + right)
    blocks, _ = build_blocks([lines], accept_all)
    carried = [b for b in blocks if "hente ut informasjon fra disse IKT-systemene" in b.text]
    assert len(carried) == 1 and carried[0].text.endswith("tilganger til systemene.")
    assert any(b.text.startswith("Virksomheten har ansvar") for b in blocks)  # the box is its own block


def test_a_list_item_carries_on_over_a_page_break():
    page1 = [frag(f"Innledende setning nummer {i}.", 72, 100 + 14 * i) for i in range(10)]
    page1 += [frag("• Gjenbruk av modeller gir for mange", 72, 260), frag("oppdragsgivere og for gjenbruk", 84, 274)]
    page2 = [frag("en merkostnad / ulempe.", 84, 100, page=2), frag("Neste avsnitt handler om noe annet.", 72, 130, page=2)]
    blocks, _ = build_blocks([page1, page2], accept_all)
    item = next(b for b in blocks if b.kind == "item")
    assert item.text == "Gjenbruk av modeller gir for mange oppdragsgivere og for gjenbruk en merkostnad / ulempe."
    assert not any(b.text == "en merkostnad / ulempe." for b in blocks)


def test_a_pull_quote_repeating_the_text_is_display_text():
    quote = [frag(text, 45, 326 + 14.7 * i, x1=170, size=11) for i, text in enumerate(
        ["Hovedfunn er at resul-", "tatene er stabile, men", "varierer mellom ord-", "ningene."])]
    body = [frag("Jobbsjansen er evaluert. Hovedfunn er at resultatene er stabile, men", 195, 318, x1=545, size=9.5),
            frag("varierer mellom ordningene. Rapporten ser også på deltakerne.", 195, 331.5, x1=500, size=9.5)]
    body += [frag(f"Mer tekst {i} om ordningen og deltakerne i programmet.", 195, 350 + 13.5 * i, x1=545, size=9.5)
             for i in range(10)]
    blocks, _ = build_blocks([reading_order(quote + body)], accept_all)
    quoted = [b for b in blocks if b.text.startswith("Hovedfunn er at resultatene")]
    assert len(quoted) == 1 and quoted[0].kind == "caption"


def test_centred_lines_are_one_paragraph():
    lines = [frag("Nyere produktversjoner har tettet flere", 78, 407, x1=229),
             frag("sikkerhetshull enn eldre versjoner, og de har ofte", 58, 418, x1=249),
             frag("flere og bedre sikkerhetsfunksjoner.", 91, 429, x1=216)]
    blocks, _ = build_blocks([lines], accept_all)
    assert len(blocks) == 1


# --- a text layer that maps ligature glyphs wrongly ------------------------------------------


def test_ligature_glyphs_mapped_to_wrong_characters_are_read_as_their_letters():
    lines = [frag("Virksomhetene må prioritere akDviteter som gir besky>else.", 60, 100, font="Broken"),
             frag("Dltak for informasjonssikkerhet og sikkerhetsakDviteter bør", 60, 114, font="Broken"),
             frag("gjelde insDtusjoner, ne>verk og posiDve endringer e>er angrep.", 60, 128, font="Broken"),
             frag("iPhone og IaaS står som de står, og Dette også.", 60, 142, font="Other")]
    assert repair_glyphs([lines], _is_word) >= 7
    assert texts(lines) == [
        "Virksomhetene må prioritere aktiviteter som gir beskyttelse.",
        "tiltak for informasjonssikkerhet og sikkerhetsaktiviteter bør",
        "gjelde institusjoner, nettverk og positive endringer etter angrep.",
        "iPhone og IaaS står som de står, og Dette også."]


def test_a_text_layer_without_broken_glyphs_is_left_alone():
    lines = [frag("Rapporten bruker IaaS, PaaS og BIM i eRulemaking og McDonalds.", 60, 100) for _ in range(4)]
    assert repair_glyphs([lines], _is_word) == 0


# --- a tiny PDF --------------------------------------------------------------------------------


def test_a_two_column_pdf_with_a_stretched_line_a_photo_credit_and_running_heads(tmp_path):
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    path = tmp_path / "tospalter.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(W, H))
    sentences = ["Kommunene har bosatt flere flyktninger enn før", "og arbeidet med kvalifisering er styrket",
                 "gjennom nye tiltak i introduksjonsprogrammet", "for deltakere med lite skolebakgrunn fra før"]
    chapters = {1: "Bosetting", 3: "Bosetting", 5: "Bosetting", 7: "Kvalifisering"}
    for page in range(1, 9):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(60, H - 40, "FoU-prosjekter 2019" if page % 2 == 0 else chapters[page])
        pdf.drawString(290, 40, str(page))
        pdf.setFont("Helvetica", 10)
        for i in range(16):
            y = H - 100 - 13 * i
            pdf.drawString(60, y, f"{sentences[i % 4]} {page}.{i}")
            if i == 5:  # a justified line stretched so wide that pdfminer splits it into words
                pdf.drawString(306, y, "Introduksjonsprogrammet")
                pdf.drawString(440, y, "har")
                pdf.drawString(470, y, "en innlåsningseffekt")
            else:
                pdf.drawString(306, y, f"høyre {sentences[(i + 2) % 4]} {page}.{i}")
        pdf.saveState()
        pdf.translate(30, 300)
        pdf.rotate(90)
        pdf.setFont("Helvetica", 6)
        pdf.drawString(0, 0, "Foto: Ola Nordmann")
        pdf.restoreState()
        pdf.showPage()
    pdf.save()
    lines = read_pdf(path).pages[0]
    body = [line.text for line in lines if not line.rotated]
    assert "Introduksjonsprogrammet har en innlåsningseffekt" in body
    assert body.index(f"{sentences[3]} 1.15") < body.index("Introduksjonsprogrammet har en innlåsningseffekt")
    assert [line.text for line in lines if line.rotated] == ["Foto: Ola Nordmann"]
    document = extract_document(path)
    texts_out = [p.text for r in document.reports for p in r.passages]
    assert any("Introduksjonsprogrammet har en innlåsningseffekt" in t for t in texts_out)
    assert not any(t in ("FoU-prosjekter 2019", "Bosetting", "Kvalifisering") for t in texts_out)
    assert {f.kind for f in document.furniture} >= {"header", "rotated"}


# --- the real reports --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def anthology(real_pdfs: Path):
    return extract_document(real_pdfs / "no" / "rbok_kap10_bok_fagbokforlaget_oa.pdf")


def test_no_passage_of_the_anthology_is_a_running_head(anthology):
    heads = {f.text.strip().lower() for f in anthology.furniture if f.kind in ("header", "footer")}
    assert {"kjønn og akademia", "introduksjon"} <= heads
    passages = [p.text.strip().lower() for r in anthology.reports for p in r.passages]
    assert not [p for p in passages if p in heads]
    assert not any(p.startswith("this work is licensed") for p in passages)


def test_the_anthology_has_few_fragments(anthology):
    fragments = [p.text for r in anthology.reports for p in r.passages
                 if len(p.text.split()) < 5 and not p.text.startswith("•") and p.section != "Fotnoter"]
    assert len(fragments) < 40, fragments


def test_real_two_column_pages_with_boxes_and_centred_columns(real_pdfs: Path):
    pdf = read_pdf(real_pdfs / "no" / "nsm_risiko_2021.pdf")
    page = [line.text for line in pdf.pages[24]]
    # Seven numbered principles in two centred columns: the left column is read first.
    assert page.index("skybaserte (cloud native).") < page.index("Plattformene støtter")
    blocks, _ = build_blocks(remove_running_lines(pdf.pages), _is_word, pdf.outline)
    text = " ".join(b.text for b in blocks if b.page == 29)
    assert "hente ut informasjon fra disse IKT-systemene" in text


def test_real_headings_over_two_lines_and_one_point_over_the_body(real_pdfs: Path):
    pdf = read_pdf(real_pdfs / "no" / "nsm_risiko_2025.pdf")
    blocks, _ = build_blocks(remove_running_lines(pdf.pages), _is_word, pdf.outline)
    headings = {b.text for b in blocks if b.kind == "heading"}
    assert "En vedvarende krevende sikkerhetspolitisk situasjon" in headings
    pdf = read_pdf(real_pdfs / "no" / "rif_bim_behovsanalyse.pdf")
    blocks, _ = build_blocks(remove_running_lines(pdf.pages), _is_word, pdf.outline)
    assert {"4.2.1. Introduksjon", "4.2.2. Tydeligere regelverk"} <= {b.text for b in blocks if b.kind == "heading"}


def test_real_tables_are_rows(real_pdfs: Path):
    pdf = read_pdf(real_pdfs / "no" / "rbok_kap10_bok_fagbokforlaget_oa.pdf")
    page = [line.text for line in pdf.pages[78]]
    assert "Humaniora 61,8 57,8 37,7 6,7" in page
    assert any(re.fullmatch(r"Alle 54,7 47,4 28,4 5,8", t) for t in page)


# -- words accounted for ----------------------------------------------------------


def test_a_heading_with_no_text_of_its_own_is_recorded_as_furniture(tmp_path):
    from indexer.extract.pipeline import _unnamed_headings
    from indexer.extract.segmentation import DocumentContext, segment

    page = [frag("4. Resultater", 72, 40, size=16, bold=True, x1=200),
            frag("Kapittelet gir resultatene fra undersøkelsen i korte trekk.", 72, 60, x1=400),
            frag("4.2. Regelverk", 72, 80, size=14, bold=True, x1=200),
            frag("4.2.1. Introduksjon", 72, 110, size=12, bold=True, x1=200)] + [
        frag(f"Dette er setning nummer {i} i kapittelet om regelverk.", 72, 140 + 14 * i, x1=400) for i in range(8)]
    blocks, footnotes = build_blocks([page], accept_all)
    context = DocumentContext(sha256="0" * 64, title="Rapport", year=None, publisher=None,
                              contractors=[], commissioner=None, published=None)
    reports = segment(blocks, footnotes, context)
    unnamed = _unnamed_headings(blocks, reports, "Rapport")
    assert [(piece.kind, piece.text) for piece in unnamed] == [("heading", "Regelverk")]


def test_a_compilations_front_page_before_its_first_report_is_recorded():
    from indexer.extract.pipeline import _outside_reports

    blocks = [Block(kind="paragraph", text="Vedlegg 4 til årsrapporten", page=1),
              Block(kind="caption", text="Figur 1: Noe", page=1)]
    assert [(piece.kind, piece.text) for piece in _outside_reports(blocks)] == [
        ("front_matter", "Vedlegg 4 til årsrapporten")]
