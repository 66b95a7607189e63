"""English query words: lemmas, the shipped glossary, FreeDict's dictionary and the cache."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from indexer.language import english
from indexer.language.dictd import read_dictd
from indexer.language.english import (
    GLOSSARY_FILE,
    English,
    build_tables,
    freedict_available,
    get_english,
    load_tables,
    parse_freedict,
    parse_glossary,
)
from indexer.language.lexicon import get_lexicon

from test_nynorsk import dictd_digits

# Entries in FreeDict's layout: header with IPA and part of speech, numbered
# senses, English glosses, a Nynorsk word the Bokmål lexicon does not know.
STATE = "state /steɪt/ <n>\n1. tilstand\na condition\n2. stat 2.\na political division of a federation\n 3.\nany sovereign polity\n"
REFUGEE = "refugee //ˈɹɛfjʊdʒiː// <n>\nflyktning 2.\nperson seeking economic asylum\n 3.\nperson seeking political asylum\n"
GOOD = "good /ɡʊd/ <adj>\n1. god 2.\nacting in the interest of good\n2. sunn\nhealthful\n"
CHILD = "child /t͡ʃaɪld/ <n>\nbarn, ungen\nsomeone's child\n"
CHURCH = "church /t͡ʃɜːt͡ʃ/ <n>\nkirke, kyrkje\nChristian house of worship\n"
TRAIN = "train /tɹeɪn/ <n>\ntog\nvehicle on rails\n"


def write_dictd(folder: Path, entries: list[tuple[str, str]]) -> Path:
    """A dictd dictionary named like FreeDict's English–Norwegian one."""
    folder.mkdir(parents=True, exist_ok=True)
    data = b""
    lines = [f"00databaseinfo\t{dictd_digits(0)}\t{dictd_digits(4)}"]
    data += b"info"
    for headword, text in entries:
        raw = text.encode("utf-8")
        lines.append(f"{headword}\t{dictd_digits(len(data))}\t{dictd_digits(len(raw))}")
        data += raw
    (folder / "freedict-eng-nor.index").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(folder / "freedict-eng-nor.dict.dz", "wb") as fh:
        fh.write(data)
    return folder


@pytest.fixture(scope="module")
def small_dictionary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dictd(
        tmp_path_factory.mktemp("dictd"),
        [("state", STATE), ("refugee", REFUGEE), ("good", GOOD), ("child", CHILD), ("train", TRAIN)],
    )


@pytest.fixture(scope="module")
def small_tables(small_dictionary: Path) -> english.EnglishTables:
    return build_tables(small_dictionary)


def make_english(tables: english.EnglishTables, *glossary_lines: str) -> English:
    return English(tables, parse_glossary(glossary_lines))


# --- English lemmas ---------------------------------------------------------------------------


def test_inflected_english_words_give_their_lemma(small_tables):
    words = make_english(small_tables)
    assert words.lemmas("guidelines") == ["guideline"]
    assert words.lemmas("Refugees") == ["refugee"]
    assert "child" in words.lemmas("children")
    assert "analysis" in words.lemmas("analyses")


def test_a_noun_in_ing_keeps_itself_before_the_verb(small_tables):
    assert make_english(small_tables).lemmas("teaching")[:2] == ["teaching", "teach"]


def test_a_norwegian_word_has_no_english_lemma(small_tables):
    words = make_english(small_tables)
    assert words.lemmas("flyktninger") == []
    assert not words.is_english("flyktninger")


def test_words_that_are_norwegian_too_are_not_english(small_tables):
    words = make_english(small_tables)
    for shared in ("program", "status", "plan"):
        assert words.lemmas(shared), shared
        assert not words.is_english(shared), shared
    assert words.is_english("refugees")
    assert words.is_english("guidelines")  # not a Norwegian compound of guide + line


# --- FreeDict's dictd files --------------------------------------------------------------------


def test_dictd_entries_are_read_by_offset_and_length(small_dictionary):
    entries = dict(read_dictd(small_dictionary / "freedict-eng-nor.index", small_dictionary / "freedict-eng-nor.dict.dz"))
    assert set(entries) == {"state", "refugee", "good", "child", "train"}  # the database info is not a word
    assert entries["state"] == STATE


def test_translations_leave_out_ipa_tags_numbers_and_glosses():
    parsed = parse_freedict([("State", STATE), ("refugee", REFUGEE)])
    assert parsed["state"] == ("tilstand", "stat")
    assert parsed["refugee"] == ("flyktning",)


def test_translations_become_bokmal_lemmas_and_unknown_words_are_dropped():
    parsed = parse_freedict([("good", GOOD), ("child", CHILD), ("church", CHURCH)])
    assert parsed["good"] == ("god", "sunn")
    assert parsed["child"] == ("barn", "unge")  # ungen is a form of unge
    assert parsed["church"] == ("kirke",)  # kyrkje is Nynorsk
    for lemmas in parsed.values():
        assert all(get_lexicon().lemmas(lemma) for lemma in lemmas)


def test_the_glossary_comes_before_the_dictionary(small_tables):
    words = make_english(small_tables, "refugee\tasylsøker, flyktning")
    assert words.norwegian("refugees") == ["asylsøker", "flyktning"]
    assert words.norwegian("state") == ["tilstand", "stat"]  # the dictionary alone
    assert words.norwegian("flyktning") == []


def test_a_word_with_an_entry_of_its_own_does_not_borrow_its_verbs(small_tables):
    words = make_english(small_tables, "training\topplæring")
    assert words.norwegian("training") == ["opplæring", "tog"]  # only the dictionary falls back to train
    assert make_english(small_tables, "train\ttrene").norwegian("training") == ["trene", "tog"]


def test_american_spellings_find_british_entries(small_tables):
    words = make_english(small_tables, "organisation\torganisasjon", "labour market\tarbeidsmarked")
    assert words.norwegian("organizations")[0] == "organisasjon"
    assert words.norwegian("labor market") == ["arbeidsmarked"]


def test_multi_word_terms_match_runs_of_query_words(small_tables):
    words = make_english(
        small_tables, "unaccompanied minor\tenslig mindreårig", "genital mutilation\tkjønnslemlestelse",
        "female genital mutilation\tkjønnslemlestelse",
    )
    assert ("unaccompanied", "minor") in words.phrases
    query = "unaccompanied minors and female genital mutilation".split()
    assert words.find_phrases(query) == [(0, 2, ("enslig mindreårig",)), (3, 6, ("kjønnslemlestelse",))]
    assert words.norwegian("unaccompanied minors") == ["enslig mindreårig"]


def test_a_term_written_in_the_plural_matches_any_inflection(small_tables):
    words = make_english(small_tables, "securities trading\tverdipapirhandel")
    assert words.find_phrases(["security", "trading"]) == [(0, 2, ("verdipapirhandel",))]
    assert words.norwegian("securities trading") == words.norwegian("security trading") == ["verdipapirhandel"]


@pytest.mark.parametrize(("english_word", "norwegian"), [
    ("migration", "migrasjon"), ("exclusion", "eksklusjon"), ("quota", "kvote"), ("psychology", "psykologi"),
    ("democracy", "demokrati"), ("discrimination", "diskriminering"), ("mobility", "mobilitet"),
])
def test_loanwords_are_spelt_the_norwegian_way(small_tables, english_word, norwegian):
    assert norwegian in make_english(small_tables).norwegian(english_word)


def test_a_loanword_spelling_needs_a_lemma_the_lexicon_lists():
    assert "migrasjon" in english.loanword_spellings("migration")
    words = English(load_tables(), {})
    assert "migrasjon" in words.loanwords("migration")
    assert words.loanwords("xylophonation") == []  # «xylofonasjon» is no Norwegian word
    assert words.loanwords("track") == []  # too short a change to trust: «trakk» is another word


def test_the_cache_is_rebuilt_when_the_dictionary_changes(tmp_path, small_dictionary, monkeypatch):
    folder = write_dictd(tmp_path / "dictd", [("refugee", REFUGEE)])
    first = load_tables(tmp_path / "cache", folder)
    assert first.freedict == {"refugee": ("flyktning",)}
    calls: list[Path | None] = []
    monkeypatch.setattr(english, "build_tables", lambda freedict_dir=None: calls.append(freedict_dir))
    assert load_tables(tmp_path / "cache", folder) == first
    assert not calls  # read from the cache

    monkeypatch.undo()
    write_dictd(folder, [("refugee", REFUGEE), ("state", STATE)])
    assert set(load_tables(tmp_path / "cache", folder).freedict) == {"refugee", "state"}


def test_without_the_debian_package_the_glossary_still_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(english, "FREEDICT_DIR", tmp_path / "ingen")
    assert not freedict_available()
    assert english.missing_packages() == ["dict-freedict-eng-nor"]
    assert "apt-get install dict-freedict-eng-nor" in english.install_hint()
    tables = build_tables()
    assert tables.freedict == {}
    glossary = english.read_glossary()
    term = next(iter(glossary))
    assert English(tables, glossary).norwegian(term) == list(glossary[term])


def test_the_fingerprint_follows_the_glossary(tmp_path, monkeypatch):
    before = english.data_fingerprint()
    changed = tmp_path / "en_nb_glossary.tsv"
    changed.write_text(GLOSSARY_FILE.read_text(encoding="utf-8") + "newterm\tbolig\n", encoding="utf-8")
    monkeypatch.setattr(english, "GLOSSARY_FILE", changed)
    assert english.data_fingerprint() != before


# --- the shipped glossary ----------------------------------------------------------------------


def glossary_lines() -> list[str]:
    return [line for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def test_every_glossary_line_is_a_term_a_tab_and_lemmas_and_no_term_repeats():
    terms = []
    for line in glossary_lines():
        term, tab, lemmas = line.partition("\t")
        assert tab and term == term.strip().lower() and lemmas.strip(), line
        terms.append(term)
    assert len(terms) == len(set(terms))
    assert len(parse_glossary(glossary_lines())) == len(terms) > 1000


def test_every_norwegian_lemma_of_the_glossary_is_known_to_the_lexicon():
    lexicon = get_lexicon()
    unknown = set()
    for lemmas in parse_glossary(glossary_lines()).values():
        for lemma in lemmas:
            for word in lemma.split():
                # A lemma the lexicon lists as one, or a compound it can split.
                if word not in lexicon.lemmas(word) and not lexicon.split_compound(word):
                    unknown.add(word)
    assert not unknown


# --- the installed dictionary ------------------------------------------------------------------


@pytest.mark.skipif(not freedict_available(), reason="dict-freedict-eng-nor is not installed")
def test_the_installed_dictionary_translates_common_words():
    words = get_english()
    assert words.has_freedict
    freedict = words._tables.freedict
    assert len(freedict) > 5000
    assert "flyktning" in freedict["refugee"]
    assert "retningslinje" in freedict["guideline"]
    assert "fattigdom" in freedict["poverty"]
    assert english.missing_packages() == [] and english.install_hint() == ""
