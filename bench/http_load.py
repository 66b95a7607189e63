"""Workload 3b: requests per second and latency over HTTP, with wrk against `rapportsok serve`.

The server runs as the operator would run it (waitress, its own process) on
127.0.0.1; wrk cycles through the query URLs for a fixed time. The server's
resident memory is read from /proc after the run.
"""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.paths import REPO_DIR

WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter])
end
"""
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
LATENCY_LINE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.M)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _memory_kib(pid: int) -> dict[str, float]:
    """Memory of the server, its process and its worker processes together: the
    proportional set size (a page shared by n processes, such as the mapped snapshot or
    the language data loaded before forking, counts 1/n in each) and the sum of each
    process's resident peak (an upper bound)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(child) for child in (task / "children").read_text().split()]
    pss = peak = 0
    for number in pids:
        try:
            status = Path(f"/proc/{number}/status").read_text()
            rollup = Path(f"/proc/{number}/smaps_rollup").read_text()
        except OSError:  # a worker that just ended
            continue
        peak += int(dict(re.findall(r"^(VmHWM):\s+(\d+) kB", status, re.M)).get("VmHWM", 0))
        found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        pss += int(found.group(1)) if found else 0
    return {"rss_mb": pss / 1024, "peak_rss_mb": peak / 1024, "processes": len(pids)}


class Server:
    """`rapportsok serve` in a child process, stopped with SIGTERM."""

    def __init__(self, index_dir: Path, corpus_dir: Path, workers: int = 1, first_path: str = "/api/health"):
        """Started, and waited for until ``first_path`` answers; :attr:`first_answer_s` is
        how long that took from the start of the process."""
        self.port = _free_port()
        # One process unless asked: its memory is then the server's whole memory.
        command = [
            sys.executable, "-m", "search_app", "serve", "--port", str(self.port),
            "--index-dir", str(index_dir), "--corpus", str(corpus_dir), "--workers", str(workers),
        ]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while the server runs, closed in stop()
        started = time.monotonic()
        self.process = subprocess.Popen(command, cwd=REPO_DIR, stdout=self.log, stderr=self.log)
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_until_up(first_path)
        self.first_answer_s = time.monotonic() - started

    def _wait_until_up(self, path: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited: {self.log.read()[-2000:].decode(errors='replace')}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as response:
                    json.load(response)
                    return
            except OSError:
                time.sleep(0.02)  # refused until the socket listens: asked again at once
        raise RuntimeError(f"server did not answer {path} in time")

    def get(self, path: str) -> None:
        with urllib.request.urlopen(self.base + path, timeout=60) as response:
            response.read()

    def memory(self) -> dict[str, float]:
        return _memory_kib(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def search_paths(queries: list[str]) -> list[str]:
    return ["/api/search?" + urlencode({"q": q, "size": 10}) for q in queries]


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(server: Server, paths: list[str], seconds: int, connections: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(_lua_string(p) for p in paths))
    command = [
        "wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
        "--timeout", "10s", "-s", script.name, server.base,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    Path(script.name).unlink()
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> dict[str, Any]:
    latencies = {f"p{p}_ms": float(v) * UNITS_MS[u] for p, v, u in LATENCY_LINE.findall(output)}
    requests = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(requests.group(1)) if requests else 0,
        "requests_per_s": float(rate.group(1)) if rate else 0.0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        **latencies,
    }


def measure(index_dir: Path, corpus_dir: Path, query_sets: dict[str, list[str]], seconds: int, connections: int,
            workers: int = 1) -> dict[str, Any]:
    """wrk against one server of ``workers`` processes, one run per query set, and the
    server's memory after them."""
    first_set = next(iter(query_sets.values()), [])
    server = Server(index_dir, corpus_dir, workers, first_path=search_paths(first_set)[0] if first_set else "/api/health")
    try:
        memory_idle = server.memory()
        runs = {}
        for name, queries in query_sets.items():
            paths = search_paths(queries)
            for path in paths[:5]:  # warm the searcher and the lexicon before timing
                server.get(path)
            runs[name] = run_wrk(server, paths, seconds, connections)
        return {"connections": connections, "seconds": seconds, "workers": workers,
                "first_answer_s": server.first_answer_s, "idle": memory_idle,
                "after": server.memory(), "runs": runs}
    finally:
        server.stop()
