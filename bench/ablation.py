"""``python -m bench.ablation``: what each part of the analysis adds, on the dev and the test set.

Each row turns one feature off and evaluates both judgment sets over the bundled
corpus (nDCG@10, overall and per category). Features are turned off from outside,
by patching the functions that provide them, so the search code carries no switches:

* lemmas: no lemma field in the query (exact, parts and folded spellings only);
* compounds: no compound parts (together or one at a time), no compounds that start with the word;
* derivations: no word family by derivation (diskriminering → diskriminere);
* folding: no folded spellings (æ/ø/å, doubled letters) for words no word list has;
* synonyms: no synonym groups;
* nynorsk: no Nynorsk lemmas, at index time (a second index is built) and at query time;
* english: no translations of English words;
* misspellings: no near spellings of rare words.

The printed Markdown table is what docs/relevance.md shows.
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from bench.paths import CORPUS_DIR
from indexer.evaluation.relevance import DEFAULT_K, JUDGMENT_SETS, evaluate, index_texts, load_judgment_set
from indexer.index.build import update_index
from indexer.language import analysis, synonyms
from indexer.search import engine, querybuild

CATEGORIES = ("bokmål", "nynorsk", "english", "compound", "misspelling")


@contextlib.contextmanager
def _dict_without(mapping: dict, keys: tuple[str, ...]) -> Iterator[None]:
    saved = dict(mapping)
    for key in keys:
        mapping.pop(key, None)
    try:
        yield
    finally:
        mapping.clear()
        mapping.update(saved)


def _none(*args: Any, **kwargs: Any) -> None:
    return None


@contextlib.contextmanager
def _without_compounds() -> Iterator[None]:
    with _dict_without(querybuild.FIELD_WEIGHTS, ("parts",)), \
            mock.patch.object(querybuild.QueryBuilder, "_compound_parts", _none), \
            mock.patch.object(querybuild.QueryBuilder, "_longer_words", _none), \
            mock.patch.object(querybuild.QueryBuilder, "_single_parts", _none):
        yield


@contextlib.contextmanager
def _without_nynorsk() -> Iterator[None]:
    with mock.patch.object(analysis, "_nynorsk_lemmas", lambda form: []), \
            mock.patch.object(analysis, "get_nynorsk", lambda: None):
        analysis.analyse_word.cache_clear()
        try:
            yield
        finally:
            analysis.analyse_word.cache_clear()


FEATURES: dict[str, Callable[[], contextlib.AbstractContextManager[Any]]] = {
    "lemmas": lambda: _dict_without(querybuild.FIELD_WEIGHTS, ("lemma",)),
    "compounds": _without_compounds,
    "derivations": lambda: mock.patch.object(querybuild.QueryBuilder, "_derived", _none),
    "folding": lambda: _dict_without(querybuild.FIELD_WEIGHTS, ("folded",)),
    "synonyms": lambda: mock.patch.object(synonyms.Thesaurus, "matches", lambda self, keys: []),
    "nynorsk": _without_nynorsk,
    "english": lambda: mock.patch.object(querybuild.QueryBuilder, "_english_terms", lambda self, texts: []),
    "misspellings": lambda: mock.patch.object(querybuild.QueryBuilder, "_near_spellings", _none),
}
# Features that shape the index too: evaluated over an index built with them off.
INDEX_FEATURES = {"nynorsk"}


def _evaluate(index_dir: Path) -> dict[str, dict[str, float]]:
    engine._derived.clear()
    all_texts = index_texts(index_dir)
    scores: dict[str, dict[str, float]] = {}
    for name, path in JUDGMENT_SETS.items():
        report = evaluate(lambda query: engine.search(index_dir, query, size=DEFAULT_K).to_dict(),
                          load_judgment_set(path).queries, k=DEFAULT_K, all_texts=all_texts)
        data = report.to_dict()
        scores[name] = {"all": data["mean"]["ndcg"],
                        **{category: numbers["ndcg"] for category, numbers in data["categories"].items()}}
    return scores


def _build(index_dir: Path) -> None:
    shutil.rmtree(index_dir, ignore_errors=True)
    update_index(CORPUS_DIR, index_dir, workers=1, writer_processes=1)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="rapportsok-ablation-") as work:
        full = Path(work) / "full"
        _build(full)
        rows = [("alt på", _evaluate(full))]
        for feature, switch_off in FEATURES.items():
            with switch_off():
                index_dir = full
                if feature in INDEX_FEATURES:
                    index_dir = Path(work) / f"without-{feature}"
                    _build(index_dir)
                rows.append((f"uten {feature}", _evaluate(index_dir)))
            engine.close_searchers()
    columns = [(name, category) for name in JUDGMENT_SETS for category in ("all", *CATEGORIES)
               if any(category in scores[name] for _, scores in rows)]
    header = ["Oppsett", *(name if category == "all" else f"{name}: {category}" for name, category in columns)]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for label, scores in rows:
        cells = [label, *(f"{scores[name][category]:.3f}" if category in scores[name] else "–"
                          for name, category in columns)]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
