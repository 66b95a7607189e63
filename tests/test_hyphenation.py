"""Line-end hyphenation is repaired with the Norwegian word list; real hyphens survive."""
import pytest

from indexer.extract.hyphenation import join_lines


@pytest.mark.parametrize(
    "left, right, expected",
    [
        ("fullføre vide-", "regående opplæring", "fullføre videregående opplæring"),
        ("deltakere i introduksjons-", "programmet for flyktninger", "deltakere i introduksjonsprogrammet for flyktninger"),
        ("behov for nye bosettings-", "kommuner i år", "behov for nye bosettingskommuner i år"),
        ("alvorlige sikkerhets-", "utfordringer.", "alvorlige sikkerhetsutfordringer."),
    ],
)
def test_typesetter_breaks_are_joined(left, right, expected):
    assert join_lines(left, right) == expected


@pytest.mark.parametrize(
    "left, right, expected",
    [
        ("effekter av ulike NAV-", "tiltak, som kurs", "effekter av ulike NAV-tiltak, som kurs"),
        ("under covid-", "19-pandemien", "under covid-19-pandemien"),
        ("send en e-", "post til oss", "send en e-post til oss"),
        ("Integrerings-", "og mangfoldsdirektoratet", "Integrerings- og mangfoldsdirektoratet"),
        ("kunnskaps-", "og erfaringsdeling", "kunnskaps- og erfaringsdeling"),
    ],
)
def test_real_hyphens_are_kept(left, right, expected):
    assert join_lines(left, right) == expected


def test_lines_without_hyphen_get_a_space():
    assert join_lines("Boligmangel er ofte", "en flaskehals.") == "Boligmangel er ofte en flaskehals."


def test_dash_between_words_is_not_a_hyphen():
    assert join_lines("før og etter –", "introduksjonsordningen") == "før og etter – introduksjonsordningen"
