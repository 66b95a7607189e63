"""Which language a text is written in: Bokmål, Nynorsk or English.

Function words tell the three apart: they are the most frequent words of any
text, whatever its subject, and a good number of them differ between the two
written standards (ikke/ikkje, hva/kva, jeg/eg, fra/frå) and from English. Each
language's list holds only words that are not function words of the others, so
every hit is evidence for one language alone; words the two standards share (og,
er, som, på) are not counted at all.
"""
from __future__ import annotations

import re
from collections import Counter

# Function words distinctive for each language. Bokmål and Nynorsk are listed
# side by side (mostly pairs of the same word); words both standards write alike
# (og, for, slike) and English words that are also Norwegian words (at, by, for,
# to, is, be, as, her, man, no) are left out.
_DISTINCTIVE: dict[str, frozenset[str]] = {
    "nb": frozenset(
        """
        ikke hva jeg de dem deres fra bare mye hvordan være vært hvor hvem hvis hun noen noe
        en et ett nå selv uten disse sammen samme mer flere hele egen eget hvorfor hvilke
        hvilken hennes siden mens kun dere enkelte
        """.split()
    ),
    "nn": frozenset(
        """
        ikkje kva eg dei deira deim frå berre mykje korleis vere vore kvar kven ho nokon noko
        ein eit eitt sjølv utan desse vart saman meir fleire heile eigen eige kvifor
        hennar sidan medan dykk dykkar hjå òg difor elles nokre einskilde
        """.split()
    ),
    "en": frozenset(
        """
        the and of in that this with from which are was were has have had been will would should
        could not or it its an their they these those there what who when where how also than
        into between such other more most only our we you he she his them within about
        """.split()
    ),
}

# The lists share no word, so each word says one language at most.
_LANGUAGE_OF = {word: language for language, words in _DISTINCTIVE.items() for word in words}

# Too few words to go by.
MIN_WORDS = 12
# The winner needs this many hits, and this many times the runner-up's.
MIN_HITS = 3
MIN_LEAD = 1.5

_WORD = re.compile(r"[^\W\d_]+")


def language_hits(text: str) -> Counter[str]:
    """How many of the text's words are distinctive for each language."""
    language_of = _LANGUAGE_OF
    return Counter(language for word in _WORD.findall(text.lower()) if (language := language_of.get(word)))


def detect_language(text: str) -> str | None:
    """``"nb"``, ``"nn"`` or ``"en"``; ``None`` for too little text or no clear winner."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return None
    ranked = language_hits(text).most_common()
    if not ranked or ranked[0][1] < MIN_HITS:
        return None
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if ranked[0][1] < MIN_LEAD * runner_up:
        return None
    return ranked[0][0]
