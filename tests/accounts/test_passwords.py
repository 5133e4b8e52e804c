"""Password rules and hashing: long, not common, argon2id."""

from __future__ import annotations

import pytest

from planbridge.accounts import passwords
from planbridge.errors import InvalidInput


def test_a_password_under_twelve_characters_is_refused_naming_the_rule():
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        passwords.check_new("short pass1")


@pytest.mark.parametrize("common", ["q1w2e3r4t5y6", "1QAZ2WSX3EDC"])
def test_a_common_password_is_refused_in_any_case(common):
    with pytest.raises(InvalidInput, match="commonly used"):
        passwords.check_new(common)


def test_the_shipped_list_holds_thousands_of_passwords():
    assert len(passwords.common_passwords()) > 10_000
    assert "password" in passwords.common_passwords()


def test_a_password_equal_to_the_email_is_refused():
    with pytest.raises(InvalidInput, match="email address or your name"):
        passwords.check_new("ada@example.com", email="ada@example.com")


def test_hash_is_argon2id_and_only_the_right_password_verifies():
    stored = passwords.hash_password("quay street tower crane")
    assert stored.startswith("$argon2id$")
    assert "quay" not in stored
    assert passwords.verify(stored, "quay street tower crane")
    assert not passwords.verify(stored, "quay street tower crane!")


def test_no_stored_hash_never_verifies():
    assert not passwords.verify(None, "anything at all here")
