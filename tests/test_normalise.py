"""Normalising identifiers: LinkedIn profile URLs in any spelling, and text that only looks like one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeknit.identity import normalise


@pytest.mark.parametrize("written", [
    "https://www.linkedin.com/in/Jane-Doe-42/", "linkedin.com/in/jane-doe-42", "http://uk.linkedin.com/pub/jane-doe-42/1/2",
    "www.linkedin.com/in/jane-doe-42?trk=x",
])
def test_profile_urls_in_any_spelling(written: str) -> None:
    assert normalise.linkedin_url(written) == "linkedin.com/in/jane-doe-42"


@pytest.mark.parametrize("text", [
    "https:[//www.linkedin.com/in/x", "linkedin.[com", "https://linkedin.com/company/x", "",
])
def test_text_that_is_no_profile_url_is_none(text: str) -> None:
    assert normalise.linkedin_url(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("linkedin.com/:[]@?#%-_ ahttps"), max_size=40))
def test_any_text_gives_a_profile_or_none(text: str) -> None:
    found = normalise.linkedin_url("linkedin." + text)
    assert found is None or found.startswith("linkedin.com/in/")


@pytest.mark.parametrize("written", ["+0123456789", "+01 23 45 67 89", "+00 44 20 7946 0018"])
def test_a_plus_before_a_zero_is_no_country_code(written: str) -> None:
    # "+01…" once read as country code 1 ("+0123456789" stored as if it were a number).
    assert normalise.phone(written, "US") is None
    assert normalise.phone(written, "DE") is None


def test_plain_international_numbers_still_normalise() -> None:
    assert normalise.phone("+1 415 555 0100", "DE") == "+14155550100"
    assert normalise.phone("+49 30 1234567", "US") == "+49301234567"
