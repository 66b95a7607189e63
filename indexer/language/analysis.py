"""Whoosh analyzers for Norwegian text, one per field suffix.

The index gives each text source X (finding or passage text, report title) one
field per suffix, all fed the same raw text; the query side runs the user's
words through the same analyzer (``mode="query"``) and searches every
``X_<suffix>`` with the boost in :data:`ANALYZED_FIELDS`:

``lemma`` (1.0)
    The lemma(s) of every word (``introduksjonsprogrammet`` →
    ``introduksjonsprogram``, ``flyktningers`` → ``flyktning``); an unknown word
    stays as written, lowercased. A hyphenated word gives its own lemma and
    those of its pieces at the same position, so ``nav`` and ``tiltak`` both
    find ``NAV-tiltak``. Stop words (``stopwords/nb.txt``, ``stopwords/nn.txt``)
    are left out. This is the field that carries a match.
``exact`` (0.6)
    Every word as written (lowercased, NFC), stop words kept, hyphen pieces
    at the same position at index time. A document with the query's own
    inflection earns this on top of the lemma match, and it is the field
    for quoted phrases (``"i arbeid og utdanning"``).
``parts`` (0.3)
    Index time: the parts of compounds (``introduksjonsprogrammet`` →
    ``introduksjon``, ``program``), their own parts in turn, nothing for a
    simple word. Query time: the word's lemma. A search for ``program`` so
    finds ``introduksjonsprogrammet`` here, but a document with ``program``
    itself matches lemma + exact + folded and always ranks above one that
    only matches a part: the part field's boost is well under a third of the
    others' sum.
``folded`` (0.2)
    Surface forms and lemmas with æ, ø, å folded (å → a, æ → ae, ø → o and
    oe; other accents dropped; doubled letters made single, which also covers
    å written aa) at index time, folded the short way at query time.
    ``maloppnaelse``, ``maaloppnaaelse``, ``malopnaelse``, ``boomrader``,
    ``Tromso``, ``Tromsoe`` find ``måloppnåelse``, ``boområder``, ``Tromsø``,
    but only through this field, so below any exact-letter match.

What the query side must know:

* Tokens at the same position are alternatives. A word with two lemmas
  (``arbeid`` → ``arbeid``, ``arbeide``) yields two query tokens: build the
  fields with ``multitoken_query="or"`` (:func:`field_type` does), never the
  parser's default AND.
* Quoted phrases go to ``exact`` only: the other fields can give several
  tokens for one word, which breaks Whoosh's positional phrase matching.
* ``exact`` keeps stop words, so an unquoted query must not make ``exact``
  terms required; a word whose ``lemma`` analysis is empty (``analyze(word,
  "lemma", "query") == []``) is a stop word and can be dropped or made
  optional.
* Only ``exact`` needs positions (phrases); :func:`field_type` leaves them out
  elsewhere to keep the index small.

Analyzers pickle small (the schema is stored in the index): the spaCy pipeline,
the lexicon and the stop lists are module-level singletons loaded on first use.
Word analysis is cached per word form, so a large corpus pays for each distinct
word once.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from whoosh.analysis import Filter, Tokenizer
from whoosh.analysis.acore import Token
from whoosh.fields import TEXT

from indexer.config import stopword_list
from indexer.language.english import get_english
from indexer.language.lexicon import get_lexicon
from indexer.language.nynorsk import get_nynorsk

# Bump when a change to this module or to the lexicon's rules (lexicon.py) changes
# the terms a text gives: the index fingerprint (indexer/index/fingerprint.py)
# then makes the next `rapportsok index` rebuild the whole index. Changes to the
# data files are noticed without it.
ANALYSIS_VERSION = 3

# Suffix → default query boost. The lemma field carries the match; an exact
# inflection adds to it; a compound part and a folded spelling alone must stay
# below a real match (0.3 + 0.2 < 1.0 + 0.6 + 0.2 even at a short field's
# BM25 advantage), and a folded spelling below an exact one.
ANALYZED_FIELDS: dict[str, float] = {"lemma": 1.0, "exact": 0.6, "parts": 0.3, "folded": 0.2}
# Quoted phrases are matched on this analyzer's fields, the only ones that keep positions.
PHRASE_SUFFIX = "exact"

STOPWORD_FILES = ("nb.txt", "nn.txt")

# Characters a word may start or end with; anything else at the edges is
# punctuation (quotes, brackets, a sentence's full stop, a dangling hyphen in
# "Integrerings- og mangfoldsdirektoratet").
_KEEP_SYMBOLS = "§%"
_DASHES: dict[str, str | None] = dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")
_LIGATURES: dict[str, str | None] = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
_CLEAN_TABLE = str.maketrans({**_DASHES, **_LIGATURES, "\u00ad": None, "\u2019": "'"})
_PIECE_SPLIT = re.compile(r"[-/]+")
_FOLD_SHORT = str.maketrans({"å": "a", "ø": "o", "æ": "ae", "ä": "a", "ö": "o"})
_FOLD_LONG = str.maketrans({"å": "a", "ø": "oe", "æ": "ae", "ä": "ae", "ö": "oe"})


# ---------------------------------------------------------------------------
# Shared, lazily loaded resources

_lock = threading.Lock()
_nlp = None
_stopwords: frozenset[str] | None = None


def preload_language(tokenizer: bool = True) -> None:
    """Load the lexicon, the stop words and the English tables now and, with
    ``tokenizer``, spaCy's tokenizer (importing spaCy takes over half a second;
    plain words never need it, see :func:`words`) and the Nynorsk tables: a parent
    process does it once before forking and its children share them."""
    analyze("arbeidsinnvandrere", "lemma")
    stopwords()
    get_english()  # every query asks whether its words are English
    if tokenizer:
        _tokenizer()
        get_nynorsk()  # only words the Bokmål list lacks need it


def _tokenizer():
    """spaCy's Bokmål tokenizer, created once per process."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import spacy

                _nlp = spacy.blank("nb")
    return _nlp.tokenizer


def stopwords() -> frozenset[str]:
    """The Bokmål and Nynorsk stop words from ``stopwords/``."""
    global _stopwords
    if _stopwords is None:
        words = set()
        for name in STOPWORD_FILES:
            for line in stopword_list(name).read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    words.add(unicodedata.normalize("NFC", line).lower())
        _stopwords = frozenset(words)
    return _stopwords


# ---------------------------------------------------------------------------
# Text → words


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in _KEEP_SYMBOLS


def _clean(raw: str) -> tuple[str, int, int] | None:
    """A spaCy token without edge punctuation: (word, offset of start, of end)."""
    start, end = 0, len(raw)
    while start < end and not _is_word_char(raw[start]):
        start += 1
    while end > start and not _is_word_char(raw[end - 1]):
        end -= 1
    if start == end:
        return None  # pure punctuation
    word = unicodedata.normalize("NFC", raw[start:end].translate(_CLEAN_TABLE))
    if word.strip("§") == "":
        word = "§"  # "§§ 4-5" searches like "§ 4-5"
    return word, start, end


def _plain_word(chunk: str) -> tuple[str, int, int] | None:
    """The word of a space-delimited chunk that is a run of letters or of digits, or such
    runs joined by single hyphens (NAV-kontor, covid-19), with punctuation only at its
    edges («Tiltak», (2019).), else ``None``.

    spaCy's Bokmål rules never split inside such a run (tests/test_analysis.py checks
    the lexicon's word forms and report text), and however they split the edges off,
    cleaning strips them: the word is the run, without asking spaCy."""
    cleaned = _clean(chunk)
    if cleaned is None:
        return None
    inner = chunk[cleaned[1]:cleaned[2]]
    return cleaned if all(part.isalpha() or (part.isdigit() and part.isascii()) for part in inner.split("-")) else None


# The index analyses each text once per field; keep the last few tokenisations
# so the four fields of one text share one pass.
_recent_texts: dict[str, tuple[tuple[str, int, int], ...]] = {}
_RECENT_LIMIT = 8


def words(text: str) -> tuple[tuple[str, int, int], ...]:
    """(word, startchar, endchar) for every word of the text, punctuation dropped.

    spaCy's tokenizer splits text at spaces and then each chunk on its own, so a chunk
    that is a plain word (:func:`_plain_word`) is taken as it is and only the others
    go through spaCy: most queries never load it."""
    cached = _recent_texts.get(text)
    if cached is not None:
        return cached
    found = []
    at = 0
    for chunk in text.split(" "):
        plain = _plain_word(chunk) if chunk else None
        if plain is not None:
            found.append((plain[0], at + plain[1], at + plain[2]))
        elif chunk and any(_is_word_char(ch) for ch in chunk):
            for token in _tokenizer()(chunk):
                cleaned = _clean(token.text)
                if cleaned is not None:
                    word, start, end = cleaned
                    found.append((word, at + token.idx + start, at + token.idx + end))
        at += len(chunk) + 1
    result = tuple(found)
    if len(_recent_texts) >= _RECENT_LIMIT:
        _recent_texts.clear()
    _recent_texts[text] = result
    return result


def words_at(text: str, spans: Iterable[tuple[int, int]]) -> tuple[tuple[str, int, int], ...]:
    """:func:`words` of the text from its word spans, kept from an earlier pass (no tokenizer)."""
    found = []
    for start, end in spans:
        raw = text[start:end]
        if raw.isascii() and raw.isalnum():  # most words: nothing for _clean to change
            found.append((raw, start, end))
            continue
        cleaned = _clean(raw)
        if cleaned is not None:
            found.append((cleaned[0], start, end))
    return tuple(found)


# ---------------------------------------------------------------------------
# Word → tokens per field


_DOUBLED = re.compile(r"(\w)\1+")


def fold(text: str, long: bool = False) -> str:
    """æøå folded to ASCII, the short way (å → a, ø → o) or the long (ø → oe),
    other accents dropped and doubled letters made single, so that
    ``maaloppnaaelse``, ``maloppnaelse`` and ``malopnaelse`` all fold like
    ``måloppnåelse``."""
    folded = text.translate(_FOLD_LONG if long else _FOLD_SHORT)
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _DOUBLED.sub(r"\1", folded)


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


@dataclass(frozen=True, slots=True)
class WordTokens:
    """What one word contributes to each field, at index and at query time."""

    stop: bool
    index: dict[str, tuple[str, ...]]
    query: dict[str, tuple[str, ...]]


def _pieces(exact: str) -> list[str]:
    """Pieces of a hyphenated or slashed word (NAV-tiltak, 2017-2019, og/eller)."""
    if not ("-" in exact or "/" in exact) or "@" in exact or "://" in exact or exact.startswith("www."):
        return []
    pieces = [piece for piece in _PIECE_SPLIT.split(exact) if piece]
    if len(pieces) < 2:
        return []
    # A lone letter (e-post, A-laget) is no search term.
    return [piece for piece in pieces if len(piece) > 1 or piece.isdigit()]


def _nynorsk_lemmas(form: str) -> list[str]:
    """A Nynorsk word form's lemmas and the Bokmål lemmas they translate to
    (``busetjinga`` → busetjing, bosetting, bosetning); none for a form Nynorsk does
    not know or without the Nynorsk data (:mod:`indexer.language.nynorsk`)."""
    nynorsk = get_nynorsk() if form.isalpha() else None
    if nynorsk is None:
        return []
    lemmas = nynorsk.lemmas(form)
    return [*lemmas, *(bokmal for lemma in lemmas for bokmal in nynorsk.bokmal(lemma))]


def is_norwegian(word: str) -> bool:
    """Whether the word is a form the Bokmål word list or the Nynorsk data lists
    (``skule`` is Nynorsk, not English; a compound they could build does not count)."""
    form = word.lower()
    if get_lexicon().is_listed(form):
        return True
    nynorsk = get_nynorsk()
    return nynorsk is not None and nynorsk.is_listed(form)


def nynorsk_alternatives(word: str) -> list[str]:
    """Bokmål lemmas of a word's Nynorsk reading, for a word both lists have
    (``bustad`` → bolig, bosted; ``skilnad`` → forskjell) and that the lemma field
    does not join already: the query builder searches them too, a little below the
    word itself. Words the Bokmål list lacks get theirs in :func:`_lemmas`."""
    exact = word.lower()
    lexicon = get_lexicon()
    if not exact.isalpha() or not lexicon.is_listed(exact):
        return []
    own = set(lexicon.lemmas(exact)) | {exact}
    return [lemma for lemma in dict.fromkeys(_nynorsk_lemmas(exact)) if lemma not in own]


def _lemmas(surface: str) -> list[str]:
    """Lemmas of a word, or the word itself lowercased when the lexicon lacks it.
    A form the Bokmål word list does not list is also looked up as Nynorsk, so a
    Nynorsk word meets its Bokmål counterpart in the lemma field, either way round."""
    lexicon = get_lexicon()
    exact = surface.lower()
    found = lexicon.lemmas(surface)
    if not lexicon.is_listed(exact):
        found = list(dict.fromkeys([*found, *_nynorsk_lemmas(exact)]))
    if found or "-" not in exact:
        return found or [exact]
    # NAV-tiltakene → nav-tiltak: a hyphenated compound inflects its last piece.
    head_start = exact.rfind("-") + 1
    head = exact[head_start:]
    head_lemmas = lexicon.lemmas(head) if head else []
    return [exact[:head_start] + lemma for lemma in head_lemmas] or [exact]


def _compound_parts(lemma: str, depth: int = 0) -> list[str]:
    """Parts of a compound and, in turn, their parts (arbeidsmarkedstiltak →
    arbeidsmarked, tiltak, arbeid, marked)."""
    parts = get_lexicon().split_compound(lemma)
    if depth < 2:
        for part in list(parts):
            parts += _compound_parts(part, depth + 1)
    return parts


def exact_terms(surface: str) -> tuple[str, ...]:
    """The word's terms in the ``exact`` field at index time (lower-cased, and the pieces
    of a hyphenated word): what :func:`analyse_word` gives there, without the lexicon."""
    exact = surface.lower()
    return _unique([exact, *_pieces(exact)])


@lru_cache(maxsize=65536)
def analyse_word(surface: str) -> WordTokens:
    """Tokens of one word (as written, punctuation stripped) for every field."""
    exact = surface.lower()
    pieces = _pieces(exact)
    lemmas = _lemmas(surface)
    piece_lemmas = [lemma for piece in pieces for lemma in _lemmas(piece)]

    parts = []
    for word in [*lemmas, *piece_lemmas]:
        parts += _compound_parts(word)
    own = set(lemmas) | set(piece_lemmas)

    index_forms = [exact, *pieces, *lemmas, *piece_lemmas]
    query_forms = [exact, *lemmas]
    return WordTokens(
        stop=exact in stopwords(),
        index={
            "lemma": _unique([*lemmas, *piece_lemmas]),
            "exact": exact_terms(surface),
            "parts": _unique(part for part in parts if part not in own),
            "folded": _unique(
                fold(form, long) for form in index_forms for long in (False, True)
            ),
        },
        query={
            "lemma": _unique(lemmas),
            "exact": (exact,),
            "parts": _unique(lemmas),
            "folded": _unique(fold(form) for form in query_forms),
        },
    )


# ---------------------------------------------------------------------------
# Whoosh components


class NorwegianTokenizer(Tokenizer):
    """One token per word, from spaCy's Bokmål tokenizer; text as written.

    The following :class:`FieldFilter` turns each word into the field's terms.
    Holds no state, so it pickles to a few bytes.
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            found = words(value)
        else:
            cleaned = _clean(value)
            found = (cleaned,) if cleaned else ()
        for pos, (word, start, end) in enumerate(found, start_pos):
            token.text = word
            token.stopped = False
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class FieldFilter(Filter):
    """Turns each word token into the terms of one field suffix, all at the
    word's position and characters; drops stop words except in ``exact``."""

    def __init__(self, suffix: str):
        if suffix not in ANALYZED_FIELDS:
            raise ValueError(f"unknown field suffix {suffix!r}; expected one of {sorted(ANALYZED_FIELDS)}")
        self.suffix = suffix

    def __call__(self, tokens):
        suffix = self.suffix
        keeps_stops = suffix == "exact"
        for token in tokens:
            analysed = analyse_word(token.text)
            texts = (analysed.query if token.mode == "query" else analysed.index)[suffix]
            if analysed.stop and not keeps_stops:
                if token.removestops:
                    continue
                token.stopped = True
            for text in texts:
                token.text = text
                yield token


def analyzer_for(suffix: str):
    """The Whoosh analyzer for a field suffix from :data:`ANALYZED_FIELDS`."""
    return NorwegianTokenizer() | FieldFilter(suffix)


def field_type(suffix: str, **kwargs) -> TEXT:
    """A Whoosh TEXT field set up for a suffix: alternatives OR-ed at query time,
    positions only where phrases need them (``exact``)."""
    kwargs.setdefault("phrase", suffix == PHRASE_SUFFIX)
    kwargs.setdefault("multitoken_query", "or")
    return TEXT(analyzer=analyzer_for(suffix), **kwargs)


def analyze(text: str, suffix: str, mode: str = "index") -> list[str]:
    """The terms a text gives in one field, in order: what :func:`analyzer_for`'s
    analyzer yields (tokenizer, then :class:`FieldFilter` dropping stop words), without
    building a Whoosh analyzer and its tokens for each call (the query builder asks
    this dozens of times per query)."""
    if suffix not in ANALYZED_FIELDS:
        raise ValueError(f"unknown field suffix {suffix!r}; expected one of {sorted(ANALYZED_FIELDS)}")
    keeps_stops = suffix == "exact"
    terms: list[str] = []
    for word, _, _ in words(text):
        analysed = analyse_word(word)
        if analysed.stop and not keeps_stops:
            continue
        terms += (analysed.query if mode == "query" else analysed.index)[suffix]
    return terms
