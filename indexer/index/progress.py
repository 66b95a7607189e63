"""What ``rapportsok index`` tells the person running it.

On a terminal: one progress line on stderr, redrawn in place. Otherwise (cron,
CI, a pipe): one plain log line per file, so logs stay readable.
"""
from __future__ import annotations

import time
from typing import TextIO

from indexer.records import FailedFile

BAR_WIDTH = 24
REDRAW_INTERVAL_S = 0.1


def format_duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class IndexProgress:
    """Progress of one index run. ``stream=None`` makes it silent (library use)."""

    def __init__(self, stream: TextIO | None = None, interactive: bool | None = None):
        self.stream = stream
        if interactive is None:
            interactive = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.interactive = interactive
        self.total = 0
        self.done = 0
        self.pages = 0
        self.errors = 0
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._bar_visible = False
        self._ocr = ""  # the scanned file being read, shown after the bar
        self._ocr_logged: set[str] = set()

    def log(self, message: str) -> None:
        """A line that stays in the output (the bar is redrawn below it)."""
        if self.stream is None:
            return
        self._clear_bar()
        self.stream.write(message + "\n")
        self.stream.flush()
        self._draw(force=True)

    def begin(self, total_files: int) -> None:
        self.total = total_files
        self._started = time.monotonic()
        self._draw(force=True)

    def file_done(self, source: str, pages: int | None, failure: FailedFile | None = None) -> None:
        self.done += 1
        self.pages += pages or 0
        if failure is not None:
            self.errors += 1
        if self.stream is None:
            return
        if self.interactive:
            if failure is not None:
                self.log(f"FEIL {source}: {failure.code} – {failure.reason}")
            else:
                self._draw()
            return
        counter = f"[{self.done}/{self.total}]"
        if failure is not None:
            self.log(f"{counter} FEIL {source}: {failure.code} – {failure.reason}")
        else:
            self.log(f"{counter} indeksert {source} ({pages or 0} sider)")

    def ocr(self, source: str, done: int, total: int) -> None:
        """A worker reads scanned pages of ``source`` with OCR: ``done`` of ``total`` so far."""
        self._ocr = f" · OCR {source}: {done}/{total} sider" if done < total else ""
        if self.stream is None:
            return
        if self.interactive:
            self._draw(force=True)
        elif source not in self._ocr_logged:
            cached = " (lest før, fra hurtiglageret)" if done == total else " …"
            self.log(f"OCR av {source}: {total} skannede sider{cached}")
        self._ocr_logged.add(source)

    def close(self) -> None:
        self._clear_bar()

    def _line(self) -> str:
        filled = BAR_WIDTH * self.done // self.total if self.total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        elapsed = format_duration(time.monotonic() - self._started)
        return (
            f"[{bar}] {self.done}/{self.total} filer · {self.pages} sider · "
            f"{self.errors} feil · {elapsed}{self._ocr}"
        )

    def _draw(self, force: bool = False) -> None:
        if self.stream is None or not self.interactive or not self.total:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < REDRAW_INTERVAL_S and self.done < self.total:
            return
        self._last_draw = now
        self.stream.write("\r\x1b[K" + self._line())
        self.stream.flush()
        self._bar_visible = True

    def _clear_bar(self) -> None:
        if self._bar_visible and self.stream is not None:
            self.stream.write("\r\x1b[K")
            self._bar_visible = False
