"""Personal data (CCCD number, phone number) stays masked in lists, exports, public pages and logs
(Decree 13/2023/NĐ-CP on personal data protection; developers' guide)."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.security.conftest import CITIZEN_CCCD, CITIZEN_PHONE, REPORTER_PHONE, png_bytes

pytestmark = pytest.mark.django_db

MASKED_CCCD = CITIZEN_CCCD[:3] + "******" + CITIZEN_CCCD[-3:]
SECRETS = {"CCCD": CITIZEN_CCCD, "số điện thoại": CITIZEN_PHONE, "số điện thoại người phản ánh": REPORTER_PHONE}


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(" ".join("" if v is None else str(v) for v in row)
                     for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))


def digits_only(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch == "\n" or ch == " ")


def assert_no_personal_data(text: str, where: str) -> None:
    flat = text.replace(".", "").replace("-", "")  # 0912.345.678 is the same number
    found = [label for label, value in SECRETS.items() if value in text or value in flat]
    assert not found, f"{where} shows {found}"


# --- The masker itself (core.masking) -------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "0912345678", "0912 345 678", "0912.345.678", "091-234-5678", "+84912345678", "+84 912 345 678",
])
def test_phone_numbers_are_masked_however_they_are_written(written):
    from chinhquyenso.core.masking import mask_text

    masked = mask_text(f"Liên hệ {written} (chị Lan)")
    assert "912345678" not in digits_only(masked).replace(" ", ""), masked
    assert "678" in masked and "(chị Lan)" in masked


@pytest.mark.parametrize("written", ["046186000123", "046 186 000 123", "0461 8600 0123", "046.186.000.123"])
def test_cccd_numbers_are_masked_however_they_are_written(written):
    from chinhquyenso.core.masking import mask_text

    masked = mask_text(f"CCCD số {written}, cấp ngày 12/05/2021")
    assert "186000" not in masked.replace(" ", "").replace(".", ""), masked
    assert masked.endswith("cấp ngày 12/05/2021")


@pytest.mark.parametrize("text", [
    "Lệ phí 1.500.000 đồng", "Ngày 12/05/2026 lúc 08:30", "Mã hồ sơ 000.09.14.H57-260105-0001",
    "Diện tích 2.345,6 m²", "Quyết định số 766/QĐ-TTg", "Tổng vốn 1.500.000.000.000 đồng",
    "Các năm 2026 2027 2028", "Số tài khoản 1130 0000 0477", "Ngày 01.02.2026",
])
def test_masking_leaves_amounts_dates_and_codes_alone(text):
    from chinhquyenso.core.masking import mask_text

    assert mask_text(text) == text


GROUPINGS = [(4, 3, 3), (3, 3, 4), (4, 6), (10,)]


@given(rest=st.text(alphabet="0123456789", min_size=9, max_size=9), grouping=st.sampled_from(GROUPINGS),
       sep=st.sampled_from([" ", ".", "-"]), before=st.sampled_from(["SĐT ", "Gọi: ", "(", "số "]),
       after=st.sampled_from(["", ".", ", cảm ơn", ")"]))
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
def test_any_grouped_mobile_number_is_masked(rest, grouping, sep, before, after):
    from chinhquyenso.core.masking import mask_text

    number = "0" + rest
    parts, start = [], 0
    for size in grouping:
        parts.append(number[start:start + size])
        start += size
    masked = mask_text(f"{before}{sep.join(parts)}{after}")
    assert number not in "".join(ch for ch in masked if ch.isdigit()), masked


def test_two_phone_numbers_side_by_side_are_both_masked():
    from chinhquyenso.core.masking import mask_text

    assert mask_text("0912 345 678 0987 654 321") == "091****678 098****321"


# --- Logs -------------------------------------------------------------------------------------------


def _masking_handler() -> logging.Handler:
    from chinhquyenso.core.logging import MaskPersonalDataFilter

    for handler in logging.getLogger().handlers:
        if any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters):
            return handler
    pytest.fail("no log handler with MaskPersonalDataFilter (settings.LOGGING)")


def test_log_line_of_a_failed_scan_job_masks_the_cccd_and_phone_in_the_file_name(world):
    """A citizen's scan named after her CCCD and phone that turns out unreadable: the digitisation
    service logs the file name — through the configured handler it comes out masked."""
    from chinhquyenso.accounts.models import User
    from chinhquyenso.core.files import stored_file_create
    from chinhquyenso.digitization.services import scan_job_create, scan_job_run
    from chinhquyenso.units.models import AdministrativeUnit

    officer = User.objects.get(username="canbo.quangtho")
    broken = png_bytes()[:40]  # a PNG header (libmagic says image/png) without the image
    stored = stored_file_create(content=broken, name=f"CCCD {CITIZEN_CCCD} - SĐT {CITIZEN_PHONE}.png",
                                purpose="scan", uploaded_by=officer)
    job = scan_job_create(files=[stored], requested_by=officer, unit=AdministrativeUnit.objects.get(code="19894"),
                          title="Bản quét hỏng")
    handler = _masking_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream) if hasattr(handler, "setStream") else None
    level = logging.getLogger("chinhquyenso").level
    logging.getLogger("chinhquyenso").setLevel(logging.INFO)
    try:
        assert scan_job_run(job_id=job.pk) == "failed"
    finally:
        logging.getLogger("chinhquyenso").setLevel(level)
        if previous is not None:
            handler.setStream(previous)
    output = stream.getvalue()
    assert "unreadable" in output or "failed" in output, output  # the service did log the file
    assert MASKED_CCCD in output
    assert_no_personal_data(output, "the log")


# --- Public feedback pages and Open311 --------------------------------------------------------------


@pytest.fixture
def published_report(world):
    """The Quảng Thọ report, routed and published by the commune desk with the reporter's own text
    (phone written with dots, CCCD) left in it by mistake; answered with a phone in the answer."""
    from chinhquyenso.accounts.models import User
    from chinhquyenso.feedback.models import Feedback
    from chinhquyenso.feedback.services import feedback_route

    report = Feedback.objects.get(code=world["feedback_qt_code"])
    desk = User.objects.get(username="canbo.quangtho")
    dotted = f"{REPORTER_PHONE[:4]}.{REPORTER_PHONE[4:7]}.{REPORTER_PHONE[7:]}"
    return feedback_route(feedback=report, actor=desk, expected_version=report.version, publish=True,
                          public_description=f"Rác đổ trộm. Gọi {dotted} hoặc {REPORTER_PHONE}, CCCD {CITIZEN_CCCD}.")


@pytest.mark.parametrize("page", ["/phan-anh/", "/phan-anh/{code}/", "/phan-anh/ban-do.geojson",
                                  "/open311/v2/requests.json", "/open311/v2/requests/{code}.json",
                                  "/open311/v2/requests.xml", "/phan-anh/tra-cuu/?ma={code}"])
def test_public_feedback_pages_and_open311_mask_phone_and_cccd(page, published_report, client_as):
    url = page.format(code=published_report.code)
    response = client_as(None).get(url, follow=True)
    assert response.status_code == 200, url
    text = body_of(response)
    if "{code}" in page or page in ("/phan-anh/", "/open311/v2/requests.json", "/open311/v2/requests.xml"):
        assert published_report.code in text or "Rác" in text, f"{url} does not show the published report"
    assert_no_personal_data(text, url)
    assert "Lê Văn" not in text and published_report.contact_phone not in text


# --- Specialised data of e-forms (reporter role) ----------------------------------------------------


def test_specialised_data_table_masks_cccd_and_phone_for_the_reporter(world, client_as):
    response = client_as("baocao").get(f"/bieu-mau/du-lieu/{world['procedure_qt']}/")
    assert response.status_code == 200
    text = body_of(response)
    assert MASKED_CCCD in text  # the citizen's row is there, masked
    assert_no_personal_data(text, "bảng dữ liệu chuyên ngành (báo cáo viên)")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_specialised_data_exports_mask_cccd_and_phone_for_the_reporter(fmt, world, client_as):
    response = client_as("baocao").get(f"/bieu-mau/du-lieu/{world['procedure_qt']}/xuat.{fmt}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = xlsx_text(content) if fmt == "xlsx" else "\n".join(",".join(r) for r in csv.reader(
        io.StringIO(content.decode("utf-8-sig"))))
    assert MASKED_CCCD in text
    assert_no_personal_data(text, f"xuất {fmt} (báo cáo viên)")


def test_specialised_data_is_in_clear_for_the_commune_specialist(world, client_as):
    """Sanity: the masks above are a policy, not a missing column."""
    response = client_as("chuyenvien.quangtho").get(f"/bieu-mau/du-lieu/{world['procedure_qt']}/xuat.csv")
    assert CITIZEN_CCCD in body_of(response)


def test_reporter_cannot_use_the_filter_to_unmask_a_cccd(world, client_as):
    reporter = client_as("baocao")
    url = f"/bieu-mau/du-lieu/{world['procedure_qt']}/"
    hit = body_of(reporter.get(url, {"cot": "cccd", "phep": "contains", "gia_tri": CITIZEN_CCCD[:7]}))
    miss = body_of(reporter.get(url, {"cot": "cccd", "phep": "contains", "gia_tri": "0469999"}))
    assert (MASKED_CCCD in hit) == (MASKED_CCCD in miss), "the filter answers whether a masked CCCD starts so"


# --- Officers' lists: payments, dossier queues, postal, registers -----------------------------------


@pytest.mark.parametrize(("username", "url"), [
    ("tiepnhan", "/thanh-toan/can-bo/chua-thu/"),
    ("tiepnhan", "/thanh-toan/can-bo/sao-ke/"),
    ("tiepnhan", "/thanh-toan/can-bo/doi-soat/"),
    ("canbo.quangtho", "/thanh-toan/can-bo/chua-thu/"),
    ("canbo.quangtho", "/ho-so/can-bo/cho-tiep-nhan/"),
    ("chuyenvien.quangtho", "/ho-so/can-bo/cho-nhan-xu-ly/"),
    ("tiepnhan", "/ho-so/can-bo/cho-tiep-nhan/"),
    ("lanhdao", "/ho-so/so-theo-doi/"),
    ("lanhdao", "/ho-so/thong-ke/"),
    ("tiepnhan", "/buu-chinh/can-bo/"),
    ("canbo.quangtho", "/buu-chinh/can-bo/"),
    ("canbo.quangtho", "/phan-anh/dieu-phoi/"),
    ("tiepnhan", "/api/v1/dossiers/queues/intake"),
    ("chuyenvien.quangtho", "/api/v1/dossiers/queues/agency"),
    ("tiepnhan", "/api/v1/payments/invoices"),
    ("canbo.quangtho", "/can-bo/"),
    ("lanhdao", "/lanh-dao/"),
])
def test_officer_lists_show_no_cccd_or_phone(username, url, world, client_as):
    response = client_as(username).get(url)
    assert response.status_code == 200, f"{url} as {username} → {response.status_code}"
    assert_no_personal_data(body_of(response), f"{url} ({username})")


def test_dossier_register_export_for_the_reporter_has_no_cccd_or_phone(world, client_as):
    response = client_as("baocao").get("/ho-so/so-theo-doi/19894.xlsx")
    assert response.status_code == 200
    text = xlsx_text(response.content)
    assert world["dossier_qt_code"] in text
    assert_no_personal_data(text, "sổ theo dõi hồ sơ (xlsx)")


def test_public_receipt_check_shows_the_payer_name_abbreviated(world, client_as):
    response = client_as(None).get(f"/thanh-toan/tra-cuu-bien-lai/{world['receipt_token']}/")
    assert response.status_code == 200
    text = body_of(response)
    assert "Nguyễn T. L." in text and "Nguyễn Thị Lan" not in text
    assert_no_personal_data(text, "tra cứu biên lai")
