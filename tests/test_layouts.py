"""The generated layout test set (corpus/build_layouts.py): it builds, its gold follows the seed, and
the layouts really differ without losing text.

All layouts are built once per session into a temporary folder (a few seconds) and each PDF is read
once with pdfminer.  The extractor's scores on these PDFs are not judged here.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import multiprocessing
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from types import ModuleType

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer, LTTextLine

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "corpus" / "build_layouts.py"
SOURCE_DIR = REPO / "corpus" / "source"
GAZETTEER = REPO / "indexer" / "language" / "data" / "institutes.json"
FONTS_MISSING_EXIT = 2  # the build scripts' exit status when DejaVu is not installed
COMPILATION, SURVEY = "fou-prosjekter-2019", "kommuneundersokelsen-2020"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_layouts", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_layouts"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


build_layouts = _load_script()
LAYOUTS = {layout.name: layout for layout in build_layouts.LAYOUTS}
SEEDS = {spec.key: spec for spec in build_layouts.SEEDS}


@dataclass
class Line:
    x0: float
    y0: float
    x1: float
    text: str


@dataclass
class Page:
    number: int
    text: str  # what pdfminer's extract_text gives for the page (its boxes in its order)
    lines: list[Line]
    height: float


def _read(pdf: Path) -> list[Page]:
    pages = []
    for number, layout in enumerate(extract_pages(str(pdf)), start=1):
        boxes = [box for box in layout if isinstance(box, LTTextContainer)]
        lines = [Line(line.x0, line.y0, line.x1, " ".join(line.get_text().split()))
                 for box in boxes for line in box
                 if isinstance(line, LTTextLine) and line.get_text().strip()]
        pages.append(Page(number, "".join(box.get_text() for box in boxes), lines, layout.height))
    return pages


@pytest.fixture(scope="session")
def pdfs(layouts_dir: Path) -> dict[tuple[str, str], list[Page]]:
    """(layout, seed) -> the PDF's pages as pdfminer reads them (in two processes: about 10 s of work)."""
    names = [(layout, seed) for layout in LAYOUTS for seed in SEEDS]
    paths = [layouts_dir / f"{layout}-{seed}.pdf" for layout, seed in names]
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
            return dict(zip(names, pool.map(_read, paths), strict=True))
    except Exception:  # e.g. a test module the child cannot import by name: read here instead
        return {name: _read(path) for name, path in zip(names, paths, strict=True)}


def _gold(layouts_dir: Path, layout: str, seed: str) -> dict:
    return json.loads((layouts_dir / f"{layout}-{seed}.gold.json").read_text(encoding="utf-8"))


def _seed_text(seed: str) -> str:
    return (SOURCE_DIR / f"{seed}.txt").read_text(encoding="utf-8")


def _seed_title(seed: str) -> str:
    return next(line.strip() for line in _seed_text(seed).splitlines() if line.strip())


def _flat(text: str) -> str:
    return " ".join(text.split())


def _printed(markdown: str) -> str:
    """The seed's markdown as a reader sees it: link labels and URLs, no escapes or emphasis."""
    text = re.sub(r"\[((?:\\.|[^\]\\])+)\]\(#\)", r"\1", markdown)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    return _flat(re.sub(r"\\(.)", r"\1", text).replace("*", ""))


def _text(pages: list[Page]) -> str:
    return "\f".join(page.text for page in pages)


# --------------------------------------------------------------------------
# Building and the gold
# --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_builds_a_pdf_with_its_gold(layouts_dir, pdfs, layout, seed):
    pdf = layouts_dir / f"{layout}-{seed}.pdf"
    gold = _gold(layouts_dir, layout, seed)
    assert gold["source"] == pdf.name
    assert gold["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert len(pdfs[layout, seed]) >= 6
    assert gold["reports"] and gold["note"]


def test_at_least_six_layouts_each_saying_what_it_exercises():
    assert len(LAYOUTS) >= 6
    assert all(len(layout.exercises) > 40 for layout in LAYOUTS.values())
    assert len({(layout.columns, layout.page_size, layout.bullets, layout.header, layout.heading_numbers)
                for layout in LAYOUTS.values()}) == len(LAYOUTS)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_gold_depends_on_the_text_not_on_the_layout(layouts_dir, seed):
    golds = {layout: _gold(layouts_dir, layout, seed) for layout in LAYOUTS}
    first = next(iter(golds.values()))
    for layout, gold in golds.items():
        assert gold["reports"] == first["reports"], layout
        assert gold["note"] == first["note"], layout


def test_the_compilation_has_one_report_per_summary_titled_as_in_the_seed(layouts_dir):
    reports = _gold(layouts_dir, "tospalter", COMPILATION)["reports"]
    lines = _seed_text(COMPILATION).splitlines()
    contents = [line.split("\t")[1].rstrip(". ") for line in lines[lines.index("Innhold") + 1:]
                if line.startswith("\t")]  # the seed's list of report titles, typos and all
    assert len(reports) == len(contents) >= 17
    for report, listed in zip(reports, contents, strict=True):
        assert SequenceMatcher(None, report["title"], listed).ratio() > 0.9, (report["title"], listed)
        assert all(chapter in report["chapters"] for chapter in ("Hovedfunn", "Hovedfunn:")
                   if any(finding["section"] == chapter for finding in report["findings"]))
    assert sum(len(report["findings"]) for report in reports) >= 60
    years = [report["year"] for report in reports]
    assert years[0] == 2018 and set(years[1:]) == {2019}


def test_the_survey_is_one_report_with_its_summary_chapter_as_findings(layouts_dir):
    (report,) = _gold(layouts_dir, "tospalter", SURVEY)["reports"]
    seed = _seed_text(SURVEY)
    assert report["title"] == _seed_title(SURVEY)
    assert report["chapters"][:3] == ["Sammendrag", "Innledning", "Generelt"]
    assert report["chapters"][-1] == "Koronapandemien"
    summary = _printed(seed[seed.index("\n1 Sammendrag\n"):seed.index("\nInnledning\n\nOm undersøkelsen")])
    assert len(report["findings"]) >= 15
    assert all(finding["text"] in summary for finding in report["findings"])


@pytest.mark.parametrize("seed", SEEDS)
def test_findings_are_whole_items_of_the_seed_under_a_heading_of_the_seed(layouts_dir, seed):
    printed = _printed(_seed_text(seed))
    headings = {re.sub(r"^\d+ ", "", line.strip()) for line in _seed_text(seed).splitlines()}
    for report in _gold(layouts_dir, "tospalter", seed)["reports"]:
        for finding in report["findings"]:
            assert finding["text"] in printed, finding["text"][:60]
            assert finding["text"] == _flat(finding["text"]) and len(finding["text"].split()) >= 5
            assert finding["section"] in headings, finding["section"]


@pytest.mark.parametrize("seed", SEEDS)
def test_contractors_and_commissioners_are_gazetteer_names(layouts_dir, seed):
    canonical = {entity["name"] for entity in json.loads(GAZETTEER.read_text(encoding="utf-8"))["entities"]}
    for report in _gold(layouts_dir, "tospalter", seed)["reports"]:
        assert set(report["contractors"]) <= canonical, report["title"]
        commissioners = re.split(r" og (?=[A-ZÆØÅ])", report["commissioner"] or "")
        assert set(filter(None, commissioners)) <= canonical, report["title"]


# --------------------------------------------------------------------------
# The layouts differ
# --------------------------------------------------------------------------

def _text_columns(page: Page, min_width: float) -> int:
    """Left edges shared by at least three long lines: the text columns pdfminer sees."""
    edges: list[list[float]] = []
    for x in sorted(line.x0 for line in page.lines if line.x1 - line.x0 >= min_width):
        if edges and x - edges[-1][0] < 6:
            edges[-1].append(x)
        else:
            edges.append([x])
    return sum(len(edge) >= 3 for edge in edges)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_pdfminer_sees_the_number_of_text_columns_the_layout_sets(pdfs, layout):
    spec = LAYOUTS[layout]
    min_width = 0.6 * spec.column_width
    pages = pdfs[layout, SURVEY][2:]
    fullest = max(pages, key=lambda page: sum(line.x1 - line.x0 >= min_width for line in page.lines))
    assert _text_columns(fullest, min_width) == spec.columns, fullest.number


def test_the_layouts_cover_one_two_and_three_columns_and_two_page_sizes():
    assert {layout.columns for layout in LAYOUTS.values()} >= {1, 2, 3}
    assert len({layout.page_size for layout in LAYOUTS.values()}) >= 2


NUMBER_LABEL = {"1.": r"1\.", "1)": r"1\)", "(1)": r"\(1\)", "a)": r"a\)"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_lists_carry_the_layouts_bullet_glyphs_and_number_labels(pdfs, layout):
    spec = LAYOUTS[layout]
    text = _text(pdfs[layout, COMPILATION])
    for glyph in spec.bullets:
        assert glyph in text, glyph
    others = ({glyph for other in LAYOUTS.values() for glyph in other.bullets}
              - set(spec.bullets) - set(NUMBER_LABEL) - {"–"})
    assert not [glyph for glyph in others if glyph in text]
    for style in {*spec.numbering, *spec.bullets} & set(NUMBER_LABEL):
        assert re.search(rf"(?m)^\s*{NUMBER_LABEL[style]}(\s|$)", text), style


def test_one_layout_shows_every_glyph_and_number_style():
    assert any(set("•▪■◦–✓➢") | set(NUMBER_LABEL) <= {*layout.bullets, *layout.numbering}
               for layout in LAYOUTS.values())


def _chapter_labels(seed: str, heading_numbers: str) -> set[str]:
    """The chapter headings as the layout prints them (running headers repeat them)."""
    parsed = build_layouts.load_seed(SEEDS[seed])
    chapters = [block.text for block in parsed.blocks
                if isinstance(block, build_layouts.HeadingBlock) and block.level == 0]
    if heading_numbers == "none":
        chapters = [re.sub(r"^\d+ ", "", chapter) for chapter in chapters]
    return {*chapters, "Innhold", parsed.title}  # before the first chapter: contents, or the title


def _furniture(page: Page, spec) -> tuple[str, str]:
    """(header, footer) text: what stands above the top margin and below the bottom margin."""
    header = [line for line in page.lines if line.y0 > page.height - spec.top + 8]
    footer = [line for line in page.lines if line.y0 < spec.bottom - 8]
    return (_flat(" ".join(line.text for line in sorted(header, key=lambda line: line.x0))),
            _flat(" ".join(line.text for line in sorted(footer, key=lambda line: line.x0))))


def _furniture_pattern(template: str, fields: dict[str, str]) -> re.Pattern:
    parts = re.split(r"(\{\w+\})", _flat(template))
    return re.compile("".join("(?P<chapter>.+)" if part == "{chapter}" else
                              re.escape(part.format(**fields)) if part.startswith("{") else re.escape(part)
                              for part in parts))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_running_headers_and_footers_follow_the_layout_on_every_page(pdfs, layout, seed):
    spec, pages = LAYOUTS[layout], pdfs[layout, seed]
    chapters = _chapter_labels(seed, spec.heading_numbers)
    first_body_page = {"inline": 1, "colophon-page": 3}.get(spec.cover, 2)
    title = _seed_title(seed)
    headers: dict[bool, set[str]] = {True: set(), False: set()}  # by odd page
    odd_chapters = set()
    for page in pages[first_body_page - 1:]:
        header, footer = _furniture(page, spec)
        if not page.text.strip():
            continue  # a blank left-hand page before a chapter
        fields = {"book": title, "series": SEEDS[seed].series, "page": str(page.number)}
        odd = page.number % 2 == 1
        if spec.header is None:
            assert header == "", page.number
        else:
            even_template, odd_template = spec.header
            template = {"split": f"{even_template} {odd_template}", "left": even_template}.get(
                spec.header_align, odd_template if odd else even_template)
            match = _furniture_pattern(template, fields).fullmatch(header)
            assert match, (page.number, header, template)
            if "chapter" in match.groupdict():
                assert match["chapter"] in chapters, (page.number, header)
                odd_chapters.add(match["chapter"])
            headers[odd].add(header)
        expected_footer = spec.footer.format(**fields) if spec.footer else ""
        assert footer == _flat(expected_footer), (page.number, footer)
    if spec.header and spec.header_align == "outer":  # book title on even pages, chapters on odd ones
        assert len(odd_chapters) >= 3
        assert all(title in header for header in headers[False])
        assert not headers[False] & headers[True]


def test_running_furniture_comes_with_and_without_page_numbers():
    numbered = {("{page}" in (layout.footer or "")) or any("{page}" in text for text in layout.header or ())
                for layout in LAYOUTS.values()}
    assert numbered == {True, False}
    assert any(layout.header and layout.header_align == "outer" and "{page}" not in "".join(layout.header)
               for layout in LAYOUTS.values())


def test_covers_carry_a_colophon(pdfs):
    colophons = [name for name, layout in LAYOUTS.items() if layout.cover in ("colophon", "colophon-page")]
    assert colophons
    for name in colophons:
        front = _flat(" ".join(page.text for page in pdfs[name, COMPILATION][:2]))
        assert "Utgitt av: Integrerings- og mangfoldsdirektoratet (IMDi)" in front
        assert "Rapport 2019:3" in front and re.search(r"ISBN 978-82-\d{4}-\d{3}-\d \(digital\)", front)
        assert "Utført av: IMDi" in _flat(" ".join(page.text for page in pdfs[name, SURVEY][:2]))


def test_the_report_layout_names_contractor_and_commissioner_under_each_title(pdfs, layouts_dir):
    text = _flat(_text(pdfs["rapport", COMPILATION]))
    gold = _gold(layouts_dir, "rapport", COMPILATION)["reports"]
    assert text.count("Oppdragstaker:") == sum(bool(report["contractors"]) for report in gold)
    assert "Oppdragsgiver: Kunnskapsdepartementet" in text


def _side_column_right(page_number: int) -> float:
    spec = LAYOUTS["brosjyre"]
    left = spec.inner if page_number % 2 else spec.outer
    return left + spec.side_column + 1


def test_the_brochure_repeats_sentences_as_pull_quotes_beside_the_text(pdfs):
    pages = pdfs["brosjyre", COMPILATION]
    body = _flat(_joined(_text(pages)))
    quotes: list[list[str]] = []
    for page in pages:
        above = page.height
        for line in sorted(page.lines, key=lambda line: -line.y0):
            if line.x1 <= _side_column_right(page.number) and line.y0 < page.height - LAYOUTS["brosjyre"].top:
                if above - line.y0 > 30:
                    quotes.append([])  # a new quote further down the page
                quotes[-1].append(line.text)
                above = line.y0
    assert len(quotes) >= 10
    for quote in (_flat(_joined("\n".join(lines))) for lines in quotes):
        assert body.count(quote) >= 2, quote  # beside the text and in it


def test_the_brochure_sets_figure_captions_beside_the_figures_and_facts_in_boxes(pdfs, layouts_dir):
    pages = pdfs["brosjyre", SURVEY]
    captions = [(page.number, line) for page in pages for line in page.lines if re.match(r"Figur \d+ - ", line.text)]
    assert len(captions) >= 40
    assert all(line.x1 <= _side_column_right(number) for number, line in captions)
    text = _flat(_text(pdfs["brosjyre", COMPILATION]))
    gold = _gold(layouts_dir, "brosjyre", COMPILATION)["reports"]
    assert text.count("Om rapporten") == len(gold)
    assert text.count("Oppdragsgiver:") == sum(bool(report["commissioner"]) for report in gold)


# --------------------------------------------------------------------------
# Nothing lost
# --------------------------------------------------------------------------

def _seed_words(seed: str) -> Counter:
    """Words of the seed as printed in every layout: no contents list, list labels or chapter numbers."""
    lines = _seed_text(seed).splitlines()
    contents_at = lines.index("Innhold")
    body_at = contents_at + 1
    while body_at < len(lines) and ("\t" in lines[body_at] or not lines[body_at].strip()):
        body_at += 1
    kept = [re.sub(r"^(?:- |\d+\. |\d+ (?=[A-ZÆØÅ]\S*(?: \S+){0,9}$))", "", line)
            for line in lines[:contents_at] + lines[body_at:]]
    return Counter(re.findall(r"\w+", _printed("\n".join(kept))))


def _joined(text: str, vocabulary: set[str] | None = None) -> str:
    """Line-end hyphens joined when the two halves make a word (of the seed, if given)."""
    def join(match: re.Match) -> str:
        word = match[1] + match[2]
        return word if vocabulary is None or word.casefold() in vocabulary else match[0]

    while (joined := re.sub(r"(\w+)-[ \t]*\n\s*(\w+)", join, text)) != text:
        text = joined  # again: a word can be split over three lines
    return text


def _found_split(word: str, text: str) -> bool:
    """`word` stands in the text hyphenated over several lines, or its halves end and start lines
    that pdfminer put apart (a paragraph continued in the next column or on the next page)."""
    spread = re.compile(r"\b" + r"(?:-\s+)?".join(map(re.escape, word)) + r"\b")
    if spread.search(text):
        return True
    return any(re.search(rf"\b{re.escape(word[:k])}-\s*$", text, re.M)
               and re.search(rf"^\s*{re.escape(word[k:])}\b", text, re.M) for k in range(1, len(word)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_word_of_the_seed_is_in_the_pdf_text(pdfs, layout, seed):
    expected = _seed_words(seed)
    text = _text(pdfs[layout, seed])
    found = Counter(re.findall(r"\w+", _joined(text, {word.casefold() for word in expected})))
    missing = expected - found
    lost = {word: count for word, count in missing.items() if not _found_split(word, text)}
    assert not lost, f"{len(lost)} words not in the PDF text: {sorted(lost)[:20]}"
    assert sum(missing.values()) <= 20  # split words are the exception


def test_a_rebuild_is_byte_for_byte_identical(layouts_dir, tmp_path):
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path), "--layout", "trespalter",
                          "--quiet"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    for seed in SEEDS:
        name = f"trespalter-{seed}"
        assert (tmp_path / f"{name}.pdf").read_bytes() == (layouts_dir / f"{name}.pdf").read_bytes()
        assert (tmp_path / f"{name}.gold.json").read_text() == (layouts_dir / f"{name}.gold.json").read_text()
