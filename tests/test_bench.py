"""The benchmark's own parts: what they measure must be what RESULTS.md says they measure."""
from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from bench.__main__ import main
from bench.http_load import parse_wrk
from bench.paths import RESULTS_JSON
from bench.peers import BenchItem, TantivyPeer, all_peers, items_from_documents
from bench.queries import percentile, sampled_queries
from bench.scaled import ITEMS_PER_REPORT, SentencePool, read_stand_in, write_scaled_corpus
from indexer.language.analysis import stopwords
from indexer.records import Document, Finding, Passage, Report

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8765/api/search
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.04ms    3.54ms  29.81ms   68.72%
  Latency Distribution
     50%    4.98ms
     75%    7.29ms
     90%    8.31ms
     99%    1.54s
  409 requests in 1.00s, 207.70KB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:    407.34
"""

ITEMS = [
    BenchItem("a", "Bosetting av flyktninger", "Kommunene bosatte flere flyktninger enn året før."),
    BenchItem("b", "Introduksjonsprogrammet", "Deltakerne i programmet fikk norskopplæring."),
    BenchItem("c", "Fritid", "Barn deltar i organiserte fritidsaktiviteter."),
]


def test_wrk_output_becomes_numbers_with_units_converted():
    numbers = parse_wrk(WRK_OUTPUT)
    assert numbers["requests"] == 409
    assert numbers["requests_per_s"] == pytest.approx(407.34)
    assert numbers["p50_ms"] == pytest.approx(4.98)
    assert numbers["p99_ms"] == pytest.approx(1540.0)  # seconds become milliseconds
    assert numbers["non_2xx"] == 7
    assert numbers["socket_errors"] == 5


def test_percentile_picks_the_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) in (50, 51)
    assert percentile(values, 0.99) == 99
    assert percentile([3.0], 0.95) == 3.0


def test_sampled_queries_are_runs_of_content_words_and_repeatable():
    sentences = ["Kommunene bosatte flere flyktninger enn året før i hele landet."] * 3 + [
        "Deltakerne i introduksjonsprogrammet fikk bedre norskopplæring og arbeidspraksis."
    ]
    first = sampled_queries(sentences, 2, 10)
    assert first == sampled_queries(sentences, 2, 10)
    assert len(first) == 10
    stop = stopwords()
    for query in first:
        words = query.split()
        assert len(words) == 2
        assert not any(w in stop for w in words)


@pytest.mark.parametrize("peer", all_peers(), ids=lambda p: p.name)
def test_every_peer_ranks_the_item_that_holds_the_word_first(peer, tmp_path):
    if isinstance(peer, TantivyPeer):
        pytest.importorskip("tantivy")
    assert peer.build(ITEMS, tmp_path) == len(ITEMS)
    try:
        assert peer.search("fritidsaktiviteter", 10)[:1] == ["c"]
        assert peer.search("norskopplæring deltakerne", 10)[:1] == ["b"]
        assert peer.size_bytes() > 0
    finally:
        peer.close()


def test_snowball_peers_stem_and_the_standard_analyzer_does_not(tmp_path):
    peers = {p.name: p for p in all_peers()}
    for name in ("whoosh_standard", "whoosh_snowball", "bm25s_snowball"):
        peers[name].build(ITEMS, tmp_path / name)
    try:
        # "flyktningene" is only in the text as "flyktninger": same stem, other form.
        assert peers["whoosh_snowball"].search("flyktningene", 10)[:1] == ["a"]
        assert peers["bm25s_snowball"].search("flyktningene", 10)[:1] == ["a"]
        assert peers["whoosh_standard"].search("flyktningene", 10) == []
    finally:
        for peer in peers.values():
            peer.close()


FACETED_ITEMS = [
    BenchItem("a", "Bosetting av flyktninger", "Kommunene bosatte flere flyktninger enn året før.",
              "Bosetting", ("Fafo", "NIBR"), 2019),
    BenchItem("b", "Introduksjonsprogrammet", "Deltakerne var flyktninger og fikk norskopplæring.",
              "Kvalifisering", ("Fafo",), 2020),
    BenchItem("c", "Arbeid etter programmet", "Mange flyktninger var i arbeid to år etter.",
              "Kvalifisering", ("NOVA",), 2020),
    BenchItem("d", "Fritid", "Barn deltar i organiserte fritidsaktiviteter.", "Barn og unge", (), None),
]


def test_tantivy_counts_facets_and_total_over_every_match_not_just_the_top_hits(tmp_path):
    pytest.importorskip("tantivy")
    peer = TantivyPeer()
    assert peer.build(FACETED_ITEMS, tmp_path) == len(FACETED_ITEMS)
    try:
        # "flyktningene" is only in the texts as "flyktninger": the Norwegian stemmer joins them.
        matching = [item for item in FACETED_ITEMS if "flyktninger" in item.text]
        hits = peer.search_faceted("flyktningene", k=1)
        assert hits.ids == ["a"]  # also in its title
        assert hits.total == len(matching)
        assert hits.facets["theme"] == Counter(item.theme for item in matching)
        assert hits.facets["contractor"] == Counter(c for item in matching for c in item.contractors)
        assert hits.facets["year"] == Counter(item.year for item in matching)
        assert hits.stored[0]["title"] == ["Bosetting av flyktninger"]
        assert "<b>flyktninger</b>" in hits.snippets[0]
        assert peer.search("fritidsaktiviteter", 10) == ["d"]
        assert peer.search_faceted("og i").total == 0  # stopwords only
    finally:
        peer.close()


def test_bench_items_carry_their_reports_facet_values_and_a_chapter_theme_where_chapters_are_themes():
    def report(themes: list[str], chapter: str) -> Report:
        return Report(id=f"r-{chapter}", title="Rapport", theme=themes[0], contractors=["Fafo", " "],
                      commissioner=None, published="2021", year=2021, year_inferred=False, lead="", page_start=1,
                      page_end=3, findings=[Finding(f"f-{chapter}", "Et funn.", 1, "Hovedfunn")],
                      passages=[Passage(f"p-{chapter}", "Et avsnitt.", 2, chapter, None)], themes=themes)

    document = Document("a.pdf", "", 3, "Samling", [report(["Bosetting"], "Innledning"),
                                                    report(["Bosetting", "Arbeid"], "Arbeid")])
    items = {item.id: item for item in items_from_documents([document])}
    assert {item.contractors for item in items.values()} == {("Fafo",)}
    assert {item.year for item in items.values()} == {2021}
    assert items["p-Innledning"].theme == "Bosetting"  # one theme: every item has it, whatever its chapter
    assert items["p-Arbeid"].theme == "Arbeid"  # chapters are the themes: the passage's own
    assert items["f-Arbeid"].theme == "Bosetting"  # no chapter: the report's first theme


def test_scaled_corpus_holds_the_asked_number_of_items_made_of_real_sentences(tmp_path, monkeypatch):
    monkeypatch.setattr("bench.scaled.GENERATED_DIR", tmp_path)
    sentences = [
        "Kommunene bosatte flere flyktninger enn året før.",
        "Deltakerne i programmet fikk norskopplæring.",
        "Barn deltar i organiserte fritidsaktiviteter.",
    ]
    pool = SentencePool(sentences, ["Rapport om bosetting"], ["Bosetting"], ["Fafo", "NIBR"], ["Hovedfunn"])
    folder = write_scaled_corpus(ITEMS_PER_REPORT * 12, pool)
    documents = [read_stand_in(p) for p in sorted(folder.glob("*.pdf"))]
    reports = [r for d in documents for r in d.reports]
    items = [i for r in reports for i in [*r.findings, *r.passages]]
    assert len(reports) == 12 and len(items) == ITEMS_PER_REPORT * 12
    assert len({i.id for i in items}) == len(items)
    for item in items:
        remaining = item.text
        while remaining:  # every item is whole real sentences, one after another
            sentence = next(s for s in sentences if remaining.startswith(s))
            remaining = remaining[len(sentence):].lstrip()


def test_render_only_rewrites_results_md_from_results_json_without_measuring(tmp_path):
    """The committed results.json renders to a report with its numbers in it."""
    shutil.copy(RESULTS_JSON, tmp_path / "results.json")
    assert main(["--render-only", "--out", str(tmp_path)]) == 0
    rendered = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    results = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
    ours = results["sizes"][0]["ours"]["quality"]
    assert rendered.startswith("# Ytelse og kvalitet")
    assert f"{ours['ndcg']:.3f}" in rendered
    assert "## Mål" in rendered and "## Forbehold" in rendered


def test_cold_latency_runs_the_queries_in_a_fresh_process(corpus_index):
    from bench.cold import measure_cold

    numbers = measure_cold(corpus_index, ["bolig", "flyktninger i arbeid", '"norsk opplæring"'])
    assert numbers["queries"] == 3
    assert numbers["first_ms"] > 0 and numbers["p50_ms"] > 0 and numbers["p95_ms"] >= numbers["p50_ms"]
    assert numbers["import_s"] > 0
