"""English query words: their lemmas and the Norwegian (Bokmål) lemmas they translate to.

Researchers often search Norwegian reports in English. This module is the data
layer for that; the query builder decides how to use it.

English lemmas
    spaCy's English lemma tables from ``spacy-lookups-data`` (MIT): the lookup
    table (inflected form → lemma), the exceptions, the index of known lemmas per
    part of speech and the suffix rules. Without a part-of-speech tag every
    reading is kept: ``teaching`` → ``teaching``, ``teach``. A word that is a
    known lemma itself comes first, so nouns in -ing keep their own meaning.
English → Norwegian
    1. The glossary shipped here, ``indexer/language/data/en_nb_glossary.tsv``
       (English lemma or multi-word term → Norwegian lemmas, most specific
       first; its header says how it was made).
    2. Loanwords: the regular spelling correspondences of Latin and Greek words
       (``-tion`` → ``-sjon``, ``-ity`` → ``-itet``, ``c`` → ``k``/``s``,
       ``ph`` → ``f`` …), kept only when the result is a lemma the Bokmål
       lexicon lists: ``migration`` → ``migrasjon``, ``exclusion`` →
       ``eksklusjon``, ``quota`` → ``kvote``, ``psychology`` → ``psykologi``.
    3. FreeDict's English–Norwegian dictionary (``dict-freedict-eng-nor``, a
       Debian package under the GPL, so not copied into this repository): read
       from ``/usr/share/dictd`` when installed. Only translations whose every
       word the Bokmål lexicon knows are kept, as the lexicon's lemma.
    The glossary works without the Debian package; :func:`install_hint` says what
    the package adds.

Parsing the JSON tables and the dictionary takes a while, so the result is kept
as a pickle in the lexicon's cache folder (:mod:`indexer.language.lexicon`),
named after the spacy-lookups-data version and rebuilt when the dictionary
files change.
"""
from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import suppress
from functools import lru_cache
from importlib import metadata
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import NamedTuple

from indexer.config import language_data, stopword_list
from indexer.language.dictd import read_dictd
from indexer.language.lexicon import (
    LOOKUPS_DISTRIBUTION,
    TABLE_FORMAT as LEXICON_TABLE_FORMAT,
    _lookups_table,
    cached,
    gc_paused,
    get_lexicon,
)

GLOSSARY_FILE = language_data("en_nb_glossary.tsv")
STOPWORD_FILE = stopword_list("en.txt")

FREEDICT_PACKAGE = "dict-freedict-eng-nor"
FREEDICT_DIR = Path("/usr/share/dictd")
FREEDICT_NAME = "freedict-eng-nor"

# spaCy's English lemma tables; the parts of speech whose rules apply to content words.
LEMMA_LOOKUP_TABLE = "en_lemma_lookup.json.gz"
LEMMA_EXC_TABLE = "en_lemma_exc.json.gz"
LEMMA_INDEX_TABLE = "en_lemma_index.json.gz"
LEMMA_RULES_TABLE = "en_lemma_rules.json.gz"
_RULE_POS = ("noun", "verb", "adj")

# Bump when the pickled layout or the build rules change, so old caches are ignored.
CACHE_FORMAT = 1

# A sense that starts with its number ("2. stat 2."); the number after the
# translations ("flyktning 2.") numbers the English gloss that follows.
_NUMBERED_SENSE = re.compile(r"^\d+\.\s+(.*)$")
_TRAILING_NUMBER = re.compile(r"\s+\d+\.$")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")

# American spellings tried when a word has no entry as written (organization →
# organisation, labor → labour, center → centre, program → programme).
_SPELLING_VARIANTS = (
    ("ization", "isation"),
    ("izing", "ising"),
    ("ize", "ise"),
    ("yze", "yse"),
    ("or", "our"),
    ("er", "re"),
    ("am", "amme"),
)


# English endings of Latin and Greek words and their Bokmål spellings (longest first).
_LOANWORD_ENDINGS = (
    ("isation", ("isering",)),
    ("ization", ("isering",)),
    ("ation", ("asjon", "ering")),
    ("ssion", ("sjon",)),
    ("sion", ("sjon",)),
    ("tion", ("sjon",)),
    ("ical", ("isk",)),
    ("ity", ("itet",)),
    ("ary", ("ær",)),
    ("ory", ("ori",)),
    ("ism", ("isme",)),
    ("ise", ("isere",)),
    ("ize", ("isere",)),
    ("ify", ("ifisere",)),
    ("ate", ("ere", "at")),
    ("ence", ("ens", "ense")),
    ("ance", ("anse", "ans")),
    ("ogy", ("ogi",)),
    ("cy", ("ti", "si")),
    ("ic", ("isk", "ikk")),
    ("ive", ("iv",)),
    ("ure", ("ur",)),
    ("y", ("i",)),
    ("a", ("e", "a")),
)
# Letters inside the word, in the order they are replaced.
_LOANWORD_LETTERS = (("ph", "f"), ("th", "t"), ("qu", "kv"), ("ch", "k"), ("sh", "sj"), ("ck", "kk"), ("x", "ks"), ("z", "s"))
_SOFT_C = re.compile(r"c(?=[eiy])")
MIN_LOANWORD_LETTERS = 5


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").lower()
    # A possessive is its noun: employers' → employers, child's → child.
    text = re.sub(r"(?<=\w)'s?(?=\s|$)", "", text)
    return " ".join(text.split())


def _loanword_stem(stem: str) -> str:
    for english, norwegian in _LOANWORD_LETTERS:
        stem = stem.replace(english, norwegian)
    return _SOFT_C.sub("s", stem).replace("c", "k")


def loanword_spellings(lemma: str) -> list[str]:
    """Bokmål spellings of an English loanword by the regular correspondences
    (``migration`` → ``migrasjon``, ``migrering``), unchecked; the word itself
    is not among them."""
    if len(lemma) < MIN_LOANWORD_LETTERS or not lemma.isalpha():
        return []
    found: dict[str, None] = {}
    for ending, replacements in _LOANWORD_ENDINGS:
        if lemma.endswith(ending) and len(lemma) - len(ending) >= 3:
            stem = _loanword_stem(lemma[: len(lemma) - len(ending)])
            found.update(dict.fromkeys(stem + replacement for replacement in replacements))
    found.pop(lemma, None)
    return list(found)


# ---------------------------------------------------------------------------
# FreeDict's dictd files


def entry_translations(entry: str) -> list[str]:
    """The Norwegian translations in one FreeDict entry, as written.

    An entry is a header line (headword, IPA, ``<n>``), then one line of
    translations per sense, each followed by English glosses::

        state /steɪt/ <n>
        1. tilstand
        a condition
        2. stat 2.
        a political division of a federation …
         3.
        any sovereign polity

    The first line after the header, and every line that starts with a sense
    number, holds translations; the rest is gloss.
    """
    found: list[str] = []
    lines = entry.splitlines()[1:]
    expect_translations = True
    for line in lines:
        if not line.strip():
            continue
        numbered = _NUMBERED_SENSE.match(line)
        if numbered:
            text = numbered.group(1)
        elif expect_translations:
            text = line
        else:
            continue  # an English gloss or a gloss number (" 3.")
        expect_translations = False
        text = _PARENTHESES.sub(" ", _TRAILING_NUMBER.sub("", text.strip()))
        for part in re.split(r"[,;]", text):
            part = part.strip()
            if part:
                found.append(part)
    return found


def _norwegian_lemma(translation: str) -> str | None:
    """A translation as Bokmål lemma(s): one word → its lemma; several words
    as written; ``None`` when the lexicon does not know every word (Nynorsk,
    misspellings, explanations)."""
    lexicon = get_lexicon()
    words = _normalise(translation).split()
    if not words or not all(word.replace("-", "").isalpha() for word in words):
        return None
    readings = [lexicon.lemmas(word) for word in words]
    if not all(readings):
        return None
    if len(words) > 1:
        return " ".join(words)
    lemmas = readings[0]
    return words[0] if words[0] in lemmas else lemmas[0]


def parse_freedict(entries: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """English headword (lowercase) → Norwegian lemmas, over all its entries."""
    merged: dict[str, dict[str, None]] = {}
    for headword, entry in entries:
        lemmas = merged.setdefault(_normalise(headword), {})
        for translation in entry_translations(entry):
            lemma = _norwegian_lemma(translation)
            if lemma is not None:
                lemmas[lemma] = None
    return {headword: tuple(lemmas) for headword, lemmas in merged.items() if lemmas}


def _freedict_files(directory: Path | None = None) -> tuple[Path, Path]:
    folder = directory or FREEDICT_DIR
    return folder / f"{FREEDICT_NAME}.index", folder / f"{FREEDICT_NAME}.dict.dz"


def freedict_available(directory: Path | None = None) -> bool:
    """Whether FreeDict's English–Norwegian dictionary is installed."""
    return all(path.is_file() for path in _freedict_files(directory))


def missing_packages() -> list[str]:
    """Debian packages that would add translations and are not installed."""
    return [] if freedict_available() else [FREEDICT_PACKAGE]


def install_hint() -> str:
    """What to install for more English translations; empty when nothing is missing."""
    missing = missing_packages()
    if not missing:
        return ""
    return (
        "Engelske søkeord oversettes med ordlista som følger med Rapportsøk. "
        f"For flere oversettelser: sudo apt-get install {' '.join(missing)}"
    )


def _freedict_signature(directory: Path | None = None) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of the dictionary files (empty when absent)."""
    signature = []
    for path in _freedict_files(directory):
        with suppress(OSError):
            info = path.stat()
            signature.append((path.name, info.st_size, info.st_mtime_ns))
    return tuple(signature)


# ---------------------------------------------------------------------------
# Tables and their cache


class EnglishTables(NamedTuple):
    """What the cache holds.

    ``lookup`` maps inflected forms to a lemma, ``exceptions`` irregular forms
    to their lemmas, ``known`` each part of speech to its known lemmas,
    ``rules`` each part of speech to its (suffix, replacement) rules, and
    ``freedict`` English headwords to Norwegian lemmas. ``source`` says what
    they were built from.
    """

    lookup: dict[str, str]
    exceptions: dict[str, tuple[str, ...]]
    known: dict[str, frozenset[str]]
    rules: dict[str, tuple[tuple[str, str], ...]]
    freedict: dict[str, tuple[str, ...]]
    source: tuple


def _read_json(path: Traversable) -> dict:
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _source_key(freedict_dir: Path | None) -> tuple:
    return (
        CACHE_FORMAT,
        metadata.version(LOOKUPS_DISTRIBUTION),
        LEXICON_TABLE_FORMAT,
        _freedict_signature(freedict_dir),
    )


def build_tables(freedict_dir: Path | None = None) -> EnglishTables:
    """Parse the English lemma tables and, when installed, FreeDict (about a second)."""
    with gc_paused():
        lookup = {form.lower(): lemma.lower() for form, lemma in _read_json(_lookups_table(LEMMA_LOOKUP_TABLE)).items()}
        exceptions: dict[str, dict[str, None]] = {}
        for table in _read_json(_lookups_table(LEMMA_EXC_TABLE)).values():
            for form, lemmas in table.items():
                exceptions.setdefault(form.lower(), {}).update(dict.fromkeys(lemma.lower() for lemma in lemmas))
        index = _read_json(_lookups_table(LEMMA_INDEX_TABLE))
        known = {pos: frozenset(word.lower() for word in words) for pos, words in index.items()}
        all_rules = _read_json(_lookups_table(LEMMA_RULES_TABLE))
        rules = {pos: tuple((old, new) for old, new in all_rules.get(pos, ())) for pos in _RULE_POS}
        freedict: dict[str, tuple[str, ...]] = {}
        if freedict_available(freedict_dir):
            freedict = parse_freedict(read_dictd(*_freedict_files(freedict_dir)))
    return EnglishTables(
        lookup,
        {form: tuple(lemmas) for form, lemmas in exceptions.items()},
        known,
        rules,
        freedict,
        _source_key(freedict_dir),
    )


def cache_path(directory: Path) -> Path:
    version = metadata.version(LOOKUPS_DISTRIBUTION)
    return directory / f"en-nb-{version}-f{CACHE_FORMAT}.pickle"


def load_tables(directory: Path | None = None, freedict_dir: Path | None = None) -> EnglishTables:
    """The tables from the cache (the lexicon's folder unless ``directory`` is
    given), built and cached when missing or out of date."""
    source = _source_key(freedict_dir)

    def unpack(payload: object) -> EnglishTables | None:
        return payload if isinstance(payload, EnglishTables) and payload.source == source else None

    return cached(cache_path, lambda: build_tables(freedict_dir), lambda tables: tables, unpack, directory)


# ---------------------------------------------------------------------------
# The glossary


def parse_glossary(lines: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """English term → Norwegian lemmas from the glossary's lines
    (``term<TAB>lemma, lemma``); ``#`` starts a comment. A term listed twice
    keeps the lemmas of both lines, the first line's first."""
    glossary: dict[str, dict[str, None]] = {}
    for line in lines:
        line = line.split("#", 1)[0]
        if not line.strip():
            continue
        term, _, lemmas = line.partition("\t")
        key = _normalise(term)
        values = [_normalise(lemma) for lemma in lemmas.split(",")]
        if key and any(values):
            glossary.setdefault(key, {}).update(dict.fromkeys(value for value in values if value))
    return {key: tuple(values) for key, values in glossary.items()}


def read_glossary(path: Traversable = GLOSSARY_FILE) -> dict[str, tuple[str, ...]]:
    return parse_glossary(path.read_text(encoding="utf-8").splitlines())


# ---------------------------------------------------------------------------
# English


class English:
    """English lemmas and their Norwegian translations."""

    def __init__(self, tables: EnglishTables, glossary: dict[str, tuple[str, ...]]):
        self._tables = tables
        self._glossary = glossary
        self._all_known = frozenset().union(*tables.known.values())
        # Query words come back: a word's lemmas and readings are worked out once (bounded).
        self._lemmas = lru_cache(maxsize=100_000)(self._lemmas_uncached)
        self._readings = lru_cache(maxsize=100_000)(self._readings_uncached)
        # Multi-word terms by the readings of their first word. A run of query
        # words matches a term when each word shares a reading (the word, a
        # lemma, a British spelling) with the term's word: "unaccompanied minors"
        # finds "unaccompanied minor", "security trading" "securities trading".
        terms = dict.fromkeys(term for source in (glossary, tables.freedict) for term in source if " " in term)
        self._terms_by_first: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = {}
        for term in terms:
            readings = tuple(self._readings(word) for word in term.split())
            for first in readings[0]:
                self._terms_by_first.setdefault(first, []).append((term, readings))
        # The multi-word terms, as word tuples.
        self.phrases: frozenset[tuple[str, ...]] = frozenset(tuple(term.split()) for term in terms)
        self.longest_phrase = max((len(phrase) for phrase in self.phrases), default=1)

    @property
    def has_freedict(self) -> bool:
        return bool(self._tables.freedict)

    def _has_entry(self, form: str) -> bool:
        return form in self._glossary or form in self._tables.freedict

    def lemmas(self, word: str) -> list[str]:
        """English lemma(s) of a word, the word itself first when it is a lemma
        (``teaching`` → ``teaching``, ``teach``); ``[]`` for a word that is not
        English as far as the tables know."""
        return list(self._lemmas(word))

    def _lemmas_uncached(self, word: str) -> tuple[str, ...]:
        form = _normalise(word)
        if not form:
            return ()
        tables = self._tables
        found: dict[str, None] = {}
        if form in self._all_known or self._has_entry(form):
            found[form] = None
        found.update(dict.fromkeys(tables.exceptions.get(form, ())))
        looked_up = tables.lookup.get(form)
        if looked_up:
            found[looked_up] = None
        for pos, rules in tables.rules.items():
            known = tables.known.get(pos, frozenset())
            for old, new in rules:
                if form.endswith(old) and len(form) > len(old):
                    candidate = form[: len(form) - len(old)] + new
                    if candidate in known or self._has_entry(candidate):
                        found[candidate] = None
        return tuple(found)

    def is_english(self, word: str) -> bool:
        """Whether a query word is English: it has an English lemma or entry, and
        is not a Norwegian word form as well (``program``, ``status``, ``plan``
        are both, so they count as Norwegian)."""
        form = _normalise(word)
        if not form or not self.lemmas(form):
            return False
        return not _is_listed_norwegian(form)

    def norwegian(self, word_or_lemma: str) -> list[str]:
        """Norwegian lemmas for an English word, lemma or multi-word term:
        glossary entries first, then FreeDict's. A value with a space is a
        Norwegian phrase.

        Each source answers for the first form it has an entry for: the word as
        written, then its lemmas. A noun in -ing with an entry of its own
        (``teaching`` → ``undervisning``) so does not also get its verb's."""
        keys = self._keys(word_or_lemma)
        found: dict[str, None] = {}
        for key in keys:
            if key in self._glossary:
                found.update(dict.fromkeys(self._glossary[key]))
                break
        if keys and " " not in keys[0]:  # a single word
            found.update(dict.fromkeys(self.loanwords(word_or_lemma)))
        for key in keys:
            if key in self._tables.freedict:
                found.update(dict.fromkeys(self._tables.freedict[key]))
                break
        return list(found)

    def loanwords(self, word: str) -> list[str]:
        """Bokmål lemmas spelt from the word's English lemmas as a loanword
        (:func:`loanword_spellings`) that the lexicon lists as lemmas."""
        lexicon = get_lexicon()
        found: dict[str, None] = {}
        for lemma in self.lemmas(word):
            for spelling in loanword_spellings(lemma):
                if lexicon.is_listed_lemma(spelling):
                    found[spelling] = None
        return list(found)

    def _keys(self, text: str) -> list[str]:
        """The forms to look up: the text, then its lemmas (the last word's, for
        a phrase; for a multi-word term, every word's), then their American →
        British spelling variants."""
        form = _normalise(text)
        if not form:
            return []
        head, _, last = form.rpartition(" ")
        prefix = head + " " if head else ""
        keys = dict.fromkeys([form, *(prefix + lemma for lemma in self.lemmas(last))])
        if head:
            words = form.split()
            match = self._term_at([self._readings(word) for word in words], 0)
            if match and match[1] == len(words):
                keys[match[0]] = None
        for key in list(keys):
            if not self._has_entry(key):
                for variant in _spelling_variants(key):
                    if self._has_entry(variant):
                        keys[variant] = None
        return list(keys)

    def _readings_uncached(self, word: str) -> frozenset[str]:
        """A word as written, its lemmas, and their British spellings."""
        form = _normalise(word)
        readings = [form, *self.lemmas(form)]
        return frozenset([*readings, *(variant for reading in readings for variant in _spelling_variants(reading))])

    def _term_at(self, readings: Sequence[frozenset[str]], start: int) -> tuple[str, int] | None:
        """The longest multi-word term that starts at query word ``start``, and where it ends."""
        best: tuple[str, int] | None = None
        for first in readings[start]:
            for term, term_readings in self._terms_by_first.get(first, ()):
                end = start + len(term_readings)
                if end > len(readings) or (best is not None and end <= best[1]):
                    continue
                if all(readings[start + i] & reading for i, reading in enumerate(term_readings)):
                    best = (term, end)
        return best

    def find_phrases(self, words: Sequence[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """Runs of query words that are a multi-word term, longest first and not
        overlapping: (start, end, Norwegian lemmas)."""
        readings = [self._readings(word) for word in words]
        found = []
        start = 0
        while start < len(words):
            match = self._term_at(readings, start)
            if match is None:
                start += 1
                continue
            term, end = match
            found.append((start, end, tuple(self.norwegian(term))))
            start = end
        return found


def _spelling_variants(key: str) -> list[str]:
    """The key with American spellings made British, word by word (``labor
    market`` → ``labour market``)."""
    options = [
        [word, *(word[: len(word) - len(american)] + british for american, british in _SPELLING_VARIANTS if word.endswith(american))]
        for word in key.split()
    ]
    return [" ".join(words) for words in itertools.product(*options)][1:]


def _is_listed_norwegian(form: str) -> bool:
    """Whether the Bokmål lexicon lists this very form. A compound it could
    build (``guide`` + ``lines``) does not count: English words split too."""
    return get_lexicon().is_listed(form)


_function_words: frozenset[str] | None = None


def is_function_word(word: str) -> bool:
    """Whether the word is an English stop word (``stopwords/en.txt``): ``in``,
    ``of``, ``the`` are neither translated nor taken for English content."""
    global _function_words
    if _function_words is None:
        lines = STOPWORD_FILE.read_text(encoding="utf-8").splitlines()
        _function_words = frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))
    return _normalise(word) in _function_words


# ---------------------------------------------------------------------------
# Process-wide instance

_lock = threading.Lock()
_english: English | None = None


def get_english() -> English:
    """The process-wide :class:`English`, loaded from the cache on first use."""
    global _english
    if _english is None:
        with _lock:
            if _english is None:
                _english = English(load_tables(), read_glossary())
    return _english


def data_fingerprint() -> str:
    """A short hash of everything the translations come from: the glossary, the
    spacy-lookups-data release, the lexicon's table format and FreeDict's files."""
    digest = hashlib.sha256()
    digest.update(GLOSSARY_FILE.read_bytes())
    digest.update(repr(_source_key(None)).encode())
    return digest.hexdigest()[:16]
