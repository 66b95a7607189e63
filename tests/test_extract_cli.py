"""`rapportsok extract` prints one JSON document, or a JSON error and a non-zero exit."""
import json
import subprocess
import sys


def _extract(*args):
    return subprocess.run([sys.executable, "-m", "search_app", "extract", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_extract_prints_the_document_as_json(corpus_dir):
    proc = _extract(corpus_dir / "fou-prosjekter-2019.pdf")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["document_title"] == "FoU-prosjekter 2019"
    assert document["pages"] == 20 and len(document["sha256"]) == 64
    report = document["reports"][0]
    assert set(report) >= {"id", "title", "theme", "contractors", "commissioner", "published", "year",
                           "year_inferred", "lead", "page_start", "page_end", "findings", "passages"}
    assert set(report["findings"][0]) >= {"id", "text", "page", "section"}
    assert set(report["passages"][0]) >= {"id", "text", "page", "chapter", "section"}


def test_a_text_file_named_pdf_is_a_typed_error(tmp_path):
    fake = tmp_path / "notat.pdf"
    fake.write_text("Dette er ikke en PDF.", encoding="utf-8")
    proc = _extract(fake)
    assert proc.returncode == 2 and proc.stdout == ""
    error = json.loads(proc.stderr)["error"]
    assert error["code"] == "not_pdf" and error["file"].endswith("notat.pdf") and error["reason"]


def test_a_truncated_pdf_is_a_typed_error(tmp_path, corpus_dir):
    broken = tmp_path / "avkortet.pdf"
    broken.write_bytes((corpus_dir / "fou-prosjekter-2019.pdf").read_bytes()[:3000])
    proc = _extract(broken)
    assert proc.returncode == 2
    assert json.loads(proc.stderr)["error"]["code"] in {"corrupt", "no_text_layer"}
    assert "Traceback" not in proc.stderr
