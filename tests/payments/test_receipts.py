"""Electronic receipts: gap-free numbers per agency and year, and the PDF itself."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading

import pytest
from django.db import connection, transaction

from chinhquyenso.payments.models import Receipt, ReceiptCounter
from chinhquyenso.payments.services import payment_record_desk, receipt_pdf

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_per_agency(make_invoice, officer, commune_desk, desk):
    for _ in range(3):
        invoice = make_invoice()
        payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    other = make_invoice(agency=commune_desk)
    payment_record_desk(invoice=other, method="cash", amount=other.amount, actor=officer)
    assert list(Receipt.objects.filter(agency=desk).order_by("number").values_list("number", flat=True)) == [1, 2, 3]
    assert Receipt.objects.get(agency=commune_desk).number == 1


def test_a_new_year_starts_again_at_one(make_invoice, officer, desk):
    ReceiptCounter.objects.create(agency=desk, year=2000, last_number=999)
    invoice = make_invoice()
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    receipt = Receipt.objects.get(invoice=invoice)
    assert receipt.number == 1 and receipt.year == dt.datetime.now().year


def test_a_rolled_back_payment_gives_its_number_back(make_invoice, officer):
    first = make_invoice()
    with pytest.raises(RuntimeError), transaction.atomic():
        payment_record_desk(invoice=first, method="cash", amount=first.amount, actor=officer)
        raise RuntimeError("printer jam after the payment was written")
    second = make_invoice()
    payment_record_desk(invoice=second, method="cash", amount=second.amount, actor=officer)
    assert Receipt.objects.get().number == 1


def test_receipt_pdf_has_the_motto_the_number_and_the_amount_in_words(make_invoice, officer, tmp_path):
    invoice = make_invoice(amount=1_005_000, payer_name="Nguyễn Thị Lan")
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    receipt = Receipt.objects.get(invoice=invoice)
    data = receipt_pdf(receipt=receipt)
    assert data.startswith(b"%PDF-")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = " ".join(text.split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in squeezed
    assert "Độc lập - Tự do - Hạnh phúc" in squeezed
    assert "Số: 0000001" in squeezed and receipt.symbol in squeezed
    assert "1.005.000 đồng" in squeezed
    assert "Một triệu không trăm lẻ năm nghìn đồng" in squeezed
    assert "Nguyễn Thị Lan" in squeezed and "Bộ phận Tiếp nhận và Trả kết quả" in squeezed
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Liberation-Serif" in fonts or "LiberationSerif" in fonts
    # Stored once; the second download reads the stored file.
    receipt.refresh_from_db()
    assert receipt.pdf_id is not None
    assert receipt_pdf(receipt=receipt) == data


def test_receipt_lookup_page_confirms_a_receipt_without_revealing_the_name(client, make_invoice, officer):
    invoice = make_invoice(payer_name="Nguyễn Thị Lan")
    payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
    receipt = Receipt.objects.get()
    page = client.get(f"/thanh-toan/tra-cuu-bien-lai/{receipt.lookup_token}/").content.decode()
    assert "0000001" in page and "Nguyễn T. L." in page and "Nguyễn Thị Lan" not in page
    assert client.get("/thanh-toan/tra-cuu-bien-lai/khong-co/").status_code == 404


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_get_distinct_gap_free_numbers(make_invoice, officer):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested: PostgreSQL only")
    invoices = [make_invoice() for _ in range(12)]
    barrier = threading.Barrier(len(invoices))
    errors = []

    def pay(invoice):
        try:
            barrier.wait()
            payment_record_desk(invoice=invoice, method="cash", amount=invoice.amount, actor=officer)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(i,)) for i in invoices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(Receipt.objects.values_list("number", flat=True)) == list(range(1, 13))
    assert ReceiptCounter.objects.get().last_number == 12
