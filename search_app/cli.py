"""The ``rapportsok`` command: one entry point, one subcommand per job.

The work is the engine's or the web app's; this file parses arguments and
prints. Each command imports what it uses when it runs, so ``rapportsok
extract`` loads neither the search engine nor Flask.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import DEFAULT_CORPUS, DEFAULT_INDEX_DIR, ExitCode
from search_app.urls import PUBLIC_URL_ENV

if TYPE_CHECKING:
    from indexer import SearchResponse


def _cmd_extract(args: argparse.Namespace) -> int:
    from indexer import extract_file

    path = Path(args.file)
    if not path.is_file():
        error = {"file": str(path), "code": "not_found", "reason": "fila finnes ikke"}
        json.dump({"error": error}, sys.stderr, ensure_ascii=False)
        sys.stderr.write("\n")
        return 2
    # The same bounded worker the index uses: a file that hangs or explodes is
    # stopped and reported, never left running.
    result = extract_file(path, timeout_s=args.timeout)
    failure = result.failure
    if failure is not None:
        error = {"file": str(path), "code": failure.code, "reason": failure.reason}
        json.dump({"error": error}, sys.stderr, ensure_ascii=False)
        sys.stderr.write("\n")
        return 2
    document = result.document
    assert document is not None, "a result without a failure carries its document"
    document.source = str(args.file)
    json.dump(document.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    from indexer import run_index_command

    return run_index_command(args)


def _terminal_text(snippet: str, emphasis: bool) -> str:
    start, end = ("\x1b[1m", "\x1b[0m") if emphasis else ("", "")
    return html.unescape(snippet.replace("<mark>", start).replace("</mark>", end))


def format_hits(response: SearchResponse, emphasis: bool = False) -> str:
    """Hits as text for a terminal; ``emphasis`` makes the matched words bold."""
    lines = [f"{response.total} treff for «{response.query}» ({response.took_ms:.0f} ms)"]
    if response.suggestion:
        lines.append(f"Viser treff for «{response.suggestion}».")
    first = (response.page - 1) * response.size
    for number, hit in enumerate(response.results, start=first + 1):
        kind = "funn" if hit.kind == "finding" else "tekst"
        where = " · ".join(
            part
            for part in (
                hit.section,
                f"s. {hit.page}" if hit.page else None,
                ", ".join(hit.report.contractors) or None,
                str(hit.report.year) if hit.report.year else None,
            )
            if part
        )
        lines.append("")
        lines.append(f"{number}. {hit.report.title} [{kind}]")
        if where:
            lines.append(f"   {where}")
        lines.append(f"   {_terminal_text(hit.highlight, emphasis)}")
    return "\n".join(lines)


def _cmd_search(args: argparse.Namespace) -> int:
    from indexer import Engine, IndexNotFoundError, QueryError, SearchRequest
    from search_app.urls import pdf_url

    try:
        response = Engine(args.index_dir).search(SearchRequest(args.query, size=args.limit))
    except IndexNotFoundError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.USAGE
    except QueryError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.FAILED
    if args.json:
        # The same object as /api/search, links included.
        json.dump(response.to_dict(pdf_url), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(format_hits(response, emphasis=sys.stdout.isatty()))
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from indexer import run_eval_command

    return run_eval_command(args)


def _cmd_eval_extraction(args: argparse.Namespace) -> int:
    from indexer import run_extraction_eval_command

    return run_extraction_eval_command(args)


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
    p.add_argument(
        "--set", dest="judgment_set", choices=("dev", "test", "all"), default="all",
        help="which shipped relevance set to evaluate: dev (may be tuned on), test (never tuned on) or all (default)",
    )
    p.add_argument("--judgments", type=Path, default=None, help="evaluate one judgments file instead of the shipped sets")
    p.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser(
        "eval-extraction",
        help="extraction evaluation against gold files: findings P/R/F1, metadata, chapters, words lost, pages/s",
    )
    p.add_argument("--gold", type=Path, action="append", metavar="DIR",
                   help="a folder of gold files (*.json), or one gold file; may be repeated")
    p.add_argument("--pdfs", type=Path, action="append", metavar="DIR",
                   help="a folder the gold files' PDFs are under (matched by 'source' or sha256); "
                        "without --gold, every PDF under it is checked for words lost; may be repeated")
    p.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    p.set_defaults(func=_cmd_eval_extraction)

    p = sub.add_parser("serve", help="serve the search page and JSON API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--index-dir", type=Path, default=DEFAULT_INDEX_DIR)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="server processes over the same index (default: one per core)")
    p.add_argument("--connection-limit", type=int, default=None, metavar="N",
                   help="open connections accepted in all (default: 500 per worker)")
    p.add_argument("--request-timeout", type=float, default=None, metavar="S",
                   help="seconds a connection may stay silent, and a request has to arrive whole (default 10)")
    p.add_argument("--public-url", default=os.environ.get(PUBLIC_URL_ENV), metavar="URL",
                   help="the site's public address, for links in exports and redirects "
                        "(default: $RAPPORTSOK_PUBLIC_URL; without it, links are relative)")
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
