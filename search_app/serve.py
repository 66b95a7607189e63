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
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import waitress
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

from indexer import (
    CorpusNotFoundError,
    Engine,
    ExitCode,
    IndexProgress,
    index_status,
    preload_language,
    render_summary,
    update_index,
)
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

# Limits against clients that hold connections open. Waitress reads every socket in
# one loop and gives a thread only to a request that has fully arrived, so an open
# connection costs a file descriptor and a few kilobytes, not a thread: the limit can
# be far above what real clients need. At waitress's defaults (100 connections,
# 120 s of silence allowed) 120 half-sent requests locked everyone out for two minutes.
CONNECTIONS_PER_WORKER = 500
# Seconds a connection may stay silent, and the time a request has to arrive whole
# from its first byte (a client trickling a header a byte at a time is cut off too).
REQUEST_TIMEOUT_S = 10
# How often each worker looks for connections past the timeout.
CLEANUP_INTERVAL_S = 2
# Longest request line plus headers: a search URL within the parameter caps of
# search_app.params is under 25 kB even with every character percent-encoded.
MAX_REQUEST_HEADER_BYTES = 32 * 1024
# Every route is a GET: nothing needs a request body.
MAX_REQUEST_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class ServerLimits:
    """What each waitress worker allows a client (``rapportsok serve --connection-limit
    --request-timeout``; docs/deployment.md)."""

    connection_limit: int = CONNECTIONS_PER_WORKER  # per worker process
    request_timeout: float = REQUEST_TIMEOUT_S

    def waitress_options(self) -> dict[str, Any]:
        return {
            "threads": THREADS,
            "connection_limit": self.connection_limit,
            "channel_timeout": self.request_timeout,
            "cleanup_interval": min(CLEANUP_INTERVAL_S, self.request_timeout),
            "max_request_header_size": MAX_REQUEST_HEADER_BYTES,
            "max_request_body_size": MAX_REQUEST_BODY_BYTES,
            # poll(), not select(): select() stops at file descriptor 1024.
            "asyncore_use_poll": True,
        }


class DeadlineChannel(HTTPChannel):
    """A waitress channel whose unfinished request counts as silent since its first byte.

    Waitress closes a channel that has been silent for ``channel_timeout`` seconds, and
    every byte received resets that clock; here the clock of a request still arriving
    stays at its first byte, so the request must arrive whole within the timeout."""

    request_began = 0.0

    def received(self, data: bytes) -> bool:
        began = self.request_began if self.request is not None else time.time()
        result: bool = super().received(data)
        if self.request is not None:  # still arriving
            self.request_began = self.last_activity = began
        return result


def create_limited_server(app: Any, limits: ServerLimits, **listen: Any) -> Any:
    """A waitress server with ``limits``, listening as ``listen`` says (host and port, or sockets)."""
    server = waitress.create_server(app, **limits.waitress_options(), **listen)
    # One listener per address: a name like «localhost» may give several.
    for listener in [server, *getattr(server, "map", {}).values()]:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = DeadlineChannel
    return server


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


class UnreadableIndexError(Exception):
    """The index folder holds an index that cannot be opened: serving it would fail every search."""


def ensure_index(index_dir: Path, corpus_dir: Path) -> bool:
    """Build the index from ``corpus_dir`` if ``index_dir`` has none, or only the empty
    index of a first build that never finished. False if nothing could be indexed;
    :class:`UnreadableIndexError` for an index that cannot be read."""
    try:
        status = index_status(index_dir)
    except Exception as exc:
        raise UnreadableIndexError(
            f"Indeksen i {index_dir} kan ikke leses ({type(exc).__name__}: {exc}); starter ikke. "
            "Flytt eller slett mappen, så bygges indeksen på nytt ved neste start."
        ) from exc
    if status["exists"] and status["documents"]:
        return True
    if status.get("unfinished_build"):
        print(f"Den første indekseringen av {index_dir} ble ikke fullført; bygger indeksen fra {corpus_dir} …",
              file=sys.stderr, flush=True)
    elif status["exists"]:
        print(f"Indeksen i {index_dir} er tom; bygger den fra {corpus_dir} …", file=sys.stderr, flush=True)
    else:
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
    except UnreadableIndexError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.FAILED
    except KeyboardInterrupt:
        print("Avbrutt.", file=sys.stderr)
        return ExitCode.FAILED

    try:
        app = create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus_dir, "PUBLIC_BASE_URL": args.public_url})
    except ValueError as exc:  # a public address that is not one
        print(exc, file=sys.stderr)
        return ExitCode.USAGE
    _configure_logging()
    workers = max(1, args.workers if args.workers is not None else default_workers())
    limits = ServerLimits(
        connection_limit=-(-args.connection_limit // workers) if args.connection_limit else CONNECTIONS_PER_WORKER,
        request_timeout=args.request_timeout or REQUEST_TIMEOUT_S,
    )
    try:
        if workers == 1:
            server = create_limited_server(app, limits, host=args.host, port=args.port)
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
        _supervise(lambda: create_limited_server(app, limits, sockets=[listening]), index_dir, workers)
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
