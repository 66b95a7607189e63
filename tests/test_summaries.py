"""Findings come from summary sections, recognised by general rules; nothing else is a finding."""
from __future__ import annotations

import pytest

from indexer.extract.blocks import Block
from indexer.extract.pdftext import Line
from indexer.extract.pipeline import extract_document
from indexer.extract.segmentation import DocumentContext, is_context_heading, is_summary_heading, segment
from indexer.records import Passage, Report

BODY = 10.0
LONG = ("Kommunene har fått bedre oversikt over bosettingsarbeidet, men mange mangler fortsatt "
        "boligplaner og faste rutiner for samarbeid med frivillige organisasjoner.")


def _line(text: str, page: int, size: float = BODY, bold: bool = False, italic: bool = False, x0: float = 72.0) -> Line:
    return Line(text=text, page=page, x0=x0, x1=x0 + 5 * len(text), top=100.0, bottom=100.0 + size * 1.2,
                size=size, bold=bold, italic=italic, link=False, link_chars=0, page_height=842.0, page_width=595.0)


def heading(text: str, level: int = 1, page: int = 1) -> Block:
    return Block(kind="heading", text=text, page=page, level=level, lines=[_line(text, page, 18.0 - 2 * level, True)])


def paragraph(text: str = LONG, page: int = 1, size: float = BODY, bold: bool = False) -> Block:
    return Block(kind="paragraph", text=text, page=page, lines=[_line(text, page, size, bold)])


def item(text: str, page: int = 1, marker: str = "•", x0: float = 72.0) -> Block:
    return Block(kind="item", text=text, page=page, marker=marker, lines=[_line(text, page, x0=x0)])


def body(pages: int = 3) -> list[Block]:
    """Plain body chapters, enough to set the body type size."""
    blocks: list[Block] = []
    for page in range(2, 2 + pages):
        blocks += [heading(f"Kapittel om tema {page}", 1, page), paragraph(page=page), paragraph(page=page)]
    return blocks


def report_of(blocks: list[Block]) -> Report:
    context = DocumentContext(sha256="0" * 64, title="Rapport", year=2020, publisher=None)
    return segment(blocks, [], context)[0]


def findings(blocks: list[Block]) -> list[tuple[str, str]]:
    return [(f.section, f.text) for f in report_of(blocks).findings]


@pytest.mark.parametrize("text", [
    # each head noun, Bokmål, Nynorsk and English
    "Sammendrag", "SAMMENDRAG", "Samandrag", "Hovedfunn", "Hovudfunn", "Hovedresultater", "Hovedkonklusjoner",
    "Oppsummering", "Konklusjon", "Konklusjoner", "Konklusjonar", "Anbefalinger", "Tilrådingar", "Råd", "Tiltak",
    "Executive summary", "Summary", "Key findings", "Conclusions", "Recommendations",
    # combined and qualified, numbered or not, with or without a colon
    "Konklusjon og anbefaling", "Oppsummering/konklusjon", "Våre anbefalinger", "NSM anbefaler",
    "Prosjektgruppens anbefalinger", "Sammendrag og anbefalinger", "Anbefalte tiltak", "Forslag til tiltak",
    "3.2 Hovedfunn:", "Kapittel 5: Konklusjoner", "Sentrale funn", "Oppsummering av sentrale funn",
    "Anbefalinger for å redusere risikoen for sabotasje", "Tiltak 1 – Egenskapssett", "Konklusjon og videre arbeid",
    "Diskusjon og konklusjon", "Avsluttende refleksjoner", "Vi anbefaler:",
])
def test_summary_headings(text):
    assert is_summary_heading(text)


@pytest.mark.parametrize("text", [
    "Innledning", "Bakgrunn", "Metode", "Forord", "Innhold", "Litteratur", "Vedlegg", "Referanser", "Om rapporten",
    "Bakgrunn for anbefalingene", "Funn", "Funn fra spørreundersøkelsen", "Resultater", "Diskusjon",
    "Tiltak for rask oppstart av opplæring", "Hva er relevansen av funnene?",
    "NSM anbefaler alle virksomheter å implementere grunnprinsippene", "Kort om høringen", "Tiltak i kommunene",
])
def test_other_headings_are_not_summaries(text):
    assert not is_summary_heading(text)


@pytest.mark.parametrize("text", ["Innledning", "Bakgrunn og metode", "1.2 Metode", "Vedlegg 3", "Forord",
                                  "Om undersøkelsen", "Begrunnelse/kommentar:"])
def test_background_headings(text):
    assert is_context_heading(text) and not is_summary_heading(text)


def test_each_bullet_of_a_summary_is_one_finding_under_its_heading():
    blocks = [heading("Sammendrag"), item("Boligmangel er en flaskehals i bosettingsarbeidet."),
              item("Sekundærflytting er utbredt blant bosatte flyktninger."), *body()]
    assert findings(blocks) == [
        ("Sammendrag", "Boligmangel er en flaskehals i bosettingsarbeidet."),
        ("Sammendrag", "Sekundærflytting er utbredt blant bosatte flyktninger."),
    ]


def test_a_prose_summary_gives_each_paragraph_and_item_but_not_the_lead_in():
    blocks = [heading("Oppsummering"), paragraph("Rapporten viser at kommunene arbeider godt med bosetting av flyktninger."),
              paragraph("Følgende punkter bør prioriteres:"), item("Flere boliger til store familier."),
              paragraph("Samarbeidet med frivillige organisasjoner bør styrkes i alle kommuner."), *body()]
    assert [text for _, text in findings(blocks)] == [
        "Rapporten viser at kommunene arbeider godt med bosetting av flyktninger.",
        "Flere boliger til store familier.",
        "Samarbeidet med frivillige organisasjoner bør styrkes i alle kommuner.",
    ]


def test_a_list_summary_leaves_the_note_after_the_list_as_context():
    blocks = [heading("Hovedfunn:", 3), item("Måloppnåelsen er stabil, men varierer mellom ordningene."),
              item("Halvparten av deltakerne blir selvforsørget etter programmet."),
              paragraph("Rapporten er en del av en større evaluering av ordningen som kommer i 2020."), *body()]
    assert [text for _, text in findings(blocks)] == [
        "Måloppnåelsen er stabil, men varierer mellom ordningene.",
        "Halvparten av deltakerne blir selvforsørget etter programmet.",
    ]


def test_a_combined_heading_with_five_numbered_recommendations():
    recommendations = [f"Kommunen bør innføre tiltak nummer {n} i hele tjenesten." for n in range(1, 6)]
    blocks = [heading("5 Konklusjon og anbefaling"), paragraph("Vi anbefaler følgende:"),
              *[item(text, marker=f"{n}.") for n, text in enumerate(recommendations, 1)], *body()]
    assert findings(blocks) == [("Konklusjon og anbefaling", text) for text in recommendations]


def test_a_summary_ends_at_the_next_heading_of_its_level_or_higher():
    blocks = [heading("Sammendrag", 1), paragraph("Hovedbildet er at tjenestene fungerer godt for de fleste brukerne."),
              heading("Arbeid og kvalifisering", 2), paragraph("Kommunene er fornøyde med kvaliteten i kvalifiseringen."),
              heading("Innledning", 1), paragraph("Undersøkelsen ble sendt til alle landets kommuner i desember."), *body()]
    assert findings(blocks) == [
        ("Sammendrag", "Hovedbildet er at tjenestene fungerer godt for de fleste brukerne."),
        ("Arbeid og kvalifisering", "Kommunene er fornøyde med kvaliteten i kvalifiseringen."),
    ]


def test_background_inside_a_summary_is_context():
    blocks = [heading("Sammendrag", 1), heading("Bakgrunn og metode", 2),
              paragraph("Undersøkelsen bygger på intervjuer med ansatte i tolv kommuner."),
              heading("Hovedfunn", 2), item("Ansatte opplever stort arbeidspress i mottaksfasen."), *body()]
    assert findings(blocks) == [("Hovedfunn", "Ansatte opplever stort arbeidspress i mottaksfasen.")]


def test_the_introduction_of_a_summary_section_is_part_of_it():
    opening = "Mange sider ved utforming av modeller er ennå ikke modne for standardisering."
    blocks = [heading("Anbefaling for videre arbeid", 2), heading("Introduksjon", 3), paragraph(opening),
              heading("Rettet mot entreprenører", 3), item("Bruk av modell ved produksjon av stål bør kartlegges."),
              heading("Innledning", 1), paragraph(), *body()]
    assert findings(blocks) == [("Introduksjon", opening),
                                ("Rettet mot entreprenører", "Bruk av modell ved produksjon av stål bør kartlegges.")]


def test_a_report_without_a_summary_has_no_findings():
    blocks = [heading("Innledning"), paragraph("Dette er rapportens første avsnitt, som ikke er et sammendrag."),
              heading("Bakgrunn"), item("Et punkt i bakgrunnskapitlet."), *body()]
    report = report_of(blocks)
    assert report.findings == []
    assert report.passages and report.lead


def test_small_print_in_a_summary_is_not_a_finding():
    blocks = [heading("Anbefalte tiltak"), paragraph("Virksomhetene bør kartlegge egne verdier og avhengigheter jevnlig."),
              paragraph("Kilde: Nasjonal sikkerhetsmyndighet, grunnprinsipper for IKT-sikkerhet 2020.", size=7.0),
              *body()]
    assert [text for _, text in findings(blocks)] == ["Virksomhetene bør kartlegge egne verdier og avhengigheter jevnlig."]


def test_an_unheaded_summary_on_the_front_page():
    lede = ("Rapporten viser at introduksjonsprogrammet gir bedre resultater når kommunene samarbeider tett med "
            "arbeidsgivere, og at deltakere med lang botid trenger mer og bedre tilrettelagt norskopplæring enn de får i dag.")
    blocks = [heading("Introduksjonsprogrammet i praksis", 1, page=1), paragraph(lede, page=1, size=12.0),
              paragraph("Programmet ble innført i 2004 og er obligatorisk for nyankomne flyktninger.", page=1),
              *body()]
    assert findings(blocks) == [("Sammendrag", lede)]


def test_an_unheaded_summary_on_the_back_cover():
    blurb = ("Denne rapporten undersøker hvordan kommunene tar imot enslige mindreårige flyktninger, og finner at "
             "tett oppfølging det første året er det som betyr mest for hvordan det går med dem senere i livet.")
    blocks = [*body(4), paragraph(blurb, page=6, bold=True), paragraph("ISBN 978-82-324-0476-7", page=6)]
    assert findings(blocks) == [("Sammendrag", blurb)]


def test_front_page_prose_in_body_type_is_not_a_summary():
    blocks = [heading("Introduksjon", 1, page=1), paragraph(page=1), paragraph(page=1), *body()]
    assert findings(blocks) == []


def test_a_headed_summary_wins_over_set_apart_front_page_prose():
    blocks = [heading("Rapport", 1, page=1), paragraph(LONG + " " + LONG, page=1, size=12.0),
              heading("Sammendrag", 1, page=2), item("Det viktigste funnet i hele rapporten.", page=2), *body()]
    assert findings(blocks) == [("Sammendrag", "Det viktigste funnet i hele rapporten.")]


def test_a_summary_heading_set_as_body_text():
    blocks = [heading("Forord", 1), paragraph("Takk til alle som har bidratt til arbeidet med rapporten."),
              paragraph("Sammendrag"), paragraph("Kommunene har lyktes best der ledelsen har prioritert integrering."),
              heading("1 Innledning", 1), paragraph("Rapporten består av fem kapitler og to vedlegg."), *body()]
    assert findings(blocks) == [("Sammendrag", "Kommunene har lyktes best der ledelsen har prioritert integrering.")]


def test_a_summary_heading_run_into_its_paragraph():
    blocks = [paragraph("Sammendrag: Kommunene har lyktes best der ledelsen har prioritert arbeidet."),
              paragraph("Samarbeidet med fylkeskommunen er blitt bedre etter regionreformen."),
              heading("Innledning", 1), paragraph("Rapporten består av fem kapitler og to vedlegg."), *body()]
    assert findings(blocks) == [
        ("Sammendrag", "Kommunene har lyktes best der ledelsen har prioritert arbeidet."),
        ("Sammendrag", "Samarbeidet med fylkeskommunen er blitt bedre etter regionreformen."),
    ]


def test_a_word_alone_in_a_table_does_not_open_a_summary():
    blocks = [heading("Resultater", 1), paragraph("Tiltak"), paragraph("Antall"), paragraph("12"), *body()]
    assert findings(blocks) == []


# --- the real PDFs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(real_pdfs):
    names = ["rif_bim_sluttrapport.pdf", "rif_bim_del4_sluttrapport.pdf", "nsm_risiko_2025.pdf",
             "rbok_kap09_1_old.pdf", "dora_norsk_lovtidend.pdf"]
    return {name: extract_document(real_pdfs / "no" / name) for name in names}


def test_the_consultancy_summary_items_are_findings(real):
    report = real["rif_bim_sluttrapport.pdf"].reports[0]
    summary = [f.text for f in report.findings if f.section == "SAMMENDRAG"]
    assert any(text.startswith("Modeller skal deles opp i bruelementer") for text in summary)
    assert any(text.startswith("Akser anbefales utformet som volumobjekter") for text in summary)
    assert not any(text.endswith(":") for text in summary)  # "Følgende punkter foreslåes …:" introduces a list
    assert {"Krav for utforming av modell", "Anbefaling for utforming av modell"} <= {f.section for f in report.findings}
    # the front matter gives none, nor the chapter of proposals that makes up half the report
    assert not any(f.chapter in ("FORORD", "INTRODUKSJON", "METODE", "PROSJEKTGRUPPENS ANBEFALINGER")
                   for f in report.findings)
    assert {f.chapter for f in report.findings} == {"SAMMENDRAG", "KONKLUSJON"}


def test_a_combined_conclusion_heading_yields_its_measures(real):
    report = real["rif_bim_del4_sluttrapport.pdf"].reports[0]
    chapters = {f.chapter for f in report.findings}
    assert chapters == {"SAMMENDRAG", "Konklusjon og videre arbeid"}
    # "Tiltak 1 – …" labels its paragraph: one finding, the label first
    assert any(f.text.startswith("Tiltak 1 – Praktisk implementering av egenskapssettene i prosjekter Det foreslås å ta")
               and f.section == "Vegen videre" for f in report.findings)


def test_recommendation_boxes_are_findings(real):
    sections = {f.section for f in real["nsm_risiko_2025.pdf"].reports[0].findings}
    assert "Sammendrag" in sections
    assert "Anbefalinger for oppdragsgiver i anskaffelsesprosesser" in sections


@pytest.mark.parametrize("name", ["rbok_kap09_1_old.pdf", "dora_norsk_lovtidend.pdf"])
def test_no_findings_without_a_summary(real, name):
    assert real[name].reports[0].findings == []


def test_a_lead_in_that_says_something_first_is_a_finding():
    said = "Kommunene bør samarbeide tettere om bosetting av flyktninger i hele regionen. Vi anbefaler:"
    blocks = [heading("Anbefalinger"), paragraph(said), item("Felles boligkontor for regionen."),
              paragraph("Følgende punkter bør også vurderes:"), item("Tolketjeneste på tvers av kommunene."), *body()]
    assert [text for _, text in findings(blocks)] == [
        said, "Felles boligkontor for regionen.", "Tolketjeneste på tvers av kommunene."]


def test_prose_going_on_after_a_summary_list_is_a_finding_but_not_a_box_in_other_type():
    going_on = "Basert på disse funnene har forskerne utviklet en modell for samarbeid mellom kommunene."
    blocks = [heading("Hovedfunn", 2), item("Flyktningene opplever i hovedsak at de er godt integrert."),
              item("Arbeidsgiverne er positive til å ta imot flyktninger."), paragraph(going_on),
              paragraph("En kommune i Troms tok imot tretti flyktninger i fjor og fikk ti av dem i arbeid.", size=9.0),
              *body()]
    assert [text for _, text in findings(blocks)] == [
        "Flyktningene opplever i hovedsak at de er godt integrert.",
        "Arbeidsgiverne er positive til å ta imot flyktninger.", going_on]


def test_a_pointer_to_a_web_address_is_not_a_finding():
    blocks = [heading("Anbefalte tiltak"), paragraph("NSM anbefaler at alle virksomheter følger grunnprinsippene for IKT-sikkerhet."),
              paragraph("For ytterligere informasjon om råd og veiledninger, besøk oss på www.nsm.no."), *body()]
    assert [text for _, text in findings(blocks)] == [
        "NSM anbefaler at alle virksomheter følger grunnprinsippene for IKT-sikkerhet."]


def test_sub_points_belong_to_the_item_they_complete():
    blocks = [heading("Anbefalinger for å redusere risiko"), item("Bevisstgjør personell med tilgang til verdier om:"),
              item("innsidetrusselen og metoder for rekruttering,", x0=84.0), item("rutiner for å melde fra.", x0=84.0),
              item("Sørg for god kompetanse om innsiderisiko i virksomheten."), *body()]
    assert [text for _, text in findings(blocks)] == [
        "Bevisstgjør personell med tilgang til verdier om:\n• innsidetrusselen og metoder for rekruttering,"
        "\n• rutiner for å melde fra.",
        "Sørg for god kompetanse om innsiderisiko i virksomheten."]


def test_a_labelled_item_is_one_finding_under_its_summary_heading():
    blocks = [heading("Videre arbeid", 2), heading("Tiltak 1 – Egenskapssett", 3),
              paragraph("Det anbefales at arbeidet med utvikling av egenskapssett fortsettes."),
              heading("Tiltak 2: Egenskapsverdier", 3),
              paragraph("Prosjektgruppen anbefaler en standardisert liste over tillatte verdier."),
              heading("Innledning", 1), paragraph(), *body()]
    assert findings(blocks) == [
        ("Videre arbeid", "Tiltak 1 – Egenskapssett Det anbefales at arbeidet med utvikling av egenskapssett fortsettes."),
        ("Videre arbeid", "Tiltak 2: Egenskapsverdier Prosjektgruppen anbefaler en standardisert liste over tillatte verdier."),
    ]


def test_a_number_set_as_a_heading_marks_the_item_under_it():
    blocks = [heading("Effektive råd", 1), heading("1", 2), heading("Oppgrader program- og maskinvare.", 3),
              paragraph("Nyere produktversjoner har tettet flere sikkerhetshull enn eldre versjoner."),
              heading("2", 2), heading("Installer sikkerhetsoppdateringer.", 3),
              paragraph("Selv de beste produktene har feil som kan bli utnyttet av angripere."), *body()]
    assert findings(blocks) == [
        ("Effektive råd", "Oppgrader program- og maskinvare. Nyere produktversjoner har tettet flere sikkerhetshull "
                          "enn eldre versjoner."),
        ("Effektive råd", "Installer sikkerhetsoppdateringer. Selv de beste produktene har feil som kan bli utnyttet "
                          "av angripere."),
    ]


def test_a_labelled_heading_outside_a_summary_gives_no_finding():
    blocks = [heading("Alternativene", 1), heading("Alternativ 1 – Vegdirektoratet", 2),
              paragraph("Et egenskapssett utarbeidet av Vegdirektoratet som bygger på kjente prinsipper."),
              heading("Tiltak i kommunene", 1), paragraph(), *body()]
    assert findings(blocks) == []


def _recommendation_chapter(proposals: int) -> list[Block]:
    blocks = [heading("4 Prosjektgruppens anbefalinger", 1, page=5)]
    for n in range(proposals):
        blocks += [heading(f"4.{n + 1} Tema nummer {n + 1}", 2, page=5 + n), paragraph(page=5 + n),
                   heading("Forslag fra prosjektgruppe:", 3, page=5 + n),
                   paragraph(f"Det bør utarbeides en felles løsning for tema nummer {n + 1} i bransjen.", page=5 + n)]
    return blocks


def test_a_summary_named_chapter_holding_the_report_body_is_no_summary():
    blocks = [heading("Sammendrag", 1), paragraph("Rapporten foreslår felles krav til modeller for bruer og tunneler."),
              heading("Innledning", 1, page=2), paragraph(page=2), *_recommendation_chapter(8),
              heading("5 Konklusjon", 1, page=20), paragraph("Felles krav til modeller bør innføres fra neste år.", page=20)]
    assert findings(blocks) == [("Sammendrag", "Rapporten foreslår felles krav til modeller for bruer og tunneler."),
                                ("Konklusjon", "Felles krav til modeller bør innføres fra neste år.")]


def test_a_long_summary_chapter_is_still_the_summary_when_it_is_the_only_one():
    blocks = [heading("Innledning", 1), paragraph(), *_recommendation_chapter(8)]
    assert len(findings(blocks)) == 16  # each sub-chapter's paragraph and its proposal


def test_a_list_presented_as_the_key_points_is_a_summary_wherever_it_stands():
    blocks = [heading("Risikobildet", 1), paragraph("NSM vurderer de viktigste utviklingstrekkene i risikobildet å være følgende:"),
              item("Det digitale risikobildet er skjerpet", marker="1."),
              item("Covid-19-pandemien har forsterket risikobildet", marker="2."),
              paragraph("Disse faktorene henger nært sammen og reflekterer endringer i trusselbildet."), *body()]
    assert findings(blocks) == [("Risikobildet", "Det digitale risikobildet er skjerpet"),
                                ("Risikobildet", "Covid-19-pandemien har forsterket risikobildet")]


def test_a_list_of_other_points_outside_a_summary_is_no_finding():
    blocks = [heading("Metode", 1), paragraph("Rapporten bygger på tre datakilder:"), item("Intervjuer med ansatte i kommunene."),
              heading("Organisering", 1), paragraph("Senteret skal støtte virksomhetene gjennom tre hovedfunksjoner:"),
              item("Varsling av hendelser til virksomhetene."), *body()]
    assert findings(blocks) == []


def test_a_summary_heading_set_again_over_its_next_page_goes_on_with_the_section():
    blocks = [heading("Anbefalte tiltak", 1, page=2), heading("IKT-SIKKERHET", 2, page=2),
              paragraph("NSM anbefaler at virksomheter tar i bruk flerfaktorautentisering for alle brukere.", page=2),
              heading("Anbefalte tiltak", 1, page=3),
              paragraph("NSM anbefaler at virksomheter har gode rutiner for å fjerne tilganger.", page=3), *body(3)]
    assert [section for section, _ in findings(blocks)] == ["IKT-SIKKERHET", "IKT-SIKKERHET"]


# --- passages of a few words stand with their neighbours -----------------------------------


def _passage(text: str, page: int = 1, section: str = "Funn") -> Passage:
    return Passage(id=text[:8], text=text, page=page, chapter=None, section=section)


def test_a_fragment_opens_the_next_passage_of_its_section():
    from indexer.extract.segmentation import join_fragments

    joined = join_fragments([
        _passage("Kommunene har lang erfaring med bosetting av flyktninger."),
        _passage("Påvirkning utnytter KI", page=3),
        _passage("Falske nettsteder og kontoer sprer budskap i stor skala.", page=4),
    ])
    assert [p.text for p in joined] == [
        "Kommunene har lang erfaring med bosetting av flyktninger.",
        "Påvirkning utnytter KI\nFalske nettsteder og kontoer sprer budskap i stor skala.",
    ]
    assert joined[1].page == 3  # the passage starts where its first words stand


def test_a_fragment_with_nothing_after_it_in_its_section_closes_the_one_before():
    from indexer.extract.segmentation import join_fragments

    joined = join_fragments([
        _passage("Referanser til rapporter om likestilling i akademia."),
        _passage("European Commission."),
        _passage("Et nytt avsnitt i et annet kapittel med nok ord.", section="Metode"),
    ])
    assert [p.text for p in joined][:1] == ["Referanser til rapporter om likestilling i akademia.\nEuropean Commission."]
    assert len(joined) == 2


def test_list_items_and_passages_of_five_words_stay_as_they_are():
    from indexer.extract.segmentation import join_fragments

    passages = [_passage("• Bolig"), _passage("Dette er fem ord her."), _passage("• Arbeid")]
    assert [p.text for p in join_fragments(passages)] == [p.text for p in passages]
