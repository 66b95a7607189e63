"""The ``rapportsok`` command: one entry point, one subcommand per job.

Each subcommand's work lives in the module that owns it; this file only parses
arguments and imports lazily so ``rapportsok extract`` does not pay for Flask.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexer.config import DEFAULT_CORPUS, DEFAULT_INDEX_DIR


def _cmd_extract(args: argparse.Namespace) -> int:
    # The same bounded worker the index uses: a file that hangs or explodes is
    # stopped and reported, never left running.
    from indexer.extract.workers import ExtractionJob, ExtractionLimits, default_extractor, extract_in_workers
    from indexer.extract.pipeline import file_sha256

    path = Path(args.file)
    if not path.is_file():
        error = {"file": str(path), "code": "not_found", "reason": "fila finnes ikke"}
        json.dump({"error": error}, sys.stderr, ensure_ascii=False)
        sys.stderr.write("\n")
        return 2
    job = ExtractionJob(source=str(path), path=path, sha256=file_sha256(path))
    limits = ExtractionLimits.resolve(timeout_s=args.timeout)
    result = next(extract_in_workers([job], workers=1, limits=limits, extractor=default_extractor()))
    if result.document is None:
        failure = result.failure
        error = {"file": str(path), "code": failure.code, "reason": failure.reason}
        json.dump({"error": error}, sys.stderr, ensure_ascii=False)
        sys.stderr.write("\n")
        return 2
    document = result.document
    document.source = str(args.file)
    json.dump(document.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    from indexer.index.build import run_index_command

    return run_index_command(args)


def _cmd_search(args: argparse.Namespace) -> int:
    from indexer.search.engine import run_search_command

    return run_search_command(args)


def _cmd_eval(args: argparse.Namespace) -> int:
    from indexer.evaluation.relevance import run_eval_command

    return run_eval_command(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    from search_app.serve import run_serve_command

    return run_serve_command(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rapportsok",
        description="Rapportsøk: søk i hovedfunn og tekst i norske forskningsrapporter.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract one PDF to JSON on stdout")
    p.add_argument("file", type=Path)
    p.add_argument("--timeout", type=float, default=None, help="seconds allowed for the file (default 120)")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("index", help="build or update the search index from a folder of PDFs")
    p.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX_DIR)
    p.add_argument("--workers", type=int, default=None, help="extraction processes (default: CPU cores)")
    p.add_argument("--strict", action="store_true", help="exit non-zero if any file could not be indexed")
    p.add_argument("--wait", action="store_true", help="wait for another running index job instead of exiting")
    p.set_defaults(func=_cmd_index)

    p = sub.add_parser("search", help="search the index from the terminal")
    p.add_argument("query")
    p.add_argument("--json", action="store_true", help="print the same JSON object as /api/search")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX_DIR)
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("eval", help="relevance evaluation: nDCG@10, MRR, recall@10")
    p.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX_DIR)
    p.add_argument("--judgments", type=Path, default=None)
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("serve", help="serve the search page and JSON API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX_DIR)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
