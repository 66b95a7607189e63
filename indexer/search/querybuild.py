"""From a :class:`~indexer.search.querylang.ParsedQuery` to Whoosh query objects.

Every clause the user typed becomes one :class:`~indexer.search.coordination.Unit`.
For a word, the unit's *core* searches the text of findings and passages:

* the word through every analyzer of the index (lemma, exact, parts, folded)
  with the analyzer's boost (:data:`indexer.language.analysis.ANALYZED_FIELDS`);
  folded spellings only for a word no word list has as written (``maloppnaelse``);
* a compound split into its parts (``bosettingskommuner`` → ``bosetting`` and
  ``kommune`` in the same text), well below the word itself;
* when the word is in few documents, one part of its compound at a time
  (``smittespredning`` → «koronasmitte»), far below and covering the word only
  in part (:mod:`indexer.search.coordination`);
* its word family by regular derivation (``diskriminering`` → ``diskriminere``,
  so «diskriminert» is found), below the word;
* longer words the word begins (``empowerment`` → ``empowermentkurs``) that
  the lexicon cannot split;
* its synonyms and spelling variants (:mod:`indexer.language.synonyms`), below the word.

The unit's *context* searches what a document inherits from where it stands:
the report's title, with a fraction of the text's weight; the contractors,
when the word is an institute name (:mod:`indexer.search.contractor_names`); the section
heading (:mod:`indexer.search.heading_names`). Looser title matches (synonyms, compound
parts, longer words) are *weak context*: they cover the unit but earn no
bonus for a title that says what was asked (:mod:`indexer.search.coordination`).

A word the index does not know is replaced by the closest word it does know
(:mod:`indexer.search.typo`); the corrected query is returned as the suggestion.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq

from indexer.language.analysis import (
    ANALYZED_FIELDS,
    PHRASE_SUFFIX,
    analyse_word,
    analyze,
    is_norwegian,
    nynorsk_alternatives,
)
from indexer.language.english import get_english, is_function_word
from indexer.language.lexicon import get_lexicon
from indexer.language.synonyms import Thesaurus, Variant, get_thesaurus, text_keys
from indexer.search.contractor_names import ContractorNames
from indexer.search.coordination import CoordinatedQuery, Unit
from indexer.search.heading_names import Headings
from indexer.search.querylang import MAX_QUERY_CHARS, MAX_TERMS, Item, ParsedQuery, Phrase, Word
from indexer.search.results import Translation
from indexer.search.typo import Vocabulary, correction

# Query-time weight of each analyzer's field (the analysis module's defaults).
FIELD_WEIGHTS = dict(ANALYZED_FIELDS)
# The title is shared by every finding and passage of a report: it helps a
# document that also says the word, it must not lift all of them.
TITLE_WEIGHT = 0.3
# Share of a unit that counts as covered when only the title or contractor matches.
CONTEXT_COVERAGE = 0.6
# How strongly a document matching more of the query's units is preferred.
COORDINATION_POWER = 1.5
# How much a report whose title (or institute, or heading) covers the whole
# query lifts its findings and passages.
CONTEXT_BONUS = 4.0
SYNONYM_WEIGHT = 0.4
# An English query word's Norwegian translations: below a word the document itself
# uses (an English word in the text still matches as written, at full weight).
TRANSLATION_WEIGHT = 0.5
# A document that misspells the word (Jobbspesialisene for Jobbspesialistene) is found
# when the word is rare in the index, below the documents that spell it right.
NEAR_SPELLING_WEIGHT = 0.5
MAX_DOCS_FOR_NEAR_SPELLINGS = 30
# Norwegian words searched for one English word or term, at most.
MAX_TRANSLATIONS = 4
# A word Bokmål and Nynorsk both have, read as Nynorsk (bustad → bolig): just below the word.
NYNORSK_WEIGHT = 0.7
# How Norwegian joins a compound's modifier to its head: directly, with -s- or -e-.
COMPOUND_LINKS = ("", "s", "e")
MIN_LETTERS_NEAR_SPELLINGS = 8
MAX_CACHED_NEAR_SPELLINGS = 10_000
COMPOUND_PARTS_WEIGHT = 0.6
# A compound's parts one at a time (smittespredning → «koronasmitte»): far below the
# whole word, and covering only part of what was asked.
PART_WEIGHT = 0.2
PARTIAL_COVERAGE = 0.5
MAX_DOCS_FOR_PARTS = 30
# The word's family by regular derivation (diskriminering → diskriminere): below the word.
DERIVATION_WEIGHT = 0.6
PREFIX_WEIGHT = 0.3
# Score of a document whose report was written by the institute the query names.
CONTRACTOR_SCORE = 2.0
# Score of a document under a one-word heading that is the query word.
HEADING_SCORE = 2.0
MIN_PREFIX_EXPANSION = 6
MAX_PREFIX_TERMS = 20
MAX_WILDCARD_TERMS = 200


@dataclass
class BuiltQuery:
    """The Whoosh side of one query."""

    positive: wq.Query | None
    excluded: wq.Query | None
    suggestion: str | None = None
    # What the query-cost guard cut, in words for the reader (see :data:`MAX_WILDCARD_TERMS`).
    limits: list[str] = field(default_factory=list)
    # English words of the query and the Norwegian words searched for them.
    translations: list[Translation] = field(default_factory=list)

    def highlight_marks(self) -> tuple[set[tuple[str, str]], list[tuple[str, tuple[str, ...]]]]:
        """What to mark in a hit: (field, term) pairs of the single terms the
        positive query searches, and (field, words) of its phrases."""
        terms: set[tuple[str, str]] = set()
        phrases: list[tuple[str, tuple[str, ...]]] = []
        if self.positive is None:
            return terms, phrases
        for leaf in self.positive.leaves():
            fieldname = leaf.field() or ""
            if not fieldname.startswith("text_"):
                continue
            if isinstance(leaf, wq.Phrase):
                phrases.append((fieldname, tuple(leaf.words)))
            elif isinstance(leaf, wq.Term):
                terms.add((fieldname, leaf.text))
        return terms, phrases


def _or(queries: list[wq.Query], boost: float = 1.0) -> wq.Query | None:
    queries = [q for q in queries if q is not None and q is not wq.NullQuery]
    if not queries:
        return None
    if len(queries) == 1:
        # Whoosh ignores the boost of a one-child Or: move it onto the child.
        only = queries[0]
        return only if boost == 1.0 else only.with_boost(only.boost * boost)
    return wq.Or(queries, boost=boost)


def is_stop_word(text: str) -> bool:
    """A word the lemma analyzer drops (``og``, ``hva``); the exact field keeps it."""
    return not analyze(text, "lemma", "query") and bool(analyze(text, "exact", "query"))


@dataclass
class _Extras:
    """Synonym and contractor alternatives attached to one query word."""

    core: list[wq.Query] = field(default_factory=list)
    context: list[wq.Query] = field(default_factory=list)
    weak_context: list[wq.Query] = field(default_factory=list)
    protected: bool = False  # known as a synonym or a name: never «corrected»


class QueryBuilder:
    """Builds the queries for one searcher (its schema and vocabulary)."""

    def __init__(
        self,
        searcher,
        contractor_names: ContractorNames,
        headings: Headings | None = None,
        thesaurus: Thesaurus | None = None,
        vocabulary: Vocabulary | None = None,
        near_cache: dict[tuple[str, str], tuple[str, ...]] | None = None,
    ):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.schema = searcher.schema
        self.limits: list[str] = []
        self.translations: list[Translation] = []
        self.contractors = contractor_names
        self.headings = headings if headings is not None else Headings(())
        self.thesaurus = thesaurus if thesaurus is not None else get_thesaurus()
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary()
        # A commit's misspellings of a lemma do not change: found once, kept for the
        # commit's later searches (paging, repeats) when the caller passes one dict for them.
        self._near_cache = near_cache if near_cache is not None else {}

    # --- terms of one word --------------------------------------------------------

    def _field_terms(self, prefix: str, text: str, weight: float = 1.0) -> list[wq.Query]:
        terms = []
        # Folded spellings are for a word typed without æ/ø/å or with a doubled letter
        # missing (maloppnaelse, komuner); a word the word lists have as written is not
        # also searched as the words it folds into (mål → mal, før → for).
        folded = not is_norwegian(text)
        for suffix, boost in FIELD_WEIGHTS.items():
            if suffix == "folded" and not folded:
                continue
            fieldname = f"{prefix}_{suffix}"
            if fieldname in self.schema:
                for token in dict.fromkeys(analyze(text, suffix, "query")):
                    terms.append(wq.Term(fieldname, token, boost=boost * weight))
        return terms

    def _lemmas(self, text: str) -> list[str]:
        return list(dict.fromkeys(analyze(text, "lemma", "query")))

    def _part_queries(self, prefix: str, text: str) -> list[list[wq.Query]]:
        """For each compound among the word's lemmas, one query per part: the part as a
        word or inside another compound."""
        lemma_field, parts_field = f"{prefix}_lemma", f"{prefix}_parts"
        return [
            [wq.Or([wq.Term(lemma_field, part), wq.Term(parts_field, part)]) for part in parts]
            for parts in (get_lexicon().split_compound(lemma) for lemma in self._lemmas(text))
            if len(parts) >= 2
        ]

    def _compound_parts(self, prefix: str, text: str, weight: float = 1.0) -> wq.Query | None:
        """Documents with every part of the word's compound (bosetting + kommune)."""
        return _or([wq.And(parts) for parts in self._part_queries(prefix, text)], boost=COMPOUND_PARTS_WEIGHT * weight)

    def _single_parts(self, prefix: str, text: str, weight: float = 1.0) -> wq.Query | None:
        """Documents with one part of the word's compound (smitte of smittespredning), when
        the word itself is in few documents (:data:`MAX_DOCS_FOR_PARTS`): a fallback for
        recall; a word many documents have fills the pages before these would show."""
        parts = dict.fromkeys(part for compound in self._part_queries(prefix, text) for part in compound)
        lemma_field = f"{prefix}_lemma"
        if not parts or any(self.vocabulary.doc_frequency(self.reader, lemma_field, lemma) > MAX_DOCS_FOR_PARTS
                            for lemma in self._lemmas(text)):
            return None
        return _or(list(parts), boost=PART_WEIGHT * weight)

    def _derived(self, prefix: str, text: str, weight: float = 1.0) -> wq.Query | None:
        """Documents with a word of the same family (:meth:`Lexicon.derived_lemmas`):
        «diskriminering» finds «diskriminert», «bosetting» finds «bosatt»."""
        fieldname = f"{prefix}_lemma"
        lexicon = get_lexicon()
        terms = [wq.Term(fieldname, derived) for lemma in self._lemmas(text) for derived in lexicon.derived_lemmas(lemma)]
        return _or(terms, boost=DERIVATION_WEIGHT * weight)

    def _near_spellings(self, prefix: str, text: str, weight: float = 1.0) -> wq.Query | None:
        """Documents that misspell the word: when its lemma is in few documents
        (:data:`MAX_DOCS_FOR_NEAR_SPELLINGS`), the spellings in the index one edit
        from one of its inflected forms (sharing their first two letters) that are no
        Norwegian word, as typo tolerance does for a query."""
        lemma_field, exact_field = f"{prefix}_lemma", f"{prefix}_exact"
        if exact_field not in self.schema or lemma_field not in self.schema:
            return None
        found: dict[str, None] = {}
        for lemma in self._lemmas(text):
            if not lemma.isalpha() or len(lemma) < MIN_LETTERS_NEAR_SPELLINGS:
                continue
            key = (exact_field, lemma)
            if key not in self._near_cache:
                if len(self._near_cache) >= MAX_CACHED_NEAR_SPELLINGS:
                    self._near_cache.clear()
                self._near_cache[key] = self._misspellings(lemma_field, exact_field, lemma)
            found.update(dict.fromkeys(self._near_cache[key]))
        return _or([wq.Term(exact_field, term) for term in found], boost=NEAR_SPELLING_WEIGHT * weight)

    def _misspellings(self, lemma_field: str, exact_field: str, lemma: str) -> tuple[str, ...]:
        if self.vocabulary.doc_frequency(self.reader, lemma_field, lemma) > MAX_DOCS_FOR_NEAR_SPELLINGS:
            return ()
        lexicon = get_lexicon()
        forms = lexicon.regular_forms(lemma)
        found: dict[str, None] = {}
        for form in forms:
            # One edit: a word misspelled in print is mostly one letter off.
            for term in self.vocabulary.within(self.reader, exact_field, form, 1, prefix=2):
                if term not in forms and not lexicon.is_word(term):
                    found[term] = None
        return tuple(found)

    def _expand(self, fieldname: str, prefix: str, limit: int) -> list[str]:
        if fieldname not in self.schema:
            return []
        return self.vocabulary.with_prefix(self.reader, fieldname, prefix, limit)

    def _wildcard_terms(self, fieldname: str, stem: str) -> list[str]:
        """The words a ``stem*`` stands for, at most :data:`MAX_WILDCARD_TERMS`; when there
        are more, the search says so (a cut, not seconds of work)."""
        terms = self._expand(fieldname, stem, MAX_WILDCARD_TERMS + 1)
        if len(terms) > MAX_WILDCARD_TERMS:
            notice = (f"«{stem}*» passer til mer enn {MAX_WILDCARD_TERMS} ord; søket tar med de "
                      f"{MAX_WILDCARD_TERMS} første i alfabetet. Skriv flere bokstaver for å få med resten.")
            if notice not in self.limits:
                self.limits.append(notice)
        return terms[:MAX_WILDCARD_TERMS]

    def _longer_words(self, prefix: str, text: str, weight: float = 1.0) -> wq.Query | None:
        """Compounds that begin with the word but that the lexicon cannot split."""
        fieldname = f"{prefix}_lemma"
        terms = []
        for lemma in self._lemmas(text):
            if len(lemma) < MIN_PREFIX_EXPANSION or not lemma.isalpha():
                continue
            for term in self._expand(fieldname, lemma, MAX_PREFIX_TERMS):
                if term != lemma and lemma not in analyse_word(term).index["parts"]:
                    terms.append(wq.Term(fieldname, term))
        return _or(terms, boost=PREFIX_WEIGHT * weight)

    def _variant_query(self, prefix: str, variant: Variant, weight: float) -> wq.Query | None:
        if variant.is_phrase:
            return self._phrase(prefix, variant.text, weight)
        return _or(self._field_terms(prefix, variant.text), boost=weight)

    def _contractor_query(self, names: tuple[str, ...], score: float) -> wq.Query:
        return wq.ConstantScoreQuery(_or([wq.Term("contractors", n) for n in names]), score=score)

    # --- items ----------------------------------------------------------------------

    def _phrase(self, prefix: str, text: str, weight: float = 1.0) -> wq.Query | None:
        fieldname = f"{prefix}_{PHRASE_SUFFIX}"
        words = analyze(text, PHRASE_SUFFIX, "query")
        if not words or fieldname not in self.schema:
            return None
        if len(words) == 1:
            return wq.Term(fieldname, words[0], boost=weight)
        return wq.Phrase(fieldname, words, boost=weight)

    def _wildcard(self, prefix: str, word: Word, weight: float = 1.0) -> wq.Query | None:
        stem = word.text.lower()
        terms = []
        for suffix in ("exact", "lemma"):
            fieldname = f"{prefix}_{suffix}"
            if fieldname in self.schema:
                boost = FIELD_WEIGHTS[suffix] * weight
                terms += [wq.Term(fieldname, t, boost=boost) for t in self._wildcard_terms(fieldname, stem)]
        return _or(terms)

    def _unit_of(self, item: Item, text: str, extras: _Extras) -> Unit | None:
        if isinstance(item, Phrase):
            core = self._phrase("text", item.text)
            context = self._phrase("title", item.text, TITLE_WEIGHT)
            weak_context = None
        elif item.wildcard:
            core = self._wildcard("text", item)
            context = self._wildcard("title", item, TITLE_WEIGHT)
            weak_context = None
        else:
            core = _or(
                [
                    *self._field_terms("text", text),
                    self._compound_parts("text", text),
                    self._derived("text", text),
                    self._longer_words("text", text),
                    self._near_spellings("text", text),
                    *extras.core,
                ]
            )
            context = _or(
                [
                    *self._field_terms("title", text, TITLE_WEIGHT),
                    self.headings.query(text, HEADING_SCORE),
                    *extras.context,
                ]
            )
            weak_context = _or(
                [
                    self._compound_parts("title", text, TITLE_WEIGHT),
                    self._derived("title", text, TITLE_WEIGHT),
                    self._longer_words("title", text, TITLE_WEIGHT),
                    *extras.weak_context,
                ]
            )
        partial = None if isinstance(item, Phrase) or item.wildcard else self._single_parts("text", text)
        if core is None and context is None and weak_context is None:
            return None
        return Unit(core if core is not None else wq.NullQuery, context, weak_context, partial)

    # --- the whole query -------------------------------------------------------------

    def _extras(self, words: list[Word], texts: list[str]) -> list[_Extras]:
        """Synonym and contractor alternatives for each word of a run of plain words.

        An alternative matching several words is shared among them, each
        getting an equal part of its weight."""
        extras = [_Extras() for _ in words]
        keys: list[str] = []
        owner: list[int] = []
        for number, text in enumerate(texts):
            for key in text_keys(text):
                keys.append(key)
                owner.append(number)

        def span(start: int, end: int) -> list[int] | None:
            # Runs must cover whole words.
            if (start > 0 and owner[start - 1] == owner[start]) or (end < len(keys) and owner[end] == owner[end - 1]):
                return None
            members = sorted(set(owner[start:end]))
            content = [n for n in members if not is_stop_word(texts[n])]
            return content or members

        for synonym in self.thesaurus.matches(keys):
            members = span(synonym.start, synonym.end)
            if not members:
                continue
            weight = SYNONYM_WEIGHT / len(members)
            core = [self._variant_query("text", v, weight) for v in synonym.alternatives]
            context = [self._variant_query("title", v, weight * TITLE_WEIGHT) for v in synonym.alternatives]
            for n in members:
                extras[n].core += [q for q in core if q is not None]
                extras[n].weak_context += [q for q in context if q is not None]
                extras[n].protected = True
        for contractor in self.contractors.matches(keys):
            members = span(contractor.start, contractor.end)
            if not members:
                continue
            query = self._contractor_query(contractor.names, CONTRACTOR_SCORE / len(members))
            for n in members:
                extras[n].context.append(query)
                extras[n].protected = True
        # A word Bokmål and Nynorsk share (bustad, skilnad, helse) is also read as
        # Nynorsk when the query is (it has a word only Nynorsk lists), or when read as
        # Bokmål it is in no document.
        nynorsk_query = any(is_norwegian(text) and not get_lexicon().is_listed(text) for text in texts)
        for n, text in enumerate(texts):
            if is_stop_word(text) or not (nynorsk_query or not self._in_documents(text)):
                continue
            alternatives = nynorsk_alternatives(text)
            extras[n].core += [q for q in (self._translation_query("text", a, NYNORSK_WEIGHT) for a in alternatives) if q]
            extras[n].weak_context += [
                q for q in (self._translation_query("title", a, NYNORSK_WEIGHT * TITLE_WEIGHT) for a in alternatives) if q
            ]
        for start, end, norwegian in self._english_terms(texts):
            weight = TRANSLATION_WEIGHT / (end - start)
            core = [self._translation_query("text", text, weight) for text in norwegian]
            context = [self._translation_query("title", text, weight * TITLE_WEIGHT) for text in norwegian]
            for n in range(start, end):
                extras[n].core += [q for q in core if q is not None]
                extras[n].weak_context += [q for q in context if q is not None]
                extras[n].protected = True
        return extras

    def _english_terms(self, texts: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """Runs of query words that are English with their Norwegian translations
        (Norwegian stop words left out); each is noted in :attr:`translations` for the
        response. A term of several words always counts; a single word when it is no
        Norwegian word (Bokmål or Nynorsk), when the query is English (some word is
        English only and none Norwegian only: ``interpreter`` is also a Bokmål verb form,
        but not in «interpreter guidelines»), or when read as Norwegian it is in no
        document. English words the reports themselves use are searched as written only
        (:meth:`_used_as_written`).
        Two English words whose translations join into one Norwegian word are searched
        as that word too (:meth:`_joined_translations`)."""
        english = get_english()
        found = [(start, end, norwegian) for start, end, norwegian in english.find_phrases(texts) if norwegian]
        covered = {n for start, end, _ in found for n in range(start, end)}
        content = [n for n, text in enumerate(texts) if not is_stop_word(text)]
        is_english = {n: bool(english.lemmas(texts[n])) and not is_function_word(texts[n]) for n in content}
        is_native = {n: is_norwegian(texts[n]) for n in content}
        english_query = any(is_english[n] and not is_native[n] for n in content) and not any(
            is_native[n] and not is_english[n] for n in content)
        as_written = self._used_as_written(texts, [n for n in content if is_english[n]])
        single: dict[int, tuple[str, ...]] = {}
        for n in content:
            if not is_english[n] or (is_native[n] and not english_query and self._in_documents(texts[n])):
                continue
            if n in as_written:
                continue
            norwegian = tuple(word for word in english.norwegian(texts[n]) if not is_stop_word(word))
            if norwegian:
                single[n] = norwegian
                if n not in covered:
                    found.append((n, n + 1, norwegian))
        for start, end, joined in self._joined_translations(texts, single):
            same_span = [n for n, (s, e, _) in enumerate(found) if (s, e) == (start, end)]
            if same_span:
                known = found[same_span[0]][2]
                found[same_span[0]] = (start, end, tuple(dict.fromkeys(known + joined)))
            else:
                found.append((start, end, joined))
        for start, end, norwegian in sorted(found):
            translation = Translation(" ".join(texts[start:end]), norwegian[:MAX_TRANSLATIONS])
            if translation not in self.translations:
                self.translations.append(translation)
        return [(start, end, norwegian[:MAX_TRANSLATIONS]) for start, end, norwegian in found]

    def _used_as_written(self, texts: list[str], english: list[int]) -> set[int]:
        """English words the reports use as they are («empowerment», «Supported
        Employment»): a run of English words side by side (stop words between them
        do not break it) each of which some report has as written. Such words are
        searched as written only; in «refugee employment» or «gender differences in
        employment» the run is not all in the reports, so every word is translated."""
        written: set[int] = set()
        runs: list[list[int]] = []
        for n in english:
            if runs and all(is_stop_word(texts[between]) or is_function_word(texts[between])
                            for between in range(runs[-1][-1] + 1, n)):
                runs[-1].append(n)
            else:
                runs.append([n])
        for run in runs:
            if all(self.vocabulary.has(self.reader, "text_exact", texts[n].lower()) for n in run):
                written.update(run)
        return written

    def _in_documents(self, text: str) -> bool:
        """Whether some document has the word read as Norwegian (any of its lemmas)."""
        return any(self.vocabulary.has(self.reader, "text_lemma", lemma) for lemma in self._lemmas(text))

    def _joined_translations(self, texts: list[str], single: dict[int, tuple[str, ...]]
                             ) -> list[tuple[int, int, tuple[str, ...]]]:
        """Norwegian writes as one word what English writes as two: ``child poverty``
        → barn + fattigdom → «barnefattigdom», ``quality of life`` → liv + kvalitet →
        «livskvalitet». For two translated words side by side (or joined by «of», the
        head first), each pair of their translations is joined directly and with the
        linking -s- and -e-; a joined word that some document has, or that the lexicon
        lists, is searched for both English words."""
        joined = []
        for n in sorted(single):
            if n + 1 in single:
                pairs, end = [(first, second) for first in single[n] for second in single[n + 1]], n + 2
            elif n + 2 in single and texts[n + 1].lower() == "of":
                pairs, end = [(first, second) for first in single[n + 2] for second in single[n]], n + 3
            else:
                continue
            words = [
                modifier + link + head
                for modifier, head in pairs
                if " " not in modifier + head
                for link in COMPOUND_LINKS
                if not modifier.endswith(link) or not link
            ]
            known = [word for word in dict.fromkeys(words) if self._known_word(word)]
            if known:
                joined.append((n, end, tuple(known)))
        return joined

    def _known_word(self, word: str) -> bool:
        return self.vocabulary.has(self.reader, "text_lemma", word) or get_lexicon().is_listed_lemma(word)

    def _translation_query(self, prefix: str, norwegian: str, weight: float) -> wq.Query | None:
        """A translation's terms; one of several words needs every word, in any
        inflection (``enslig mindreårig`` finds «enslige mindreårige»)."""
        words: list[wq.Query] = []
        for word in norwegian.split():
            query = None if is_stop_word(word) else _or([*self._field_terms(prefix, word), self._derived(prefix, word)])
            if query is not None:
                words.append(query)
        if len(words) > 1:
            return wq.And(words, boost=weight)
        return words[0].with_boost(words[0].boost * weight) if words else None

    def _correct(self, words: list[Word], extras: list[_Extras]) -> dict[int, str]:
        corrected = {}
        for number, word in enumerate(words):
            if word.wildcard or extras[number].protected or is_stop_word(word.text):
                continue
            better = correction(self.reader, word.text, self.vocabulary)
            if better:
                corrected[number] = better
        return corrected

    def build(self, parsed: ParsedQuery) -> BuiltQuery:
        self.limits = []
        self.translations = []
        if parsed.truncated:
            self.limits.append(f"Søket var for langt; bare de første {MAX_TERMS} ordene og {MAX_QUERY_CHARS} tegnene "
                               "ble brukt.")
        plain = [clause[0] for clause in parsed.clauses if len(clause) == 1 and isinstance(clause[0], Word)]
        plain = [w for w in plain if not w.wildcard]
        texts = [w.text for w in plain]
        extras = self._extras(plain, texts)
        corrected = self._correct(plain, extras)
        if corrected:
            texts = [corrected.get(n, t) for n, t in enumerate(texts)]
            protected = [e.protected for e in extras]
            extras = self._extras(plain, texts)
            for e, was in zip(extras, protected, strict=True):
                e.protected = e.protected or was
        by_word = {id(w): (texts[n], extras[n]) for n, w in enumerate(plain)}

        has_content = any(
            not (isinstance(item, Word) and is_stop_word(item.text)) for clause in parsed.clauses for item in clause
        )
        units = []
        for clause in parsed.clauses:
            if has_content and len(clause) == 1 and isinstance(clause[0], Word) and is_stop_word(clause[0].text):
                continue
            parts = []
            for item in clause:
                if id(item) in by_word:
                    text, item_extras = by_word[id(item)]
                elif isinstance(item, Word) and not item.wildcard:
                    text, item_extras = item.text, self._extras([item], [item.text])[0]  # a word of an OR
                else:
                    text, item_extras = item.text, _Extras()
                unit = self._unit_of(item, text, item_extras)
                if unit is not None:
                    parts.append(unit)
            if len(parts) == 1:
                units.append(parts[0])
            elif parts:
                units.append(
                    Unit(
                        _or([p.core for p in parts]) or wq.NullQuery,
                        _or([p.context for p in parts]),
                        _or([p.weak_context for p in parts]),
                        _or([p.partial for p in parts]),
                    )
                )
        positive = (CoordinatedQuery(units, CONTEXT_COVERAGE, COORDINATION_POWER, CONTEXT_BONUS,
                                     partial_coverage=PARTIAL_COVERAGE) if units else None)
        suggestion = None
        if corrected:
            suggestion = parsed.text
            for number in sorted(corrected, key=lambda n: plain[n].start, reverse=True):
                word = plain[number]
                suggestion = suggestion[: word.start] + corrected[number] + suggestion[word.end :]
            suggestion = " ".join(suggestion.split())
        return BuiltQuery(positive, self._excluded(parsed), suggestion, limits=list(self.limits),
                          translations=list(self.translations))

    def _excluded(self, parsed: ParsedQuery) -> wq.Query | None:
        """What ``-word`` leaves out: the word in text or title, or its institute's reports."""
        queries = []
        for item in parsed.excluded:
            if isinstance(item, Phrase):
                queries += [self._phrase("text", item.text), self._phrase("title", item.text)]
            elif item.wildcard:
                queries += [self._wildcard("text", item), self._wildcard("title", item)]
            else:
                for prefix in ("text", "title"):
                    for suffix in ("lemma", "exact"):
                        fieldname = f"{prefix}_{suffix}"
                        queries += [wq.Term(fieldname, t) for t in analyze(item.text, suffix, "query")]
                names = self.contractors.names_for(text_keys(item.text))
                if names:
                    queries.append(self._contractor_query(names, 1.0))
        return _or([q for q in queries if q is not None])
