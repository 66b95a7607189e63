"""Nynorsk word forms, their lemmas, and the Bokmål lemmas those lemmas translate to.

Two Debian packages supply the data; both are GPL/LGPL, so nothing of them is kept
in this repository: they are installed with apt (:func:`install_hint`) and
converted on first use into the user's cache folder, next to the Bokmål lexicon's
cache (:mod:`indexer.language.lexicon`).

``hunspell-no``
    ``nn_NO.dic`` lists stems with affix flags, ``nn_NO.aff`` says what each flag
    adds. Every stem is expanded with its suffix and prefix rules (conditions and
    cross products included) into (form, lemma) pairs: the lemma is the stem, or
    for a prefixed form the prefixed stem. Compounding flags (COMPOUNDFLAG …) add
    nothing: an unlisted compound is analysed when it is looked up (:class:`Nynorsk`).
``dict-freedict-nno-nob``
    A dictd dictionary from Nynorsk headwords to Bokmål translations.

A form an affix derives (busetjing from busetje) that the dictionary lists as a
headword is a word of its own: the lemma of itself and of the forms the same affix
class makes from it (busetjinga), not the stem's form. A stem listed without
affixes that is a form of another (skulen, busetjingsregionen) is not a lemma.

A Nynorsk lemma's Bokmål lemmas are its dictionary translations that the Bokmål
lexicon knows as lemmas; without such a translation, the lemma itself when the
Bokmål lexicon knows it (most words are shared), else a compound of translated
parts when the Bokmål lexicon knows that compound (busetjingsarbeid →
bosettingsarbeid); see :func:`bokmal_lemmas`. Building reads the Bokmål lexicon;
so may looking up a compound the tables do not list.

``get_nynorsk()`` loads the cached tables once per process, or gives ``None`` when
the packages are not installed (:func:`missing_packages` says which).
"""
from __future__ import annotations

import codecs
import gzip
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from indexer.language import lexicon as bokmal_lexicon
from indexer.language.dictd import read_dictd
from indexer.language.lexicon import gc_paused, normalise

# Bump when the pickled layout or the build rules change, so old caches are ignored.
TABLE_FORMAT = 2

HUNSPELL_PACKAGE = "hunspell-no"
FREEDICT_PACKAGE = "dict-freedict-nno-nob"
HUNSPELL_DIC = Path("/usr/share/hunspell/nn_NO.dic")
HUNSPELL_AFF = Path("/usr/share/hunspell/nn_NO.aff")
FREEDICT_INDEX = Path("/usr/share/dictd/freedict-nno-nob.index")
FREEDICT_DICT = Path("/usr/share/dictd/freedict-nno-nob.dict.dz")
PACKAGE_FILES = {
    HUNSPELL_PACKAGE: (HUNSPELL_DIC, HUNSPELL_AFF),
    FREEDICT_PACKAGE: (FREEDICT_INDEX, FREEDICT_DICT),
}
DOC_DIR = Path("/usr/share/doc")

# Compound translation: a first part this long at least (the last part as long as
# the Bokmål lexicon's shortest head), and these linking letters between them
# (busetjing-s-arbeid, skule-bygg).
_MIN_PART = 3
_LINKS = ("s", "e")
# At most this many Bokmål candidates tried per split.
_MAX_CANDIDATES = 16


# ---------------------------------------------------------------------------
# Hunspell affix files


@dataclass(frozen=True, slots=True)
class AffixRule:
    """One SFX or PFX line: remove ``strip``, add ``add``, where ``condition`` matches."""

    suffix: bool
    strip: str
    add: str
    condition: re.Pattern[str] | None

    def apply(self, word: str) -> str | None:
        """The word with this affix, or ``None`` when the rule does not apply to it."""
        # Hunspell never strips a whole word.
        if len(word) <= len(self.strip):
            return None
        if self.suffix:
            if not word.endswith(self.strip) or (self.condition and not self.condition.search(word)):
                return None
            return word[: len(word) - len(self.strip)] + self.add
        if not word.startswith(self.strip) or (self.condition and not self.condition.match(word)):
            return None
        return self.add + word[len(self.strip):]


@dataclass(slots=True)
class AffixClass:
    """The rules of one flag; ``cross`` allows combining a prefix and a suffix."""

    suffix: bool
    cross: bool
    rules: list[AffixRule] = field(default_factory=list)


@dataclass(slots=True)
class AffixFile:
    encoding: str = "iso-8859-1"
    flag_mode: str = "char"  # char | long | num | UTF-8
    classes: dict[str, AffixClass] = field(default_factory=dict)
    forbidden: str | None = None

    def flags(self, text: str) -> list[str]:
        """A dictionary entry's flag string split into flags (see FLAG in hunspell(5))."""
        if self.flag_mode == "long":
            return [text[i:i + 2] for i in range(0, len(text), 2)]
        if self.flag_mode == "num":
            return [part.strip() for part in text.split(",") if part.strip()]
        return list(text)


def _condition(text: str, suffix: bool) -> re.Pattern[str] | None:
    """Hunspell's condition (letters, ``.``, ``[abc]``, ``[^abc]``) as an anchored pattern."""
    if text in (".", ""):
        return None
    parts = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "[":
            end = text.find("]", i + 1)
            if end < 0:
                end = len(text)
            members = text[i + 1:end]
            negated = members.startswith("^")
            if negated:
                members = members[1:]
            parts.append("[" + ("^" if negated else "") + "".join(re.escape(m) for m in members) + "]")
            i = end + 1
        else:
            parts.append("." if ch == "." else re.escape(ch))
            i += 1
    pattern = "".join(parts)
    return re.compile(f"(?:{pattern})\\Z" if suffix else pattern)


def _encoding(name: str) -> str:
    for candidate in (name, name.lower().removeprefix("microsoft-")):
        with suppress(LookupError):
            return codecs.lookup(candidate).name
    return "iso-8859-1"


def _declared_encoding(raw: bytes) -> str:
    for line in raw.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == b"SET":
            return _encoding(words[1].decode("ascii", "replace"))
    return "iso-8859-1"


def read_affixes(path: Path) -> AffixFile:
    """The affix classes of a hunspell ``.aff`` file, in the encoding its SET line names."""
    raw = path.read_bytes()
    affixes = AffixFile(encoding=_declared_encoding(raw))
    for line in raw.decode(affixes.encoding, "replace").splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        keyword = words[0]
        if keyword == "FLAG" and len(words) > 1:
            affixes.flag_mode = words[1]
        elif keyword == "FORBIDDENWORD" and len(words) > 1:
            affixes.forbidden = words[1]
        elif keyword in ("SFX", "PFX") and len(words) >= 4:
            suffix = keyword == "SFX"
            flag = words[1]
            known = affixes.classes.get(flag)
            if known is None:  # the class's header: flag, cross product, rule count
                affixes.classes[flag] = AffixClass(suffix, words[2] == "Y")
                continue
            if len(words) < 5:  # no condition: any word
                words.append(".")
            strip = "" if words[2] == "0" else words[2]
            # Continuation flags after a slash (twofold affixes) are not followed.
            add = words[3].split("/", 1)[0]
            add = "" if add == "0" else add
            known.rules.append(AffixRule(suffix, strip, add, _condition(words[4], suffix)))
    return affixes


_UNESCAPED_SLASH = re.compile(r"(?<!\\)/")


def read_stems(path: Path, affixes: AffixFile) -> Iterator[tuple[str, list[str]]]:
    """(stem, flags) for every entry of a hunspell ``.dic`` file."""
    with open(path, encoding=affixes.encoding, errors="replace") as fh:
        for number, line in enumerate(fh):
            entry = line.strip()
            if not entry or (number == 0 and entry.isdigit()):
                continue
            # Morphological fields follow after white space; a slash may be escaped.
            entry = entry.split(None, 1)[0]
            slash = _UNESCAPED_SLASH.search(entry)
            stem, flags = (entry[:slash.start()], entry[slash.end():]) if slash else (entry, "")
            yield stem.replace("\\/", "/"), affixes.flags(flags)


def expand(stem: str, flags: Iterable[str], affixes: AffixFile) -> list[tuple[str, list[str]]]:
    """The stem's forms grouped as (lemma, forms of one affix class).

    The first group is the stem itself. A suffix class's forms have the stem as
    lemma; a prefixed form is a lemma of its own, and so are the forms of a
    cross-product suffix class under that prefix.
    """
    groups: list[tuple[str, list[str]]] = [(stem, [stem])]
    suffixed: list[list[str]] = []
    prefix_classes = []
    for flag in flags:
        affix_class = affixes.classes.get(flag)
        if affix_class is None:
            continue  # compounding and other flags generate nothing here
        if not affix_class.suffix:
            prefix_classes.append(affix_class)
            continue
        forms = [form for rule in affix_class.rules if (form := rule.apply(stem)) is not None]
        if forms:
            groups.append((stem, forms))
            if affix_class.cross:
                suffixed.append(forms)
    for affix_class in prefix_classes:
        for rule in affix_class.rules:
            prefixed = rule.apply(stem)
            if prefixed is None:
                continue
            groups.append((prefixed, [prefixed]))
            if not affix_class.cross:
                continue
            # The prefix's condition held on the stem; swap its strip for its add.
            for forms in suffixed:
                combined = [rule.add + form[len(rule.strip):] for form in forms if form.startswith(rule.strip)]
                if combined:
                    groups.append((prefixed, combined))
    return groups


# ---------------------------------------------------------------------------
# dictd dictionaries

def read_translations(index_path: Path, dict_path: Path) -> dict[str, list[str]]:
    """Headword → translations of a dictd dictionary (lowercase, NFC, in order):
    each entry's text is its headword line followed by one translation a line."""
    translations: dict[str, list[str]] = {}
    for headword, text in read_dictd(index_path, dict_path):
        found = translations.setdefault(normalise(headword), [])
        for entry_line in text.split("\n")[1:]:
            for translation in re.split(r"[,;]", entry_line):
                translation = normalise(translation)
                if translation and translation not in found:
                    found.append(translation)
    return translations


# ---------------------------------------------------------------------------
# Building the tables

# A form's lemma, or its lemmas when it has several.
Entry = str | tuple[str, ...]


class Tables(NamedTuple):
    """What the cache holds: ``forms`` maps each lowercase Nynorsk form to its
    lemma(s), ``bokmal`` each Nynorsk lemma or dictionary headword with a Bokmål
    equivalent to the Bokmål lemma(s)."""

    forms: dict[str, Entry]
    bokmal: dict[str, tuple[str, ...]]


# How well the Bokmål lexicon knows a word as a lemma.
UNKNOWN, COMPOUND, LISTED = 0, 1, 2


def bokmal_lemma_kind(word: str) -> int:
    """LISTED when the Bokmål lexicon lists the word as a lemma, COMPOUND when it
    takes it for a compound of listed words, else UNKNOWN."""
    lexicon = bokmal_lexicon.get_lexicon()
    if word in (lexicon._known_lemmas(word) or ()):
        return LISTED
    return COMPOUND if word in lexicon.lemmas(word) else UNKNOWN


def build_tables(
    dic_path: Path = HUNSPELL_DIC,
    aff_path: Path = HUNSPELL_AFF,
    index_path: Path = FREEDICT_INDEX,
    dict_path: Path = FREEDICT_DICT,
    bokmal_kind: Callable[[str], int] = bokmal_lemma_kind,
) -> Tables:
    """Expand the hunspell dictionary and join it with the dictd translations."""
    with gc_paused():
        translations = read_translations(index_path, dict_path)
        forms = _form_lemmas(dic_path, aff_path, set(translations))
        return Tables(forms, bokmal_lemmas(forms, translations, bokmal_kind))


def _form_lemmas(dic_path: Path, aff_path: Path, headwords: set[str]) -> dict[str, Entry]:
    affixes = read_affixes(aff_path)
    intern = sys.intern
    found: dict[str, set[str]] = {}
    bare: set[str] = set()  # stems listed without an affix: often a form listed in full
    for stem, flags in read_stems(dic_path, affixes):
        if affixes.forbidden and affixes.forbidden in flags:
            continue
        groups = expand(stem, flags, affixes)
        if len(groups) == 1:
            bare.add(intern(normalise(stem)))
        for lemma, forms in groups:
            lemma = intern(normalise(lemma))
            normalised = [intern(normalise(form)) for form in forms]
            # A derived form the dictionary lists is a word of its own: the lemma of
            # itself and of the longer forms of its class (busetjing, busetjinga),
            # in place of the stem it was derived from (busetje).
            derived = [form for form in normalised if form != lemma and form in headwords]
            for form in normalised:
                lemmas = found.setdefault(form, set())
                own = [word for word in derived if form.startswith(word)]
                if own:
                    lemmas.update(own)
                else:
                    lemmas.add(lemma)
    for stem in bare - headwords:
        _lemmatise_full_form(stem, found)
    entries: dict[str, Entry] = {}
    for form, lemmas in found.items():
        if len(lemmas) == 1:
            entries[form] = next(iter(lemmas))
        else:
            # Lemmas the dictionary lists first, then the shortest.
            entries[form] = tuple(sorted(lemmas, key=lambda lemma: (lemma not in headwords, len(lemma), lemma)))
    return entries


def _lemmatise_full_form(stem: str, found: dict[str, set[str]]) -> None:
    """A stem listed without affixes that is a form of another stem is not a lemma
    of its own (skulen beside skule/A), nor is one that ends in a form of another
    (busetjingsregionen → busetjingsregion)."""
    lemmas = found[stem]
    if len(lemmas) > 1:
        lemmas.discard(stem)
        return
    for modifier, _link, head in _splits(stem):
        head_lemmas = found.get(head)
        if head_lemmas and head not in head_lemmas and modifier in found.get(modifier, ()):
            start = len(stem) - len(head)
            found[stem] = {sys.intern(stem[:start] + lemma) for lemma in head_lemmas}
            return


def bokmal_lemmas(
    forms: Mapping[str, Entry], translations: dict[str, list[str]], bokmal_kind: Callable[[str], int]
) -> dict[str, tuple[str, ...]]:
    """Nynorsk lemma (or dictionary headword) → Bokmål lemmas, by the first rule that gives any:

    1. its dictionary translations that the Bokmål lexicon knows as lemmas;
    2. the lemma itself when the Bokmål lexicon knows it, and what the dictionary's
       compounds say the lemma means as a compound's last part (:func:`_head_translations`);
    3. a compound of its parts' Bokmål lemmas that the Bokmål lexicon knows, only
       the listed ones when it lists any (arbeidsgiver, not arbeidesgiver).
    A compound the Bokmål lexicon does not list but can split (kjønnsskilnad) keeps
    itself and gets rule 3 too (kjønnsforskjell): it is Nynorsk more often than not.
    """
    kinds: dict[str, int] = {}

    def kind(word: str) -> int:
        if word not in kinds:
            kinds[word] = UNKNOWN if " " in word else bokmal_kind(word)
        return kinds[word]

    def is_known(word: str) -> bool:
        return kind(word) != UNKNOWN

    lemmas = {lemma for entry in forms.values() for lemma in ((entry,) if isinstance(entry, str) else entry)}
    learned = _head_translations(translations, is_known)
    # Rules 1 and 2 for every word that may be a compound's part, lemma or not.
    translated: dict[str, tuple[str, ...]] = {}
    for word in {*lemmas, *translations, *learned}:
        found = [target for target in translations.get(word, ()) if is_known(target)]
        if not found:
            found = [word, *learned.get(word, ())] if is_known(word) else list(learned.get(word, ()))
        if found:
            translated[word] = tuple(dict.fromkeys(found))
    translate_part = _part_translator(translated, forms, kind)
    # Shortest first, so a compound's parts are settled before the compound.
    split_only = {word for word, found in translated.items() if found[0] == word and word in lemmas
                  and word not in translations and kind(word) == COMPOUND}
    for lemma in sorted((lemmas - translated.keys()) | split_only, key=lambda word: (len(word), word)):
        found = _compound_translation(lemma, translate_part, kind)
        if lemma in split_only:
            translated[lemma] = tuple(dict.fromkeys([*translated[lemma], *found]))
        elif found:
            translated[lemma] = tuple(found)
    return translated


def _splits(word: str) -> Iterator[tuple[str, str, str]]:
    """(first part, linking letter, last part) of a word, longest last part first."""
    if not word.isalpha():
        return
    for start in range(_MIN_PART, len(word) - bokmal_lexicon.MIN_HEAD + 1):
        left, head = word[:start], word[start:]
        yield left, "", head
        if left[-1] in _LINKS and len(left) > _MIN_PART:
            yield left[:-1], left[-1], head


def _head_translations(translations: dict[str, list[str]], is_known: Callable[[str], bool]) -> dict[str, list[str]]:
    """Bokmål lemmas of last parts the dictionary has no entry for, read off its
    compounds: rådgjevar → rådgiver, with råd → råd, says gjevar → giver."""
    learned: dict[str, list[str]] = {}
    for headword, targets in translations.items():
        for modifier, link, head in _splits(headword):
            if head in translations:
                continue
            for bokmal_modifier in dict.fromkeys([*translations.get(modifier, ()), modifier]):
                prefix = bokmal_modifier + link
                for target in targets:
                    rest = target[len(prefix):]
                    if target.startswith(prefix) and len(rest) >= bokmal_lexicon.MIN_HEAD and is_known(rest):
                        found = learned.setdefault(head, [])
                        if rest not in found:
                            found.append(rest)
    return learned


def _compound_translation(lemma: str, translate: Callable[[str], tuple[str, ...]], kind: Callable[[str], int]) -> list[str]:
    """Bokmål compounds of the Bokmål lemmas of the lemma's two parts, longest last part
    first: those the Bokmål lexicon lists, else those it takes for compounds."""
    for modifier, link, head in _splits(lemma):
        heads = translate(head)
        modifiers = translate(modifier) if heads else ()
        if not modifiers:
            continue
        candidates = [m + link + h for m in modifiers for h in heads][:_MAX_CANDIDATES]
        kinds = {candidate: kind(candidate) for candidate in candidates}
        found = [candidate for candidate in candidates if kinds[candidate] == LISTED]
        found = found or [candidate for candidate in candidates if kinds[candidate] == COMPOUND]
        if found:
            return found
    return []


def _part_translator(
    translated: Mapping[str, tuple[str, ...]], forms: Mapping[str, Entry], kind: Callable[[str], int]
) -> Callable[[str], tuple[str, ...]]:
    """A compound part's Bokmål lemmas: its own, else the part itself when it is a
    Nynorsk form the Bokmål lexicon lists as a lemma (a first part like kvalifisering
    is a form of kvalifisere here)."""

    def translate(part: str) -> tuple[str, ...]:
        found = translated.get(part)
        if found:
            return found
        return (part,) if part in forms and kind(part) == LISTED else ()

    return translate


def coverage(tables: Tables) -> float:
    """Share of Nynorsk lemmas with at least one Bokmål lemma."""
    lemmas = {lemma for entry in tables.forms.values() for lemma in ((entry,) if isinstance(entry, str) else entry)}
    return sum(1 for lemma in lemmas if lemma in tables.bokmal) / len(lemmas) if lemmas else 0.0


# ---------------------------------------------------------------------------
# Packages, versions and the cache


def missing_packages() -> list[str]:
    """The Debian packages whose files are not installed."""
    return [package for package, files in PACKAGE_FILES.items() if not all(path.is_file() for path in files)]


def install_hint() -> str:
    """The command that installs the missing packages (all of them when none is missing)."""
    return "apt-get install -y " + " ".join(missing_packages() or PACKAGE_FILES)


def _package_version(package: str) -> str:
    """The installed version from the package's Debian changelog, else its files' sizes and times."""
    with suppress(OSError, EOFError), gzip.open(DOC_DIR / package / "changelog.Debian.gz", "rt", encoding="utf-8") as fh:
        match = re.search(r"\(([^)]+)\)", fh.readline())
        if match:
            return match.group(1)
    stamps = []
    for path in PACKAGE_FILES[package]:
        with suppress(OSError):
            info = path.stat()
            stamps.append(f"{info.st_size}.{int(info.st_mtime)}")
    return "-".join(stamps) or "absent"


def data_fingerprint() -> str:
    """A short text that changes when the data changes: package versions, the Bokmål
    lexicon the translations are checked against, and the table format."""
    versions = " ".join(f"{package}=={_package_version(package)}" for package in PACKAGE_FILES)
    bokmal = f"{bokmal_lexicon.LOOKUPS_DISTRIBUTION}=={metadata.version(bokmal_lexicon.LOOKUPS_DISTRIBUTION)}"
    return f"{versions} {bokmal} t{bokmal_lexicon.TABLE_FORMAT} nn-t{TABLE_FORMAT}"


def cache_path(folder: Path) -> Path:
    safe = re.sub(r"[^A-Za-z0-9.+-]+", "_", data_fingerprint().replace("==", "-"))
    return folder / f"nn-tables-{safe}.pickle"


def load_tables(directory: Path | None = None, build: Callable[[], Tables] = build_tables) -> Tables:
    """The tables from the cache, building and caching them when needed (as the lexicon does)."""
    return bokmal_lexicon.cached(cache_path, build, lambda tables: (TABLE_FORMAT, *tables),
                                 lambda payload: bokmal_lexicon.unpack_tables(payload, TABLE_FORMAT, Tables), directory)


# ---------------------------------------------------------------------------
# Lookups


class Nynorsk:
    """Lemmas of Nynorsk word forms and the Bokmål lemmas of Nynorsk lemmas.

    Compounds the tables do not list are analysed as a lemma, an optional linking
    -s- or -e-, and a listed form (busetjingskommunane → busetjingskommune),
    and translated part by part; ``bokmal_kind`` (:func:`bokmal_lemma_kind`) says
    which of the Bokmål compounds made so are words.
    """

    def __init__(self, tables: Tables, bokmal_kind: Callable[[str], int] = bokmal_lemma_kind):
        self._forms = tables.forms
        self._bokmal = tables.bokmal
        self._bokmal_kind = bokmal_kind
        self._translate_part = _part_translator(self._bokmal, self._forms, bokmal_kind)
        # Bounded: an indexer sees millions of distinct tokens over its life.
        self._compound_lemmas = lru_cache(maxsize=100_000)(self._compound_lemmas_uncached)
        self._compound_bokmal = lru_cache(maxsize=100_000)(self._compound_bokmal_uncached)

    def __len__(self) -> int:
        return len(self._forms)

    def _listed(self, form: str) -> tuple[str, ...]:
        entry = self._forms.get(form)
        if entry is None:
            return ()
        return (entry,) if isinstance(entry, str) else entry

    def is_listed(self, word: str) -> bool:
        """Whether the tables list this form (a compound analysed at lookup does not count:
        English words split too, guide+lines)."""
        return bool(self._listed(normalise(word)))

    def lemmas(self, word: str) -> list[str]:
        """Nynorsk lemma(s) of a word form; ``[]`` when the form is unknown."""
        form = normalise(word)
        return list(self._listed(form) or self._compound_lemmas(form))

    def _compound_lemmas_uncached(self, form: str) -> tuple[str, ...]:
        for modifier, _link, head in _splits(form):
            head_lemmas = self._listed(head)
            if head_lemmas and self._is_modifier(modifier):
                start = len(form) - len(head)
                return tuple(form[:start] + lemma for lemma in head_lemmas)
        return ()

    def _is_modifier(self, part: str) -> bool:
        """A Nynorsk lemma, or a form of one that Bokmål lists as a lemma (kvalifisering,
        a form of kvalifisere here): not any form (boset+tingen)."""
        listed = self._listed(part)
        return part in listed or (bool(listed) and self._bokmal_kind(part) == LISTED)

    def bokmal(self, lemma: str) -> list[str]:
        """Bokmål lemma(s) of a Nynorsk lemma; ``[]`` when there is none."""
        lemma = normalise(lemma)
        return list(self._bokmal.get(lemma) or self._compound_bokmal(lemma))

    def _compound_bokmal_uncached(self, lemma: str) -> tuple[str, ...]:
        if lemma in self._forms:  # a listed lemma without a Bokmål lemma
            return ()
        return tuple(_compound_translation(lemma, self._translate_part, self._bokmal_kind))


_NYNORSK: Nynorsk | None = None


def get_nynorsk() -> Nynorsk | None:
    """The process-wide Nynorsk tables, loaded from the cache on first use;
    ``None`` when the Debian packages are not installed."""
    global _NYNORSK
    if _NYNORSK is None:
        if missing_packages():
            return None
        _NYNORSK = Nynorsk(load_tables())
    return _NYNORSK
