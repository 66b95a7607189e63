"""Repair line-end hyphenation in Norwegian text.

A typesetter breaks ``videregående`` as ``vide-`` / ``regående``; the hyphen must go.
Real hyphens must stay: ``NAV-tiltak``, ``covid-19``, ``e-post``, and the suspended
hyphen of ``Integrerings- og mangfoldsdirektoratet``. A word list decides.
"""
from __future__ import annotations

import re
from collections.abc import Callable

# Words after which a trailing hyphen is a suspended compound ("arbeids- og velferd…").
CONJUNCTIONS = {"og", "eller", "enn", "samt", "til", "som", "and", "or"}
WORD_CHARS = re.compile(r"[^\W\d_]+", re.UNICODE)
TRAILING_WORD = re.compile(r"([\w-]+)-$", re.UNICODE)
LEADING_WORD = re.compile(r"^([\w-]+)", re.UNICODE)


def default_is_word(word: str) -> bool:
    from indexer.language.lexicon import get_lexicon

    return get_lexicon().is_word(word)


def join_lines(left: str, right: str, is_word: Callable[[str], bool] | None = None) -> str:
    """Join two consecutive lines of one paragraph, repairing a line-end hyphen."""
    left, right = left.rstrip(), right.lstrip()
    if not left:
        return right
    if not right:
        return left
    if not left.endswith("-") or len(left) < 2 or not left[-2].isalpha():
        return f"{left} {right}"
    is_word = is_word or default_is_word
    head_match = TRAILING_WORD.search(left)
    tail_match = LEADING_WORD.match(right)
    if not head_match or not tail_match:
        return f"{left} {right}"
    head, tail = head_match.group(1), tail_match.group(1)
    if tail.lower() in CONJUNCTIONS or right[0] in ",/":
        return f"{left} {right}"  # suspended hyphen: "Integrerings- og mangfolds…"
    if tail[0].isdigit() or tail[0].isupper() or head.isupper() or len(head.split("-")[-1]) <= 1:
        return f"{left}{right}"  # covid-19, NAV-tiltak, e-post, ikke-vestlige: keep the hyphen
    last_head = head.split("-")[-1]
    joined = (last_head + tail).lower()
    if is_word(joined):
        return f"{left[:-1]}{right}"
    if is_word(f"{last_head}-{tail}".lower()):
        return f"{left}{right}"
    # Neither form is known: Norwegian writes compounds closed, and a typesetter's break
    # is far more common than a line that happens to end on a real hyphen.
    return f"{left[:-1]}{right}"
