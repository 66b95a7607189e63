"""Query sets and latency: the relevance-set queries and sampled 1-, 2- and 5-word queries."""
from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from indexer.evaluation.relevance import load_judgments
from indexer.language.analysis import stopwords

WORD = re.compile(r"[A-Za-zÆØÅæøåÉé]{4,}")
SAMPLE_SEED = 7
WARM_UP_QUERIES = 5


def relevance_queries() -> list[str]:
    return [q.query for q in load_judgments()]


def sampled_queries(sentences: Sequence[str], words: int, count: int, seed: int = SAMPLE_SEED) -> list[str]:
    """``count`` queries of ``words`` consecutive content words from random real sentences.

    Drawing from running text weights words by how often they occur, as users' query
    words are; stop words are left out because nobody searches for them alone.
    """
    rng = random.Random(seed * 100 + words)
    stop = stopwords()
    queries: list[str] = []
    attempts = 0
    while len(queries) < count and attempts < count * 50:
        attempts += 1
        content = [w.lower() for w in WORD.findall(rng.choice(sentences)) if w.lower() not in stop]
        if len(content) < words:
            continue
        start = rng.randrange(len(content) - words + 1)
        queries.append(" ".join(content[start : start + words]))
    return queries


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[rank]


def measure_latency(search: Callable[[str], Any], queries: Sequence[str]) -> dict[str, float]:
    """Per-query wall time in ms, one query after another (no concurrency)."""
    for query in queries[:WARM_UP_QUERIES]:
        search(query)
    times = []
    started = time.perf_counter()
    for query in queries:
        begun = time.perf_counter()
        search(query)
        times.append((time.perf_counter() - begun) * 1000)
    total = time.perf_counter() - started
    return {
        "queries": len(queries),
        "p50_ms": percentile(times, 0.50),
        "p95_ms": percentile(times, 0.95),
        "p99_ms": percentile(times, 0.99),
        "mean_ms": statistics.fmean(times) if times else float("nan"),
        "queries_per_s": len(queries) / total if total else float("nan"),
    }
