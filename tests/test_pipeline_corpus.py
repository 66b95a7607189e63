"""The bundled corpus end to end: the compilation's table, the survey's structure, clean text."""
import re

import pytest

from indexer.extract.pipeline import extract_document

# title → (theme, contractors, published, year_inferred, number of findings), from the issue; where a
# Hovedfunn list is followed by more paragraphs of the same section, those count too (as in the layout gold).
COMPILATION = [
    ("Kunnskap om bosetting av flyktninger", "Bosetting og tidlig innsats", ["NTNU Samfunnsforskning"], "2018-12-12", False, 7),
    ("Satsing for økt måloppnåelse i introduksjonsprogram", "Kvalifisering og arbeidsliv", ["Rambøll Management Consulting"], "2019-11", False, 0),
    ("Hvor lenge deltar flyktninger og familiegjenforente i introduksjonsprogrammet?", "Kvalifisering og arbeidsliv", [], "2019-10", False, 3),
    ("Økonomiske insentiver i integreringsarbeidet", "Kvalifisering og arbeidsliv", ["Fafo", "Frischsenteret"], "2019-08", False, 3),
    ("Evaluering av empowermentkurs", "Kvalifisering og arbeidsliv", ["Rambøll Management Consulting"], "2019-05", False, 7),
    ("Jobbsjansen 2017 og 2018 – Analyse av individrapporteringer", "Kvalifisering og arbeidsliv", ["Ideas2evidence"], "2019-09-20", False, 6),
    ("Samarbeid mellom offentlig, privat og frivillig sektor", "Kvalifisering og arbeidsliv", ["NORCE"], "2019-06", False, 0),
    ("Flyktningers deltagelse i arbeid og utdanning – ", "Kvalifisering og arbeidsliv", ["Institutt for samfunnsforskning"], "2019-05-16", False, 6),
    ("Hurtigspor for nyankomne flyktninger", "Kvalifisering og arbeidsliv", ["IMDi", "Arbeids- og velferdsdirektoratet"], "2019-01", False, 0),
    ("Supported Employment i kvalifiseringstiltak for innvandrere", "Kvalifisering og arbeidsliv", ["Arbeidsforskningsinstituttet (OsloMet)"], "2019", True, 4),
    ("Unge i utsatte boområder – en kunnskapsoversikt", "Oppvekst og deltakelse", ["Fafo"], "2019-11", False, 6),
    ("Mestring i mottak og kommuner", "Oppvekst og deltakelse", ["Folkehelseinstituttet"], "2019-05-14", False, 0),
    ("Migrasjon, foreldreskap og sosial kontroll", "Oppvekst og deltakelse", ["Fafo"], "2019-01-16", False, 5),
    ("Integrering som samskaping i distriktskommuner", "Bedre offentlige tjenester", ["Høgskolen i Innlandet", "Østlandsforskning"], "2019-05", False, 4),
    ("Kommunenes utgifter til bosetting og integrering av flyktninger i 2018", "Serier", ["Beregningsutvalget"], "2019-08", False, 3),
    ("Kommuneundersøkelsen 2018", "Serier", ["IMDi"], "2019-06-07", False, 9),
    ("Hvordan måle integrering?", "Serier", ["Proba samfunnsanalyse"], "2019-04-01", False, 13),
]
HYPHEN_ARTEFACT = re.compile(r"\b\w+- (?!og\b|eller\b|enn\b|samt\b|til\b)[a-zæøå]\w*")


@pytest.fixture(scope="module")
def compilation(corpus_documents):
    return corpus_documents["fou-prosjekter-2019.pdf"]


@pytest.fixture(scope="module")
def survey(corpus_documents):
    return corpus_documents["kommuneundersokelsen-2020.pdf"]


def _texts(document):
    for report in document.reports:
        yield from (f.text for f in report.findings)
        yield from (p.text for p in report.passages)
        yield report.lead


def test_compilation_matches_the_table(compilation):
    assert compilation.document_title == "FoU-prosjekter 2019"
    assert len(compilation.reports) == len(COMPILATION)
    for report, (title, theme, contractors, published, inferred, findings) in zip(
        compilation.reports, COMPILATION, strict=True
    ):
        assert report.title.startswith(title), report.title
        assert (report.theme, report.contractors, report.published, report.year_inferred, len(report.findings)) == (
            theme, contractors, published, inferred, findings), report.title
        assert report.year == int(published[:4])


def test_commissioner_is_told_apart_from_contractor(compilation):
    by_title = {r.title: r for r in compilation.reports}
    assert by_title["Kunnskap om bosetting av flyktninger"].commissioner == "Kunnskapsdepartementet"
    assert by_title["Økonomiske insentiver i integreringsarbeidet"].commissioner == "IMDi"
    assert "IMDi" not in by_title["Økonomiske insentiver i integreringsarbeidet"].contractors


def test_findings_keep_their_full_text_and_section(compilation):
    report = next(r for r in compilation.reports if r.title.startswith("Evaluering av empowermentkurs"))
    assert {f.section for f in report.findings} == {"Anbefalinger"}
    first, last = report.findings[0], report.findings[-1]
    assert first.text.startswith("Kurset kan eksplisitt inneholde kunnskapsformidling")
    assert last.text.endswith("høyt konkretiseringsnivå i formidlingen.")
    hovedfunn = next(r for r in compilation.reports if r.title == "Kunnskap om bosetting av flyktninger")
    assert hovedfunn.findings[0].section == "Hovedfunn"
    assert hovedfunn.findings[-1].text.endswith("etter endt program.")


def test_link_lines_are_not_findings(compilation):
    jobbsjansen = next(r for r in compilation.reports if r.title.startswith("Jobbsjansen"))
    assert not any("Følgeevaluering" in f.text for f in jobbsjansen.findings)
    assert not any("(PDF," in text for text in _texts(compilation))


def test_lead_and_passages_have_page_and_section(compilation):
    report = compilation.reports[0]
    assert report.lead.startswith("Boligmangel, mange familieinnvandringer")
    assert report.page_start >= 3
    assert all(p.page >= report.page_start and p.section for p in report.passages)


def test_survey_is_one_report_with_chapters_as_themes(survey):
    assert len(survey.reports) == 1
    report = survey.reports[0]
    for chapter in ["Sammendrag", "Generelt", "Arbeid og kvalifisering", "Koronapandemien"]:
        assert chapter in report.themes
    assert report.year == 2020 and report.year_inferred
    assert len(report.findings) >= 10
    assert all(f.chapter == "Sammendrag" for f in report.findings)
    chapters_with_passages = {p.chapter for p in report.passages}
    assert set(report.themes) - {"Sammendrag"} <= chapters_with_passages


def test_survey_footnotes_stay_out_of_sentences(survey):
    report = survey.reports[0]
    notes = [p for p in report.passages if p.section == "Fotnoter"]
    assert any(p.text.startswith("1 Responsrate er målt") or "Responsrate er målt" in p.text for p in notes)
    body = [p.text for p in report.passages if p.section != "Fotnoter"]
    assert any("liten variasjon i responsraten langs de viktigste variablene" in t for t in body)
    assert not any("Responsrate er målt" in t for t in body)


@pytest.mark.parametrize("name", ["compilation", "survey"])
def test_no_page_furniture_or_hyphenation_artefacts(name, request):
    document = request.getfixturevalue(name)
    for text in _texts(document):
        assert not re.search(r"\bSide \d+\b", text), text
        assert text.strip() != "Innhold"
        assert not re.search(r"\.{4,}", text), text
        assert not HYPHEN_ARTEFACT.search(text), HYPHEN_ARTEFACT.search(text).group(0)


def test_hyphenation_repair_and_real_hyphens(compilation):
    joined = " ".join(_texts(compilation))
    assert "videregående" in joined and "vide-" not in joined
    assert "introduksjonsprogrammet" in joined
    assert "Integrerings- og mangfoldsdirektoratet" in joined
    assert "NAV-tiltak" in joined


def test_ids_are_stable(corpus_dir, compilation):
    again = extract_document(corpus_dir / "fou-prosjekter-2019.pdf")
    assert [r.id for r in again.reports] == [r.id for r in compilation.reports]
    assert [f.id for r in again.reports for f in r.findings] == [f.id for r in compilation.reports for f in r.findings]
    assert len({f.id for r in compilation.reports for f in r.findings}) == sum(len(r.findings) for r in compilation.reports)
