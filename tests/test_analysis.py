"""Norwegian analyzers: what each field indexes, and how a real Whoosh index ranks."""
import pickle

import pytest
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import MultifieldParser, OrGroup, QueryParser

from indexer.language import analysis
from indexer.language.analysis import ANALYZED_FIELDS, analyze, analyzer_for, field_type


def positions(text, suffix, mode="index"):
    """{term: position} for one field."""
    return {t.text: t.pos for t in analyzer_for(suffix)(text, positions=True, mode=mode)}


# -- lemma field ------------------------------------------------------------------


def test_inflected_compound_meets_its_lemma():
    assert analyze("Introduksjonsprogrammet", "lemma") == analyze("introduksjonsprogram", "lemma")
    assert "introduksjonsprogram" in analyze("introduksjonsprogrammet", "lemma")


@pytest.mark.parametrize(
    "text, lemma",
    [("flyktningers", "flyktning"), ("kommunenes", "kommune"), ("IMDis", "imdi"), ("IMDi's", "imdi")],
)
def test_genitives_index_as_the_lemma(text, lemma):
    assert lemma in analyze(text, "lemma")


def test_unknown_word_is_kept_lowercased():
    assert analyze("Empowermentkurs", "lemma") == ["empowermentkurs"]


def test_stop_words_leave_the_lemma_field_but_stay_exact():
    assert "og" not in analyze("arbeid og utdanning", "lemma")
    assert analyze("i arbeid og utdanning", "exact") == ["i", "arbeid", "og", "utdanning"]


def test_stop_words_keep_their_position_slot():
    # Positions stay aligned with the exact field for highlighting.
    assert positions("arbeid og utdanning", "lemma")["utdanning"] == 2


def test_stop_words_are_flagged_when_not_removed():
    tokens = [(t.text, t.stopped) for t in analyzer_for("lemma")("og arbeid", removestops=False)]
    assert ("og", True) in tokens and ("arbeid", False) in tokens


# -- tokenisation -------------------------------------------------------------------


def test_hyphenated_word_and_its_pieces_share_a_position():
    found = positions("Nye NAV-tiltak virker", "lemma")
    assert found["nav-tiltak"] == found["nav"] == found["tiltak"] == 1
    assert found["virke"] == 2


def test_hyphenated_compound_inflects_its_last_piece():
    assert analyze("NAV-tiltakene", "lemma", "query") == ["nav-tiltak"]


def test_covid_19_findable_whole_and_by_name():
    terms = analyze("etter covid-19-pandemien", "lemma")
    assert "covid" in terms and "pandemi" in terms
    assert "covid-19" in analyze("covid-19", "lemma")


def test_numbers_stay_whole():
    assert "99,6" in analyze("99,6 prosent", "lemma")
    terms = analyze("i 2017–2019", "exact")
    assert "2017-2019" in terms and "2017" in terms and "2019" in terms
    # A range typed with a plain hyphen meets the en dash of the PDF.
    assert analyze("2017-2019", "exact", "query") == analyze("2017–2019", "exact", "query")


def test_paragraph_sign_is_a_term_and_punctuation_is_not():
    assert analyze("jf. § 4.", "exact") == ["jf", "§", "4"]
    assert analyze("«Hurtigspor» – (en oversikt)!", "exact") == ["hurtigspor", "en", "oversikt"]


def test_character_offsets_point_into_the_original_text():
    text = "Se «NAV-tiltak» her."
    spans = {t.text: text[t.startchar:t.endchar] for t in analyzer_for("exact")(text, chars=True)}
    # Pieces highlight the whole word they came from; quotes and full stop are left out.
    assert spans == {"se": "Se", "nav-tiltak": "NAV-tiltak", "nav": "NAV-tiltak", "tiltak": "NAV-tiltak", "her": "her"}


def _spacy_words(text: str) -> tuple[tuple[str, int, int], ...]:
    """words() as it was before plain words were cut without spaCy: every chunk through spaCy."""
    found = []
    for token in analysis._tokenizer()(text):
        cleaned = analysis._clean(token.text)
        if cleaned is not None:
            found.append((cleaned[0], token.idx + cleaned[1], token.idx + cleaned[2]))
    return tuple(found)


TRICKY_TEXTS = [
    "«Tiltak», (2019). bolig- og NAV-kontor 10km 50% §12 Jan. f.eks. www.imdi.no bl.a. 2017–2019",
    "foo\xa0bar  baz\t\nqux  ledende og etterfølgende ",
    "IMDi's c’s ﬁnne soft\u00adhyphen __init__ _x_ e-post ²³ ½ 1½ NAV--kontor -x- a-b-c (a-b). «by-» 3.2 4,5",
    "covid-19 19-tallet 2017-2019 A4-ark G-20 3-4 x-1-2 1-a COVID-19-pandemien Covid-19. «covid-19» 10-km km-10 "
    "EU-28 Ideas2evidence 10km 2-- --2 a--b -- 1-½",
]


def test_plain_words_are_cut_where_spacy_cuts_them(corpus_documents):
    import random

    from indexer.language.lexicon import get_lexicon

    texts = [item.text for document in corpus_documents.values() for report in document.reports
             for item in [*report.findings, *report.passages]] + TRICKY_TEXTS
    forms = sorted(form for form in get_lexicon()._entries if isinstance(form, str))
    sample = random.Random(7).sample(forms, 20000) + [form for form in forms if "-" in form][:3000]
    texts += [" ".join(sample[i:i + 400]) for i in range(0, len(sample), 400)]
    texts += [" ".join(form.upper() for form in sample[:4000])]
    for text in texts:
        analysis._recent_texts.clear()
        assert analysis.words(text) == _spacy_words(text), text[:80]


def test_text_of_plain_words_needs_no_spacy(monkeypatch):
    monkeypatch.setattr(analysis, "_recent_texts", {})
    monkeypatch.setattr(analysis, "_tokenizer", lambda: pytest.fail("spaCy asked for plain words"))
    assert [w for w, _, _ in analysis.words("«Bosetting» av flyktninger i NAV-kontor (2019).")] == [
        "Bosetting", "av", "flyktninger", "i", "NAV-kontor", "2019"]
    with pytest.raises(pytest.fail.Exception):
        analysis.words("10km og 3.2")  # letters after digits, a full stop inside: spaCy decides


def test_query_mode_gives_one_exact_term_per_word():
    assert analyze("NAV-tiltak for unge", "exact", "query") == ["nav-tiltak", "for", "unge"]


# -- parts and folding --------------------------------------------------------------


def test_compound_parts_are_their_own_field():
    assert analyze("introduksjonsprogrammet", "parts") == ["introduksjon", "program"]
    assert analyze("program", "parts") == []  # a simple word has no parts
    assert analyze("programmet", "parts", "query") == ["program"]


def test_parts_of_parts():
    assert {"arbeidsmarked", "tiltak", "arbeid", "marked"} <= set(analyze("arbeidsmarkedstiltak", "parts"))


@pytest.mark.parametrize(
    "typed, written",
    [
        ("maloppnaelse", "måloppnåelse"),
        ("maaloppnaaelse", "måloppnåelse"),
        ("malopnaelse", "måloppnåelse"),
        ("boomrader", "boområder"),
        ("Tromso", "Tromsø"),
        ("Tromsoe", "Tromsø"),
    ],
)
def test_folded_spellings_meet(typed, written):
    assert set(analyze(typed, "folded", "query")) & set(analyze(written, "folded"))
    assert not set(analyze(typed, "lemma", "query")) & set(analyze(written, "lemma"))


# -- pickling -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", sorted(ANALYZED_FIELDS))
def test_analyzers_pickle_small_and_still_work(suffix):
    analyzer = analyzer_for(suffix)
    data = pickle.dumps(analyzer)
    assert len(data) < 10_000
    text = "Flyktningers deltagelse i introduksjonsprogrammet i Tromsø"
    restored = pickle.loads(data)
    assert [t.text for t in restored(text)] == [t.text for t in analyzer(text)]
    assert restored == analyzer


def test_unknown_suffix_is_refused():
    with pytest.raises(ValueError):
        analyzer_for("stem")


# -- ranking through a real Whoosh index ----------------------------------------------


def build_index(texts):
    fields = {f"text_{suffix}": field_type(suffix) for suffix in ANALYZED_FIELDS}
    schema = Schema(id=ID(stored=True), **fields)
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for doc_id, text in texts.items():
            writer.add_document(id=doc_id, **{name: text for name in fields})
    return ix


def ranked(ix, query_text):
    """The query side's generic use: every suffix field, with its boost."""
    fields = [f"text_{suffix}" for suffix in ANALYZED_FIELDS]
    boosts = {f"text_{suffix}": boost for suffix, boost in ANALYZED_FIELDS.items()}
    parser = MultifieldParser(fields, ix.schema, fieldboosts=boosts, group=OrGroup)
    with ix.searcher() as searcher:
        return [hit["id"] for hit in searcher.search(parser.parse(query_text), limit=None)]


def test_word_itself_ranks_above_a_compound_containing_it():
    ix = build_index(
        {
            "compound": "Introduksjonsprogrammet ga gode resultater for deltakerne i kommunen.",
            "word": "Programmet ga gode resultater for deltakerne i kommunen.",
            "other": "Kommunen bosatte flere flyktninger enn året før.",
        }
    )
    assert ranked(ix, "program") == ["word", "compound"]
    assert ranked(ix, "introduksjonsprogram") == ["compound"]


def test_exact_letters_rank_above_folded():
    ix = build_index(
        {
            "oe": "Tiltaket i Tromsø ble evaluert av forskerne.",
            "o": "Tiltaket i Tromso ble evaluert av forskerne.",
        }
    )
    assert ranked(ix, "Tromsø") == ["oe", "o"]
    assert ranked(ix, "Tromso") == ["o", "oe"]


def test_folded_query_finds_norwegian_letters():
    ix = build_index(
        {
            "goal": "Satsing for økt måloppnåelse i introduksjonsprogram.",
            "area": "Unge i utsatte boområder – en kunnskapsoversikt.",
        }
    )
    assert ranked(ix, "maloppnaelse") == ["goal"]
    assert ranked(ix, "boomrader") == ["area"]


def test_hyphen_and_genitive_matches_through_the_index():
    ix = build_index(
        {
            "nav": "Deltakere i NAV-tiltak fikk oftere jobb.",
            "covid": "Under covid-19 stengte mange kurs.",
            "imdi": "Vedlegg 4 til IMDis årsrapport for 2017–2019.",
        }
    )
    assert ranked(ix, "tiltak") == ["nav"]
    assert ranked(ix, "nav") == ["nav"]
    assert ranked(ix, "covid") == ["covid"]
    assert ranked(ix, "IMDi") == ["imdi"]
    assert ranked(ix, "2019") == ["imdi"]


def test_phrase_matches_through_the_exact_field():
    ix = build_index(
        {
            "phrase": "Flyktningers deltagelse i arbeid og utdanning før og etter introduksjonsordningen.",
            "scrambled": "Utdanning og arbeid i kommunen er viktig.",
        }
    )
    parser = QueryParser("text_exact", ix.schema)
    with ix.searcher() as searcher:
        hits = [hit["id"] for hit in searcher.search(parser.parse('"i arbeid og utdanning"'))]
    assert hits == ["phrase"]


def test_query_word_with_two_lemmas_matches_either():
    # "arbeid" is noun and verb; "arbeidet" in the document shares one lemma.
    ix = build_index({"work": "Arbeidet med bosetting tok tid.", "other": "Kommunen bosatte flyktninger."})
    assert ranked(ix, "arbeid") == ["work"]
