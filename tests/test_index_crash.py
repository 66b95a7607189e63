"""``kill -9`` of a running ``rapportsok index`` leaves the previous index whole.

The kill lands after the run has started writing (it waits for the first
"indeksert" log lines). Readers must then see exactly the previous results,
the write lock must be free, no worker may outlive the indexer, and the next
run must finish the work and clear away what the killed run left behind.
"""
from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.index.build import IndexLockedError, update_index
from indexer.index.summary import IndexSummary
from indexer.search.engine import close_searchers, search

from test_indexing import build_corpus, hit_texts, make_report_pdf

REPO = Path(__file__).resolve().parent.parent
NEW_WORD = "flyttemønster"
INDEXED_LINE = re.compile(r"^\[(\d+)/(\d+)\] ")


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()


def add_new_reports(corpus: Path, count: int, pages: int = 8) -> None:
    for number in range(count):
        make_report_pdf(
            corpus / "nye" / f"rapport-{number:03d}.pdf",
            f"Bosetting og {NEW_WORD} i region {number}",
            [f"Flyktninger i region {number} flytter sjeldnere enn før.", f"Et tydelig {NEW_WORD} over tid."],
            [f"Kapittelet beskriver {NEW_WORD} og sysselsetting i region {number}."] * 6,
            pages=pages,
        )


def start_index(corpus: Path, index_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(
        [sys.executable, "-m", "search_app", "index", str(corpus), "--index-dir", str(index_dir), "--workers", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when(process: subprocess.Popen, ready, extra_delay: float = 0.0) -> None:
    """SIGKILL the run once a log line satisfies ``ready`` (plus a delay)."""
    deadline = time.monotonic() + 60
    for line in process.stderr:
        if ready(line):
            break
        assert time.monotonic() < deadline, "the index run never got going"
    else:
        pytest.fail("the index run ended before the moment to kill it")
    time.sleep(extra_delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()


def after_files(count: int):
    """The log line of the ``count``-th file added to the writer."""

    def ready(line: str) -> bool:
        match = INDEXED_LINE.match(line)
        return bool(match) and int(match.group(1)) >= count

    return ready


def while_committing(line: str) -> bool:
    return line.startswith("Lagrer indeksen")


def processes_using(path: Path) -> list[int]:
    """Live processes whose command line mentions ``path`` (the indexer and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().split(")")[-1].split()[0]
            except OSError:
                continue
            if str(path).encode() in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


def rerun_after_kill(corpus: Path, index_dir: Path) -> IndexSummary:
    """The next run, as an operator would start it after a kill. A killed process gives up
    its write lock only when it has finished exiting, which can be a moment after its command
    line is gone from /proc (the check above), so a lock still held is tried again briefly."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return update_index(corpus, index_dir, workers=2)
        except IndexLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def snapshot(index_dir: Path) -> dict[str, list[str]]:
    return {query: hit_texts(index_dir, query) for query in ("tolkeregister", "barnefattigdom", NEW_WORD)}


def indexed_reports(index_dir: Path) -> int:
    return len(search(index_dir, NEW_WORD, kinds=("report",), size=100).results)


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path, dict[str, list[str]]]:
    """A corpus, its index, and what searching it gives before any new files."""
    corpus = build_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    update_index(corpus, index_dir)
    return corpus, index_dir, snapshot(index_dir)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and Linux process semantics")
def test_kill_9_mid_run_keeps_the_previous_index_and_the_next_run_completes(indexed):
    corpus, index_dir, before = indexed
    assert before["tolkeregister"] and not before[NEW_WORD]
    files_before = set(os.listdir(index_dir))
    add_new_reports(corpus, 30)

    kill_when(start_index(corpus, index_dir), after_files(3))

    assert set(os.listdir(index_dir)) - files_before, "the run was killed before it wrote anything"
    close_searchers()
    assert snapshot(index_dir) == before
    deadline = time.monotonic() + 5
    while processes_using(index_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_using(index_dir) == [], "extraction workers outlived the killed indexer"

    summary = rerun_after_kill(corpus, index_dir)  # raises IndexLockedError if the lock stays stale

    assert summary.added == 30 and summary.unchanged == 2 and not summary.failed
    assert summary.cleaned_files > 0
    assert indexed_reports(index_dir) == 30
    assert snapshot(index_dir)["tolkeregister"] == before["tolkeregister"]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses Linux process semantics")
def test_repeated_kills_at_random_moments_never_break_the_index(indexed):
    corpus, index_dir, before = indexed
    add_new_reports(corpus, 40)
    chance = random.Random(7)

    for attempt in range(6):
        # Mid-extraction, and (every other time) in the middle of the commit.
        ready = while_committing if attempt % 2 else after_files(chance.randint(1, 39))
        kill_when(start_index(corpus, index_dir), ready, extra_delay=chance.uniform(0, 0.3))
        close_searchers()
        after = snapshot(index_dir)
        # Either nothing of the run landed, or (killed after the commit) all of it.
        assert after == before or indexed_reports(index_dir) == 40
        if indexed_reports(index_dir) == 40:
            break

    summary = update_index(corpus, index_dir)
    assert not summary.failed
    assert indexed_reports(index_dir) == 40
