"""Title, contractors, commissioner and year: from the printed page and the colophon, by general rules."""
from __future__ import annotations

import pytest

from indexer.extract.blocks import Block
from indexer.extract.pdftext import Line
from indexer.extract.pipeline import extract_document, first_page_title, meaningful_title
from indexer.extract.segmentation import DocumentContext, segment
from indexer.extract.tagging import get_tagger, read_colophon

BODY = 10.0


def _line(text: str, top: float, size: float = BODY, bold: bool = False) -> Line:
    return Line(text=text, page=1, x0=72.0, x1=72.0 + size * 0.5 * len(text), top=top, bottom=top + size * 1.2,
                size=size, bold=bold, italic=False, link=False, link_chars=0, page_height=842.0, page_width=595.0)


# --- the title ----------------------------------------------------------------------------


def test_the_title_is_the_largest_type_on_the_cover_with_its_subtitle():
    cover = [_line("Standardisering av", 80, 36), _line("modellbaserte leveranser", 124, 36),
             _line("Del 2: Sluttrapport", 200, 30), _line("Et samarbeid i bransjen", 400, 14)]
    assert first_page_title(cover, BODY, cover=True) == "Standardisering av modellbaserte leveranser Del 2: Sluttrapport"


def test_a_smaller_subtitle_is_not_part_of_the_title():
    cover = [_line("Risiko 2025", 600, 44), _line("Et sikkert Norge", 670, 18), _line("i en usikker verden", 692, 18)]
    assert first_page_title(cover, BODY, cover=True) == "Risiko 2025"


def test_on_a_first_page_that_is_not_a_cover_the_title_stands_near_the_top():
    page = [_line("Aarseth, H. & Owesen, I.W. (2022).", 235, 9), _line("Introduksjon", 386, 26),
            _line("Helene Aarseth og Ingeborg W. Owesen", 425, 15),
            *[_line("Femti år etter den store utdanningsrevolusjonen kom kvinner inn i høyere utdanning.", 500 + 15 * i)
              for i in range(10)],
            _line("Et stort sitat nederst", 780, 30)]
    assert first_page_title(page, BODY, cover=False) == "Introduksjon"


def test_a_masthead_is_not_the_title_of_a_law():
    page = [_line("NORSK LOVTIDEND", 92, 36, True), _line("Avd. I Lover og sentrale forskrifter mv.", 143, 20, True),
            _line("Kunngjort 27. mai 2025 kl. 11.45", 206, 12),
            _line("Lov om digital operasjonell motstandsdyktighet i finanssektoren (DORA-", 254, 14, True),
            _line("loven)", 270, 14, True)]
    assert first_page_title(page, BODY, cover=False) == (
        "Lov om digital operasjonell motstandsdyktighet i finanssektoren (DORA-loven)")


def test_a_title_word_broken_without_a_hyphen_in_large_type_is_one_word():
    cover = [_line("IMDi kommuneunde", 174, 28, bold=True), _line("rsøkelse 2020", 208, 28, bold=True),
             _line("Et innblikk i hvordan kommuner arbeider", 251, 14)]
    assert first_page_title(cover, BODY, cover=True) == "IMDi kommuneundersøkelse 2020"


def test_title_lines_that_are_words_keep_their_space():
    cover = [_line("Risiko og", 174, 28), _line("sårbarhet i kommunene", 208, 28)]
    assert first_page_title(cover, BODY, cover=True) == "Risiko og sårbarhet i kommunene"


def test_no_display_type_no_title():
    assert first_page_title([_line("Brødtekst på første side.", 100)], BODY, cover=False) is None


@pytest.mark.parametrize("title", [
    "20250313_Context_PlastkriterierFB_med vedlegg", "Microsoft Word - rapport endelig.docx", "rapport_final",
    "Sluttrapport.pdf", "Document1", "untitled", "2019-05-03 Rapport", "Rapportmal NIBR",
])
def test_file_names_and_templates_are_not_titles(title):
    assert meaningful_title(title) is None


def test_a_real_metadata_title_is_kept():
    assert meaningful_title("Evaluering av introduksjonsprogrammet") == "Evaluering av introduksjonsprogrammet"


# --- contractors and commissioner ------------------------------------------------------


def test_a_lone_abbreviation_in_running_text_is_no_contractor():
    tagger = get_tagger()
    assert tagger.roles(["Kommunene og KS samarbeider om mange oppgaver, blant annet om tolketjenester."]) == ([], [])
    assert tagger.mentions("ks og nav i lav skrift") == []
    assert tagger.publisher(["Denne rapporten handler om samarbeidet mellom KS og kommunene i hele landet."]) is None


def test_an_abbreviation_counts_in_a_phrasing_or_as_logo_text():
    tagger = get_tagger()
    assert tagger.roles(["KS har gjennomført en undersøkelse blant kommunene."])[0] == ["KS"]
    assert tagger.publisher(["Evaluering av tolketjenester", "KS"]) == "KS"


def test_a_full_name_anywhere_on_the_cover_and_a_web_address_on_the_back():
    tagger = get_tagger()
    assert tagger.publisher(["Utgitt av Nasjonal sikkerhetsmyndighet i samarbeid med andre"]) == (
        "Nasjonal sikkerhetsmyndighet")
    assert tagger.publisher(["Postboks 814,", "1306 Sandvika", "www.nsm.no"], cover=False) == (
        "Nasjonal sikkerhetsmyndighet")


def test_colophon_labels_name_two_contractors_on_one_line_and_the_commissioner():
    colophon = read_colophon([["Utført av: Fafo og Frischsenteret",
                               "Oppdragsgiver: Integrerings- og mangfoldsdirektoratet"]])
    assert colophon.contractors == ["Fafo", "Frischsenteret"]
    assert colophon.commissioner == "IMDi"


def test_a_label_on_its_own_line_takes_the_next_line():
    colophon = read_colophon([["Oppdragstaker", "Proba samfunnsanalyse", "Oppdragsgiver", "KS"]])
    assert (colophon.contractors, colophon.commissioner) == (["Proba samfunnsanalyse"], "KS")


@pytest.mark.parametrize("line, contractor, year", [
    ("Fafo-rapport 2019:12", "Fafo", 2019),
    ("NIBR-rapport 2020:3", "NIBR (OsloMet)", 2020),
    ("NOVA Rapport 5/2019", "NOVA (OsloMet)", 2019),
    ("© Fafo 2018", "Fafo", 2018),
])
def test_series_and_copyright_lines_name_the_institute_and_the_year(line, contractor, year):
    colophon = read_colophon([[line]])
    assert (colophon.contractors, colophon.year) == ([contractor], year)


def test_a_series_number_cited_in_running_text_is_not_the_colophon():
    colophon = read_colophon([["som deltar i introduksjonsprogrammet. NORCE-rapport 9 - 2019",
                               "studie i fem kommuner, Østlandsforskning-notat"]])
    assert (colophon.contractors, colophon.year) == ([], None)
    assert read_colophon([["NORCE-rapport 9 - 2019"]]).year == 2019


def test_report_numbers_and_isbn_lines_give_the_year():
    assert read_colophon([["Rapport nr. 12/2017"]]).year == 2017
    assert read_colophon([["ISBN 978-82-7422-111-2 (pdf) 2016"]]).year == 2016


@pytest.mark.parametrize("line, published", [
    ("Utgitt: mai 2019", "2019-05"),
    ("Oslo, 12. mars 2020", "2020-03-12"),
    ("Desember 2019", "2019-12"),
    ("Kunngjort 27. mai 2025 kl. 11.45", "2025-05-27"),
])
def test_date_lines(line, published):
    found = read_colophon([[line]]).published
    assert found is not None and found.published == published


def test_published_in_a_year_counts_on_an_imprint_page_only():
    imprint = ["Boken ble første gang utgitt i 2022 på Vigmostad & Bjørke AS.", "ISBN 978-82-450-4418-8"]
    found = read_colophon([imprint]).published
    assert found is not None and found.published == "2022"
    assert read_colophon([["Boken ble første gang utgitt i 1988 og vakte debatt."]]).published is None


def test_an_agreement_names_the_commissioner():
    text = ("Denne rapporten er utarbeidet av Sweco Norge AS i samarbeid med Statens vegvesen. Arbeidet er utført på "
            "bakgrunn av et avrop på rammeavtale mellom Statens vegvesen Vegdirektoratet og Sweco Norge AS.")
    assert get_tagger().roles([text]) == (["Sweco"], ["Statens vegvesen"])


def test_work_done_for_someone_names_the_commissioner():
    assert get_tagger().roles(["Rapporten er utarbeidet av Fafo for Kunnskapsdepartementet."]) == (
        ["Fafo"], ["Kunnskapsdepartementet"])


def test_a_cited_survey_does_not_make_its_owner_the_author():
    text = "Ifølge Statistisk sentralbyrås levekårsundersøkelse har andelen økt."
    assert get_tagger().roles([text]) == ([], [])


# --- the year -------------------------------------------------------------------------


def _report(context: DocumentContext):
    blocks = [Block(kind="heading", text="Innledning", page=2, level=1),
              Block(kind="paragraph", text="Rapporten handler om bosetting av flyktninger i kommunene.", page=2)]
    return segment(blocks, [], context)[0]


def test_the_colophon_date_comes_first_and_is_not_inferred():
    report = _report(DocumentContext(sha256="0" * 64, title="Rapport 2019", year=2019, publisher=None,
                                     published="2020-03"))
    assert (report.published, report.year, report.year_inferred) == ("2020-03", 2020, False)


def test_without_a_date_line_the_year_is_inferred():
    report = _report(DocumentContext(sha256="0" * 64, title="Rapport", year=2018, publisher="Fafo"))
    assert (report.year, report.year_inferred, report.contractors) == (2018, True, ["Fafo"])


def test_colophon_contractors_and_commissioner_decide_for_a_single_report():
    report = _report(DocumentContext(sha256="0" * 64, title="Rapport", year=2018, publisher="IMDi",
                                     contractors=["Fafo", "Frischsenteret"], commissioner="IMDi"))
    assert (report.contractors, report.commissioner) == (["Fafo", "Frischsenteret"], "IMDi")


def _compilation(publisher: str) -> list:
    blocks = [Block(kind="heading", text="Kvalifisering og arbeidsliv", page=2, level=1)]
    summaries = [
        ("Økonomiske insentiver", "Fafo har på oppdrag fra IMDi utviklet tre forslag til modeller for insentiver."),
        ("Mestring i mottak", "Folkehelseinstituttet (FHI) har utarbeidet rapporten om mestring i mottak. "
                              "Bufdir, UDI og IMDi har gitt økonomisk støtte til prosjektet."),
        ("Hvor lenge deltar flyktninger", "Rapporten ser på hvor lenge deltakerne er i introduksjonsprogrammet."),
    ]
    for number, (title, text) in enumerate(summaries):
        if number == 2:
            blocks.append(Block(kind="heading", text="Oppvekst og deltakelse", page=2, level=1))
        blocks += [Block(kind="heading", text=title, page=2, level=2),
                   Block(kind="paragraph", text="Utgitt: mai 2019", page=2),
                   Block(kind="paragraph", text=text, page=2)]
    context = DocumentContext(sha256="0" * 64, title="FoU-prosjekter 2019", year=2019, publisher=publisher)
    return segment(blocks, [], context)


def test_a_compilations_publisher_is_not_the_commissioner_of_every_report():
    reports = _compilation(publisher="IMDi")
    assert [r.commissioner for r in reports] == ["IMDi", None, None]
    assert [r.contractors for r in reports] == [["Fafo"], ["Folkehelseinstituttet"], []]


def test_the_institute_on_a_single_reports_cover_ordered_what_another_wrote():
    report = _report(DocumentContext(sha256="0" * 64, title="Rapport", year=2018, publisher="IMDi",
                                     contractors=["Fafo"]))
    assert (report.contractors, report.commissioner) == (["Fafo"], "IMDi")


# --- scoring the year ---------------------------------------------------------------------


def _scored_year(gold_year: int | None, year: int | None, inferred: bool) -> bool:
    from indexer.evaluation.extraction import GoldReport, score_report
    from indexer.records import Report

    gold = GoldReport(title="T", contractors=[], commissioner=None, year=gold_year, findings=[], chapters=None)
    report = Report(id="r", title="T", theme=None, contractors=[], commissioner=None, published=None, year=year,
                    year_inferred=inferred, lead="", page_start=1, page_end=1)
    return score_report(gold, report).year_ok


def test_an_inferred_year_agrees_with_a_document_that_states_none():
    assert _scored_year(None, 2023, inferred=True)
    assert _scored_year(2020, 2020, inferred=True)
    assert not _scored_year(None, 2023, inferred=False)
    assert not _scored_year(2021, 2020, inferred=True)


# --- the real PDFs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(real_pdfs):
    names = ["rif_bim_sluttrapport.pdf", "dora_norsk_lovtidend.pdf", "nsm_risiko_2025.pdf", "rbok_kap09_1_old.pdf"]
    return {name: extract_document(real_pdfs / "no" / name) for name in names}


def test_the_printed_title_of_the_consultancy_report(real):
    document = real["rif_bim_sluttrapport.pdf"]
    report = document.reports[0]
    assert document.document_title == "Standardisering av modellbaserte leveranser (BIM) Del 2: Sluttrapport"
    assert (report.contractors, report.commissioner) == (["Sweco"], "Statens vegvesen")


def test_the_law_is_titled_by_its_name_and_dated_by_its_announcement(real):
    document = real["dora_norsk_lovtidend.pdf"]
    report = document.reports[0]
    assert document.document_title == "Lov om digital operasjonell motstandsdyktighet i finanssektoren (DORA-loven)"
    assert (report.published, report.year_inferred) == ("2025-05-27", False)


def test_the_publisher_on_the_back_cover_wrote_the_risk_report(real):
    report = real["nsm_risiko_2025.pdf"].reports[0]
    assert real["nsm_risiko_2025.pdf"].document_title == "Risiko 2025"
    assert report.contractors == ["Nasjonal sikkerhetsmyndighet"] and report.year == 2025


def test_the_printed_chapter_title_beats_the_metadata(real):
    assert real["rbok_kap09_1_old.pdf"].document_title == "Introduksjon"  # metadata: "BERIKET Kjønn og akademia"
