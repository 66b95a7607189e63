"""The relevance metrics, the judgment matching rules, and the relevance set itself."""
from __future__ import annotations

import json
import math

import pytest

from indexer.evaluation.relevance import (
    DEFAULT_JUDGMENTS,
    Judgment,
    JudgmentFileError,
    Query,
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
)
from search_app.cli import main as cli_main

QUALITY_BAR = 0.85

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


# --- the relevance set against the bundled corpus ----------------------------------------


@pytest.fixture(scope="module")
def relevance_set() -> list[Query]:
    return load_judgments(DEFAULT_JUDGMENTS)


def test_relevance_set_covers_many_needs(relevance_set):
    assert len(relevance_set) >= 45
    assert all(q.note.strip() for q in relevance_set)
    assert any(q.query.startswith('"') for q in relevance_set)


@pytest.fixture(scope="module")
def corpus_items(corpus_documents) -> list[tuple[str, str]]:
    return [
        (report.title, item.text)
        for document in corpus_documents.values()
        for report in document.reports
        for item in [*report.findings, *report.passages]
    ]


def test_every_judgment_names_a_finding_or_passage_of_the_corpus(relevance_set, corpus_items):
    broken = [f"{b.query!r}: {b.judgment.report} / {b.judgment.text_contains!r}"
              for b in find_broken(relevance_set, corpus_items)]
    assert not broken, "judgments that match no extracted text:\n" + "\n".join(broken)


def test_no_query_judges_the_same_item_twice(relevance_set, corpus_items):
    # Two judgments that pick out the same single item would count it twice in the ideal ranking.
    items = [(normalize(title), normalize(text)) for title, text in corpus_items]
    doubled = []
    for q in relevance_set:
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


def test_search_meets_the_quality_bar(relevance_set, corpus_index, corpus_items):
    from indexer.search.engine import search

    report = evaluate(
        lambda text: search(corpus_index, text, size=10).to_dict(),
        relevance_set,
        all_texts=corpus_items,
    )
    assert not report.broken
    table = "\n".join(
        f"{q.ndcg:.3f}  mrr {q.mrr:.2f}  recall {q.recall:.2f}  {q.query}"
        for q in sorted(report.queries, key=lambda q: q.ndcg)
    )
    assert report.mean_ndcg >= QUALITY_BAR, f"mean nDCG@10 {report.mean_ndcg:.3f} < {QUALITY_BAR}\n{table}"


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
