"""``rapportsok eval``: how well the search answers a fixed set of judged queries.

Two relevance sets ship with the package: the dev set (``judgments.json``), which
ranking may be tuned on, and the test set (``judgments_test.json``), written from the
documents and never tuned on, so it shows how the engine does on queries nobody
fitted it to. Each query has a category (Bokmål, Nynorsk, English, compound,
misspelling), and a query may name its twin: the same need in Bokmål, judged alike.

A set names each judged item by its report title and a short piece of its text
rather than by id, so it survives re-extraction. A hit matches a judgment when the
titles agree (the judged title may be a prefix of the indexed one) and the hit's
text contains the judged text, both compared after :func:`normalize`.

Metrics, per query and as a mean over queries:

* nDCG@k with graded gain ``2**grade - 1``; the ideal ranking is built from all
  judgments of the query, so judged items the search never returns count against it.
* MRR: ``1 / rank`` of the first hit with grade 2 or more (0 if none in the top k).
* recall@k: share of the query's judged items found in the top k.
* per category: the means above over the queries of one category; for a query with
  a twin, the ratio of its nDCG to the twin's (how much of the Bokmål result a
  Nynorsk or English query keeps).

Each judged item is credited once: a second hit with the same text (the same
passage indexed twice, say) earns nothing, so a perfect score means a perfect
ranking and not a repeated one.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from indexer.exitcodes import ExitCode

DEFAULT_K = 10
# MRR and "first relevant rank" count a hit as relevant from this grade up.
RELEVANT_GRADE = 2
GRADES = (1, 2, 3)
DEFAULT_JUDGMENTS = resources.files("indexer.evaluation") / "judgments.json"
TEST_JUDGMENTS = resources.files("indexer.evaluation") / "judgments_test.json"
# The dev set may be tuned on; the test set is never looked at while tuning.
JUDGMENT_SETS: dict[str, Traversable] = {"dev": DEFAULT_JUDGMENTS, "test": TEST_JUDGMENTS}
CATEGORIES = ("bokmål", "nynorsk", "english", "compound", "misspelling")
DEFAULT_CATEGORY = "bokmål"

SOFT_HYPHEN = "\u00ad"

# search_fn(query) returns hits, or a whole /api/search response with "results".
SearchFn = Callable[[str], Any]


# --- the relevance set -------------------------------------------------------------


@dataclass(frozen=True)
class Judgment:
    report: str
    text_contains: str
    grade: int


@dataclass
class Query:
    query: str
    note: str
    judgments: list[Judgment] = field(default_factory=list)
    category: str = DEFAULT_CATEGORY
    # The query with the same need in Bokmål, in the same set.
    twin: str | None = None


@dataclass
class JudgmentSet:
    name: str | None  # the file's "set" ("dev", "test"), if it says
    queries: list[Query]


class JudgmentFileError(ValueError):
    """The relevance file is not shaped as README.md describes."""


def _judgment(raw: Any, where: str) -> Judgment:
    if not isinstance(raw, Mapping):
        raise JudgmentFileError(f"{where}: a judgment must be an object")
    report, text, grade = raw.get("report"), raw.get("text_contains"), raw.get("grade")
    if not isinstance(report, str) or not report.strip():
        raise JudgmentFileError(f"{where}: 'report' must be a non-empty string")
    if not isinstance(text, str) or not text.strip():
        raise JudgmentFileError(f"{where}: 'text_contains' must be a non-empty string")
    if isinstance(grade, bool) or grade not in GRADES:
        raise JudgmentFileError(f"{where}: 'grade' must be one of {GRADES}, not {grade!r}")
    return Judgment(report=report, text_contains=text, grade=grade)


def parse_judgments(data: Any) -> list[Query]:
    """Queries from the decoded JSON; raises :class:`JudgmentFileError` on a malformed set."""
    return parse_judgment_set(data).queries


def _category_and_twin(raw: Mapping[str, Any], where: str) -> tuple[str, str | None]:
    category = raw.get("category", DEFAULT_CATEGORY)
    if category not in CATEGORIES:
        raise JudgmentFileError(f"{where}: 'category' must be one of {CATEGORIES}, not {category!r}")
    twin = raw.get("twin")
    if twin is not None and (not isinstance(twin, str) or not twin.strip() or twin == raw["query"]):
        raise JudgmentFileError(f"{where}: 'twin' must name another query of the set")
    return category, twin


def parse_judgment_set(data: Any) -> JudgmentSet:
    """The set's name and queries from the decoded JSON; raises :class:`JudgmentFileError`
    on a malformed set."""
    raw_queries = data.get("queries") if isinstance(data, Mapping) else None
    if not isinstance(raw_queries, list):
        raise JudgmentFileError("the file must be an object with a 'queries' list")
    queries: list[Query] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_queries, start=1):
        where = f"query {number}"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("query"), str) or not raw["query"].strip():
            raise JudgmentFileError(f"{where}: needs a non-empty 'query' string")
        text = raw["query"]
        where = f"query {number} ({text!r})"
        if text in seen:
            raise JudgmentFileError(f"{where}: the same query appears twice")
        seen.add(text)
        raw_judgments = raw.get("judgments")
        if not isinstance(raw_judgments, list) or not raw_judgments:
            raise JudgmentFileError(f"{where}: needs at least one judgment")
        judgments = [_judgment(j, f"{where}, judgment {i}") for i, j in enumerate(raw_judgments, start=1)]
        keys = [(normalize(j.report), normalize(j.text_contains)) for j in judgments]
        if len(set(keys)) != len(keys):
            raise JudgmentFileError(f"{where}: the same item is judged twice")
        category, twin = _category_and_twin(raw, where)
        queries.append(
            Query(query=text, note=str(raw.get("note") or ""), judgments=judgments, category=category, twin=twin)
        )
    for query in queries:
        if query.twin is not None and query.twin not in seen:
            raise JudgmentFileError(f"query {query.query!r}: its twin {query.twin!r} is not in the set")
    name = data.get("set")
    return JudgmentSet(name=name if isinstance(name, str) else None, queries=queries)


def load_judgments(path: Path | str | Traversable = DEFAULT_JUDGMENTS) -> list[Query]:
    """The queries of the relevance set in a file (the dev set by default);
    :class:`JudgmentFileError` when it is missing, unreadable, not JSON or not shaped
    as README.md describes."""
    return load_judgment_set(path).queries


def load_judgment_set(path: Path | str | Traversable) -> JudgmentSet:
    """The relevance set in a file, with its name; errors as :func:`load_judgments`."""
    source = Path(path) if isinstance(path, str) else path
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise JudgmentFileError("filen finnes ikke (file not found)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise JudgmentFileError(f"kunne ikke lese filen (unreadable): {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JudgmentFileError(
            f"ikke gyldig JSON (not valid JSON) på linje {exc.lineno}, kolonne {exc.colno}: {exc.msg}"
        ) from None
    return parse_judgment_set(data)


# --- matching ----------------------------------------------------------------------


def normalize(text: str) -> str:
    """NFC, lower case, soft hyphens removed, runs of whitespace as one space."""
    text = unicodedata.normalize("NFC", text).replace(SOFT_HYPHEN, "")
    return " ".join(text.lower().split())


def _get(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def hit_title_and_text(hit: Any) -> tuple[str, str]:
    """Report title and text of a hit: an /api/search result dict or an object alike."""
    report = _get(hit, "report")
    return str(_get(report, "title") or ""), str(_get(hit, "text") or "")


def titles_match(judged: str, indexed: str) -> bool:
    return normalize(indexed).startswith(normalize(judged))


def matches(judgment: Judgment, title: str, text: str) -> bool:
    return titles_match(judgment.report, title) and normalize(judgment.text_contains) in normalize(text)


def credit_hits(hits: Sequence[tuple[str, str]], judgments: Sequence[Judgment]) -> list[int | None]:
    """For each ranked hit, the index of the judgment it earns, or None.

    A hit earns the best-graded judgment it matches that no higher-ranked hit
    has earned yet, so every judged item is credited at most once.
    """
    credited: list[int | None] = []
    used: set[int] = set()
    for title, text in hits:
        best: int | None = None
        for index, judgment in enumerate(judgments):
            if index in used or not matches(judgment, title, text):
                continue
            if best is None or judgment.grade > judgments[best].grade:
                best = index
        if best is not None:
            used.add(best)
        credited.append(best)
    return credited


# --- metrics ----------------------------------------------------------------------


def dcg(grades: Iterable[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 1) for rank, grade in enumerate(grades, start=1))


def ndcg_at_k(ranked_grades: Sequence[int], judged_grades: Iterable[int], k: int = DEFAULT_K) -> float:
    """DCG of the top k against the best possible order of every judged item."""
    ideal = dcg(sorted(judged_grades, reverse=True)[:k])
    return dcg(ranked_grades[:k]) / ideal if ideal > 0 else 0.0


def first_relevant_rank(ranked_grades: Sequence[int], k: int = DEFAULT_K) -> int | None:
    for rank, grade in enumerate(ranked_grades[:k], start=1):
        if grade >= RELEVANT_GRADE:
            return rank
    return None


def reciprocal_rank(ranked_grades: Sequence[int], k: int = DEFAULT_K) -> float:
    rank = first_relevant_rank(ranked_grades, k)
    return 1.0 / rank if rank else 0.0


def recall_at_k(found: int, judged: int) -> float:
    return found / judged if judged else 0.0


# --- evaluation ----------------------------------------------------------------------


@dataclass
class QueryResult:
    query: str
    ndcg: float
    mrr: float
    recall: float
    first_relevant_rank: int | None
    ranked_grades: list[int]
    missed: list[Judgment]
    category: str = DEFAULT_CATEGORY
    twin: str | None = None


@dataclass(frozen=True)
class Summary:
    """Mean metrics over a group of queries."""

    count: int
    ndcg: float
    mrr: float
    recall: float


def summarize(results: Sequence[QueryResult]) -> Summary:
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    return Summary(
        count=len(results),
        ndcg=mean([q.ndcg for q in results]),
        mrr=mean([q.mrr for q in results]),
        recall=mean([q.recall for q in results]),
    )


@dataclass(frozen=True)
class TwinRatios:
    """nDCG of the queries of one category against their twins'.

    A pair whose twin scores 0 has no ratio; it is counted in ``undefined`` and left
    out of the mean rather than dropped silently.
    """

    pairs: int
    undefined: int
    mean_ratio: float | None
    per_query: dict[str, float | None] = field(default_factory=dict)


@dataclass
class BrokenJudgment:
    """A judged item that matches nothing in the index: the set or the extraction is wrong."""

    query: str
    judgment: Judgment


@dataclass
class EvalReport:
    k: int
    queries: list[QueryResult]
    broken: list[BrokenJudgment] = field(default_factory=list)

    def _mean(self, name: str) -> float:
        values = [getattr(q, name) for q in self.queries]
        return sum(values) / len(values) if values else 0.0

    @property
    def mean_ndcg(self) -> float:
        return self._mean("ndcg")

    @property
    def mean_mrr(self) -> float:
        return self._mean("mrr")

    @property
    def mean_recall(self) -> float:
        return self._mean("recall")

    def by_category(self) -> dict[str, Summary]:
        """Means per category, the known categories first in their usual order."""
        groups: dict[str, list[QueryResult]] = {}
        for q in self.queries:
            groups.setdefault(q.category, []).append(q)
        order = [c for c in CATEGORIES if c in groups] + sorted(set(groups) - set(CATEGORIES))
        return {category: summarize(groups[category]) for category in order}

    def twin_ratios(self) -> dict[str, TwinRatios]:
        """Per category of the queries that name a twin: their nDCG over the twin's."""
        ndcg = {q.query: q.ndcg for q in self.queries}
        ratios: dict[str, dict[str, float | None]] = {}
        for q in self.queries:
            if q.twin is None or q.twin not in ndcg:
                continue
            twin_ndcg = ndcg[q.twin]
            ratios.setdefault(q.category, {})[q.query] = q.ndcg / twin_ndcg if twin_ndcg > 0 else None
        result = {}
        for category, per_query in ratios.items():
            defined = [v for v in per_query.values() if v is not None]
            result[category] = TwinRatios(
                pairs=len(per_query),
                undefined=len(per_query) - len(defined),
                mean_ratio=sum(defined) / len(defined) if defined else None,
                per_query=per_query,
            )
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "mean": {"ndcg": self.mean_ndcg, "mrr": self.mean_mrr, "recall": self.mean_recall},
            "categories": {category: asdict(summary) for category, summary in self.by_category().items()},
            "twins": {category: asdict(ratios) for category, ratios in self.twin_ratios().items()},
            "queries": [asdict(q) for q in self.queries],
            "broken": [asdict(b) for b in self.broken],
        }


def _result_list(response: Any) -> list[Any]:
    if isinstance(response, Mapping):
        return list(response.get("results") or [])
    results = getattr(response, "results", None)
    return list(results if results is not None else response)


def evaluate_query(query: Query, hits: Sequence[tuple[str, str]], k: int = DEFAULT_K) -> QueryResult:
    credited = credit_hits(hits[:k], query.judgments)
    ranked = [query.judgments[i].grade if i is not None else 0 for i in credited]
    found = {i for i in credited if i is not None}
    rank = first_relevant_rank(ranked, k)
    return QueryResult(
        query=query.query,
        ndcg=ndcg_at_k(ranked, [j.grade for j in query.judgments], k),
        mrr=1.0 / rank if rank else 0.0,
        recall=recall_at_k(len(found), len(query.judgments)),
        first_relevant_rank=rank,
        ranked_grades=ranked,
        missed=[j for i, j in enumerate(query.judgments) if i not in found],
        category=query.category,
        twin=query.twin,
    )


def find_broken(judgments: Iterable[Query], all_texts: Iterable[tuple[str, str]]) -> list[BrokenJudgment]:
    """Judgments that match no (report title, text) pair of the whole index."""
    items = [(normalize(title), normalize(text)) for title, text in all_texts]
    broken = []
    for query in judgments:
        for judgment in query.judgments:
            title, needle = normalize(judgment.report), normalize(judgment.text_contains)
            if not any(t.startswith(title) and needle in text for t, text in items):
                broken.append(BrokenJudgment(query=query.query, judgment=judgment))
    return broken


def evaluate(
    search_fn: SearchFn,
    judgments: Sequence[Query],
    k: int = DEFAULT_K,
    all_texts: Iterable[tuple[str, str]] | None = None,
) -> EvalReport:
    """Run every query through ``search_fn`` and score the top ``k`` hits.

    ``all_texts`` is every (report title, text) in the index; when given, judged
    items that match none of them are listed in ``EvalReport.broken``.
    """
    results = []
    for query in judgments:
        hits = [hit_title_and_text(hit) for hit in _result_list(search_fn(query.query))]
        results.append(evaluate_query(query, hits, k))
    broken = find_broken(judgments, all_texts) if all_texts is not None else []
    return EvalReport(k=k, queries=results, broken=broken)


# --- command line ------------------------------------------------------------------


def index_texts(index_dir: Path | str) -> list[tuple[str, str]]:
    """(report title, text) of every finding and passage in the index."""
    from indexer.index.schema import SEARCHABLE_KINDS
    from indexer.search.engine import get_searcher

    searcher = get_searcher(index_dir)
    return [
        (fields.get("title") or "", fields.get("text") or "")
        for kind in SEARCHABLE_KINDS
        for fields in searcher.documents(kind=kind)
    ]


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_report(report: EvalReport, query_width: int = 48) -> str:
    k = report.k
    header = f"{'Spørring':<{query_width}}  {f'nDCG@{k}':>8}  {'MRR':>5}  {f'recall@{k}':>9}  {'første rel.':>11}"
    lines = [header, "-" * len(header)]
    for q in report.queries:
        rank = str(q.first_relevant_rank) if q.first_relevant_rank else "–"
        lines.append(
            f"{_shorten(q.query, query_width):<{query_width}}  {q.ndcg:>8.3f}  {q.mrr:>5.2f}  {q.recall:>9.2f}  {rank:>11}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"{f'Snitt over {len(report.queries)} spørringer':<{query_width}}  "
        f"{report.mean_ndcg:>8.3f}  {report.mean_mrr:>5.2f}  {report.mean_recall:>9.2f}"
    )
    lines += format_categories(report, query_width)
    if report.broken:
        lines.append("")
        lines.append(f"{len(report.broken)} vurderinger treffer ingen tekst i indeksen:")
        for b in report.broken:
            lines.append(f"  «{b.query}»: {b.judgment.report} – «{b.judgment.text_contains}»")
    return "\n".join(lines)


def format_categories(report: EvalReport, label_width: int = 48) -> list[str]:
    """The means per category, then each twin category's mean nDCG ratio to its twins."""
    k = report.k
    header = f"{'Kategori':<{label_width}}  {f'nDCG@{k}':>8}  {'MRR':>5}  {f'recall@{k}':>9}  {'spørringer':>11}"
    lines = ["", header, "-" * len(header)]
    for category, summary in report.by_category().items():
        lines.append(
            f"{category:<{label_width}}  {summary.ndcg:>8.3f}  {summary.mrr:>5.2f}  {summary.recall:>9.2f}  {summary.count:>11}"
        )
    for category, ratios in report.twin_ratios().items():
        mean = f"{ratios.mean_ratio:.2f}" if ratios.mean_ratio is not None else "–"
        line = f"{category} mot tvillingen på bokmål: nDCG-forhold i snitt {mean} over {ratios.pairs} par"
        if ratios.undefined:
            line += f" ({ratios.undefined} uten forhold fordi tvillingen har nDCG 0)"
        lines.append(line)
    return lines


SET_TITLES = {
    "dev": "Utviklingssettet (dev): kan brukes til å justere rangeringen",
    "test": "Testsettet (test): skrevet fra dokumentene, aldri brukt til justering",
}


def _chosen_files(args: argparse.Namespace) -> dict[str, Path | Traversable]:
    if args.judgments:
        return {"": args.judgments}
    chosen = getattr(args, "judgment_set", None) or "all"
    return {name: path for name, path in JUDGMENT_SETS.items() if chosen in (name, "all")}


def run_eval_command(args: argparse.Namespace) -> int:
    from indexer.search.engine import IndexNotFoundError, search

    index_dir = args.index_dir
    # Every file is read before the index is opened: a bad file is reported without an index.
    sets: dict[str, tuple[Path | Traversable, list[Query]]] = {}
    for name, path in _chosen_files(args).items():
        try:
            judgment_set = load_judgment_set(path)
        except JudgmentFileError as exc:
            print(f"Kan ikke bruke vurderingsfilen {path}: {exc}", file=sys.stderr)
            return ExitCode.USAGE
        sets[name or judgment_set.name or Path(str(path)).stem] = (path, judgment_set.queries)
    try:
        all_texts = index_texts(index_dir)
    except IndexNotFoundError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.USAGE

    def search_fn(query: str) -> dict[str, Any]:
        return search(index_dir, query, size=DEFAULT_K).to_dict()

    reports = {
        name: evaluate(search_fn, queries, k=DEFAULT_K, all_texts=all_texts) for name, (_, queries) in sets.items()
    }
    if getattr(args, "json", False):
        print(json.dumps(
            {"k": DEFAULT_K, "sets": {name: {"file": str(sets[name][0]), **report.to_dict()} for name, report in reports.items()}},
            ensure_ascii=False, indent=1,
        ))
        return ExitCode.OK
    blocks = []
    for name, report in reports.items():
        title = SET_TITLES.get(name, f"Vurderingssettet {name}")
        blocks.append(f"== {title} – {sets[name][0]} ==\n\n{format_report(report)}")
    if len(reports) > 1:
        summary = ["Sammendrag per sett:"]
        for name, report in reports.items():
            summary.append(
                f"  {name:<6} nDCG@{DEFAULT_K} {report.mean_ndcg:.3f}  MRR {report.mean_mrr:.2f}  "
                f"recall@{DEFAULT_K} {report.mean_recall:.2f}  ({len(report.queries)} spørringer)"
            )
        blocks.append("\n".join(summary))
    print("\n\n".join(blocks))
    return ExitCode.OK
