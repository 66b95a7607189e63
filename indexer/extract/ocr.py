"""Read scanned pages with Tesseract's Norwegian model.

A page gets OCR when it has no text layer (a scan) or when its text layer is unusable
(:func:`unusable_text_layer`). Each such page is rendered with poppler's ``pdftoppm`` in
greyscale at :data:`OCR_DPI` and read by the ``tesseract`` program's TSV output, which
gives every word with its box and confidence. The words become the same
:class:`~indexer.extract.pdftext.Line` objects the text layer gives (in points, from the
page top), so layout, hyphenation, segmentation and tagging run on them unchanged:

- a line's type size comes from the heights of its words' boxes, snapped per document to
  a few sizes (:func:`snap_sizes`), so body lines share one size and headings stand out;
- a line is bold when its strokes are thicker than the page's usual stroke (ink per box
  outline), since Tesseract's LSTM model reports no font attributes.

Results are cached per PDF (its sha256), engine version, model and resolution in the
user's cache folder, so indexing the same file again never reads it twice. Each page has
a time limit: a page that exceeds it, or that the programs fail on, is left out and
reported (:class:`~indexer.records.UnreadPage`) while the rest of the file is indexed.
Without the programs a scanned file fails with a reason that says what to install
(``indexer.language.ocr_tools``), and the scanned pages of a file with text are reported
unread the same way.
"""
from __future__ import annotations

import functools
import json
import os
import re
import statistics
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.errors import ExtractionError, ExtractionTimeout, NoTextLayerError, OcrUnavailableError
from indexer.extract.pdftext import Line, PdfText, body_size, read_pdf, reading_order
from indexer.language.ocr_tools import MODEL, install_hint, missing_packages, pdftoppm, tesseract
from indexer.records import Finding, Passage, UnreadPage

ENGINE = "tesseract"
# Chosen by measurement on scanned copies of the corpus (docs/extraction.md, "Scanned pages");
# RAPPORTSOK_OCR_DPI sets another (the cache keeps each resolution apart).
OCR_DPI = 200
DPI_ENV = "RAPPORTSOK_OCR_DPI"
PAGE_TIMEOUT_ENV = "RAPPORTSOK_OCR_PAGE_TIMEOUT"
DEFAULT_PAGE_TIMEOUT_S = 60.0
THREADS_ENV = "RAPPORTSOK_OCR_THREADS"
CACHE_FORMAT = 2
POINTS_PER_INCH = 72.0

# A text layer is unusable when this share of its words cannot be words: unmapped glyphs
# ("(cid:12)"), private-use or replacement characters, letters mixed with symbols.
MIN_WORDS_TO_JUDGE = 12
MAX_IMPOSSIBLE_SHARE = 0.3
# … or when this share of its words is in neither the Norwegian nor the English word list
# (a font whose letters are mapped to other letters: "Wkh" for "The").
MAX_UNKNOWN_SHARE = 0.75
# A page without text is a scan when an image covers this share of it.
MIN_IMAGE_SHARE = 0.3
# What OCR read replaces a page's text only when it reads as text: this mean confidence,
# this share of words in a word list, and (over a text layer) this many more known words.
MIN_TEXT_CONFIDENCE = 60.0
MIN_KNOWN_SHARE = 0.5
MIN_GAIN = 0.2

CID = re.compile(r"\(cid:\d+\)")
WORD = re.compile(r"\S+")
LETTERS = re.compile(r"[^\W\d_]+")
IMPOSSIBLE_CHARS = re.compile(r"[\ue000-\uf8ff\ufffd\x00-\x08\x0b-\x1f]")
# A letter, then something no word holds, then a letter: "akD>viteter", "t#ltak".
MIXED = re.compile(r"[^\W\d_][^\w\s\-–—'’.,;:!?()«»\"”“/&%+]+[^\W\d_]")

# A word's box height as a share of its type size, by whether it has letters reaching
# above the x-height (capitals, digits, b d f h k l t å) and below the baseline (g j p q y):
# measured on scanned copies of the corpus against the text layer's sizes.
BOX_HEIGHT_PER_SIZE = {(True, True): 0.97, (True, False): 0.77, (False, True): 0.76, (False, False): 0.56}
ASCENDERS = re.compile(r"[A-ZÆØÅ0-9bdfhkltåij]")  # an i's dot reaches nearly as high
DESCENDERS = re.compile(r"[gjpqy]")
# OCR of dot leaders in a contents page: dots, then what the dots were misread as, then the page.
LEADER = re.compile(r"\s*(?:[.,·…]\s?){3,}[^\d]{0,40}?(?=\d{1,4}$)")
# What Tesseract reads a list bullet as.
BULLET_MISREAD = re.compile(r"^[*+«»·°oe][.,]?\s+(?=[A-ZÆØÅ0-9])")
# Sizes within this share of each other are one size (the noise of measuring boxes).
SIZE_TOLERANCE = 0.09
# Lines of one paragraph within this share of its median size share its size.
PARAGRAPH_TOLERANCE = 0.2
# A line whose strokes are this much thicker than the page's usual stroke is bold.
BOLD_STROKE_RATIO = 1.3
DARK = 128  # grey levels below this are ink
# A dropped bullet's size, as a share of its line's height (a letter's body is about half).
BULLET_MIN = 0.15
BULLET_MAX = 0.6
# A mark with no letter or digit (nor a bullet) read with less confidence than this is a
# speck of dirt, not text.
SPECK_CONFIDENCE = 30.0
BULLET_MARKS = "•*+«»·°"


@dataclass
class OcrWord:
    """One word Tesseract read, with its box in points from the page top."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float  # 0–100
    line: int  # the words of one line share the number
    stroke: float  # ink per unit of the box's outline: thicker in bold type


@dataclass
class OcrPage:
    page: int
    words: list[OcrWord]
    stroke: float  # the page's usual stroke (median over its words)


# -- which pages need it -------------------------------------------------------------------


def _is_impossible(word: str) -> bool:
    return bool(CID.search(word) or IMPOSSIBLE_CHARS.search(word) or MIXED.search(word))


def unusable_text_layer(lines: Iterable[Line], is_known: Callable[[str], bool] | None = None) -> bool:
    """Whether a page's text layer cannot be read as text: many of its words are glyph
    numbers or impossible, or (with ``is_known``) most of its words are in no word list."""
    words = [word for line in lines if not line.rotated for word in WORD.findall(line.text)]
    if len(words) < MIN_WORDS_TO_JUDGE:
        return False
    if sum(_is_impossible(word) for word in words) >= MAX_IMPOSSIBLE_SHARE * len(words):
        return True
    if is_known is None:
        return False
    letters = [part.lower() for word in words for part in LETTERS.findall(word) if len(part) >= 3]
    if len(letters) < MIN_WORDS_TO_JUDGE:
        return False
    unknown = 0
    for index, word in enumerate(letters):
        unknown += not is_known(word)
        # Most pages are settled by their first words: stop once the answer cannot change.
        if unknown < (index + 1) - (1 - MAX_UNKNOWN_SHARE) * len(letters):
            return False
    return unknown >= MAX_UNKNOWN_SHARE * len(letters)


def has_text(lines: Iterable[Line]) -> bool:
    return any(ch.isalnum() for line in lines if not line.rotated for ch in line.text)


def pages_needing_ocr(pages: list[list[Line]], image_shares: list[float],
                      is_known: Callable[[str], bool] | None = None) -> list[int]:
    """The 1-based pages to read with OCR: scans (no text, and an image covering much of
    the page) and pages whose text layer is unusable. A page with neither text nor image
    (blank, or a damaged file's) is not rendered: there is nothing scanned to read."""
    needed = []
    for number, (page, image_share) in enumerate(zip(pages, image_shares, strict=True), start=1):
        if not has_text(page):
            if image_share >= MIN_IMAGE_SHARE:
                needed.append(number)
        elif unusable_text_layer(page, is_known):
            needed.append(number)
    return needed


# -- the programs -------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def engine_version(tesseract: str) -> str:
    """The tesseract release and the size of its model file: what the cache is keyed by."""
    try:
        done = subprocess.run([tesseract, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    text = (done.stdout or done.stderr).split()
    version = text[1] if len(text) > 1 else "unknown"
    model = next((Path(folder) / f"{MODEL}.traineddata" for folder in _tessdata_folders()
                  if (Path(folder) / f"{MODEL}.traineddata").is_file()), None)
    return f"{version}-{model.stat().st_size if model else 0}"


def _tessdata_folders() -> list[str]:
    folders = [os.environ.get("TESSDATA_PREFIX", "")]
    folders += [str(p) for p in sorted(Path("/usr/share/tesseract-ocr").glob("*/tessdata"))]
    return [f for f in folders if f]


def page_timeout() -> float:
    """Seconds one page may take (rendering and reading), from the environment or the default."""
    try:
        return float(os.environ.get(PAGE_TIMEOUT_ENV, DEFAULT_PAGE_TIMEOUT_S))
    except ValueError:
        return DEFAULT_PAGE_TIMEOUT_S


def ocr_dpi() -> int:
    configured = os.environ.get(DPI_ENV, "")
    return int(configured) if configured.isdigit() and 50 <= int(configured) <= 600 else OCR_DPI


_one_at_a_time = False


def read_pages_one_at_a_time() -> None:
    """Read a file's pages in this thread, one after the other (in a forked worker)."""
    global _one_at_a_time
    _one_at_a_time = True


def _threads() -> int:
    if _one_at_a_time:
        return 1
    configured = os.environ.get(THREADS_ENV, "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


# -- reading one page ---------------------------------------------------------------------


def _render(pdftoppm: str, path: Path, page: int, folder: Path, timeout: float) -> Path:
    prefix = folder / f"p{page}"
    subprocess.run([pdftoppm, "-r", str(ocr_dpi()), "-gray", "-f", str(page), "-l", str(page), "-singlefile",
                    str(path), str(prefix)], check=True, capture_output=True, timeout=timeout)
    return prefix.with_suffix(".pgm")


def _tesseract_tsv(tesseract: str, image: Path, timeout: float) -> str:
    # One thread per tesseract: pages are read side by side instead.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run([tesseract, str(image), "stdout", "-l", MODEL, "--psm", "3", "tsv"],
                          check=True, capture_output=True, timeout=timeout, env=env)
    return done.stdout.decode("utf-8", "replace")


def read_pgm(image: Path) -> np.ndarray:
    """The grey levels of a binary PGM file (what ``pdftoppm -gray`` writes), rows by columns."""
    data = image.read_bytes()
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:  # magic, width, height, maximum; "#" starts a comment
        match = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, position)
        if match is None:
            raise ValueError(f"{image}: not a PGM file")
        fields.append(match.group(2))
        position = match.end()
    if fields[0] != b"P5" or int(fields[3]) > 255:
        raise ValueError(f"{image}: not an 8-bit binary PGM file")
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(data, dtype=np.uint8, count=width * height, offset=position + 1)
    return pixels.reshape(height, width)


def _strokes(pixels: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> list[float]:
    """Ink per unit of outline for each box: a stroke's width, whatever the letters."""
    ink = pixels < DARK
    strokes = []
    for left, top, width, height in boxes:
        box = ink[top:top + height, left:left + width]
        dark = int(box.sum())
        # The letters' outline: ink pixels with a light neighbour to the right or below.
        edges = int((box[:, :-1] & ~box[:, 1:]).sum() + (box[:-1, :] & ~box[1:, :]).sum())
        strokes.append(dark / edges if edges else 0.0)
    return strokes


def read_tsv(tsv: str, scale: float) -> list[tuple[OcrWord, tuple[int, int, int, int]]]:
    """Tesseract's words with their boxes, in points (``scale``: points per pixel), and
    the boxes in pixels."""
    rows = tsv.splitlines()
    words = []
    for row in rows[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5":
            continue
        text = " ".join(parts[11].split())
        confidence = max(0.0, float(parts[10]))
        if not text:
            continue
        block, paragraph, line = int(parts[2]), int(parts[3]), int(parts[4])
        left, top, width, height = (int(value) for value in parts[6:10])
        words.append((OcrWord(
            text=text, x0=left * scale, top=top * scale, x1=(left + width) * scale, bottom=(top + height) * scale,
            confidence=confidence, line=block * 1_000_000 + paragraph * 1000 + line, stroke=0.0,
        ), (left, top, width, height)))
    return words


def ocr_page(path: Path, page: int, page_width: float, tesseract: str, pdftoppm: str, timeout: float) -> OcrPage:
    """One page rendered and read. Raises ``subprocess`` errors and timeouts."""
    with tempfile.TemporaryDirectory(prefix="rapportsok-ocr-") as folder:
        image = _render(pdftoppm, path, page, Path(folder), timeout)
        pixels = read_pgm(image)
        scale = page_width / pixels.shape[1] if pixels.shape[1] else POINTS_PER_INCH / ocr_dpi()
        read = read_tsv(_tesseract_tsv(tesseract, image, timeout), scale)
        strokes = _strokes(pixels, [box for _, box in read]) if read else []
        bullets = _dropped_bullets(pixels, read, scale) if read else []
    words = [word for word, _ in read]
    for word, stroke in zip(words, strokes, strict=True):
        word.stroke = stroke
    usual = statistics.median([w.stroke for w in words if w.stroke and len(w.text) >= 3] or [0.0])
    return OcrPage(page=page, words=sorted([*words, *bullets], key=lambda w: (w.line, w.x0)), stroke=usual)


def _dropped_bullets(pixels: np.ndarray, read: list[tuple[OcrWord, tuple[int, int, int, int]]],
                     scale: float) -> list[OcrWord]:
    """List bullets Tesseract left out: a lone solid dot, about a letter's body in size,
    just left of a line's first word and level with its letters. Tesseract often drops a
    small round bullet, and without it a list item runs into the paragraph above."""
    ink = pixels < DARK
    first: dict[int, tuple[OcrWord, tuple[int, int, int, int]]] = {}
    for word, box in read:
        if word.line not in first or box[0] < first[word.line][1][0]:
            first[word.line] = (word, box)
    found = []
    for word, (left, top, _width, height) in first.values():
        if BULLET_MARKS.find(word.text[:1]) >= 0 or height < 6:
            continue
        start = max(0, left - 3 * height)
        region = ink[top:top + height, start:max(start, left - 1)]
        if not region.any():
            continue
        columns = np.flatnonzero(region.any(axis=0))
        rows = np.flatnonzero(region.any(axis=1))
        blob_width, blob_height = columns[-1] - columns[0] + 1, rows[-1] - rows[0] + 1
        solid = region[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1].mean()
        centre = (rows[0] + rows[-1]) / 2 / height
        if (len(columns) == blob_width and BULLET_MIN * height <= min(blob_width, blob_height)
                and max(blob_width, blob_height) <= BULLET_MAX * height
                and abs(blob_width - blob_height) <= 0.35 * max(blob_width, blob_height)
                and solid >= 0.6 and 0.25 <= centre <= 0.8):
            x0 = (start + columns[0]) * scale
            found.append(OcrWord(text="•", x0=x0, top=(top + rows[0]) * scale, x1=(start + columns[-1] + 1) * scale,
                                 bottom=(top + rows[-1] + 1) * scale, confidence=word.confidence, line=word.line,
                                 stroke=0.0))
    return found


# -- the cache ----------------------------------------------------------------------------


def cache_file(folder: Path, sha256: str, version: str) -> Path:
    return folder / "ocr" / f"{sha256}-{ENGINE}-{version}-{MODEL}-{ocr_dpi()}dpi-v{CACHE_FORMAT}.json"


def _read_cache(sha256: str, version: str) -> dict[int, OcrPage]:
    from indexer.language.lexicon import cache_folders

    for folder in cache_folders(create=False):
        try:
            data = json.loads(cache_file(folder, sha256, version).read_text(encoding="utf-8"))
            return {int(number): OcrPage(page=int(number), words=[OcrWord(**w) for w in page["words"]],
                                         stroke=float(page["stroke"]))
                    for number, page in data["pages"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return {}


def _write_cache(sha256: str, version: str, pages: dict[int, OcrPage]) -> None:
    from indexer.language.lexicon import cache_folders

    payload = json.dumps({"pages": {str(n): {"words": [asdict(w) for w in p.words], "stroke": p.stroke}
                                    for n, p in pages.items()}})
    for folder in cache_folders(create=True):
        target = cache_file(folder, sha256, version)
        tmp = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, target)  # atomic: parallel workers never read half a file
            return
        except OSError:
            if tmp is not None:
                with suppress(OSError):
                    os.unlink(tmp)


# -- progress -----------------------------------------------------------------------------

# Told (pages read so far, pages to read) as OCR goes on; the extraction worker sends it
# to the index run's progress output.
ProgressHook = Callable[[int, int], None]
_progress_hook: ProgressHook | None = None


def set_progress_hook(hook: ProgressHook | None) -> None:
    global _progress_hook
    _progress_hook = hook


def _report_progress(done: int, total: int) -> None:
    if _progress_hook is not None:
        with suppress(Exception):  # progress is never worth a failed file
            _progress_hook(done, total)


# -- reading a document -------------------------------------------------------------------


class _InThisThread:
    """An executor that runs each call when its result is asked for, in this thread."""

    def __enter__(self) -> _InThisThread:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, function: Callable[..., OcrPage], *args: Any) -> _Deferred:
        return _Deferred(function, args)


class _Deferred:
    def __init__(self, function: Callable[..., OcrPage], args: tuple) -> None:
        self._call = (function, args)

    def result(self) -> OcrPage:
        function, args = self._call
        return function(*args)

    def cancel(self) -> bool:
        return True


def ocr_pages(path: Path, sha256: str, numbers: list[int],
              page_widths: dict[int, float]) -> tuple[dict[int, OcrPage], list[UnreadPage]]:
    """The given pages read with OCR, from the cache when this file was read before, and
    the pages that could not be read: one that takes longer than its limit or that the
    programs fail on is left out, and the others are still read.

    Raises :class:`OcrUnavailableError` without the programs.
    """
    missing = missing_packages()
    if missing:
        raise OcrUnavailableError(str(path), unavailable_reason(len(numbers), missing))
    tesseract_program, pdftoppm_program = tesseract(), pdftoppm()
    assert tesseract_program is not None and pdftoppm_program is not None
    version = engine_version(tesseract_program)
    cached = _read_cache(sha256, version)
    found = {n: cached[n] for n in numbers if n in cached}
    todo = [n for n in numbers if n not in found]
    _report_progress(len(found), len(numbers))
    if not todo:
        return found, []
    timeout = page_timeout()
    unread: list[UnreadPage] = []
    pool: ThreadPoolExecutor | _InThisThread = (
        _InThisThread() if _threads() == 1 else ThreadPoolExecutor(max_workers=min(_threads(), len(todo))))
    with pool:
        futures = {n: pool.submit(ocr_page, path, n, page_widths[n], tesseract_program, pdftoppm_program, timeout)
                   for n in todo}
        for number, future in futures.items():
            try:
                found[number] = future.result()
            except subprocess.TimeoutExpired:
                unread.append(UnreadPage(number, ExtractionTimeout.code,
                                         f"OCR av side {number} brukte mer enn {timeout:g} s "
                                         f"(tidsgrense per side, {PAGE_TIMEOUT_ENV})"))
            except (subprocess.CalledProcessError, OSError, ValueError) as exc:
                stderr = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else str(exc).encode()
                message = (stderr or b"").decode("utf-8", "replace").strip().splitlines()
                unread.append(UnreadPage(number, ExtractionError.code, f"OCR av side {number} feilet: "
                                         f"{(message or ['ukjent feil'])[-1]}"[:300]))
            _report_progress(len(found) + len(unread), len(numbers))
    # Only pages read are cached: one that failed is tried again on the next run.
    _write_cache(sha256, version, {**cached, **found})
    return found, unread


def unavailable_reason(pages: int, missing: list[str]) -> str:
    return (f"{pages} skannede sider trenger OCR, men {', '.join(missing)} er ikke installert; "
            f"installer med «{install_hint(missing)}»")


# -- words to lines -----------------------------------------------------------------------


def _raw_size(words: list[OcrWord]) -> float:
    """The type size a line's word boxes show, each word's height read by its letters."""
    sizes = []
    for word in words:
        letters = re.sub(r"\W", "", word.text)
        if letters:
            shape = (bool(ASCENDERS.search(letters)), bool(DESCENDERS.search(letters)))
            sizes.extend([(word.bottom - word.top) / BOX_HEIGHT_PER_SIZE[shape]] * len(letters))
    return statistics.median(sizes) if sizes else 0.0


def clean_text(text: str) -> str:
    """What OCR makes of marks that are not letters: a bullet read as a letter or a star
    becomes a bullet, a spaced hyphen a dash, dot leaders read as letters dots again."""
    text = BULLET_MISREAD.sub("• ", text)
    # A hyphen between spaces is a dash read as a hyphen: typeset text sets a spaced dash.
    text = text.replace(" - ", " – ")
    return LEADER.sub(" .......... ", text)


def ocr_lines(page: OcrPage, page_width: float, page_height: float) -> list[Line]:
    """A page's OCR words as upright fragments (one per line Tesseract found), with a raw
    size and weight; :func:`snap_sizes` then makes the sizes of a document agree."""
    groups: dict[int, list[OcrWord]] = {}
    for word in page.words:
        if word.confidence < SPECK_CONFIDENCE and not any(ch.isalnum() or ch in BULLET_MARKS for ch in word.text):
            continue  # a speck of dirt read as a dash or a dot
        groups.setdefault(word.line, []).append(word)
    lines = []
    paragraphs: dict[tuple[int, bool], list[Line]] = {}
    for key, words in groups.items():
        words.sort(key=lambda w: w.x0)
        stroke = statistics.median([w.stroke for w in words])
        lines.append(Line(
            text=clean_text(" ".join(w.text for w in words)), page=page.page,
            x0=min(w.x0 for w in words), x1=max(w.x1 for w in words),
            top=min(w.top for w in words), bottom=max(w.bottom for w in words),
            size=_raw_size(words), bold=bool(page.stroke) and stroke >= BOLD_STROKE_RATIO * page.stroke,
            italic=False, link=False, link_chars=0, page_height=page_height, page_width=page_width,
        ))
        paragraphs.setdefault((key // 1000, lines[-1].bold), []).append(lines[-1])
    # The lines of one paragraph in one weight are set in one size: measured on all their
    # words together, a short line's few words do not give it a size of its own.
    for members in paragraphs.values():
        middle = statistics.median([line.size for line in members])
        alike = [line for line in members if abs(line.size - middle) <= PARAGRAPH_TOLERANCE * middle]
        if len(alike) > 1:
            size = sum(line.size * len(line.text) for line in alike) / sum(len(line.text) for line in alike)
            for line in alike:
                line.size = size
    # A line between two lines of one size and weight, close above and below, continues
    # their text: it has their size, however its few words measured.
    ordered = sorted(lines, key=lambda line: line.top)
    for above, line, below in zip(ordered, ordered[1:], ordered[2:], strict=False):
        if (abs(above.size - below.size) <= SIZE_TOLERANCE * above.size and above.bold == line.bold == below.bold
                and abs(above.x0 - line.x0) < 2 * above.size and line.top - above.bottom < above.size
                and below.top - line.bottom < above.size):
            line.size = (above.size + below.size) / 2
    return lines


def snap_sizes(lines: list[Line]) -> None:
    """Give lines whose measured sizes are close one size: the most common size (by
    characters, to half a point) takes every line within :data:`SIZE_TOLERANCE` of it,
    then the most common of the rest, and so on."""
    left = [line for line in lines if line.size > 0]
    while left:
        weights: Counter[float] = Counter()
        for line in left:
            weights[round(line.size * 2) / 2] += len(line.text)
        centre = weights.most_common(1)[0][0]
        near = [line for line in left if abs(line.size - centre) <= SIZE_TOLERANCE * centre
                or round(line.size * 2) / 2 == centre]
        size = round(statistics.median([line.size for line in near]) * 2) / 2
        taken = {id(line) for line in near}
        for line in near:
            line.size = size
        left = [line for line in left if id(line) not in taken]


def match_text_sizes(lines: list[Line], text_pages: list[list[Line]]) -> None:
    """In a document with pages of its own text, OCR'd lines take the text's sizes: the
    scanned body is set in the text's body size, and every other OCR size in the text size
    nearest it after the same scaling, so a scanned page's headings rank as the others'."""
    if not lines or not any(has_text(page) for page in text_pages):
        return
    ocr_body, text_body = body_size([lines]), body_size(text_pages)
    if not 0.75 <= text_body / ocr_body <= 1.33:
        return  # too far apart to be the same type: leave the measured sizes
    sizes = sorted({round(line.size * 2) / 2 for page in text_pages for line in page if line.size > 0})
    for line in lines:
        scaled = line.size * text_body / ocr_body
        nearest = min(sizes, key=lambda size: abs(size - scaled))
        line.size = nearest if abs(nearest - scaled) <= SIZE_TOLERANCE * scaled else round(scaled * 2) / 2


def mean_confidence(pages: dict[int, OcrPage]) -> float | None:
    values = [w.confidence for page in pages.values() for w in page.words]
    return sum(values) / len(values) if values else None


# -- marking what was read ----------------------------------------------------------------


def _token(text: str) -> str:
    return text.strip(".,;:!?()«»\"'”“’-–—").lower()


def mark_items(items: Iterable[Finding | Passage], pages: dict[int, OcrPage]) -> None:
    """Mark the findings and passages that stand on OCR'd pages, each with the mean
    confidence of its own words (looked up on its page and the next, where it may run on;
    the page's mean when no word is found, as when a hyphen was joined)."""
    confidences: dict[int, dict[str, list[float]]] = {}
    for number, page in pages.items():
        table: dict[str, list[float]] = {}
        for read in page.words:
            table.setdefault(_token(read.text), []).append(read.confidence)
        confidences[number] = table
    for item in items:
        if item.page not in pages:
            continue
        found = []
        for word in item.text.split():
            token = _token(word)
            for number in (item.page, item.page + 1):
                values = confidences.get(number, {}).get(token)
                if values:
                    found.append(sum(values) / len(values))
                    break
        if not found:
            found = [w.confidence for w in pages[item.page].words]
        item.ocr = True
        item.ocr_confidence = round(sum(found) / len(found), 1) if found else None


# -- the document -------------------------------------------------------------------------


def _is_known_word(word: str) -> bool:
    """In the Norwegian or the English word list: how an unusable text layer is told apart."""
    from indexer.language.english import get_english
    from indexer.language.lexicon import get_lexicon

    return get_lexicon().is_word(word) or get_english().is_english(word)


def known_share(texts: Iterable[str], is_known: Callable[[str], bool]) -> float:
    """The share of the words (of three letters or more) that are in a word list."""
    words = [part.lower() for text in texts for part in LETTERS.findall(text) if len(part) >= 3]
    return sum(map(is_known, words)) / len(words) if words else 0.0


def reads_better(page: OcrPage, lines: list[Line], is_known: Callable[[str], bool], scan_only: bool) -> bool:
    """Whether what OCR read is text, and better text than the page's own layer: a photo
    read as letters gives words in no word list, read with little confidence; a text layer
    in a language of neither word list (a Polish invoice) is no worse than OCR of it. In a
    document with no text layer at all (``scan_only``) whatever is read with confidence counts."""
    confidence = mean_confidence({page.page: page})
    if confidence is None or confidence < MIN_TEXT_CONFIDENCE:
        return False
    if scan_only:
        return True
    ocr_share = known_share((w.text for w in page.words), is_known)
    if ocr_share < MIN_KNOWN_SHARE:
        return False
    return not has_text(lines) or ocr_share >= known_share((line.text for line in lines), is_known) + MIN_GAIN


def read_document(path: Path, sha256: str, reader: Callable[[Path], PdfText] = read_pdf
                  ) -> tuple[PdfText, dict[int, OcrPage], list[UnreadPage]]:
    """Every page of ``path`` as lines (``reader``'s), pages without a usable text layer
    read with OCR; the pages so read; and the pages that needed OCR and could not be
    read (they keep whatever text layer they have). Raises a typed ExtractionError.

    Without the OCR programs a document with text of its own is read without its scans
    (each listed as unread, ``needs_ocr``); one with none fails with what to install.
    A document none of whose pages could be read fails with why.
    """
    try:
        pdf = reader(path)
    except NoTextLayerError:
        pdf = read_pdf(path, require_text=False)
    numbers = pages_needing_ocr(pdf.pages, pdf.image_shares, _is_known_word)
    read: dict[int, OcrPage] = {}
    unread: list[UnreadPage] = []
    missing = missing_packages() if numbers else []
    if missing and any(has_text(page) for page in pdf.pages):
        reason = unavailable_reason(len(numbers), missing)
        unread = [UnreadPage(n, OcrUnavailableError.code, reason) for n in numbers]
    elif numbers:
        read, unread = ocr_pages(path, sha256, numbers, {n: pdf.page_sizes[n - 1][0] for n in numbers})
        scan_only = not any(has_text(page) for page in pdf.pages)
        read = {n: page for n, page in read.items()
                if reads_better(page, pdf.pages[n - 1], _is_known_word, scan_only)}
        fragments = {n: ocr_lines(page, *pdf.page_sizes[n - 1]) for n, page in read.items()}
        snap_sizes([line for lines in fragments.values() for line in lines])
        text_pages = [page for n, page in enumerate(pdf.pages, start=1) if n not in read]
        match_text_sizes([line for lines in fragments.values() for line in lines], text_pages)
        for number, lines in fragments.items():
            pdf.pages[number - 1] = reading_order(lines)
    if not any(has_text(page) for page in pdf.pages):
        if unread:  # nothing could be read: the file fails as its first unread page did
            error = ExtractionTimeout if unread[0].code == ExtractionTimeout.code else ExtractionError
            raise error(str(path), unread[0].reason)
        reason = ("PDF-en har ikke noe tekstlag, og OCR fant ingen tekst på sidene" if read
                  else "PDF-en har ikke noe tekstlag (skannet bilde?)")
        raise NoTextLayerError(str(path), reason)
    return pdf, read, unread
