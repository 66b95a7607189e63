"""The query language people type into the search box, parsed without the index.

What a query may contain::

    introduksjonsprogram bolig         words; more matching words rank higher
    "i arbeid og utdanning"            a phrase
    -fafo   -"sosial kontroll"         leave out what matches
    NOT fafo                           the same as -fafo
    tolk OR tolking   tolk | tolking   either word counts as the same word
    integrer*                          words starting with «integrer» (3+ letters)
    tema:oppvekst  tema:"Oppvekst og deltakelse"  theme: (also theme:)
    oppdragstaker:fafo                 contractor: (also contractor:, institutt:)
    år:2019  år:2018-2020  år:2018-    year: (also aar:, year:)
    type:funn  type:avsnitt            kind: (also kind:, finding/passage)

Anything else is read as words: an unknown ``foo:bar`` searches for ``foo``
and ``bar``, brackets and stray punctuation are separators, an unclosed quote
is ignored. Input is bounded (:data:`MAX_QUERY_CHARS`, :data:`MAX_TERMS`) and
scanned once, left to right, so any paste is answered quickly. The only errors
are filter values that cannot mean anything (``år:nitten``, ``type:kapittel``);
they raise :class:`QueryError` with a message in Bokmål.

The parser knows nothing about the index: it returns a :class:`ParsedQuery`
that the query builder turns into Whoosh queries.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from indexer.search.options import KIND_VALUES, MAX_YEAR, MIN_YEAR

# A query longer than this is cut at the last space before the limit.
MAX_QUERY_CHARS = 512
# Words, phrases and exclusions beyond this many are ignored.
MAX_TERMS = 32
# A wildcard needs this many letters before the «*», or it would match half the index.
MIN_WILDCARD_PREFIX = 3

FIELD_ALIASES = {
    "tema": "theme",
    "theme": "theme",
    "oppdragstaker": "contractor",
    "contractor": "contractor",
    "institutt": "contractor",
    "år": "year",
    "aar": "year",
    "year": "year",
    "type": "kind",
    "kind": "kind",
}
# type: takes a few more spellings than the API's kind parameter.
KIND_ALIASES = {**KIND_VALUES, "findings": "finding", "passages": "passage", "tekst": "passage"}
OR_WORDS = frozenset({"OR", "ELLER", "|", "||"})
AND_WORDS = frozenset({"AND", "OG", "&", "&&"})
NOT_WORDS = frozenset({"NOT", "IKKE"})

# Characters that only separate: brackets, and everything Unicode calls a
# control or format character (NUL, escape codes, zero-width marks).
_SEPARATORS = frozenset("()[]{}<>,;")
_YEAR_RANGE = re.compile(r"([0-9]{1,4})?\s*(?:-|–|—|\.\.)\s*([0-9]{1,4})?")
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "″": '"'})


class QueryError(ValueError):
    """A query that cannot be searched; the message is for the person who typed it."""


@dataclass(frozen=True)
class Word:
    """A word as typed; ``start``/``end`` locate it in :attr:`ParsedQuery.text`."""

    text: str
    start: int
    end: int
    wildcard: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words in quotes, matched in this order."""

    text: str
    start: int
    end: int


Item = Word | Phrase


@dataclass
class ParsedQuery:
    """What a query asks for, in the order it was typed.

    ``clauses`` are the positive parts; a clause with several items came from
    ``OR`` and counts as matched when any of them matches.
    """

    text: str
    clauses: list[tuple[Item, ...]] = field(default_factory=list)
    excluded: list[Item] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    contractors: list[str] = field(default_factory=list)
    year_ranges: list[tuple[int | None, int | None]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def has_filters(self) -> bool:
        return bool(self.themes or self.contractors or self.year_ranges or self.kinds)

    def words(self) -> list[Word]:
        """Every positive word (not phrases), in order."""
        return [item for clause in self.clauses for item in clause if isinstance(item, Word)]


def clean_query(text: str) -> tuple[str, bool]:
    """NFC text with control characters as spaces, cut to :data:`MAX_QUERY_CHARS`."""
    text = unicodedata.normalize("NFC", text or "").translate(_QUOTES)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    truncated = len(text) > MAX_QUERY_CHARS
    if truncated:
        cut = text.rfind(" ", 0, MAX_QUERY_CHARS + 1)
        text = text[: cut if cut > MAX_QUERY_CHARS // 2 else MAX_QUERY_CHARS]
    return text, truncated


# --- scanning ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "field", "or", "and", "not"
    text: str
    start: int
    end: int
    negated: bool = False
    field_name: str | None = None


def _is_separator(ch: str) -> bool:
    return ch.isspace() or ch in _SEPARATORS


def _scan(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if _is_separator(ch):
            i += 1
            continue
        negated = False
        start = i
        if ch == "-" and i + 1 < n and not _is_separator(text[i + 1]) and text[i + 1] != "-":
            negated, i = True, i + 1
        if text[i] == '"':
            close = text.find('"', i + 1)
            if close < 0:  # an unclosed quote: read on as words
                i += 1
                continue
            tokens.append(_Token("phrase", text[i + 1 : close], i + 1, close, negated))
            i = close + 1
            continue
        j = i
        while j < n and not _is_separator(text[j]) and text[j] != '"':
            j += 1
        raw = text[i:j]
        name, colon, value = raw.partition(":")
        field_name = FIELD_ALIASES.get(name.lower()) if colon else None
        if field_name is not None and not negated:
            if not value and j < n and text[j] == '"':
                close = text.find('"', j + 1)
                value, j = (text[j + 1 : close], close + 1) if close >= 0 else ("", j + 1)
            tokens.append(_Token("field", value.strip(), start, j, field_name=field_name))
        elif raw in OR_WORDS and not negated:
            tokens.append(_Token("or", raw, start, j))
        elif raw in AND_WORDS and not negated:
            tokens.append(_Token("and", raw, start, j))
        elif raw in NOT_WORDS and not negated:
            tokens.append(_Token("not", raw, start, j))
        else:
            # «foo:bar» with an unknown field, «a/b»: the parts are words.
            offset = i
            for part in re.split(r"[:]+", raw):
                if part:
                    tokens.append(_Token("word", part, offset, offset + len(part), negated))
                offset += len(part) + 1
        i = j
    return tokens


def _word(token: _Token) -> Word | None:
    """A word token as a :class:`Word`; ``None`` when nothing searchable is left."""
    text = token.text
    wildcard = False
    if "*" in text or "?" in text:
        stem = text.rstrip("*?")
        # Only a trailing «*» after enough letters is a wildcard; any other
        # wildcard character is dropped.
        wildcard = text.endswith("*") and len(stem) >= MIN_WILDCARD_PREFIX and "*" not in stem
        text = stem.replace("*", "").replace("?", "")
    if not any(ch.isalnum() or ch in "§%" for ch in text):
        return None
    return Word(text=text, start=token.start, end=token.end, wildcard=wildcard)


# --- filters -------------------------------------------------------------------------


def parse_year_filter(value: str) -> tuple[int | None, int | None]:
    """``2019`` → (2019, 2019); ``2018-2020``, ``2018-``, ``-2020`` → ranges."""
    value = value.strip()
    if value.isdigit() and len(value) == 4 and value.isascii():
        year = int(value)
        if MIN_YEAR <= year <= MAX_YEAR:
            return year, year
    match = _YEAR_RANGE.fullmatch(value)
    if match and (match.group(1) or match.group(2)):
        low = int(match.group(1)) if match.group(1) else None
        high = int(match.group(2)) if match.group(2) else None
        if all(y is None or MIN_YEAR <= y <= MAX_YEAR for y in (low, high)):
            if low is not None and high is not None and low > high:
                low, high = high, low
            return low, high
    raise QueryError(
        f"«{value}» er ikke et årstall. Skriv for eksempel år:2019 eller år:2018-2020."
    )


def parse_kind_filter(value: str) -> list[str]:
    kinds = []
    for part in re.split(r"[|,/]", value):
        part = part.strip().lower()
        if not part:
            continue
        if part not in KIND_ALIASES:
            raise QueryError(f"Ukjent type «{part}». Bruk type:funn eller type:avsnitt.")
        kinds.append(KIND_ALIASES[part])
    if not kinds:
        raise QueryError("Skriv hvilken type du vil se: type:funn eller type:avsnitt.")
    return list(dict.fromkeys(kinds))


def _apply_filter(parsed: ParsedQuery, token: _Token) -> None:
    value = " ".join(token.text.split())
    if not value:
        return  # «tema:» with nothing after it filters nothing
    if token.field_name == "theme":
        parsed.themes.append(value)
    elif token.field_name == "contractor":
        parsed.contractors.append(value)
    elif token.field_name == "year":
        parsed.year_ranges.append(parse_year_filter(value))
    elif token.field_name == "kind":
        parsed.kinds.extend(k for k in parse_kind_filter(value) if k not in parsed.kinds)


# --- parsing -------------------------------------------------------------------------


def parse_query(text: str) -> ParsedQuery:
    """The parts of a query; raises :class:`QueryError` only for impossible filter values."""
    cleaned, truncated = clean_query(text)
    parsed = ParsedQuery(text=cleaned, truncated=truncated)
    budget = MAX_TERMS
    join_next = False  # the previous token was OR
    negate_next = False  # the previous token was NOT
    for token in _scan(cleaned):
        if token.kind == "field":
            _apply_filter(parsed, token)
            continue
        if token.kind == "or":
            join_next = bool(parsed.clauses)
            continue
        if token.kind == "and":
            continue
        if token.kind == "not":
            negate_next = True
            continue
        if budget <= 0:
            parsed.truncated = True
            continue
        if token.kind == "phrase":
            if not any(ch.isalnum() for ch in token.text):
                continue
            item: Item | None = Phrase(" ".join(token.text.split()), token.start, token.end)
        else:
            item = _word(token)
        if item is None:
            continue
        budget -= 1
        if token.negated or negate_next:
            parsed.excluded.append(item)
            negate_next = join_next = False
            continue
        if join_next and parsed.clauses:
            parsed.clauses[-1] = (*parsed.clauses[-1], item)
        else:
            parsed.clauses.append((item,))
        join_next = False
    return parsed
