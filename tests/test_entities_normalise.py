"""Trader names folded for matching, on literal names; and entities over time from links
and corrections, on literal spellings."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transship.entities.clusters import Link, Period, Spelling, memberships
from transship.entities.normalise import (
    EMPTY,
    LEGAL_FORM_ONLY,
    NON_LATIN,
    OK,
    TOO_SHORT,
    normalise_name,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "country", "core", "legal_form"),
    [
        ("Golden Metals Co., Ltd.", "TH", "GOLDEN METALS", "CO LTD"),
        ("GOLDEN METALS CO LTD", "TH", "GOLDEN METALS", "CO LTD"),
        ("Golden Metals Company Limited", "TH", "GOLDEN METALS", "CO LTD"),
        ("golden metals co.,ltd", "TH", "GOLDEN METALS", "CO LTD"),
        ("Golden Metal Co Ltd (Thailand)", "TH", "GOLDEN METAL", "CO LTD"),
        ("Golden Metals (HK) Ltd", "HK", "GOLDEN METALS", "LTD"),
        ("Eastern Mining S.A. de C.V.", "MX", "EASTERN MINING", "SA DE CV"),
        ("Eastern Mining S. A. de C. V.", "MX", "EASTERN MINING", "SA DE CV"),
        ("Jade Union Sdn. Bhd.", "MY", "JADE UNION", "SDN BHD"),
        ("Jade Union Sendirian Berhad", "MY", "JADE UNION", "SDN BHD"),
        ("Kupfer Handels G.m.b.H.", "DE", "KUPFER HANDELS", "GMBH"),
        ("Hai Phong Minerals Joint Stock Company", "VN", "HAI PHONG MINERALS", "JSC"),
        ("Phoenix F.Z.E.", "AE", "PHOENIX", "FZE"),
        ("Orient Alloys Pvt. Ltd.", "IN", "ORIENT ALLOYS", "PVT LTD"),
        ("Orient Alloys Private Limited", "IN", "ORIENT ALLOYS", "PVT LTD"),
        ("Société Générale des Métaux SAS", "FR", "SOCIETE GENERALE DES METAUX", "SAS"),
        ("Đông Á Metals JSC", "VN", "DONG A METALS", "JSC"),
        ("Atlas Group (Holdings) Ltd", "HK", "ATLAS GROUP HOLDINGS", "LTD"),
        ("PT Sinar Mas Tbk", "ID", "SINAR MAS", "TBK"),
        ("Ege Metal A.Ş.", "TR", "EGE METAL", "AS"),
        ("A & B Trading Co", "US", "A AND B TRADING", "CO"),
    ],
)
def test_spellings_of_one_firm_fold_to_its_core(
    raw: str, country: str, core: str, legal_form: str
) -> None:
    name = normalise_name(raw, country)
    assert (name.core, name.legal_form, name.status) == (core, legal_form, OK)


def test_short_legal_forms_come_off_only_for_their_countries() -> None:
    # 'SA' is Mexico's (and others'), not a word to strip from every name.
    assert normalise_name("Grupo Minero SA", "MX").core == "GRUPO MINERO"
    assert normalise_name("Grupo Minero SA", None).core == "GRUPO MINERO SA"
    assert normalise_name("Ege Metal AS", "TH").core == "EGE METAL AS"


def test_an_address_in_the_name_field_is_cut_off() -> None:
    after_comma = normalise_name("GOLDEN METALS CO LTD, 88 Sukhumvit Rd, Bangkok", "TH")
    assert (after_comma.core, after_comma.address) == ("GOLDEN METALS", "88 SUKHUMVIT RD, BANGKOK")
    no_comma = normalise_name("Golden Metals Co Ltd 88 Sukhumvit Rd", "TH")
    assert (no_comma.core, no_comma.address) == ("GOLDEN METALS", "88 SUKHUMVIT RD")
    # A comma that does not start an address is punctuation.
    assert normalise_name("Golden Metals, Co., Ltd.", "TH").address is None


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (None, EMPTY),
        ("", EMPTY),
        ("   ", EMPTY),
        ("X", TOO_SHORT),
        ("-", TOO_SHORT),
        ("123", TOO_SHORT),
        ("CO LTD", LEGAL_FORM_ONLY),
        ("Co., Ltd.", LEGAL_FORM_ONLY),
        ("Limited", LEGAL_FORM_ONLY),
        ("金属有限公司", NON_LATIN),
        ("\u041e\u041e\u041e \u041c\u0435\u0442\u0430\u043b\u043b", NON_LATIN),
        ("金属 Co Ltd", NON_LATIN),
    ],
)
def test_names_the_model_cannot_match_say_why(raw: str | None, status: str) -> None:
    assert normalise_name(raw, "CN").status == status


def test_other_scripts_are_never_transliterated() -> None:
    # A Latin name beside another script keeps only its Latin part.
    mixed = normalise_name("Golden Metals 金属 Co Ltd", "CN")
    assert (mixed.core, mixed.status) == ("GOLDEN METALS", OK)
    assert normalise_name("Металл Trading", "RU").core == "TRADING"


def test_tokens_join_single_letters_and_close_apostrophes() -> None:
    assert tokens("S A DE C V") == ["SA", "DE", "CV"]
    assert tokens("O'HARE LOGISTICS") == ["OHARE", "LOGISTICS"]
    assert tokens("P.T.E. LTD") == ["PTE", "LTD"]


D1, D2, D3, D4 = date(2023, 1, 1), date(2023, 3, 1), date(2023, 6, 1), date(2024, 1, 1)


def test_a_later_spelling_does_not_change_earlier_entities() -> None:
    """b and c do not link; a later d links both: before d, b and c are two entities."""
    spellings = [Spelling(1, D1, "b"), Spelling(2, D2, "c"), Spelling(3, D4, "d")]
    found = memberships(spellings, [Link(1, 3, 0.99), Link(2, 3, 0.98)])
    assert found == [
        Period(1, 1, D1, None),
        Period(2, 2, D2, D4),
        Period(2, 1, D4, None),
        Period(3, 1, D4, None),
    ]


def test_the_entity_founded_first_keeps_its_id() -> None:
    spellings = [Spelling(5, D2, "late"), Spelling(9, D1, "early")]
    found = memberships(spellings, [Link(5, 9, 0.99)])
    assert {p.founder for p in found} == {9}
    assert found == [Period(5, 9, D2, None), Period(9, 9, D1, None)]


def test_different_firms_are_never_joined_by_any_path() -> None:
    spellings = [Spelling(1, D1, "a"), Spelling(2, D2, "b"), Spelling(3, D3, "c")]
    links = [Link(1, 3, 0.99), Link(2, 3, 0.97)]
    found = memberships(spellings, links, different=[(1, 2)])
    current = {p.key: p.founder for p in found if p.valid_to is None}
    assert current[1] != current[2]
    # The stronger link wins the spelling between them.
    assert current[3] == current[1]


def test_analysts_links_come_before_the_models() -> None:
    spellings = [Spelling(1, D1, "a"), Spelling(2, D1, "b"), Spelling(3, D1, "c")]
    links = [Link(1, 3, 0.99), Link(2, 3, 1.0, analyst=True)]
    found = memberships(spellings, links, different=[(1, 2)])
    current = {p.key: p.founder for p in found}
    assert current[3] == current[2] != current[1]


def test_a_link_to_an_unknown_spelling_is_ignored() -> None:
    found = memberships([Spelling(1, D1, "a")], [Link(1, 2, 0.99)])
    assert found == [Period(1, 1, D1, None)]


def test_one_spelling_that_fits_two_firms_does_not_bridge_them() -> None:
    """'Sapphire Export' links to both firms' spellings; it joins the one it links to most
    strongly and the other stays apart."""
    alpine = [Spelling(1, D1, "SAPPHIRE ALPINE EXPORT"), Spelling(2, D1, "Sapphire Alpine Export")]
    union = [Spelling(3, D1, "SAPPHIRE UNION EXPORT"), Spelling(4, D1, "Sapphire Union Export")]
    short = Spelling(5, D2, "Sapphire Export")
    links = [Link(1, 2, 1.0), Link(3, 4, 1.0)]
    links += [Link(5, k, 0.999) for k in (1, 2)] + [Link(5, k, 0.99) for k in (3, 4)]
    current = {p.key: p.founder for p in memberships([*alpine, *union, short], links)}
    assert current[5] == current[1] == current[2]
    assert current[3] == current[4] != current[1]


@given(
    st.text(max_size=40),
    st.sampled_from([None, "TH", "MX", "DE", "MY", "VN", "ID", "RU", "JP", "US"]),
)
def test_any_name_folds_to_plain_words_and_folding_again_changes_nothing(
    raw: str, country: str | None
) -> None:
    name = normalise_name(raw, country)
    assert all(word.isascii() and word.isalnum() and word == word.upper() for word in name.tokens)
    if name.status == OK:
        again = normalise_name(name.core, country)
        assert (again.core, again.status) == (name.core, OK)


def test_no_level_of_a_trained_model_can_veto_or_force_a_link() -> None:
    from transship.entities.model import FLOOR, floored

    settings = {
        "comparisons": [
            {
                "comparison_levels": [
                    {"is_null_level": True},
                    {"m_probability": 0.9, "u_probability": 0.0},
                    {"m_probability": 1e-12, "u_probability": 0.4},
                    {},
                ]
            }
        ]
    }
    levels = floored(settings)["comparisons"][0]["comparison_levels"]
    assert levels[0] == {"is_null_level": True}
    assert levels[1] == {"m_probability": 0.9, "u_probability": FLOOR}
    assert levels[2] == {"m_probability": FLOOR, "u_probability": 0.4}
    assert levels[3] == {"m_probability": FLOOR, "u_probability": FLOOR}
