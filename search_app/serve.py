"""``rapportsok serve``: build the index if there is none, then serve the app with waitress.

waitress is a production WSGI server with a thread pool; Flask's own
development server is never used here.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import waitress

from indexer import CorpusNotFoundError, Engine, ExitCode, IndexProgress, render_summary, update_index
from search_app.app import create_app

# Searching is CPU work in Python: more threads than cores only take turns at the
# GIL. At 100,000 items under 8 concurrent clients, 2 threads answered 1.4-2x the
# requests of 8 with a third of the p99 (bench/http_load.py); waitress's own loop
# still reads and writes every connection, so a slow client holds no thread.
THREADS = 2
# How often the server looks for a new commit to prepare before anyone searches it.
WARM_INTERVAL_S = 2.0


def _configure_logging() -> None:
    # Request lines (rapportsok.requests) and errors go to stderr.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


def _stop_on_sigterm() -> None:
    """Let SIGTERM end the server the way Ctrl+C does (waitress closes its threads)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(ExitCode.OK)

    signal.signal(signal.SIGTERM, stop)


def ensure_index(index_dir: Path, corpus_dir: Path) -> bool:
    """Build the index from ``corpus_dir`` if ``index_dir`` has none. False if nothing could be indexed."""
    if Engine(index_dir).health().exists:
        return True
    print(f"Fant ingen indeks i {index_dir}; bygger den fra {corpus_dir} …", file=sys.stderr, flush=True)
    # wait=True: if another process is building it right now, use its result.
    summary = update_index(corpus_dir, index_dir, wait=True, progress=IndexProgress(stream=sys.stderr))
    print(render_summary(summary), file=sys.stderr, flush=True)
    return summary.indexed_sources > 0


def keep_warm(index_dir: Path, stop: threading.Event, interval: float = WARM_INTERVAL_S) -> None:
    """Prepare each new commit of the index in the background (seconds of work
    at 100,000 items), so no user's search waits for it."""
    log = logging.getLogger("rapportsok.warm")
    engine = Engine(index_dir)
    while not stop.is_set():
        try:
            engine.warm()
        except Exception:  # a half-replaced index folder: try again next round
            log.debug("could not prepare the index yet", exc_info=True)
        stop.wait(interval)
    engine.close()


def display_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def run_serve_command(args: argparse.Namespace) -> int:
    index_dir, corpus_dir = Path(args.index_dir), Path(args.corpus)
    try:
        if not ensure_index(index_dir, corpus_dir):
            print(f"Ingen PDF-er kunne indekseres fra {corpus_dir}; starter ikke.", file=sys.stderr)
            return ExitCode.FAILED
    except CorpusNotFoundError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("Avbrutt.", file=sys.stderr)
        return ExitCode.FAILED

    app = create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus_dir})
    _configure_logging()
    _stop_on_sigterm()
    try:
        server = waitress.create_server(app, host=args.host, port=args.port, threads=THREADS)
    except OSError as exc:
        print(f"Kan ikke lytte på {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.FAILED
    # The same two steps as waitress.serve, split so a busy port is a message, not a traceback.
    port = getattr(server, "effective_port", args.port)
    print(f"Rapportsøk kjører på {display_url(args.host, port)}  (Ctrl+C stopper)", flush=True)
    stop_warming = threading.Event()
    threading.Thread(target=keep_warm, args=(index_dir, stop_warming), name="rapportsok-warm", daemon=True).start()
    try:
        server.run()
    finally:
        stop_warming.set()
    print("Rapportsøk er stoppet.", flush=True)
    return ExitCode.OK
