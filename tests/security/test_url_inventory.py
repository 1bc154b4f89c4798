"""Every URL of the project, walked from the resolver and called as an anonymous visitor, as the demo
citizen, as another citizen and as a Quảng Phú officer on objects of Quảng Thọ and of the district.

The rules (developers' guide): every view checks the user's role in the unit the data belongs to;
an anonymous visitor sees public pages only; a forbidden object answers 403/404 — never 200 with
data and never 500. Each URL name must be classified below, so a new page cannot slip in unreviewed:
``test_every_url_is_classified`` fails until its owner puts it in one of the lists.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.security.urlwalk import Endpoint, endpoints, public_api_paths

pytestmark = pytest.mark.django_db

LOGIN_PATHS = ("/tai-khoan/dang-nhap/", "/quan-tri/login/")
NO_DATA = {401, 403, 404, 405}

# --- Classification of every URL name ------------------------------------------------------------

# Anonymous visitors may get 200 here (each with why it is public).
PUBLIC = {
    "portal:home": "trang chủ cổng thông tin",
    "portal:healthz": "kiểm tra sống cho bộ cân bằng tải (không có dữ liệu)",
    "accounts:login": "đăng nhập",
    "accounts:register": "đăng ký tài khoản công dân",
    "accounts:password_reset": "quên mật khẩu",
    "accounts:password_reset_done": "thông báo đã gửi thư đặt lại mật khẩu",
    "accounts:password_reset_confirm": "liên kết đặt lại mật khẩu (mã sai: trang báo liên kết hết hạn)",
    "accounts:password_reset_complete": "thông báo đặt lại mật khẩu xong",
    "calendar:year": "lịch làm việc công khai (ngày nghỉ, ngày làm bù)",
    "catalog:search": "tra cứu thủ tục hành chính",
    "catalog:detail": "trang một thủ tục",
    "catalog:template_download": "mẫu đơn, tờ khai (trống) của thủ tục",
    "feedback:list": "danh sách phản ánh đã công khai",
    "feedback:map_geojson": "bản đồ phản ánh đã công khai",
    "feedback:boundaries": "ranh giới xã (dữ liệu mở)",
    "feedback:boundaries_license": "giấy phép dữ liệu ranh giới",
    "feedback:duplicates": "gợi ý phản ánh tương tự đã công khai trước khi gửi",
    "feedback:lookup": "tra cứu phản ánh bằng mã",
    "feedback:detail": "chi tiết phản ánh đã công khai (chưa công khai: 404)",
    "feedback:photo": "ảnh đã công khai (ảnh gốc, ảnh chưa công khai: 404)",
    "open311:discovery": "Open311 GeoReport v2 (GET công khai)",
    "open311:services": "Open311: danh mục lĩnh vực",
    "open311:service_definition": "Open311: thuộc tính của lĩnh vực",
    "open311:requests": "Open311: phản ánh đã công khai",
    "open311:request": "Open311: một phản ánh (chưa công khai: chỉ trạng thái)",
    "open311:token": "Open311: đổi token lấy mã phản ánh",
    "payments:receipt_lookup": "kiểm tra biên lai qua mã QR (tên người nộp đã che)",
    "payments:vnpay_return": "trang VNPAY chuyển về (chỉ hiện kết quả khi chữ ký đúng)",
    "dossiers:lookup": "tra cứu hồ sơ bằng mã hồ sơ + mã bí mật",
    "admin:login": "trang đăng nhập quản trị",
    "admin:logout": "đăng xuất quản trị (GET chỉ chuyển về trang quản trị)",
    "admin:javascript-catalog": "bản dịch JavaScript của cây đơn vị (treebeard), không có dữ liệu",
    "api:openapi-json": "đặc tả OpenAPI của /api/v1/",
    "api:openapi-view": "tài liệu API",
    "api:api-root": "gốc API (404)",
    "oidc_authentication_init": "đăng nhập VNeID (404 khi chưa cấu hình OIDC)",
    "oidc_authentication_callback": "VNeID chuyển về (404 khi chưa cấu hình OIDC)",
    "set_language": "đổi ngôn ngữ (chỉ POST)",
    "accounts:logout": "đăng xuất (chỉ POST)",
}

# Called by other servers, authenticated by a signature instead of a session.
MACHINE = {
    "payments:vnpay_ipn": "IPN của VNPAY (GET có chữ ký, trả RspCode theo giao thức)",
    "notifications:webhook_sms": "báo cáo phát SMS (chữ ký HMAC)",
    "notifications:webhook_zalo": "sự kiện Zalo OA (chữ ký)",
    "delivery:webhook": "trạng thái bưu gửi (chữ ký HMAC)",
}

# Any logged-in person (citizen or staff): their own things, or forms for a procedure.
PERSONAL = {
    "portal:home_for_role", "portal:citizen_home", "accounts:personal_info",
    "notifications:inbox", "notifications:mark_read", "notifications:mark_all_read", "notifications:preferences",
    "eforms:fill", "eforms:review", "eforms:draft_discard",
    "feedback:submit", "feedback:mine", "feedback:citizen_action",
    "payments:mine", "payments:invoice", "payments:invoice_status", "payments:pay_vnpay", "payments:vietqr",
    "payments:vietqr_png", "payments:receipt_pdf",
    "delivery:mine", "delivery:shipment",
    "dossiers:mine", "dossiers:start", "dossiers:submit_unit", "dossiers:submit_documents",
    "dossiers:submit_delivery", "dossiers:submit_review", "dossiers:detail", "dossiers:submitted",
    "dossiers:supplement", "dossiers:withdraw", "dossiers:rate", "dossiers:result", "dossiers:document",
    "dossiers:slip",
    "warehouse:list", "warehouse:download", "warehouse:delete",
    "api:me", "api:list_invoices", "api:get_invoice", "api:start_vnpay", "api:get_vietqr", "api:get_shipment",
    "api:my_dossiers", "api:submit", "api:detail", "api:timeline",
}

# Officers only (a citizen gets 403/404). The Django admin (``quan-tri/``) is staff-only by rule.
STAFF = {
    "portal:workspace", "portal:leader_overview",
    "catalog:staff_list", "catalog:staff_create", "catalog:staff_import", "catalog:staff_export",
    "catalog:staff_report_missing_eforms", "catalog:staff_edit", "catalog:staff_documents",
    "catalog:staff_template_upload", "catalog:staff_terms", "catalog:staff_retire", "catalog:staff_reactivate",
    "eforms:builder_index", "eforms:builder", "eforms:builder_op", "eforms:builder_preview", "eforms:builder_json",
    "eforms:builder_publish", "eforms:builder_versions", "eforms:data_index", "eforms:data_table",
    "eforms:data_export",
    "feedback:coordinator_queue", "feedback:agency_queue", "feedback:statistics", "feedback:heat_json",
    "feedback:staff_detail", "feedback:staff_action",
    "payments:desk_payment", "payments:refund", "payments:cancel", "payments:unpaid", "payments:statements",
    "payments:statement", "payments:line_resolve", "payments:reconciliation",
    "delivery:officer_list", "delivery:dispatch", "delivery:cancel",
    "dossiers:act", "dossiers:queue", "dossiers:queue_intake", "dossiers:queue_return", "dossiers:queue_mine",
    "dossiers:queue_agency", "dossiers:queue_approval", "dossiers:queue_supplement", "dossiers:queue_tabs",
    "dossiers:desk_start",
    "dossiers:desk_register", "dossiers:register", "dossiers:register_xlsx", "dossiers:stats",
    "digitization:list", "digitization:detail", "digitization:status", "digitization:retry",
    "digitization:download", "digitization:text", "digitization:original",
    "api:desk_payment", "api:create_refund", "api:queue_page", "api:act",
}


def is_admin(e: Endpoint) -> bool:
    return e.pattern.startswith("quan-tri/") and e.name not in PUBLIC


def is_public(e: Endpoint) -> bool:
    return e.name in PUBLIC or e.pattern in public_api_paths()


def is_staff_only(e: Endpoint) -> bool:
    return e.name in STAFF or is_admin(e)


# --- Values for the path converters --------------------------------------------------------------


def values_for(e: Endpoint, w) -> dict[str, object]:
    """Plausible values: objects of the demo citizen in Quảng Thọ, and of the district desk."""
    v: dict[str, object] = {
        "year": 2026, "public_id": w["notification"], "uidb64": "MQ", "token": "set-password",
        "file_id": uuid.UUID(int=7), "code": w["procedure_qt_code"], "procedure_code": w["procedure_qt_code"],
        "procedure_id": w["procedure_qt"], "document_id": w["warehouse_document"], "photo_id": w["feedback_photo"],
        "variant": "original", "action": "route", "dossier_id": w["dossier_qt"], "kind": "control",
        "fmt": "json", "invoice_id": w["invoice_qt"], "statement_id": w["statement_district"],
        "line_id": w["statement_line_district"], "shipment_id": w["shipment_qt"], "job_id": w["scan_job_qt"],
        "order": 1, "unit_code": "19894", "queue": "intake", "service_code": w["feedback_category_code"],
        "request_id": w["feedback_qt_code"], "object_id": "1", "content_type_id": "1", "parent_id": "1",
        "id": "1", "app_label": "core", "url": "khong-co/",
    }
    if e.namespace == "feedback":
        v |= {"code": w["feedback_qt_code"], "action": "rate" if e.name == "feedback:citizen_action" else "route"}
    if e.name == "dossiers:document":
        v["document_id"] = w["dossier_qt_document"]
    if e.name == "catalog:staff_template_upload":
        v["document_id"] = w["required_document"]
    if e.name == "dossiers:act":
        v["action"] = "receive"
    if e.name == "api:act":
        v["action"] = "take"
    if e.name in ("eforms:data_export",):
        v["fmt"] = "csv"
    if e.name in ("payments:receipt_pdf",):
        v["invoice_id"] = w["invoice_district_paid"]
    if e.name == "payments:receipt_lookup":
        v["token"] = w["receipt_token"]
    if e.name == "api:get_unit":
        v["code"] = "19894"
    if e.name == "open311:token":
        v["token"] = "khong-co"
    return v


def url_of(e: Endpoint, world) -> str:
    try:
        return e.url(values_for(e, world))
    except KeyError as exc:
        pytest.fail(f"{e.name}: no value for the path parameter {exc} — add one in values_for() "
                    f"(tests/security/test_url_inventory.py)")


def call(client: Client, method: str, url: str, **kwargs):
    """The response, or a failure that names the exception a 500 would have hidden."""
    try:
        return getattr(client, method)(url, **kwargs)
    except Exception as exc:  # the test client re-raises what would be a 500
        pytest.fail(f"{method.upper()} {url} → 500 ({type(exc).__name__}: {exc})")


def redirect_to_login(response) -> bool:
    return response.status_code in (301, 302) and response["Location"].startswith(LOGIN_PATHS)


def describe(response) -> str:
    where = f" → {response['Location']}" if response.status_code in (301, 302) else ""
    return f"{response.status_code}{where}"


ALL = endpoints()


def ids(e: Endpoint) -> str:
    return e.name


# --- Defects found by these tests (xfail strict until the owner fixes them) -----------------------

CITIZEN_ON_STAFF_DEFECTS: dict[str, str] = {}
ANONYMOUS_DEFECTS: dict[str, str] = {}
OFFICER_DEFECTS: dict[str, str] = {}
OTHER_CITIZEN_DEFECTS: dict[str, str] = {}


def params(selected, defects: dict[str, str]):
    return [pytest.param(e, id=e.name, marks=[pytest.mark.xfail(strict=True, reason=defects[e.name])]
                         if e.name in defects else []) for e in selected]


# --- The inventory itself -------------------------------------------------------------------------


def test_every_url_is_classified():
    known = set(PUBLIC) | set(MACHINE) | PERSONAL | STAFF
    unclassified = [e.name for e in ALL if e.name not in known and not is_admin(e) and not is_public(e)]
    assert not unclassified, (f"URL chưa được phân loại — thêm vào PUBLIC/PERSONAL/STAFF/MACHINE trong "
                              f"tests/security/test_url_inventory.py: {unclassified}")
    stale = known - {e.name for e in ALL}
    assert not stale, f"phân loại cho URL không còn tồn tại: {sorted(stale)}"
    assert len(ALL) > 300  # the walk reached the included namespaces and the admin


def test_public_api_paths_are_found():
    assert "api/v1/catalog/procedures" in public_api_paths()
    assert "api/v1/dossiers/<dossier_id>" not in public_api_paths()


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", params(ALL, ANONYMOUS_DEFECTS))
def test_anonymous_get_sees_only_public_pages(endpoint: Endpoint, world):
    url = url_of(endpoint, world)
    response = call(Client(), "get", url)
    assert response.status_code < 500, f"GET {url} → {response.status_code}"
    if is_public(endpoint):
        return
    if endpoint.name in MACHINE:
        if response.status_code == 200:  # VNPAY's IPN answers in its protocol: refused, no data
            assert response.json()["RspCode"] != "00", response.content
        else:
            assert response.status_code in {400, *NO_DATA}, describe(response)
        return
    assert response.status_code in NO_DATA or redirect_to_login(response), (
        f"{endpoint.name}: GET {url} as anonymous → {describe(response)} (expected login, 401, 403 or 404)")


@pytest.mark.parametrize("endpoint", params(ALL, {}))
def test_anonymous_post_without_csrf_token_is_refused(endpoint: Endpoint, world):
    """Every form is CSRF-protected; endpoints exempt from it (API with its own auth, webhooks with
    a signature, Open311 with an API key) still refuse an anonymous body without a 500."""
    url = url_of(endpoint, world)
    response = call(Client(enforce_csrf_checks=True), "post", url, data={})
    from django.urls import resolve

    exempt = getattr(resolve(url).func, "csrf_exempt", False)
    if not exempt:
        assert response.status_code == 403, describe(response)
        assert "errors/403_csrf.html" in [t.name for t in response.templates], "403 without the CSRF page"
        return
    assert 400 <= response.status_code < 500, f"{endpoint.name}: POST {url} → {describe(response)}"


# --- The demo citizen on officers' pages -------------------------------------------------------------


@pytest.mark.parametrize("endpoint", params([e for e in ALL if is_staff_only(e)], CITIZEN_ON_STAFF_DEFECTS))
def test_citizen_is_refused_on_staff_pages(endpoint: Endpoint, world, client_as):
    url = url_of(endpoint, world)
    response = call(client_as("congdan"), "get", url)
    if is_admin(endpoint):  # the admin sends non-staff to its own login page
        assert redirect_to_login(response) or response.status_code in NO_DATA, describe(response)
        return
    assert response.status_code in NO_DATA, f"{endpoint.name}: GET {url} as citizen → {describe(response)}"


# --- Objects of Quảng Thọ and of the district ------------------------------------------------------

# URL names whose parameters point at one object of Quảng Thọ or of the district in the world.
OBJECT_URLS = sorted(
    {e.name for e in ALL if set(e.params) & {"dossier_id", "invoice_id", "shipment_id", "job_id", "statement_id",
                                             "line_id", "document_id", "photo_id", "public_id", "unit_code"}}
    | {"feedback:staff_detail", "feedback:staff_action", "feedback:detail", "feedback:citizen_action",
       "eforms:builder", "eforms:builder_op", "eforms:builder_preview", "eforms:builder_json",
       "eforms:builder_publish", "eforms:builder_versions", "dossiers:desk_register",
       "catalog:staff_edit", "catalog:staff_documents", "catalog:staff_terms", "catalog:staff_retire",
       "catalog:staff_reactivate", "open311:request"}
)
OBJECT_ENDPOINTS = [e for e in ALL if e.name in OBJECT_URLS and not is_admin(e)]
# The world's owners of those objects see them (so a 404 for the others is not vacuous).
OWNER_SEES = {
    "congdan": ["dossiers:detail", "dossiers:document", "payments:invoice", "payments:receipt_pdf",
                "delivery:shipment", "warehouse:download", "feedback:photo", "api:detail", "api:get_invoice",
                "api:get_shipment"],
    "canbo.quangtho": ["dossiers:detail", "digitization:detail", "feedback:staff_detail", "delivery:shipment",
                       "payments:invoice", "dossiers:slip", "api:detail"],
    "tiepnhan": ["payments:statement"],
    "lanhdao": ["dossiers:register_xlsx"],
}


@pytest.mark.parametrize(("username", "name"), [(u, n) for u, names in OWNER_SEES.items() for n in names])
def test_owners_see_their_objects(username, name, world, client_as):
    endpoint = next(e for e in ALL if e.name == name)
    url = url_of(endpoint, world)
    response = call(client_as(username), "get", url)
    assert response.status_code == 200, f"{name}: GET {url} as {username} → {describe(response)}"


@pytest.mark.parametrize("endpoint", params([e for e in OBJECT_ENDPOINTS if not is_public(e) or
                                             e.name in ("feedback:detail", "feedback:photo")], OFFICER_DEFECTS))
def test_quang_phu_officer_cannot_reach_objects_of_quang_tho_or_the_district(endpoint: Endpoint, world,
                                                                              client_as):
    url = url_of(endpoint, world)
    response = call(client_as("canbo.quangphu"), "get", url)
    assert response.status_code in NO_DATA, f"{endpoint.name}: GET {url} as canbo.quangphu → {describe(response)}"


@pytest.mark.parametrize("endpoint", params([e for e in OBJECT_ENDPOINTS if e.name in PERSONAL
                                             or e.name in ("feedback:detail", "feedback:photo")],
                                            OTHER_CITIZEN_DEFECTS))
def test_another_citizen_cannot_reach_the_demo_citizens_objects(endpoint: Endpoint, world, client_as):
    url = url_of(endpoint, world)
    response = call(client_as("doanhnghiep"), "get", url)
    assert response.status_code in NO_DATA, f"{endpoint.name}: GET {url} as doanhnghiep → {describe(response)}"


def _foreign_markers(world) -> dict[str, str]:
    from chinhquyenso.delivery.models import Shipment
    from chinhquyenso.payments.models import Invoice

    return {
        "mã hồ sơ Quảng Thọ": world["dossier_qt_code"],
        "mã hồ sơ huyện": world["dossier_district_code"],
        "mã phản ánh Quảng Thọ": world["feedback_qt_code"],
        "mã bưu gửi Quảng Thọ": Shipment.objects.get(pk=world["shipment_qt"]).order_code,
        "mã thanh toán Quảng Thọ": Invoice.objects.get(pk=world["invoice_qt"]).reference,
        "CCCD công dân": "046186000123",
    }


LIST_ENDPOINTS = [e for e in ALL if ((e.name in STAFF or e.name in PERSONAL) and not e.params)
                  or e.name in ("eforms:data_table", "eforms:data_export", "api:queue_page")]


@pytest.mark.parametrize("endpoint", params(LIST_ENDPOINTS, {}))
def test_quang_phu_officer_lists_hold_nothing_of_quang_tho_or_the_district(endpoint: Endpoint, world, client_as):
    url = url_of(endpoint, world)
    response = call(client_as("canbo.quangphu"), "get", url)
    assert response.status_code < 500, describe(response)
    if response.status_code != 200:
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    leaked = [label for label, marker in _foreign_markers(world).items() if marker and marker in text]
    assert not leaked, f"{endpoint.name}: {url} shows {leaked} to canbo.quangphu"


# --- Bad input in query strings --------------------------------------------------------------------

# Every query parameter some view reads (grep of request.GET and the GET forms), each set to junk.
QUERY_NAMES = [
    "sau", "truoc", "q", "don_vi", "phien_ban", "ma", "latitude", "longitude", "linh_vuc", "xem", "unit", "tu",
    "den", "trang_thai", "trang", "from", "to", "sua", "status", "qua_han", "phan", "page", "mtc", "loc", "error",
    "category", "cursor", "limit", "field", "level", "agency", "online", "tu_ngay", "den_ngay", "cot", "phep",
    "gia_tri", "ngay", "service_request_id", "service_code", "start_date", "end_date", "jurisdiction_id",
    "lat", "long", "page_size", "year", "next",
]
# "²" passes str.isdigit() but not int(); "1e309" is a float overflow; the last is a keyset cursor whose id
# overflows a SQL integer.
JUNK_VALUES = ["'\"><script>%00", "-1", "99/99/9999", "9" * 40, "2026-02-30", "a|b|c", "\u0000", "²", "1e309",
               "2026-01-05T08:00:00+07:00_" + "9" * 30]
# Who may open each kind of page, so the junk reaches the view and not the login redirect.
VISITOR = {"public": None, "personal": "congdan", "staff": "quantri", "machine": None}


def kind_of(e: Endpoint) -> str:
    if is_public(e):
        return "public"
    if e.name in MACHINE:
        return "machine"
    return "staff" if is_staff_only(e) else "personal"


BAD_INPUT_DEFECTS: dict[str, str] = {}


@pytest.mark.parametrize("endpoint", params([e for e in ALL if not is_admin(e)], BAD_INPUT_DEFECTS))
def test_junk_query_strings_never_give_a_500(endpoint: Endpoint, world, client_as):
    url = url_of(endpoint, world)
    client = client_as(VISITOR[kind_of(endpoint)])
    for junk in JUNK_VALUES:
        response = call(client, "get", url, data={name: junk for name in QUERY_NAMES})
        assert response.status_code < 500, f"{endpoint.name}: GET {url}?…={junk!r} → {describe(response)}"


# Names of the fields the views and forms read from POST (grep of request.POST/post.get and forms.py).
POST_NAMES = [
    "_action", "action", "agency", "assignee", "comment", "days", "direction", "group", "handle_days", "into",
    "language", "next", "note", "op", "public_description", "public_title", "publish", "rating", "reason", "ref",
    "remove", "section", "text", "unit", "version", "address_line", "address_text", "amount", "amount_vnd",
    "applicant_address", "applicant_email", "applicant_id_number", "applicant_name", "applicant_phone",
    "bank_account", "category", "cccd", "channel", "code", "count", "date_of_birth", "delivery_address",
    "description", "document_number", "email", "full_name", "gender", "id", "invoice", "issued_on", "kind",
    "latitude", "longitude", "method", "name", "new_due_date", "on_time", "page", "password", "phone", "pos_ref",
    "q", "result_delivery", "result_number", "title", "username", "village", "effective_from", "processing_days",
    "spec", "staff_attitude",
]
POST_JUNK = ["'\"><script>", "9" * 40, "²", "1e309"]
POST_DEFECTS: dict[str, str] = {}


@pytest.mark.parametrize("endpoint", params([e for e in ALL if not is_admin(e) and e.namespace != "api"],
                                            POST_DEFECTS))
def test_junk_form_fields_never_give_a_500(endpoint: Endpoint, world, client_as, settings):
    """Every field any form reads, set to junk, posted by someone allowed to post there. Each post
    is rolled back, so the next one meets the same state."""
    from django.db import transaction

    for name in ("VNPAY_API_URL", "POSTAL_API_URL", "SMS_API_URL", "ZALO_ZNS_URL"):
        setattr(settings, name, "http://127.0.0.1:9/")  # nothing listens: no call leaves the machine
    url = url_of(endpoint, world)
    client = client_as(VISITOR[kind_of(endpoint)])
    for junk in POST_JUNK:
        with transaction.atomic():
            response = call(client, "post", url, data={name: junk for name in {*POST_NAMES, *QUERY_NAMES}})
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{endpoint.name}: POST {url} (…={junk!r}) → {describe(response)}"
