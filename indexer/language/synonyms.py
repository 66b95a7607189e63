"""Synonyms and spelling variants from the curated list ``indexer/language/data/synonyms.txt``.

Each line of the file is a group of words or expressions that mean the same
(``insentiv, incentiv``; ``IMDi, Integrerings- og mangfoldsdirektoratet``).
Entries are compared on the lemma of each word (:func:`word_key`), so
``insentiver`` in a query finds the group of ``insentiv``, and a run of query
words can match a multi-word entry (``opplæring i norsk``). The query builder
searches the other entries of the group with a lower boost: a single word like
any query word, several words as a phrase.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from indexer.config import language_data
from indexer.language.analysis import analyse_word, words

T = TypeVar("T")

SYNONYM_FILE = language_data("synonyms.txt")


def word_key(word: str) -> str:
    """How a word is compared: its first lemma, or the word lowercased."""
    analysed = analyse_word(word)
    lemmas = analysed.query["lemma"]
    return lemmas[0] if lemmas and not analysed.stop else word.lower()


def text_keys(text: str) -> tuple[str, ...]:
    """The key of every word in a text, punctuation dropped."""
    return tuple(word_key(word) for word, _, _ in words(text))


@dataclass(frozen=True)
class Variant:
    """One entry of a synonym group: as written, its words, and their keys."""

    text: str
    words: tuple[str, ...]
    keys: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class SynonymMatch:
    """Query words ``start``..``end`` (exclusive) matched a group entry."""

    start: int
    end: int
    alternatives: tuple[Variant, ...]


def _variant(text: str) -> Variant | None:
    found = tuple(word for word, _, _ in words(text))
    if not found:
        return None
    return Variant(text=text, words=found, keys=tuple(word_key(w) for w in found))


def parse_groups(lines: Sequence[str]) -> list[tuple[Variant, ...]]:
    """Groups from the file's lines; comments, blanks and one-entry lines are skipped."""
    groups = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        entries = [_variant(part.strip()) for part in line.split(",") if part.strip()]
        unique = tuple({v.keys: v for v in entries if v is not None}.values())
        if len(unique) > 1:
            groups.append(unique)
    return groups


def find_runs(
    keys: Sequence[str], longest: int, lookup: Callable[[tuple[str, ...]], tuple[T, ...]]
) -> list[tuple[int, int, tuple[T, ...]]]:
    """Runs of ``keys`` (start, end, what ``lookup`` found), the longest at each start."""
    found = []
    for start in range(len(keys)):
        for end in range(min(len(keys), start + longest), start, -1):
            result = lookup(tuple(keys[start:end]))
            if result:
                found.append((start, end, result))
                break
    return found


class Thesaurus:
    """Looks up the synonym groups a sequence of query word keys touches."""

    def __init__(self, groups: Sequence[tuple[Variant, ...]]):
        self._groups: dict[tuple[str, ...], list[tuple[Variant, ...]]] = {}
        for group in groups:
            for variant in group:
                self._groups.setdefault(variant.keys, []).append(group)
        self.longest = max((len(keys) for keys in self._groups), default=0)

    def __len__(self) -> int:
        return len(self._groups)

    def alternatives(self, keys: tuple[str, ...]) -> tuple[Variant, ...]:
        """Entries that mean the same as ``keys``, the entry itself left out."""
        found: dict[tuple[str, ...], Variant] = {}
        for group in self._groups.get(keys, ()):
            for variant in group:
                if variant.keys != keys:
                    found.setdefault(variant.keys, variant)
        return tuple(found.values())

    def matches(self, keys: Sequence[str]) -> list[SynonymMatch]:
        """Every run of ``keys`` that is an entry of some group."""
        return [SynonymMatch(start, end, found) for start, end, found in find_runs(keys, self.longest, self.alternatives)]


_lock = threading.Lock()
_thesaurus: Thesaurus | None = None


def get_thesaurus() -> Thesaurus:
    """The thesaurus of :data:`SYNONYM_FILE`, loaded once per process."""
    global _thesaurus
    if _thesaurus is None:
        with _lock:
            if _thesaurus is None:
                lines = SYNONYM_FILE.read_text(encoding="utf-8").splitlines()
                _thesaurus = Thesaurus(parse_groups(lines))
    return _thesaurus
