"""Norwegian language: the lemma lexicon and compound splitting, the Whoosh
analyzers (tokens, lemmas, compound parts, æøå folding, stop words), synonyms.

Used when documents are indexed and when queries are built; imports nothing
from the other layers.
"""
