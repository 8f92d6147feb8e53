"""The identifier normaliser: every spelling of one email or phone is one identifier; what cannot be one is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hocso.core.identifiers import IdentifierRefused, canonical_phone, normalize_email, normalize_identifier
from tests.conftest import PASSWORD, login, register

PHONE_SPELLINGS = [
    "0912 345 678",
    "+84 912345678",
    "84912345678",
    "+840912345678",
    "0912345678",
    "0912.345.678",
    "(+84) 912-345-678",
    "0084 912 345 678",
    "８４９１２３４５６７８",
    "+84 91 234 56 78",
    "84 0912 345 678",
]


@pytest.mark.parametrize("spelling", PHONE_SPELLINGS)
def test_every_spelling_of_a_vietnamese_mobile_is_one_number(spelling):
    assert canonical_phone(spelling) == "+84912345678"


def test_landlines_and_foreign_numbers_keep_their_length():
    assert canonical_phone("024 3825 1234") == "+842438251234"
    assert canonical_phone("+33 6 12 34 56 78") == "+33612345678"


@pytest.mark.parametrize(
    "spelling, fragment",
    [
        ("01681234567", "2018"),  # an old 11-digit mobile number
        ("+841681234567", "2018"),
        ("091234567", "10 digits"),
        ("09123456789", "10 digits"),
        ("+8491234567890", "10 digits"),
        ("+1 23", "8 to 15"),
        ("0912abc678", "phone number such as"),
        ("", "phone number such as"),
    ],
)
def test_wrong_phone_numbers_are_refused_saying_why(spelling, fragment):
    with pytest.raises(IdentifierRefused) as refused:
        canonical_phone(spelling)
    assert fragment in refused.value.en
    assert refused.value.vi and refused.value.vi != refused.value.en


def test_emails_fold_case_and_full_width_letters():
    assert normalize_email("  Lan.Nguyen@Example.VN ") == "lan.nguyen@example.vn"
    assert normalize_email("ｌａｎ＠ｅｘａｍｐｌｅ．ｖｎ") == "lan@example.vn"
    assert normalize_identifier("ＬＡＮ＠example.vn") == ("email", "lan@example.vn")


@pytest.mark.parametrize(
    "address",
    [
        "pаypal@example.vn",  # Cyrillic а
        "lan@exаmple.vn",  # Cyrillic а in the domain
        "lan@ví-dụ.vn",  # a non-ASCII domain: accepted only in its xn-- form
        "nguyễn@example.vn",
        "lan@@example.vn",
        "lan@localhost",
    ],
)
def test_look_alike_and_malformed_emails_are_refused(address):
    with pytest.raises(IdentifierRefused):
        normalize_email(address)


def test_an_internationalised_domain_in_its_ascii_form_is_accepted():
    assert normalize_email("lan@XN--V-D-RMA6749A.vn") == "lan@xn--v-d-rma6749a.vn"


_phone_chars = st.sampled_from(list("0123456789 .-()+８４０"))


@settings(derandomize=True, max_examples=400, deadline=None)
@given(st.one_of(st.text(_phone_chars, max_size=20), st.text(max_size=30), st.emails().map(str)))
def test_normalising_twice_changes_nothing(raw):
    try:
        kind, once = normalize_identifier(raw)
    except IdentifierRefused:
        return
    assert normalize_identifier(once) == (kind, once)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.sampled_from(["0", "+84", "84", "+840", "0084", "+84 0"]),
    st.sampled_from(list("35789")),
    st.text("0123456789", min_size=8, max_size=8),
    st.lists(st.sampled_from([" ", ".", "-"]), max_size=3),
)
def test_every_prefix_of_a_vietnamese_mobile_collapses_to_one_number(prefix, first, rest, separators):
    digits = first + rest
    spelled = prefix + "".join(separators) + digits[:3] + "".join(separators) + digits[3:]
    assert canonical_phone(spelled) == "+84" + digits


def _full_width(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


@st.composite
def _spelled(draw, text: str) -> str:
    """The text with each character, at random, upper-cased and/or full-width: what NFKC and case-folding undo."""
    out = []
    for ch in text:
        ch = ch.upper() if draw(st.booleans()) else ch
        out.append(_full_width(ch) if draw(st.booleans()) else ch)
    return "".join(out)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.emails().map(str), st.data())
def test_every_case_and_width_spelling_of_an_email_is_one_address(address, data):
    try:
        canonical = normalize_email(address)
    except IdentifierRefused:
        return  # refused however it is spelled: the test below covers what is refused
    spelled = data.draw(_spelled(address))
    assert normalize_email(spelled) == canonical
    assert normalize_identifier(" " + spelled + " ") == ("email", canonical)
    assert canonical == canonical.casefold() and canonical.isascii()


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    st.sampled_from(["0", "+84", "84", "+840", "0084"]),
    st.sampled_from(list("35789")),
    st.text("0123456789", min_size=8, max_size=8),
    st.data(),
)
def test_every_width_and_prefix_of_a_vietnamese_mobile_is_one_e164_number(prefix, first, rest, data):
    spelled = data.draw(_spelled(prefix + first + rest))
    e164 = canonical_phone(spelled)
    assert e164 == "+84" + first + rest
    assert normalize_identifier(spelled) == ("phone", e164)


def test_a_person_registered_with_one_spelling_signs_in_with_every_other(client):
    register(client, phone="+840912345678")
    for spelling in PHONE_SPELLINGS:
        login(client, spelling)
    # And registering another spelling of the same number does not make a second account.
    again = client.post("/api/v1/auth/register", json={"phone": "0912 345 678", "password": "other pass 42", "full_name": "X"})
    assert again.status_code == 201
    assert client.post("/api/v1/auth/login", data={"username": "84912345678", "password": "other pass 42"}).status_code == 401
    login(client, "0912345678", PASSWORD)


def test_refused_identifiers_get_a_422_in_the_callers_language(client):
    vi = client.post("/api/v1/auth/register", json={"phone": "01681234567", "password": PASSWORD, "full_name": "A"})
    en = client.post(
        "/api/v1/auth/register",
        json={"phone": "01681234567", "password": PASSWORD, "full_name": "A"},
        headers={"Accept-Language": "en"},
    )
    assert vi.status_code == en.status_code == 422
    assert "2018" in vi.json()["detail"] and "số di động" in vi.json()["detail"]
    assert "mobile numbers" in en.json()["detail"]
    cyrillic = client.post("/api/v1/auth/register", json={"email": "pаypal@example.vn", "password": PASSWORD, "full_name": "A"})
    assert cyrillic.status_code == 422 and "email" in cyrillic.json()["detail"]
    login_refused = client.post("/api/v1/auth/login", data={"username": "01681234567", "password": PASSWORD})
    assert login_refused.status_code == 422 and "2018" in login_refused.json()["detail"]
