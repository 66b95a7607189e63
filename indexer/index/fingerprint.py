"""The index fingerprint: everything that shapes the indexed terms and records.

Every file's manifest entry (:func:`indexer.index.schema.manifest_entry`) keeps
the fingerprint it was indexed with, committed atomically with its documents.
When today's fingerprint differs, the next ``rapportsok index`` rebuilds the
whole index and :func:`indexer.index.status.index_status` reports the index as
stale. The fingerprint is a set of named components, stored with it, so either
can say what changed.

Components:

``schema``
    The field layout (:func:`indexer.index.schema.schema_fingerprint`).
``analysis``, ``pipeline``
    ``ANALYSIS_VERSION`` and ``PIPELINE_VERSION``: code changes are declared by
    bumping these.
``lexicon``
    The spacy-lookups-data release and the tables the lexicon reads from it,
    and the lexicon's table format: the same key its on-disk cache uses, so the
    fingerprint changes exactly when the word list the analysis sees can change.
``nynorsk``
    The Debian packages the Nynorsk word forms and their Bokmål lemmas come from
    (:func:`indexer.language.nynorsk.data_fingerprint`): installing them changes
    the lemmas of every Nynorsk word, so the index is rebuilt.
``compound_exceptions.txt``, ``institutes.json``, ``synonyms.txt``, ``stopwords``
    A hash of each language data file and of the stop lists.

Computing it loads neither spaCy nor the lexicon: data files are hashed once
per process, the code is represented by its version numbers.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from importlib.resources.abc import Traversable
from typing import Any

from indexer import config

# The language data files that shape indexed terms or records, by name in
# indexer/language/data/ (a test checks that none is left out).
LANGUAGE_DATA_FILES = ("compound_exceptions.txt", "institutes.json", "synonyms.txt")
# Language data read at query time only: changing it changes no indexed term.
QUERY_ONLY_DATA_FILES = ("en_nb_glossary.tsv",)

# How a component is named to the user (Bokmål), in the order messages list them.
COMPONENT_LABELS: dict[str, str] = {
    "analysis": "analysekoden",
    "lexicon": "ordlista",
    "nynorsk": "nynorskordlista",
    "compound_exceptions.txt": "compound_exceptions.txt",
    "synonyms.txt": "synonyms.txt",
    "institutes.json": "institutes.json",
    "stopwords": "stoppord",
    "pipeline": "uttrekket",
    "schema": "feltoppsettet",
}
# Components that belong to the language analysis; others are the index's own.
_ANALYSIS_COMPONENTS = frozenset(
    {"analysis", "lexicon", "nynorsk", "compound_exceptions.txt", "synonyms.txt", "institutes.json", "stopwords"}
)

# Keys in a file's manifest entry.
MANIFEST_DIGEST = "fingerprint"
MANIFEST_COMPONENTS = "fingerprint_components"

_file_hashes: dict[str, str] = {}


def _label_order(name: str) -> tuple[int, str]:
    order = list(COMPONENT_LABELS)
    return (order.index(name) if name in order else len(order), name)


def _hash_files(files: Iterable[Traversable]) -> str:
    """A short hash of the files' contents, remembered for the rest of the process."""
    files = list(files)
    key = "\0".join(str(file) for file in files)
    cached = _file_hashes.get(key)
    if cached is None:
        digest = hashlib.sha256()
        for file in files:
            content = file.read_bytes()
            digest.update(f"{file.name}\0{len(content)}\0".encode())
            digest.update(content)
        cached = _file_hashes[key] = digest.hexdigest()[:16]
    return cached


def forget_file_hashes() -> None:
    """Hash the data files again on the next call (after editing one in place)."""
    _file_hashes.clear()


def _lexicon_source() -> str:
    from indexer.language import lexicon

    release = metadata.version(lexicon.LOOKUPS_DISTRIBUTION)
    tables = " ".join((lexicon.LEMMA_EXC_TABLE, lexicon.LEMMA_LOOKUP_TABLE))
    return f"{lexicon.LOOKUPS_DISTRIBUTION}=={release} {tables} t{lexicon.TABLE_FORMAT}"


@dataclass(frozen=True)
class IndexFingerprint:
    """Named components (name → short text); ``digest`` sums them up."""

    components: Mapping[str, str]

    @property
    def digest(self) -> str:
        payload = json.dumps(sorted(self.components.items()))
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]

    def manifest_fields(self) -> dict[str, Any]:
        """What a file's manifest entry stores about the fingerprint."""
        return {MANIFEST_DIGEST: self.digest, MANIFEST_COMPONENTS: dict(self.components)}

    def changed_since(self, stored: Mapping[str, Any]) -> list[str]:
        """Names of the components that differ from ``stored`` (added or dropped ones too)."""
        names = set(self.components) | set(stored)
        return sorted((name for name in names if self.components.get(name) != stored.get(name)), key=_label_order)


def current_fingerprint() -> IndexFingerprint:
    """Today's fingerprint, from the code's versions and the installed data files."""
    from indexer.extract.pipeline import PIPELINE_VERSION
    from indexer.index.schema import schema_fingerprint
    from indexer.language import nynorsk
    from indexer.language.analysis import ANALYSIS_VERSION, STOPWORD_FILES

    components = {
        "schema": schema_fingerprint(),
        "analysis": str(ANALYSIS_VERSION),
        "pipeline": str(PIPELINE_VERSION),
        "lexicon": _lexicon_source(),
        "nynorsk": nynorsk.data_fingerprint(),
        **{name: _hash_files([config.language_data(name)]) for name in LANGUAGE_DATA_FILES},
        "stopwords": _hash_files(config.stopword_list(name) for name in STOPWORD_FILES),
    }
    return IndexFingerprint(components)


@dataclass(frozen=True)
class Staleness:
    """Why an index no longer matches today's fingerprint."""

    changed: tuple[str, ...]  # component names, in COMPONENT_LABELS order
    # Some file was indexed before components were recorded: what changed is unknown.
    unrecorded: bool = False

    def describe(self) -> str:
        """One Bokmål clause, e.g. «Analysen er endret siden indeksen ble bygget (synonyms.txt, stoppord)»."""
        if self.unrecorded and not self.changed:
            return "Indeksen ble bygget av en eldre versjon av Rapportsøk"
        labels = ", ".join(COMPONENT_LABELS.get(name, name) for name in self.changed)
        what = "Analysen" if set(self.changed) <= _ANALYSIS_COMPONENTS else "Indekseringen"
        return f"{what} er endret siden indeksen ble bygget ({labels})"

    def rebuild_message(self) -> str:
        """For the progress log of the run that rebuilds."""
        return f"{self.describe()}; bygger hele indeksen på nytt."

    def status_message(self) -> str:
        """For the index status (``stale_reason``)."""
        return f"{self.describe()}. Kjør «rapportsok index» for å bygge indeksen på nytt."


def staleness(manifests: Iterable[Mapping[str, Any]], current: IndexFingerprint) -> Staleness | None:
    """How the files' manifest entries differ from ``current``; ``None`` when none does.

    ``manifests`` are the ``manifest`` dicts of the index's source documents.
    """
    digest = current.digest
    changed: set[str] = set()
    unrecorded = False
    for info in manifests:
        if info.get(MANIFEST_DIGEST) == digest:
            continue
        stored = info.get(MANIFEST_COMPONENTS)
        differing = current.changed_since(stored) if isinstance(stored, Mapping) else []
        if differing:
            changed.update(differing)
        else:
            unrecorded = True
    if not changed and not unrecorded:
        return None
    return Staleness(tuple(sorted(changed, key=_label_order)), unrecorded)
