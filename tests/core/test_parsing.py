"""core.parsing: numbers from untrusted text are ASCII digits within bounds, or nothing."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chinhquyenso.core.parsing import MAX_SQL_INT, is_ascii_digits, parse_id, parse_int, parse_uuid


@pytest.mark.parametrize(("raw", "expected"), [("12", 12), (" 12 ", 12), ("-3", -3), ("007", 7), ("0", 0)])
def test_ascii_integers_are_read(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", ["²", "①", "１２", "١٢", "1e3", "1.5", "12a", "", " ", "--1", "+1", "0x10", None,
                                 True, "9" * 40, str(MAX_SQL_INT + 1)])
def test_anything_else_is_the_default(raw):
    assert parse_int(raw) is None
    assert parse_int(raw, 5) == 5


def test_bounds_give_the_default_or_clamp():
    assert parse_int("0", 1, min_value=1) == 1
    assert parse_int("51", None, max_value=50) is None
    assert parse_int("51", 1, min_value=1, max_value=50, clamp=True) == 50
    assert parse_int("9" * 40, 1, min_value=1, max_value=50, clamp=True) == 50
    assert parse_int("-" + "9" * 40, 1, min_value=1, max_value=50, clamp=True) == 1
    assert parse_int("²", 1, min_value=1, max_value=50, clamp=True) == 1


def test_ids_are_positive_sql_integers():
    assert parse_id("42") == 42
    assert parse_id("0") is None and parse_id("-1") is None and parse_id(str(MAX_SQL_INT + 1)) is None
    assert parse_id(str(MAX_SQL_INT)) == MAX_SQL_INT


def test_ascii_digits():
    assert is_ascii_digits("0123")
    assert not is_ascii_digits("²") and not is_ascii_digits("１") and not is_ascii_digits("") and not is_ascii_digits(1)


def test_uuids():
    value = uuid.uuid4()
    assert parse_uuid(str(value)) == value and parse_uuid(value) == value
    assert parse_uuid("junk") is None and parse_uuid(None) is None and parse_uuid("x" * 100) is None


@given(st.text(max_size=30))
def test_parse_int_never_raises_and_agrees_with_int_on_ascii(text):
    value = parse_int(text)
    if value is not None:
        assert value == int(text)
        assert text.strip().lstrip("-").isascii()
