"""Workload 4: nDCG@10, MRR and recall@10 on the relevance sets, for us and for each peer.

The headline numbers are over the dev and test sets together; ``sets`` holds each set's
own means, since only the test set was never tuned on.

The peers search the same findings and passages as our index; their ids are mapped
back to (report title, text) so :mod:`indexer.evaluation.relevance` judges every engine alike.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.peers import BenchItem, Peer
from indexer.evaluation.relevance import DEFAULT_K, JUDGMENT_SETS, EvalReport, SearchFn, evaluate, load_judgments


def _means(report: EvalReport) -> dict[str, Any]:
    return {"ndcg": report.mean_ndcg, "mrr": report.mean_mrr, "recall": report.mean_recall, "queries": len(report.queries)}


def _scores(search_fn: SearchFn) -> dict[str, Any]:
    reports = {name: evaluate(search_fn, load_judgments(path)) for name, path in JUDGMENT_SETS.items()}
    combined = EvalReport(k=DEFAULT_K, queries=[q for report in reports.values() for q in report.queries])
    return {
        **_means(combined),
        "per_query": {q.query: round(q.ndcg, 3) for q in combined.queries},
        "sets": {name: _means(report) for name, report in reports.items()},
    }


def ours(index_dir: Path) -> dict[str, Any]:
    from indexer.search.engine import search

    return _scores(lambda q: search(index_dir, q, size=DEFAULT_K).to_dict())


def peer(engine: Peer, items: list[BenchItem]) -> dict[str, Any]:
    by_id = {item.id: item for item in items}

    def search_fn(query: str) -> list[dict[str, Any]]:
        hits = [by_id[i] for i in engine.search(query, DEFAULT_K)]
        return [{"report": {"title": h.title}, "text": h.text} for h in hits]

    return _scores(search_fn)
