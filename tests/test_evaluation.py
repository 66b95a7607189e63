"""The relevance metrics, the judgment matching rules, and the relevance set itself."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from indexer.evaluation.relevance import (
    CATEGORIES,
    DEFAULT_JUDGMENTS,
    JUDGMENT_SETS,
    TEST_JUDGMENTS,
    EvalReport,
    Judgment,
    JudgmentFileError,
    Query,
    QueryResult,
    credit_hits,
    dcg,
    evaluate,
    evaluate_query,
    find_broken,
    load_judgments,
    matches,
    ndcg_at_k,
    normalize,
    parse_judgments,
    reciprocal_rank,
    summarize,
)
from search_app.cli import main as cli_main

TESTS_DIR = Path(__file__).resolve().parent


BOLIG = "Kunnskap om bosetting av flyktninger"
UNGE = "Unge i utsatte boområder – en kunnskapsoversikt"


def hit(title: str, text: str) -> dict:
    """A result shaped like one entry of /api/search's ``results``."""
    return {"text": text, "report": {"title": title}}


def query_with(*judgments: tuple[str, str, int]) -> Query:
    return Query("q", "", [Judgment(report, text, grade) for report, text, grade in judgments])


# --- metrics on hand-computed cases ---------------------------------------------------


def test_dcg_uses_graded_gain_and_log_discount():
    # (2^3-1)/log2(2) + (2^2-1)/log2(3) + 0 + (2^1-1)/log2(5)
    assert dcg([3, 2, 0, 1]) == pytest.approx(7 + 3 / math.log2(3) + 1 / math.log2(5))


def test_perfect_ranking_scores_one():
    assert ndcg_at_k([3, 2, 1], [1, 3, 2]) == pytest.approx(1.0)
    assert reciprocal_rank([3, 2, 1]) == 1.0


def test_known_imperfect_ranking():
    # Ranked 2, 3, –, 1 against judged {3, 2, 1}:
    # DCG  = 3/1 + 7/log2(3) + 0 + 1/log2(5) = 3 + 4.41651 + 0.43068 = 7.84719
    # IDCG = 7/1 + 3/log2(3) + 1/log2(4)     = 7 + 1.89279 + 0.5     = 9.39279
    assert ndcg_at_k([2, 3, 0, 1], [3, 2, 1]) == pytest.approx(0.83545, abs=1e-5)


def test_items_never_returned_lower_ndcg():
    # Only one of two grade-3 items is found: 7 / (7 + 7/log2(3)) = 0.61315
    assert ndcg_at_k([3], [3, 3]) == pytest.approx(0.61315, abs=1e-5)


def test_only_the_top_k_count():
    ranked = [0] * 10 + [3]
    assert ndcg_at_k(ranked, [3], k=10) == 0.0
    assert reciprocal_rank(ranked, k=10) == 0.0


def test_mrr_waits_for_grade_two():
    assert reciprocal_rank([1, 0, 2]) == pytest.approx(1 / 3)
    assert reciprocal_rank([1, 1, 1]) == 0.0


def test_missing_relevant_items_lower_recall():
    query = query_with((BOLIG, "boligmangel", 3), (BOLIG, "trangboddhet", 2), (BOLIG, "sekundærflytting", 1))
    hits = [hit(BOLIG, "Boligmangel er ofte en flaskehals."), hit(BOLIG, "Noe annet."),
            hit(BOLIG, "Sekundærflytting er utbredt.")]
    result = evaluate_query(query, [(h["report"]["title"], h["text"]) for h in hits])
    assert result.recall == pytest.approx(2 / 3)
    assert result.ranked_grades == [3, 0, 1]
    assert result.first_relevant_rank == 1
    assert [j.text_contains for j in result.missed] == ["trangboddhet"]


def test_a_repeated_hit_is_credited_once():
    query = query_with((BOLIG, "boligmangel", 3), (BOLIG, "trangboddhet", 3))
    same = (BOLIG, "Boligmangel er ofte en flaskehals.")
    result = evaluate_query(query, [same, same])
    assert result.ranked_grades == [3, 0]
    assert result.ndcg < 1.0


def test_a_hit_matching_two_judgments_takes_the_better_one():
    judgments = [Judgment(BOLIG, "flaskehals", 1), Judgment(BOLIG, "boligmangel", 3)]
    text = (BOLIG, "Boligmangel er ofte en flaskehals.")
    assert credit_hits([text, text], judgments) == [1, 0]


# --- matching rules ---------------------------------------------------------------------


def test_title_match_ignores_case_and_spacing_and_allows_a_prefix():
    judgment = Judgment("Evaluering av  EMPOWERMENTKURS", "kurset", 2)
    assert matches(judgment, "Evaluering av empowermentkurs for deltakere i introduksjonsprogrammet", "Om kurset.")
    # The indexed title may be longer than the judged one, not shorter.
    assert not matches(Judgment("Evaluering av empowermentkurs for alle", "kurset", 2), "Evaluering av empowermentkurs", "kurset")


def test_same_text_in_another_report_does_not_match():
    assert not matches(Judgment(BOLIG, "barnefattigdommen", 3), UNGE, "Siden tusenårsskiftet har barnefattigdommen økt.")


def test_text_match_survives_soft_hyphens_line_breaks_case_and_decomposed_letters():
    judgment = Judgment(UNGE, "tusenårsskiftet har barnefattigdommen i Norge økt", 3)
    # "a" + combining ring above is the decomposed spelling of "å".
    extracted = "Siden tusena\u030arsskiftet har BARNE\u00adFATTIGDOMMEN i\n  Norge økt, og de høyeste"
    assert matches(judgment, UNGE, extracted)
    assert not matches(judgment, UNGE, "barnefattigdommen i Sverige økt")


def test_evaluate_accepts_api_responses_and_lists_broken_judgments():
    judgments = [
        Query("bolig", "", [Judgment(BOLIG, "boligmangel", 3), Judgment(BOLIG, "står ikke i teksten", 1)]),
        Query("fattigdom", "", [Judgment(UNGE, "barnefattigdommen", 3)]),
    ]
    responses = {
        "bolig": {"query": "bolig", "results": [hit(BOLIG, "Boligmangel er ofte en flaskehals.")]},
        "fattigdom": [hit(BOLIG, "Boligmangel er ofte en flaskehals."), hit(UNGE, "Barnefattigdommen har økt.")],
    }
    all_texts = [(BOLIG, "Boligmangel er ofte en flaskehals."), (UNGE, "Barnefattigdommen har økt.")]
    report = evaluate(responses.__getitem__, judgments, all_texts=all_texts)
    by_query = {q.query: q for q in report.queries}
    assert by_query["bolig"].recall == 0.5
    assert by_query["fattigdom"].first_relevant_rank == 2
    assert by_query["fattigdom"].mrr == 0.5
    assert report.mean_mrr == pytest.approx(0.75)
    assert [(b.query, b.judgment.text_contains) for b in report.broken] == [("bolig", "står ikke i teksten")]


@pytest.mark.parametrize(
    "judgment",
    [
        {"report": BOLIG, "text_contains": "boligmangel", "grade": 4},
        {"report": BOLIG, "text_contains": "boligmangel", "grade": True},
        {"report": BOLIG, "text_contains": " ", "grade": 2},
        {"text_contains": "boligmangel", "grade": 2},
    ],
)
def test_malformed_judgments_are_refused(judgment):
    with pytest.raises(JudgmentFileError):
        parse_judgments({"queries": [{"query": "bolig", "judgments": [judgment]}]})


def test_an_item_judged_twice_in_one_query_is_refused():
    twice = {"report": BOLIG, "text_contains": "Boligmangel", "grade": 3}
    with pytest.raises(JudgmentFileError, match="twice"):
        parse_judgments({"queries": [{"query": "bolig", "judgments": [twice, dict(twice, text_contains="boligmangel ")]}]})


ONE_JUDGMENT = [{"report": BOLIG, "text_contains": "boligmangel", "grade": 3}]


def test_a_query_without_a_category_is_bokmal_and_twins_are_kept():
    queries = parse_judgments({"queries": [
        {"query": "mangel på bustader", "category": "nynorsk", "twin": "boligmangel", "judgments": ONE_JUDGMENT},
        {"query": "boligmangel", "judgments": ONE_JUDGMENT},
    ]})
    assert [(q.category, q.twin) for q in queries] == [("nynorsk", "boligmangel"), ("bokmål", None)]


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"category": "svensk"}, "'category' must be one of"),
        ({"twin": "finnes ikke i settet"}, "is not in the set"),
        ({"twin": "bustadmangel"}, "'twin' must name another query"),
    ],
)
def test_an_unknown_category_or_a_missing_twin_is_refused(extra, reason):
    with pytest.raises(JudgmentFileError, match=reason):
        parse_judgments({"queries": [{"query": "bustadmangel", "judgments": ONE_JUDGMENT, **extra}]})


# --- means per category and twin ratios on a hand-made set ---------------------------------


def scored(query: str, ndcg: float, category: str = "bokmål", twin: str | None = None, mrr: float = 0.0,
           recall: float = 0.0) -> QueryResult:
    return QueryResult(query=query, ndcg=ndcg, mrr=mrr, recall=recall, first_relevant_rank=None, ranked_grades=[],
                       missed=[], category=category, twin=twin)


def test_means_are_taken_per_category():
    report = EvalReport(k=10, queries=[
        scored("a", 1.0, mrr=1.0, recall=1.0),
        scored("b", 0.5, mrr=0.5, recall=0.5),
        scored("c", 0.2, "nynorsk", twin="a", mrr=0.25),
        scored("d", 0.0, "english"),
    ])
    categories = report.by_category()
    assert list(categories) == ["bokmål", "nynorsk", "english"]
    assert categories["bokmål"].count == 2
    assert categories["bokmål"].ndcg == pytest.approx(0.75)
    assert categories["bokmål"].mrr == pytest.approx(0.75)
    assert categories["nynorsk"].ndcg == pytest.approx(0.2) and categories["nynorsk"].mrr == pytest.approx(0.25)
    assert categories["english"].count == 1 and categories["english"].recall == 0.0
    # The set's overall mean is still over every query, not over the categories.
    assert report.mean_ndcg == pytest.approx(1.7 / 4)
    assert summarize([]).count == 0


def test_twin_ratio_is_the_mean_of_each_query_against_its_own_twin():
    report = EvalReport(k=10, queries=[
        scored("a", 0.8), scored("b", 0.5), scored("z", 0.0),
        scored("a nn", 0.4, "nynorsk", twin="a"),   # 0.5
        scored("b nn", 0.5, "nynorsk", twin="b"),   # 1.0
        scored("z nn", 0.3, "nynorsk", twin="z"),   # twin scores 0: no ratio
    ])
    ratios = report.twin_ratios()["nynorsk"]
    assert ratios.pairs == 3 and ratios.undefined == 1
    assert ratios.mean_ratio == pytest.approx(0.75)
    assert ratios.per_query == {"a nn": pytest.approx(0.5), "b nn": pytest.approx(1.0), "z nn": None}
    assert "bokmål" not in report.twin_ratios()


# --- the relevance set against the bundled corpus ----------------------------------------


@pytest.fixture(scope="module")
def relevance_set() -> list[Query]:
    return load_judgments(DEFAULT_JUDGMENTS)


def test_relevance_set_covers_many_needs(relevance_set):
    assert len(relevance_set) >= 45
    assert all(q.note.strip() for q in relevance_set)
    assert any(q.query.startswith('"') for q in relevance_set)


# --- the test set: written from the documents, never tuned on ------------------------------


@pytest.fixture(scope="module")
def test_set() -> list[Query]:
    return load_judgments(TEST_JUDGMENTS)


def test_the_test_set_covers_every_category(test_set):
    counts = {category: sum(q.category == category for q in test_set) for category in CATEGORIES}
    assert counts["bokmål"] >= 25 and counts["nynorsk"] >= 15 and counts["english"] >= 15
    assert counts["compound"] >= 3 and counts["misspelling"] >= 3
    assert all(q.note.strip() and 2 <= len(q.judgments) <= 6 for q in test_set)


def test_every_nynorsk_query_has_a_bokmal_twin_with_the_same_judgments(test_set):
    by_text = {q.query: q for q in test_set}
    for q in test_set:
        if q.category != "nynorsk":
            continue
        assert q.twin in by_text, f"{q.query!r}: twin {q.twin!r} is not a query of the test set"
        twin = by_text[q.twin]
        assert twin.category == "bokmål", f"{q.query!r}: twin {q.twin!r} is {twin.category}"
        assert q.judgments == twin.judgments, f"{q.query!r} is not judged like its twin {q.twin!r}"


def test_no_test_query_is_a_dev_query_or_appears_in_the_tests(test_set, relevance_set):
    dev = {normalize(q.query) for q in relevance_set}
    sources = {path.name: normalize(path.read_text(encoding="utf-8")) for path in TESTS_DIR.rglob("*.py")}
    assert "test_evaluation.py" in sources
    for q in test_set:
        text = normalize(q.query)
        assert text not in dev, f"{q.query!r} is also a dev query"
        found_in = [name for name, source in sources.items() if text in source]
        assert not found_in, f"{q.query!r} appears in {found_in}: the test set must not be tuned on"


def test_the_test_set_ships_as_package_data():
    assert TEST_JUDGMENTS.is_file()
    assert json.loads(TEST_JUDGMENTS.read_text(encoding="utf-8"))["set"] == "test"
    assert json.loads(DEFAULT_JUDGMENTS.read_text(encoding="utf-8"))["set"] == "dev"


@pytest.fixture(scope="module")
def corpus_items(corpus_documents) -> list[tuple[str, str]]:
    return [
        (report.title, item.text)
        for document in corpus_documents.values()
        for report in document.reports
        for item in [*report.findings, *report.passages]
    ]


@pytest.fixture(scope="module", params=sorted(JUDGMENT_SETS))
def any_set(request) -> list[Query]:
    return load_judgments(JUDGMENT_SETS[request.param])


def test_every_judgment_names_a_finding_or_passage_of_the_corpus(any_set, corpus_items):
    broken = [f"{b.query!r}: {b.judgment.report} / {b.judgment.text_contains!r}"
              for b in find_broken(any_set, corpus_items)]
    assert not broken, "judgments that match no extracted text:\n" + "\n".join(broken)


def test_no_query_judges_the_same_item_twice(any_set, corpus_items):
    # Two judgments that pick out the same single item would count it twice in the ideal ranking.
    items = [(normalize(title), normalize(text)) for title, text in corpus_items]
    doubled = []
    for q in any_set:
        seen: dict[int, str] = {}
        for j in q.judgments:
            title, needle = normalize(j.report), normalize(j.text_contains)
            found = [i for i, (t, text) in enumerate(items) if t.startswith(title) and needle in text]
            if len(found) == 1:
                if found[0] in seen:
                    doubled.append(f"{q.query!r}: {j.text_contains!r} and {seen[found[0]]!r}")
                seen[found[0]] = j.text_contains
    assert not doubled, "\n".join(doubled)


# --- end to end: the whole set against an index of the corpus ------------------------------


# Floors per set and category: mean nDCG@10, and for Nynorsk the mean ratio to the Bokmål
# twins. The test set's floors guard against regressions only; docs/relevance.md gives the
# targets and where each set stands against them.
# The quality bar of indexer/evaluation/README.md holds on the 64 Bokmål queries the dev
# set began with; the 79 written later from the documents (paraphrases, word families,
# topics with a year, place or institute) are new needs, and the whole set's floor
# guards them against regressions.
QUALITY_BAR = 0.85
FIRST_DEV_QUERIES = 64
QUALITY_FLOORS = {
    "dev": {"bokmål": 0.75, "english": 0.6, "nynorsk/twin": 0.9},
    "test": {"bokmål": 0.75, "english": 0.45, "nynorsk/twin": 0.9, "compound": 0.75, "misspelling": 0.75},
}


@pytest.mark.parametrize("which", ["dev", "test"])
def test_search_meets_the_quality_floors(which, relevance_set, test_set, corpus_index, corpus_items):
    from indexer.search.engine import search

    report = evaluate(
        lambda text: search(corpus_index, text, size=10).to_dict(),
        relevance_set if which == "dev" else test_set,
        all_texts=corpus_items,
    )
    assert not report.broken
    measured = {category: summary.ndcg for category, summary in report.by_category().items()}
    measured["nynorsk/twin"] = report.twin_ratios()["nynorsk"].mean_ratio or 0.0
    low = {name: round(measured[name], 3) for name, floor in QUALITY_FLOORS[which].items() if measured[name] < floor}
    assert not low, f"{which}: below the floors {QUALITY_FLOORS[which]}: {low}"
    if which == "dev":
        first = [q.ndcg for q in report.queries if q.category == "bokmål"][:FIRST_DEV_QUERIES]
        assert sum(first) / len(first) >= QUALITY_BAR
    if which == "test":
        # Every compound and misspelling query finds a relevant item in the top 10.
        assert all(q.first_relevant_rank for q in report.queries if q.category in ("compound", "misspelling"))


def test_eval_command_prints_the_table(corpus_index, tmp_path, capsys):
    judgments = tmp_path / "judgments.json"
    judgments.write_text(json.dumps({"queries": [
        {"query": "barnefattigdom", "note": "", "judgments": [
            {"report": UNGE, "text_contains": "barnefattigdommen i Norge økt", "grade": 3}]},
        {"query": "tolk", "note": "", "judgments": [
            {"report": UNGE, "text_contains": "finnes ikke i korpuset", "grade": 1}]},
    ]}, ensure_ascii=False), encoding="utf-8")
    assert cli_main(["eval", "--index-dir", str(corpus_index), "--judgments", str(judgments)]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith(("barnefattigdom", "tolk"))}
    assert rows["barnefattigdom"][1:3] == ["1.000", "1.00"]  # found first: nDCG 1, MRR 1
    assert rows["tolk"][1] == "0.000"
    assert "Snitt over 2 spørringer" in out
    assert "finnes ikke i korpuset" in out  # listed as a judgment that matches nothing


def test_eval_command_gives_means_per_category_and_twin_ratios(corpus_index, tmp_path, capsys):
    judgments = tmp_path / "judgments.json"
    judged = [{"report": UNGE, "text_contains": "barnefattigdommen i Norge økt", "grade": 3}]
    judgments.write_text(json.dumps({"set": "prøve", "queries": [
        {"query": "barnefattigdom", "judgments": judged},
        {"query": "barnefattigdomen", "category": "nynorsk", "twin": "barnefattigdom", "judgments": judged},
        {"query": "tolk", "category": "english", "judgments": [
            {"report": UNGE, "text_contains": "finnes ikke i korpuset", "grade": 1}]},
    ]}, ensure_ascii=False), encoding="utf-8")
    assert cli_main(["eval", "--index-dir", str(corpus_index), "--judgments", str(judgments)]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith(("bokmål", "english"))}
    assert rows["bokmål"][1:3] == ["1.000", "1.00"] and rows["bokmål"][-1] == "1"
    assert rows["english"][1] == "0.000"
    assert "nynorsk mot tvillingen på bokmål" in out and "over 1 par" in out

    assert cli_main(["eval", "--index-dir", str(corpus_index), "--judgments", str(judgments), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data["sets"]) == ["prøve"]
    result = data["sets"]["prøve"]
    assert result["categories"]["bokmål"] == {"count": 1, "ndcg": 1.0, "mrr": 1.0, "recall": 1.0}
    assert result["twins"]["nynorsk"]["pairs"] == 1
    assert [q["category"] for q in result["queries"]] == ["bokmål", "nynorsk", "english"]
    assert len(result["broken"]) == 1


def test_eval_command_reports_dev_and_test_separately(corpus_index, capsys):
    assert cli_main(["eval", "--index-dir", str(corpus_index), "--json"]) == 0
    sets = json.loads(capsys.readouterr().out)["sets"]
    assert list(sets) == ["dev", "test"]
    assert list(sets["dev"]["categories"]) == ["bokmål", "nynorsk", "english"]
    assert list(sets["test"]["categories"]) == list(CATEGORIES)
    assert "nynorsk" in sets["test"]["twins"] and "nynorsk" in sets["dev"]["twins"]
    assert not sets["test"]["broken"], "test-set judgments that match nothing in the index"

    assert cli_main(["eval", "--index-dir", str(corpus_index), "--set", "test"]) == 0
    out = capsys.readouterr().out
    assert "Testsettet (test)" in out and "Utviklingssettet" not in out
    assert f"Snitt over {len(sets['test']['queries'])} spørringer" in out


def test_eval_command_without_an_index_says_so(tmp_path, capsys):
    assert cli_main(["eval", "--index-dir", str(tmp_path / "ingen")]) == 2
    assert "rapportsok index" in capsys.readouterr().err


def test_the_relevance_set_ships_as_package_data():
    assert DEFAULT_JUDGMENTS.is_file()
    assert load_judgments() == load_judgments(DEFAULT_JUDGMENTS)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "filen finnes ikke"),
        ('{"queries": [', "ikke gyldig JSON"),
        (b"\xff\xfe ikke utf-8", "kunne ikke lese filen"),
        ('{"queries": [{"query": "bolig", "judgments": []}]}', "needs at least one judgment"),
        ("[]", "'queries' list"),
    ],
)
def test_a_missing_or_malformed_judgments_file_is_one_clear_line(tmp_path, capsys, content, reason):
    judgments = tmp_path / "vurderinger.json"
    if isinstance(content, bytes):
        judgments.write_bytes(content)
    elif content is not None:
        judgments.write_text(content, encoding="utf-8")

    # Checked before the index is opened: no index is needed to hear about a bad file.
    assert cli_main(["eval", "--index-dir", str(tmp_path / "ingen"), "--judgments", str(judgments)]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0].startswith(f"Kan ikke bruke vurderingsfilen {judgments}: ")
    assert reason in lines[0]
