"""Repair a font's wrong character map for ligature glyphs.

Some PDFs map a ligature glyph of one font to a wrong character in their text layer
(a ToUnicode table that sends the ``ti`` glyph to ``D`` and ``tt`` to ``>``), so
"aktiviteter" reads "akDviteter" and "beskyttelse" "besky>else". Nothing in the file
says so; the words do. Per font, a character that stands inside many words which are
not words, but become words when the character is read as a ligature ("ti", "tt",
"fi" …), is that ligature in that font. Words that read well as they stand are never
changed, so an "iPhone" or an "IaaS" stays.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable

from indexer.extract.pdftext import Line

# What a ligature glyph may stand for.
LIGATURES = ("ti", "tt", "ft", "fi", "fl", "ff", "ffi", "ffl", "fj", "tf", "st", "ct", "th", "fb", "fh", "fk")
# A word with a character inside it that is not a lower-case letter: "akDviteter", "besky>else".
SUSPECT = re.compile(r"(?<![\w-])[a-zæøå]*[a-zæøå][^\sa-zæøå\-–'’.,;:!?()«»\"”/][a-zæøå]+\b")
# Distinct words that must show a mapping before it is trusted.
MIN_EVIDENCE = 3


def _replacements(word: str, glyph: str, is_word: Callable[[str], bool]) -> str | None:
    """The ligature that makes ``word`` a word when it stands for every ``glyph`` in it."""
    for letters in LIGATURES:
        candidate = word.replace(glyph, letters)
        if is_word(candidate.lower()):
            return letters
    return None


def find_glyph_maps(pages: list[list[Line]], is_word: Callable[[str], bool]) -> dict[tuple[str, str], str]:
    """(font, character) → the ligature the character stands for in that font."""
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for page in pages:
        for line in page:
            for match in SUSPECT.finditer(line.text):
                word = match.group(0)
                glyphs = {ch for ch in word if not ("a" <= ch <= "z" or ch in "æøå")}
                if len(glyphs) != 1 or is_word(word.lower()):
                    continue
                glyph = glyphs.pop()
                key = (line.font, glyph)
                if word in seen[key]:
                    continue
                seen[key].add(word)
                letters = _replacements(word, glyph, is_word)
                votes[key][letters or ""] += 1
    maps = {}
    for key, counts in votes.items():
        letters, n = counts.most_common(1)[0]
        if letters and n >= MIN_EVIDENCE and n >= 0.6 * sum(counts.values()):
            maps[key] = letters
    return maps


def repair_glyphs(pages: list[list[Line]], is_word: Callable[[str], bool]) -> int:
    """Read mis-mapped ligature glyphs as their letters, in place; the number of words repaired."""
    maps = find_glyph_maps(pages, is_word)
    if not maps:
        return 0
    by_font: dict[str, dict[str, str]] = defaultdict(dict)
    for (font, glyph), letters in maps.items():
        by_font[font][glyph] = letters
    repaired = 0
    for page in pages:
        for line in page:
            glyphs = by_font.get(line.font)
            if not glyphs or not any(glyph in line.text for glyph in glyphs):
                continue
            words = line.text.split(" ")
            for index, word in enumerate(words):
                core = word.strip(".,;:!?()«»\"”'’")
                for glyph, letters in glyphs.items():
                    if glyph in core and core != glyph and not is_word(core.lower()):
                        fixed = core.replace(glyph, letters)
                        if is_word(fixed.lower()):
                            words[index] = word.replace(core, fixed)
                            repaired += 1
                            break
            line.text = " ".join(words)
    return repaired
