"""Typed errors for files the pipeline cannot read.

Each names the file and a reason a person can act on; ``code`` is a stable,
machine-readable word for reports and the JSON error output.
"""
from __future__ import annotations


class ExtractionError(Exception):
    """A PDF could not be turned into records."""

    code = "unreadable"

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def to_dict(self) -> dict[str, str]:
        return {"file": self.path, "code": self.code, "reason": self.reason}


class NotAPdfError(ExtractionError):
    code = "not_pdf"


class EncryptedPdfError(ExtractionError):
    code = "encrypted"


class CorruptPdfError(ExtractionError):
    code = "corrupt"


class NoTextLayerError(ExtractionError):
    code = "no_text_layer"


class OcrUnavailableError(ExtractionError):
    """Scanned pages need OCR, and Tesseract (or its Norwegian model, or pdftoppm) is not installed."""

    code = "needs_ocr"


class TooLargeError(ExtractionError):
    code = "too_large"


class ExtractionTimeout(ExtractionError):
    code = "timeout"


class WorkerCrashedError(ExtractionError):
    """The process reading the file died (a crash in a parser library, the OOM killer)."""

    code = "worker_crashed"
