"""Language data installed from Debian packages rather than pip, and what its absence costs.

The Nynorsk word forms (``hunspell-no``, ``dict-freedict-nno-nob``) and the larger
English–Norwegian dictionary (``dict-freedict-eng-nor``) are GPL data that this
repository does not ship; the README's first command installs them. Without them
everything works, with less: the index summary and ``/api/health`` say so.
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer.language import english, nynorsk, ocr_tools


@dataclass(frozen=True)
class MissingData:
    """Optional language data that is not installed."""

    data: str  # "nynorsk", "english" or "ocr"
    packages: tuple[str, ...]
    effect: str  # Bokmål: what searches lack without it
    install: str  # the command that installs it

    def to_dict(self) -> dict[str, object]:
        return {"data": self.data, "packages": list(self.packages), "effect": self.effect, "install": self.install}


# Each kind of optional data: the module whose missing_packages() names what is not
# installed, and what searches lack without it.
OPTIONAL_DATA = (
    ("nynorsk", nynorsk,
     "Nynorske ord får ikke grunnform eller bokmålsform: nynorske søk og rapporter treffer bare på ord "
     "som skrives likt på bokmål."),
    ("english", english,
     "Engelske søkeord oversettes bare med ordlista som følger med Rapportsøk."),
    ("ocr", ocr_tools,
     "Skannede sider (uten brukbart tekstlag) leses ikke: PDF-er som bare er skannet, blir ikke indeksert "
     "(de står blant filene som ikke kunne leses, med koden needs_ocr), og skannede sider i PDF-er med tekst "
     "står blant sidene som ikke kunne leses. De leses ved neste indeksering etter at programmene er installert."),
)


def missing_language_data() -> list[MissingData]:
    """The optional language data that is not installed, if any."""
    missing = []
    for data, module, effect in OPTIONAL_DATA:
        packages = module.missing_packages()
        if packages:
            missing.append(MissingData(data, tuple(packages), effect, "apt-get install -y " + " ".join(packages)))
    return missing
