"""The index schema: analyzed fields, facets, filters and boosts, on tiny hand-made indexes."""
from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.query import NumericRange, Term

from indexer.index.schema import (
    INDEX_NAME,
    KIND_FINDING,
    KIND_PASSAGE,
    KIND_REPORT,
    analyzed_fields,
    build_schema,
    document_entries,
)
from indexer.records import Document, Finding, Passage, Report
from indexer.search.engine import close_searchers, search


def make_report(number: int, contractors: list[str], year: int, *, findings=(), passages=(), themes=("Bolig",)):
    report_id = f"r{number}"
    return Report(
        id=report_id,
        title=f"Rapport nummer {number}",
        theme=themes[0] if themes else None,
        contractors=contractors,
        commissioner="IMDi",
        published=str(year),
        year=year,
        year_inferred=False,
        lead=f"Ingress for rapport {number}.",
        page_start=1,
        page_end=4,
        findings=[Finding(f"{report_id}-f{i}", text, 2, "Hovedfunn") for i, text in enumerate(findings)],
        passages=[Passage(f"{report_id}-p{i}", text, 3, "Kapittel 1", "Metode") for i, text in enumerate(passages)],
        themes=list(themes),
    )


def write_index(folder: Path, batches: list[list[Document]]):
    """One commit (one segment) per batch, so facets are checked across segments."""
    storage = FileStorage(str(folder)).create()
    ix = storage.create_index(build_schema(), INDEX_NAME)
    for documents in batches:
        writer = ix.writer()
        for document in documents:
            for entry in document_entries(document, document.source, document.sha256):
                writer.add_document(**entry)
        writer.commit(merge=False)
    return ix


def document(name: str, *reports: Report) -> Document:
    return Document(source=name, sha256=name * 4, pages=4, document_title=name, reports=list(reports))


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()


def test_every_analyzer_gets_a_text_and_a_title_field():
    schema = build_schema()
    for suffix in analyzed_fields():
        assert f"text_{suffix}" in schema.names()
        assert f"title_{suffix}" in schema.names()
    assert schema["id"].unique


def test_entries_carry_report_metadata_onto_findings_and_passages():
    report = make_report(1, ["Fafo", "NOVA, OsloMet"], 2019, findings=["Funn A", "Funn B"], passages=["Tekst"])
    entries = list(document_entries(document("a.pdf", report), "mappe/a.pdf", "abc"))

    assert [e["kind"] for e in entries] == [KIND_REPORT, KIND_FINDING, KIND_FINDING, KIND_PASSAGE]
    assert len({e["id"] for e in entries}) == 4
    for entry in entries:
        assert entry["title"] == "Rapport nummer 1"
        assert entry["source"] == "mappe/a.pdf" and entry["report_id"] == "r1"
        assert entry["_stored_contractors"] == ["Fafo", "NOVA, OsloMet"]
    assert [e["position"] for e in entries[1:3]] == [0, 1]
    assert entries[3]["chapter"] == "Kapittel 1" and entries[3]["section"] == "Metode"


def test_second_copy_of_a_pdf_gets_its_own_ids():
    report = make_report(1, [], 2019, findings=["Funn"])
    first = {e["id"] for e in document_entries(document("a.pdf", report), "a.pdf", "x")}
    copy = list(document_entries(document("a.pdf", report), "kopi/a.pdf", "x", qualify_ids=True))
    assert first.isdisjoint(e["id"] for e in copy)
    assert {e["report_id"] for e in copy} == {copy[0]["id"]}


def test_multi_valued_contractor_facet_counts_each_report_once_per_contractor(tmp_path):
    ix = write_index(
        tmp_path,
        [
            [document("a.pdf", make_report(1, ["Fafo", "NOVA, OsloMet"], 2018)),
             document("b.pdf", make_report(2, ["Fafo"], 2019))],
            [document("c.pdf", make_report(3, ["Oslo Economics", "Fafo"], 2020, themes=("Bolig", "Arbeid"))),
             document("d.pdf", make_report(4, [], 2020))],
        ],
    )
    facets = {
        "contractors": sorting.FieldFacet("contractors", allow_overlap=True),
        "theme": sorting.FieldFacet("theme", allow_overlap=True),
        "year": sorting.FieldFacet("year"),
    }
    with ix.searcher() as searcher:
        results = searcher.search(Term("kind", KIND_REPORT), groupedby=facets, limit=None)
        contractor_counts = {k: len(v) for k, v in results.groups("contractors").items()}
        theme_counts = {k: len(v) for k, v in results.groups("theme").items()}
        year_counts = {k: len(v) for k, v in results.groups("year").items()}

        # A name with a comma stays one value; a report with no contractor is "None".
        assert contractor_counts == {"Fafo": 3, "NOVA, OsloMet": 1, "Oslo Economics": 1, None: 1}
        assert theme_counts == {"Bolig": 4, "Arbeid": 1}
        assert year_counts == {2018: 1, 2019: 1, 2020: 2}

        nova = searcher.search(Term("contractors", "NOVA, OsloMet"))
        assert [hit["source"] for hit in nova] == ["a.pdf"]
        assert nova[0]["contractors"] == ["Fafo", "NOVA, OsloMet"]
        assert nova[0]["theme"] == "Bolig"


def test_year_is_range_filterable_and_sortable(tmp_path):
    ix = write_index(
        tmp_path,
        [[document(f"{year}.pdf", make_report(year, [], year)) for year in (2021, 2016, 2019, 2018)]],
    )
    with ix.searcher() as searcher:
        in_range = searcher.search(NumericRange("year", 2017, 2019), filter=Term("kind", KIND_REPORT))
        assert sorted(hit["year"] for hit in in_range) == [2018, 2019]
        newest_first = searcher.search(Term("kind", KIND_REPORT), sortedby="year", reverse=True)
        assert [hit["year"] for hit in newest_first] == [2021, 2019, 2018, 2016]


def test_a_finding_outranks_a_passage_with_the_same_words(tmp_path):
    text = "Kommunene tilbyr introduksjonsprogram til nyankomne flyktninger."
    write_index(
        tmp_path,
        [[document("p.pdf", make_report(1, [], 2019, passages=[text])),
          document("f.pdf", make_report(2, [], 2019, findings=[text]))]],
    )
    hits = search(tmp_path, "introduksjonsprogram flyktninger").results
    assert [hit.kind for hit in hits] == [KIND_FINDING, KIND_PASSAGE]
    assert hits[0].score > hits[1].score


def test_report_documents_are_not_in_normal_search_results(tmp_path):
    write_index(tmp_path, [[document("a.pdf", make_report(1, [], 2019, findings=["Ingress handler om noe annet"]))]])
    assert {hit.kind for hit in search(tmp_path, "ingress").results} == {KIND_FINDING}
    reports = search(tmp_path, "ingress", kinds=(KIND_REPORT,)).results
    assert [hit.kind for hit in reports] == [KIND_REPORT]
