"""What the numbers were measured on: machine, CPU count, versions, date."""
from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("pdfminer.six", "spacy", "whoosh-reloaded", "flask", "waitress", "bm25s", "PyStemmer", "tantivy", "numpy", "scipy", "orjson")


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return found.group(1).strip() if found else platform.machine()


def _memory_gib() -> float | None:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    found = re.search(r"^MemTotal:\s+(\d+) kB", text, re.M)
    return round(int(found.group(1)) / 1024**2, 1) if found else None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _wrk_version() -> str | None:
    if not shutil.which("wrk"):
        return None
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0] if first else None


def describe() -> dict[str, Any]:
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": _wrk_version(),
        "packages": {name: _version(name) for name in PACKAGES},
    }
