"""``rapportsok eval-extraction``: how well the pipeline reads report PDFs.

Each PDF is compared with a gold file written by a careful reader (the format is in
``tests/gold/README.md``). Per document:

* **findings**: precision, recall and F1 of the extracted findings against the gold
  items, matched one to one within matched reports. Reports are matched by title
  first (after :func:`~indexer.evaluation.relevance.normalize`), then by shared
  findings, then the rest in document order. A gold item matches an extracted finding
  when their first eight words agree (:func:`finding_key`), or the whole item when it
  is shorter. Findings of reports left unmatched count as missed or as extra.
* **metadata**: per gold report, whether the title, the contractors (as a set), the
  commissioner and the year are right (a year the report marks as inferred agrees
  with a gold ``null``: neither says the document states a year).
* **chapters**: the share of the gold chapter headings found among the report's
  chapter and section names.
* **words lost**: every word pdfminer reads on a page must end up exactly once in the
  output (:func:`account_words`); the words that do not are lost, those that end up
  more than once are duplicated.
* **pages/s**: pages over the seconds :func:`~indexer.extract.pipeline.extract_document` took.

The totals micro-average findings and metadata over every document.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from indexer.errors import ExtractionError
from indexer.evaluation.relevance import normalize
from indexer.exitcodes import ExitCode
from indexer.extract.pdftext import read_pdf
from indexer.extract.pipeline import extract_document, file_sha256
from indexer.records import Document, Finding, Passage, Report

KEY_WORDS = 8
WORD = re.compile(r"\w+")
# A line that ends inside a word broken by the typesetter ("vide-" / "regående").
HYPHEN_HEAD = re.compile(r"(\w+)-$")
EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
# How many lines after a line ending in "vide-" may hold "regående" (footnotes may come between).
JOIN_WINDOW = 8
PAGE_TURN_WINDOW = 60  # a page of footnotes may stand between a broken word and its end
# How many lines a heading may run over.
HEADING_LINES = 4
# A run-in heading: a short label at the start of a line, ended by a colon or a dash.
RUN_IN_LABEL = re.compile(r"^\s*([^:–—]{1,60}?)\s*[:–—]\s+\S")
RUN_IN_LABEL_STOP = re.compile(r"^\s*([^.:–—]{1,60}?)\.\s+[^\W\d_]")  # "Note. If you …", not ". . . 5"
SHOWN_LOST_LINES = 12
SHOWN_LOST_WORDS = 20
METADATA_FIELDS = ("title", "contractors", "commissioner", "year")


# --- gold files ----------------------------------------------------------------------


class GoldFileError(ValueError):
    """A gold file is missing, unreadable or not shaped as tests/gold/README.md describes."""


@dataclass(frozen=True)
class GoldFinding:
    section: str
    text: str


@dataclass
class GoldReport:
    title: str
    contractors: list[str]
    commissioner: str | None
    year: int | None
    findings: list[GoldFinding]
    chapters: list[str] | None  # None: not judged


@dataclass
class Gold:
    """What a careful reader finds in one PDF."""

    reports: list[GoldReport]
    source: str | None = None  # the PDF, relative to a folder of PDFs
    sha256: str | None = None
    path: Path | None = None  # the gold file


def _string(value: Any, where: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise GoldFileError(f"{where} must be a string{' or null' if optional else ''}")
    return value


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GoldFileError(f"{where} must be a list of strings")
    return list(value)


def _gold_report(raw: Any, where: str) -> GoldReport:
    if not isinstance(raw, Mapping):
        raise GoldFileError(f"{where} must be an object")
    title = _string(raw.get("title"), f"{where}: 'title'")
    assert title is not None
    year = raw.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise GoldFileError(f"{where}: 'year' must be a whole number or null")
    raw_findings = raw.get("findings", [])
    if not isinstance(raw_findings, list):
        raise GoldFileError(f"{where}: 'findings' must be a list")
    findings = []
    for number, item in enumerate(raw_findings, start=1):
        at = f"{where}, finding {number}"
        if not isinstance(item, Mapping):
            raise GoldFileError(f"{at} must be an object")
        text = _string(item.get("text"), f"{at}: 'text'")
        assert text is not None
        if not text.strip():
            raise GoldFileError(f"{at}: 'text' is empty")
        findings.append(GoldFinding(section=_string(item.get("section", ""), f"{at}: 'section'") or "", text=text))
    chapters = raw.get("chapters")
    return GoldReport(
        title=title,
        contractors=_string_list(raw.get("contractors", []), f"{where}: 'contractors'"),
        commissioner=_string(raw.get("commissioner"), f"{where}: 'commissioner'", optional=True),
        year=year,
        findings=findings,
        chapters=None if chapters is None else _string_list(chapters, f"{where}: 'chapters'"),
    )


def parse_gold(data: Any, path: Path | None = None) -> Gold:
    """A :class:`Gold` from decoded JSON; raises :class:`GoldFileError` when malformed."""
    if not isinstance(data, Mapping) or not isinstance(data.get("reports"), list):
        raise GoldFileError("the file must be an object with a 'reports' list")
    reports = [_gold_report(r, f"report {i}") for i, r in enumerate(data["reports"], start=1)]
    source = _string(data.get("source"), "'source'", optional=True)
    sha256 = _string(data.get("sha256"), "'sha256'", optional=True)
    return Gold(reports=reports, source=source, sha256=sha256.lower() if sha256 else None, path=path)


def load_gold(path: Path) -> Gold:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoldFileError(f"{path}: filen finnes ikke (file not found)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFileError(f"{path}: kunne ikke lese filen (unreadable): {exc}") from None
    except json.JSONDecodeError as exc:
        raise GoldFileError(f"{path}: ikke gyldig JSON (not valid JSON) på linje {exc.lineno}: {exc.msg}") from None
    try:
        return parse_gold(data, path)
    except GoldFileError as exc:
        raise GoldFileError(f"{path}: {exc}") from None


# --- matching findings and reports ---------------------------------------------------


def finding_words(text: str) -> list[str]:
    """The words of ``text`` after :func:`normalize`, each without punctuation at its edges."""
    words = (EDGE_PUNCTUATION.sub("", word) for word in normalize(text).split())
    return [word for word in words if word]


def finding_key(text: str) -> tuple[str, ...]:
    """The first :data:`KEY_WORDS` words: how a gold item and an extracted finding are matched."""
    return tuple(finding_words(text)[:KEY_WORDS])


def match_findings(gold: Sequence[str], extracted: Sequence[str]) -> list[int | None]:
    """For each gold item, the index of the extracted finding it matches (one to one), or None."""
    free: dict[tuple[str, ...], list[int]] = {}
    for index, text in enumerate(extracted):
        free.setdefault(finding_key(text), []).append(index)
    matched: list[int | None] = []
    for text in gold:
        candidates = free.get(finding_key(text))
        matched.append(candidates.pop(0) if candidates else None)
    return matched


def _matched_count(gold: GoldReport, report: Report) -> int:
    pairs = match_findings([f.text for f in gold.findings], [f.text for f in report.findings])
    return sum(index is not None for index in pairs)


def match_reports(gold: Sequence[GoldReport], extracted: Sequence[Report]) -> list[int | None]:
    """For each gold report, the index of the extracted report it is compared with, or None.

    By normalised title first; then, of the rest, the pairs sharing the most findings;
    then what is left, in document order.
    """
    pairs: list[int | None] = [None] * len(gold)
    free = list(range(len(extracted)))
    for g, report in enumerate(gold):
        title = normalize(report.title)
        found = next((e for e in free if normalize(extracted[e].title) == title), None)
        if found is not None:
            pairs[g] = found
            free.remove(found)
    shared = sorted(
        ((_matched_count(gold[g], extracted[e]), g, e) for g in range(len(gold)) if pairs[g] is None for e in free),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for count, g, e in shared:
        if count and pairs[g] is None and e in free:
            pairs[g] = e
            free.remove(e)
    for g in range(len(gold)):
        if pairs[g] is None and free:
            pairs[g] = free.pop(0)
    return pairs


# --- words lost ---------------------------------------------------------------------


@dataclass
class LostLine:
    """A line of the page whose words are (some or all) missing from the output."""

    page: int
    text: str
    lost: int  # words of this line counted as lost


@dataclass
class WordAccount:
    """Where the words pdfminer read ended up."""

    raw: int  # words read from the pages
    accounted: int  # found in the output (a line-end hyphen join counts both halves)
    lost: int  # read but not in the output
    duplicated: int  # in findings, passages or furniture more often than read
    unread: int  # in findings, passages or furniture but never read (should be 0)
    hyphen_joins: int  # words broken at a line end and found joined
    furniture: dict[str, int] = field(default_factory=dict)  # furniture words by kind
    lost_words: dict[str, int] = field(default_factory=dict)  # most often lost first
    duplicated_words: dict[str, int] = field(default_factory=dict)
    lost_lines: list[LostLine] = field(default_factory=list)


def _tokens(text: str | None) -> list[str]:
    return [word.lower() for word in WORD.findall(text or "")]


def _items(report: Report) -> list[Finding | Passage]:
    return [*report.findings, *report.passages]


def heading_names(document: Document) -> list[str]:
    """Every distinct name a heading of the document became: titles, themes, chapter
    and section names."""
    names = {document.document_title}
    for report in document.reports:
        names.update([report.title, *([report.theme] if report.theme else []), *report.themes])
        for item in _items(report):
            names.update(name for name in (item.chapter, item.section) if name)
    return sorted(names)


def metadata_texts(document: Document) -> list[str]:
    """Per report: authors, contractors, commissioner, publication date, and the lead when
    it is not a copy of a finding or passage."""
    texts: list[str] = []
    for report in document.reports:
        texts += [*report.authors, *report.contractors, report.commissioner or "", report.published or ""]
        if report.lead not in {item.text for item in _items(report)}:
            texts.append(report.lead)
    return texts


def output_text(document: Document) -> Counter[str]:
    """The words of the findings, passages and furniture."""
    text: Counter[str] = Counter()
    for report in document.reports:
        for item in _items(report):
            text.update(_tokens(item.text))
    for piece in document.furniture:
        text.update(_tokens(piece.text))
    return text


def _whole_lines(lines: Sequence[list[str]], longest: int = HEADING_LINES) -> Counter[tuple[str, ...]]:
    """The words of every run of up to ``longest`` consecutive lines, without leading
    numbers ("4.1. Introduksjon" gives ("introduksjon",)) unless it has nothing else:
    where a heading may stand."""
    runs: Counter[tuple[str, ...]] = Counter()
    for start in range(len(lines)):
        words: list[str] = []
        for tokens in lines[start: start + longest]:
            words += tokens
            first = next((i for i, word in enumerate(words) if not word.isdigit()), len(words))
            # A name of figures only (the big "2" over a box) stands as it is.
            runs[tuple(words[first:] if first < len(words) else words)] += 1
    return runs


def _word_pairs(texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Every two and every three words that stand side by side in one of ``texts``."""
    pairs: set[tuple[str, ...]] = set()
    for text in texts:
        tokens = _tokens(text)
        pairs.update(zip(tokens, tokens[1:], strict=False))
        pairs.update(zip(tokens, tokens[1:], tokens[2:], strict=False))
    return pairs


def _expected_words(
    raw_lines: Sequence[tuple[int, str]], document: Document, output: Counter[str],
    pairs: set[tuple[str, ...]] | None = None,
) -> tuple[list[list[str]], int]:
    """The words of each raw line as the output should have them: a word broken at a
    line end is joined where the output has the joined word.

    The continuation of a line ending in "vide-" is one of the next few lines that
    are not furniture (a page break puts the footer, the page number and the next
    header in between; a footnote may too). The join is taken when the output holds
    the joined word more often than the lines do so far; resolved until nothing
    changes, since one join ("delta-" + "kere") may rest on another
    ("introduksjons-" + "deltakere") having taken a word away. Joins the output
    shows in place are taken first (the joined word between the words before and after
    the break, per ``pairs``; then beside the one there is), so that a join elsewhere
    in the document does not take the joined word away from them. A word broken twice ("in-" / "troduksjonsprogram-"
    / "met") joins over three lines.
    """
    pairs = pairs or set()
    furniture = {(piece.page, piece.text) for piece in document.furniture}
    lines = [_tokens(text) for _, text in raw_lines]
    expected: Counter[str] = Counter(token for tokens in lines for token in tokens)
    body = [i for i, (page, text) in enumerate(raw_lines) if (page, text) not in furniture and lines[i]]
    position = {line: n for n, line in enumerate(body)}
    pending = [i for i in body if HYPHEN_HEAD.search(raw_lines[i][1])]
    used: set[int] = set()
    joins = 0

    def next_line(line: int) -> int | None:
        return next((tail for tail in body[position[line] + 1: position[line] + 1 + JOIN_WINDOW]
                     if tail not in used and lines[tail]), None)

    def seen(joined: str, head_line: int, last_line: int) -> int:
        """How many of the words around the break (before, after) stand beside the joined
        word in the output: 0 when one of them does not."""
        before = lines[head_line][-2] if len(lines[head_line]) > 1 else None
        after = lines[last_line][1] if len(lines[last_line]) > 1 else None
        if before is not None and after is not None:
            return 2 if (before, joined, after) in pairs else 0
        return 1 if (before, joined) in pairs or (joined, after) in pairs else 0

    def try_join(head_line: int, evidence: int) -> bool:
        head = lines[head_line][-1]
        following = [tail for tail in body[position[head_line] + 1: position[head_line] + 1 + JOIN_WINDOW]
                     if tail not in used and lines[tail]]
        # Seen in place: the next line, or the first of the next page (past the footnotes);
        # by the count, any of the next few lines.
        if evidence:
            page = raw_lines[head_line][0]
            turn = next((tail for tail in body[position[head_line] + 1: position[head_line] + 1 + PAGE_TURN_WINDOW]
                         if raw_lines[tail][0] > page), None)
            nearby = following[:1] + ([turn] if turn is not None and turn not in used and lines[turn] else [])
            if evidence == 2:
                # Seen on both sides: also further down the page (past a figure's labels), a
                # line that does not go on from a broken word of its own.
                nearby += [tail for tail in body[position[head_line] + 2: position[head_line] + 1 + PAGE_TURN_WINDOW // 2]
                           if raw_lines[tail][0] == page and tail not in used and lines[tail]
                           and not HYPHEN_HEAD.search(raw_lines[body[position[tail] - 1]][1])]
            following = nearby
        for tail_line in following:
            if not evidence and (head, lines[tail_line][0]) in pairs:
                continue  # by the count only, where the output keeps the break ("ba- sic" in a table row)
            chain = [tail_line]
            # "troduksjonsprogram-" alone on its line: the word may go on in the next one.
            if len(lines[tail_line]) == 1 and tail_line in pending and (third := next_line(tail_line)) is not None:
                chain.append(third)
            for length in range(len(chain), 0, -1):
                parts = [head, *(lines[line][0] for line in chain[:length])]
                joined = "".join(parts)
                if output[joined] > expected[joined] and seen(joined, head_line, chain[length - 1]) >= evidence:
                    expected.subtract(parts)
                    expected[joined] += 1
                    lines[head_line][-1] = joined
                    for line in chain[:length]:
                        del lines[line][0]
                        used.add(line)
                        if line in pending and line != chain[length - 1]:
                            pending.remove(line)
                    pending.remove(head_line)
                    return True
        return False

    for evidence in (2, 1, 0):
        changed = True
        while changed and pending:
            changed = False
            for head_line in list(pending):
                if head_line not in pending:
                    continue
                if not lines[head_line]:  # its only word was taken as the end of the line before
                    pending.remove(head_line)
                    continue
                if try_join(head_line, evidence):
                    joins += 1
                    changed = True
    return lines, joins


def _run_in_labels(raw_lines: Sequence[tuple[int, str]]) -> Counter[tuple[str, ...]]:
    """The words of every label that starts a line and ends in a colon, a dash or a stop
    ("JS: Har slike …", "Tiltak 1 – Egenskapssett", "Note. If you …"): where a run-in
    heading stands."""
    labels: Counter[tuple[str, ...]] = Counter()
    for _, text in raw_lines:
        if label := RUN_IN_LABEL.match(text) or RUN_IN_LABEL_STOP.match(text):
            tokens = _tokens(label.group(1))
            first = next((i for i, word in enumerate(tokens) if not word.isdigit()), len(tokens))
            if first < len(tokens):
                labels[tuple(tokens[first:])] += 1
    return labels


def _names(headings: Sequence[tuple[str, ...]], lines: Sequence[list[str]],
           raw_lines: Sequence[tuple[int, str]]) -> Counter[str]:
    """The words of the heading names, each name as often as it stands as whole lines
    or as a run-in label (at least once)."""
    standing = _whole_lines(lines) + _run_in_labels(raw_lines)
    names: Counter[str] = Counter()
    for name in headings:
        for _ in range(max(1, standing[name])):
            names.update(name)
    return names


def account_words(raw_lines: Sequence[tuple[int, str]], document: Document) -> WordAccount:
    """Count the words of ``raw_lines`` ((page, text) as pdfminer read them, in order)
    that the output of ``document`` does not account for.

    Words are ``\\w+`` tokens, lower-cased, counted as multisets over the document. A
    word read is accounted for by one occurrence in the text (findings, passages,
    recorded furniture) or, failing that, in the names: the heading names
    (:func:`heading_names`), each as often as it stands on the pages as whole lines
    or as a run-in label (at least once), since a chapter or section name is kept once
    however many headings carry it; and the metadata (:func:`metadata_texts`). A word broken at a
    line end ("vide-" ending one line, "regående" starting the next) is accounted for
    by the joined word ("videregående"), see :func:`_expected_words`. What is left is
    lost. Text occurrences beyond what was read are duplicated when the word was read
    at all, unread when it never was; names never count as duplicates.
    """
    text = output_text(document)
    headings = [tuple(_tokens(name)) for name in heading_names(document)]
    metadata: Counter[str] = Counter(token for entry in metadata_texts(document) for token in _tokens(entry))
    unjoined = [_tokens(line) for _, line in raw_lines]
    pairs = _word_pairs([*(item.text for report in document.reports for item in _items(report)),
                         *(piece.text for piece in document.furniture), *heading_names(document),
                         *metadata_texts(document)])
    lines, joins = _expected_words(raw_lines, document, text + _names(headings, unjoined, raw_lines) + metadata, pairs)
    names = _names(headings, lines, raw_lines) + metadata
    expected: Counter[str] = Counter(token for tokens in lines for token in tokens)
    left = expected - text
    surplus = text - expected
    left -= names
    read = Counter(token for _, line in raw_lines for token in _tokens(line))
    duplicated = Counter({word: n for word, n in surplus.items() if expected[word] or read[word]})
    furniture: Counter[str] = Counter()
    for piece in document.furniture:
        furniture[piece.kind] += len(_tokens(piece.text))
    raw = sum(read.values())
    lost = sum(left.values())
    return WordAccount(
        raw=raw,
        accounted=raw - lost,
        lost=lost,
        duplicated=sum(duplicated.values()),
        unread=sum(surplus.values()) - sum(duplicated.values()),
        hyphen_joins=joins,
        furniture=dict(furniture.most_common()),
        lost_words=dict(left.most_common()),
        duplicated_words=dict(duplicated.most_common()),
        lost_lines=_lost_lines(raw_lines, lines, left, {(piece.page, piece.text) for piece in document.furniture}),
    )


def _lost_lines(raw_lines: Sequence[tuple[int, str]], lines: Sequence[list[str]],
                lost: Counter[str], furniture: set[tuple[int, str]]) -> list[LostLine]:
    """The lines the lost words most likely came from: lines most of whose words are
    lost are charged first, so a vanished line shows whole rather than spread thin;
    lines recorded as furniture are accounted for and come last."""
    budget = Counter(lost)

    def share(index: int) -> float:
        tokens = lines[index]
        return sum(1 for t in tokens if budget[t]) / len(tokens) if tokens else 0.0

    ranked = sorted(range(len(lines)), key=lambda i: (raw_lines[i] in furniture, -share(i)))
    charged: dict[int, int] = {}
    remaining = sum(budget.values())
    for index in ranked:
        if not remaining:
            break
        count = 0
        for token in lines[index]:
            if budget[token] > 0:
                budget[token] -= 1
                count += 1
        if count:
            charged[index] = count
            remaining -= count
    return [LostLine(page=raw_lines[i][0], text=raw_lines[i][1], lost=n) for i, n in sorted(charged.items())]


# --- evaluation ---------------------------------------------------------------------


@dataclass
class ReportScore:
    """One gold report against the extracted report it was matched with."""

    gold_title: str
    extracted_title: str | None  # None: no extracted report was left to compare with
    findings_gold: int
    findings_extracted: int
    findings_matched: int
    title_ok: bool
    contractors_ok: bool
    commissioner_ok: bool
    year_ok: bool
    chapters_gold: int  # 0 when chapters are not judged
    chapters_found: int
    missed_findings: list[str] = field(default_factory=list)
    extra_findings: list[str] = field(default_factory=list)
    missed_chapters: list[str] = field(default_factory=list)
    extracted_metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def metadata_correct(self) -> int:
        return sum((self.title_ok, self.contractors_ok, self.commissioner_ok, self.year_ok))


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class DocumentScore:
    """One PDF: its findings, metadata, chapters, words and speed."""

    source: str
    gold_file: str | None
    pages: int
    seconds: float
    words: WordAccount
    reports: list[ReportScore] = field(default_factory=list)
    extra_reports: list[str] = field(default_factory=list)  # extracted, matched to no gold report
    extra_report_findings: int = 0
    judged: bool = True  # False: no gold, words and speed only

    @property
    def findings_matched(self) -> int:
        return sum(r.findings_matched for r in self.reports)

    @property
    def findings_gold(self) -> int:
        return sum(r.findings_gold for r in self.reports)

    @property
    def findings_extracted(self) -> int:
        return sum(r.findings_extracted for r in self.reports) + self.extra_report_findings

    @property
    def precision(self) -> float:
        return _ratio(self.findings_matched, self.findings_extracted)

    @property
    def recall(self) -> float:
        return _ratio(self.findings_matched, self.findings_gold)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def metadata_correct(self) -> int:
        return sum(r.metadata_correct for r in self.reports)

    @property
    def metadata_judged(self) -> int:
        return len(METADATA_FIELDS) * len(self.reports)

    @property
    def chapters_found(self) -> int:
        return sum(r.chapters_found for r in self.reports)

    @property
    def chapters_gold(self) -> int:
        return sum(r.chapters_gold for r in self.reports)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("findings_matched", "findings_gold", "findings_extracted", "precision", "recall", "f1",
                     "metadata_correct", "metadata_judged", "chapters_found", "chapters_gold", "pages_per_second"):
            data[name] = getattr(self, name)
        return data


@dataclass
class FailedDocument:
    """A gold file whose PDF was not found or could not be read."""

    gold_file: str | None
    source: str | None
    reason: str


@dataclass
class ExtractionEvalReport:
    documents: list[DocumentScore] = field(default_factory=list)
    failed: list[FailedDocument] = field(default_factory=list)

    def _sum(self, name: str, judged_only: bool = True) -> int:
        return sum(getattr(d, name) for d in self.documents if d.judged or not judged_only)

    @property
    def precision(self) -> float:
        return _ratio(self._sum("findings_matched"), self._sum("findings_extracted"))

    @property
    def recall(self) -> float:
        return _ratio(self._sum("findings_matched"), self._sum("findings_gold"))

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def metadata_accuracy(self) -> float:
        return _ratio(self._sum("metadata_correct"), self._sum("metadata_judged"))

    @property
    def chapter_recall(self) -> float:
        return _ratio(self._sum("chapters_found"), self._sum("chapters_gold"))

    @property
    def words_raw(self) -> int:
        return sum(d.words.raw for d in self.documents)

    @property
    def words_lost(self) -> int:
        return sum(d.words.lost for d in self.documents)

    @property
    def words_duplicated(self) -> int:
        return sum(d.words.duplicated for d in self.documents)

    @property
    def pages_per_second(self) -> float:
        seconds = sum(d.seconds for d in self.documents)
        return sum(d.pages for d in self.documents) / seconds if seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "totals": {
                "documents": len(self.documents),
                "judged_documents": sum(d.judged for d in self.documents),
                "findings": {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                             "matched": self._sum("findings_matched"), "gold": self._sum("findings_gold"),
                             "extracted": self._sum("findings_extracted")},
                "metadata_accuracy": self.metadata_accuracy,
                "chapter_recall": self.chapter_recall,
                "words": {"raw": self.words_raw, "lost": self.words_lost, "duplicated": self.words_duplicated},
                "pages": sum(d.pages for d in self.documents),
                "pages_per_second": self.pages_per_second,
            },
            "documents": [d.to_dict() for d in self.documents],
            "failed": [asdict(f) for f in self.failed],
        }


def _same(a: str | None, b: str | None) -> bool:
    return normalize(a or "") == normalize(b or "")


def _same_year(gold: int | None, report: Report) -> bool:
    """The gold year is the year the document states (``null``: it states none). A year the
    report marks as inferred (from the title or the PDF's date) claims no more than that:
    it agrees with a gold ``null`` as well as with the same year."""
    return gold == report.year or (gold is None and report.year_inferred)


def _report_names_for_chapters(report: Report) -> set[str]:
    names = set(report.themes)
    for item in _items(report):
        names.update(name for name in (item.chapter, item.section) if name)
    return {normalize(name) for name in names}


def score_report(gold: GoldReport, report: Report | None) -> ReportScore:
    """One gold report against an extracted one (or against nothing)."""
    judged_chapters = gold.chapters or []
    if report is None:
        return ReportScore(
            gold_title=gold.title, extracted_title=None,
            findings_gold=len(gold.findings), findings_extracted=0, findings_matched=0,
            title_ok=False, contractors_ok=False, commissioner_ok=False, year_ok=False,
            chapters_gold=len(judged_chapters), chapters_found=0,
            missed_findings=[f.text for f in gold.findings], missed_chapters=list(judged_chapters),
        )
    extracted = [f.text for f in report.findings]
    pairs = match_findings([f.text for f in gold.findings], extracted)
    used = {index for index in pairs if index is not None}
    names = _report_names_for_chapters(report)
    missed_chapters = [c for c in judged_chapters if normalize(c) not in names]
    return ReportScore(
        gold_title=gold.title,
        extracted_title=report.title,
        findings_gold=len(gold.findings),
        findings_extracted=len(extracted),
        findings_matched=len(used),
        title_ok=_same(gold.title, report.title),
        contractors_ok={normalize(c) for c in gold.contractors} == {normalize(c) for c in report.contractors},
        commissioner_ok=_same(gold.commissioner, report.commissioner),
        year_ok=_same_year(gold.year, report),
        chapters_gold=len(judged_chapters),
        chapters_found=len(judged_chapters) - len(missed_chapters),
        missed_findings=[f.text for f, index in zip(gold.findings, pairs, strict=True) if index is None],
        extra_findings=[text for index, text in enumerate(extracted) if index not in used],
        missed_chapters=missed_chapters,
        extracted_metadata={"contractors": report.contractors, "commissioner": report.commissioner,
                            "year": report.year},
    )


def score_document(document: Document, gold: Gold | None, raw_lines: Sequence[tuple[int, str]],
                   seconds: float = 0.0) -> DocumentScore:
    """Compare an extracted document with its gold (``None``: words and speed only)."""
    words = account_words(raw_lines, document)
    score = DocumentScore(
        source=document.source, gold_file=str(gold.path) if gold and gold.path else None,
        pages=document.pages, seconds=seconds, words=words, judged=gold is not None,
    )
    if gold is None:
        return score
    pairs = match_reports(gold.reports, document.reports)
    score.reports = [score_report(g, document.reports[e] if e is not None else None)
                     for g, e in zip(gold.reports, pairs, strict=True)]
    used = {e for e in pairs if e is not None}
    extra = [r for i, r in enumerate(document.reports) if i not in used]
    score.extra_reports = [r.title for r in extra]
    score.extra_report_findings = sum(len(r.findings) for r in extra)
    return score


def raw_lines_of(path: Path) -> list[tuple[int, str]]:
    """(page, text) of every line pdfminer reads, before any cleaning."""
    return [(line.page, line.text) for page in read_pdf(path).pages for line in page]


def evaluate_pdf(path: Path, gold: Gold | None) -> DocumentScore:
    """Extract ``path`` (timed) and score it. Raises ExtractionError when it cannot be read."""
    start = time.perf_counter()
    document = extract_document(path)
    seconds = time.perf_counter() - start
    return score_document(document, gold, raw_lines_of(path), seconds)


# --- finding the PDFs ---------------------------------------------------------------


def gold_files(places: Iterable[Path]) -> list[Path]:
    """The gold files named, or the ``*.json`` files of the folders named."""
    files: list[Path] = []
    for place in places:
        if place.is_dir():
            files.extend(sorted(place.glob("*.json")))
        elif place.is_file():
            files.append(place)
        else:
            raise GoldFileError(f"{place}: finnes ikke (no such file or folder)")
    return files


class PdfFinder:
    """Finds a gold file's PDF: by its ``source`` under a PDF folder or beside the gold
    file, as ``<name>.pdf`` beside ``<name>.gold.json``, or by sha256 among every PDF
    under the PDF folders."""

    def __init__(self, pdf_dirs: Sequence[Path]):
        self.pdf_dirs = list(pdf_dirs)
        self._by_sha: dict[str, Path] | None = None

    def _sha_index(self) -> dict[str, Path]:
        if self._by_sha is None:
            self._by_sha = {}
            for folder in self.pdf_dirs:
                for pdf in sorted(folder.rglob("*.pdf")):
                    if pdf.is_file():
                        self._by_sha.setdefault(file_sha256(pdf), pdf)
        return self._by_sha

    def find(self, gold: Gold) -> Path | None:
        candidates: list[Path] = []
        beside = gold.path.parent if gold.path else None
        if gold.source:
            candidates += [folder / gold.source for folder in [*self.pdf_dirs, *([beside] if beside else [])]]
        if gold.path and gold.path.name.endswith(".gold.json"):
            candidates.append(gold.path.with_name(gold.path.name.removesuffix(".gold.json") + ".pdf"))
        for candidate in candidates:
            if candidate.is_file() and (gold.sha256 is None or file_sha256(candidate) == gold.sha256):
                return candidate
        if gold.sha256:
            return self._sha_index().get(gold.sha256)
        return None


def evaluate_folders(gold_places: Sequence[Path], pdf_dirs: Sequence[Path]) -> ExtractionEvalReport:
    """Every gold file against its PDF; with no gold, every PDF under ``pdf_dirs``
    for words and speed. Raises :class:`GoldFileError` on a malformed gold file."""
    report = ExtractionEvalReport()
    jobs: list[tuple[Path, Gold | None]] = []
    if gold_places:
        finder = PdfFinder(pdf_dirs)
        for gold_file in gold_files(gold_places):
            gold = load_gold(gold_file)
            pdf = finder.find(gold)
            if pdf is None:
                reason = f"fant ingen PDF for kilden {gold.source!r} eller sha256 {gold.sha256}"
                report.failed.append(FailedDocument(str(gold.path), gold.source, reason))
                continue
            jobs.append((pdf, gold))
    else:
        jobs = [(pdf, None) for folder in pdf_dirs for pdf in sorted(folder.rglob("*.pdf")) if pdf.is_file()]
    for pdf, judged_by in jobs:
        try:
            score = evaluate_pdf(pdf, judged_by)
        except ExtractionError as exc:
            report.failed.append(FailedDocument(str(judged_by.path) if judged_by else None, str(pdf), exc.reason))
            continue
        score.source = judged_by.source if judged_by and judged_by.source else str(pdf)
        report.documents.append(score)
    return report


# --- terminal report ----------------------------------------------------------------


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def format_report(report: ExtractionEvalReport, name_width: int = 36) -> str:
    """The evaluation as a table per document, the totals and what was lost."""
    header = (f"{'Dokument':<{name_width}}  {'sider':>5}  {'funn P':>6}  {'R':>5}  {'F1':>5}  "
              f"{'metadata':>8}  {'kapitler':>8}  {'ord':>7}  {'tapt':>5}  {'dobbel':>6}  {'sider/s':>7}")
    lines = [header, "-" * len(header)]
    for d in report.documents:
        if d.judged:
            # A share of nothing is no share: no finding extracted has no precision, a report
            # without a summary no recall ("–"), and nothing to find with nothing found no F1.
            precision = f"{d.precision:>6.2f}" if d.findings_extracted else f"{'–':>6}"
            recall = f"{d.recall:>5.2f}" if d.findings_gold else f"{'–':>5}"
            f1 = f"{d.f1:>5.2f}" if d.findings_gold or d.findings_extracted else f"{'–':>5}"
            findings = f"{precision}  {recall}  {f1}"
            metadata = f"{d.metadata_correct}/{d.metadata_judged}"
            chapters = f"{d.chapters_found}/{d.chapters_gold}" if d.chapters_gold else "–"
        else:
            findings, metadata, chapters = f"{'–':>6}  {'–':>5}  {'–':>5}", "–", "–"
        lines.append(
            f"{_shorten(d.source, name_width):<{name_width}}  {d.pages:>5}  {findings}  {metadata:>8}  "
            f"{chapters:>8}  {d.words.raw:>7}  {d.words.lost:>5}  {d.words.duplicated:>6}  {d.pages_per_second:>7.1f}"
        )
    lines.append("-" * len(header))
    judged = [d for d in report.documents if d.judged]
    pages = sum(d.pages for d in report.documents)
    if judged:
        total_findings = f"{report.precision:>6.2f}  {report.recall:>5.2f}  {report.f1:>5.2f}"
        metadata = _percent(report._sum("metadata_correct"), report._sum("metadata_judged"))
        chapters = _percent(report._sum("chapters_found"), report._sum("chapters_gold"))
    else:
        total_findings, metadata, chapters = f"{'–':>6}  {'–':>5}  {'–':>5}", "–", "–"
    lines.append(
        f"{f'Totalt, {len(report.documents)} dokumenter':<{name_width}}  {pages:>5}  {total_findings}  "
        f"{metadata:>8}  {chapters:>8}  {report.words_raw:>7}  {report.words_lost:>5}  "
        f"{report.words_duplicated:>6}  {report.pages_per_second:>7.1f}"
    )
    for d in report.documents:
        details = _document_details(d)
        if details:
            lines += ["", f"{d.source}:", *details]
    if report.failed:
        lines += ["", f"{len(report.failed)} gullfiler ble ikke evaluert:"]
        lines += [f"  {f.gold_file or f.source}: {f.reason}" for f in report.failed]
    return "\n".join(lines)


def _document_details(d: DocumentScore) -> list[str]:
    lines: list[str] = []
    for r in d.reports:
        wrong = [name for name, ok in zip(METADATA_FIELDS, (r.title_ok, r.contractors_ok, r.commissioner_ok,
                                                             r.year_ok), strict=True) if not ok]
        if r.extracted_title is None:
            lines.append(f"  rapport «{_shorten(r.gold_title, 60)}»: ikke funnet")
        elif wrong:
            got = {"title": r.extracted_title, **r.extracted_metadata}
            lines.append(f"  rapport «{_shorten(r.gold_title, 60)}»: feil " +
                         ", ".join(f"{name} ({_shorten(str(got[name]), 60)!r})" for name in wrong))
        for text in r.missed_findings[:3]:
            lines.append(f"    mangler funn: «{_shorten(text, 90)}»")
        if len(r.missed_findings) > 3:
            lines.append(f"    … og {len(r.missed_findings) - 3} funn til mangler")
        if r.extra_findings:
            lines.append(f"    {len(r.extra_findings)} uttrukne funn finnes ikke i gullfila, "
                         f"f.eks. «{_shorten(r.extra_findings[0], 80)}»")
        if r.missed_chapters:
            lines.append(f"    mangler kapitler: {', '.join(_shorten(c, 40) for c in r.missed_chapters)}")
    if d.extra_reports:
        lines.append(f"  {len(d.extra_reports)} uttrukne rapporter uten gull: "
                     + ", ".join(f"«{_shorten(t, 40)}»" for t in d.extra_reports[:5]))
    w = d.words
    if w.lost:
        words = ", ".join(f"{word} ×{n}" if n > 1 else word
                          for word, n in list(w.lost_words.items())[:SHOWN_LOST_WORDS])
        lines.append(f"  {w.lost} tapte ord: {words}")
        for lost in sorted(w.lost_lines, key=lambda line: -line.lost)[:SHOWN_LOST_LINES]:
            lines.append(f"    s. {lost.page}: «{_shorten(lost.text, 90)}» ({lost.lost})")
    if w.duplicated:
        words = ", ".join(f"{word} ×{n}" if n > 1 else word
                          for word, n in list(w.duplicated_words.items())[:SHOWN_LOST_WORDS])
        lines.append(f"  {w.duplicated} doble ord: {words}")
    return lines


# --- command line ------------------------------------------------------------------


def run_extraction_eval_command(args: argparse.Namespace) -> int:
    gold_places: list[Path] = list(args.gold or [])
    pdf_dirs: list[Path] = list(args.pdfs or [])
    if not gold_places and not pdf_dirs:
        print("Oppgi minst én --gold (gullfiler) eller --pdfs (PDF-mappe).", file=sys.stderr)
        return ExitCode.USAGE
    missing = [folder for folder in pdf_dirs if not folder.is_dir()]
    if missing:
        print(f"PDF-mappen finnes ikke: {', '.join(map(str, missing))}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        report = evaluate_folders(gold_places, pdf_dirs)
    except GoldFileError as exc:
        print(f"Kan ikke bruke gullfila: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if not report.documents and not report.failed:
        where = ", ".join(map(str, gold_places or pdf_dirs))
        print(f"Fant ingen {'gullfiler' if gold_places else 'PDF-er'} i {where}.", file=sys.stderr)
        return ExitCode.USAGE
    if args.json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(format_report(report))
    return ExitCode.OK
