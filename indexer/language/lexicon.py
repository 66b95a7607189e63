"""Bokmål word forms, their lemmas, and compound splitting.

The word list is Norsk Ordbank as shipped in ``spacy-lookups-data`` (CC BY 4.0):
every form of every noun, verb, adjective and adverb, each mapped to its lemma.
Parsing that gzipped JSON takes well over a second, so the merged, lowercased
table is kept as a pickle in the user's cache folder (``RAPPORTSOK_CACHE_DIR``,
else ``$XDG_CACHE_HOME/rapportsok`` or ``~/.cache/rapportsok``; a private folder
in the temporary directory when that cannot be written), named after the
spacy-lookups-data version and the table layout, and rebuilt when it is missing
or unreadable. Never next to the code: an installed package may be read-only.
``get_lexicon()`` loads it once per process.

The upstream table keeps one lemma per form and part of speech, so a form shared
by two lemmas lost one of them (``går`` lists only ``gåre``, not ``gå``). The
build puts regular inflections back where such a collision happened, so that a
query and a document meet on at least one shared lemma.
"""
from __future__ import annotations

import gc
import gzip
import json
import os
import pickle
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from indexer.config import language_data

# Part-of-speech bits, per form and per lemma. PROPER marks names (Tromsø,
# Tomassen): known words, but never split into parts or used as one.
NOUN, VERB, ADJ, ADV, OTHER, PROPER = 1, 2, 4, 8, 16, 32
_POS_BITS = {"noun": NOUN, "verb": VERB, "adj": ADJ, "adv": ADV}

# Bump when the pickled layout or the build rules change, so old caches are ignored.
TABLE_FORMAT = 6

# spacy-lookups-data and the tables read from it: its version names the cache file,
# and all three go into the index fingerprint (indexer/index/fingerprint.py).
LOOKUPS_DISTRIBUTION = "spacy-lookups-data"
LEMMA_EXC_TABLE = "nb_lemma_exc.json.gz"
LEMMA_LOOKUP_TABLE = "nb_lemma_lookup.json.gz"
EXCEPTIONS_FILE = language_data("compound_exceptions.txt")

# Regular endings used to repair collisions: a form is given back to a lemma only
# if the form is this lemma plus one of these endings and the table lists the form
# under the same part of speech.
_REGULAR_ENDINGS = {
    NOUN: ("en", "et", "a", "er", "ene"),
    VERB: ("r", "s"),
    ADJ: ("e", "t", "ere", "est", "este"),
}

# Compound rules. Parts shorter than these are allowed only from the short lists:
# most short strings at either end of a word are syllables, not words
# (kon+takt, rap+port, kul+tur; auk+sjon, ensyklopedi+ste).
MIN_MODIFIER = 4
MIN_HEAD = 4
# The shortest word a derivation may give or start from (ting, lov are left alone).
MIN_STEM = 5
# Short first parts that are common words; other three-letter strings at the
# start of a word are mostly syllables (kon+takt, rap+port, kul+tur).
_SHORT_MODIFIERS = frozenset(
    """
    bo by ny år øy hus bil fag lov tid mål syk fly sko mat råd rus vei veg liv sak
    dag ord art mor far bok fot lyd lys rom sjø hav fri lav høy høg tog gul rød blå
    """.split()
)
# A four-letter first part must start this many listed compounds (nabo, halv,
# stat do; kont, rele, gene, demo do not).
_MIN_FOUR_LETTER_MODIFIER_USES = 10
_SHORT_HEADS = frozenset(
    """
    år tid sak lov hus dag lag rom mål vei veg råd liv fag lån ord bok bil båt løp
    tap syn art sum mat ide idé tur løs rik syk lys lyd uke vær tog fly dyr fot tak
    bot rett
    """.split()
)
# An adverb in -s this long may start a compound (utenlands+opphold).
MIN_S_ADVERB_MODIFIER = 6
# A word the lexicon does not know, ending in a word that ends this many listed
# compounds, is taken as a compound of that head (innlåsnings+effekt): its lemma
# follows the head's, and the head is one of its parts.
MIN_HEAD_COUNT_FOR_UNKNOWN = 20
MIN_UNKNOWN_MODIFIER = 5
MIN_UNLINKED_HEAD = 8
# Linking letters between a modifier and the rest: arbeid-s-liv, barn-e-hage.
_LINKS = ("", "s", "e")
# Modifiers with these endings always take a linking -s- before another part
# (integrering-s-arbeid, kvalitet-s-sikring), so popularitet+sjakt is wrong.
_S_LINKED_ENDINGS = ("het", "sjon", "else", "tet", "ning", "ing", "dom", "skap", "nad")
# Prepositions, adverbs and prefixes that double as rare nouns (under, mot, med …):
# as the first part they give splits nobody searches for (under+visning).
_NOT_MODIFIERS = frozenset(
    """
    av bak ben bi dom etter for fore fra gjen inn med mel mis mot ned når
    opp over sam til ulike under ut uten van vel ver ved hen inne oms tids
    """.split()
)
# Derivational endings that are also words (fattig+dom, frihet → fri+het, venn+skap):
# never a compound's head.
_NOT_HEADS = frozenset(
    """
    dom het heit skap else inne nad sel ing ning lig ske ere ene ert ist ister isme
    ment ant ent ion sjon asjon ør ende ring tilling tikk
    """.split()
)


def normalise(word: str) -> str:
    """How a word form is looked up: NFC, stripped, lowercase."""
    return unicodedata.normalize("NFC", word.strip()).lower()


# ---------------------------------------------------------------------------
# Building the table

# A form's entry: its lemma, or (part-of-speech mask, lemma, …); see Tables.
Entry = str | tuple[Any, ...]


class Tables(NamedTuple):
    """What the cache holds.

    ``entries`` maps each lowercase form to its lemma (a plain string for the
    common case of a noun with one lemma, which saves a third of the memory)
    or to ``(pos_mask, lemma, …)``. ``lemma_pos`` maps each lemma to the parts
    of speech it is a lemma of. ``head_counts`` says how many listed compounds
    end in a lemma: skole ends hundreds, kole next to none, which settles
    spesiallærer+skole against spesiallærer+s+kole.
    ``modifier_counts`` likewise counts the compounds a lemma starts.
    """

    entries: dict[str, Entry]
    lemma_pos: dict[str, int]
    head_counts: dict[str, int]
    modifier_counts: dict[str, int]


def _read_json(path: Path | Traversable) -> dict:
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _lookups_table(name: str) -> Traversable:
    """A table shipped in the spacy-lookups-data package."""
    return resources.files("spacy_lookups_data") / "data" / name


def _regular_forms(lemma: str, pos_bit: int) -> list[str]:
    if lemma.endswith("e") and pos_bit in (NOUN, VERB):
        stem = lemma[:-1]
        if pos_bit == NOUN:  # jente → jenta, jenten, jenter, jentene
            return [stem + "a", lemma + "n", lemma + "r", lemma + "ne", lemma + "t"]
        # arbeide → arbeider, arbeides, arbeidet, arbeidde, arbeidte
        return [lemma + "r", lemma + "s", stem + "et", stem + "de", stem + "te"]
    if pos_bit == VERB and lemma[-1:] not in "aeiouyæøå":
        return []
    return [lemma + ending for ending in _REGULAR_ENDINGS.get(pos_bit, ())]


def build_tables(lemma_exc_path: Path | Traversable | None = None, lookup_path: Path | Traversable | None = None) -> Tables:
    """Parse spacy-lookups-data's Bokmål tables into :class:`Tables` (a few seconds)."""
    with gc_paused():
        return _build_tables(lemma_exc_path, lookup_path)


@contextmanager
def gc_paused():
    # Millions of small containers make the cyclic collector run over and over
    # while nothing cyclic is made: pausing it halves build and load times.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_tables(lemma_exc_path: Path | Traversable | None, lookup_path: Path | Traversable | None) -> Tables:
    lemma_exc_path = lemma_exc_path or _lookups_table(LEMMA_EXC_TABLE)
    lookup_path = lookup_path or _lookups_table(LEMMA_LOOKUP_TABLE)
    intern = sys.intern

    by_pos: dict[int, dict[str, set[str]]] = {}
    for pos_name, table in _read_json(lemma_exc_path).items():
        bit = _POS_BITS.get(pos_name, OTHER)
        forms = by_pos.setdefault(bit, {})
        # Names (capitalised lemmas) go to their own table.
        names = by_pos.setdefault(PROPER, {})
        for form, lemmas in table.items():
            if " " in form:  # multi-word entries can never match one token
                continue
            for lemma in lemmas:
                target = names if lemma[:1].isupper() and lemma.isalpha() else forms
                target.setdefault(intern(form.lower()), set()).add(intern(lemma.lower()))

    lemma_pos: dict[str, int] = {}
    for bit, forms in by_pos.items():
        all_lemmas = {lemma for lemmas in forms.values() for lemma in lemmas}
        for lemma in all_lemmas:
            lemma_pos[lemma] = lemma_pos.get(lemma, 0) | bit
            # A lemma is always a form of itself (some lost their own entry).
            forms.setdefault(lemma, set()).add(lemma)
            for form in _regular_forms(lemma, bit):
                if form in forms:
                    forms[form].add(lemma)

    other = by_pos.setdefault(OTHER, {})
    for form, lemma in _read_json(lookup_path).items():
        if " " not in form:
            other.setdefault(intern(form.lower()), set()).add(intern(lemma.lower()))

    merged: dict[str, list] = {}
    for bit, forms in by_pos.items():
        for form, lemmas in forms.items():
            entry = merged.setdefault(form, [0, set()])
            entry[0] |= bit
            entry[1].update(lemmas)

    entries: dict[str, Entry] = {}
    for form, (mask, lemmas) in merged.items():
        # Shortest lemma first: for arbeidet (arbeid, arbeide) the plain noun.
        ordered = tuple(sorted(lemmas, key=lambda lemma: (len(lemma), lemma)))
        if mask == NOUN and len(ordered) == 1:
            entries[form] = ordered[0]
        else:
            entries[form] = (mask, *ordered)
    return Tables(entries, lemma_pos, *_count_parts(lemma_pos))


def _count_parts(lemma_pos: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """How many listed lemmas end in each lemma, and how many start with it."""
    heads: dict[str, int] = {}
    modifiers: dict[str, int] = {}
    for word, mask in lemma_pos.items():
        if not mask & (NOUN | ADJ) or not word.isalpha():
            continue
        plain_heads = set()
        for k in range(2, len(word) - 1):
            head = word[k:]
            if not _can_be_head(lemma_pos, head, NOUN | ADJ):
                continue
            left = word[:k]
            if _modifier_pos(lemma_pos, left, shortest=3):
                plain_heads.add(k)
                modifier = left
            elif (
                left[-1] in "se"
                and _link_allowed(left[:-1], left[-1], _modifier_pos(lemma_pos, left[:-1], shortest=3))
                # grunnskole credits skole, not grunn+s+kole
                and not (left[-1] == "s" and k - 1 in plain_heads)
            ):
                modifier = left[:-1]
            else:
                continue
            heads[head] = heads.get(head, 0) + 1
            modifiers[modifier] = modifiers.get(modifier, 0) + 1
    return heads, modifiers


# ---------------------------------------------------------------------------
# Cache


def cache_dir() -> Path:
    """The user's cache folder for the lexicon: ``RAPPORTSOK_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/rapportsok``, else ``~/.cache/rapportsok``.

    Raises ``RuntimeError`` when neither is set and there is no home folder.
    """
    configured = os.environ.get("RAPPORTSOK_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg_cache = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg_cache):  # the XDG spec says to ignore a relative path
        return Path(xdg_cache) / "rapportsok"
    return Path.home() / ".cache" / "rapportsok"


def fallback_cache_dir() -> Path:
    """Where the cache goes when the user's cache folder cannot be written (a
    service account with a read-only or missing home)."""
    return Path(tempfile.gettempdir()) / f"rapportsok-{os.getuid()}"


def cache_path(directory: Path | None = None) -> Path:
    version = metadata.version(LOOKUPS_DISTRIBUTION)
    return (directory or cache_dir()) / f"nb-lexicon-{version}-t{TABLE_FORMAT}.pickle"


def _is_private_folder(path: Path, create: bool) -> bool:
    """Whether only this user can write the folder (made so when ``create``).

    The fallback lives in a shared temporary directory, where another user
    could otherwise leave a pickle for us to load.
    """
    try:
        if create:
            path.mkdir(mode=0o700, exist_ok=True)
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def cache_folders(create: bool) -> Iterator[Path]:
    """The user's cache folder, then the fallback; computed lazily, so the
    fallback is only looked at when the first one did not serve."""
    user_folder = None
    with suppress(RuntimeError):  # no home folder to be found
        user_folder = cache_dir()
    if user_folder is not None:
        yield user_folder
    fallback = fallback_cache_dir()
    if _is_private_folder(fallback, create):
        yield fallback


def _read_pickle(path: Path) -> Any:
    """What a cache file holds, ``None`` when it is missing or unreadable."""
    try:
        with open(path, "rb") as fh, gc_paused():
            return pickle.load(fh)
    except Exception:  # missing, truncated or garbage: rebuild
        return None


def _write_pickle(path: Path, payload: Any) -> bool:
    """Write a cache file atomically; ``False`` when the folder cannot be written."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        # Atomic, so parallel index workers never read half a file.
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)
        return False


T = TypeVar("T")


def cached(
    path_in: Callable[[Path], Path],
    build: Callable[[], T],
    pack: Callable[[T], Any],
    unpack: Callable[[Any], T | None],
    directory: Path | None = None,
) -> T:
    """Language tables built once and kept as a pickle in the cache folder.

    ``path_in(folder)`` names the file (after everything the tables come from);
    ``unpack`` gives the tables back from what the file holds, or ``None`` for a
    file of another format. ``directory`` pins the cache folder; by default the
    user's cache folder is used, or the fallback when it cannot be written.
    Without any writable folder the tables are still built, in memory, on every start.
    """
    for folder in [directory] if directory is not None else cache_folders(create=False):
        payload = _read_pickle(path_in(folder))
        found = unpack(payload) if payload is not None else None
        if found is not None:
            return found
    tables = build()
    for folder in [directory] if directory is not None else cache_folders(create=True):
        if _write_pickle(path_in(folder), pack(tables)):
            break
    return tables


def unpack_tables(payload: Any, table_format: int, kind: Callable[..., T]) -> T | None:
    """Tables of ``kind`` (a NamedTuple of dicts) from a cache file written as
    ``(table_format, *tables)``; ``None`` for another format or an empty table."""
    fields = getattr(kind, "_fields", ())
    if (
        isinstance(payload, tuple)
        and len(payload) == 1 + len(fields)
        and payload[0] == table_format
        and all(isinstance(part, dict) for part in payload[1:])
        and payload[1]
    ):
        return kind(*payload[1:])
    return None


def load_tables(directory: Path | None = None, build: Callable[[], Tables] = build_tables) -> Tables:
    """The lexicon tables from the cache, building and caching them when needed (:func:`cached`)."""
    return cached(cache_path, build, lambda tables: (TABLE_FORMAT, *tables),
                  lambda payload: unpack_tables(payload, TABLE_FORMAT, Tables), directory)


# ---------------------------------------------------------------------------
# The lexicon


def _read_word_list(path: Traversable) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(normalise(line))
    return frozenset(words)


class Lexicon:
    """Lemmas, known words and compound parts for Norwegian Bokmål."""

    def __init__(self, tables: Tables, no_split: frozenset[str] = frozenset()):
        self._entries = tables.entries
        self._lemma_pos = tables.lemma_pos
        self._head_counts = tables.head_counts
        self._modifier_counts = tables.modifier_counts
        self._no_split = no_split
        # Bounded: an indexer sees millions of distinct tokens over its life.
        self._split = lru_cache(maxsize=200_000)(self._split_uncached)

    def __len__(self) -> int:
        return len(self._entries)

    # -- lookups ---------------------------------------------------------

    def _entry(self, form: str) -> tuple[int, tuple[str, ...]] | None:
        entry = self._entries.get(form)
        if entry is None:
            return None
        if isinstance(entry, str):
            return NOUN, (entry,)
        return entry[0], entry[1:]

    def _known_lemmas(self, form: str) -> list[str] | None:
        entry = self._entry(form)
        return list(entry[1]) if entry else None

    def lemmas(self, word: str) -> list[str]:
        """Lemma(s) of a word form; ``[]`` when the word is unknown.

        Handles genitive -s (``flyktningers``, ``kommunenes``), the apostrophe
        genitive (``IMDi's``), an acronym's genitive when the case shows it
        (``IMDis``, ``NAVs``) and compounds the lexicon does not list
        (``bosettingskommuner`` → ``bosettingskommune``).
        """
        raw = unicodedata.normalize("NFC", word.strip())
        form = raw.lower()
        if not form:
            return []
        if form.endswith(("'s", "’s")) and len(form) > 2:
            stem = form[:-2]
            return self._known_lemmas(stem) or self._compound_lemmas(stem) or [stem]
        found = self._known_lemmas(form)
        if found:
            return found
        if form.endswith("s") and len(form) > 3:
            found = self._known_lemmas(form[:-1])
            if found:
                return found
        if _is_acronym_genitive(raw):
            return [form[:-1]]
        return self._compound_lemmas(form)

    def _compound_lemmas(self, form: str) -> list[str]:
        split = self._split_with_genitive(form)
        if split is None:
            return []
        head_start, head_lemma = split[-1]
        return [form[:head_start] + head_lemma]

    def is_listed(self, form: str) -> bool:
        """Whether the word list has this form (or its genitive's stem): a Bokmål word form."""
        form = normalise(form)
        return form in self._entries or (form.endswith("s") and form[:-1] in self._entries)

    def is_listed_lemma(self, word: str) -> bool:
        """Whether the word list has this very word as a lemma (not only a compound or
        an inflection the lexicon could make of it): ``migrasjon``, ``skolehage``."""
        return self.is_listed(word) and word in self.lemmas(word)

    def derived_lemmas(self, lemma: str) -> list[str]:
        """Lemmas of the same word family by Norwegian's regular noun–verb–adjective
        derivations, each only when the word list has it with that part of speech:
        the action noun and its verb (``diskriminering`` ↔ ``diskriminere``,
        ``bosetting`` ↔ ``bosette``, ``integrasjon`` ↔ ``integrere``, ``forståelse`` ↔
        ``forstå``), and an adjective and its ``-het`` or ``-itet`` noun (``tilgjengelig`` ↔
        ``tilgjengelighet``, ``representativ`` ↔ ``representativitet``). A noun and a verb of the same letters (``plan`` ↔ ``plane``,
        ``samarbeid`` ↔ ``samarbeide``) are left out: too often two different words."""
        lemma = normalise(lemma)
        pos = self._lemma_pos.get(lemma, 0)
        found: list[str] = []

        def add(word: str, bit: int) -> None:
            if word != lemma and len(word) >= MIN_STEM and self._lemma_pos.get(word, 0) & bit and word not in found:
                found.append(word)

        if pos & NOUN:
            for suffix, verb_ending in (("ing", "e"), ("asjon", "ere"), ("else", "e"), ("else", "")):
                if lemma.endswith(suffix) and len(lemma) - len(suffix) >= MIN_STEM:
                    add(lemma[: -len(suffix)] + verb_ending, VERB)
            for suffix in ("het", "itet"):
                if lemma.endswith(suffix):
                    add(lemma[: -len(suffix)], ADJ)
        if pos & VERB and lemma.endswith("e"):
            stem = lemma[:-1]
            add(stem + "ing", NOUN)
            add(stem + "else", NOUN)
            if lemma.endswith("ere"):
                add(lemma[:-3] + "asjon", NOUN)
        elif pos & VERB:
            add(lemma + "else", NOUN)
        if pos & ADJ:
            add(lemma + "het", NOUN)
            add(lemma + "itet", NOUN)
        return found

    def regular_forms(self, lemma: str) -> list[str]:
        """The lemma and its regular inflections for each part of speech it has (a
        compound's from its head's): ``jobbspesialist`` → jobbspesialisten,
        jobbspesialister, jobbspesialistene …."""
        lemma = normalise(lemma)
        pos = self._lemma_pos.get(lemma, 0)
        if not pos:
            split = self._split(lemma)
            pos = self._lemma_pos.get(split[-1][1], 0) if split else 0
        forms = [lemma]
        for bit in (NOUN, VERB, ADJ):
            if pos & bit:
                forms += [form for form in _regular_forms(lemma, bit) if form not in forms]
        return forms

    def is_word(self, word: str) -> bool:
        """Whether this is a Norwegian word form: listed, a genitive of one, or a
        compound of listed words. Used to decide whether a line-end hyphen is a
        split word (``vide-``/``regående``) or a real hyphen."""
        form = normalise(word)
        if not form:
            return False
        if form in self._entries:
            return True
        if form.endswith("s") and form[:-1] in self._entries:
            return True
        return bool(self.split_compound(form))

    def split_compound(self, word: str) -> list[str]:
        """Lemma parts of a compound, ``[]`` if the word is not one.

        ``introduksjonsprogrammet`` → ``["introduksjon", "program"]``;
        ``barnefattigdom`` → ``["barn", "fattigdom"]``.
        """
        split = self._split_with_genitive(normalise(word))
        return [lemma for _, lemma in split] if split else []

    def _split_with_genitive(self, form: str) -> tuple[tuple[int, str], ...] | None:
        # A genitive of a listed word is that word (kommunenes), not kommune+nes.
        if form not in self._entries and form.endswith("s") and len(form) > 3:
            stem = form[:-1]
            if stem in self._entries:
                return self._split(stem)
            return self._split(form) or self._split(stem)
        return self._split(form)

    # -- compound splitting ---------------------------------------------

    def _split_uncached(self, form: str) -> tuple[tuple[int, str], ...] | None:
        """Best split as ((start, lemma), …), or None for a word that is not a compound.

        Dynamic programming over the suffixes of the word: each modifier is a
        lemma, optionally followed by a linking -s- or -e-; the last part (the
        head) is a noun or adjective form. Fewest parts wins, then the head
        that ends the most listed compounds (spesiallærer+skole, not
        spesiallærer+s+kole; arbeidsmarked+s+tiltak, not arbeid+s+markedstiltak),
        then fewest linking letters (bakke+nivå, not bakk+e+nivå), then the
        longest head.
        """
        if len(form) < 5 or not form.isalpha():
            return None
        if form in self._no_split:
            return None
        whole = self._entry(form)
        if whole is None:
            head_pos = NOUN | ADJ
            whole_lemmas: tuple[str, ...] = ()
        else:
            if any(lemma in self._no_split for lemma in whole[1]):
                return None
            # A listed word splits only into a head of its own part of speech;
            # participles (bosatt → bosette, fortalte → fortelle) not at all.
            head_pos = whole[0] & (NOUN | ADJ)
            whole_lemmas = tuple(
                lemma for lemma in whole[1]
                if self._lemma_pos.get(lemma, 0) & head_pos and not self._lemma_pos.get(lemma, 0) & VERB
            )
            if not whole_lemmas:
                return None
        if not head_pos:
            return None
        # A noun made from a verb (markering from markere) is not mark+e+ring:
        # its head must be such a noun too (problemløsing → problem+løsing).
        verbal = any(self._is_verbal_noun(lemma) for lemma in whole_lemmas)
        found = self._best_parts(form, head_pos, whole_lemmas, verbal)
        if not found and whole is None:
            found = self._head_only(form)
        return tuple(found) if found else None

    def _head_only(self, form: str) -> list[tuple[int, str]] | None:
        """An unknown word as (its unknown first part, a common noun head): the longest
        head that ends at least :data:`MIN_HEAD_COUNT_FOR_UNKNOWN` listed compounds,
        after a first part of :data:`MIN_UNKNOWN_MODIFIER` letters or more that ends
        in a linking -s- (``innlåsningseffekten`` → innlåsning, effekt), or a head of
        :data:`MIN_UNLINKED_HEAD` letters or more. Shorter unlinked heads are mostly
        the ends of foreign or misread words (interes+ting, outper+form)."""
        for start in range(MIN_UNKNOWN_MODIFIER, len(form) - MIN_HEAD + 1):
            modifier = form[:start]
            linked = modifier.endswith("s") and len(modifier) > MIN_UNKNOWN_MODIFIER
            if not linked and len(form) - start < MIN_UNLINKED_HEAD:
                break
            head_lemma = self._head_lemma(form, start, NOUN, ())
            if head_lemma is None or self._head_counts.get(head_lemma, 0) < MIN_HEAD_COUNT_FOR_UNKNOWN:
                continue
            return [(0, modifier[:-1] if linked else modifier), (start, head_lemma)]
        return None

    def _is_verbal_noun(self, lemma: str) -> bool:
        if not lemma.endswith("ing") or len(lemma) < 6:
            return False
        stem = lemma[:-3]
        return any(self._lemma_pos.get(verb, 0) & VERB for verb in (stem + "e", stem))

    def _best_parts(
        self, form: str, head_pos: int, whole_lemmas: tuple[str, ...], verbal: bool
    ) -> list[tuple[int, str]] | None:
        n = len(form)
        memo: dict[int, tuple | None] = {}

        def best_from(i: int):
            """(score, [(start, lemma), …]) for form[i:]; the lowest score wins.

            score = (parts, -head count, linking letters, -head length)
            """
            if i in memo:
                return memo[i]
            candidates = []
            if i > 0:
                head_lemma = self._head_lemma(form, i, head_pos, whole_lemmas)
                # -ering is a suffix (rapportering), never e+ring.
                suffix = form[i - 1] == "e" and form.startswith("ring", i)
                if head_lemma is not None and not suffix and (not verbal or self._is_verbal_noun(head_lemma)):
                    common = -self._head_counts.get(head_lemma, 0)
                    candidates.append(((1, common, 0, i - n), [(i, head_lemma)]))
            for j in range(i + 2, n - 1):
                modifier = form[i:j]
                modifier_pos = self._modifier_pos(modifier)
                if not modifier_pos:
                    continue
                for link in _LINKS:
                    k = j + len(link)
                    if form[j:k] != link or not _link_allowed(modifier, link, modifier_pos):
                        continue
                    rest = best_from(k) if k < n else None
                    if rest is None:
                        continue
                    (count, common, links, head_len), parts = rest
                    score = (count + 1, common, links + len(link), head_len)
                    candidates.append((score, [(i, modifier), *parts]))
            memo[i] = min(candidates, key=lambda c: c[0]) if candidates else None
            return memo[i]

        found = best_from(0)
        return found[1] if found else None

    def _head_lemma(
        self, form: str, start: int, head_pos: int, whole_lemmas: tuple[str, ...]
    ) -> str | None:
        """Lemma of form[start:] as a compound's head, or None if it cannot be one."""
        head = form[start:]
        if len(head) < MIN_HEAD and head not in _SHORT_HEADS:
            return None
        entry = self._entry(head)
        if entry is None or not entry[0] & head_pos:
            return None
        if whole_lemmas:
            # A listed word's lemma decides the head's lemma (integreringsarbeidet
            # → integreringsarbeid → arbeid, where arbeidet alone is ambiguous);
            # a head that does not fit the whole word's lemma is a false split
            # (kremtet → kremt is not krem+tet).
            prefix = form[:start]
            candidates = [lemma[start:] for lemma in whole_lemmas if lemma.startswith(prefix)]
        else:
            # flyktningskontor: kontor, not konto (kontor is also konto's plural).
            candidates = sorted(entry[1], key=lambda lemma: lemma != head)
        for lemma in candidates:
            if _can_be_head(self._lemma_pos, lemma, head_pos):
                return lemma
        return None

    def _modifier_pos(self, modifier: str) -> int:
        if len(modifier) == 4 and self._modifier_counts.get(modifier, 0) < _MIN_FOUR_LETTER_MODIFIER_USES:
            return 0
        return _modifier_pos(self._lemma_pos, modifier)


def _modifier_pos(lemma_pos: dict[str, int], modifier: str, shortest: int = MIN_MODIFIER) -> int:
    """The parts of speech a compound's first part has (0: cannot be one)."""
    if len(modifier) < shortest and modifier not in _SHORT_MODIFIERS:
        return 0
    if modifier in _NOT_MODIFIERS:
        return 0
    pos = lemma_pos.get(modifier, 0)
    # Adverbs made with -s (utenlands, innenlands, straks) start compounds as they are:
    # utenlands+opphold, innenlands+reise, straks+tiltak.
    if pos & ADV and modifier.endswith("s") and len(modifier) >= MIN_S_ADVERB_MODIFIER:
        pos |= ADV
    else:
        pos &= ~ADV
    return pos & (NOUN | ADJ | VERB | ADV)


def _can_be_head(lemma_pos: dict[str, int], lemma: str, head_pos: int) -> bool:
    if lemma in _NOT_HEADS or (len(lemma) < MIN_HEAD and lemma not in _SHORT_HEADS):
        return False
    return bool(lemma_pos.get(lemma, 0) & head_pos)


def _link_allowed(modifier: str, link: str, modifier_pos: int) -> bool:
    for ending in _S_LINKED_ENDINGS:
        # Only as a suffix on a stem of three letters or more: ledelse, not helse.
        if modifier.endswith(ending) and len(modifier) - len(ending) >= 3:
            return link == "s"
    if link == "s":
        return not modifier.endswith(("s", "x", "z"))
    if link == "e":
        # -e- joins nouns only (barn-e-hage), and never after a vowel.
        return bool(modifier_pos & NOUN) and modifier[-1] not in "aeiouyæøå"
    return True


def _is_acronym_genitive(raw: str) -> bool:
    """``IMDis``, ``NAVs``: an -s on a word whose stem has two or more capitals."""
    if len(raw) < 3 or not raw.endswith("s"):
        return False
    stem = raw[:-1]
    return sum(1 for ch in stem if ch.isupper()) >= 2 and stem.isalpha()


_LEXICON: Lexicon | None = None


def get_lexicon() -> Lexicon:
    """The process-wide lexicon, loaded from the cache on first use."""
    global _LEXICON
    if _LEXICON is None:
        _LEXICON = Lexicon(load_tables(), _read_word_list(EXCEPTIONS_FILE))
    return _LEXICON
