"""A page of hits is the head of the full order: selecting the best few of many hits
(partition, then sort the candidates) gives exactly what sorting every hit gives,
ties included, for every sort order."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.search.engine import _ordered, _SortKeys
from indexer.search.options import SORT_NEWEST, SORT_VALUES


def _keys(size: int, rng: np.random.Generator) -> _SortKeys:
    return _SortKeys(
        newest=rng.integers(0, 4, size),  # few dates: many hits share one
        document=rng.permutation(size),  # the place in print is unique
        report=rng.integers(-1, 20, size),
    )


@pytest.mark.parametrize("sort", sorted(set(SORT_VALUES.values())))
@pytest.mark.parametrize("ranked", [True, False])
@pytest.mark.parametrize("seed", range(5))
def test_the_first_hits_are_those_a_full_sort_puts_first(sort: str, ranked: bool, seed: int):
    rng = np.random.default_rng(seed)
    size = 500
    keys = _keys(size, rng)
    docnums = np.sort(rng.choice(size, 300, replace=False))
    scores = rng.choice([0.5, 1.0, 1.25, 2.0], len(docnums))  # heavy ties on the score
    full = _ordered(keys, docnums, scores, sort, ranked)
    for first in (1, 10, 20, 57, 299, 300, 1000):
        assert _ordered(keys, docnums, scores, sort, ranked, first=first).tolist() == full[:first].tolist()


def test_newest_first_puts_the_newest_date_first_then_the_best_score():
    keys = _SortKeys(newest=np.array([1, 0, 0, 1]), document=np.array([0, 1, 2, 3]), report=np.zeros(4, dtype=int))
    docnums, scores = np.arange(4), np.array([9.0, 1.0, 2.0, 3.0])
    assert _ordered(keys, docnums, scores, SORT_NEWEST, True, first=3).tolist() == [2, 1, 0]
