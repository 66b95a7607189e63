"""Where the lexicon's on-disk cache goes: the user's cache folder, never the installed package."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from indexer.language import lexicon
from indexer.language.lexicon import Tables, cache_dir, cache_path, fallback_cache_dir, load_tables

TABLES = Tables({"bolig": "bolig"}, {"bolig": lexicon.NOUN}, {}, {})


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No configured cache folder, a home of its own and a temporary directory of its own."""
    monkeypatch.delenv("RAPPORTSOK_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path


def build_once(calls: list[int]):
    def build() -> Tables:
        calls.append(1)
        return TABLES

    return build


def test_default_is_the_users_cache_folder(environment):
    assert cache_dir() == environment / "home" / ".cache" / "rapportsok"


def test_xdg_cache_home_is_followed_when_absolute(environment, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(environment / "xdg"))
    assert cache_dir() == environment / "xdg" / "rapportsok"
    monkeypatch.setenv("XDG_CACHE_HOME", "relativ/sti")  # the XDG spec says to ignore it
    assert cache_dir() == environment / "home" / ".cache" / "rapportsok"


def test_the_cache_is_not_kept_inside_the_package(environment):
    package = Path(lexicon.__file__).resolve().parent.parent
    assert package not in cache_path().resolve().parents


def test_an_unwritable_cache_folder_falls_back_to_a_private_temporary_one(environment, monkeypatch):
    blocker = environment / "fil"
    blocker.write_text("ikke en mappe", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # mkdir under a file fails, even for root
    calls: list[int] = []

    assert load_tables(build=build_once(calls)) == TABLES
    assert load_tables(build=build_once(calls)) == TABLES

    assert len(calls) == 1  # the second start read the fallback
    fallback = fallback_cache_dir()
    assert fallback.parent == environment / "tmp"
    assert cache_path(fallback).is_file()
    assert fallback.stat().st_mode & 0o777 == 0o700


def test_a_fallback_folder_others_can_write_is_not_trusted(environment, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(environment / "fil"))
    (environment / "fil").write_text("", encoding="utf-8")
    shared = fallback_cache_dir()
    shared.mkdir()
    os.chmod(shared, 0o777)
    calls: list[int] = []

    load_tables(build=build_once(calls))
    load_tables(build=build_once(calls))

    assert len(calls) == 2  # built in memory each time, never read from or written to the shared folder
    assert not cache_path(shared).exists()


def test_nothing_writable_still_builds_the_tables(environment, monkeypatch):
    (environment / "fil").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(environment / "fil"))
    monkeypatch.setattr(tempfile, "tempdir", str(environment / "fil"))
    assert load_tables(build=build_once([])) == TABLES
