"""Search hits as CSV, RIS and BibTeX, for spreadsheets and reference managers.

One row or record per hit (a finding or passage), carrying what a citation
needs: the hit's text, the report's title, its authors (the people of a byline, else the
contractors as corporate authors), year,
publication date, section, page, source file and a link to the page in the PDF.
Nothing here knows about Flask; the view passes the hits and how to link them.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from indexer import SearchHit


@dataclass(frozen=True)
class ExportRow:
    id: str
    kind: str
    text: str
    title: str
    contractors: tuple[str, ...]
    authors: tuple[str, ...]  # people named in a byline
    commissioner: str
    year: str
    published: str
    section: str
    page: str
    source: str
    url: str


def _text(value: Any) -> str:
    # Exports are line-based formats: a value never spans lines.
    return " ".join(str(value).split()) if value is not None else ""


def export_rows(hits: Iterable[SearchHit], link: Callable[[SearchHit], str]) -> list[ExportRow]:
    """Rows from search hits; ``link`` gives a hit's PDF URL."""
    rows = []
    for hit in hits:
        report = hit.report
        rows.append(
            ExportRow(
                id=_text(hit.id),
                kind=_text(hit.kind),
                text=_text(hit.text),
                title=_text(report.title),
                contractors=tuple(_text(c) for c in report.contractors if _text(c)),
                authors=tuple(_text(a) for a in report.authors if _text(a)),
                commissioner=_text(report.commissioner),
                year=_text(report.year),
                published=_text(report.published),
                section=_text(hit.section),
                page=_text(hit.page),
                source=_text(report.source),
                url=link(hit),
            )
        )
    return rows


# --- CSV ------------------------------------------------------------------------------

CSV_COLUMNS = ("text", "kind", "title", "authors", "contractors", "commissioner", "year", "published",
               "section", "page", "source", "url")
# Several authors or contractors share one cell.
CSV_LIST_SEPARATOR = "; "


# What makes a spreadsheet read a cell as a formula (OWASP, «CSV Injection»).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """The value as a spreadsheet shows it and never evaluates: a leading ' when it
    would start a formula (text from a PDF or a file name can start with «=»)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(rows: list[ExportRow]) -> str:
    """Comma-separated, a header row, UTF-8 with a byte order mark so Excel reads æøå."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = {**asdict(row), "contractors": CSV_LIST_SEPARATOR.join(row.contractors),
                  "authors": CSV_LIST_SEPARATOR.join(row.authors)}
        writer.writerow([csv_cell(values[column]) for column in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


# --- RIS ------------------------------------------------------------------------------


def _ris_record(row: ExportRow) -> list[str]:
    tags: list[tuple[str, str]] = [("TY", "RPRT"), ("ID", row.id), ("TI", row.title)]
    # People when a byline names them, with the institutes as publishers; else the institutes.
    tags += [("AU", author) for author in row.authors or row.contractors]
    tags += [("PB", contractor) for contractor in row.contractors if row.authors]
    tags += [
        ("PY", row.year),
        # RIS dates are YYYY/MM/DD/ with empty parts for what is unknown.
        ("DA", "/".join((row.published.split("-") + ["", ""])[:3]) + "/" if row.published else ""),
        ("AB", row.text),
        ("SE", row.section),
        ("SP", row.page),
        ("N1", f"Oppdragsgiver: {row.commissioner}" if row.commissioner else ""),
        ("N1", f"Kildefil: {row.source}" if row.source else ""),
        ("UR", row.url),
    ]
    return [f"{tag}  - {value}" for tag, value in tags if value] + ["ER  - "]


def to_ris(rows: list[ExportRow]) -> str:
    """RIS, one ``TY  - RPRT`` record per hit."""
    lines = [line for row in rows for line in _ris_record(row) + [""]]
    return "\r\n".join(lines)


# --- BibTeX ---------------------------------------------------------------------------

_BIBTEX_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
_BIBTEX_REPLACEMENTS = {
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(text: str) -> str:
    """Text safe inside a braced BibTeX value: braces and LaTeX specials escaped."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENTS.get(m.group(), "\\" + m.group()), text)


def _bibtex_url(url: str) -> str:
    # URL fields are read verbatim: only characters that would end the value are encoded.
    return url.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def _bibtex_entry(row: ExportRow) -> str:
    # People as BibTeX splits them; institutes are corporate authors, double braces keep
    # BibTeX from splitting their names.
    authors = (" and ".join(bibtex_escape(a) for a in row.authors) if row.authors
               else " and ".join("{" + bibtex_escape(c) + "}" for c in row.contractors))
    note = ", ".join(part for part in (
        row.section and f"Seksjon: {row.section}",
        row.page and f"s. {row.page}",
        row.source and f"kildefil: {row.source}",
    ) if part)
    fields = [
        ("title", "{" + bibtex_escape(row.title) + "}"),
        ("author", authors),
        ("institution", bibtex_escape(", ".join(row.contractors))),
        ("year", row.year),
        ("date", row.published),
        ("pages", row.page),
        ("note", bibtex_escape(note)),
        ("abstract", bibtex_escape(row.text)),
        ("url", _bibtex_url(row.url)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@techreport{{rapportsok-{row.id},\n{body}\n}}\n"


def to_bibtex(rows: list[ExportRow]) -> str:
    """BibTeX, one ``@techreport`` entry per hit, keyed by the hit's id."""
    return "\n".join(_bibtex_entry(row) for row in rows)


@dataclass(frozen=True)
class ExportFormat:
    render: Callable[[list[ExportRow]], str]
    content_type: str


EXPORT_FORMATS = {
    "csv": ExportFormat(to_csv, "text/csv; charset=utf-8"),
    "ris": ExportFormat(to_ris, "application/x-research-info-systems; charset=utf-8"),
    "bib": ExportFormat(to_bibtex, "application/x-bibtex; charset=utf-8"),
}
