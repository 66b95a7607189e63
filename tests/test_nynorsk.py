"""Nynorsk forms → lemmas → Bokmål lemmas from hunspell and dictd files, and language detection."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from indexer.language import nynorsk
from indexer.language.detect import detect_language
from indexer.language.dictd import dictd_number
from indexer.language.nynorsk import (
    COMPOUND,
    LISTED,
    UNKNOWN,
    Nynorsk,
    Tables,
    build_tables,
    expand,
    read_affixes,
)

# A small affix file in the packages' own layout: ISO-8859-1, one-letter flags.
AFF = """SET ISO8859-1
TRY aeøå

COMPOUNDFLAG z

# u- on anything, in-/il- by the stem's first letter
PFX u Y 1
PFX u   0     u           .

PFX g Y 2
PFX g   0     in          [^lm]
PFX g   0     il          l

# definite singular: -n after e, -en elsewhere
SFX A Y 2
SFX A   0     n           e
SFX A   0     en          [^e]

# plural: -e is replaced
SFX D Y 2
SFX D   e     ar          e
SFX D   0     ar          [^e]

# adjective -e, not combined with a prefix
SFX V N 1
SFX V   0     e           [^e]

# comparative, combined with a prefix
SFX X Y 1
SFX X   0     are         [^e]

# verbal noun: busetje -> busetjing, busetjinga
SFX t Y 2
SFX t   e     ing         e
SFX t   e     inga        e
"""

DIC = """9
skule/AD
skulen
skulebølgjen
arbeidsgjevar/ADz
bølgje/A
venleg/uVX
legal/g
aktiv/g
busetje/t_
"""


@pytest.fixture
def aff_path(tmp_path: Path) -> Path:
    path = tmp_path / "nn_TEST.aff"
    path.write_bytes(AFF.encode("iso-8859-1"))
    return path


@pytest.fixture
def dic_path(tmp_path: Path) -> Path:
    path = tmp_path / "nn_TEST.dic"
    path.write_bytes(DIC.encode("iso-8859-1"))
    return path


def forms_of(stem: str, flags: str, aff_path: Path) -> dict[str, str]:
    """Form → lemma for one stem (each form here has one lemma)."""
    found = {}
    for lemma, forms in expand(stem, flags, read_affixes(aff_path)):
        for form in forms:
            found[form] = lemma
    return found


def test_suffix_conditions_pick_the_ending(aff_path):
    assert forms_of("skule", "AD", aff_path) == {"skule": "skule", "skulen": "skule", "skular": "skule"}
    assert forms_of("arbeidsgjevar", "AD", aff_path) == {
        "arbeidsgjevar": "arbeidsgjevar",
        "arbeidsgjevaren": "arbeidsgjevar",
        "arbeidsgjevarar": "arbeidsgjevar",
    }


def test_prefix_conditions_pick_the_prefix(aff_path):
    assert forms_of("legal", "g", aff_path) == {"legal": "legal", "illegal": "illegal"}
    assert forms_of("aktiv", "g", aff_path) == {"aktiv": "aktiv", "inaktiv": "inaktiv"}


def test_cross_products_combine_prefix_and_suffix_only_where_both_allow(aff_path):
    forms = forms_of("venleg", "uVX", aff_path)
    assert forms["uvenleg"] == "uvenleg"
    assert forms["venlege"] == "venleg"
    assert forms["uvenlegare"] == "uvenleg"  # X and u both allow cross products
    assert "uvenlege" not in forms  # V does not


def test_compound_and_unknown_flags_generate_nothing(aff_path):
    assert set(forms_of("arbeidsgjevar", "ADz", aff_path)) == set(forms_of("arbeidsgjevar", "AD", aff_path))
    assert set(forms_of("busetje", "t_", aff_path)) == {"busetje", "busetjing", "busetjinga"}


def test_the_declared_encoding_is_read(aff_path, dic_path, tmp_path):
    tables = build_tables(dic_path, aff_path, *write_dictd(tmp_path, []), bokmal_kind=lambda word: UNKNOWN)
    assert Nynorsk(tables).lemmas("bølgjen") == ["bølgje"]


def dictd_digits(number: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    digits = ""
    while True:
        digits = alphabet[number % 64] + digits
        number //= 64
        if not number:
            return digits


def write_dictd(folder: Path, entries: list[tuple[str, str]]) -> tuple[Path, Path]:
    """A dictd index and gzipped dictionary; a long description entry first, so offsets take several digits."""
    entries = [("00databaseinfo", "Test dictionary\n" + "Lang tekst om ordboka.\n" * 20), *entries]
    body = b""
    index_lines = []
    for headword, translation in entries:
        text = f"{headword}\n{translation}\n".encode()
        index_lines.append(f"{headword}\t{dictd_digits(len(body))}\t{dictd_digits(len(text))}\n")
        body += text
    index_path = folder / "test.index"
    dict_path = folder / "test.dict.dz"
    index_path.write_text("".join(index_lines), encoding="utf-8")
    dict_path.write_bytes(gzip.compress(body))
    return index_path, dict_path


def test_dictd_numbers_are_base64_digits():
    assert dictd_number("A") == 0
    assert dictd_number("BA") == 64
    assert dictd_number(dictd_digits(123456)) == 123456


def test_dictd_entries_give_each_headwords_translations(tmp_path):
    index_path, dict_path = write_dictd(
        tmp_path,
        [("busetjing", "bosetting"), ("busetjing", "bosetning"), ("Skule", "skole"), ("ikkje noko", "ingenting")],
    )
    translations = nynorsk.read_translations(index_path, dict_path)
    assert translations["busetjing"] == ["bosetting", "bosetning"]
    assert translations["skule"] == ["skole"]
    assert translations["ikkje noko"] == ["ingenting"]
    assert not any(headword.startswith("00database") for headword in translations)


# The Bokmål lexicon as a test sees it: listed lemmas, and compounds it would accept.
BOKMAL_LISTED = {
    "skole", "bosetting", "arbeid", "arbeide", "arbeidsgiver", "rådgiver", "råd", "giver", "aktiv", "bølge"
}
BOKMAL_COMPOUNDS = {"arbeidesgiver", "skolebølge", "bosettingsskole"}


def bokmal_kind(word: str) -> int:
    return LISTED if word in BOKMAL_LISTED else COMPOUND if word in BOKMAL_COMPOUNDS else UNKNOWN


@pytest.fixture
def small_tables(tmp_path, aff_path, dic_path) -> Nynorsk:
    dictionary = write_dictd(
        tmp_path,
        [
            ("busetjing", "bosetting"),
            ("busetjing", "busetting"),  # not Bokmål: dropped
            ("skule", "skole"),
            ("arbeid", "arbeid"),
            ("arbeid", "arbeide"),
            ("rådgjevar", "rådgiver"),
            ("bølgje", "bølge"),
        ],
    )
    return Nynorsk(build_tables(dic_path, aff_path, *dictionary, bokmal_kind=bokmal_kind), bokmal_kind=bokmal_kind)


def test_forms_find_their_lemmas(small_tables):
    assert small_tables.lemmas("Skulen") == ["skule"]
    assert small_tables.lemmas("arbeidsgjevarar") == ["arbeidsgjevar"]
    assert small_tables.lemmas("uvenlegare") == ["uvenleg"]
    assert small_tables.lemmas("bølgjene") == []


def test_a_derived_form_the_dictionary_lists_is_a_lemma_of_its_own(small_tables):
    assert small_tables.lemmas("busetjing") == ["busetjing"]
    assert small_tables.lemmas("busetjinga") == ["busetjing"]
    assert small_tables.bokmal("busetjing") == ["bosetting"]


def test_a_stem_listed_in_full_form_is_lemmatised_like_its_base(small_tables):
    # skulen is listed beside skule/A, skulebølgjen on its own.
    assert small_tables.lemmas("skulen") == ["skule"]
    assert small_tables.lemmas("skulebølgjen") == ["skulebølgje"]


def test_dictionary_translations_are_kept_when_bokmal_knows_them(small_tables):
    assert small_tables.bokmal("skule") == ["skole"]
    assert small_tables.bokmal("legal") == []


def test_a_shared_word_without_a_dictionary_entry_is_its_own_bokmal_lemma(small_tables):
    assert small_tables.bokmal("aktiv") == ["aktiv"]
    assert small_tables.bokmal("inaktiv") == []


def test_a_compound_is_translated_part_by_part_preferring_listed_words(small_tables):
    # gjevar → giver is read off rådgjevar → rådgiver; arbeid has two Bokmål lemmas,
    # and only arbeidsgiver is a listed word.
    assert small_tables.bokmal("arbeidsgjevar") == ["arbeidsgiver"]
    # No listed candidate: the compound the Bokmål lexicon accepts.
    assert small_tables.bokmal("skulebølgje") == ["skolebølge"]


def test_an_unlisted_compound_is_analysed_and_translated_part_by_part(small_tables):
    assert small_tables.lemmas("busetjingsskular") == ["busetjingsskule"]
    assert small_tables.bokmal("busetjingsskule") == ["bosettingsskole"]
    # The first part must be a lemma, the last a listed form.
    assert small_tables.lemmas("xyzskulen") == []
    assert small_tables.lemmas("skularbølgjen") == []  # skular is a form, not a lemma
    assert small_tables.lemmas("busetjingsxyzen") == []


def test_coverage_counts_lemmas_with_a_bokmal_lemma():
    tables = Tables({"skulen": "skule", "skule": "skule", "bølgja": ("bølgje", "bølgj")}, {"skule": ("skole",)})
    assert nynorsk.coverage(tables) == pytest.approx(1 / 3)


# ---------------------------------------------------------------------------
# Cache, packages, fingerprint


def test_the_tables_are_built_once_and_then_read_from_the_cache(tmp_path):
    calls = []
    tables = Tables({"skulen": "skule"}, {"skule": ("skole",)})

    def build() -> Tables:
        calls.append(1)
        return tables

    assert nynorsk.load_tables(tmp_path, build) == tables
    assert nynorsk.load_tables(tmp_path, build) == tables
    assert len(calls) == 1
    nynorsk.cache_path(tmp_path).write_bytes(b"not a pickle")
    assert nynorsk.load_tables(tmp_path, build) == tables
    assert len(calls) == 2


@pytest.fixture
def package_files(tmp_path, monkeypatch) -> dict[str, tuple[Path, ...]]:
    files = {
        nynorsk.HUNSPELL_PACKAGE: (tmp_path / "nn.dic", tmp_path / "nn.aff"),
        nynorsk.FREEDICT_PACKAGE: (tmp_path / "nn-nb.index", tmp_path / "nn-nb.dict.dz"),
    }
    monkeypatch.setattr(nynorsk, "PACKAGE_FILES", files)
    monkeypatch.setattr(nynorsk, "DOC_DIR", tmp_path / "doc")
    monkeypatch.setattr(nynorsk, "_NYNORSK", None)
    return files


def test_missing_packages_are_named_with_the_command_that_installs_them(package_files):
    assert nynorsk.get_nynorsk() is None
    assert nynorsk.missing_packages() == [nynorsk.HUNSPELL_PACKAGE, nynorsk.FREEDICT_PACKAGE]
    for path in package_files[nynorsk.HUNSPELL_PACKAGE]:
        path.write_text("x")
    assert nynorsk.missing_packages() == [nynorsk.FREEDICT_PACKAGE]
    assert nynorsk.install_hint() == f"apt-get install -y {nynorsk.FREEDICT_PACKAGE}"


def test_the_fingerprint_follows_the_package_version_or_the_files(package_files, tmp_path):
    for files in package_files.values():
        for path in files:
            path.write_text("data")
    by_files = nynorsk.data_fingerprint()
    package_files[nynorsk.FREEDICT_PACKAGE][0].write_text("more data")
    assert nynorsk.data_fingerprint() != by_files

    changelog = tmp_path / "doc" / nynorsk.HUNSPELL_PACKAGE / "changelog.Debian.gz"
    changelog.parent.mkdir(parents=True)
    changelog.write_bytes(gzip.compress(b"libreoffice-dictionaries (1:7.5.0-1) unstable; urgency=medium\n"))
    assert "1:7.5.0-1" in nynorsk.data_fingerprint()
    old_cache = nynorsk.cache_path(tmp_path)
    changelog.write_bytes(gzip.compress(b"libreoffice-dictionaries (1:7.6.0-1) unstable; urgency=medium\n"))
    assert "1:7.6.0-1" in nynorsk.data_fingerprint()
    assert nynorsk.cache_path(tmp_path) != old_cache


# ---------------------------------------------------------------------------
# The Debian packages themselves


@pytest.fixture(scope="module")
def installed() -> Nynorsk:
    if nynorsk.missing_packages():
        pytest.skip("the Nynorsk packages are not installed: " + nynorsk.install_hint())
    found = nynorsk.get_nynorsk()
    assert found is not None
    return found


@pytest.mark.parametrize(
    "form, lemma, bokmal",
    [
        ("busetjing", "busetjing", "bosetting"),
        ("flyktningar", "flyktning", "flyktning"),
        ("einslege", "einsleg", "enslig"),
        ("skulen", "skule", "skole"),
        ("arbeidsgjevarar", "arbeidsgjevar", "arbeidsgiver"),
        ("kommunane", "kommune", "kommune"),
        ("ikkje", "ikkje", "ikke"),
    ],
)
def test_real_nynorsk_words_reach_their_bokmal_lemmas(installed, form, lemma, bokmal):
    assert lemma in installed.lemmas(form)
    assert bokmal in installed.bokmal(lemma)


def test_a_real_unlisted_compound_reaches_its_bokmal_lemma(installed):
    assert "busetjingskommune" in installed.lemmas("busetjingskommunane")
    assert "bosettingskommune" in installed.bokmal("busetjingskommune")


def test_a_compound_the_bokmal_lexicon_only_splits_keeps_itself_and_gets_its_parts_translated(installed):
    # Bokmål can split «kjønnsskilnad» (kjønn + skilnad) but says «kjønnsforskjell».
    assert installed.bokmal("kjønnsskilnad")[:2] == ["kjønnsskilnad", "kjønnsforskjell"]


def test_real_tables_know_no_made_up_word(installed):
    assert installed.lemmas("xqzzyvarar") == []
    assert installed.bokmal("xqzzyvar") == []


# ---------------------------------------------------------------------------
# Language detection

BOKMAL = (
    "Rapporten viser at kommunene har lyktes med bosettingen av flyktninger, men at mange ikke får arbeid "
    "etter introduksjonsprogrammet. Det er store forskjeller mellom kommunene i hvordan de følger opp "
    "deltakerne, og hva som skjer etter at programmet er avsluttet."
)
NYNORSK = (
    "Rapporten syner at kommunane har lukkast med busetjinga av flyktningar, men at mange ikkje får arbeid "
    "etter introduksjonsprogrammet. Det er store skilnader mellom kommunane i korleis dei følgjer opp "
    "deltakarane, og kva som skjer etter at programmet er avslutta."
)
ENGLISH = (
    "The report shows that the municipalities have succeeded in settling refugees, but that many do not "
    "find work after the introduction programme. There are large differences between municipalities in "
    "how they follow up the participants and what happens after the programme has ended."
)


@pytest.mark.parametrize(
    "text, language",
    [
        (BOKMAL, "nb"),
        (NYNORSK, "nn"),
        (ENGLISH, "en"),
        (
            "Flere av informantene sier at de ikke har fått nok informasjon om hva tilbudet innebærer, "
            "og at det er vanskelig å vite hvor de skal henvende seg.",
            "nb",
        ),
        (
            "Fleire av informantane seier at dei ikkje har fått nok informasjon om kva tilbodet inneber, "
            "og at det er vanskeleg å vite kvar dei skal vende seg.",
            "nn",
        ),
        (
            "Several of the informants say that they have not received enough information about what "
            "the service involves, and that it is difficult to know where to turn.",
            "en",
        ),
    ],
)
def test_the_language_of_a_paragraph(text, language):
    assert detect_language(text) == language


def test_a_bokmal_report_quoting_nynorsk_is_still_bokmal():
    assert detect_language(" ".join([BOKMAL, BOKMAL, NYNORSK, BOKMAL])) == "nb"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Ikkje no.",
        "Hovedfunn og anbefalinger",
        # Names and numbers: long enough, but no function words to go by.
        "Oslo Bergen Trondheim Stavanger Tromsø Bodø 2019 2020 Kristiansand Drammen Fredrikstad Sandnes Ålesund",
    ],
)
def test_too_little_to_go_by_gives_no_language(text):
    assert detect_language(text) is None


def test_each_report_gets_its_language_and_a_short_one_its_documents():
    from indexer.extract.pipeline import _tag_languages
    from indexer.records import Finding, Report

    def report(title: str, findings: list[str]) -> Report:
        return Report(id=title, title=title, theme=None, contractors=[], commissioner=None, published=None, year=None,
                      year_inferred=False, lead="", page_start=1, page_end=1,
                      findings=[Finding(f"{title}-{n}", text, 1, "Hovedfunn") for n, text in enumerate(findings)])

    nynorsk = report("Busetjing", [
        "Kommunane har ikkje nok bustader til dei som skal busetjast, og det er berre nokre få som får hjelp frå staten.",
        "Mange av dei einslege mindreårige seier at dei vil vere i kommunen, men kva dei treng, veit vi ikkje nok om.",
    ])
    short = report("Kort", ["Eit kort samandrag."])
    _tag_languages([nynorsk, short])
    assert nynorsk.language == "nn" and short.language == "nn"
