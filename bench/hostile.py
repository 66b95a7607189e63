"""A hostile run against ``rapportsok serve``: what one client or an unlucky operator can do.

    python -m bench.hostile [--repo PATH] [--json]

Runs the server of ``--repo`` (default: this checkout, so an older checkout can be
measured the same way) over a copy of the bundled corpus plus one report whose title
and finding start a spreadsheet formula, and tries, as separate clients would:
parameter fuzz, amplifying filters (alone and eight at once), an overlong query,
invalid UTF-8, a forged ``Host``, held and trickled connections, and the broken
states: a first build killed part-way, an index file cut in half, a PDF replaced by
a corrupt copy. Prints the counts: requests, 5xx answers, the slowest and the largest
response, the connections still held after the server's timeout, and what each
broken state gave.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from bench.paths import CORPUS_DIR, REPO_DIR

HALF_REQUEST = b"GET /api/search?q=bolig HTTP/1.1\r\nHost: 127.0.0.1\r\n"
# More than waitress's default limit of 100 per worker, for two workers.
HELD_CONNECTIONS = 250
# After this long every held connection should be gone (the server's timeout is 10 s).
HOLD_WAIT_S = 16
AMPLIFIERS_AT_ONCE = 8
FUZZ_REQUESTS = 400
REQUEST_TIMEOUT_S = 60
PROBE_WORD = "tolkeregister"
FORMULA_TITLE = "=HYPERLINK(\"http://evil.example.com\",\"Klikk\") fjordbruk"


@dataclass
class Tally:
    requests: int = 0
    server_errors: int = 0
    failures: int = 0  # no answer at all (timeout, reset)
    slowest_s: float = 0.0
    slowest: str = ""
    largest_bytes: int = 0
    largest: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, label: str, status: int | None, size: int, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            if status is None:
                self.failures += 1
            elif status >= 500:
                self.server_errors += 1
            if seconds > self.slowest_s:
                self.slowest_s, self.slowest = seconds, label
            if size > self.largest_bytes:
                self.largest_bytes, self.largest = size, label


def fetch(tally: Tally, base: str, path: str, headers: dict[str, str] | None = None,
          label: str | None = None) -> tuple[int | None, bytes, dict[str, str]]:
    request = urllib.request.Request(base + path, headers=headers or {})
    started = time.monotonic()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=REQUEST_TIMEOUT_S) as response:
            status, body, got = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            status, body, got = exc.code, exc.read(), dict(exc.headers)
    except OSError:
        status, body, got = None, b"", {}
    tally.note(label or path[:80], status, len(body), time.monotonic() - started)
    return status, body, got


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(repo: Path, *args: str, log: Path, wait: bool = True) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    with log.open("a") as out:
        process = subprocess.Popen([sys.executable, "-m", "search_app", *args], cwd=repo, env=env,
                                   stdout=out, stderr=subprocess.STDOUT, text=True)
    if wait:
        process.wait()
    return process


def start_server(repo: Path, index_dir: Path, corpus: Path, log: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = run_cli(repo, "serve", "--port", str(port), "--index-dir", str(index_dir), "--corpus", str(corpus),
                      *extra, log=log, wait=False)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(base + "/api/openapi.json", timeout=5):
                return process, base
        except OSError:
            time.sleep(0.3)
    return process, ""


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def make_corpus(folder: Path) -> Path:
    shutil.copytree(CORPUS_DIR, folder, ignore=shutil.ignore_patterns("*.py", "source", "*.md"))
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(folder / "formel.pdf"), pagesize=A4)
    for y, text, font in [(780, FORMULA_TITLE, 18), (740, "Hovedfunn", 14), (714, "- =1+2 fjordbruk gir svar.", 11),
                          (680, "Bakgrunn", 14), (654, "Fjordbruk er tema for denne rapporten.", 11)]:
        pdf.setFont("Helvetica-Bold" if font > 11 else "Helvetica", font)
        pdf.drawString(60, y, text)
    pdf.showPage()
    pdf.save()
    return folder


# --- the client side ---------------------------------------------------------------------------------------


def fuzz_paths(seed: int) -> list[str]:
    chance = random.Random(seed)
    pieces = ["bolig", "%FF", "%C3", "%00", "(" * 50, "*", "-", "\"", "tema:", "år:2019-", "å" * 30, "%E2%80%AE"]
    names = ["q", "theme", "contractor", "year", "year_from", "year_to", "kind", "sort", "page", "size", "group"]
    paths = []
    for _ in range(FUZZ_REQUESTS):
        pairs = [(chance.choice(names), "".join(chance.choice(pieces) for _ in range(chance.randint(0, 4))))
                 for _ in range(chance.randint(1, 6))]
        # Percent-encoded except the escapes written above, which stay as sent.
        query = "&".join(f"{name}={quote(value, safe='%')}" for name, value in pairs)
        paths.append(chance.choice(["/api/search", "/"]) + "?" + query)
    return paths


def amplifier(values: int, length: int) -> str:
    pairs = [("q", PROBE_WORD)] + [(facet, f"{facet}-{n}-".ljust(length, "x"))
                                   for facet in ("theme", "contractor") for n in range(values)]
    return "/?" + urlencode(pairs)


def time_normal_search(tally: Tally, base: str) -> float:
    started = time.monotonic()
    fetch(tally, base, f"/api/search?q={PROBE_WORD}", label="normal search")
    return round(time.monotonic() - started, 3)


def client_side(repo: Path, root: Path, corpus: Path, index_dir: Path) -> dict[str, Any]:
    tally = Tally()
    log = root / "server.log"
    server, base = start_server(repo, index_dir, corpus, log, "--workers", "2")
    if not base:
        return {"error": f"serve did not start: {log.read_text()[-2000:]}"}
    out: dict[str, Any] = {}
    try:
        out["normal_search_s"] = time_normal_search(tally, base)
        for path in fuzz_paths(18):
            fetch(tally, base, path, label="fuzz " + path[:60])

        # Amplification: the request the issue measured (50 values of 280 characters in two
        # facets), then within today's caps, alone and eight at once with a normal search beside.
        for label, path in [("amplifier 2x50x280", amplifier(50, 280)), ("amplifier 2x10x150", amplifier(10, 150))]:
            status, body, _ = fetch(tally, base, path, label=label)
            out[label] = {"status": status, "bytes": len(body)}
        threads = [threading.Thread(target=fetch, args=(tally, base, amplifier(50, 280)),
                                    kwargs={"label": "amplifier x8"}) for _ in range(AMPLIFIERS_AT_ONCE)]
        for thread in threads:
            thread.start()
        out["normal_search_during_8_amplifiers_s"] = time_normal_search(tally, base)
        for thread in threads:
            thread.join()
        status, body, _ = fetch(tally, base, "/?" + urlencode([("q", "å" * 100_000)]), label="q of 100,000 å")
        out["query_100k"] = {"status": status, "bytes": len(body)}
        out["invalid_utf8_status"] = fetch(tally, base, "/api/search?q=%FF%FEbolig")[0]
        out["year_from_after_year_to_status"] = fetch(tally, base, "/api/search?q=bolig&year_from=2021&year_to=2019")[0]
        out["empty_group_status"] = fetch(tally, base, "/api/search?q=bolig&group=")[0]

        forged = {"Host": "evil.example.com"}
        _, export, _ = fetch(tally, base, "/eksport.csv?q=fjordbruk", headers=forged, label="export, forged Host")
        rows = list(csv.DictReader(io.StringIO(export.decode("utf-8-sig", "replace"))))
        out["export_rows"] = len(rows)
        out["export_links_to_forged_host"] = sum("evil.example.com" in row.get("url", "") for row in rows)
        out["export_formula_cells"] = sum(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values()
                                          if cell)
        _, _, headers = fetch(tally, base, "/rapport//x", headers=forged, label="redirect, forged Host")
        out["redirect_location"] = headers.get("Location")

        # Held connections: half a request each, then one that trickles a byte a second.
        held = []
        for _ in range(HELD_CONNECTIONS):
            try:
                sock = socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=5)
                sock.sendall(HALF_REQUEST)
                held.append(sock)
            except OSError:
                break
        out["connections_opened"] = len(held)
        out["normal_search_while_held_s"] = time_normal_search(tally, base)
        trickler = held[-1]
        deadline = time.monotonic() + HOLD_WAIT_S
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                trickler.send(b"X")
            time.sleep(1)
        out[f"connections_held_after_{HOLD_WAIT_S}s"] = sum(_still_open(sock) for sock in held)
        for sock in held:
            sock.close()
        out["normal_search_after_held_s"] = time_normal_search(tally, base)
    finally:
        stop(server)
    out["requests"] = tally.requests
    out["5xx"] = tally.server_errors
    out["no_answer"] = tally.failures
    out["slowest"] = {"seconds": round(tally.slowest_s, 3), "request": tally.slowest}
    out["largest"] = {"bytes": tally.largest_bytes, "request": tally.largest}
    return out


def _still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


# --- the operator side: broken states -------------------------------------------------------------------------


def health_of(base: str) -> dict[str, Any]:
    tally = Tally()
    status, body, _ = fetch(tally, base, "/api/health")
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    return {"http": status, "status": data.get("status"), "reason": data.get("reason"),
            "documents": data.get("documents"), "stale_files": data.get("stale_files")}


def killed_first_build(repo: Path, root: Path, corpus: Path) -> dict[str, Any]:
    index_dir = root / "killed"
    log = root / "killed.log"
    process = run_cli(repo, "index", str(corpus), "--index-dir", str(index_dir), "--workers", "1", log=log, wait=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "Sjekker" not in (log.read_text() if log.exists() else ""):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    server, base = start_server(repo, index_dir, corpus, root / "killed-serve.log", "--workers", "1")
    try:
        if not base:
            return {"serve": "refused", "message": (root / "killed-serve.log").read_text()[-300:]}
        # Wait until it answers as healthy or a while has passed.
        for _ in range(60):
            health = health_of(base)
            if health["http"] == 200:
                break
            time.sleep(1)
        return {"serve": "started", "rebuilt": "ble ikke fullført" in (root / "killed-serve.log").read_text()
                or health.get("documents", 0) > 0, "health": health}
    finally:
        stop(server)


def cut_index_file(repo: Path, root: Path, corpus: Path, index_dir: Path) -> dict[str, Any]:
    """An index file cut in half under a running server, then the server started again on it."""
    results = {}
    for suffix in ("._stored.col", ".trm"):
        copy = root / f"cut{suffix}"
        shutil.copytree(index_dir, copy)
        log = root / f"cut{suffix}.log"
        server, base = start_server(repo, copy, corpus, log, "--workers", "1")
        try:
            target = next(path for path in copy.iterdir() if path.name.endswith(suffix))
            data = target.read_bytes()
            target.write_bytes(data[: len(data) // 2])
            tally = Tally()
            search = fetch(tally, base, f"/api/search?q={PROBE_WORD}")[0]
            page_status, _, headers = fetch(tally, base, f"/?q={PROBE_WORD}")
            running = {"search": search, "health": health_of(base), "page": page_status,
                       "page_type": headers.get("Content-Type", "")}
        finally:
            stop(server)
        server, base = start_server(repo, copy, corpus, log, "--workers", "1")
        try:
            restart = ({"serve": "started", "health": health_of(base)} if base else
                       {"serve": "refused", "message": log.read_text().strip().splitlines()[-1][:200]})
        finally:
            stop(server)
        results[suffix] = {"while_running": running, "on_restart": restart}
    return results


def corrupt_replacement(repo: Path, root: Path, corpus: Path) -> dict[str, Any]:
    folder = root / "corrupt-corpus"
    shutil.copytree(corpus, folder)
    index_dir = root / "corrupt-index"
    run_cli(repo, "index", str(folder), "--index-dir", str(index_dir), "--workers", "2", log=root / "corrupt.log")
    victim = next(path for path in sorted(folder.iterdir()) if path.suffix.lower() == ".pdf" and path.name != "formel.pdf")
    victim.write_bytes(victim.read_bytes()[:400])
    run_cli(repo, "index", str(folder), "--index-dir", str(index_dir), "--workers", "2", log=root / "corrupt.log")
    server, base = start_server(repo, index_dir, folder, root / "corrupt-serve.log", "--workers", "1")
    try:
        tally = Tally()
        _, body, _ = fetch(tally, base, "/api/reports")
        reports = [report for report in json.loads(body).get("reports", []) if report.get("source") == victim.name]
        report = json.loads(fetch(tally, base, f"/api/reports/{quote(reports[0]['id'])}")[1]) if reports else {}
        return {"file": victim.name, "reports_still_found": len(reports), "report_flagged_stale": "stale" in report,
                "health_stale_files": [entry["file"] for entry in health_of(base).get("stale_files") or []]}
    finally:
        stop(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO_DIR, help="the checkout whose server is run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    with tempfile.TemporaryDirectory(prefix="rapportsok-hostile-") as temporary:
        root = Path(temporary)
        corpus = make_corpus(root / "corpus")
        index_dir = root / "index"
        run_cli(repo, "index", str(corpus), "--index-dir", str(index_dir), "--workers", "2", log=root / "index.log")
        result = {
            "clients": client_side(repo, root, corpus, index_dir),
            "killed_first_build": killed_first_build(repo, root, corpus),
            "index_file_cut_in_half": cut_index_file(repo, root, corpus, index_dir),
            "pdf_replaced_by_corrupt_copy": corrupt_replacement(repo, root, corpus),
        }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
