"""Tag reports with publication date, contractors and commissioner.

Contractors are found with a spaCy ``PhraseMatcher`` over the gazetteer in
``indexer/language/data/institutes.json`` and told apart from the commissioner by the
Norwegian phrasing reports use: "Fafo har på oppdrag fra IMDi utarbeidet …",
"På oppdrag fra IMDi har Proba samfunnsanalyse gjennomført …", "Beregningsutvalgets
rapport …", "kunnskapsoversikten fra Fafo".
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from indexer.language.institutes import Institute, institutes

MONTHS = {
    "januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "okt": 10, "nov": 11, "des": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_LABEL = r"(?:Utgitt|Publisert|Dato|Publiseringsdato)\s*:?\s*"
FULL_DATE = re.compile(DATE_LABEL + rf"(\d{{1,2}})\.?\s*({_MONTH})\.?\s+(\d{{4}})", re.I)
MONTH_DATE = re.compile(DATE_LABEL + rf"({_MONTH})\.?\s+(\d{{4}})", re.I)
NUMERIC_DATE = re.compile(DATE_LABEL + r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.I)
YEAR_ONLY = re.compile(DATE_LABEL + r"(\d{4})\b", re.I)
PUBLISHED_LINE = re.compile(r"^\s*" + DATE_LABEL + r"\S", re.I)

# Participles that say an organisation did the work ("har … utarbeidet").
WORK_VERBS = {
    "utarbeidet", "gjennomført", "studert", "levert", "bistått", "summert", "utviklet",
    "sammenfattet", "evaluert", "analysert", "kartlagt", "undersøkt", "skrevet", "laget",
    "utført", "prøvd", "dokumentert", "gjort", "gjennomgått", "utredet",
}
PRESENT_WORK_VERBS = {"gjennomfører", "utarbeider", "utfører", "publiserer", "leverer"}
REPORT_NOUNS = ("rapport", "undersøkelse", "kunnskapsoversikt", "kunnskapsoppsummering",
                "evaluering", "analyse", "studie", "notat", "kartlegging", "utredning")
VERB_WINDOW = 14


@dataclass(frozen=True)
class Published:
    published: str  # "2018-12-12", "2019-11" or "2019"
    year: int


def is_published_line(text: str) -> bool:
    return bool(PUBLISHED_LINE.match(text))


def parse_published(text: str) -> Published | None:
    """Read a publication date from a line such as ``Utgitt: 12. desember 2018``."""
    if m := FULL_DATE.search(text):
        day, month, year = int(m.group(1)), MONTHS[m.group(2).lower()], int(m.group(3))
        return Published(f"{year:04d}-{month:02d}-{day:02d}", year)
    if m := NUMERIC_DATE.search(text):
        day, month, year = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return Published(f"{year:04d}-{month:02d}-{day:02d}", year)
    if m := MONTH_DATE.search(text):
        month, year = MONTHS[m.group(1).lower()], int(m.group(2))
        return Published(f"{year:04d}-{month:02d}", year)
    if m := YEAR_ONLY.search(text):
        return Published(m.group(1), int(m.group(1)))
    return None


@dataclass
class _Token:
    text: str  # lowercase word, or the canonical name for an entity
    entity: bool = False
    genitive: bool = False


class ContractorTagger:
    """Finds who wrote a report and who commissioned it."""

    def __init__(self, gazetteer: Iterable[Institute] | None = None):
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = spacy.blank("nb")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.names: dict[str, str] = {}
        for institute in institutes() if gazetteer is None else gazetteer:
            name = institute.name
            for alias in institute.aliases:
                self._add(alias, name, genitive=False)
                if not alias.endswith(("s", ")", "x", "z")):
                    self._add(alias + "s", name, genitive=True)

    def _add(self, alias: str, name: str, genitive: bool) -> None:
        key = f"{name}\x1f{int(genitive)}"
        self.names[key] = name
        self.matcher.add(key, [self.nlp.make_doc(alias)])

    def _tokens(self, sentence: str) -> list[_Token]:
        from spacy.util import filter_spans

        doc = self.nlp.make_doc(sentence)
        spans = []
        for match_id, start, end in self.matcher(doc):
            matched = doc[start:end]
            matched.label_ = self.nlp.vocab.strings[match_id]
            spans.append(matched)
        spans = filter_spans(spans)
        # "NAV" inside "NAV-kontorer" is a different thing than the agency: require
        # the match to end on a token boundary that is not a hyphenated continuation.
        by_start = {span.start: span for span in spans}
        tokens: list[_Token] = []
        i = 0
        while i < len(doc):
            span = by_start.get(i)
            if span is not None:
                name, genitive = span.label_.split("\x1f")
                tokens.append(_Token(name, entity=True, genitive=genitive == "1"))
                i = span.end
                continue
            if not doc[i].is_space:
                tokens.append(_Token(doc[i].lower_))
            i += 1
        return tokens

    @staticmethod
    def _entity_list(tokens: list[_Token], start: int) -> tuple[list[str], int]:
        """Entities joined by "og" or "," starting at ``start``; returns them and the index after."""
        names: list[str] = []
        i = start
        while i < len(tokens) and tokens[i].entity:
            names.append(tokens[i].text)
            i += 1
            if i + 1 < len(tokens) and tokens[i].text in {"og", ","} and tokens[i + 1].entity:
                i += 1
                continue
            break
        return names, i

    def _sentence_roles(self, sentence: str) -> tuple[list[str], list[str]]:
        tokens = self._tokens(sentence)
        contractors: list[str] = []
        commissioners: list[str] = []
        commission_spans: set[int] = set()
        for i, tok in enumerate(tokens):
            if tok.text == "oppdrag" and i + 1 < len(tokens) and tokens[i + 1].text in {"fra", "for"}:
                names, end = self._entity_list(tokens, i + 2)
                commissioners += names
                commission_spans.update(range(i + 2, end))
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if not tok.entity or i in commission_spans:
                i += 1
                continue
            names, end = self._entity_list(tokens, i)
            nxt = tokens[end].text if end < len(tokens) else ""
            after_gen = tokens[i + 1].text if i + 1 < len(tokens) else ""
            if tok.genitive and _is_report_noun(after_gen):
                contractors += names  # "Beregningsutvalgets rapport", "IMDis kommuneundersøkelse"
            elif nxt in {"har", "hadde"} and any(
                t.text in WORK_VERBS for t in tokens[end + 1: end + 1 + VERB_WINDOW]
            ):
                contractors += names
            elif nxt in PRESENT_WORK_VERBS:
                contractors += names
            elif i > 0 and tokens[i - 1].text == "har" and nxt in WORK_VERBS:
                contractors += names  # "På oppdrag fra IMDi har Proba samfunnsanalyse gjennomført"
            elif i > 1 and tokens[i - 1].text == "av" and tokens[i - 2].text in WORK_VERBS:
                contractors += names  # "Rapporten er utarbeidet av Sweco Norge AS"
            elif i > 1 and tokens[i - 1].text == "fra" and _is_report_noun(tokens[i - 2].text):
                contractors += names  # "kunnskapsoversikten fra Fafo"
            i = max(end, i + 1)
        return _unique(contractors), _unique(commissioners)

    def roles(self, texts: list[str]) -> tuple[list[str], list[str]]:
        """Contractors and commissioners from a report's own text, read in order.

        The first sentence that names who did the work decides; later sentences tend to
        mention other organisations' handbooks, data or earlier reports.
        """
        contractors: list[str] = []
        commissioners: list[str] = []
        for text in texts:
            for sentence in split_sentences(text):
                found, commissioned = self._sentence_roles(sentence)
                if commissioned and not commissioners:
                    commissioners = commissioned
                if found and not contractors:
                    contractors = [name for name in found if name not in commissioned]
            if contractors:
                break
        return contractors, commissioners

    def mentions(self, text: str) -> list[str]:
        """Every gazetteer entity named in ``text``, in order."""
        return _unique(t.text for t in self._tokens(text) if t.entity)


def _is_report_noun(word: str) -> bool:
    return any(noun in word for noun in REPORT_NOUNS)


def split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"–])", text) if s.strip()]


def _unique(items) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


@lru_cache(maxsize=1)
def get_tagger() -> ContractorTagger:
    return ContractorTagger()
