"""Searching the bundled corpus: what a reader typing these words expects to find.

The corpus is indexed once per session (``corpus_index`` in conftest.py).
Expectations come from reading corpus/source/*.txt, not from the search output.
"""
from __future__ import annotations

import gc
import json
import threading
import warnings
from pathlib import Path

import pytest

import indexer
from indexer import SearchHit
from indexer.search.engine import close_searchers, search
from search_app.cli import main as cli_main

UNGE = "Unge i utsatte boområder – en kunnskapsoversikt"
BOSETTING = "Kunnskap om bosetting av flyktninger"
FLYKTNINGERS_DELTAGELSE = "Flyktningers deltagelse i arbeid og utdanning – før og etter introduksjonsordningen"
JOBBSJANSEN = "Jobbsjansen 2017 og 2018 – Analyse av individrapporteringer"
KOMMUNEUNDERSOKELSEN = "IMDi kommuneundersøkelse 2020"


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()


def hits(index_dir: Path, query: str, size: int = 10) -> list[SearchHit]:
    return search(index_dir, query, size=size).results


def mentions(hit: SearchHit, word: str) -> bool:
    return word in hit.text.lower() or word in (hit.report.title or "").lower()


def test_program_finds_programme_findings(corpus_index):
    found = hits(corpus_index, "program")
    assert len(found) == 10
    assert all(mentions(hit, "program") for hit in found)
    # The plain word (Jobbsjansen: "etter avsluttet program") and the programme
    # the corpus is mostly about, written as a compound.
    assert any(hit.kind == "finding" and "avsluttet program" in hit.text for hit in found)
    assert any(hit.kind == "finding" and "introduksjonsprogram" in hit.text.lower() for hit in found)


def test_fattigdom_finds_the_fafo_finding_on_child_poverty(corpus_index):
    top = hits(corpus_index, "fattigdom")[0]
    assert top.kind == "finding"
    assert top.report.title == UNGE
    assert top.report.contractors == ["Fafo"]
    assert "barnefattigdom" in top.text


def test_bolig_finds_housing_findings_including_compounds(corpus_index):
    found = hits(corpus_index, "bolig", size=5)
    assert all("bolig" in hit.text.lower() for hit in found)
    top3 = found[:3]
    assert any(hit.report.title == BOSETTING and "Boligmangel er ofte en flaskehals" in hit.text for hit in top3)


def test_tolkelov_finds_the_survey_text_on_the_interpreter_act(corpus_index):
    found = hits(corpus_index, "tolkelov", size=3)
    assert found[0].report.title == KOMMUNEUNDERSOKELSEN
    assert "tolkelov" in found[0].text.lower()
    assert all("tolk" in hit.text.lower() for hit in found)


def test_maloppnaelse_typed_without_norwegian_letters_finds_maloppnaelse(corpus_index):
    found = hits(corpus_index, "maloppnaelse", size=5)
    assert found and all(mentions(hit, "måloppnåelse") for hit in found)
    assert any("<mark>måloppnåelse</mark>" in hit.highlight.lower() for hit in found)


def test_flyktningenes_finds_findings_on_refugees_and_the_form_itself_near_the_top(corpus_index):
    found = hits(corpus_index, "flyktningenes")
    # Findings are what readers come for; the lemma finds them in other forms. The passage
    # with the very form typed scores about the same, so the first finding is first or second.
    assert "finding" in {hit.kind for hit in found[:2]}
    assert all("flyktning" in hit.text.lower() for hit in found)
    assert any("flyktningenes" not in hit.text.lower() for hit in found[:3])
    # The passage with the very form typed (Hurtigspor) is among the first three.
    assert any("flyktningenes utplassering" in hit.text for hit in found[:3])


def test_quoted_phrase_only_finds_the_phrase(corpus_index):
    found = hits(corpus_index, '"i arbeid og utdanning"', size=50)
    assert all(mentions(hit, "i arbeid og utdanning") for hit in found)
    assert found[0].report.title == FLYKTNINGERS_DELTAGELSE
    # Jobbsjansen's evaluation text says "... å få innvandrere i arbeid og utdanning".
    assert any(hit.report.title == JOBBSJANSEN and "i arbeid og utdanning" in hit.text for hit in found)


def test_more_matching_words_rank_higher(corpus_index):
    found = hits(corpus_index, "boligmangel flaskehals bosettingsarbeidet", size=3)
    assert "Boligmangel er ofte en flaskehals i bosettingsarbeidet" in found[0].text


def test_paging_walks_through_all_hits_without_repeats(corpus_index):
    first = search(corpus_index, "flyktninger", size=5, page=1)
    second = search(corpus_index, "flyktninger", size=5, page=2)
    assert first.total == second.total > 10
    assert len(first.results) == len(second.results) == 5
    assert not {h.id for h in first.results} & {h.id for h in second.results}
    past_the_end = search(corpus_index, "flyktninger", size=5, page=first.total // 5 + 2)
    assert past_the_end.total == first.total and past_the_end.results == []


def test_words_that_match_nothing_give_an_empty_answer(corpus_index):
    response = search(corpus_index, "xqzwv")
    assert response.total == 0 and response.results == []
    assert search(corpus_index, '   ""  ').total == 0


def test_search_command_prints_the_api_json(corpus_index, capsys):
    assert cli_main(["search", "fattigdom", "--json", "--limit", "3", "--index-dir", str(corpus_index)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert set(body) == {"query", "total", "page", "size", "took_ms", "suggestion", "limits", "translations", "results",
                         "facets"}
    assert body["query"] == "fattigdom" and body["size"] == 3 and body["suggestion"] is None and body["limits"] == []
    result = body["results"][0]
    assert set(result) == {"id", "kind", "text", "highlight", "score", "section", "page", "ocr", "ocr_confidence",
                           "report"}
    assert set(result["report"]) == {
        "id", "title", "theme", "contractors", "authors", "language", "commissioner", "year", "published", "source",
        "pdf_url",
    }
    assert result["report"]["title"] == UNGE and result["report"]["year"] == 2019
    assert result["report"]["language"] == "nb"
    assert result["report"]["pdf_url"].startswith(f"/pdf/{result['report']['id']}#page=")


def test_search_command_prints_readable_hits(corpus_index, capsys):
    assert cli_main(["search", "fattigdom", "--index-dir", str(corpus_index)]) == 0
    output = capsys.readouterr().out
    assert UNGE in output and "Hovedfunn" in output and "<mark>" not in output


def test_search_without_an_index_says_how_to_build_one(tmp_path, capsys):
    assert cli_main(["search", "bolig", "--index-dir", str(tmp_path / "ingen")]) == 2
    assert "rapportsok index" in capsys.readouterr().err


def test_a_thread_that_searched_closes_the_index_files_when_it_ends(corpus_index):
    """A server's worker threads end without closing their searchers themselves."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        worker = threading.Thread(target=search, args=(corpus_index, "bolig"))
        worker.start()
        worker.join()
        del worker
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_the_public_api_names_what_it_exports():
    assert set(indexer.__all__) == set(indexer._EXPORTS)
    for name in indexer.__all__:
        assert getattr(indexer, name) is not None, name
    with pytest.raises(AttributeError):
        indexer.no_such_name  # noqa: B018
