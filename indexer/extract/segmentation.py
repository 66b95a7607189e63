"""Split a document's blocks into reports, findings and passages.

Two shapes are recognised:

* a **compilation** (IMDi's yearly list of finished projects): chapters are themes,
  each heading one level below a chapter starts a report summary with its own
  ``Utgitt:`` line, lead paragraph and ``Hovedfunn``/``Anbefalinger`` items;
* a **single report**: one report whose chapters are its themes and whose findings
  are the items and paragraphs of its summary sections.

Findings come only from summary sections. A heading is a summary heading when it
parses with a small grammar (:func:`is_summary_heading`): head nouns in Bokmål,
Nynorsk and English (``Sammendrag``, ``Hovudfunn``, ``Konklusjonar``,
``Recommendations`` …) with optional determiners, possessives and agents
(``Våre``, ``Prosjektgruppens``), joined by conjunctions (``Konklusjon og
anbefaling``, ``Oppsummering/konklusjon``), followed by a complement
(``Anbefalinger for å redusere risikoen``, ``Forslag til tiltak``) or a number
(``Tiltak 3 – …``), or an agent and a verb (``NSM anbefaler``). A summary section
runs to the next heading of the same or a higher level; inside it, sub-sections
under background headings (``Bakgrunn``, ``Metode`` …, see
:func:`is_context_heading`) are context, not findings. A summary heading set as
body text (``Sammendrag`` as a paragraph of its own, or run into the first
sentence) counts too. A summary-named chapter holding much of the report's text is
its body, not a summary (:func:`body_sized_summaries`). Inside a summary, a heading
that labels one item ("Tiltak 1 – Egenskapssett", or a number set large) makes one
finding with the text under it. Outside one, a list that a sentence presents as the
key points ("de viktigste utviklingstrekkene er følgende:") is a summary too. A
report without a headed summary may have an unheaded one: prose set apart in type
on its front page or back cover. A report with none of these has no findings.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from indexer.extract.blocks import NUMBERED_HEADING, Block
from indexer.extract.tagging import Published, get_tagger, is_published_line, parse_published
from indexer.extract.volumes import Volume
from indexer.records import Finding, Passage, Report, stable_id

# --- the summary-heading grammar ---------------------------------------------------------

# Head nouns that name a summary section on their own, with their inflected forms.
SUMMARY_NOUNS = frozenset({
    # Bokmål and Nynorsk
    "sammendrag", "sammendraget", "samandrag", "samandraget", "sammenfatning", "samanfatning",
    "sammanfattning", "resymé", "resyme", "resumé", "oppsummering", "oppsummeringen",
    "oppsummeringa", "oppsummert", "konklusjon", "konklusjonen", "konklusjoner",
    "konklusjonene", "konklusjonar", "konklusjonane", "anbefaling", "anbefalingen",
    "anbefalinger", "anbefalingene", "anbefalingar", "anbefalingane", "tilråding", "tilrådinga",
    "tilrådingar", "tilrådingane", "tilrådinger", "råd", "rådene", "råda", "tiltak", "tiltaka",
    "tiltakene", "forslag", "forslagene", "forslaga", "hovedpunkter", "hovedpunktene",
    "hovudpunkt", "hovudpunkta", "kortversjon", "kortversjonen", "avslutning", "avslutningen",
    "avslutninga",
    # English
    "summary", "abstract", "conclusion", "conclusions", "recommendation", "recommendations",
    "highlights",
})
# Nouns that name a summary only when qualified ("Sentrale funn", "Hovedfunn", "Key
# findings") or beside a summary noun ("Funn og anbefalinger"); alone they name a
# results chapter.
QUALIFIED_NOUNS = frozenset({
    "funn", "funna", "funnene", "resultat", "resultater", "resultatene", "resultata",
    "resultatane", "budskap", "findings", "results", "messages", "points",
})
# Head nouns that also name measures described rather than recommended ("Tiltak for rask
# oppstart"): a summary alone, numbered or qualified ("Tiltak", "Tiltak 3", "Anbefalte
# tiltak"), not with a bare complement.
DESCRIPTIVE_NOUNS = frozenset({"tiltak", "tiltaka", "tiltakene"})
# Compound prefixes of a head noun: "Hovedfunn", "Hovudresultat", "Sluttkonklusjon",
# "Delkonklusjon"; only "main" qualifies a qualified noun ("Hovedfunn", not "Delresultater").
HEAD_PREFIXES = ("hoved", "hovud", "slutt", "del")
MAIN_PREFIXES = ("hoved", "hovud")
# Words that qualify a qualified noun.
QUALIFIERS = frozenset({
    "viktigste", "viktigaste", "viktige", "sentrale", "kort", "korte", "samlet", "samla",
    "samlede", "overordnede", "overordna", "main", "key", "major", "principal", "central",
})
# Determiners, possessives, numbers and adjectives that may stand before a head noun.
DETERMINERS = QUALIFIERS | frozenset({
    "våre", "vår", "vårt", "mine", "min", "dei", "de", "den", "det", "the", "our", "an", "a",
    "en", "ei", "et", "eit", "endelige", "endelege", "foreløpige", "foreløpig", "generelle",
    "konkrete", "prioriterte", "utvalgte", "utvalde", "mulige", "moglege", "anbefalte",
    "tilrådde", "foreslåtte", "føreslåtte", "executive", "general", "final", "overall", "short",
    "brief", "policy", "concluding", "engelsk", "english", "norsk", "nynorsk",
    "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni", "ti", "two", "three",
    "four", "five", "six", "seven", "eight", "nine", "ten",
})
# Verbs an agent recommends or concludes with: "NSM anbefaler", "Utvalet tilrår".
AGENT_VERBS = frozenset({
    "anbefaler", "tilrår", "rår", "foreslår", "føreslår", "konkluderer", "recommends",
    "recommend", "concludes", "conclude", "propose", "proposes",
})
# What may stand beside a summary under one heading ("Konklusjon og videre arbeid").
COMPANION_WORDS = frozenset({
    "diskusjon", "drøfting", "drøftinger", "drøftingar", "oppfølging", "implikasjoner",
    "implikasjonar", "læringspunkter", "læringspunkt", "refleksjoner", "refleksjonar",
    "vurdering", "vurderinger", "vurderingar", "perspektiver", "perspektiv",
    "discussion", "implications", "reflections",
})
COMPANION_PHRASES = (
    ("videre", "forskning"), ("vidare", "forsking"), ("further", "research"), ("future", "research"),
)
# Idioms that name a summary or the way forward as a whole.
SUMMARY_PHRASES = (
    ("i", "korte", "trekk"), ("kort", "fortalt"), ("kort", "sagt"), ("in", "brief"),
    ("at", "a", "glance"), ("videre", "arbeid"), ("vidare", "arbeid"), ("veien", "videre"),
    ("vegen", "videre"), ("vegen", "vidare"), ("next", "steps"), ("way", "forward"),
    ("further", "work"), ("future", "work"),
)
# Adjectives that make the noun after them a conclusion: "Avsluttende refleksjoner",
# "Concluding remarks".
CONCLUDING = frozenset({
    "avsluttende", "avsluttande", "oppsummerende", "oppsummerande", "concluding", "closing",
})
CONJUNCTIONS = frozenset({"og", "and", "samt", ",", "&"})
# Words that start a complement of the head: "Anbefalinger for å …", "Tiltak 1 – Egenskapssett".
COMPLEMENT_STARTS = frozenset({
    "for", "til", "om", "fra", "frå", "av", "på", "i", "ved", "med", "etter", "of", "on", "to",
    "from", "regarding", "about", "in", "–", ":",
})
FOLLOWING = frozenset({"følgende", "følgjande", "følger"})
MAX_HEADING_WORDS = 16

# Background and front or back matter: never a summary, and inside a summary section
# the text under them is context, not findings.
CONTEXT_NOUNS = frozenset({
    "innledning", "innleiing", "introduksjon", "introduction", "bakgrunn", "bakgrunnen",
    "background", "metode", "metoden", "metoder", "method", "methods", "methodology",
    "datagrunnlag", "datagrunnlaget", "data", "forord", "føreord", "preface", "foreword",
    "innhold", "innhald", "innholdsfortegnelse", "contents", "litteratur", "litteraturliste",
    "referanser", "references", "bibliography", "kilder", "kjelder", "sources", "vedlegg",
    "appendiks", "appendix", "utvalg", "utval", "formål", "formålet", "mandat", "mandatet",
    "begrepsforklaring", "begreper", "omgrep", "definisjoner", "ordliste", "forkortelser",
    "takk", "takksigelser", "acknowledgements", "fotnoter", "noter", "sluttnoter", "notes",
    "forfatteromtaler", "begrunnelse", "grunngiving", "kommentar", "kommentarer", "forklaring",
    "problemstilling", "problemstillinger", "avgrensning", "avgrensninger", "om", "about",
    "type", "kategori",
})

# Inside a summary, its own introduction opens the summary ("5.4 Anbefaling for videre
# arbeid › 5.4.1 Introduksjon"); background and method under it are context.
INTRODUCTION_NOUNS = frozenset({"innledning", "innleiing", "introduksjon", "introduction"})

# "Kapittel 3", "Del 2:", "IV.", "B)" before a heading's words.
LABELLED_NUMBER = re.compile(
    r"^(?:(?:kapittel|kap\.|del|chapter|part|seksjon|section)\s+)?"
    r"(?:\d+(?:\.\d+)*\.?(?=[\s:–—-])|[ivxlc]+[.):](?=\s)|[a-h][.)](?=\s))\s*(?:[:–—-]\s*)?",
    re.I,
)
# A section number a heading in body type starts with: "4.2.1. Introduksjon", "3. Metode".
BODY_TEXT_SECTION_NUMBER = re.compile(r"^(?:\d+\.(?:\d+\.)*|\d+(?:\.\d+)+)\s+[A-ZÆØÅ]")
QUOTES = re.compile(r"[«»\"“”‘’']")
SENTENCE_END = re.compile(r"[.!?]$")
YEAR_IN_TITLE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
# A summary heading run into the first sentence of its paragraph: "Sammendrag: Rapporten …".
RUN_IN_HEADS = frozenset({
    "sammendrag", "samandrag", "oppsummering", "konklusjon", "konklusjoner", "konklusjonar",
    "hovedfunn", "hovudfunn", "anbefalinger", "tilrådingar", "summary", "executive summary",
    "conclusions", "recommendations",
})
RUN_IN = re.compile(r"^([A-ZÆØÅ][a-zæøåA-ZÆØÅ]+)(?:\s*[:.–—]\s+|\s+(?=[A-ZÆØÅ«\"]))(?=\S)")

# What a finding must be: a paragraph of at least a sentence, an item of at least two
# words, set in body type (small print is notes, sources and table cells).
MIN_PARAGRAPH_WORDS = 6
MIN_PASSAGE_WORDS = 5  # fewer words, no list item: a fragment (see join_fragments)
MIN_ITEM_WORDS = 2
SMALL_PRINT = 0.9
# An unheaded summary: prose set apart in type (larger, bold or italic) on the front page
# or the back cover, of at least this many words; a back cover holds fewer than BACK_COVER_WORDS.
SET_APART = 1.08
UNHEADED_MIN_WORDS = 30
BACK_COVER_WORDS = 250
COLOPHON_LINE = re.compile(r"\b(ISBN|ISSN|Postboks|Tlf\.?|Telefon|www\.|https?://)|©|@", re.I)
UNHEADED_SECTION = "Sammendrag"
# A summary condenses its report: a summary section holding more than this share of the
# report's text is the report's body (its chapter of recommendations, say), as long as
# another summary section remains.
BODY_SHARE = 0.4
# Inside a summary, a heading that labels one item rather than a section: a noun and a
# number, alone or with a name ("Tiltak 1 – Egenskapssett", "Alternativ 2: SNACks",
# "Anbefaling 3"); or the number alone, set large as a list marker ("1" over "Oppgrader
# program- og maskinvare.").
ITEM_LABEL = re.compile(r"^(?!(?:figur|figure|tabell|table|kilde|source)\b)[A-ZÆØÅa-zæøå]+\s+\d{1,2}[a-z]?"
                        r"(?:\s*[:.–—-](?:\s+\S.*)?)?$", re.I)
NUMBER_ONLY = re.compile(r"^\d{1,2}[.)]?$")
# A paragraph on the report itself, not on what it found: "Rapporten er en del av en
# evaluering …", "Denne kunnskapsoppsummeringen er første rapportering fra …".
NOTE_ON_REPORT = re.compile(
    r"^(?:(?:denne|dette|den|det|this|the)\s+)?\w*(?:rapport|notat|studie|undersøkels|evaluering|prosjekt"
    r"|oppsummering|report|study|evaluation|project)\w*\s+(?:er|var|inngår|utgjør|is|was|forms)\s", re.I)
# A paragraph sending the reader elsewhere: "For mer informasjon, besøk www.nsm.no."
REFERRAL = re.compile(r"\bwww\.|https?://", re.I)
REFERRAL_MAX_WORDS = 30
# A sentence presenting its list as the report's key points, wherever it stands: "NSM
# vurderer de viktigste utviklingstrekkene å være følgende:", "I årets rapport vil jeg
# fremheve tre risikofaktorer:", "The main findings are:".
KEY_POINTS = re.compile(
    r"\b(?:viktigste|viktigaste|fremheve|framheve|fremhever|framhevar|most important|highlight(?:s|ed)?)\b"
    r"|\b(?:main|key|sentrale)\s+(?:findings|points|messages|conclusions|results|funn|resultater|budskap)\b", re.I)
SENTENCE_BREAK = re.compile(r"(?<=[.!?)»])\s+(?=[A-ZÆØÅ«\"(])")


def heading_name(text: str) -> str:
    """Heading text as readers name it: no chapter number, no trailing colon."""
    return NUMBERED_HEADING.sub("", text).strip().rstrip(":").strip()


def heading_words(text: str) -> list[str]:
    """A heading's words for the grammar: lower case, no numbering, quotes or final stop;
    "/", "&" and "+" read as "og", dashes and commas as words of their own."""
    text = LABELLED_NUMBER.sub("", text.strip())
    text = QUOTES.sub("", text.lower())
    text = re.sub(r"\s*[/&+]\s*", " og ", text)
    text = re.sub(r"\s+[–—-]\s+|^[–—-]\s+", " – ", text)
    text = re.sub(r"[:.;!?…]+\s*$", "", text.strip())
    text = text.replace(",", " , ").replace(":", " : ")
    return text.split()


def _is_head(word: str) -> bool:
    """A head noun, or a compound of one: "Hovedfunn", "Hovudresultat", "Sluttkonklusjon"."""
    if word in SUMMARY_NOUNS:
        return True
    for prefix in HEAD_PREFIXES:
        rest = word[len(prefix):]
        if word.startswith(prefix) and (rest in SUMMARY_NOUNS or rest in QUALIFIED_NOUNS and prefix in MAIN_PREFIXES):
            return True
    return False


def _is_genitive(word: str) -> bool:
    """An agent before the head: "Prosjektgruppens", "NSMs", "Utvalets"."""
    return len(word) >= 3 and word.endswith("s") and word not in SUMMARY_NOUNS and word not in CONJUNCTIONS


def _phrase(words: list[str], start: int) -> tuple[str | None, int]:
    """One noun phrase of the grammar from ``start``: its kind and the index after it.

    ``"summary"``: names a summary ("Våre anbefalinger", "Sentrale funn");
    ``"bare"``: names one unless a complement follows ("Tiltak");
    ``"companion"``: may stand beside one ("videre arbeid", "Funn");
    ``"verb"``: an agent and a verb ("NSM anbefaler"); ``None``: no phrase of the grammar.
    """
    n = len(words)
    for phrase in SUMMARY_PHRASES + COMPANION_PHRASES:
        if tuple(words[start:start + len(phrase)]) == phrase:
            return ("summary" if phrase in SUMMARY_PHRASES else "companion"), start + len(phrase)
    for size in (1, 2, 3):  # "NSM anbefaler", "Vi tilrår", "Arbeidsgruppa i KS foreslår"
        verb = start + size
        if verb < n and words[verb] in AGENT_VERBS and not any(
            w in CONJUNCTIONS or w in AGENT_VERBS or _is_head(w) for w in words[start:verb]
        ):
            return "verb", verb + 1
    if words[start] in CONCLUDING and start + 1 < n and words[start + 1] not in CONJUNCTIONS:
        return "summary", start + 2
    i = start
    qualified = False
    determined = False
    while i < n and i - start < 4:
        word = words[i]
        if word in DETERMINERS or word.isdigit():
            qualified |= word in QUALIFIERS
        elif _is_genitive(word) and i + 1 < n and (_is_head(words[i + 1]) or words[i + 1] in QUALIFIED_NOUNS
                                                   or words[i + 1] in DETERMINERS):
            qualified = True
        elif word.endswith("e") and len(word) >= 3 and i + 1 < n and _is_head(words[i + 1]):
            i += 1  # an adjective before a head noun: "Gode råd", "Nye anbefalinger"
            continue
        else:
            break
        determined = True
        i += 1
    if i >= n:
        return None, start
    word = words[i]
    if word in DESCRIPTIVE_NOUNS and not determined:
        kind = "bare"
    elif _is_head(word):
        kind = "summary"
    elif word in QUALIFIED_NOUNS:
        kind = "summary" if qualified else "companion"
    elif word in COMPANION_WORDS and i == start:
        kind = "companion"
    else:
        return None, start
    i += 1
    # A number after the head: "Anbefaling 3", "Tiltak 1 – Egenskapssett".
    numbered = i
    while i < n and re.fullmatch(r"\d+[a-z]?|[ivx]+|nr\.?", words[i]):
        i += 1
    if kind == "bare" and i > numbered:
        kind = "summary"
    return kind, i


def is_summary_heading(text: str) -> bool:
    """Whether a heading names a summary section (see the module docstring)."""
    words = heading_words(text)
    if not words or len(words) > MAX_HEADING_WORDS or words[0] in CONTEXT_NOUNS:
        return False
    i = 0
    summary = False
    while True:
        kind, end = _phrase(words, i)
        if kind is None:
            return False
        if kind == "verb":  # the verb ends the heading: "NSM anbefaler", "NSM anbefaler:"
            return end == len(words) or words[end] in FOLLOWING or words[end] == ":"
        if kind == "bare":  # "Tiltak", "Tiltak og råd", but not "Tiltak for rask oppstart"
            if end < len(words) and words[end] not in CONJUNCTIONS:
                return False
            kind = "summary"
        summary |= kind == "summary"
        if end == len(words):
            return summary
        if words[end] in CONJUNCTIONS and end + 1 < len(words):
            i = end + 1
            continue
        return summary and words[end] in COMPLEMENT_STARTS


def is_context_heading(text: str) -> bool:
    """Background, method, front and back matter: "Innledning", "Bakgrunn for …", "Om rapporten"."""
    words = heading_words(text)
    return bool(words) and words[0] in CONTEXT_NOUNS and len(words) <= MAX_HEADING_WORDS


def _body_text_heading(text: str) -> tuple[str, str | None] | None:
    """A heading set as body text: the heading and the rest of its paragraph.

    "Sammendrag" as a paragraph of its own or run into the first sentence
    ("Sammendrag: Rapporten viser …"); a numbered section heading in body type
    ("4.2.1. Introduksjon", "5.4.5. Videre standardiseringsarbeid for forvaltning").
    """
    text = text.strip()
    if " ".join(heading_words(text)) in RUN_IN_HEADS:
        return text, None
    if BODY_TEXT_SECTION_NUMBER.match(text) and len(text.split()) <= 10 and not SENTENCE_END.search(text):
        return text, None
    match = RUN_IN.match(text)
    if match and match.group(1).lower() in RUN_IN_HEADS:
        return match.group(1), text[match.end():]
    return None


@dataclass
class DocumentContext:
    sha256: str
    title: str
    year: int | None  # the document's own year, inherited by undated reports
    publisher: str | None
    # Who wrote and who commissioned the document, read from its cover and colophon.
    contractors: list[str] = field(default_factory=list)
    commissioner: str | None = None
    published: str | None = None  # from the colophon or date line: "2019-06-07", "2019-06", "2019"


@dataclass
class _Draft:
    """A report being assembled from its blocks."""

    title: str
    theme: str | None
    blocks: list[Block] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # a chapter's byline


def _chapter_level(headings: list[Block]) -> int:
    counts = Counter(h.level for h in headings)
    repeated = sorted(level for level, n in counts.items() if n >= 2)
    return repeated[0] if repeated else (min(counts) if counts else 1)


def _size(block: Block) -> float | None:
    sizes = sorted(line.size for line in block.lines)
    return sizes[len(sizes) // 2] if sizes else None


def text_size(blocks: list[Block]) -> float | None:
    """The body type size: the size most of the paragraph and item text is set in."""
    weights: Counter[float] = Counter()
    for block in blocks:
        if block.kind in ("paragraph", "item"):
            for line in block.lines:
                weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else None


def _small_print(block: Block, body: float | None) -> bool:
    size = _size(block)
    return body is not None and size is not None and size < body * SMALL_PRINT


def _set_apart(block: Block, body: float | None) -> bool:
    """Prose a designer set apart from the body: larger type, or wholly bold or italic."""
    size = _size(block)
    if body is None or size is None:
        return False
    return size >= body * SET_APART or all(line.bold for line in block.lines) or all(
        line.italic for line in block.lines)


def _words(block: Block) -> int:
    return len(block.text.split())


def _is_lead_in(block: Block) -> bool:
    """A sentence introducing a list: "Følgende punkter foreslås:". A paragraph that says
    something before its closing introduction ("… ha en felles digital grunnmur. NSM
    anbefaler:") is more than a lead-in."""
    text = block.text.rstrip()
    if not text.endswith(":"):
        return False
    sentences = SENTENCE_BREAK.split(text)
    return len(" ".join(sentences[:-1]).split()) < MIN_PARAGRAPH_WORDS


def _is_referral(block: Block) -> bool:
    """A short paragraph sending the reader to a web address."""
    return bool(REFERRAL.search(block.text)) and _words(block) <= REFERRAL_MAX_WORDS


def introduces_key_points(block: Block) -> bool:
    """A sentence presenting the list after it as the report's key points (see KEY_POINTS)."""
    if block.kind != "paragraph" or not block.text.rstrip().endswith(":"):
        return False
    last = SENTENCE_BREAK.split(block.text.strip())[-1]
    return bool(KEY_POINTS.search(last)) or any(
        _is_head(w) and w.startswith(MAIN_PREFIXES) for w in heading_words(last))


def join_sub_items(group: list[Block]) -> list[Block]:
    """Items indented under an item that ends in «:» become part of it: "Bevisstgjør
    personell om:" with its four sub-points is one item."""
    out: list[Block] = []
    for block in group:
        parent = out[-1] if out else None
        if (block.kind == "item" and parent is not None and parent.kind == "item" and block.lines and parent.lines
                and block.lines[0].x0 > parent.lines[0].x0 + 2
                and (parent.text.split("\n")[0].rstrip().endswith(":") or "\n" in parent.text)):
            out[-1] = Block(kind="item", text=f"{parent.text}\n• {block.text}", page=parent.page, level=parent.level,
                            marker=parent.marker, lines=parent.lines + block.lines, section=parent.section,
                            chapter=parent.chapter)
            continue
        out.append(block)
    return out


def choose_findings(group: list[Block], body: float | None = None) -> list[Block]:
    """The findings among one summary (sub)section's blocks, in order.

    A summary in prose: each paragraph and each item of its lists is a finding. A
    summary written as a list (its first finding is a list item): the items, and the
    prose that goes on in the list's type after them, except a note on the report
    itself («Rapporten er en del av …»); text in other type after the list belongs
    to something else (a box, a case). Never a finding: a sentence introducing a list,
    a pointer to a web address, small print.
    """
    candidates = [
        b for b in group
        if not _small_print(b, body) and (
            b.kind == "item" and _words(b) >= MIN_ITEM_WORDS
            or b.kind == "paragraph" and _words(b) >= MIN_PARAGRAPH_WORDS and not _is_lead_in(b)
            and not _is_referral(b)
        )
    ]
    if candidates and candidates[0].kind == "item":
        sizes = sorted(s for b in candidates if b.kind == "item" and (s := _size(b)) is not None)
        list_size = sizes[len(sizes) // 2] if sizes else None
        return [
            b for b in candidates
            if b.kind == "item" or (
                list_size is not None and (size := _size(b)) is not None and abs(size - list_size) < 0.5
                and not NOTE_ON_REPORT.match(b.text.strip())
            )
        ]
    return candidates


def _has_summary(blocks: list[Block]) -> bool:
    for block in blocks:
        if block.kind == "heading" and is_summary_heading(block.text):
            return True
        if block.kind == "paragraph":
            found = _body_text_heading(block.text)
            if found and is_summary_heading(found[0]):
                return True
    return False


def unheaded_summary(blocks: list[Block], body: float | None) -> list[Block]:
    """Prose set apart in type on the front page or the back cover, when nothing is headed as a summary.

    The front page is the first page of text: its set-apart paragraphs before the body
    begins (headings such as the title are passed over). The back cover is the last
    page when it holds little text and no heading.
    """
    if not blocks or _has_summary(blocks):
        return []
    front = blocks[0].page
    found: list[Block] = []
    for block in blocks:
        if block.page != front:
            break
        if block.kind in ("heading", "link", "caption") or _small_print(block, body):
            continue
        if block.kind != "paragraph" or not _set_apart(block, body):
            break
        if _words(block) >= MIN_PARAGRAPH_WORDS and not COLOPHON_LINE.search(block.text) and not is_published_line(block.text):
            found.append(block)
    if sum(_words(b) for b in found) >= UNHEADED_MIN_WORDS:
        return found
    back = blocks[-1].page
    on_back = [b for b in blocks if b.page == back]
    if back == front or any(b.kind == "heading" for b in on_back) or sum(_words(b) for b in on_back) >= BACK_COVER_WORDS:
        return []
    found = [
        b for b in on_back
        if b.kind == "paragraph" and _set_apart(b, body) and _words(b) >= MIN_PARAGRAPH_WORDS
        and not COLOPHON_LINE.search(b.text)
    ]
    return found if sum(_words(b) for b in found) >= UNHEADED_MIN_WORDS else []


def body_sized_summaries(blocks: list[Block]) -> set[int]:
    """The summary headings (ids) whose sections hold the report's body rather than a
    summary of it: more than BODY_SHARE of the report's text, when another summary
    section remains ("4. Prosjektgruppens anbefalinger" over sixteen of thirty pages,
    beside «Sammendrag» and «Konklusjon»)."""
    sections: list[tuple[Block, int]] = []
    total = 0
    open_level: int | None = None
    for block in blocks:
        if block.kind == "heading":
            if open_level is not None and block.level <= open_level:
                open_level = None
            if open_level is None and is_summary_heading(block.text):
                open_level = block.level
                sections.append((block, 0))
        elif block.kind in ("paragraph", "item"):
            total += _words(block)
            if open_level is not None:
                sections[-1] = (sections[-1][0], sections[-1][1] + _words(block))
    large = {id(heading) for heading, words in sections if total and words > BODY_SHARE * total}
    return large if len(sections) > len(large) else set()


def with_body_text_headings(blocks: list[Block], body: float | None = None) -> tuple[list[Block], set[int]]:
    """Blocks with headings set as body text (see :func:`_body_text_heading`) turned into
    headings, and the ids of the lines kept as text beside them.

    They get the level below the deepest real heading, so any real heading ends them.
    A "Sammendrag" standing alone counts when prose follows it (not a table's column
    head). A numbered section line stays a passage too (its words are the text's), but
    never a finding.
    """
    deepest = max((b.level for b in blocks if b.kind == "heading"), default=0)
    out: list[Block] = []
    kept: set[int] = set()
    for index, block in enumerate(blocks):
        found = None
        if block.kind == "paragraph" and not _small_print(block, body):
            found = _body_text_heading(block.text)
        numbered = found is not None and found[1] is None and bool(BODY_TEXT_SECTION_NUMBER.match(found[0]))
        if found is not None and found[1] is None and not numbered:
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following is None or following.kind not in ("paragraph", "item") or _words(following) < MIN_PARAGRAPH_WORDS:
                found = None
        if found is None:
            out.append(block)
            continue
        heading, rest = found
        if numbered:
            out.append(block)
            kept.add(id(block))
        out.append(Block(kind="heading", text=heading, page=block.page, level=deepest + 1, lines=block.lines))
        if rest:
            out.append(Block(kind="paragraph", text=rest, page=block.page, lines=block.lines))
    return out, kept


def is_compilation(blocks: list[Block]) -> bool:
    """Several sub-chapter headings each followed by their own publication line."""
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings:
        return False
    report_level = _chapter_level(headings) + 1
    dated = total = 0
    current_is_report = False
    seen_date = False
    for block in blocks:
        if block.kind == "heading" and block.level <= report_level:
            if current_is_report:
                dated += seen_date
            current_is_report = block.level == report_level
            total += current_is_report
            seen_date = False
        elif block.kind == "paragraph" and is_published_line(block.text):
            seen_date = True
    if current_is_report:
        dated += seen_date
    return dated >= 3 and dated >= 0.4 * total


def _is_fragment(passage: Passage) -> bool:
    return not passage.text.startswith("•") and len(re.findall(r"\w+", passage.text)) < MIN_PASSAGE_WORDS


def join_fragments(passages: list[Passage]) -> list[Passage]:
    """A passage of a few words that is no list item stands with its neighbour: a box
    heading with no text of its own, a reference entry broken apart, the pieces of a form.
    It opens the next passage of its section (on the same or the next page) unless that
    is a list item, else it closes the one before it (a list item too: `teaching vs.
    research)` ends the item it broke off from); a line break keeps them apart in the
    text. A passage is what a search shows, and three words out of their context answer
    nothing."""

    def near(first: Passage, second: Passage) -> bool:
        return first.section == second.section and 0 <= second.page - first.page <= 1

    joined: list[Passage] = []
    waiting: Passage | None = None  # a fragment waiting for the next passage

    def settle(fragment: Passage) -> None:
        """The fragment no next passage took: it closes the one before, or stands alone."""
        if joined and near(joined[-1], fragment):
            joined[-1] = replace(joined[-1], text=f"{joined[-1].text}\n{fragment.text}")
        else:
            joined.append(fragment)

    for passage in passages:
        if waiting is not None:
            if near(waiting, passage) and not passage.text.startswith("•"):
                passage = replace(passage, text=f"{waiting.text}\n{passage.text}", page=waiting.page)
            else:
                settle(waiting)
            waiting = None
        if _is_fragment(passage):
            waiting = passage
            continue
        joined.append(passage)
    if waiting is not None:
        settle(waiting)
    return joined


class ReportBuilder:
    """Turns one draft (title + blocks) into a :class:`Report`."""

    def __init__(self, context: DocumentContext, index: int, draft: _Draft, single: bool,
                 body: float | None = None, unheaded: list[Block] | None = None, text_roles: bool = True):
        self.context = context
        self.single = single
        # Whether the text's own phrasing may name contractors and commissioner; a chapter
        # of an edited volume has a byline, and the institutes its text names are others'.
        self.text_roles = text_roles
        self.draft = draft
        self.body = body
        self.unheaded = {id(b) for b in unheaded or ()}
        self.report_id = stable_id(context.sha256, "report", index, draft.title)

    def build(self) -> Report:
        findings: list[Finding] = []
        passages: list[Passage] = []
        paragraphs: list[str] = []
        published = None
        chapter = self.draft.theme
        section: str | None = None
        themes: list[str] = [self.draft.theme] if self.draft.theme else []
        summary_level: int | None = None  # level of the open summary heading, if any
        summary_name: str | None = None
        context_level: int | None = None  # level of a background heading inside it
        body_level: int | None = None  # level of a summary-named heading over the report's body
        group: list[Block] = []  # one summary (sub)section's blocks until it closes
        label: Block | None = None  # an item label waiting for its text (see ITEM_LABEL)
        numbered = False  # a number set as a heading stands before the next item
        key_points = False  # the paragraph before presented its list as the key points
        blocks, heading_lines = with_body_text_headings(self.draft.blocks, self.body)
        body_sized = body_sized_summaries(blocks)
        real_headings = [b for b in self.draft.blocks if b.kind == "heading"]
        top_level = min((b.level for b in real_headings), default=1)
        real = {id(b) for b in real_headings}

        def flush_label() -> None:
            nonlocal label
            if label is not None:  # a label without text of its own is the item
                group.append(Block(kind="item", text=label.text.strip(), page=label.page, lines=label.lines,
                                   section=section or self.draft.title, chapter=chapter))
                label = None

        def close_group() -> None:
            flush_label()
            group[:] = join_sub_items(group)
            chosen = {id(b) for b in choose_findings(group, self.body)}
            for block in group:
                if id(block) in chosen:
                    add_finding(block)
                elif block.kind in ("paragraph", "item"):
                    add_passage(block)
            group.clear()

        def add_finding(block: Block) -> None:
            assert block.section is not None, "the loop below sets the section of every block it keeps"
            findings.append(Finding(
                id=stable_id(self.report_id, "finding", len(findings)),
                text=block.text, page=block.page, section=block.section, chapter=block.chapter,
            ))

        def add_passage(block: Block) -> None:
            text = block.text if block.kind == "paragraph" else f"• {block.text}"
            previous = passages[-1] if passages else None
            if (block.kind == "item" and previous is not None and previous.section == block.section
                    and previous.text.split("\n")[0].endswith(":")):
                previous.text += "\n" + text  # list items belong to the sentence introducing them
                return
            passages.append(Passage(
                id=stable_id(self.report_id, "passage", len(passages)),
                text=text, page=block.page, chapter=block.chapter, section=block.section,
            ))

        for block in blocks:
            if block.kind == "heading":
                name = heading_name(block.text)
                key_points = False
                if summary_level is not None and block.level > summary_level and context_level is None:
                    if NUMBER_ONLY.match(block.text.strip()):
                        numbered = True  # "1" set large over its item: a list marker
                        continue
                    if numbered or ITEM_LABEL.match(block.text.strip()):
                        flush_label()
                        label, numbered = block, False
                        continue
                if summary_level is not None and block.level == summary_level and name == summary_name:
                    continue  # the summary's heading set again over its next page
                numbered = False
                if summary_level is not None:
                    close_group()
                    if block.level <= summary_level:
                        summary_level = None
                if context_level is not None and block.level <= context_level:
                    context_level = None
                if body_level is not None and block.level <= body_level:
                    body_level = None
                if self.single and block.level == top_level and id(block) in real:
                    chapter = name
                    if name not in themes:
                        themes.append(name)
                section = name
                if id(block) in body_sized:
                    body_level = block.level
                elif summary_level is None and body_level is None and is_summary_heading(block.text):
                    summary_level, summary_name = block.level, name
                elif (summary_level is not None and context_level is None and is_context_heading(block.text)
                      and heading_words(block.text)[0] not in INTRODUCTION_NOUNS):
                    context_level = block.level
                continue
            if block.kind in ("link", "caption"):
                continue
            if label is not None:  # the label and its text are one item: "Tiltak 1 – Egenskapssett Det anbefales …"
                dash = " –" if block.marker in ("–", "-", "—") else ""
                block = Block(kind="item", text=f"{label.text.strip()}{dash} {block.text}", page=label.page,
                              lines=label.lines + block.lines)
                label = None
            elif numbered and block.kind == "paragraph":
                block = Block(kind="item", text=block.text, page=block.page, lines=block.lines)
            numbered = False
            block.section = section or self.draft.title
            block.chapter = chapter
            if block.kind == "paragraph" and is_published_line(block.text):
                published = published or parse_published(block.text)
                continue
            if block.kind == "paragraph":
                paragraphs.append(block.text)
            if id(block) in self.unheaded:
                block.section = UNHEADED_SECTION
                if _words(block) >= MIN_PARAGRAPH_WORDS:
                    add_finding(block)
                    continue
            if summary_level is not None and context_level is None and id(block) not in heading_lines:
                group.append(block)
            elif (key_points and block.kind == "item" and _words(block) >= MIN_ITEM_WORDS
                  and not _small_print(block, self.body)):
                add_finding(block)
                continue
            else:
                add_passage(block)
            # the list a key-points sentence introduces runs on while its items do
            key_points = (summary_level is None and introduces_key_points(block)) or (key_points and block.kind == "item")
        close_group()
        passages[:] = join_fragments(passages)

        lead = self._lead(passages, findings)
        tagger = get_tagger()
        contractors, commissioners = tagger.roles(paragraphs[:40]) if self.text_roles else ([], [])
        commissioner = " og ".join(commissioners) if commissioners else None
        if self.single:
            # A stand-alone report names its author and commissioner in its colophon
            # ("Utført av:", "Oppdragsgiver:", "Fafo-rapport 2019:12"): that decides.
            contractors = list(self.context.contractors) or contractors
            commissioner = self.context.commissioner or commissioner
        publisher = self.context.publisher
        if not contractors and self.single and publisher:
            contractors = [publisher]
        # The institute on the cover of a stand-alone report that another wrote ordered it.
        # A compilation's publisher only lists the reports: each names its own commissioner
        # ("på oppdrag fra …") or has none; funding ("har gitt økonomisk støtte") is no order.
        if commissioner is None and self.single and publisher and publisher not in contractors:
            commissioner = publisher
        if not published and self.single and self.context.published:
            published = Published(self.context.published, int(self.context.published[:4]))
        year_inferred = published is None
        year = published.year if published else self.context.year
        pages = [b.page for b in self.draft.blocks] or [0]
        return Report(
            id=self.report_id, title=self.draft.title, theme=self.draft.theme,
            contractors=contractors, commissioner=commissioner,
            published=published.published if published else (str(year) if year else None),
            year=year, year_inferred=year_inferred, lead=lead,
            page_start=min(pages), page_end=max(pages),
            findings=findings, passages=passages, themes=themes, authors=list(self.draft.authors),
        )

    def _lead(self, passages: list[Passage], findings: list[Finding]) -> str:
        for block in self.draft.blocks:
            if block.kind == "paragraph" and not is_published_line(block.text) and len(block.text) > 40:
                return block.text
        return findings[0].text if findings else ""


def segment(blocks: list[Block], footnotes: list[Block], context: DocumentContext,
            outside: list[Block] | None = None) -> list[Report]:
    """Reports in document order; ``outside`` receives the blocks no report takes (a
    compilation's front page and chapter introductions before its first report)."""
    headings = [b for b in blocks if b.kind == "heading"]
    chapter_level = _chapter_level(headings)
    body = text_size(blocks)
    if is_compilation(blocks):
        drafts: list[_Draft] = []
        theme: str | None = None
        current: _Draft | None = None
        for block in blocks:
            if block.kind == "heading" and block.level <= chapter_level:
                theme = heading_name(block.text)
                current = None
                continue
            if block.kind == "heading" and block.level == chapter_level + 1:
                current = _Draft(title=heading_name(block.text), theme=theme)
                drafts.append(current)
                continue
            if current is not None:
                current.blocks.append(block)
            elif outside is not None:
                outside.append(block)
        return [ReportBuilder(context, i, d, single=False, body=body).build() for i, d in enumerate(drafts)]

    draft = _Draft(title=context.title, theme=None, blocks=list(blocks))
    unheaded = unheaded_summary(blocks, body)
    report = ReportBuilder(context, 0, draft, single=True, body=body, unheaded=unheaded).build()
    _attach_footnotes(report, footnotes, blocks)
    return [report]


def segment_volume(volume: Volume, footnotes: list[Block], context: DocumentContext) -> list[Report]:
    """One report per chapter of an edited volume (:mod:`indexer.extract.volumes`).

    Each chapter is read as a report of its own: its headings are its chapters, its
    concluding sections its findings, its byline its authors. Who published and
    commissioned the book (its colophon) holds for every chapter; the institutes a
    chapter's text names are the ones it cites.
    """
    body = text_size([block for chapter in volume.chapters for block in chapter.blocks])
    reports = []
    for index, chapter in enumerate(volume.chapters):
        draft = _Draft(title=chapter.title, theme=chapter.theme, blocks=list(chapter.blocks), authors=chapter.authors)
        unheaded = unheaded_summary(draft.blocks, body)
        reports.append(ReportBuilder(context, index, draft, single=True, body=body, unheaded=unheaded,
                                     text_roles=False).build())
    for note in footnotes:  # a footnote goes with the chapter its page is in (or the nearest)
        report = min(reports, key=lambda r: 0 if r.page_start <= note.page <= r.page_end
                     else min(abs(note.page - r.page_start), abs(note.page - r.page_end)))
        chapter_blocks = volume.chapters[reports.index(report)].blocks
        _attach_footnotes(report, [note], chapter_blocks)
    return reports


def _attach_footnotes(report: Report, footnotes: list[Block], blocks: list[Block]) -> None:
    """Footnotes become passages of the chapter they stand in, kept out of running text."""
    chapter_by_page: dict[int, str | None] = {}
    for block in blocks:
        chapter_by_page.setdefault(block.page, block.chapter)
    for note in footnotes:
        chapter = chapter_by_page.get(note.page)
        report.passages.append(Passage(
            id=stable_id(report.id, "footnote", note.page, note.text[:40]),
            text=note.text, page=note.page, chapter=chapter, section="Fotnoter",
        ))


def document_year(title: str, fallback: int | None) -> int | None:
    match = YEAR_IN_TITLE.search(title or "")
    return int(match.group(1)) if match else fallback
