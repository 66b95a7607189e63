"""Faults during ``rapportsok index``: kill -9 at many moments, a full or read-only disk.

After each fault the previous index must open and give the same answers, and a
fresh run must finish the work. The kill helpers come from ``test_index_crash``.
"""
from __future__ import annotations

import errno
import gc
import random
import shutil
import sys
import time
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage

from indexer.index.build import update_index
from indexer.search.engine import close_searchers
from search_app.cli import main as cli_main

from test_index_crash import (
    add_new_reports,
    after_files,
    indexed_reports,
    kill_when,
    processes_using,
    rerun_after_kill,
    snapshot,
    start_index,
    while_committing,
)
from test_indexing import build_corpus

NEW_REPORTS = 12

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses Linux process semantics")


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> tuple[Path, Path, dict[str, list[str]]]:
    """An indexed corpus, then new reports added that the next run will index."""
    root = tmp_path_factory.mktemp("baseline")
    corpus = build_corpus(root / "corpus")
    index_dir = root / "index"
    update_index(corpus, index_dir)
    before = snapshot(index_dir)
    close_searchers()
    add_new_reports(corpus, NEW_REPORTS, pages=4)
    return corpus, index_dir, before


def kill_moments(count: int, seed: int) -> list[tuple[str, object, float]]:
    """Moments spread over a run: before any file, after the k-th file, during the commit."""
    chance = random.Random(seed)
    moments: list[tuple[str, object, float]] = [("start", lambda line: line.startswith("Sjekker"), 0.2)]
    commits = max(1, count // 4)
    files = count - 1 - commits
    for step in range(files):
        done = 1 + step * (NEW_REPORTS - 1) // max(1, files - 1) if files > 1 else NEW_REPORTS // 2
        moments.append((f"after {done} files", after_files(done), chance.uniform(0, 0.2)))
    for step in range(commits):
        delay = step * 0.4 / commits
        moments.append((f"commit +{delay:.2f}s", while_committing, delay))
    return moments


def survive_kills(tmp_path: Path, baseline, count: int) -> None:
    corpus, baseline_index, before = baseline
    survived = 0
    for number, (moment, ready, delay) in enumerate(kill_moments(count, seed=number_seed(count))):
        index_dir = tmp_path / f"index-{number}"
        shutil.copytree(baseline_index, index_dir)

        kill_when(start_index(corpus, index_dir), ready, extra_delay=delay)

        close_searchers()
        after = snapshot(index_dir)
        committed = indexed_reports(index_dir) == NEW_REPORTS
        # Either none of the run landed or (a kill just after the commit) all of it.
        assert after == before or committed, f"killed at {moment}: the index changed half-way"
        deadline = time.monotonic() + 5
        while processes_using(index_dir) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_using(index_dir) == [], f"killed at {moment}: a worker outlived the indexer"

        summary = rerun_after_kill(corpus, index_dir)

        assert not summary.failed and indexed_reports(index_dir) == NEW_REPORTS, f"rerun after {moment}"
        assert snapshot(index_dir)["tolkeregister"] == before["tolkeregister"]
        close_searchers()
        shutil.rmtree(index_dir)
        survived += 1
    print(f"\nsurvived {survived} kills")


def number_seed(count: int) -> int:
    return 9000 + count


def test_three_kills_spread_over_a_run(tmp_path, baseline):
    survive_kills(tmp_path, baseline, count=3)


@pytest.mark.slow
def test_twenty_kills_spread_over_a_run(tmp_path, baseline):
    survive_kills(tmp_path, baseline, count=20)


# --- a full disk or a read-only index folder --------------------------------------------


def fail_storage_writes(monkeypatch, error_number: int, after_calls: int) -> list[str]:
    """Make the index storage refuse to create files after ``after_calls`` succeed.

    Tests run as root, where chmod does not stop writes, so the refusal is simulated
    where Whoosh creates its files.
    """
    created: list[str] = []
    original = FileStorage.create_file

    def create_file(self, name, *args, **kwargs):
        if len(created) >= after_calls:
            raise OSError(error_number, f"{errno.errorcode[error_number]}: simulated", name)
        created.append(name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(FileStorage, "create_file", create_file)
    return created


# Whoosh's writer.cancel() leaves its sorting pool's temporary file (and the readers of
# the segments it was merging) open after a failed write; the file is removed with the folder on the next run, the descriptor at exit.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("error_number", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize("after_calls", [0, 3])
def test_full_or_read_only_disk_leaves_the_old_index_and_a_clear_message(
    tmp_path, baseline, monkeypatch, capsys, error_number, after_calls
):
    corpus, baseline_index, before = baseline
    index_dir = tmp_path / "index"
    shutil.copytree(baseline_index, index_dir)
    created = fail_storage_writes(monkeypatch, error_number, after_calls)

    code = cli_main(["index", str(corpus), "--index-dir", str(index_dir), "--workers", "2"])

    captured = capsys.readouterr()
    assert code != 0
    assert len(created) == after_calls  # the failure came mid-write, not before
    assert "Traceback" not in captured.err
    assert str(index_dir) in captured.err and "indeksen er som før" in captured.err.lower()
    monkeypatch.undo()
    close_searchers()
    gc.collect()  # release those abandoned files now, under this test's filter, not in a later test
    assert snapshot(index_dir) == before
    summary = update_index(corpus, index_dir, workers=2)
    assert not summary.failed and indexed_reports(index_dir) == NEW_REPORTS
