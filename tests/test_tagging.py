"""Publication dates, contractors and commissioners as Norwegian reports phrase them."""
import pytest

from indexer.extract.tagging import get_tagger, parse_published


@pytest.mark.parametrize(
    "line, published, year",
    [
        ("Utgitt: 12. desember 2018", "2018-12-12", 2018),
        ("Utgitt: November 2019", "2019-11", 2019),
        ("Utgitt: 7. juni 2019", "2019-06-07", 2019),
        ("Publisert: 01.04.2019", "2019-04-01", 2019),
        ("Utgitt: 2017", "2017", 2017),
    ],
)
def test_norwegian_dates(line, published, year):
    result = parse_published(line)
    assert (result.published, result.year) == (published, year)


def test_text_without_date_has_none():
    assert parse_published("Rapporten kom ut i fjor") is None


@pytest.mark.parametrize(
    "text, contractors, commissioners",
    [
        ("Fafo og Frischsenteret har på oppdrag fra IMDi utviklet tre forslag til modeller.",
         ["Fafo", "Frischsenteret"], ["IMDi"]),
        ("På oppdrag fra IMDi har Proba samfunnsanalyse gjennomført en slik gjennomgang.",
         ["Proba samfunnsanalyse"], ["IMDi"]),
        ("Rambøll har i perioden november 2018 til mai 2019 gjennomført «Evaluering av kurs» "
         "på oppdrag for Integrerings- og mangfoldsdirektoratet (IMDi).",
         ["Rambøll Management Consulting"], ["IMDi"]),
        ("Institutt for samfunnsforskning (ISF) har på oppdrag fra IMDi og Arbeids- og "
         "velferdsdirektoratet utarbeidet rapporten.",
         ["Institutt for samfunnsforskning"], ["IMDi", "Arbeids- og velferdsdirektoratet"]),
        ("Beregningsutvalgets rapport for 2018 viser at kommunene får dekket utgiftene.",
         ["Beregningsutvalget"], []),
        ("Denne kunnskapsoversikten fra Fafo viser at risikofaktorene handler om levekår.", ["Fafo"], []),
        ("Denne rapporten er utarbeidet av Sweco Norge AS i samarbeid med Statens vegvesen.", ["Sweco"], []),
        ("Rambøll Management Consulting har bistått IMDi med dokumentasjon og formidling.",
         ["Rambøll Management Consulting"], ["IMDi"]),
        ("Folkehelseinstituttet (FHI) har utarbeidet rapporten. Bufdir, UDI og IMDi har gitt økonomisk "
         "støtte til prosjektet.", ["Folkehelseinstituttet"], []),
    ],
)
def test_contractor_and_commissioner(text, contractors, commissioners):
    assert get_tagger().roles([text]) == (contractors, commissioners)


def test_the_first_sentence_naming_the_author_decides():
    # The handbook IMDi wrote later in the text does not make IMDi the report's author.
    texts = [
        "Denne rapporten dokumenterer IMDi arbeid med å utvikle en ny arbeidsmetodikk.",
        "Rambøll Management Consulting har bistått IMDi med dokumentasjon og formidling.",
        "I forbindelse med prosjektet har IMDi utarbeidet håndboken.",
    ]
    assert get_tagger().roles(texts)[0] == ["Rambøll Management Consulting"]


def test_data_sources_are_not_contractors():
    text = "Rapporten er en analyse basert på data fra Nasjonalt introduksjonsregister (NIR)."
    assert get_tagger().roles([text]) == ([], [])


def test_a_later_sentence_about_the_same_contractor_names_the_commissioner():
    texts = ["Denne kunnskapsoversikten fra Fafo viser at risikofaktorene handler om levekår.",
             "Fafo har på oppdrag fra IMDi summert opp forskning om utenforskap."]
    assert get_tagger().roles(texts) == (["Fafo"], ["IMDi"])


def test_a_later_commission_of_someone_else_is_not_the_reports():
    texts = ["Denne kunnskapsoversikten fra Fafo viser at risikofaktorene handler om levekår.",
             "NOVA har på oppdrag fra IMDi utarbeidet en tidligere rapport om det samme."]
    assert get_tagger().roles(texts) == (["Fafo"], [])
