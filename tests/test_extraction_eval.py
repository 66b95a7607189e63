"""The extraction evaluation: findings, metadata, chapters and words lost, on hand-built
documents; no word of the bundled corpus lost; `rapportsok eval-extraction`; the
furniture that cleaning and the pipeline record."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.evaluation.extraction import (
    Gold,
    GoldFileError,
    account_words,
    evaluate_folders,
    finding_key,
    format_report,
    gold_files,
    load_gold,
    parse_gold,
    raw_lines_of,
    score_document,
)
from indexer.extract.cleaning import remove_contents, remove_running_lines
from indexer.extract.pdftext import Line
from indexer.extract.pipeline import file_sha256
from indexer.records import FURNITURE_KINDS, Document, Finding, Furniture, Passage, Report

REPO = Path(__file__).resolve().parent.parent
REAL_GOLD = REPO / "tests" / "gold" / "realpdfs"


# --- hand-built documents ---------------------------------------------------------------


def report(title="Rapport om bosetting", findings=(), passages=(), contractors=("NTNU Samfunnsforskning",),
           commissioner="IMDi", year=2019, chapter="Innledning", section="Hovedfunn") -> Report:
    return Report(
        id="r", title=title, theme=None, contractors=list(contractors), commissioner=commissioner,
        published=None, year=year, year_inferred=False, lead="", page_start=1, page_end=2,
        findings=[Finding(id=f"f{i}", text=t, page=1, section=section, chapter=chapter) for i, t in enumerate(findings)],
        passages=[Passage(id=f"p{i}", text=t, page=2, chapter=chapter, section=chapter)
                  for i, t in enumerate(passages)],
        themes=[chapter] if chapter else [],
    )


def document(*reports: Report, furniture=(), title="Rapport om bosetting") -> Document:
    return Document(source="test.pdf", sha256="0" * 64, pages=2, document_title=title,
                    reports=list(reports), furniture=list(furniture))


def gold(*reports: dict) -> Gold:
    return parse_gold({"reports": [
        {"title": "Rapport om bosetting", "contractors": ["NTNU Samfunnsforskning"], "commissioner": "IMDi",
         "year": 2019, "findings": [], "chapters": None, **r} for r in reports]})


FINDINGS = [
    "Boligmangel er ofte en flaskehals i bosettingsarbeidet i mange kommuner.",
    "Sekundærflytting er utbredt, og flyttestrømmen går særlig fra mindre til større kommuner.",
    "Flyktninger kan ha lite systemkunnskap om hvordan man kommer seg videre.",
]


def gold_findings(texts):
    return [{"section": "Hovedfunn", "text": t} for t in texts]


def test_all_findings_found_and_metadata_right():
    score = score_document(document(report(findings=FINDINGS)), gold({"findings": gold_findings(FINDINGS)}), [])
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
    assert score.metadata_correct == score.metadata_judged == 4


def test_a_missing_finding_lowers_recall():
    score = score_document(document(report(findings=FINDINGS[:2])), gold({"findings": gold_findings(FINDINGS)}), [])
    assert score.precision == 1.0 and score.recall == pytest.approx(2 / 3)
    assert score.reports[0].missed_findings == [FINDINGS[2]]


def test_an_extra_finding_lowers_precision():
    score = score_document(document(report(findings=FINDINGS)), gold({"findings": gold_findings(FINDINGS[:2])}), [])
    assert score.recall == 1.0 and score.precision == pytest.approx(2 / 3)
    assert score.reports[0].extra_findings == [FINDINGS[2]]
    assert score.f1 == pytest.approx(0.8)


def test_findings_match_on_their_first_eight_normalised_words():
    extracted = "«Boligmangel er ofte en flaskehals i bosettings\u00adarbeidet i» – og resten skiller seg."
    assert finding_key(extracted) == finding_key("boligmangel er  OFTE en flaskehals i bosettingsarbeidet i mange")
    # A gold item shorter than eight words is the whole item: a longer finding does not match it.
    assert finding_key("Boligmangel er en flaskehals.") != finding_key("Boligmangel er en flaskehals i mange kommuner.")
    score = score_document(document(report(findings=[extracted])),
                           gold({"findings": gold_findings(["Boligmangel er ofte en flaskehals i bosettingsarbeidet i"])}),
                           [])
    assert score.findings_matched == 1


def test_findings_are_matched_one_to_one():
    twice = [FINDINGS[0], FINDINGS[0]]
    score = score_document(document(report(findings=[FINDINGS[0]])), gold({"findings": gold_findings(twice)}), [])
    assert score.findings_matched == 1 and score.recall == 0.5


def test_reports_are_matched_by_title_and_an_unmatched_report_counts_against_both():
    extracted = document(
        report(title="Mestring i mottak", findings=FINDINGS[2:]),
        report(title="Kunnskap om bosetting", findings=FINDINGS[:2]),
        report(title="Noe ekstra", findings=["Et funn ingen har bedt om står her alene."]),
        title="FoU-prosjekter 2019",
    )
    judged = gold({"title": "KUNNSKAP OM  bosetting", "findings": gold_findings(FINDINGS[:2])},
                  {"title": "Mestring i mottak", "findings": gold_findings(FINDINGS[2:])})
    score = score_document(extracted, judged, [])
    assert [r.extracted_title for r in score.reports] == ["Kunnskap om bosetting", "Mestring i mottak"]
    assert all(r.title_ok for r in score.reports)
    assert score.extra_reports == ["Noe ekstra"]
    assert score.recall == 1.0 and score.precision == pytest.approx(3 / 4)


def test_metadata_contractors_are_a_set_and_each_field_counts():
    extracted = document(report(contractors=["Fafo", "NTNU Samfunnsforskning"], commissioner=None, year=2018))
    judged = gold({"contractors": ["ntnu samfunnsforskning", "Fafo"], "commissioner": "IMDi", "year": 2019})
    result = score_document(extracted, judged, []).reports[0]
    assert (result.title_ok, result.contractors_ok, result.commissioner_ok, result.year_ok) == (True, True, False, False)
    assert result.metadata_correct == 2


def test_chapters_found_among_chapter_and_section_names():
    judged = gold({"chapters": ["Innledning", "Metode"]})
    result = score_document(document(report(passages=["Tekst."])), judged, []).reports[0]
    assert (result.chapters_found, result.chapters_gold, result.missed_chapters) == (1, 2, ["Metode"])


def test_a_gold_file_must_be_shaped_as_the_readme_says():
    with pytest.raises(GoldFileError, match="reports"):
        parse_gold({"report": []})
    with pytest.raises(GoldFileError, match="year"):
        parse_gold({"reports": [{"title": "T", "year": "2019"}]})
    with pytest.raises(GoldFileError, match="text"):
        parse_gold({"reports": [{"title": "T", "findings": [{"section": "Hovedfunn"}]}]})


# --- words lost ---------------------------------------------------------------------------


def words(raw, *reports, furniture=()):
    return account_words(list(raw), document(*reports, furniture=furniture))


RAW = [(1, "Rapport om bosetting"), (2, "Innledning"), (2, "Boligmangel er ofte en flaskehals."),
       (2, "Kommunene mangler boliger.")]
PASSAGES = ["Boligmangel er ofte en flaskehals.", "Kommunene mangler boliger."]


def test_every_word_accounted_for():
    account = words(RAW, report(passages=PASSAGES))
    assert (account.lost, account.duplicated, account.unread) == (0, 0, 0)
    assert account.raw == account.accounted == 12


def test_a_word_dropped_from_a_passage_is_lost():
    account = words(RAW, report(passages=["Boligmangel er en flaskehals.", PASSAGES[1]]))
    assert account.lost == 1 and account.lost_words == {"ofte": 1}
    assert [(line.page, line.text) for line in account.lost_lines] == [(2, "Boligmangel er ofte en flaskehals.")]


def test_a_line_end_hyphen_join_is_not_lost():
    raw = [*RAW[:3], (2, "Kommunene mangler vide-"), (3, "Side 3"), (3, "regående skoler.")]
    joined = report(passages=[PASSAGES[0], "Kommunene mangler videregående skoler."])
    account = words(raw, joined, furniture=[Furniture(page=3, kind="page_number", text="Side 3")])
    assert (account.lost, account.duplicated, account.unread, account.hyphen_joins) == (0, 0, 0, 1)
    # A real hyphen kept ("covid-19") splits into the same words as the lines.
    kept = report(passages=[PASSAGES[0], "Kommunene mangler vide-regående skoler."])
    account = words(raw, kept, furniture=[Furniture(page=3, kind="page_number", text="Side 3")])
    assert (account.lost, account.hyphen_joins) == (0, 0)


def test_a_recorded_header_is_not_lost_and_an_unrecorded_one_is():
    raw = [(2, "FoU-prosjekter 2019"), *RAW]
    header = Furniture(page=2, kind="header", text="FoU-prosjekter 2019")
    assert words(raw, report(passages=PASSAGES), furniture=[header]).lost == 0
    account = words(raw, report(passages=PASSAGES))
    assert account.lost == 3 and account.lost_words == {"fou": 1, "prosjekter": 1, "2019": 1}


def test_a_duplicated_passage_counts_as_duplicated():
    account = words(RAW, report(passages=[*PASSAGES, PASSAGES[1]]))
    assert account.lost == 0 and account.duplicated == 3
    assert account.duplicated_words == {"kommunene": 1, "mangler": 1, "boliger": 1}


def test_a_heading_name_accounts_for_each_line_it_stands_on_and_a_heading_with_no_trace_is_lost():
    raw = [(1, "Rapport om bosetting"), (2, "1.1 Type:"), (2, "Boligmangel er ofte en flaskehals."),
           (2, "Metode"), (2, "1.2 Type:"), (2, "Kommunene mangler boliger.")]
    numbers = [Furniture(page=2, kind="heading_number", text="1.1"), Furniture(page=2, kind="heading_number", text="1.2")]
    extracted = report(passages=PASSAGES, chapter=None)
    for passage in extracted.passages:
        passage.section = "Type"  # the section name is kept once; it stands twice on the page
    account = words(raw, extracted, furniture=numbers)
    assert account.lost_words == {"metode": 1}  # a heading with nothing under it leaves no name
    assert [line.text for line in account.lost_lines] == ["Metode"]
    assert words(raw, extracted).lost_words == {"1": 3, "metode": 1, "2": 1}  # numbers not recorded


def test_a_run_in_heading_name_accounts_for_each_line_it_starts():
    raw = [(1, "Rapport om bosetting"), (2, "JS: Boligmangel er ofte en flaskehals."),
           (2, "TM: Kommunene mangler boliger."), (2, "JS: Kommunene mangler boliger.")]
    extracted = report(passages=[*PASSAGES, PASSAGES[1]], chapter=None)
    for passage, speaker in zip(extracted.passages, ["JS", "TM", "JS"], strict=True):
        passage.section = speaker
    assert words(raw, extracted).lost == 0


# --- furniture ----------------------------------------------------------------------------


H, W = 842.0, 595.0


def line(text, page, top, size=10.0):
    return Line(text=text, page=page, x0=72.0, x1=72.0 + 6 * len(text), top=top, bottom=top + size * 1.2,
                size=size, bold=False, italic=False, link=False, link_chars=0, page_height=H, page_width=W)


def test_cleaning_records_what_it_removes_and_removes_the_same():
    pages = [[line("FoU-prosjekter 2019", n, 30), line(f"Tekst på side {n}.", n, 200),
              line("IMDi", n, 790), line(f"Side {n}", n, 800)] for n in range(1, 6)]
    removed: list[Furniture] = []
    cleaned = remove_running_lines(pages, removed)
    assert cleaned == remove_running_lines(pages)
    assert [[kept.text for kept in page] for page in cleaned] == [[f"Tekst på side {n}."] for n in range(1, 6)]
    assert [(f.page, f.kind, f.text) for f in removed if f.page == 2] == [
        (2, "header", "FoU-prosjekter 2019"), (2, "footer", "IMDi"), (2, "page_number", "Side 2")]

    contents = [line("Innhold", 1, 80, size=16)] + [
        line(f"Kapittel {n} ........................ {n + 2}", 1, 100 + 20 * n) for n in range(1, 6)]
    body = [line("Boligmangel er et problem.", 2, 120)]
    removed = []
    assert remove_contents([contents, body], removed) == remove_contents([contents, body])
    assert [f.text for f in removed] == [x.text for x in contents] and {f.kind for f in removed} == {"contents"}


def test_furniture_goes_through_json(corpus_documents):
    extracted = corpus_documents["fou-prosjekter-2019.pdf"]
    kinds = {piece.kind for piece in extracted.furniture}
    assert {"cover", "header", "page_number", "contents", "link", "published"} <= kinds <= set(FURNITURE_KINDS)
    again = Document.from_dict(json.loads(json.dumps(extracted.to_dict())))
    assert again.furniture == extracted.furniture
    assert Document.from_dict({k: v for k, v in extracted.to_dict().items() if k != "furniture"}).furniture == []


# --- the bundled corpus -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fou-prosjekter-2019.pdf", "kommuneundersokelsen-2020.pdf"])
def test_the_bundled_corpus_loses_no_word(name, corpus_dir, corpus_documents):
    account = account_words(raw_lines_of(corpus_dir / name), corpus_documents[name])
    lost = [f"s. {line.page}: {line.text!r} ({line.lost})" for line in account.lost_lines]
    assert account.lost == 0, f"{account.lost} words lost: {account.lost_words}\n" + "\n".join(lost)
    assert account.duplicated == 0, f"{account.duplicated} words duplicated: {account.duplicated_words}"
    assert account.unread == 0
    assert account.raw > 5000 and account.hyphen_joins > 100


# --- the command ----------------------------------------------------------------------------


TINY_GOLD = {
    "source": "fou-prosjekter-2019.pdf",
    "reports": [{
        "title": "Kunnskap om bosetting av flyktninger",
        "contractors": ["NTNU Samfunnsforskning"],
        "commissioner": "Kunnskapsdepartementet",
        "year": 2018,
        "findings": [
            {"section": "Hovedfunn", "text": "Boligmangel er ofte en flaskehals i bosettingsarbeidet. Få kommuner"},
            {"section": "Hovedfunn", "text": "Sekundærflytting er utbredt, og flyttestrømmen går særlig fra mindre"},
            {"section": "Hovedfunn", "text": "Dette funnet står ikke i rapporten og skal mangle."},
        ],
        "chapters": None,
    }],
}


def _eval_extraction(*args):
    return subprocess.run([sys.executable, "-m", "search_app", "eval-extraction", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_the_command_on_one_corpus_pdf(tmp_path, corpus_dir):
    (tmp_path / "fou.gold.json").write_text(json.dumps(TINY_GOLD, ensure_ascii=False), encoding="utf-8")
    proc = _eval_extraction("--gold", tmp_path, "--pdfs", corpus_dir, "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["failed"] == [] and result["totals"]["documents"] == 1
    (doc,) = result["documents"]
    assert doc["source"] == "fou-prosjekter-2019.pdf" and doc["pages"] == 20
    (rep,) = doc["reports"]
    assert rep["title_ok"] and rep["contractors_ok"] and rep["commissioner_ok"] and rep["year_ok"]
    assert (rep["findings_gold"], rep["findings_matched"]) == (3, 2)
    assert rep["missed_findings"] == ["Dette funnet står ikke i rapporten og skal mangle."]
    assert doc["words"]["lost"] == 0 and doc["words"]["duplicated"] == 0
    assert result["totals"]["findings"]["recall"] == pytest.approx(2 / 3)
    assert result["totals"]["pages_per_second"] > 0

    # The terminal table; a gold file found by sha256 alone.
    by_sha = {**TINY_GOLD, "source": None, "sha256": file_sha256(corpus_dir / "fou-prosjekter-2019.pdf")}
    (tmp_path / "fou.gold.json").write_text(json.dumps(by_sha, ensure_ascii=False), encoding="utf-8")
    proc = _eval_extraction("--gold", tmp_path / "fou.gold.json", "--pdfs", corpus_dir)
    assert proc.returncode == 0, proc.stderr
    assert "fou-prosjekter-2019.pdf" in proc.stdout and "Totalt, 1 dokumenter" in proc.stdout
    assert "mangler funn: «Dette funnet står ikke i rapporten og skal mangle.»" in proc.stdout


def test_the_command_refuses_unusable_arguments(tmp_path):
    assert _eval_extraction().returncode == 2
    assert _eval_extraction("--pdfs", tmp_path / "finnes-ikke").returncode == 2
    assert _eval_extraction("--gold", tmp_path / "finnes-ikke").returncode == 2
    (tmp_path / "ødelagt.json").write_text("{", encoding="utf-8")
    proc = _eval_extraction("--gold", tmp_path)
    assert proc.returncode == 2 and "ødelagt.json" in proc.stderr and "Traceback" not in proc.stderr
    empty = tmp_path / "tom"
    empty.mkdir()
    proc = _eval_extraction("--gold", empty)
    assert proc.returncode == 2 and "Fant ingen gullfiler" in proc.stderr


def test_a_gold_file_without_its_pdf_is_reported(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps({**TINY_GOLD, "source": "borte.pdf", "sha256": "f" * 64}),
                                     encoding="utf-8")
    result = evaluate_folders([tmp_path], [tmp_path])
    assert result.documents == [] and len(result.failed) == 1 and "borte.pdf" in result.failed[0].reason
    assert "ble ikke evaluert" in format_report(result)


# --- the real PDFs (skipped without ../shared/realpdfs) --------------------------------------


def test_every_real_gold_file_is_well_formed_and_finds_its_pdf(real_pdfs):
    files = gold_files([REAL_GOLD]) if REAL_GOLD.is_dir() else []
    if not files:
        pytest.skip("no gold files in tests/gold/realpdfs yet")
    for path in files:
        judged = load_gold(path)
        assert judged.sha256 == path.stem, f"{path.name}: named by another sha256 than it carries"
        assert judged.source and file_sha256(real_pdfs / judged.source) == judged.sha256, path.name


def test_a_real_pdf_against_its_gold(real_pdfs):
    path = REAL_GOLD / "8fa42b6ff5f59236f4ee2e6d1c1069e85f29b4867c25801f1b90590fd07012f0.json"  # DORA, 6 pages
    if not path.is_file():
        pytest.skip("the gold file of no/dora_norsk_lovtidend.pdf is not written yet")
    result = evaluate_folders([path], [real_pdfs])
    assert result.failed == [] and len(result.documents) == 1
    (doc,) = result.documents
    assert doc.source == "no/dora_norsk_lovtidend.pdf" and doc.pages == 6 and doc.words.raw > 1000
    assert doc.metadata_judged == 4 and "no/dora_norsk_lovtidend.pdf" in format_report(result)
