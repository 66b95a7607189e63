"""``rapportsok serve``: build the index if there is none, then serve the app with waitress.

waitress is a production WSGI server with a thread pool; Flask's own
development server is never used here. Searching is CPU work in Python, so one
process uses one core: ``--workers N`` (by default one per core) binds the port
once and forks N server processes that accept on it in turn. They map the same
serving snapshot (one copy in the page cache), and each moves to a new commit on
its own at its next search, so a re-index causes no failed request. The parent
only watches: it restarts a worker that dies and stops them all on SIGTERM or
Ctrl+C.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import waitress

from indexer import CorpusNotFoundError, Engine, ExitCode, IndexProgress, preload_language, render_summary, update_index
from search_app.app import create_app

# Searching is CPU work in Python: more threads than cores only take turns at the
# GIL. At 100,000 items under 8 concurrent clients, 2 threads answered 1.4-2x the
# requests of 8 with a third of the p99 (bench/http_load.py); waitress's own loop
# still reads and writes every connection, so a slow client holds no thread.
THREADS = 2
# How often the server looks for a new commit to prepare before anyone searches it.
WARM_INTERVAL_S = 2.0
# How long after start a worker loads spaCy's tokenizer in the background.
TOKENIZER_DELAY_S = 3.0
# Connections the kernel queues for the workers to accept (waitress's own default).
BACKLOG = 1024
# A worker that dies this soon after its start is not restarted again at once.
RESTART_PAUSE_S = 1.0


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


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
    tokenizer_at: float | None = time.monotonic() + TOKENIZER_DELAY_S
    while not stop.is_set():
        try:
            engine.warm()
        except Exception:  # a half-replaced index folder: try again next round
            log.debug("could not prepare the index yet", exc_info=True)
        if tokenizer_at is not None and not stop.wait(max(0.0, tokenizer_at - time.monotonic())):
            # Only texts with more than plain words need spaCy: loaded once the first
            # searches are answered, so no later search waits for it.
            preload_language(tokenizer=True)
            tokenizer_at = None
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
    workers = max(1, args.workers if args.workers is not None else default_workers())
    try:
        if workers == 1:
            server = waitress.create_server(app, host=args.host, port=args.port, threads=THREADS)
            port = getattr(server, "effective_port", args.port)
        else:
            listening = _listening_socket(args.host, args.port)
            port = listening.getsockname()[1]
    except OSError as exc:
        print(f"Kan ikke lytte på {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.FAILED
    shown = f"{workers} prosesser" if workers > 1 else "1 prosess"
    print(f"Rapportsøk kjører på {display_url(args.host, port)} med {shown}  (Ctrl+C stopper)", flush=True)
    if workers == 1:
        _stop_on_sigterm()
        _run_worker(server, index_dir)
    else:
        _supervise(lambda: waitress.create_server(app, sockets=[listening], threads=THREADS), index_dir, workers)
        listening.close()
    print("Rapportsøk er stoppet.", flush=True)
    return ExitCode.OK


def _listening_socket(host: str, port: int) -> socket.socket:
    """The port bound once, before the workers are forked: they all accept on it."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def _run_worker(server: Any, index_dir: Path) -> None:
    """Serve until stopped, keeping each new commit warm in the background."""
    stop_warming = threading.Event()
    threading.Thread(target=keep_warm, args=(index_dir, stop_warming), name="rapportsok-warm", daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop_warming.set()


def _start_worker(make_server: Callable[[], Any], index_dir: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the worker: its own server (threads do not survive a fork) on the inherited socket
        code: int = ExitCode.OK
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the parent, which stops us
            _stop_on_sigterm()
            _run_worker(make_server(), index_dir)
        except SystemExit as exc:
            code = int(exc.code or 0)
        except BaseException:
            logging.getLogger("rapportsok.serve").exception("worker failed")
            code = ExitCode.FAILED
        finally:
            os._exit(code)
    return pid


def _supervise(make_server: Callable[[], Any], index_dir: Path, workers: int) -> None:
    """Fork ``workers`` server processes on the bound socket; restart any that dies;
    on SIGTERM or Ctrl+C stop them all and wait for them."""
    log = logging.getLogger("rapportsok.serve")
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Once here, shared by every worker forked below; spaCy's tokenizer (over half a
    # second) is left to each worker's warm thread, so a new worker answers sooner.
    preload_language(tokenizer=False)
    started = {_start_worker(make_server, index_dir): time.monotonic() for _ in range(workers)}
    while not stopping.is_set():
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            stopping.wait(0.2)
            continue
        began = started.pop(pid, time.monotonic())
        log.warning("worker %d ended (status %d); starting a new one", pid, os.waitstatus_to_exitcode(status))
        if time.monotonic() - began < RESTART_PAUSE_S:
            stopping.wait(RESTART_PAUSE_S)
        if not stopping.is_set():
            started[_start_worker(make_server, index_dir)] = time.monotonic()
    for pid in started:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in started:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
