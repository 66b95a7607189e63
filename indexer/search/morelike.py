"""More like this: findings that say something close to a given finding.

The finding's most distinctive lemmas (Whoosh's Bo1 key-term model over the
lemma field) become a weighted OR query. Other findings come first, then
passages if there are not enough findings; the finding itself and copies of
its text are left out.
"""
from __future__ import annotations

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.index.docfacts import DocFacts
from indexer.index.schema import KIND_FINDING, KIND_PASSAGE
from indexer.search.results import SearchHit, make_hit

KEY_TERMS = 12
KEY_FIELD = "text_lemma"


def key_terms(searcher: Searcher, text: str) -> list[tuple[str, float]]:
    """The words that set this text apart from the rest of the index, with weights."""
    reader = searcher.reader()
    found = searcher.key_terms_from_text(KEY_FIELD, text, numterms=KEY_TERMS * 4, normalize=True)
    # A word no other document has cannot make another document similar;
    # numbers and one- or two-letter tokens say little about the subject.
    return [
        (term, weight)
        for term, weight in found
        if len(term) > 2 and not term.isdigit() and reader.doc_frequency(KEY_FIELD, term) > 1
    ][:KEY_TERMS]


def similar_findings(searcher: Searcher, facts: DocFacts, finding_id: str, limit: int = 5) -> list[SearchHit]:
    docnum = searcher.document_number(id=finding_id)
    if docnum is None or limit < 1:
        return []
    fields = searcher.stored_fields(docnum)
    if fields.get("kind") != KIND_FINDING:
        return []
    text = fields.get("text") or ""
    weighted = key_terms(searcher, text)
    if not weighted:
        return []
    query = wq.Or([wq.Term(KEY_FIELD, term, boost=weight) for term, weight in weighted])
    terms = {(KEY_FIELD, term) for term, _ in weighted}
    similar: list[SearchHit] = []
    seen_texts = {" ".join(text.split())}
    for kind in (KIND_FINDING, KIND_PASSAGE):
        results = searcher.search(query, limit=limit * 3, filter=wq.Term("kind", kind), mask={docnum})
        for hit in results:
            if len(similar) >= limit:
                return similar
            stored = hit.fields()
            normalized = " ".join((stored.get("text") or "").split())
            if normalized in seen_texts:
                continue
            seen_texts.add(normalized)
            similar.append(make_hit(stored, terms, hit.score, theme=facts.value("theme", hit.docnum)))
    return similar
