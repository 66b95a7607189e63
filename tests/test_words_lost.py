"""Every word pdfminer reads on a page ends up exactly once in the output: in a finding, a
passage, a title or metadata field, or in the furniture left out on purpose.

Checked with the extraction evaluation's own account (``account_words``) on the bundled
corpus, on every generated layout (built once per session, as tests/test_layouts.py does)
and on every PDF under ../shared/realpdfs (skipped when the folder is absent). Each PDF is
read once, in two processes.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from indexer.errors import ExtractionError
from indexer.evaluation.extraction import account_words
from indexer.extract import pipeline
from indexer.extract.pdftext import read_pdf
from indexer.records import Document, Passage, Report

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO / "corpus"
REAL_PDFS = REPO.parent / "shared" / "realpdfs"
SHOWN_LINES = 15


@dataclass
class Account:
    lost: int
    duplicated: int
    lost_words: dict[str, int]
    duplicated_words: dict[str, int]
    lost_lines: list[str]


def account_pdf(path: Path) -> Account | None:
    """Extract ``path`` and account for its words, reading the PDF once (``None``: it cannot
    be read, so no word is read either)."""
    try:
        pdf = read_pdf(path)
    except ExtractionError:
        return None
    raw_lines = [(line.page, line.text) for page in pdf.pages for line in page]
    with mock.patch.object(pipeline, "read_pdf", lambda _path: pdf):
        document = pipeline.extract_document(path)
    account = account_words(raw_lines, document)
    return Account(account.lost, account.duplicated, account.lost_words, account.duplicated_words,
                   [f"s. {line.page}: {line.text!r} ({line.lost})" for line in account.lost_lines])


def _accounts(paths: list[Path], root: Path) -> dict[str, Account | None]:
    names = [path.relative_to(root).as_posix() for path in paths]
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
            return dict(zip(names, pool.map(account_pdf, paths), strict=True))
    except Exception:  # a child that cannot import this module by name: account here instead
        return {name: account_pdf(path) for name, path in zip(names, paths, strict=True)}


def _check(name: str, account: Account | None) -> None:
    if account is None:
        pytest.skip(f"{name} kan ikke leses (ingen tekst å gjøre rede for)")
    shown = "\n".join(account.lost_lines[:SHOWN_LINES])
    assert account.lost == 0, f"{name}: {account.lost} words lost {account.lost_words}\n{shown}"
    assert account.duplicated == 0, f"{name}: {account.duplicated} words duplicated {account.duplicated_words}"


@pytest.fixture(scope="module")
def layout_accounts(layouts_dir: Path) -> dict[str, Account | None]:
    paths = sorted(layouts_dir.glob("*.pdf"))
    assert len(paths) >= 12
    return _accounts(paths, layouts_dir)


@pytest.fixture(scope="module")
def real_accounts() -> dict[str, Account | None]:
    if not REAL_PDFS.is_dir():
        pytest.skip("../shared/realpdfs is not present on this machine")
    return _accounts(sorted(REAL_PDFS.rglob("*.pdf")), REAL_PDFS)


def _real_names() -> list[str]:
    return sorted(path.relative_to(REAL_PDFS).as_posix() for path in REAL_PDFS.rglob("*.pdf")) if REAL_PDFS.is_dir() else []


@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS_DIR.glob("*.pdf")))
def test_no_word_of_the_corpus_is_lost_or_doubled(name):
    _check(name, account_pdf(CORPUS_DIR / name))


def test_no_word_of_a_generated_layout_is_lost_or_doubled(layout_accounts):
    for name, account in layout_accounts.items():
        assert account is not None, f"{name} cannot be read"
        _check(name, account)


def _real_params() -> list[str]:
    return _real_names() or ["(ingen)"]


@pytest.mark.parametrize("name", _real_params())
def test_no_word_of_a_real_pdf_is_lost_or_doubled(name, real_accounts):
    _check(name, real_accounts[name])


# --- the account's rules, on hand-made documents ---------------------------------------------


def _document(passages: list[str], section: str = "Innledning") -> Document:
    report = Report(id="r", title="Rapport", theme=None, contractors=[], commissioner=None, published=None,
                    year=None, year_inferred=False, lead="", page_start=1, page_end=1,
                    passages=[Passage(id=f"p{i}", text=text, page=1, chapter=None, section=section)
                              for i, text in enumerate(passages)])
    return Document(source="t.pdf", sha256="0" * 64, pages=1, document_title="Rapport", reports=[report])


def test_a_word_broken_twice_joins_over_three_lines():
    raw = [(1, "Rapport"), (1, "Innledning"), (1, "arbeidsrettede løp i in-"), (1, "troduksjonsprogram-"),
           (1, "met for flyktninger.")]
    account = account_words(raw, _document(["arbeidsrettede løp i introduksjonsprogrammet for flyktninger."]))
    assert (account.lost, account.duplicated) == (0, 0)


def test_a_join_the_output_shows_in_place_wins_over_one_elsewhere():
    # "under-" / "søkelsen" stands unjoined in a table head; "Un-" / "dersøkelsen" is joined in the text.
    raw = [(1, "Rapport"), (1, "Innledning"), (1, "2020 under-"), (1, "søkelsen"),
           (1, "målgruppen for programmet. Un-"), (1, "dersøkelsen ble gjennomført før loven.")]
    document = _document(["2020 under-\nsøkelsen",
                          "målgruppen for programmet. Undersøkelsen ble gjennomført før loven."])
    account = account_words(raw, document)
    assert (account.lost, account.duplicated) == (0, 0)


def test_a_run_in_label_ending_in_a_stop_stands_for_its_name_each_time():
    raw = [(1, "Rapport"), (1, "Note. If you file late, pay a fee."), (1, "Note. Keep a copy of the form.")]
    account = account_words(raw, _document(["If you file late, pay a fee.", "Keep a copy of the form."], "Note."))
    assert (account.lost, account.duplicated) == (0, 0)
