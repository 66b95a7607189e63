"""Damaged and hostile PDFs for the hardening tests, made at test time.

Every function is deterministic given its ``random.Random``, so a failing file can be
made again from the seed and its number.
"""
from __future__ import annotations

import io
import random
import re
import zlib
from pathlib import Path

from PIL import Image
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

STREAM = re.compile(rb"stream\r?\n")
SCRIPT_TEXT = "<script>alert(1)</script>"


# --- mutations of an existing PDF ---------------------------------------------------------


def truncated(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def flipped(data: bytes, rng: random.Random) -> bytes:
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
    return bytes(damaged)


def stream_corrupted(data: bytes, rng: random.Random) -> bytes:
    """Overwrite a run of bytes inside one of the file's streams (fonts, page content)."""
    starts = [match.end() for match in STREAM.finditer(data)]
    if not starts:
        return flipped(data, rng)
    start = rng.choice(starts)
    end = data.find(b"endstream", start)
    end = end if end > start else len(data)
    offset = rng.randrange(start, max(start + 1, end))
    length = rng.randint(1, 512)
    return data[:offset] + rng.randbytes(length) + data[offset + length :]


def spliced(data: bytes, rng: random.Random) -> bytes:
    """Cut a random slice out of the middle: xref offsets then point at the wrong bytes."""
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 4096) :]


MUTATIONS = (truncated, flipped, stream_corrupted, spliced)


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    mutation = rng.choice(MUTATIONS)
    return mutation.__name__, mutation(data, rng)


def write_mutants(sources: list[Path], folder: Path, count: int, seed: int) -> dict[str, str]:
    """``count`` mutated copies of ``sources`` in ``folder``; file name → mutation name."""
    rng = random.Random(seed)
    originals = [(path.stem, path.read_bytes()) for path in sources]
    made = {}
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        stem, data = rng.choice(originals)
        kind, damaged = mutate(data, rng)
        name = f"mutant-{number:04d}-{kind}-{stem}.pdf"
        (folder / name).write_bytes(damaged)
        made[name] = kind
    return made


# --- hostile files made from scratch ------------------------------------------------------


def jpeg_bytes(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def image_only_pdf(path: Path) -> Path:
    """A scanned page stand-in: one picture, no text layer."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(io.BytesIO(jpeg_bytes(400, 600))), 50, 100, width=400, height=600)
    pdf.showPage()
    pdf.save()
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    for number in range(1, pages + 1):
        pdf.drawString(72, 770, f"Side {number} av en svært lang rapport")
        pdf.showPage()
    pdf.save()
    return path


def text_pdf(path: Path, lines: list[str], user_password: str | None = None) -> Path:
    """A one-page PDF with ``lines``; encrypted (RC4-128) when a user password is given."""
    encrypt = None
    if user_password is not None:
        encrypt = pdfencrypt.StandardEncryption(user_password, ownerPassword="eier", strength=128)
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    y = 780
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 24
    pdf.showPage()
    pdf.save()
    return path


def decompression_bomb(path: Path, inflated_gb: float = 4.0) -> Path:
    """A one-page PDF whose content stream is ``inflated_gb`` of zeros, Flate-compressed.

    Written by hand so the stream is never held uncompressed here: zeros compress about
    1000:1, so the file stays a few megabytes.
    """
    chunk = bytes(64 * 1024 * 1024)
    # After a full flush the compressor starts afresh, so every chunk of zeros compresses
    # to the same block: compress one and repeat it instead of compressing gigabytes.
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(chunk) + raw.flush(zlib.Z_FULL_FLUSH)
    chunks = int(inflated_gb * 16)
    checksum = 1
    for _ in range(chunks):
        checksum = zlib.adler32(chunk, checksum)
    final_block = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    stream = b"\x78\xda" + block * chunks + final_block + checksum.to_bytes(4, "big")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe5\xf8\xe6\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    path.write_bytes(bytes(out))
    return path
