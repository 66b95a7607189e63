"""``rapportsok serve`` on a fresh checkout: builds the index, then answers over HTTP.

This is the README's first command, run as a real process with waitress.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
STARTUP_LIMIT_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.load(exc)


def start_server(index_dir: Path, corpus: Path, port: int, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "search_app", "serve", "--port", str(port),
               "--index-dir", str(index_dir), "--corpus", str(corpus), *extra]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_until_healthy(server: subprocess.Popen, base: str) -> dict:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"server exited with {server.returncode}:\n{stop(server)}")
        try:
            status, body = fetch_json(base + "/api/health")
        except OSError:  # not listening yet
            time.sleep(0.5)
            continue
        if status == 200:
            return body
        time.sleep(0.5)
    pytest.fail(f"/api/health did not answer within {STARTUP_LIMIT_S} s")


def stop(server: subprocess.Popen) -> str:
    """Stop the server the way a service manager does (SIGTERM); its output."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        output, _ = server.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        output, _ = server.communicate()
    return output


def test_serve_builds_the_index_and_answers_searches(tmp_path, corpus_dir):
    index_dir = tmp_path / "index"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(index_dir, corpus_dir, port)
    try:
        health = wait_until_healthy(server, base)
        assert health["status"] == "ok"
        assert health["documents"] == len(list(corpus_dir.glob("*.pdf")))

        status, body = fetch_json(base + "/api/search?q=bolig")
        assert status == 200
        assert body["total"] > 0 and body["results"]

        status, body = fetch_json(base + "/api/search?size=1000")
        assert status == 400 and body["error"]["code"] == "bad_parameter"
    finally:
        output = stop(server)
    assert server.returncode == 0, output
    assert "Fant ingen indeks" in output
    assert f"http://127.0.0.1:{port}/" in output
    # One log line per request, from the app's request logger.
    assert "rapportsok.requests" in output and "path=/api/search status=200" in output


def test_serve_reuses_an_existing_index(tmp_path, corpus_dir):
    """A second start finds the index and does not rebuild it."""
    index_dir = tmp_path / "index"
    from indexer.index.build import update_index

    update_index(corpus_dir, index_dir, workers=2)
    built = (index_dir / "last_run.json").read_text(encoding="utf-8")
    port = free_port()
    server = start_server(index_dir, corpus_dir, port)
    try:
        wait_until_healthy(server, f"http://127.0.0.1:{port}")
    finally:
        output = stop(server)
    assert "Fant ingen indeks" not in output
    assert (index_dir / "last_run.json").read_text(encoding="utf-8") == built


def test_serve_reports_a_missing_corpus_folder(tmp_path):
    port = free_port()
    server = start_server(tmp_path / "index", tmp_path / "finnes-ikke", port)
    output, _ = server.communicate(timeout=60)
    assert server.returncode == 2
    assert "finnes-ikke" in output


def _children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts processes through /proc")
def test_serve_runs_worker_processes_replaces_a_dead_one_and_stops_them_all(tmp_path, corpus_dir):
    from indexer.index.build import update_index

    index_dir = tmp_path / "index"
    update_index(corpus_dir, index_dir, workers=2)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(index_dir, corpus_dir, port, "--workers", "2")
    try:
        wait_until_healthy(server, base)
        workers = _children(server.pid)
        assert len(workers) == 2
        answers = [fetch_json(base + "/api/search?q=bolig") for _ in range(10)]
        assert {status for status, _ in answers} == {200} and len({body["total"] for _, body in answers}) == 1

        os.kill(next(iter(workers)), signal.SIGKILL)  # a worker dies: another takes its place
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (len(_children(server.pid)) != 2 or _children(server.pid) == workers):
            time.sleep(0.2)
        assert len(_children(server.pid)) == 2 and _children(server.pid) != workers
        assert fetch_json(base + "/api/search?q=bolig")[0] == 200
        last_workers = _children(server.pid)
    finally:
        output = stop(server)
    assert server.returncode == 0, output
    assert "med 2 prosesser" in output
    for pid in last_workers:  # none left behind
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
