"""``rapportsok index`` on a small corpus of real PDFs made here with reportlab."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from indexer.extract.pipeline import extract_document
from indexer.index import schema as schema_module
from indexer.index.build import IndexLockedError, update_index
from indexer.index.progress import IndexProgress
from indexer.index.status import index_status
from indexer.search.engine import close_searchers, search
from search_app.cli import main as cli_main

REPORTS = {
    "fattigdom.pdf": (
        "Barnefattigdom i utsatte boområder",
        [
            "Flere barn vokser opp i familier med vedvarende lav inntekt.",
            "Kommunene mangler et samlet program mot barnefattigdom.",
        ],
        ["Rapporten bygger på intervjuer med ansatte i sju kommuner."],
    ),
    "tolk/tolkeloven.PDF": (
        "Evaluering av tolkeloven",
        [
            "Offentlige organer bestiller oftere kvalifiserte tolker etter tolkeloven.",
            "Nasjonalt tolkeregister brukes av de fleste kommunene.",
        ],
        ["Undersøkelsen ble sendt til alle landets kommuner våren 2020."],
    ),
}


def make_report_pdf(path: Path, title: str, findings: list[str], passages: list[str], pages: int = 1) -> Path:
    """A small report the pipeline can read: title, Hovedfunn items, Bakgrunn text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(title)
    for page in range(pages):
        y = 780.0

        def line(text: str, font: str, size: float, gap: float) -> None:
            nonlocal y
            pdf.setFont(font, size)
            pdf.drawString(60, y, text)
            y -= gap

        if page == 0:
            line(title, "Helvetica-Bold", 20, 40)
            line("Hovedfunn", "Helvetica-Bold", 14, 26)
            for finding in findings:
                line("- " + finding, "Helvetica", 11, 22)
            y -= 10
        line("Bakgrunn" if page == 0 else f"Kapittel {page + 1}", "Helvetica-Bold", 14, 26)
        for passage in passages:
            line(passage, "Helvetica", 11, 28)
        pdf.showPage()
    pdf.save()
    return path


def build_corpus(folder: Path, reports: dict = REPORTS) -> Path:
    for name, (title, findings, passages) in reports.items():
        make_report_pdf(folder / name, title, findings, passages)
    return folder


def hit_texts(index_dir: Path, query: str) -> list[str]:
    return [hit.text for hit in search(index_dir, query, size=50).results]


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    close_searchers()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return build_corpus(tmp_path / "corpus")


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


def test_first_run_creates_the_index_and_findings_are_searchable(corpus, index_dir):
    summary = update_index(corpus, index_dir, workers=2)

    assert (summary.added, summary.changed, summary.removed, summary.failed) == (2, 0, 0, [])
    assert summary.extracted == 2 and summary.exit_code == 0
    texts = hit_texts(index_dir, "tolkeregister")
    assert any("Nasjonalt tolkeregister" in text for text in texts)
    hits = search(index_dir, "barnefattigdom").results
    assert hits and hits[0].report.title == "Barnefattigdom i utsatte boområder"
    assert hits[0].report.source == "fattigdom.pdf"
    # Files in sub-folders are found and named relative to the corpus folder.
    assert search(index_dir, "tolkeregister").results[0].report.source == "tolk/tolkeloven.PDF"


def test_unchanged_corpus_is_not_extracted_again(corpus, index_dir):
    update_index(corpus, index_dir)
    generation = index_status(index_dir)["generation"]

    summary = update_index(corpus, index_dir)

    assert summary.extracted == 0
    assert (summary.added, summary.changed, summary.unchanged) == (0, 0, 2)
    assert index_status(index_dir)["generation"] == generation  # nothing was committed
    assert hit_texts(index_dir, "tolkeregister")


def test_changed_pdf_is_replaced(corpus, index_dir):
    update_index(corpus, index_dir)
    make_report_pdf(
        corpus / "fattigdom.pdf",
        "Barnefattigdom i utsatte boområder",
        ["Andelen barn i lavinntektsfamilier har økt i storbyene."],
        ["Rapporten bygger på registerdata."],
    )

    summary = update_index(corpus, index_dir)

    assert (summary.changed, summary.unchanged, summary.extracted) == (1, 1, 1)
    assert hit_texts(index_dir, "lavinntektsfamilier")
    assert not hit_texts(index_dir, "vedvarende")
    assert index_status(index_dir)["sources"] == 2


def test_deleted_pdf_is_removed(corpus, index_dir):
    update_index(corpus, index_dir)
    (corpus / "tolk" / "tolkeloven.PDF").unlink()

    summary = update_index(corpus, index_dir)

    assert (summary.removed, summary.unchanged, summary.extracted) == (1, 1, 0)
    assert not hit_texts(index_dir, "tolkeregister")
    assert hit_texts(index_dir, "barnefattigdom")
    status = index_status(index_dir)
    assert status["sources"] == 1 and status["reports"] == 1


def test_copies_of_one_pdf_are_both_indexed_and_stay_apart(corpus, index_dir):
    shutil.copy(corpus / "fattigdom.pdf", corpus / "kopi.pdf")
    update_index(corpus, index_dir)
    hits = search(index_dir, "vedvarende").results
    assert sorted(h.report.source for h in hits) == ["fattigdom.pdf", "kopi.pdf"]
    assert len({h.id for h in hits}) == 2

    (corpus / "fattigdom.pdf").unlink()
    update_index(corpus, index_dir)
    assert [h.report.source for h in search(index_dir, "vedvarende").results] == ["kopi.pdf"]


def test_unreadable_files_are_reported_and_the_rest_indexed(corpus, index_dir):
    (corpus / "notat.pdf").write_text("Dette er bare tekst, ikke en PDF.\n", encoding="utf-8")
    whole = (corpus / "fattigdom.pdf").read_bytes()
    (corpus / "avkuttet.pdf").write_bytes(whole[: len(whole) // 2])

    summary = update_index(corpus, index_dir)

    failed = {f.file: f for f in summary.failed}
    assert set(failed) == {"notat.pdf", "avkuttet.pdf"}
    assert failed["notat.pdf"].code == "not_pdf"
    assert all(f.reason for f in failed.values())
    assert summary.added == 2 and summary.exit_code == 0
    assert hit_texts(index_dir, "tolkeregister")

    last_run = json.loads((index_dir / "last_run.json").read_text(encoding="utf-8"))
    assert {f["file"] for f in last_run["failed"]} == {"notat.pdf", "avkuttet.pdf"}
    assert all({"file", "code", "reason"} <= set(f) for f in last_run["failed"])
    assert last_run["counts"]["failed"] == 2 and last_run["started"] <= last_run["finished"]
    assert {f["file"] for f in index_status(index_dir)["failed"]} == {"notat.pdf", "avkuttet.pdf"}

    # A broken file is remembered per version: not read again, still reported.
    again = update_index(corpus, index_dir)
    assert again.extracted == 0
    assert {f.file for f in again.failed} == {"notat.pdf", "avkuttet.pdf"}


def test_exit_status_strict_and_nothing_indexed(corpus, index_dir, capsys):
    (corpus / "notat.pdf").write_text("ikke en PDF", encoding="utf-8")
    args = ["index", str(corpus), "--index-dir", str(index_dir)]

    assert cli_main(args) == 0
    assert cli_main(args + ["--strict"]) == 1
    output = capsys.readouterr().out
    assert "notat.pdf" in output and "not_pdf" in output

    only_broken = corpus.parent / "bare-feil"
    only_broken.mkdir()
    (only_broken / "notat.pdf").write_text("ikke en PDF", encoding="utf-8")
    assert cli_main(["index", str(only_broken), "--index-dir", str(corpus.parent / "ix2")]) == 1


def test_missing_corpus_folder_is_a_usage_error(tmp_path, capsys):
    assert cli_main(["index", str(tmp_path / "finnes-ikke"), "--index-dir", str(tmp_path / "ix")]) == 2
    assert "finnes-ikke" in capsys.readouterr().err


def test_empty_folder_leaves_the_index_alone(corpus, index_dir):
    update_index(corpus, index_dir)
    for pdf in list(corpus.rglob("*.*")):
        pdf.unlink()

    summary = update_index(corpus, index_dir)

    assert summary.removed == 0 and summary.exit_code == 0
    assert hit_texts(index_dir, "tolkeregister")


def test_plain_log_lines_and_summary_when_not_on_a_terminal(corpus, index_dir, capsys):
    assert cli_main(["index", str(corpus), "--index-dir", str(index_dir)]) == 0
    captured = capsys.readouterr()
    assert "[1/2] indeksert" in captured.err and "[2/2] indeksert" in captured.err
    assert "\r" not in captured.err
    assert "2 nye" in captured.out


def test_progress_bar_redraws_one_line_on_a_terminal():
    from io import StringIO

    from indexer.records import FailedFile

    stream = StringIO()
    progress = IndexProgress(stream, interactive=True)
    progress.begin(2)
    progress.file_done("a.pdf", 12)
    progress.file_done("b.pdf", None, FailedFile("b.pdf", "corrupt", "ødelagt xref"))
    progress.close()
    output = stream.getvalue()
    assert "\r\x1b[K" in output
    assert "2/2 filer · 12 sider · 1 feil" in output
    assert "FEIL b.pdf: corrupt – ødelagt xref\n" in output


# Extractors for the bounds test: they run inside the forked workers.
def _misbehaving_extractor(path: Path):
    if path.name == "henger.pdf":
        time.sleep(60)
    if path.name == "sprenger.pdf":
        hog = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))
    if path.name == "krasjer.pdf":
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
    return extract_document(path)


def _address_space_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) // 1024
    raise AssertionError("no VmSize")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="memory bound uses Linux RLIMIT_AS")
def test_hung_exploding_and_crashing_files_are_reported_and_the_rest_indexed(corpus, index_dir):
    for name in ("henger.pdf", "sprenger.pdf", "krasjer.pdf"):
        shutil.copy(corpus / "fattigdom.pdf", corpus / name)
    started = time.monotonic()

    summary = update_index(
        corpus,
        index_dir,
        workers=2,
        timeout_s=3,
        max_memory_mb=_address_space_mb() + 512,
        extractor=_misbehaving_extractor,
    )

    assert time.monotonic() - started < 30
    codes = {f.file: f.code for f in summary.failed}
    assert codes == {"henger.pdf": "timeout", "sprenger.pdf": "too_large", "krasjer.pdf": "worker_crashed"}
    assert "SIGKILL" in next(f.reason for f in summary.failed if f.file == "krasjer.pdf")
    assert summary.added == 2
    assert hit_texts(index_dir, "tolkeregister")

    # Limits and crashes depend on the machine, so these files are tried again.
    again = update_index(corpus, index_dir, timeout_s=3, extractor=_misbehaving_extractor,
                         max_memory_mb=_address_space_mb() + 512)
    assert again.extracted == 3


def test_orphans_of_a_killed_run_are_removed(corpus, index_dir):
    update_index(corpus, index_dir)
    before = hit_texts(index_dir, "tolkeregister")
    leftovers = [index_dir / "MAIN_zz9orphan0000000.seg", index_dir / "_MAIN_7.toc.1700000000.5"]
    for leftover in leftovers:
        leftover.write_bytes(b"half written")
    (index_dir / "MAIN.tmp").mkdir()
    (index_dir / "MAIN.tmp" / "pool.tmp").write_bytes(b"x")
    make_report_pdf(corpus / "ny.pdf", "Ny rapport om bolig", ["Flere leier bolig enn før."], ["Tekst."])

    summary = update_index(corpus, index_dir)

    assert summary.cleaned_files == 3
    assert not any(leftover.exists() for leftover in leftovers)
    assert not (index_dir / "MAIN.tmp").exists()
    assert hit_texts(index_dir, "tolkeregister") == before
    assert hit_texts(index_dir, "leier")


def test_new_schema_version_re_extracts_everything(corpus, index_dir, monkeypatch):
    update_index(corpus, index_dir)
    before = hit_texts(index_dir, "tolkeregister")
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", schema_module.SCHEMA_VERSION + 1)

    summary = update_index(corpus, index_dir)

    assert summary.extracted == 2 and summary.changed == 2
    # Every record once: the old ones replaced, not kept beside the new.
    assert hit_texts(index_dir, "tolkeregister") == before
    assert before.count("Nasjonalt tolkeregister brukes av de fleste kommunene.") == 1


HOLD_LOCK = """
import sys, time
from whoosh.filedb.filestore import FileStorage
lock = FileStorage(sys.argv[1]).lock("MAIN_WRITELOCK")
assert lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_second_writer_gets_a_clear_message_or_waits(corpus, index_dir, capsys):
    update_index(corpus, index_dir)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index_dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"

        assert cli_main(["index", str(corpus), "--index-dir", str(index_dir)]) == 3
        message = capsys.readouterr().err
        assert "oppdateres allerede" in message and "--wait" in message
        with pytest.raises(IndexLockedError):
            update_index(corpus, index_dir)

        waited: dict[str, object] = {}
        waiter = threading.Thread(target=lambda: waited.update(summary=update_index(corpus, index_dir, wait=True)))
        waiter.start()
        time.sleep(0.5)
        assert waiter.is_alive()  # still waiting for the lock
        holder.send_signal(signal.SIGKILL)  # the kernel drops a dead holder's lock
        waiter.join(timeout=20)
        assert not waiter.is_alive()
        assert waited["summary"].unchanged == 2
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
