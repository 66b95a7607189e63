"""Page furniture removal and block building, on small hand-made pages."""
import pytest

from indexer.extract.blocks import Block, build_blocks
from indexer.extract.cleaning import remove_contents, remove_running_lines
from indexer.extract.pdftext import Line
from indexer.extract.pipeline import is_colophon_text, join_signatures, set_apart_colophon
from indexer.records import Furniture

H, W = 842.0, 595.0


def line(text, page, top, size=10.0, x0=72.0, bold=False, link=False):
    return Line(text=text, page=page, x0=x0, x1=x0 + 6 * len(text), top=top, bottom=top + size * 1.2,
                size=size, bold=bold, italic=False, link=link,
                link_chars=len(text.replace(" ", "")) if link else 0, page_height=H, page_width=W)


def accept_all(word):
    return True


def test_running_header_footer_and_page_numbers_are_removed():
    pages = []
    for n in range(1, 6):
        pages.append([
            line("FoU-prosjekter 2019", n, 30),
            line(f"Tekst på side {n} om bosetting.", n, 200),
            line(f"Side {n}", n, 800),
            line(str(n + 2), n, 815),
        ])
    cleaned = remove_running_lines(pages)
    assert [[kept.text for kept in p] for p in cleaned] == [[f"Tekst på side {n} om bosetting."] for n in range(1, 6)]


def test_a_heading_repeated_in_the_body_is_kept():
    pages = [[line("Hovedfunn", n, 300, bold=True), line("Tekst.", n, 330)] for n in range(1, 6)]
    cleaned = remove_running_lines(pages)
    assert all(any(kept.text == "Hovedfunn" for kept in p) for p in cleaned)


def test_contents_page_is_removed_but_following_text_stays():
    contents = [
        line("Innhold", 1, 80, size=16, bold=True),
        line("1 Bosetting og tidlig innsats ........................ 3", 1, 120),
        line("Kunnskap om bosetting av flyktninger ............. 3", 1, 140),
        line("2 Kvalifisering og arbeidsliv ........................ 4", 1, 160),
        line("Satsing for økt måloppnåelse ......................... 4", 1, 180),
        line("Hvor lenge deltar flyktninger ........................ 4", 1, 200),
    ]
    body = [line("1 Bosetting og tidlig innsats", 2, 80, size=16, bold=True), line("Boligmangel er et problem.", 2, 120)]
    cleaned = remove_contents([contents, body])
    assert cleaned[0] == []
    assert [kept.text for kept in cleaned[1]] == ["1 Bosetting og tidlig innsats", "Boligmangel er et problem."]


def test_blocks_headings_items_links_and_paragraphs():
    page = [
        line("1 Bosetting og tidlig innsats", 1, 60, size=16, bold=True),
        line("Kunnskap om bosetting", 1, 100, size=13, bold=True),
        line("Boligmangel og et vanskelig arbeidsmarked påvirker", 1, 130),
        line("kommunenes arbeid med bosetting.", 1, 142),
        line("Hovedfunn:", 1, 170, bold=True),
        line("• Boligmangel er ofte en flaskehals i bosettings-", 1, 190),
        line("arbeidet i mange kommuner.", 1, 202, x0=84),
        line("• Sekundærflytting er utbredt.", 1, 222),
        line("Kunnskapsoppsummering om bosetting (PDF, 971 KB)", 1, 250, link=True),
    ] + [line(f"Fyllsetning nummer {i} i rapporten.", 1, 300 + 20 * i) for i in range(10)]
    blocks, footnotes = build_blocks([page], accept_all)
    kinds = [(b.kind, b.text) for b in blocks[:6]]
    assert kinds == [
        ("heading", "1 Bosetting og tidlig innsats"),
        ("heading", "Kunnskap om bosetting"),
        ("paragraph", "Boligmangel og et vanskelig arbeidsmarked påvirker kommunenes arbeid med bosetting."),
        ("heading", "Hovedfunn:"),
        ("item", "Boligmangel er ofte en flaskehals i bosettingsarbeidet i mange kommuner."),
        ("item", "Sekundærflytting er utbredt."),
    ]
    assert blocks[0].level < blocks[1].level < blocks[3].level
    assert blocks[6].kind == "link"
    assert footnotes == []


def test_paragraph_continues_over_page_break_without_the_footnote():
    page1 = [line(f"Innledende setning nummer {i}.", 1, 100 + 14 * i) for i in range(20)] + [
        line("Det er liten variasjon i responsraten langs de", 1, 500),
        line("1 Responsrate er målt som antall undersøkelser.", 1, 760, size=8),
    ]
    page2 = [line("viktigste variablene i undersøkelsen.", 2, 100)] + [
        line(f"Avsluttende setning nummer {i}.", 2, 130 + 14 * i) for i in range(5)
    ]
    blocks, footnotes = build_blocks([page1, page2], accept_all)
    texts = [b.text for b in blocks]
    assert any(t.endswith("Det er liten variasjon i responsraten langs de viktigste variablene i undersøkelsen.")
               for t in texts)
    assert [f.text for f in footnotes] == ["1 Responsrate er målt som antall undersøkelser."]
    assert not any("Responsrate er målt" in t for t in texts)


def test_a_page_count_in_heading_type_below_the_margin_is_a_running_head():
    # "Page 5 of 48 …" set large, a little below the top margin: its figure counts the pages.
    words = ["skatt", "trygd", "renter", "gjeld", "formue", "arv", "gaver", "fradrag"]
    pages = [[line(f"Page {n} of 48 Instructions for Form 1040NR", n, 123, size=13)]
             + [line(f"Om {words[(n + i) % 8]} og {words[(n * 3 + i) % 8]} {n * 10 + i}.", n, 200 + 12 * i)
                for i in range(4)] for n in range(1, 6)]
    removed = []
    cleaned = remove_running_lines(pages, removed)
    assert all(len(p) == 4 and not any(kept.text.startswith("Page") for kept in p) for p in cleaned)
    assert [piece.kind for piece in removed] == ["header"] * 5


def test_a_numbered_heading_in_heading_type_at_the_top_of_chapters_is_kept():
    pages = [[line(f"{n}.1 Innledning", 2 * n + 1, 123, size=13)]
             + [line(f"Tekst {n * 10 + i} om saken her.", 2 * n + 1, 200 + 12 * i) for i in range(4)]
             for n in range(1, 6)]
    cleaned = remove_running_lines(pages)
    assert all(p[0].text.endswith("Innledning") for p in cleaned)


def test_contents_entries_with_the_page_number_first_are_contents():
    contents = [
        line("Innhold", 1, 80, size=27),
        line("3 Innhold", 1, 120, bold=True),
        line("5 Forord", 1, 132, bold=True),
        line("10 Avhengigheter mellom samfunnsfunksjoner", 1, 144),
    ]
    removed = []
    cleaned = remove_contents([contents, [line("10 kommuner svarte ja.", 2, 80)]], removed)
    assert cleaned == [[], [cleaned[1][0]]] and cleaned[1][0].text == "10 kommuner svarte ja."
    assert [piece.kind for piece in removed] == ["contents"] * 4


def filler(page, start, count=10):
    return [line(f"Fyllsetning nummer {i} i rapporten.", page, start + 14 * i) for i in range(count)]


def test_bold_words_inside_a_sentence_stay_in_its_paragraph():
    page = [
        line("Det hviler et stort ansvar på mediene. For myndighetene", 1, 100),
        line("vil det være viktig å etablere og", 1, 112, bold=True),
        line("opprettholde et godt situasjonsbilde", 1, 124, bold=True),
        line("over slike trusler.", 1, 136),
    ] + filler(1, 300)
    blocks, _ = build_blocks([page], accept_all)
    assert blocks[0].kind == "paragraph"
    assert blocks[0].text.endswith("For myndighetene vil det være viktig å etablere og opprettholde et godt "
                                   "situasjonsbilde over slike trusler.")


def test_bold_lines_with_a_sentence_ending_inside_are_prose_not_a_heading():
    page = filler(1, 100) + [
        line("NSM vil understreke at det aldri er for", 1, 400, bold=True),
        line("sent å trekke seg. Personer som utsettes", 1, 412, bold=True),
    ]
    blocks, _ = build_blocks([page], accept_all)
    assert not any(b.kind == "heading" for b in blocks)


def test_a_sentence_going_on_in_another_weight_is_one_paragraph():
    page = filler(1, 100) + [
        line("Plattformene støtter smidig utvikling,", 1, 400, size=11),
        line("DevOps og XaaS/XaC.", 1, 413, size=11, bold=True),
        line("Plattformene er leverandørnøytrale", 1, 460, size=11),
        line("og har høy tjenestemobilitet.", 1, 473, size=11, bold=True),
    ] + [line(f"Overskrift {n}", 1, 520 + 20 * n, size=11) for n in range(3)] + filler(1, 600, 5)
    blocks, _ = build_blocks([page], accept_all)
    texts = {b.text: b.kind for b in blocks}
    assert texts["Plattformene støtter smidig utvikling, DevOps og XaaS/XaC."] == "paragraph"
    assert texts["Plattformene er leverandørnøytrale og har høy tjenestemobilitet."] == "paragraph"


def test_a_run_in_head_whose_short_rest_goes_on_in_the_next_line():
    head = "IMDi som samarbeidspartner"
    first = line(f"{head} De fleste re-", 1, 400)
    first.lead = head
    page = filler(1, 100) + [first, line("spondentene vurderer nytten av tjenestene som god.", 1, 412)] + filler(1, 500)
    blocks, _ = build_blocks([page], accept_all)
    assert ("heading", head) in [(b.kind, b.text) for b in blocks]
    assert any(b.text.startswith("De fleste respondentene vurderer") for b in blocks)


def test_text_lying_mostly_off_the_page_is_furniture_not_part_of_a_sentence():
    stray = line("Risikobildet når verdiene endrer seg, eksempelvis", 1, 222, x0=-361)
    stray.x1 = 200
    page = [line("Vårt nasjonale risikobilde er i kontinuerlig", 1, 222, x0=54),
            stray, line("endring. Risikoen endrer seg blant annet.", 1, 234, x0=54)]
    removed: list[Furniture] = []
    cleaned = remove_running_lines([page], removed)
    assert [(piece.kind, piece.text) for piece in removed] == [("off_page", stray.text)]
    blocks, _ = build_blocks(cleaned, accept_all)
    assert [b.text for b in blocks] == ["Vårt nasjonale risikobilde er i kontinuerlig endring. Risikoen endrer seg blant annet."]


def _blocks(*specs):
    """Blocks of one line each: (kind, text, page)."""
    return [Block(kind=kind, text=text, page=page, lines=[line(text, page, 100 + 20 * n)])
            for n, (kind, text, page) in enumerate(specs)]


def test_a_greeting_and_signature_at_the_foot_of_a_page_close_the_text_above():
    blocks = _blocks(("paragraph", "Jeg håper rapporten motiverer virksomheter til å handle.", 7),
                     ("paragraph", "God lesing!", 7), ("heading", "Arne Christian Haugstøyl", 7),
                     ("paragraph", "Direktør", 7), ("heading", "Risikobildet", 8))
    joined = join_signatures(blocks)
    assert [b.text for b in joined] == [
        "Jeg håper rapporten motiverer virksomheter til å handle.\nGod lesing!\nArne Christian Haugstøyl\nDirektør",
        "Risikobildet"]


def test_short_lines_that_name_nobody_are_no_signature():
    blocks = _blocks(("paragraph", "Jeg håper rapporten motiverer virksomheter til å handle.", 7),
                     ("heading", "Bakgrunn og metode", 7), ("paragraph", "Teksten fortsetter på neste side.", 8))
    assert len(join_signatures(blocks)) == 3


@pytest.mark.parametrize("text, colophon", [
    ("Postboks 814, 1306 Sandvika", True),
    ("Tlf. 67 86 40 00 post@nsm.stat.no www.nsm.stat.no", True),
    ("Telefon E-post", True),
    ("Design: Trykk og distribusjon:", True),
    ("Kontakt oss på post@nsm.stat.no om du har spørsmål.", False),
    ("2020 Kommuneundersøkelsen", False),
    ("Merk:", False),
])
def test_contact_details_and_empty_colophon_fields_are_colophon(text, colophon):
    assert is_colophon_text(text) is colophon
    kept, furniture = set_apart_colophon(_blocks(("paragraph", text, 44)))
    assert ([f.kind for f in furniture], len(kept)) == ((["colophon"], 0) if colophon else ([], 1))
