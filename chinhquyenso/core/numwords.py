"""Amounts in Vietnamese words, as written on receipts and invoices ("Số tiền bằng chữ").

``vnd_in_words(1_005_000) == "Một triệu không trăm lẻ năm nghìn đồng"``.

Why not ``num2words(lang="vi")``: it reads 1.010 as "một nghìn lẻ mười" and 2.001.000 as "hai triệu
một nghìn", while accounting practice (and every Vietnamese e-invoice) reads each group of three digits
after the first in full: "một nghìn không trăm mười", "hai triệu không trăm lẻ một nghìn". Amounts on a
receipt must not be ambiguous, so we write the full reading ourselves.

Conventions: "lẻ" for a zero tens digit, "mốt" for 1 after a tens digit ≥ 2, "lăm" for 5 after a tens
digit ≥ 1, "mười" for 10–19, "nghìn" (not "ngàn"), "tỷ" repeating for larger amounts ("một nghìn tỷ").
"""

from __future__ import annotations

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu")  # then "tỷ", applied recursively


def _three(n: int, *, full: bool) -> list[str]:
    """Words for 0 < n < 1000; ``full`` reads the hundreds even when zero ("không trăm")."""
    hundreds, tens, units = n // 100, (n // 10) % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("lẻ")
            words.append(_DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _below_billion(n: int, *, leading: bool) -> list[str]:
    groups = [(n // 1_000_000) % 1000, (n // 1000) % 1000, n % 1000]
    words: list[str] = []
    for index, group in enumerate(groups):
        if not group:
            continue
        # The first group actually written reads short ("mười lăm nghìn") only at the very start.
        words += _three(group, full=bool(words) or not leading)
        scale = _GROUPS[2 - index]
        if scale:
            words.append(scale)
    return words


def number_in_words(n: int) -> str:
    """Lower-case Vietnamese reading of a non-negative integer."""
    if n < 0:
        raise ValueError("negative amounts have no reading here")
    if n == 0:
        return "không"
    return " ".join(_words(n, leading=True))


def _words(n: int, *, leading: bool) -> list[str]:
    if n < 1_000_000_000:
        return _below_billion(n, leading=leading)
    billions, rest = divmod(n, 1_000_000_000)
    words = [*_words(billions, leading=leading), "tỷ"]
    if rest:
        words += _below_billion(rest, leading=False)
    return words


def vnd_in_words(amount: int) -> str:
    """"Mười lăm nghìn đồng" — capitalised, with the currency, as on a receipt."""
    text = f"{number_in_words(amount)} đồng"
    return text[0].upper() + text[1:]
