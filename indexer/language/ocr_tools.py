"""Whether the programs that read scanned pages are installed (Debian packages, not pip).

OCR (``indexer.extract.ocr``) runs Tesseract with its Norwegian model and poppler's
``pdftoppm``. They are optional like the language data beside this module: without them
every PDF with a text layer is read as before, and the index summary and ``/api/health``
say which files need them and how to install them (``optional_data``).
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess

MODEL = "nor"  # Tesseract's Norwegian model (Debian tesseract-ocr-nor)
PACKAGES = ("tesseract-ocr", "tesseract-ocr-nor", "poppler-utils")
TESSERACT_ENV = "RAPPORTSOK_TESSERACT"  # the tesseract program, when it is not on PATH
PDFTOPPM_ENV = "RAPPORTSOK_PDFTOPPM"


def program(env: str, name: str) -> str | None:
    """The program ``env`` names (a path), else ``name`` found on PATH; None when missing."""
    configured = os.environ.get(env)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which(name)


def tesseract() -> str | None:
    return program(TESSERACT_ENV, "tesseract")


def pdftoppm() -> str | None:
    return program(PDFTOPPM_ENV, "pdftoppm")


@functools.lru_cache(maxsize=4)
def languages(tesseract_program: str) -> frozenset[str]:
    """The models the tesseract program has."""
    try:
        done = subprocess.run([tesseract_program, "--list-langs"], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in done.stdout.splitlines()[1:] if line.strip())


def missing_packages() -> list[str]:
    """The Debian packages OCR needs that are not installed (empty: OCR works)."""
    missing = []
    found = tesseract()
    if found is None:
        missing.extend(["tesseract-ocr", "tesseract-ocr-nor"])
    elif MODEL not in languages(found):
        missing.append("tesseract-ocr-nor")
    if pdftoppm() is None:
        missing.append("poppler-utils")
    return missing


def install_hint(packages: list[str] | None = None) -> str:
    return "apt-get install -y " + " ".join(packages or PACKAGES)
