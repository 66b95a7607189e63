"""Page furniture removal and block building, on small hand-made pages."""
from indexer.extract.blocks import build_blocks
from indexer.extract.cleaning import remove_contents, remove_running_lines
from indexer.extract.pdftext import Line

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
