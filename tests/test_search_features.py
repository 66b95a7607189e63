"""Search features a reader notices: filters, facets, typo tolerance, synonyms,
highlights, sorting, paging, grouping, more-like-this and report lookup.

Most tests search the bundled corpus, indexed once per session
(``corpus_index`` in conftest.py). Expectations come from the corpus texts in corpus/source.
Synonyms and HTML escaping need words the corpus lacks, so a small crafted
collection of three reports is indexed for them.
"""
from __future__ import annotations

import json
import re
import time
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from indexer import Engine, QueryError, SearchRequest
from indexer.index.build import update_index
from indexer.language.nynorsk import get_nynorsk
from indexer.records import Document, Finding, Passage, Report
from indexer.search.engine import close_searchers, get_searcher, search
from indexer.search.typo import Vocabulary
from search_app.cli import main as cli_main

FAFO = "Fafo"
SURVEY_2020 = "IMDi kommuneundersøkelse 2020"
OPPVEKST = "Oppvekst og deltakelse"


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()


def everything(index_dir: Path, query: str, **options):
    """Every hit of a query (one page as large as the result)."""
    first = search(index_dir, query, size=1, **options)
    return search(index_dir, query, size=max(1, first.total), **options)


# --- filters in the query and as arguments ----------------------------------------------


def test_minus_fafo_removes_fafo_hits(corpus_index):
    with_fafo = everything(corpus_index, "sosial kontroll")
    assert any(FAFO in hit.report.contractors for hit in with_fafo.results)
    without = everything(corpus_index, "sosial kontroll -fafo")
    assert 0 < without.total < with_fafo.total
    for hit in without.results:
        assert FAFO not in hit.report.contractors
        assert "Fafo" not in hit.text  # the name in prose; a footnote's URL is no mention


def test_an_excluded_phrase_removes_only_texts_with_the_phrase(corpus_index):
    found = everything(corpus_index, 'kontroll -"negativ sosial kontroll"')
    assert found.results
    assert all("negativ sosial kontroll" not in hit.text.lower() for hit in found.results)


@pytest.mark.parametrize("query", ["oppdragstaker:fafo sosial kontroll", "contractor:FAFO sosial kontroll"])
def test_contractor_filter_keeps_only_that_institute(corpus_index, query):
    found = everything(corpus_index, query)
    assert found.results
    assert all(FAFO in hit.report.contractors for hit in found.results)


def test_contractor_filter_by_unambiguous_prefix(corpus_index):
    found = everything(corpus_index, "integrering oppdragstaker:proba")
    assert found.results
    assert all(hit.report.contractors == ["Proba samfunnsanalyse"] for hit in found.results)


def test_an_ambiguous_filter_value_is_a_query_error_naming_the_choices(corpus_index):
    with pytest.raises(QueryError) as caught:
        search(corpus_index, "bolig oppdragstaker:i")
    message = str(caught.value)
    assert "«IMDi»" in message and "«Institutt for samfunnsforskning»" in message


@pytest.mark.parametrize("query", ["tema:oppvekst", 'tema:"oppvekst og deltakelse"', "theme:Oppvekst"])
def test_theme_filter_matches_case_insensitively_and_by_prefix(corpus_index, query):
    found = everything(corpus_index, f"unge {query}")
    assert found.results
    assert {hit.report.theme for hit in found.results} == {OPPVEKST}


def test_year_range_in_the_query(corpus_index):
    found = everything(corpus_index, "flyktninger år:2018-2019")
    years = {hit.report.year for hit in found.results}
    assert years and years <= {2018, 2019}
    assert {hit.report.year for hit in everything(corpus_index, "flyktninger aar:2020").results} == {2020}


def test_year_arguments_and_query_years(corpus_index):
    assert {h.report.year for h in everything(corpus_index, "flyktninger", years=[2018]).results} == {2018}
    ranged = everything(corpus_index, "flyktninger", year_from=2019, year_to=2020)
    assert {h.report.year for h in ranged.results} == {2019, 2020}


@pytest.mark.parametrize(("query", "kind"), [("type:funn", "finding"), ("type:avsnitt", "passage"), ("kind:finding", "finding")])
def test_kind_filter_in_the_query(corpus_index, query, kind):
    found = everything(corpus_index, f"flyktninger {query}")
    assert found.results and {hit.kind for hit in found.results} == {kind}


def test_a_filter_alone_lists_what_it_selects(corpus_index):
    found = everything(corpus_index, "oppdragstaker:proba type:funn")
    assert found.results and all(hit.kind == "finding" for hit in found.results)
    assert all(hit.report.contractors == ["Proba samfunnsanalyse"] for hit in found.results)


def test_themes_are_or_within_and_filters_are_and_across(corpus_index):
    one = everything(corpus_index, "flyktninger", themes=[OPPVEKST]).total
    other = everything(corpus_index, "flyktninger", themes=["Bosetting og tidlig innsats"]).total
    both = everything(corpus_index, "flyktninger", themes=[OPPVEKST, "Bosetting og tidlig innsats"]).total
    assert one and other and both == one + other
    one = everything(corpus_index, "unge", themes=[OPPVEKST]).total
    narrowed = everything(corpus_index, "unge", themes=[OPPVEKST], contractors=[FAFO])
    assert 0 < narrowed.total < one
    assert all(FAFO in h.report.contractors and h.report.theme == OPPVEKST for h in narrowed.results)


# --- facets ------------------------------------------------------------------------------


def _count(results, facet: str, value) -> int:
    if facet == "theme":
        return sum(1 for hit in results if hit.report.theme == value)
    if facet == "contractor":
        return sum(1 for hit in results if value in hit.report.contractors)
    return sum(1 for hit in results if hit.report.year == value)


@pytest.mark.parametrize("facet", ["theme", "contractor", "year"])
def test_facet_counts_equal_the_hits_with_that_value(corpus_index, facet):
    found = everything(corpus_index, "flyktninger")
    entries = found.facets[facet]
    assert len(entries) > 1
    for entry in entries:
        assert entry["count"] == _count(found.results, facet, entry["value"]) > 0


def test_a_facets_own_filter_keeps_its_siblings_visible(corpus_index):
    unfiltered = everything(corpus_index, "unge")
    filtered = everything(corpus_index, "unge", contractors=[FAFO])
    assert 0 < filtered.total < unfiltered.total
    # The contractor facet still lists every institute with its unfiltered count ...
    assert filtered.facets["contractor"] == unfiltered.facets["contractor"]
    # ... while the other facets count only Fafo's hits.
    assert sum(e["count"] for e in filtered.facets["year"]) == filtered.total
    for entry in filtered.facets["theme"]:
        assert entry["count"] == _count(filtered.results, "theme", entry["value"])


def test_a_chosen_value_without_hits_stays_in_its_facet(corpus_index):
    found = search(corpus_index, "tvangsekteskap", years=[2018])
    assert found.total == 0
    assert {"value": 2018, "count": 0} in found.facets["year"]


# --- words: natural questions, compounds, institutes, wildcards, OR ------------------------


def test_a_natural_question_finds_the_answer_without_requiring_every_word(corpus_index):
    found = search(corpus_index, "hvor lenge varer introduksjonsprogrammet").results
    assert any("avslutter introduksjonsprogrammet ved to års varighet" in hit.text for hit in found[:3])


def test_a_compound_query_finds_texts_with_its_parts(corpus_index):
    found = search(corpus_index, "bosettingskommuner", size=20)
    # «bosettingskommuner» is written once in the corpus; texts about
    # bosetting in the kommuner answer it too.
    assert found.total > 5
    parts = [hit for hit in found.results if "bosetting" in hit.text.lower() and "kommune" in hit.text.lower()]
    assert len(parts) >= 5


def test_an_institute_name_finds_the_reports_it_wrote(corpus_index):
    found = search(corpus_index, "Proba").results
    assert found and found[0].report.contractors == ["Proba samfunnsanalyse"]
    assert sum(hit.report.contractors == ["Proba samfunnsanalyse"] for hit in found) >= 5


def test_an_institute_abbreviation_finds_its_reports(corpus_index):
    found = search(corpus_index, "FHI").results
    by_fhi = [hit.report.contractors == ["Folkehelseinstituttet"] for hit in found]
    # The report FHI wrote, including passages that never say «FHI»; a footnote
    # of another report that cites FHI may come in between.
    assert by_fhi[:2] == [True, True] and sum(by_fhi) >= 6


def test_prefix_wildcard(corpus_index):
    found = everything(corpus_index, "integrer*")
    assert found.total > 10
    for hit in found.results:
        words = re.findall(r"\w+", (hit.text + " " + (hit.report.title or "")).lower())
        assert any(word.startswith("integrer") for word in words)


def test_a_word_is_not_corrected_when_reports_have_it_inside_compounds_or_it_is_norwegian(corpus_index):
    # «klasser» stands in the corpus only inside «klassestørrelser»: no typo, no «klarer».
    found = search(corpus_index, "klasser")
    assert found.suggestion is None and "klassestørrelse" in found.results[0].text.lower()
    # «forlenget» is in no report, but it is a Norwegian word, not a misspelling of «forventet».
    assert search(corpus_index, "forlenget programtid").suggestion is None


def test_or_finds_either_word(corpus_index):
    left = {h.id for h in everything(corpus_index, "tolkeloven").results}
    right = {h.id for h in everything(corpus_index, "kjønnslemlestelse").results}
    either = {h.id for h in everything(corpus_index, "tolkeloven OR kjønnslemlestelse").results}
    assert left and right and either == left | right


# --- typos ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), [
    ("introduksjonsprogramet", "introduksjonsprogrammet"),
    ("fritidsaktivitetter", "fritidsaktiviteter"),
    ("barnefatigdom", "barnefattigdom"),
])
def test_a_typo_finds_the_right_findings_and_says_what_was_searched(corpus_index, typed, meant):
    found = search(corpus_index, typed)
    assert found.suggestion == meant
    stem = meant[:-3]
    says_it = [stem in hit.text.lower() or stem in hit.report.title.lower() for hit in found.results[:3]]
    # What says the meant word comes first; looser matches (one part of it) only after.
    assert says_it[0] and says_it == sorted(says_it, reverse=True)
    assert any(hit.kind == "finding" for hit, said in zip(found.results[:3], says_it, strict=True) if said)


def test_the_suggestion_keeps_the_rest_of_the_query(corpus_index):
    found = search(corpus_index, "resultatmål introduksjonsprogramet type:funn")
    assert found.suggestion == "resultatmål introduksjonsprogrammet type:funn"
    assert found.results and all(hit.kind == "finding" for hit in found.results)


def test_letters_without_norwegian_characters_are_suggested_with_them(corpus_index):
    assert search(corpus_index, "boomrader").suggestion == "boområder"


@pytest.mark.parametrize(("fieldname", "word", "edits"), [
    ("text_exact", "introduksjonsprogramet", 2),
    ("text_lemma", "flyktnnger", 1),
    ("text_exact", "kommunne", 1),
    ("text_folded", "maloppnaelse", 2),
    ("text_lemma", "xqzwv", 1),
])
def test_the_in_memory_vocabulary_finds_what_whoosh_finds_on_disk(corpus_index, fieldname, word, edits):
    """Typo candidates come from the commit's vocabulary in memory; they must
    be the words Whoosh's own automaton walk over its term files finds."""
    reader = get_searcher(corpus_index).reader()
    on_disk = set(reader.terms_within(fieldname, word, edits, prefix=1))
    in_memory = list(Vocabulary().within(reader, fieldname, word, edits))
    assert sorted(in_memory) == sorted(on_disk)
    assert len(in_memory) == len(set(in_memory))


@pytest.mark.parametrize(("fieldname", "prefix", "limit"), [
    ("text_lemma", "integrer", 50),
    ("text_lemma", "kommune", 3),
    ("title_lemma", "evaluer", 50),
    ("text_exact", "bo", 20),
    ("text_folded", "tilskud", 50),
    ("text_lemma", "xqzwv", 50),
])
def test_prefix_expansions_from_memory_match_whoosh(corpus_index, fieldname, prefix, limit):
    """Compounds and wildcards expand from the vocabulary in memory: the same
    terms, in the same order, as Whoosh's expand_prefix over its term files."""
    reader = get_searcher(corpus_index).reader()
    on_disk = [raw.decode("utf-8") for raw in reader.expand_prefix(fieldname, prefix)][:limit]
    assert Vocabulary().with_prefix(reader, fieldname, prefix, limit) == on_disk
    assert on_disk or prefix == "xqzwv"


@pytest.mark.parametrize("query", ["introduksjonsprogrammet", "bolig tolk", "Proba", "xqzwv", "hva er det"])
def test_no_suggestion_when_every_word_is_known_or_nothing_is_close(corpus_index, query):
    assert search(corpus_index, query).suggestion is None


# --- highlights ----------------------------------------------------------------------------


def test_highlight_marks_compound_parts_and_lemmas(corpus_index):
    bolig = search(corpus_index, "bolig", size=20).results
    assert any("<mark>Boligmangel</mark>" in hit.highlight for hit in bolig)
    flyktning = search(corpus_index, "flyktningenes", size=20).results
    assert any("<mark>flyktninger</mark>" in hit.highlight for hit in flyktning)


def test_highlight_marks_a_phrase_not_its_single_words(corpus_index):
    found = search(corpus_index, '"i arbeid og utdanning"', size=20).results
    marked = [hit.highlight for hit in found if "<mark>" in hit.highlight]
    assert marked and all("<mark>i arbeid og utdanning</mark>" in h.lower() for h in marked)


def test_passages_are_shown_as_a_snippet_around_the_match_findings_whole(corpus_index):
    found = search(corpus_index, "tolkeloven", size=20).results
    passages = [hit for hit in found if hit.kind == "passage" and len(hit.text) > 400]
    assert passages
    for hit in passages:
        assert "<mark>" in hit.highlight and len(hit.highlight) < len(hit.text)
    for hit in (hit for hit in found if hit.kind == "finding"):
        assert hit.highlight.replace("<mark>", "").replace("</mark>", "") == hit.text.replace("&", "&amp;")


# --- sorting, paging, grouping ------------------------------------------------------------------


def test_newest_first(corpus_index):
    found = everything(corpus_index, "flyktninger", sort="newest")
    published = [hit.report.published for hit in found.results]
    years = [int(p[:4]) for p in published]
    assert years == sorted(years, reverse=True) and years[0] == 2020 and years[-1] == 2018
    same_year = [p for p in published if p.startswith("2019")]
    assert same_year == sorted(same_year, reverse=True)


@pytest.mark.parametrize("sort", ["nyeste", "relevans"])
def test_norwegian_sort_names(corpus_index, sort):
    assert search(corpus_index, "bolig", sort=sort).results


def test_unknown_sort_is_a_query_error(corpus_index):
    with pytest.raises(QueryError):
        search(corpus_index, "bolig", sort="eldste")


def test_pages_cover_every_hit_once_and_a_page_past_the_end_is_empty(corpus_index):
    total = search(corpus_index, "flyktninger", size=1).total
    seen = []
    for page in range(1, total // 7 + 2):
        seen += [hit.id for hit in search(corpus_index, "flyktninger", size=7, page=page).results]
    assert len(seen) == len(set(seen)) == total
    beyond = search(corpus_index, "flyktninger", size=7, page=total // 7 + 5)
    assert beyond.results == [] and beyond.total == total and beyond.page == total // 7 + 5


def test_grouping_gives_the_best_hit_of_each_report_with_a_count_of_the_rest(corpus_index):
    hits = everything(corpus_index, "flyktninger")
    grouped = everything(corpus_index, "flyktninger", group_by_report=True)
    reports = [hit.report.id for hit in grouped.results]
    assert len(reports) == len(set(reports)) == grouped.total
    assert grouped.total + sum(hit.more_in_report for hit in grouped.results) == hits.total
    best = {}
    for hit in hits.results:
        best.setdefault(hit.report.id, hit.id)
    assert [hit.id for hit in grouped.results] == list(best.values())
    assert "more_in_report" in grouped.to_dict()["results"][0]
    assert "more_in_report" not in hits.to_dict()["results"][0]


# --- themes of hits, findings, reports, more like this ---------------------------------------


def test_hits_in_a_report_with_chapters_as_themes_carry_their_own_chapter(corpus_index):
    found = everything(corpus_index, "koronapandemien type:avsnitt")
    survey = [hit for hit in found.results if hit.report.title == SURVEY_2020]
    assert "Koronapandemien" in {hit.report.theme for hit in survey}
    assert len({hit.report.theme for hit in survey}) > 1
    compiled = [hit for hit in found.results if hit.report.title != SURVEY_2020]
    reports = {report.id: report for report in Engine(corpus_index).reports()}
    assert all(hit.report.theme == reports[hit.report.id].theme for hit in compiled)


def test_a_finding_by_id_and_findings_like_it(corpus_index):
    engine = Engine(corpus_index)
    hit = search(corpus_index, "barnefattigdom type:funn").results[0]
    finding = engine.finding(hit.id)
    assert finding is not None
    assert finding.id == hit.id and finding.text == hit.text
    assert finding.report.id == hit.report.id
    similar = engine.similar(hit.id, 4)
    assert 0 < len(similar) <= 4
    assert hit.id not in {s.id for s in similar}
    kinds = [s.kind for s in similar]
    assert kinds == sorted(kinds, key=lambda kind: kind != "finding")  # findings first
    # Each shows the words it shares with the finding.
    assert all("<mark>" in s.highlight for s in similar)
    for unknown in ("0000000000000000", "../etc/passwd", ""):
        assert engine.finding(unknown) is None
        assert engine.similar(unknown, 5) == []


def test_report_list_and_one_report(corpus_index):
    engine = Engine(corpus_index)
    reports = engine.reports()
    assert len(reports) == 18
    assert sum(report.finding_count for report in reports) == everything(corpus_index, "type:funn").total
    published = [report.published or "" for report in reports]
    assert published == sorted(published, reverse=True)
    survey = next(report for report in reports if report.title == SURVEY_2020)
    full = engine.report(survey.id or "")
    assert full is not None
    assert full.source == "kommuneundersokelsen-2020.pdf"
    assert len(full.findings) == survey.finding_count and full.passages
    pages = [finding.page or 0 for finding in full.findings]
    assert pages == sorted(pages)
    assert {"Koronapandemien", "Innledning"} <= {passage.chapter for passage in full.passages}
    # Chapters are the passages in runs, in order.
    chapters = full.chapters()
    assert [passage for chapter in chapters for passage in chapter.passages] == full.passages
    assert all(chapter.passages and all(p.chapter == chapter.title for p in chapter.passages) for chapter in chapters)
    assert all(a.title != b.title for a, b in pairwise(chapters))
    assert engine.report("0000000000000000") is None


# --- the typed interface: one request, results that know their JSON -----------------------------


def test_the_engine_searches_with_a_request_like_the_function(corpus_index):
    request = SearchRequest("flyktninger", page=2, size=5, years=(2019, 2020), kinds=("finding",), sort="nyeste")
    found = Engine(corpus_index).search(request)
    expected = search(corpus_index, "flyktninger", page=2, size=5, years=(2019, 2020), kinds=("finding",), sort="nyeste")
    assert [hit.id for hit in found.results] == [hit.id for hit in expected.results]
    assert found.total == expected.total and found.facets == expected.facets
    assert found.results and all(hit.kind == "finding" for hit in found.results)


def test_results_link_their_pdf_only_when_given_a_linker(corpus_index):
    engine = Engine(corpus_index)
    response = engine.search(SearchRequest("flyktninger", size=3))

    def link(report_id: str | None, page: int | None) -> str | None:
        return f"pdf:{report_id}:{page}"

    plain = response.to_dict()
    assert "pdf_url" not in plain["results"][0]["report"]
    linked = response.to_dict(link)
    hit = response.results[0]
    assert linked["results"][0]["report"]["pdf_url"] == f"pdf:{hit.report.id}:{hit.page}"
    assert list(linked["results"][0]["report"])[-1] == "pdf_url"

    summary = next(report for report in engine.reports() if report.finding_count)
    assert summary.to_dict(link)["pdf_url"] == f"pdf:{summary.id}:{summary.page_start}"
    report = engine.report(summary.id or "")
    assert report is not None
    body = report.to_dict(link)
    assert body["pdf_url"] == f"pdf:{report.id}:{report.page_start}"
    assert [f["pdf_url"] for f in body["findings"]] == [f"pdf:{report.id}:{f.page}" for f in report.findings]
    assert "pdf_url" not in report.to_dict()["findings"][0]
    assert body["finding_count"] == len(report.findings) and "passages" not in body


# --- what a person types never breaks the search --------------------------------------------------


QUERY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
    st.lists(st.sampled_from(['"', "-", "(", "*", "OR", "tema:", "år:", "type:", "bolig", "tolk", "fafo", "år:2019"]),
             max_size=8).map(" ".join),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUERY_TEXT)
def test_any_query_gives_an_answer_or_a_query_error(corpus_index, text):
    try:
        found = search(corpus_index, text)
    except QueryError as exc:
        assert str(exc)
        return
    assert found.total >= len(found.results)


def test_a_long_paste_is_answered_quickly(corpus_index):
    paste = ("Kommunene opplever at flyktninger 🏠 trenger bolig & tolk (se «rapporten») " * 70)[:5000]
    started = time.perf_counter()
    found = search(corpus_index, paste)
    assert time.perf_counter() - started < 3.0
    assert found.results


# --- the command line prints what the function returns ---------------------------------------------


def test_search_command_json_equals_the_search_function(corpus_index, capsys):
    query = "bolig -fafo år:2018-2019"
    assert cli_main(["search", query, "--json", "--limit", "5", "--index-dir", str(corpus_index)]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = search(corpus_index, query, size=5).to_dict()
    assert [hit["id"] for hit in printed["results"]] == [hit["id"] for hit in expected["results"]]
    assert printed["total"] == expected["total"] and printed["facets"] == expected["facets"]


def test_search_command_reports_a_bad_query(corpus_index, capsys):
    assert cli_main(["search", "år:nitten", "--index-dir", str(corpus_index)]) == 1
    assert "årstall" in capsys.readouterr().err


# --- synonyms and escaping, on a crafted collection ------------------------------------------------


def _report(number: int, title: str, contractor: str, year: int, findings: list[str], passages: list[str]) -> Report:
    return Report(
        id=f"rapport{number}",
        title=title,
        theme="Kvalifisering og arbeidsliv",
        contractors=[contractor],
        commissioner="IMDi",
        published=f"{year}-06",
        year=year,
        year_inferred=False,
        lead=title,
        page_start=1,
        page_end=2,
        findings=[Finding(f"funn{number}-{n}", text, 1, "Hovedfunn") for n, text in enumerate(findings)],
        passages=[Passage(f"avsnitt{number}-{n}", text, 2, "Kapittel 1", None) for n, text in enumerate(passages)],
        themes=["Kvalifisering og arbeidsliv"],
    )


CRAFTED = {
    "incentiv.pdf": _report(1, "Belønning i kommunene", "Fafo", 2018,
                            ["Kommunene svarer på økonomiske incentiver fra staten."], []),
    "insentiv.pdf": _report(2, "Bonus til deltakerne", "Proba samfunnsanalyse", 2020,
                            ["Deltakerne reagerer på insentiver og bonuser.", "Insentiver virker best for unge deltakere."],
                            ["Rapporten omtaler <script>alert('x')</script> & bolig: Boligmangel rammer flyktninger."]),
    "nav.pdf": _report(3, "Samarbeid med stat", "NORCE", 2019,
                       ["Kommunene samarbeider med Arbeids- og velferdsetaten om arbeidstrening."], []),
    "jobb.pdf": _report(4, "Tett oppfølging", "Oslo Economics", 2021,
                        ["Jobbspesialistene følger deltakerne tett.",
                         "Jobbspesialisene samarbeider med arbeidsgivere."],  # the report misspells it
                        ["Deltakerne møtte en jobbspesialist hver uke."]),
}


def _index_of(tmp_path_factory, name: str, reports: dict[str, Report]) -> Path:
    """An index of one stand-in PDF per report."""
    corpus = tmp_path_factory.mktemp(f"{name}-corpus")
    documents = {}
    for source, report in reports.items():
        (corpus / source).write_bytes(f"%PDF-1.4 {source}".encode())
        documents[source] = Document(source=source, sha256="", pages=2, document_title=report.title, reports=[report])
    index_dir = tmp_path_factory.mktemp(f"{name}-index")
    summary = update_index(corpus, index_dir, workers=1, extractor=lambda path: documents[path.name])
    assert not summary.failed
    return index_dir


@pytest.fixture(scope="module")
def crafted_index(tmp_path_factory) -> Path:
    return _index_of(tmp_path_factory, "crafted", CRAFTED)


def test_synonyms_find_each_spelling_from_the_other(crafted_index):
    assert any("incentiver" in hit.text for hit in search(crafted_index, "insentiv").results)
    assert any("insentiver" in hit.text.lower() for hit in search(crafted_index, "incentiver").results)


@pytest.mark.parametrize(("typed", "same", "other"), [("insentiver", "insentiv", "incentiv"), ("incentiv", "incentiv", "insentiv")])
def test_the_word_typed_ranks_above_its_synonym(crafted_index, typed, same, other):
    found = search(crafted_index, typed).results
    assert {same, other} <= {word for hit in found for word in (same, other) if word in hit.text.lower()}
    first_other = min(i for i, hit in enumerate(found) if other in hit.text.lower())
    assert all(same in hit.text.lower() for hit in found[:first_other])
    assert first_other > 0
    assert search(crafted_index, typed).suggestion is None


def test_a_multi_word_synonym_is_found_as_a_phrase(crafted_index):
    found = search(crafted_index, "NAV").results
    assert [hit.id for hit in found] == ["funn3-0"]
    assert "<mark>Arbeids- og velferdsetaten</mark>" in found[0].highlight


def test_a_document_that_misspells_the_word_is_found_below_those_that_spell_it_right(crafted_index):
    found = [hit.text for hit in search(crafted_index, "jobbspesialister").results]
    misspelled = found.index("Jobbspesialisene samarbeider med arbeidsgivere.")
    assert misspelled > found.index("Jobbspesialistene følger deltakerne tett.")
    assert search(crafted_index, "jobbspesialister").suggestion is None


def test_a_commits_misspellings_are_looked_for_once(crafted_index, monkeypatch):
    from indexer.search.querybuild import QueryBuilder

    looked_up: list[str] = []
    original = QueryBuilder._misspellings

    def counting(self, lemma_field, exact_field, lemma):
        looked_up.append(lemma)
        return original(self, lemma_field, exact_field, lemma)

    monkeypatch.setattr(QueryBuilder, "_misspellings", counting)
    first = [hit.text for hit in search(crafted_index, "jobbspesialister utenlandsk").results]
    after_first = looked_up.count("jobbspesialist")  # 0 when an earlier test searched it already
    again = [hit.text for hit in search(crafted_index, "jobbspesialister").results]
    # The second search (another query with the same word) reuses what was found before.
    assert after_first <= 1 and looked_up.count("jobbspesialist") == after_first
    assert "Jobbspesialisene samarbeider med arbeidsgivere." in first and again


def test_highlights_escape_html_but_keep_marks(crafted_index):
    hit = next(hit for hit in search(crafted_index, "bolig").results if "<script>" in hit.text)
    assert "<script>" not in hit.highlight
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; <mark>bolig</mark>" in hit.highlight
    assert "<mark>Boligmangel</mark>" in hit.highlight


# --- preparing a new commit ------------------------------------------------------------


def _count_fact_builds(monkeypatch) -> list[int]:
    """Forget what earlier tests prepared and count how often the facts get prepared:
    read from Whoosh, or mapped from the commit's snapshot."""
    from collections import OrderedDict

    from indexer.index.snapshot import Snapshot
    from indexer.search import engine as searching

    builds = []
    real_build, real_load = searching.build_doc_facts, Snapshot.facts
    monkeypatch.setattr(searching, "_derived", OrderedDict())
    monkeypatch.setattr(searching, "build_doc_facts", lambda searcher: builds.append(1) or real_build(searcher))

    def load(snapshot):
        builds.append(1)
        return real_load(snapshot)

    monkeypatch.setattr(Snapshot, "facts", load)
    return builds


def test_a_warmed_index_answers_its_first_search_without_building_anything(corpus_index, monkeypatch, tmp_path):
    import threading

    from indexer.search.engine import warm

    def warm_in_background() -> None:  # as the server's background thread does
        warm(corpus_index)
        close_searchers()

    builds = _count_fact_builds(monkeypatch)
    warmer = threading.Thread(target=warm_in_background)
    warmer.start()
    warmer.join()
    assert builds == [1]
    assert search(corpus_index, "flyktnnger").suggestion == "flyktninger"
    assert search(corpus_index, "bolig").results
    assert builds == [1]
    assert warm(tmp_path / "no-index") is False


def test_the_server_prepares_the_index_in_the_background_and_stops_when_told(corpus_index, monkeypatch):
    import threading

    from search_app.serve import keep_warm

    builds = _count_fact_builds(monkeypatch)
    stop = threading.Event()
    worker = threading.Thread(target=keep_warm, args=(corpus_index, stop, 0.05), daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    while not builds and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # several more rounds: an unchanged commit is not built again
    stop.set()
    worker.join(timeout=10)
    assert builds == [1]
    assert not worker.is_alive()


# --- the query-cost guard says what it cut -------------------------------------------------


def test_a_wildcard_matching_too_many_words_is_cut_and_the_answer_says_so(corpus_index, monkeypatch):
    from indexer.search import querybuild

    whole = search(corpus_index, "for*", size=1)
    assert whole.limits == []
    monkeypatch.setattr(querybuild, "MAX_WILDCARD_TERMS", 10)
    cut = search(corpus_index, "for*", size=1)
    assert len(cut.limits) == 1 and "«for*»" in cut.limits[0] and "10" in cut.limits[0]
    assert 0 < cut.total < whole.total  # fewer words, fewer hits, and said so


def test_a_query_too_long_is_cut_and_the_answer_says_so(corpus_index):
    words = " ".join(f"ord{n}" for n in range(60))
    assert search(corpus_index, f"bolig {words}").limits
    assert search(corpus_index, "bolig").limits == []


def test_the_api_and_the_page_show_what_was_cut(client, monkeypatch):
    from indexer.search import querybuild

    monkeypatch.setattr(querybuild, "MAX_WILDCARD_TERMS", 10)
    body = client.get("/api/search?q=for*").get_json()
    assert body["limits"] and "«for*»" in body["limits"][0]
    page = client.get("/?q=for*").get_data(as_text=True)
    assert 'class="notice"' in page and "passer til mer enn 10 ord" in page


# --- English and Nynorsk queries ---------------------------------------------------------


def test_an_english_query_searches_norwegian_words_and_says_which(corpus_index, client):
    response = search(corpus_index, "children in poverty")
    translated = {t.english: t.norwegian for t in response.translations}
    assert "fattigdom" in translated["poverty"]
    # A report uses «children» as written; beside «poverty», which none does, it is English here.
    assert "barn" in translated["children"]
    assert any("fattigdom" in hit.text.lower() for hit in response.results[:5])
    assert search(corpus_index, "barn i fattigdom").translations == []
    body = client.get("/api/search?q=children+in+poverty").get_json()
    assert {"english": "poverty", "norwegian": list(translated["poverty"])} in body["translations"]
    page = client.get("/?q=children+in+poverty").get_data(as_text=True)
    assert "Søkte også etter:" in page and "(poverty)" in page


def test_a_word_that_is_also_norwegian_is_translated_in_an_english_query_or_when_no_report_has_it(corpus_index):
    # «interpreter» is also a form of the Bokmål verb «interpretere», which no report uses.
    assert any(t.english == "interpreter" for t in search(corpus_index, "interpreter for refugees").translations)
    assert any(t.english == "interpreter" for t in search(corpus_index, "interpreter tolkene").translations)
    # «program» is English and Bokmål, and the reports have it: in a Norwegian query it stays Norwegian.
    assert search(corpus_index, "program for flyktninger").translations == []


@pytest.mark.skipif(get_nynorsk() is None, reason="the Nynorsk data (hunspell-no, dict-freedict-nno-nob) is not installed")
def test_a_nynorsk_query_finds_what_its_bokmal_twin_finds(corpus_index):
    bokmal = [hit.id for hit in search(corpus_index, "bosetting av flyktninger i kommunene").results[:10]]
    nynorsk = [hit.id for hit in search(corpus_index, "busetjing av flyktningar i kommunane").results[:10]]
    assert len(set(bokmal) & set(nynorsk)) >= 7


NYNORSK_REPORTS = {
    "nynorsk.pdf": _report(5, "Busetjing av flyktningar i kommunane", "NORCE", 2022,
                           ["Kommunane manglar bustader til flyktningane dei skal busetje.",
                            "Einslege mindreårige treng meir oppfølging i skulen."], []),
    "bokmal.pdf": _report(6, "Arbeid og helse", "Fafo", 2021, ["Arbeidsgivere ansetter flere seniorer."], []),
}


@pytest.fixture(scope="module")
def nynorsk_index(tmp_path_factory) -> Path:
    return _index_of(tmp_path_factory, "nynorsk", NYNORSK_REPORTS)


@pytest.mark.skipif(get_nynorsk() is None, reason="the Nynorsk data (hunspell-no, dict-freedict-nno-nob) is not installed")
@pytest.mark.parametrize(("query", "found"), [
    # Only the Nynorsk lemmas join these: busetje → bosette, einsleg → enslig.
    ("bosette", "Kommunane manglar bustader til flyktningane dei skal busetje."),
    ("enslige", "Einslege mindreårige treng meir oppfølging i skulen."),
])
def test_a_nynorsk_report_is_found_by_a_bokmal_query(nynorsk_index, query, found):
    # First the finding that says it; the report's other finding may follow through its
    # title (Busetjing … → bosetting, the action noun of bosette).
    texts = [hit.text for hit in search(nynorsk_index, query).results]
    assert texts[0] == found and "Arbeidsgivere ansetter flere seniorer." not in texts


TRANSLATION_REPORTS = {
    "fattigdom.pdf": _report(7, "Levekår for barn", "NOVA", 2020,
                             ["Barnefattigdommen har økt i byene.", "Fattigdom rammer mange familier."],
                             ["Flere barn deltar i fritidsaktiviteter enn før.",
                              "Elevene dyrker grønnsaker i skolehagen."]),
    "metode.pdf": _report(8, "Supported Employment i praksis", "Fafo", 2021,
                          ["Supported Employment gir flere flyktninger sysselsetting."],
                          ["Migrasjon og flytting mellom kommuner er undersøkt."]),
    "bolig.pdf": _report(9, "Boliger for flyktninger", "NIBR", 2019, ["Kommunene mangler boliger."], []),
}


@pytest.fixture(scope="module")
def translation_index(tmp_path_factory) -> Path:
    return _index_of(tmp_path_factory, "translation", TRANSLATION_REPORTS)


def test_two_english_words_find_the_norwegian_compound_they_make(translation_index):
    # school → skole, garden → hage; Norwegian writes «skolehage» as one word (no glossary entry).
    response = search(translation_index, "school garden")
    assert response.results[0].text == "Elevene dyrker grønnsaker i skolehagen."
    assert {"school garden": ("skolehage",)}.items() <= {t.english: t.norwegian for t in response.translations}.items()


def test_an_english_term_finds_the_norwegian_compound(translation_index):
    response = search(translation_index, "child poverty")
    assert response.results[0].text == "Barnefattigdommen har økt i byene."


def test_an_english_word_the_reports_use_in_a_name_is_still_translated_beside_other_english(translation_index):
    # «employment» occurs in «Supported Employment», «refugee» nowhere: the two are one English query.
    response = search(translation_index, "refugee employment")
    translated = {t.english: t.norwegian for t in response.translations}
    assert "sysselsetting" in translated.get("employment", ())
    assert search(translation_index, "supported employment").translations == []


def test_english_stop_words_between_english_words_do_not_split_the_query(translation_index):
    # «in» stands between «refugees» and «employment»: still one English query, so the
    # word a report uses in a name is translated like its neighbours.
    translated = {t.english: t.norwegian for t in search(translation_index, "refugees in employment").translations}
    assert "sysselsetting" in translated.get("employment", ())
    assert search(translation_index, "employment").translations == []


def test_a_noun_finds_its_verb_below_itself(tmp_path_factory):
    reports = {
        "bolig.pdf": _report(10, "Boligmarkedet", "NIBR", 2019, ["Mange blir diskriminert på boligmarkedet."], []),
        "lov.pdf": _report(11, "Likestillingsloven", "ISF", 2020, ["Loven forbyr diskriminering i arbeidslivet."], []),
    }
    index_dir = _index_of(tmp_path_factory, "derivation", reports)
    # «diskriminering» (noun) and «diskriminert» (of the verb «diskriminere») are one family.
    assert [hit.text for hit in search(index_dir, "diskriminering").results] == [
        "Loven forbyr diskriminering i arbeidslivet.", "Mange blir diskriminert på boligmarkedet."]
    # And an English word's translation reaches the family too: discriminated → diskriminere.
    assert search(index_dir, "discrimination").total == 2


def test_a_compound_finds_one_of_its_parts_below_itself(tmp_path_factory):
    reports = {
        "smitte.pdf": _report(12, "Pandemien", "FHI", 2021,
                              ["Koronasmitte rammet mange innvandrere.", "Smittespredningen var høy i byene."], []),
        "bolig.pdf": _report(13, "Boliger", "NIBR", 2020, ["Kommunene mangler boliger."], []),
    }
    index_dir = _index_of(tmp_path_factory, "parts", reports)
    texts = [hit.text for hit in search(index_dir, "smittespredning").results]
    # The word itself first; a text with one of its parts (koronasmitte) after it.
    assert texts == ["Smittespredningen var høy i byene.", "Koronasmitte rammet mange innvandrere."]


def test_english_loanwords_find_their_norwegian_spelling(translation_index):
    response = search(translation_index, "migration")
    assert [hit.text for hit in response.results] == ["Migrasjon og flytting mellom kommuner er undersøkt."]
    assert any("migrasjon" in t.norwegian for t in response.translations)


def test_a_possessive_is_translated_as_its_noun(translation_index):
    translated = {t.english: t.norwegian for t in search(translation_index, "refugees' poverty").translations}
    assert "fattigdom" in translated["poverty"] and "flyktning" in translated["refugees'"]


@pytest.mark.skipif(get_nynorsk() is None, reason="the Nynorsk data (hunspell-no, dict-freedict-nno-nob) is not installed")
def test_a_word_bokmal_shares_with_nynorsk_is_read_as_nynorsk_when_bokmal_finds_nothing(translation_index):
    # «bustad» is listed in Bokmål too, but no report has it: its Nynorsk reading is «bolig».
    assert [hit.text for hit in search(translation_index, "bustad").results] == ["Kommunene mangler boliger."]
    # A Bokmål word that the reports have is not read as Nynorsk (helse would add «hilse»).
    assert search(translation_index, "fattigdom").total == 2
