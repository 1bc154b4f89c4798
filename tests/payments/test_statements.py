"""Bank-statement import: exact matches credit, everything else waits for an officer; re-import is a no-op."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from chinhquyenso.core.errors import DomainError, PermissionDenied
from chinhquyenso.payments.models import InvoiceStatus, LineStatus, Payment, StatementLine
from chinhquyenso.payments.services import statement_import, statement_line_resolve
from chinhquyenso.payments.statements import parse_amount, references_in
from tests import factories

pytestmark = pytest.mark.django_db


def csv_bytes(rows: list[tuple]) -> bytes:
    lines = ["Ngày giao dịch,Số tiền,Nội dung,Số tham chiếu"]
    lines += [",".join(str(c) for c in row) for row in rows]
    return "\n".join(lines).encode("utf-8")


def test_exact_reference_and_amount_is_credited(bank_account, make_invoice, officer):
    invoice = make_invoice(amount=50_000)
    data = csv_bytes([("05/01/2026", "50.000", f"NGUYEN VAN AN CK {invoice.reference} nop phi", "FT26005001")])
    statement = statement_import(bank_account=bank_account, content=data, name="saoke.csv", actor=officer)
    assert (statement.lines_total, statement.lines_new, statement.lines_matched) == (1, 1, 1)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_method == "vietqr"
    payment = Payment.objects.get(invoice=invoice)
    assert payment.statement_line.status == LineStatus.MATCHED and payment.provider_txn_no == "FT26005001"


def test_reference_is_found_whatever_the_spacing_case_and_accents(bank_account, make_invoice, officer):
    invoice = make_invoice(amount=30_000)
    ref = invoice.reference
    mangled = f"Chuyển tiền {ref[:3].lower()} {ref[3:7]}-{ref[7:].lower()} nộp lệ phí"
    assert references_in(mangled) == [ref]
    statement_import(bank_account=bank_account, content=csv_bytes([("2026-01-05", "30000", mangled, "")]),
                     name="a.csv", actor=officer)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_re_importing_the_same_statement_credits_nothing_twice(bank_account, make_invoice, officer):
    invoice = make_invoice(amount=20_000)
    data = csv_bytes([("05/01/2026", "20000", f"CK {invoice.reference}", "FT1"),
                      ("05/01/2026", "15000", "chuyen tien khong ro noi dung", ""),
                      ("05/01/2026", "15000", "chuyen tien khong ro noi dung", "")])  # two identical lines
    first = statement_import(bank_account=bank_account, content=data, name="a.csv", actor=officer)
    second = statement_import(bank_account=bank_account, content=data, name="a.csv", actor=officer)
    assert first.lines_new == 3 and second.lines_new == 0 and second.lines_total == 3
    assert StatementLine.objects.count() == 3
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_two_references_in_one_line_are_ambiguous(bank_account, make_invoice, officer):
    a, b = make_invoice(amount=10_000), make_invoice(amount=10_000)
    data = csv_bytes([("05/01/2026", "10000", f"{a.reference} {b.reference}", "")])
    statement_import(bank_account=bank_account, content=data, name="a.csv", actor=officer)
    line = StatementLine.objects.get()
    assert line.status == LineStatus.AMBIGUOUS and sorted(line.candidates) == sorted([a.pk, b.pk])
    a.refresh_from_db()
    assert a.status == InvoiceStatus.OPEN


def test_no_reference_but_same_amount_lists_the_candidates(bank_account, make_invoice, officer):
    a = make_invoice(amount=45_000)
    make_invoice(amount=99_000)
    statement_import(bank_account=bank_account, content=csv_bytes([("05/01/2026", "45.000 đ", "nop tien", "")]),
                     name="a.csv", actor=officer)
    line = StatementLine.objects.get()
    assert line.status == LineStatus.AMBIGUOUS and line.candidates == [a.pk]


def test_right_reference_wrong_amount_is_unmatched_with_the_reason(bank_account, make_invoice, officer):
    invoice = make_invoice(amount=50_000)
    statement_import(bank_account=bank_account, content=csv_bytes([("05/01/2026", "5000", invoice.reference, "")]),
                     name="a.csv", actor=officer)
    line = StatementLine.objects.get()
    assert line.status == LineStatus.UNMATCHED and line.candidates == [invoice.pk]
    assert "Số tiền khác" in line.note


def test_debits_are_skipped(bank_account, officer):
    statement = statement_import(bank_account=bank_account, content=csv_bytes([("05/01/2026", "-50000", "phi", "")]),
                                 name="a.csv", actor=officer)
    assert statement.lines_total == 1 and statement.lines_new == 0


def test_officer_matches_an_ambiguous_line_by_hand(bank_account, make_invoice, officer):
    invoice = make_invoice(amount=45_000)
    statement_import(bank_account=bank_account, content=csv_bytes([("05/01/2026", "45000", "nop tien", "")]),
                     name="a.csv", actor=officer)
    line = StatementLine.objects.get()
    statement_line_resolve(line=line, actor=officer, invoice=invoice, note="Công dân gọi điện xác nhận")
    line.refresh_from_db()
    invoice.refresh_from_db()
    assert line.status == LineStatus.MANUAL and invoice.status == InvoiceStatus.PAID
    with pytest.raises(DomainError):
        statement_line_resolve(line=line, actor=officer, invoice=invoice)


def test_manual_match_refuses_a_different_amount(bank_account, make_invoice, officer):
    invoice = make_invoice(amount=45_000)
    statement_import(bank_account=bank_account, content=csv_bytes([("05/01/2026", "40000", "nop tien", "")]),
                     name="a.csv", actor=officer)
    with pytest.raises(DomainError) as exc:
        statement_line_resolve(line=StatementLine.objects.get(), actor=officer, invoice=invoice)
    assert exc.value.code == "amount_mismatch"


def test_a_line_can_be_set_aside_with_a_reason(bank_account, officer):
    statement_import(bank_account=bank_account, content=csv_bytes([("05/01/2026", "1000000", "hoan ung", "")]),
                     name="a.csv", actor=officer)
    line = StatementLine.objects.get()
    with pytest.raises(DomainError):
        statement_line_resolve(line=line, actor=officer, ignore=True)
    statement_line_resolve(line=line, actor=officer, ignore=True, note="Tiền tạm ứng, không phải phí")
    line.refresh_from_db()
    assert line.status == LineStatus.IGNORED


def test_xlsx_with_a_title_block_above_the_header(bank_account, make_invoice, officer):
    invoice = make_invoice(amount=75_000)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["SAO KÊ TÀI KHOẢN"])
    sheet.append([])
    sheet.append(["Date", "Amount", "Description", "Reference"])
    import datetime as dt
    sheet.append([dt.datetime(2026, 1, 6, 9, 30), 75000, f"IBFT {invoice.reference}", "FT9"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    statement = statement_import(bank_account=bank_account, content=buffer.getvalue(), name="saoke.xlsx",
                                 actor=officer)
    assert statement.lines_matched == 1
    assert StatementLine.objects.get().booked_on == dt.date(2026, 1, 6)


def test_a_file_without_the_needed_columns_is_refused_in_vietnamese(bank_account, officer):
    with pytest.raises(DomainError) as exc:
        statement_import(bank_account=bank_account, content=b"a,b\n1,2\n", name="x.csv", actor=officer)
    assert exc.value.code == "statement_columns_missing"


def test_officer_of_another_commune_cannot_import(bank_account, make_staff):
    stranger = make_staff("reception_officer", factories.QUANG_PHU)
    with pytest.raises(PermissionDenied):
        statement_import(bank_account=bank_account, content=csv_bytes([]), name="a.csv", actor=stranger)


@pytest.mark.parametrize(("text", "value"), [("120.000", 120000), ("120,000", 120000), ("120000", 120000),
                                             ("120000.00", 120000), ("1.234.567 VND", 1234567), ("-5.000", -5000),
                                             ("(5.000)", -5000), (75000.0, 75000)])
def test_amounts_in_the_ways_banks_write_them(text, value):
    assert parse_amount(text) == value


def test_fractions_of_a_dong_are_not_amounts():
    with pytest.raises(ValueError):
        parse_amount("120000.50")
