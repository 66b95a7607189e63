"""Cold latency: each query set searched by a fresh process, every query once, nothing warmed.

``python -m bench.cold INDEX_DIR QUERIES_JSON`` prints JSON: how long the engine's import
took, the first answer, and the time of every query. A fresh process has nothing of the
index in memory but what the commit's serving snapshot maps, so these are the numbers a
new server process (or the first search after a commit) gives.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.paths import REPO_DIR
from bench.queries import percentile


def measure_cold(index_dir: Path, queries: list[str]) -> dict[str, Any]:
    """Run the query set in a new process; p50/p95 over every query after the first."""
    done = subprocess.run([sys.executable, "-m", "bench.cold", str(index_dir), json.dumps(queries)],
                          cwd=REPO_DIR, capture_output=True, text=True, check=True)
    measured = json.loads(done.stdout)
    after_first = measured["times_ms"][1:] or measured["times_ms"]
    return {
        "queries": len(queries),
        "import_s": measured["import_s"],
        "first_ms": measured["times_ms"][0] if measured["times_ms"] else float("nan"),
        "p50_ms": percentile(after_first, 0.50),
        "p95_ms": percentile(after_first, 0.95),
    }


def main(argv: list[str]) -> int:
    index_dir, queries = Path(argv[0]), json.loads(argv[1])
    started = time.perf_counter()
    from indexer.search.engine import search

    imported = time.perf_counter() - started
    times = []
    for query in queries:
        begun = time.perf_counter()
        search(index_dir, query, size=10)
        times.append((time.perf_counter() - begun) * 1000)
    print(json.dumps({"import_s": imported, "times_ms": times}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
