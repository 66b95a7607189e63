"""``python -m bench [--quick]``: every workload, us and the peers, in one run.

Writes bench/results.json (raw numbers) and bench/RESULTS.md (rendered from them).
Generated corpora and indexes go to bench/generated/ (not committed). A full run
(100,000 and 1,000,000 items) takes about two hours on 2 cores, ``--sizes 100000``
about 30 minutes; ``--quick`` is a smoke run of a few
minutes that writes to bench/generated/quick/ unless told otherwise. ``--render-only``
writes RESULTS.md again from an existing results.json (after a change to the report's
text), measuring nothing.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench import cold, extraction, extraction_quality, http_load, indexing, machine, quality, queries, report, scaled
from bench.paths import CORPUS_DIR, GENERATED_DIR, RESULTS_JSON, RESULTS_MD, corpus_pdfs, real_pdfs
from bench.peers import BenchItem, all_peers, items_from_documents, timed_build

FULL_SIZES = (100_000, 1_000_000)
QUICK_SIZES = (5_000,)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and short runs (a smoke test)")
    parser.add_argument("--sizes", type=int, nargs="*", help="scaled corpus sizes (findings + passages)")
    parser.add_argument("--peer-max-size", type=int, default=None, help="largest scaled size the peers index too")
    parser.add_argument("--slow-peer-max-size", type=int, default=100_000,
                        help="largest scaled size the Whoosh peers index too (they build at ~600 documents/s)")
    parser.add_argument("--http-seconds", type=int, default=None, help="seconds per wrk run")
    parser.add_argument("--sampled", type=int, default=None, help="sampled queries per length (1, 2, 5 words)")
    parser.add_argument("--reindex-files", type=int, default=None, help="PDFs in the unchanged re-index test")
    parser.add_argument("--out", type=Path, default=None, help="folder for results.json and RESULTS.md")
    parser.add_argument("--render-only", action="store_true", help="rewrite RESULTS.md from results.json in --out")
    parser.add_argument("--extraction-quality-only", action="store_true",
                        help="measure extraction quality only, into the existing results.json in --out, and render")
    args = parser.parse_args(argv)
    quick = args.quick
    args.sizes = args.sizes if args.sizes is not None else list(QUICK_SIZES if quick else FULL_SIZES)
    args.peer_max_size = args.peer_max_size or (max(args.sizes, default=0) if quick else 1_000_000)
    args.http_seconds = args.http_seconds or (2 if quick else 15)
    args.sampled = args.sampled or (15 if quick else 30)
    args.reindex_files = args.reindex_files or (10 if quick else 100)
    args.out = args.out or (GENERATED_DIR / "quick" if quick else RESULTS_MD.parent)
    return args


def _say(message: str) -> None:
    print(message, flush=True)


def _items_in_index(index_dir: Path) -> list[BenchItem]:
    from indexer.index.schema import SEARCHABLE_KINDS
    from indexer.search.engine import close_searchers, get_searcher

    searcher = get_searcher(index_dir)
    items = [
        BenchItem(fields["id"], fields.get("title") or "", fields.get("text") or "", fields.get("theme") or "",
                  tuple(fields.get("contractors") or ()), fields.get("year"))
        for kind in SEARCHABLE_KINDS
        for fields in searcher.documents(kind=kind)
    ]
    close_searchers()
    return items


def _query_sets(args: argparse.Namespace, sentences: list[str]) -> dict[str, list[str]]:
    sets = {"relevance set": queries.relevance_queries()}
    for words in (1, 2, 5):
        sets[f"{words} word" + ("s" if words > 1 else "")] = queries.sampled_queries(sentences, words, args.sampled)
    return sets


def _ours_latency(index_dir: Path, query_sets: dict[str, list[str]]) -> dict[str, Any]:
    from indexer.search.engine import search

    return {name: queries.measure_latency(lambda q: search(index_dir, q, size=10), qs) for name, qs in query_sets.items()}


def _bench_size(
    label: str,
    corpus_dir: Path,
    items: list[BenchItem],
    index_numbers: dict[str, Any],
    index_dir: Path,
    query_sets: dict[str, list[str]],
    args: argparse.Namespace,
    with_peers: bool,
    with_quality: bool,
) -> dict[str, Any]:
    result: dict[str, Any] = {"label": label, "items": len(items), "ours": {"index": index_numbers}, "peers": {}}
    peers = all_peers() if with_peers else []
    if label != "sample corpus" and len(items) > args.slow_peer_max_size:
        result["peers_left_out"] = [peer.label for peer in peers if peer.builds_slowly]
        peers = [peer for peer in peers if not peer.builds_slowly]
    _say(f"  {label}: spørringer mot Rapportsøk …")
    result["ours"]["latency"] = _ours_latency(index_dir, query_sets)
    _say(f"  {label}: kalde spørringer (ny prosess per sett) …")
    result["ours"]["cold"] = {name: cold.measure_cold(index_dir, qs) for name, qs in query_sets.items()}
    if with_quality:
        result["ours"]["quality"] = quality.ours(index_dir)
    if http_load.wrk_available():
        _say(f"  {label}: HTTP-last med wrk …")
        result["ours"]["http"] = http_load.measure(
            index_dir, corpus_dir, query_sets, seconds=args.http_seconds, connections=8
        )
        _say(f"  {label}: HTTP-last med wrk, 2 tjenerprosesser …")
        result["ours"]["http_2"] = http_load.measure(
            index_dir, corpus_dir, query_sets, seconds=args.http_seconds, connections=8, workers=2
        )
    for engine in peers:
        _say(f"  {label}: {engine.label} …")
        numbers: dict[str, Any] = {"label": engine.label, "index": timed_build(engine, items, index_dir.parent / "peers")}
        numbers["latency"] = {
            name: queries.measure_latency(partial(engine.search, k=10), qs) for name, qs in query_sets.items()
        }
        if with_quality:
            numbers["quality"] = quality.peer(engine, items)
        engine.close()
        result["peers"][engine.name] = numbers
        gc.collect()
    return result


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.render_only:
        results = json.loads((args.out / RESULTS_JSON.name).read_text(encoding="utf-8"))
        (args.out / RESULTS_MD.name).write_text(report.render(results), encoding="utf-8")
        _say(f"Skrev {args.out / RESULTS_MD.name} fra {args.out / RESULTS_JSON.name}")
        return 0
    if args.extraction_quality_only:
        results = json.loads((args.out / RESULTS_JSON.name).read_text(encoding="utf-8"))
        _say("1b. Uttrekkskvalitet (extraction quality) …")
        results["extraction_quality"] = extraction_quality.run()
        (args.out / RESULTS_JSON.name).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n",
                                                  encoding="utf-8")
        (args.out / RESULTS_MD.name).write_text(report.render(results), encoding="utf-8")
        _say(f"Skrev uttrekkskvaliteten inn i {args.out / RESULTS_MD.name}")
        return 0
    work = GENERATED_DIR / ("quick" if args.quick else "full")
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine.describe(), "quick": args.quick, "settings": {
        "sizes": args.sizes, "peer_max_size": args.peer_max_size, "slow_peer_max_size": args.slow_peer_max_size,
        "http_seconds": args.http_seconds,
        "sampled_queries_per_length": args.sampled, "reindex_files": args.reindex_files,
    }}
    workers = os.cpu_count() or 1

    _say("1. Uttrekk (extraction) …")
    sets = {"sample corpus": corpus_pdfs()}
    if not args.quick:
        sets["realpdfs/no"] = real_pdfs()
    rows = extraction.run(sets, workers, *((1, 1) if args.quick else (extraction.MIN_RUNS, extraction.MAX_RUNS)))
    results["extraction"] = {"rows": rows, "summary": extraction.summarize(rows), "realpdfs_found": bool(real_pdfs())}
    _say("1b. Uttrekkskvalitet (extraction quality) …")
    results["extraction_quality"] = extraction_quality.run()

    pool = scaled.sentence_pool(scaled.load_real_documents())
    query_sets = _query_sets(args, pool.sentences)
    results["query_sets"] = {name: {"count": len(qs), "examples": qs[:5]} for name, qs in query_sets.items()}

    _say("2–4. Indeksering, spørringer og kvalitet: eksempelkorpuset …")
    sample_index = work / "index-sample"
    sample_numbers = indexing.build_index(CORPUS_DIR, sample_index)
    sizes = [
        _bench_size("sample corpus", CORPUS_DIR, _items_in_index(sample_index), sample_numbers, sample_index,
                    query_sets, args, with_peers=True, with_quality=True)
    ]
    for size in args.sizes:
        _say(f"2–3. Skalert korpus med {size:,} funn og avsnitt …")
        corpus = scaled.write_scaled_corpus(size, pool)
        index_dir = work / f"index-{size}"
        numbers = indexing.build_index(corpus, index_dir, extractor=scaled.read_stand_in)
        items = list(items_from_documents(scaled.read_stand_in(p) for p in sorted(corpus.glob("*.pdf"))))
        sizes.append(_bench_size(f"{size:,} items".replace(",", " "), corpus, items, numbers, index_dir,
                                 query_sets, args, with_peers=size <= args.peer_max_size, with_quality=False))
        del items
        gc.collect()
    results["sizes"] = sizes

    _say(f"2. Re-indeksering av {args.reindex_files} uendrede PDF-er …")
    pdfs = corpus_pdfs() + ([] if args.quick else real_pdfs())
    copies = indexing.copies_corpus(pdfs, args.reindex_files)
    reindex_dir = work / "index-copies"
    results["reindex"] = {
        "first_build": indexing.build_index(copies, reindex_dir),
        "unchanged": indexing.unchanged_reindex(copies, reindex_dir),
    }
    shutil.rmtree(copies, ignore_errors=True)

    results["total_seconds"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / RESULTS_JSON.name).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (args.out / RESULTS_MD.name).write_text(report.render(results), encoding="utf-8")
    _say(f"Ferdig på {results['total_seconds']:.0f} s: {args.out / RESULTS_MD.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
