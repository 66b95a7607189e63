"""``python -m bench.ocr``: scanned copies of the corpus read with OCR, against the text versions.

Each corpus PDF is rasterised (greyscale, a small rotation, speckle noise) and packed as an
image-only PDF, as a scanner would leave it. The copies are extracted in the bounded
extraction workers (OCR included, with an empty OCR cache) at each resolution asked for,
and their reports, findings and chapters are compared with what the text version of the
same PDF gives (``indexer.evaluation.extraction``'s matching: reports by title, findings
by their first eight words). Prints pages/s, finding P/R/F1, reports and chapters found.

The helpers that make the copies (:func:`scan_copy`, :func:`mixed_copy`,
:func:`garbled_copy`) are shared with ``tests/test_ocr.py``.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.paths import GENERATED_DIR, corpus_pdfs
from indexer.evaluation.extraction import Gold, GoldFinding, GoldReport, score_document
from indexer.records import Document, Finding, Passage

SCAN_DPI = 300  # how the copies are scanned (an archive's usual resolution)


def _rasterise(source: Path, folder: Path, dpi: int, first: int | None = None, last: int | None = None) -> list[Path]:
    command = ["pdftoppm", "-r", str(dpi), "-gray"]
    if first is not None:
        command += ["-f", str(first), "-l", str(last if last is not None else first)]
    subprocess.run([*command, str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.pgm"))


def _scanned_images(images: list[Path], seed: int, angle: float, speckle: float):
    from PIL import Image

    rng = random.Random(seed)
    for image in images:
        with Image.open(image) as picture:
            page = picture.convert("L").rotate(rng.uniform(-angle, angle), resample=Image.Resampling.BICUBIC,
                                               fillcolor=255)
        pixels = page.load()
        assert pixels is not None
        width, height = page.size
        for _ in range(int(width * height * speckle)):
            pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 90, 255))
        yield page


def scan_copy(source: Path, target: Path, dpi: int = SCAN_DPI, pages: tuple[int, int] | None = None,
              seed: int = 1, angle: float = 0.8, speckle: float = 0.0015) -> Path:
    """``source`` (or its pages ``first``–``last``) as a scanner leaves it: greyscale at
    ``dpi``, turned by up to ``angle`` degrees, with speckle noise, one image per page."""
    with tempfile.TemporaryDirectory() as folder:
        images = _rasterise(source, Path(folder), dpi, *(pages or (None, None)))
        scanned = list(_scanned_images(images, seed, angle, speckle))
        scanned[0].save(target, save_all=True, append_images=scanned[1:], resolution=float(dpi))
    return target


def mixed_copy(source: Path, target: Path, scanned: set[int], dpi: int = SCAN_DPI) -> Path:
    """``source`` with the pages in ``scanned`` replaced by scans of themselves."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run(["pdfseparate", str(source), str(folder / "text-%d.pdf")], check=True)
        parts = []
        for number in range(1, len(list(folder.glob("text-*.pdf"))) + 1):
            part = folder / f"text-{number}.pdf"
            if number in scanned:
                part = scan_copy(source, folder / f"scan-{number}.pdf", dpi, (number, number), seed=number)
            parts.append(str(part))
        subprocess.run(["pdfunite", *parts, str(target)], check=True)
    return target


def _rot1(text: str) -> str:
    """Each letter replaced by the next: what a font whose codes map to the wrong letters gives."""
    def shift(ch: str) -> str:
        if "a" <= ch <= "y" or "A" <= ch <= "Y":
            return chr(ord(ch) + 1)
        return ch
    return "".join(shift(ch) for ch in text)


def garbled_copy(source: Path, target: Path, dpi: int = SCAN_DPI, pages: tuple[int, int] | None = None) -> Path:
    """Scans of ``source`` under an invisible text layer whose letters are all wrong (each
    word of the page, one letter on): a broken font encoding, as readers meet it."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from indexer.extract.pdftext import read_pdf

    text = read_pdf(source)
    first, last = pages or (1, text.page_count)
    with tempfile.TemporaryDirectory() as folder:
        images = _rasterise(source, Path(folder), dpi, first, last)
        scanned = list(_scanned_images(images, seed=first, angle=0.5, speckle=0.001))
        pdf = canvas.Canvas(str(target), invariant=1)
        for number, image in zip(range(first, last + 1), scanned, strict=True):
            lines = text.pages[number - 1]
            width = lines[0].page_width if lines else 595.0
            height = lines[0].page_height if lines else 842.0
            pdf.setPageSize((width, height))
            pdf.drawImage(ImageReader(image), 0, 0, width, height)
            layer = pdf.beginText()
            layer.setTextRenderMode(3)  # invisible, as OCR layers of scans are set
            for line in lines:
                layer.setFont("Helvetica", max(4.0, line.size))
                layer.setTextOrigin(line.x0, height - line.bottom)
                layer.textOut(_rot1(line.text).encode("latin-1", "replace").decode("latin-1"))
            pdf.drawText(layer)
            pdf.showPage()
        pdf.save()
    return target


def gold_from(document: Document) -> Gold:
    """What the text version of a PDF gives, as the gold its scanned copy is scored against."""
    reports = []
    for report in document.reports:
        chapters = list(report.themes)
        items: list[Finding | Passage] = [*report.findings, *report.passages]
        for item in items:
            if item.chapter and item.chapter not in chapters:
                chapters.append(item.chapter)
        reports.append(GoldReport(
            title=report.title, contractors=list(report.contractors), commissioner=report.commissioner,
            year=report.year, findings=[GoldFinding(f.section, f.text) for f in report.findings], chapters=chapters,
        ))
    return Gold(reports=reports, source=document.source, sha256=document.sha256)


@dataclass
class Comparison:
    source: str
    pages: int
    reports_gold: int
    reports_found: int  # gold reports whose title the scanned copy gives
    findings_gold: int
    findings_extracted: int
    findings_matched: int
    chapters_gold: int
    chapters_found: int
    confidence: float | None  # mean OCR confidence over the findings and passages

    @property
    def precision(self) -> float:
        return self.findings_matched / self.findings_extracted if self.findings_extracted else 0.0

    @property
    def recall(self) -> float:
        return self.findings_matched / self.findings_gold if self.findings_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def compare(text_version: Document, scanned: Document) -> Comparison:
    """The scanned copy's reports, findings and chapters against the text version's."""
    score = score_document(scanned, gold_from(text_version), raw_lines=[])
    items: list[Finding | Passage] = []
    for report in scanned.reports:
        items.extend(report.findings)
        items.extend(report.passages)
    confidences = [item.ocr_confidence for item in items if item.ocr_confidence is not None]
    return Comparison(
        source=text_version.source, pages=scanned.pages,
        reports_gold=len(text_version.reports), reports_found=sum(r.title_ok for r in score.reports),
        findings_gold=score.findings_gold, findings_extracted=score.findings_extracted,
        findings_matched=score.findings_matched,
        chapters_gold=score.chapters_gold, chapters_found=score.chapters_found,
        confidence=sum(confidences) / len(confidences) if confidences else None,
    )


def _extract_all(paths: list[Path], workers: int) -> tuple[dict[str, Document], float, int]:
    from indexer.extract.pipeline import extract_document, file_sha256
    from indexer.extract.workers import ExtractionJob, ExtractionLimits, extract_in_workers, preload_pipeline

    preload_pipeline()
    jobs = [ExtractionJob(source=path.name, path=path, sha256=file_sha256(path)) for path in paths]
    documents: dict[str, Document] = {}
    failed = 0
    started = time.perf_counter()
    limits = ExtractionLimits.resolve(timeout_s=3600)
    for result in extract_in_workers(jobs, workers=workers, limits=limits, extractor=extract_document):
        if result.document is not None:
            documents[result.job.source] = result.document
        else:
            failed += 1
            print(f"  {result.job.source}: {result.failure}")
    return documents, time.perf_counter() - started, failed


def run(dpis: list[int], workers: int, folder: Path) -> list[dict[str, object]]:
    from indexer.extract.pipeline import extract_document

    folder.mkdir(parents=True, exist_ok=True)
    sources = corpus_pdfs()
    texts = {path.name: extract_document(path) for path in sources}
    scans = []
    for path in sources:
        target = folder / path.name
        if not target.exists():
            scan_copy(path, target)
        scans.append(target)
    rows = []
    for dpi in dpis:
        with tempfile.TemporaryDirectory() as cache:
            os.environ["RAPPORTSOK_CACHE_DIR"] = cache  # an empty OCR cache: every page is read
            os.environ["RAPPORTSOK_OCR_DPI"] = str(dpi)
            documents, seconds, failed = _extract_all(scans, workers)
            cached_started = time.perf_counter()
            _extract_all(scans, workers)
            cached_seconds = time.perf_counter() - cached_started
        comparisons = [compare(texts[name], documents[name]) for name in texts if name in documents]
        pages = sum(c.pages for c in comparisons)
        total = Comparison("alle", pages, *(sum(getattr(c, f) for c in comparisons) for f in (
            "reports_gold", "reports_found", "findings_gold", "findings_extracted", "findings_matched",
            "chapters_gold", "chapters_found")), None)
        documents_rows = [{"source": c.source, "f1": round(c.f1, 3), "reports": f"{c.reports_found}/{c.reports_gold}",
                           "chapters": f"{c.chapters_found}/{c.chapters_gold}",
                           "confidence": round(c.confidence, 1) if c.confidence is not None else None}
                          for c in comparisons]
        row: dict[str, object] = {
            "dpi": dpi, "workers": workers, "pages": pages, "seconds": round(seconds, 1),
            "seconds_per_page": round(seconds / pages, 2) if pages else None,
            "pages_per_second": round(pages / seconds, 2) if seconds else None,
            "cached_seconds": round(cached_seconds, 1), "failed": failed,
            "precision": round(total.precision, 3), "recall": round(total.recall, 3), "f1": round(total.f1, 3),
            "reports": f"{total.reports_found}/{total.reports_gold}",
            "chapters": f"{total.chapters_found}/{total.chapters_gold}",
            "documents": documents_rows,
        }
        rows.append(row)
        print(f"{dpi} dpi: {pages} sider på {seconds:.1f} s ({row['seconds_per_page']} s/side, "
              f"{row['pages_per_second']} sider/s, {workers} prosesser), fra hurtiglageret {cached_seconds:.1f} s; "
              f"funn P {total.precision:.3f} R {total.recall:.3f} F1 {total.f1:.3f}; "
              f"rapporter {row['reports']}; kapitler {row['chapters']}; feilet {failed}", flush=True)
        for document in documents_rows:
            print(f"    {document}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, nargs="*", default=[200], help="OCR resolutions to measure")
    parser.add_argument("--workers", type=int, default=2, help="extraction worker processes")
    parser.add_argument("--out", type=Path, default=GENERATED_DIR / "scanned", help="folder for the scanned copies")
    args = parser.parse_args(argv)
    run(args.dpi, args.workers, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
