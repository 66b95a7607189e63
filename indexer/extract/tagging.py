"""Tag reports with publication date, contractors and commissioner.

Contractors are found with a spaCy ``PhraseMatcher`` over the gazetteer in
``indexer/language/data/institutes.json`` and told apart from the commissioner by the
Norwegian phrasing reports use: "Fafo har på oppdrag fra IMDi utarbeidet …",
"På oppdrag fra IMDi har Proba samfunnsanalyse gjennomført …", "Beregningsutvalgets
rapport …", "kunnskapsoversikten fra Fafo", "avrop på rammeavtale mellom Statens
vegvesen og Sweco".

Abbreviations (``KS``, ``NSM``, ``ISF``) match in their own case only, and count only in
one of those phrasings or on the cover and colophon (:meth:`ContractorTagger.publisher`),
never as a stray word of running text. The colophon and cover are read by
:func:`read_colophon`: labels (``Utført av:``, ``Oppdragsgiver:``), series numbers
(``Fafo-rapport 2019:12``), copyright and ISBN lines, date lines.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.language.institutes import Institute, institutes

MONTHS = {
    "januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "okt": 10, "nov": 11, "des": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_NAMES = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
DATE_LABEL = r"(?:Utgitt|Publisert|Dato|Publiseringsdato|Utgivelsesdato|Kunngjort)\b\s*:?\s*"
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
# Verbs whose object is the one the work was done for: "Rambøll har bistått IMDi med …".
ASSIST_VERBS = {"bistått", "bistår", "bistod", "assistert", "assisterer", "rådgitt", "rådgir"}
# Nouns of an agreement whose two parties are the commissioner and the contractor.
AGREEMENT_NOUNS = {"rammeavtale", "rammeavtalen", "avtale", "avtalen", "kontrakt", "kontrakten", "avrop",
                   "oppdragsavtale", "oppdragsavtalen"}
# Words that cite another's report rather than name the author: "ifølge SSBs undersøkelse".
CITING = {"ifølge", "ifølgje", "iflg", "iflg.", "jf", "jf.", "jfr", "jfr.", "i", "fra", "frå", "se", "according", "in"}
REPORT_NOUNS = ("rapport", "undersøkelse", "kunnskapsoversikt", "kunnskapsoppsummering",
                "evaluering", "analyse", "studie", "notat", "kartlegging", "utredning")
VERB_WINDOW = 14

# --- cover and colophon --------------------------------------------------------------------
LOGO_WORDS = 4
# A line that is only a web or e-mail address, perhaps with one path segment: "www.nsm.no",
# "nsm.no/risiko2025", "post@fafo.no".
ADDRESS_LINE = re.compile(
    r"^(?:https?://)?(?:[\w.-]+@)?(?P<host>(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,4})(?:/[\w.-]*)?/?$", re.I)
CONTRACTOR_LABEL = re.compile(
    r"^(?:Utført av|Utarbeidet av|Utarbeidd av|Skrevet av|Oppdragstaker|Oppdragstakar|Leverandør|"
    r"Forfattere?|Forfattarar?|Prepared by|Authors?)\b\s*:?\s*(?P<value>.*)$", re.I)
COMMISSIONER_LABEL = re.compile(
    r"^(?:Oppdragsgiver|Oppdragsgjevar|Oppdragsgivar|Bestiller|Commissioned by|Client|"
    r"På oppdrag (?:fra|frå|for))\b\s*:?\s*(?P<value>.*)$", re.I)
_YEAR = r"(?:19[5-9]\d|20\d\d)"
# A report series and its number: "Fafo-rapport 2019:12", "NIBR-rapport 2020:3", "NOVA Rapport 5/2019".
SERIES_NOUNS = r"(?:rapport|report|notat|note|publikasjon|arbeidsnotat|working paper)"
SERIES_NUMBER = rf"(?:nr\.?\s*)?(?:(?P<year>{_YEAR})\s*[:/-]\s*\d{{1,3}}|\d{{1,3}}\s*[/-]\s*(?P<year2>{_YEAR}))\b"
SERIES = re.compile(
    rf"(?P<series>[\wÆØÅæøå&]+(?: [\wÆØÅæøå&]+){{0,2}})(?:-{SERIES_NOUNS}\b|[ ](?i:{SERIES_NOUNS})\b)"
    rf"(?:[\s,]*{SERIES_NUMBER})?")
REPORT_NUMBER = re.compile(rf"\b(?:Rapport|Report|Notat|Note|Publikasjon)\s*{SERIES_NUMBER}", re.I)
COPYRIGHT = re.compile(rf"©\s*(?:Copyright\s*)?(?P<holder>[^©\d]{{0,60}}?)\s*(?P<year>{_YEAR})\b")
ISBN_LINE = re.compile(r"\b(?:ISBN|ISSN)\b[^\n]*", re.I)
ISBN_NUMBER = re.compile(r"\b(?:ISBN|ISSN)\b[\s:]*(?:\([^)]*\)\s*)?(?:[\w ]{0,20}:\s*)?[\dXx][\dXx\s–-]{6,}", re.I)
PLACE_DATE = re.compile(rf"^[A-ZÆØÅ][a-zæøå]+(?: [A-ZÆØÅ][a-zæøå]+)?,\s*(\d{{1,2}})\.\s*({_MONTH_NAMES})\s+({_YEAR})\.?$", re.I)
MONTH_YEAR_LINE = re.compile(rf"^({_MONTH_NAMES})\s+({_YEAR})$", re.I)
PUBLISHED_IN = re.compile(rf"\butgitt\s+(?:i|år)\s+({_YEAR})\b", re.I)


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
    abbreviation: bool = False  # the entity was named by an abbreviation ("KS", "NSM")


def is_abbreviation(alias: str) -> bool:
    """An alias written as an abbreviation or short name ("KS", "IMDi", "Fafo"): matched in its own case only."""
    return " " not in alias and (len(alias) <= 5 or sum(c.isupper() for c in alias) >= 2)


class ContractorTagger:
    """Finds who wrote a report and who commissioned it."""

    def __init__(self, gazetteer: Iterable[Institute] | None = None):
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = spacy.blank("nb")
        # Names match in any case; abbreviations only as written ("KS", not "ks").
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.names: dict[str, str] = {}
        self.by_alias: dict[str, str] = {}  # lower-case alias → canonical name
        for institute in institutes() if gazetteer is None else gazetteer:
            name = institute.name
            for alias in institute.aliases:
                self.by_alias.setdefault(alias.lower(), name)
                self._add(alias, name, genitive=False)
                if not alias.endswith(("s", ")", "x", "z")):
                    self._add(alias + "s", name, genitive=True)

    def _add(self, alias: str, name: str, genitive: bool) -> None:
        abbreviation = is_abbreviation(alias.removesuffix("s") if genitive else alias)
        key = f"{name}\x1f{int(genitive)}\x1f{int(abbreviation)}"
        self.names[key] = name
        if abbreviation:  # as written, or in capitals as on a logo ("Sweco", "SWECO"; never "ks")
            stem = alias.removesuffix("s") if genitive else alias
            spellings = {alias, stem.upper() + ("s" if genitive else "")}
            self.exact.add(key, [self.nlp.make_doc(spelling) for spelling in sorted(spellings)])
        else:
            self.matcher.add(key, [self.nlp.make_doc(alias)])

    def _tokens(self, sentence: str) -> list[_Token]:
        from spacy.util import filter_spans

        doc = self.nlp.make_doc(sentence)
        spans = []
        for match_id, start, end in [*self.matcher(doc), *self.exact(doc)]:
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
                name, genitive, abbreviation = span.label_.split("\x1f")
                tokens.append(_Token(name, entity=True, genitive=genitive == "1", abbreviation=abbreviation == "1"))
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

    def _sentence_roles(self, sentence: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        """Contractors, commissioners and the two parties of an agreement named in one sentence."""
        tokens = self._tokens(sentence)
        contractors: list[str] = []
        commissioners: list[str] = []
        parties: list[tuple[str, str]] = []
        commission_spans: set[int] = set()
        for i, tok in enumerate(tokens):
            if tok.text == "oppdrag" and i + 1 < len(tokens) and tokens[i + 1].text in {"fra", "frå", "for"}:
                names, end = self._entity_list(tokens, i + 2)
                commissioners += names
                commission_spans.update(range(i + 2, end))
            elif tok.text == "mellom" and any(t.text in AGREEMENT_NOUNS for t in tokens[max(0, i - 4):i]):
                names, end = self._entity_list(tokens, i + 1)  # "avrop på rammeavtale mellom A og B"
                if len(names) == 2:
                    parties.append((names[0], names[1]))
                commission_spans.update(range(i + 1, end))
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if not tok.entity or i in commission_spans:
                i += 1
                continue
            names, end = self._entity_list(tokens, i)
            nxt = tokens[end].text if end < len(tokens) else ""
            after_gen = tokens[i + 1].text if i + 1 < len(tokens) else ""
            before = tokens[i - 1].text if i > 0 else ""
            if tok.genitive and _is_report_noun(after_gen) and before not in CITING:
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
            elif i > 0 and tokens[i - 1].text in ASSIST_VERBS and contractors:
                commissioners += names  # "Rambøll har bistått IMDi med dokumentasjon"
            elif i > 1 and tokens[i - 1].text == "for" and (
                tokens[i - 2].text in WORK_VERBS or tokens[i - 2].entity and tokens[i - 2].text in contractors
            ):
                commissioners += names  # "utarbeidet av Sweco for Statens vegvesen"
            i = max(end, i + 1)
        return _unique(contractors), _unique(commissioners), parties

    def roles(self, texts: list[str]) -> tuple[list[str], list[str]]:
        """Contractors and commissioners from a report's own text, read in order.

        The first sentence that names who did the work decides; later sentences tend to
        mention other organisations' handbooks, data or earlier reports. A commissioner
        named later counts only in a sentence about the same contractor's work
        ("Denne kunnskapsoversikten fra Fafo viser …" … "Fafo har på oppdrag fra IMDi summert …").
        """
        contractors: list[str] = []
        commissioners: list[str] = []
        parties: list[tuple[str, str]] = []
        for text in texts:
            for sentence in split_sentences(text):
                found, commissioned, agreed = self._sentence_roles(sentence)
                parties += agreed
                if commissioned and not commissioners and (not contractors or set(found) & set(contractors)):
                    commissioners = commissioned
                if found and not contractors:
                    contractors = [name for name in found if name not in commissioned]
            if contractors and commissioners:
                break
        if not commissioners:
            # An agreement between the commissioner and the contractor: "avrop på
            # rammeavtale mellom Statens vegvesen og Sweco Norge AS".
            for first, second in parties:
                other = first if second in contractors else second if first in contractors else None
                if other is not None and other not in contractors:
                    commissioners = [other]
                    break
        return contractors, commissioners

    def publisher(self, lines: Iterable[str], cover: bool = True) -> str | None:
        """The institute a cover or back cover names.

        On a cover, a full name anywhere; elsewhere (a back cover, a first page that is
        not a cover) only on a line of its own. An abbreviation only as logo text (a line
        of at most four words). Failing those, the name in a web or e-mail address
        ("www.nsm.no").
        """
        lines = [line.strip() for line in lines if line.strip()]
        for line in lines:
            words = len(line.split())
            for token in self._tokens(line):
                if token.entity and (words <= LOGO_WORDS if token.abbreviation or not cover else True):
                    return token.text
        for line in lines:
            if (name := self.addressed(line)) is not None:
                return name
        return None

    def addressed(self, line: str) -> str | None:
        """The institute whose web or e-mail address a line is: "www.nsm.no", "post@fafo.no"."""
        match = ADDRESS_LINE.match(line.strip())
        if not match:
            return None
        for label in match.group("host").lower().split("."):
            if label not in ("www", "post", "") and (name := self.by_alias.get(label)) is not None:
                return name
        return None

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


@dataclass
class Colophon:
    """What a report's cover, title-page verso and back cover say about it."""

    contractors: list[str] = field(default_factory=list)
    commissioner: str | None = None
    published: Published | None = None  # from a date line: the day, month or year
    year: int | None = None  # from a copyright, series or ISBN line


def read_colophon(pages: Iterable[Iterable[str]], tagger: ContractorTagger | None = None) -> Colophon:
    """Contractors, commissioner and date from the lines of the cover and colophon pages.

    Read in order: labels (``Utført av: Fafo og Frischsenteret``, ``Oppdragsgiver: IMDi``),
    series (``Fafo-rapport 2019:12`` names Fafo and 2019), copyright lines (``© Fafo 2019``),
    date lines (``Utgitt: mai 2019``, ``Oslo, 12. mars 2020``, ``Mars 2020`` alone on a line,
    ``utgitt i 2022`` on a page with an ISBN or copyright line), ISBN lines with a year.
    """
    tagger = tagger or get_tagger()
    colophon = Colophon()
    series: list[str] = []
    held: list[str] = []
    years: list[int] = []
    for page in pages:
        lines = [line.strip() for line in page if line.strip()]
        imprint = any(ISBN_LINE.search(line) or "©" in line for line in lines)
        for index, line in enumerate(lines):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if match := CONTRACTOR_LABEL.match(line):
                names = tagger.mentions(match.group("value") or following)
                if names and not colophon.contractors:
                    colophon.contractors = names
            elif match := COMMISSIONER_LABEL.match(line):
                names = tagger.mentions(match.group("value") or following)
                if names and colophon.commissioner is None:
                    colophon.commissioner = " og ".join(names)
            for match in SERIES.finditer(line):
                name = _series_name(match.group("series"), tagger)
                if name is not None and (match.group("year") or match.group("year2") or "-" in match.group(0)) and (
                        not _in_running_text(line, match.start())):
                    series.append(name)
                    if found := match.group("year") or match.group("year2"):
                        years.append(int(found))
            if (match := REPORT_NUMBER.search(line)) and not _in_running_text(line, match.start()):
                years.append(int(match.group("year") or match.group("year2")))
            if match := COPYRIGHT.search(line):
                held += tagger.mentions(match.group("holder"))
                years.append(int(match.group("year")))
            if ISBN_LINE.search(line) and (match := re.search(rf"\b({_YEAR})\b", ISBN_NUMBER.sub(" ", line))):
                years.append(int(match.group(1)))
            if colophon.published is None:
                colophon.published = _date_line(line, imprint)
    colophon.contractors = colophon.contractors or _unique(series) or _unique(held)
    colophon.year = years[0] if years else None
    return colophon


def _in_running_text(line: str, start: int) -> bool:
    """Whether what starts at ``start`` stands inside a sentence of running text, where a
    series number cites another report ("… introduksjonsprogrammet. NORCE-rapport 9 - 2019"):
    the line goes on with a sentence begun above (lower case), or a sentence ends before it."""
    return line[:1].islower() or bool(re.search(r"[.!?]\s", line[:start]))


def _series_name(words: str, tagger: ContractorTagger) -> str | None:
    """The institute a series is named after: the last one, two or three words before "-rapport"."""
    parts = words.split()
    for size in (3, 2, 1):
        if len(parts) >= size and (name := tagger.by_alias.get(" ".join(parts[-size:]).lower())) is not None:
            return name
    return None


def _date_line(line: str, imprint: bool) -> Published | None:
    if is_published_line(line):
        return parse_published(line)
    if match := PLACE_DATE.match(line):
        day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
        return Published(f"{year:04d}-{month:02d}-{day:02d}", year)
    if (match := MONTH_YEAR_LINE.match(line)) and line[0].isupper():
        month, year = MONTHS[match.group(1).lower()], int(match.group(2))
        return Published(f"{year:04d}-{month:02d}", year)
    if imprint and (match := PUBLISHED_IN.search(line)):
        return Published(match.group(1), int(match.group(1)))
    return None
