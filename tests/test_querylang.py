"""The query language: what each piece of a typed query means, and that no input breaks it."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings, strategies as st

from indexer.search.querylang import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    Phrase,
    QueryError,
    Word,
    clean_query,
    parse_query,
)


def texts(items) -> list[str]:
    return [item.text for item in items]


def clause_texts(parsed) -> list[list[str]]:
    return [texts(clause) for clause in parsed.clauses]


# --- words, phrases, exclusion, OR ----------------------------------------------------


def test_loose_words_are_separate_clauses_in_order():
    parsed = parse_query("hvor lenge varer introduksjonsprogrammet")
    assert clause_texts(parsed) == [["hvor"], ["lenge"], ["varer"], ["introduksjonsprogrammet"]]
    assert not parsed.excluded and not parsed.has_filters


def test_quoted_words_are_one_phrase():
    parsed = parse_query('bolig "i arbeid og utdanning" tolk')
    assert clause_texts(parsed) == [["bolig"], ["i arbeid og utdanning"], ["tolk"]]
    assert isinstance(parsed.clauses[1][0], Phrase)


def test_guillemets_quote_like_straight_quotes():
    parsed = parse_query("«negativ sosial kontroll»")
    assert clause_texts(parsed) == [["negativ sosial kontroll"]]
    assert isinstance(parsed.clauses[0][0], Phrase)


def test_an_unclosed_quote_leaves_plain_words():
    parsed = parse_query('"bolig tolk')
    assert clause_texts(parsed) == [["bolig"], ["tolk"]]


@pytest.mark.parametrize("query", ["bolig -fafo", "bolig NOT fafo", "-fafo bolig"])
def test_minus_and_not_exclude_a_word(query):
    parsed = parse_query(query)
    assert clause_texts(parsed) == [["bolig"]]
    assert texts(parsed.excluded) == ["fafo"]


def test_a_phrase_can_be_excluded():
    parsed = parse_query('kontroll -"sosial kontroll"')
    assert clause_texts(parsed) == [["kontroll"]]
    assert isinstance(parsed.excluded[0], Phrase) and parsed.excluded[0].text == "sosial kontroll"


def test_a_hyphen_inside_a_word_is_not_exclusion():
    parsed = parse_query("NAV-tiltak 2018-2020")
    assert clause_texts(parsed) == [["NAV-tiltak"], ["2018-2020"]]
    assert not parsed.excluded


@pytest.mark.parametrize("joiner", ["OR", "ELLER", "|"])
def test_or_makes_alternatives_of_one_clause(joiner):
    parsed = parse_query(f"bolig tolk {joiner} tolking {joiner} tolkeloven")
    assert clause_texts(parsed) == [["bolig"], ["tolk", "tolking", "tolkeloven"]]


def test_lowercase_or_is_a_word_and_and_is_ignored():
    assert clause_texts(parse_query("tolk or tolking")) == [["tolk"], ["or"], ["tolking"]]
    assert clause_texts(parse_query("tolk AND tolking")) == [["tolk"], ["tolking"]]


def test_dangling_operators_are_harmless():
    assert clause_texts(parse_query("OR tolk OR")) == [["tolk"]]
    assert clause_texts(parse_query("NOT")) == []


def test_word_offsets_point_into_the_cleaned_text():
    parsed = parse_query('  tolk  "i arbeid"  bosettingskommuner ')
    for clause in parsed.clauses:
        for item in clause:
            assert parsed.text[item.start : item.end] == item.text


# --- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tema", "theme", "Tema", "TEMA"])
def test_theme_filter_aliases(name):
    parsed = parse_query(f"bolig {name}:oppvekst")
    assert parsed.themes == ["oppvekst"]
    assert clause_texts(parsed) == [["bolig"]]


@pytest.mark.parametrize("name", ["oppdragstaker", "contractor", "institutt"])
def test_contractor_filter_aliases(name):
    assert parse_query(f"{name}:fafo").contractors == ["fafo"]


@pytest.mark.parametrize("name", ["år", "aar", "year", "År"])
def test_year_filter_aliases(name):
    assert parse_query(f"{name}:2019").year_ranges == [(2019, 2019)]


@pytest.mark.parametrize(("name", "value", "kinds"), [
    ("type", "funn", ["finding"]),
    ("type", "avsnitt", ["passage"]),
    ("kind", "finding", ["finding"]),
    ("kind", "passage", ["passage"]),
    ("type", "funn|avsnitt", ["finding", "passage"]),
])
def test_kind_filter_aliases(name, value, kinds):
    assert parse_query(f"bolig {name}:{value}").kinds == kinds


def test_filter_values_may_be_quoted():
    parsed = parse_query('tema:"Oppvekst og deltakelse" oppdragstaker:"Proba samfunnsanalyse" bolig')
    assert parsed.themes == ["Oppvekst og deltakelse"]
    assert parsed.contractors == ["Proba samfunnsanalyse"]
    assert clause_texts(parsed) == [["bolig"]]


@pytest.mark.parametrize(("value", "expected"), [
    ("2018-2020", (2018, 2020)),
    ("2020-2018", (2018, 2020)),
    ("2018–2020", (2018, 2020)),
    ("2018..2020", (2018, 2020)),
    ("2018-", (2018, None)),
    ("-2019", (None, 2019)),
])
def test_year_ranges(value, expected):
    assert parse_query(f"år:{value}").year_ranges == [expected]


@pytest.mark.parametrize("query", ["år:nitten", "år:19", "år:2018-nitten", "year:99999", "aar:١٢٣٤"])
def test_a_year_that_is_no_year_is_a_query_error_in_bokmal(query):
    with pytest.raises(QueryError, match="årstall"):
        parse_query(query)


def test_an_unknown_kind_is_a_query_error_naming_the_choices():
    with pytest.raises(QueryError, match="type:funn"):
        parse_query("type:kapittel")


def test_an_empty_filter_filters_nothing():
    parsed = parse_query("tema: bolig")
    assert not parsed.themes and clause_texts(parsed) == [["bolig"]]


@pytest.mark.parametrize(("query", "words"), [
    ("foo:bar", ["foo", "bar"]),
    ("https://imdi.no", ["https", "//imdi.no"]),
    ("kl.:12", ["kl.", "12"]),
])
def test_an_unknown_field_name_is_read_as_words(query, words):
    parsed = parse_query(query)
    assert [w for clause in clause_texts(parsed) for w in clause] == words
    assert not parsed.has_filters


# --- wildcards ---------------------------------------------------------------------------


def test_trailing_star_after_three_letters_is_a_prefix_wildcard():
    word = parse_query("integrer*").clauses[0][0]
    assert isinstance(word, Word) and word.wildcard and word.text == "integrer"


@pytest.mark.parametrize(("query", "text"), [("in*", "in"), ("a*b", "ab"), ("tolk?", "tolk"), ("**bolig", "bolig")])
def test_other_wildcards_are_plain_words(query, text):
    word = parse_query(query).clauses[0][0]
    assert not word.wildcard and word.text == text


@pytest.mark.parametrize("query", ["*", "**", "?", "-*", '""', "( ) [ ] { }", ":", "- -", "🏠🏠"])
def test_queries_of_only_symbols_ask_for_nothing(query):
    parsed = parse_query(query)
    assert parsed.clauses == [] and parsed.excluded == []


# --- bounds and garbage ------------------------------------------------------------------


def test_control_characters_become_spaces():
    text, truncated = clean_query("bolig\x00tolk\x1b[1m\u200btiltak")
    assert "\x00" not in text and "\x1b" not in text and "\u200b" not in text
    assert not truncated
    assert clause_texts(parse_query("bolig\x00tolk")) == [["bolig"], ["tolk"]]


def test_a_long_paste_is_cut_at_a_space_and_flagged():
    paste = "flyktninger bolig " * 400  # 7,200 characters
    parsed = parse_query(paste)
    assert len(parsed.text) <= MAX_QUERY_CHARS and parsed.truncated
    assert not parsed.text.endswith(("flyktnin", "bol"))


def test_no_more_than_the_term_limit_is_kept():
    parsed = parse_query(" ".join(f"ord{n}" for n in range(100)))
    assert len(parsed.clauses) == MAX_TERMS and parsed.truncated
    excluded = parse_query(" ".join(f"-ord{n}" for n in range(100)))
    assert len(excluded.excluded) == MAX_TERMS


@pytest.mark.parametrize("build", [
    lambda n: "(" * n + "bolig" + ")" * n,
    lambda n: '"' * n,
    lambda n: ":" * n,
    lambda n: "tema:" * n,
    lambda n: "-" * n + "bolig",
    lambda n: "a OR " * n,
])
def test_pathological_input_is_parsed_quickly(build):
    text = build(5000)
    started = time.perf_counter()
    parse_query(text)
    assert time.perf_counter() - started < 1.0


ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=600)
QUERY_PIECES = st.lists(
    st.sampled_from(['"', "-", "(", ")", ":", "*", "OR", "NOT", "tema:", "år:", "type:", "år:2019", "bolig", "«", "|", " "]),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, QUERY_PIECES))
def test_any_input_parses_or_raises_only_query_error(text):
    try:
        parsed = parse_query(text)
    except QueryError as exc:
        assert str(exc)  # a message for the person who typed it
        return
    assert len(parsed.text) <= MAX_QUERY_CHARS
    items = [item for clause in parsed.clauses for item in clause] + parsed.excluded
    assert len(items) <= MAX_TERMS
    assert all(item.text.strip() for item in items)
