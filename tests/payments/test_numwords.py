"""Amounts in Vietnamese words (receipts): a table of readings and a property test against a parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinhquyenso.core.numwords import number_in_words, vnd_in_words


@pytest.mark.parametrize(("n", "words"), [
    (0, "không"), (5, "năm"), (10, "mười"), (15, "mười lăm"), (21, "hai mươi mốt"), (25, "hai mươi lăm"),
    (105, "một trăm lẻ năm"), (110, "một trăm mười"), (1_005, "một nghìn không trăm lẻ năm"),
    (1_010, "một nghìn không trăm mười"), (15_000, "mười lăm nghìn"), (120_000, "một trăm hai mươi nghìn"),
    (1_005_000, "một triệu không trăm lẻ năm nghìn"), (2_001_000, "hai triệu không trăm lẻ một nghìn"),
    (1_000_000_000, "một tỷ"), (1_005_000_000, "một tỷ không trăm lẻ năm triệu"),
    (1_000_000_000_000, "một nghìn tỷ"),
])
def test_readings_follow_accounting_practice(n, words):
    assert number_in_words(n) == words


def test_receipt_wording_is_capitalised_with_the_currency():
    assert vnd_in_words(50_000) == "Năm mươi nghìn đồng"


_DIGIT = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7,
          "tám": 8, "chín": 9}


def _parse(words: str) -> int:
    """An independent reader of the text (used only to check the writer)."""
    billions = total = group = 0
    pending: int | None = None
    for word in words.split():
        if word in _DIGIT:
            pending = _DIGIT[word]
        elif word == "mười":
            group += 10
        elif word == "mươi":
            group += pending * 10
            pending = None
        elif word == "trăm":
            group += pending * 100
            pending = None
        elif word in ("nghìn", "triệu"):
            total += (group + (pending or 0)) * (1000 if word == "nghìn" else 1_000_000)
            group, pending = 0, None
        elif word == "tỷ":
            billions = total + group + (pending or 0)
            total = group = 0
            pending = None
        elif word != "lẻ":
            raise AssertionError(word)
    return billions * 1_000_000_000 + total + group + (pending or 0)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=999_999_999_999))
def test_the_words_read_back_to_the_number(n):
    text = number_in_words(n)
    assert _parse(text) == n
    assert "  " not in text and text == text.strip()
