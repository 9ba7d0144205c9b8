"""Number normalisation: the forms one phone number arrives in compare equal (SPEC POP-2)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from callcore.numbers import MatchRules, ascii_digits, common_suffix_length, match_key, normalize
from callcore.settings import load_settings

GREECE = MatchRules(digits=10, international_prefix="00", country_code="30")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


def test_ascii_digits_keeps_digits_of_every_script():
    assert ascii_digits("(210) 687-7610") == "2106877610"
    assert ascii_digits("۲۱۰ ۶۸۷ ۷۶۱۰") == "2106877610"
    assert ascii_digits("٢١٠٦٨٧٧٦١٠") == "2106877610"
    assert ascii_digits("２１０６８７７６１０") == "2106877610"
    assert ascii_digits("ext. none") == ""


@pytest.mark.parametrize("number", [
    "00302126877610", "+302126877610", "+30 212 687 7610", "+30 (212) 687-7610",
    "2126877610", "212-687-7610", "302126877610", "0030 212 6877610",
])
def test_forms_of_one_greek_number_normalise_equal(number):
    assert normalize(number, GREECE) == "2126877610"


def test_persian_arabic_and_full_width_digits_count_as_digits():
    assert normalize("+30 2126877610".translate(PERSIAN), GREECE) == "2126877610"
    assert normalize("00302126877610".translate(ARABIC_INDIC), GREECE) == "2126877610"
    assert normalize("+302126877610".translate(FULL_WIDTH), GREECE) == "2126877610"


def test_foreign_number_keeps_its_country_code():
    assert normalize("+44 20 7946 0958", GREECE) == "442079460958"
    assert normalize("0044 20 7946 0958", GREECE) == "442079460958"
    # compared on the last 10 digits it equals the UK national form
    assert match_key(normalize("+44 20 7946 0958", GREECE), GREECE) == \
        match_key(normalize("020 7946 0958", GREECE), GREECE)


def test_bare_country_code_only_stripped_from_numbers_too_long_to_be_national():
    czech = MatchRules(digits=10, country_code="420")
    assert normalize("420601123456", czech) == "601123456"
    assert normalize("+420 601 123 456", czech) == "601123456"
    # a 9-digit national number that happens to start like the country code stays whole
    assert normalize("420123456", czech) == "420123456"


def test_outgoing_prefix_stripped_only_from_numbers_longer_than_internal():
    rules = MatchRules(outgoing_prefix="9", country_code="30", min_length=3, internal_length=3)
    assert normalize("9 2126877610", rules) == "2126877610"
    assert normalize("9 0030 2126877610", rules) == "2126877610"
    assert normalize("901", rules) == "901"          # an extension, not prefix + "01"


def test_outgoing_prefix_that_begins_the_international_prefix():
    rules = MatchRules(outgoing_prefix="0", international_prefix="00", country_code="30")
    assert normalize("00302126877610", rules) == "2126877610"      # international
    assert normalize("000302126877610", rules) == "2126877610"     # line + international
    assert normalize("02126877610", rules) == "2126877610"         # line + national


def test_numbers_outside_the_length_limits_are_excluded():
    rules = MatchRules(min_length=4, max_length=12, country_code="30")
    assert normalize("123", rules) is None                # internal extension
    assert normalize("1234", rules) == "1234"
    assert normalize("+1 234 5678 901234", rules) is None  # 14 digits
    assert normalize("anonymous", rules) is None
    assert normalize("", rules) is None


def test_prefix_settings_accept_plus_and_spaces():
    rules = MatchRules(country_code="+30", international_prefix="00 ")
    assert (rules.country_code, rules.international_prefix) == ("30", "00")


def test_rules_from_settings(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({
        "match": {"digits": 8, "min_length": 5, "max_length": 15, "similar": True},
        "dial": {"outgoing_prefix": "9", "international_prefix": "011", "country_code": "1",
                 "internal_length": 4},
    }), encoding="utf-8")
    rules = MatchRules.from_settings(load_settings(path, user_file=False))
    assert rules == MatchRules(digits=8, min_length=5, max_length=15, similar=True,
                               outgoing_prefix="9", international_prefix="011",
                               country_code="1", internal_length=4)


def test_match_key_and_common_suffix():
    assert match_key("442126877610", GREECE) == "2126877610"
    assert match_key("6877610", GREECE) == "6877610"
    assert common_suffix_length("442126877610", "2126877610") == 10
    assert common_suffix_length("2126877610", "2126877611") == 0


national = st.from_regex(r"\A[2-9][0-9]{9}\Z")


@given(national, st.sampled_from(["{n}", "+30{n}", "0030{n}", "+30 {a} {b}", "({a}) {b}-{c}",
                                  "0030-{a}-{b}{c}"]),
       st.sampled_from([None, PERSIAN, ARABIC_INDIC, FULL_WIDTH]))
def test_every_written_form_normalises_to_the_national_number(n, form, digits):
    text = form.format(n=n, a=n[:3], b=n[3:], c="")
    if digits is not None:
        text = text.translate(digits)
    assert normalize(text, GREECE) == n
