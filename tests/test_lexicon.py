"""The Bokmål lexicon: lemmas, genitives, known words, compound splitting, cache."""
import gzip
import json
import pickle
from importlib import metadata

import pytest

from indexer.language import lexicon
from indexer.language.lexicon import Lexicon, Tables, build_tables, cache_path, get_lexicon, load_tables


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return get_lexicon()


def test_lemma_of_an_inflected_compound(lex):
    assert "introduksjonsprogram" in lex.lemmas("introduksjonsprogrammet")
    assert lex.lemmas("kommuner") == ["kommune"]


@pytest.mark.parametrize(
    "word, lemma",
    [
        ("flyktningers", "flyktning"),
        ("kommunenes", "kommune"),
        ("IMDis", "imdi"),
        ("IMDi's", "imdi"),
        ("NAVs", "nav"),
        ("Husbankens", "husbank"),
    ],
)
def test_genitives(lex, word, lemma):
    assert lemma in lex.lemmas(word)


def test_lowercase_acronym_genitive_is_not_guessed(lex):
    # Without the capitals nothing shows that "imdis" is a genitive.
    assert lex.lemmas("imdis") == []


def test_unknown_word_has_no_lemma(lex):
    assert lex.lemmas("xqzvtrk") == []
    assert lex.lemmas("") == []


def test_form_shared_by_two_lemmas_keeps_both(lex):
    # The upstream table lists "går" only under the verb "gåre"; a search for
    # "gå" must still meet "går".
    assert "gå" in lex.lemmas("går")
    assert set(lex.lemmas("arbeidet")) & set(lex.lemmas("arbeid"))


def test_unlisted_compound_gets_a_lemma_through_its_head(lex):
    assert lex.lemmas("bosettingskommuner") == ["bosettingskommune"]
    assert lex.lemmas("bosettingskommunenes") == ["bosettingskommune"]


@pytest.mark.parametrize(
    "word",
    ["videregående", "introduksjonsprogrammet", "bosettingskommuner", "vide", "flyktningers", "Tromsø"],
)
def test_known_words(lex, word):
    assert lex.is_word(word)


@pytest.mark.parametrize("word", ["regående", "introduksjonsprog", "xqzvtrk", ""])
def test_not_words(lex, word):
    assert not lex.is_word(word)


@pytest.mark.parametrize(
    "word, parts",
    [
        ("introduksjonsprogrammet", ["introduksjon", "program"]),
        ("barnefattigdom", ["barn", "fattigdom"]),
        ("boligmangel", ["bolig", "mangel"]),
        ("bosettingskommuner", ["bosetting", "kommune"]),
        ("integreringsarbeidet", ["integrering", "arbeid"]),
        ("kunnskapsoppsummering", ["kunnskap", "oppsummering"]),
        ("måloppnåelse", ["mål", "oppnåelse"]),
        ("boområder", ["bo", "område"]),
        ("helsetjenestene", ["helse", "tjeneste"]),
        ("fylkeskommunen", ["fylke", "kommune"]),
        ("arbeidsmarkedstiltak", ["arbeidsmarked", "tiltak"]),
        ("problemstillinger", ["problem", "stilling"]),
        ("flyktningskontor", ["flyktning", "kontor"]),
        ("årsrapport", ["år", "rapport"]),
        # an adverb in -s as the first part
        ("utenlandsopphold", ["utenlands", "opphold"]),
        ("innenlandsreise", ["innenlands", "reise"]),
        # words the lexicon does not know, by a common head after a linking -s- or a long head
        ("innlåsningseffekten", ["innlåsning", "effekt"]),
        ("autentiseringsmekanismer", ["autentisering", "mekanisme"]),
        ("skytjenesteleverandørene", ["skytjeneste", "leverandør"]),
    ],
)
def test_compound_parts(lex, word, parts):
    assert lex.split_compound(word) == parts


@pytest.mark.parametrize(
    "word",
    [
        "videregående",
        "kontroll",
        "rapport",
        "rapporten",
        "statistikk",
        "kultur",
        "migrasjon",
        "konsekvens",
        "ansvarlig",
        "kontakt",
        "sentral",
        "bedrift",
        "relevant",
        "generasjon",
        "midlertidig",
        "markering",
        "plassering",
        "fattigdom",
        "frihet",
        "undervisning",
        "utdanning",
        "årsaker",
        "veiledning",
        "budsjett",
        "bosatt",
        "gjeldende",
        "kommunenes",
        "flyktningers",
        "Tromsø",
        # unknown words ending in a short word are foreign or misread, not compounds
        "interesting",
        "outperform",
        "bibliometrisk",
        "deconstructing",
        "privilege",
        "delvis",
    ],
)
def test_ordinary_words_are_not_split(lex, word):
    assert lex.split_compound(word) == []


def test_integreringsarbeidet_is_not_a_verb_split(lex):
    parts = lex.split_compound("integreringsarbeidet")
    assert "integrere" not in parts and "arbeidete" not in parts


# -- building and caching -----------------------------------------------------


def _write_gz(path, data):
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh)


@pytest.fixture
def tiny_tables(tmp_path) -> Tables:
    exc = tmp_path / "exc.json.gz"
    lookup = tmp_path / "lookup.json.gz"
    _write_gz(
        exc,
        {
            "noun": {
                "arbeid": ["arbeid"],
                "arbeidet": ["arbeide"],  # collision: arbeid lost this form
                "program": ["program"],
                "programmet": ["program"],
                "introduksjon": ["introduksjon"],
                "Tromsø": ["Tromsø"],
                "à la carte": ["à la carte"],
            },
            "verb": {"gå": ["gå"], "går": ["gåre"], "gåre": ["gåre"]},
        },
    )
    _write_gz(lookup, {"av": "av"})
    return build_tables(exc, lookup)


def test_build_merges_tables_and_repairs_collisions(tiny_tables):
    lex = Lexicon(tiny_tables)
    assert "arbeid" in lex.lemmas("arbeidet")
    assert "gå" in lex.lemmas("går")
    assert lex.lemmas("tromsø") == ["tromsø"]
    assert lex.lemmas("av") == ["av"]
    assert lex.lemmas("à la carte") == []  # multi-word entries are dropped
    assert lex.split_compound("introduksjonsprogrammet") == ["introduksjon", "program"]


def test_cache_is_written_and_reused(tmp_path, tiny_tables):
    calls = []

    def build():
        calls.append(1)
        return tiny_tables

    first = load_tables(tmp_path, build=build)
    second = load_tables(tmp_path, build=build)
    assert len(calls) == 1
    assert cache_path(tmp_path).is_file()
    assert second.entries == first.entries


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", pickle.dumps(("old", {}, {}))])
def test_corrupt_or_stale_cache_is_rebuilt(tmp_path, tiny_tables, garbage):
    path = cache_path(tmp_path)
    path.write_bytes(garbage)
    tables = load_tables(tmp_path, build=lambda: tiny_tables)
    assert tables.entries == tiny_tables.entries
    # …and the rebuilt table replaced the bad file.
    assert load_tables(tmp_path, build=lambda: pytest.fail("cache not used")).entries == tiny_tables.entries


def test_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RAPPORTSOK_CACHE_DIR", str(tmp_path))
    assert cache_path().parent == tmp_path
    # A new spacy-lookups-data or a new table layout gets a new file.
    assert metadata.version("spacy-lookups-data") in cache_path().name
    assert f"t{lexicon.TABLE_FORMAT}" in cache_path().name


def test_an_unknown_compound_takes_its_heads_lemma(lex):
    assert lex.lemmas("innlåsningseffektene") == ["innlåsningseffekt"]


@pytest.mark.parametrize(("lemma", "family"), [
    ("diskriminering", "diskriminere"),  # action noun ↔ verb
    ("diskriminere", "diskriminering"),
    ("bosetting", "bosette"),
    ("integrasjon", "integrere"),
    ("integrere", "integrasjon"),
    ("forståelse", "forstå"),
    ("tilgjengelig", "tilgjengelighet"),  # adjective ↔ -het noun
    ("representativitet", "representativ"),  # -itet noun ↔ adjective
])
def test_derived_lemmas_join_a_word_family(lex, lemma, family):
    assert family in lex.derived_lemmas(lemma)


@pytest.mark.parametrize("lemma", ["plan", "mening", "kommune", "ting"])
def test_derived_lemmas_leave_look_alikes_and_short_stems_alone(lex, lemma):
    # plan/plane and mening/mene are different words; kommune derives from nothing.
    assert lex.derived_lemmas(lemma) == []
