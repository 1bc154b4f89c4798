"""Administration of the one-stop configuration (law is data): process templates and their check,
dossier code rules and their preview, slip templates, read-only dossier browsing in the admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chinhquyenso.accounts.models import User
from chinhquyenso.core.models import AuditEvent
from chinhquyenso.dossiers import process
from chinhquyenso.dossiers.configuration import CODE_MAX_LENGTH, code_pattern_check, code_pattern_render
from chinhquyenso.dossiers.models import Dossier, DossierCodeRule, ProcessStep, ProcessTemplate, SlipTemplate, StepKind
from chinhquyenso.dossiers.services import code_rule_in_force, dossier_submit, process_template_validate
from tests import factories

pytestmark = pytest.mark.django_db

R, P, V, A, T = StepKind.RECEPTION, StepKind.PROCESSING, StepKind.REVIEW, StepKind.APPROVAL, StepKind.RETURN
DEFAULT_SHAPE = [(R, "reception_officer", "0"), (P, "specialist", "0.6"), (V, "department_head", "0.2"),
                 (A, "unit_leader", "0.2"), (T, "reception_officer", "0")]


def make_template(steps, *, procedure=None, name="Quy trình thử", active=False):
    template = ProcessTemplate.objects.create(name=name, procedure=procedure, unit_level="district",
                                              effective_from=dt.date(2026, 1, 1), is_active=active)
    ProcessStep.objects.bulk_create([
        ProcessStep(template=template, order=i, name=f"Bước {i}", kind=kind, role=role, budget_days=Decimal(budget))
        for i, (kind, role, budget) in enumerate(steps, start=1)])
    return template


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="quantri-hs", password="mat-khau-dai-123", email="qt@example.vn")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


# --- process_template_validate ------------------------------------------------------------------


def test_the_default_templates_are_valid(locality):
    assert process_template_validate(process.default_template("district")) == []
    assert process_template_validate(process.default_template("commune")) == []


@pytest.mark.parametrize(("steps", "expected"), [
    ([], "chưa có bước nào"),
    ([(P, "specialist", "0.8"), (A, "unit_leader", "0.2"), (T, "reception_officer", "0")], "Tiếp nhận"),
    ([(R, "reception_officer", "0"), (P, "specialist", "0.8"), (A, "unit_leader", "0.2")], "Trả kết quả"),
    ([(R, "reception_officer", "0"), (P, "specialist", "1"), (T, "reception_officer", "0")], "phê duyệt"),
    ([(R, "reception_officer", "0"), (P, "thu_quy", "0.8"), (A, "unit_leader", "0.2"),
      (T, "reception_officer", "0")], "“thu_quy” không có"),
    ([(R, "reception_officer", "0"), (P, "citizen", "0.8"), (A, "unit_leader", "0.2"),
      (T, "reception_officer", "0")], "“citizen” không có"),
    ([(R, "reception_officer", "0"), (P, "specialist", "0.6"), (A, "unit_leader", "0.2"),
      (T, "reception_officer", "0")], "0.8, phải bằng 1"),
    ([(R, "reception_officer", "0"), (P, "specialist", "3"), (A, "unit_leader", "0.5"),
      (T, "reception_officer", "0")], "Không trộn"),
    ([(R, "reception_officer", "0"), (P, "specialist", "3"), (A, "unit_leader", "2"),
      (T, "reception_officer", "0")], "Quy trình mặc định"),
])
def test_invalid_templates_are_explained(locality, steps, expected):
    problems = process_template_validate(make_template(steps))
    assert problems and any(expected in p for p in problems), problems


def test_absolute_days_must_equal_the_procedures_processing_time(procedure):
    # The fixture's procedure takes 5 working days.
    ok = make_template([(R, "reception_officer", "0"), (P, "specialist", "3"), (A, "unit_leader", "2"),
                        (T, "reception_officer", "0")], procedure=procedure)
    assert process_template_validate(ok) == []
    short = make_template([(R, "reception_officer", "0"), (P, "specialist", "2"), (A, "unit_leader", "2"),
                           (T, "reception_officer", "0")], procedure=procedure)
    assert process_template_validate(short) == [
        "Tổng thời gian các bước là 4 ngày làm việc, khác thời hạn giải quyết của thủ tục (5 ngày)."]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tenths=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=4))
def test_shares_are_valid_exactly_when_they_sum_to_one(locality, tenths):
    steps = [(R, "reception_officer", "0"), *((P, "specialist", str(Decimal(t) / 10)) for t in tenths),
             (A, "unit_leader", "0"), (T, "reception_officer", "0")]
    problems = process_template_validate(make_template(steps))
    assert (problems == []) == (sum(tenths) == 10), problems


# --- dossier code rules ------------------------------------------------------------------------


def test_the_circulars_code_rule_is_valid_and_fits_the_code_column(locality):
    rule = code_rule_in_force(dt.date(2026, 11, 26))
    assert code_pattern_check(rule.pattern) == []
    code = code_pattern_render(rule.pattern, day=dt.date(2026, 11, 26), seq=1)
    assert code == "000.00.14.H57-261126-0001"
    assert len(code_pattern_render(rule.pattern)) <= CODE_MAX_LENGTH == Dossier._meta.get_field("code").max_length


@pytest.mark.parametrize(("pattern", "expected"), [
    ("{agency}-{seq:04d}", "phải có đủ các trường: {date}"),
    ("{agency}-{date:%y%m%d}-{seq:04d}-{unit}", "không dùng: {unit}"),
    ("{}-{date}-{seq}", "không dùng: {}"),
    ("{agency.__class__}-{date:%y%m%d}-{seq}", "không được truy cập thuộc tính"),
    ("{agency}-{date:%y%m%d}-{seq:{agency}}", "lồng trường"),
    ("{agency}-{date:%Y%m%d%H%M%S}-{seq:020d}", "vượt quá 40 ký tự"),
    ("{agency}-{date:%y%m%d}-{seq:04q}", "không tạo được mã"),
    ("{agency-{date}-{seq}", "không"),
    ("{agency} {date:%y%m%d} {seq}", "khoảng trắng"),
])
def test_bad_code_patterns_are_refused(pattern, expected):
    problems = code_pattern_check(pattern)
    assert problems and any(expected in p for p in problems), problems


@given(order=st.permutations(["agency", "date", "seq"]), sep=st.sampled_from(["-", ".", "/", "_", ""]),
       width=st.integers(min_value=1, max_value=30), date_format=st.sampled_from(["%y%m%d", "%Y%m%d", "%d%m%Y"]))
def test_a_pattern_of_the_three_fields_passes_exactly_when_its_code_fits(order, sep, width, date_format):
    specs = {"agency": "{agency}", "date": "{date:" + date_format + "}", "seq": "{seq:0" + str(width) + "d}"}
    pattern = sep.join(specs[name] for name in order)
    fits = len(code_pattern_render(pattern)) <= CODE_MAX_LENGTH
    assert (code_pattern_check(pattern) == []) == fits


# --- the admin ---------------------------------------------------------------------------------


def steps_post_data(template, *, delete_kind=None, is_active=True) -> dict:
    data = {"name": template.name, "procedure": template.procedure_id or "", "unit_level": template.unit_level,
            "effective_from": template.effective_from.strftime("%d/%m/%Y"), "validation_report": "",
            "steps-TOTAL_FORMS": str(template.steps.count()), "steps-INITIAL_FORMS": str(template.steps.count()),
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000"}
    if is_active:
        data["is_active"] = "on"
    for i, step in enumerate(template.steps.order_by("order")):
        data.update({f"steps-{i}-id": step.pk, f"steps-{i}-template": template.pk, f"steps-{i}-order": step.order,
                     f"steps-{i}-name": step.name, f"steps-{i}-kind": step.kind, f"steps-{i}-role": step.role,
                     f"steps-{i}-agency": "", f"steps-{i}-agency_kind": step.agency_kind,
                     f"steps-{i}-budget_days": str(step.budget_days)})
        if step.kind == delete_kind:
            data[f"steps-{i}-DELETE"] = "on"
    return data


def test_process_template_admin_shows_the_check_and_refuses_to_activate_an_invalid_template(admin_client, locality):
    template = make_template(DEFAULT_SHAPE, active=True)
    url = reverse("admin:dossiers_processtemplate_change", args=[template.pk])
    page = admin_client.get(url).content.decode()
    assert "Kiểm tra quy trình" in page and "Hợp lệ." in page

    response = admin_client.post(url, steps_post_data(template, delete_kind=A), follow=True)
    assert response.status_code == 200
    template.refresh_from_db()
    assert not template.steps.filter(kind=A).exists(), "the change is saved"
    assert template.is_active is False, "but an invalid template is not left active"
    assert "chưa hợp lệ nên chưa được áp dụng" in response.content.decode()
    assert AuditEvent.objects.filter(action="admin.dossiers.processstep.delete").count() == 1
    assert AuditEvent.objects.filter(action="admin.dossiers.processtemplate.activation_refused").count() == 1
    assert "phê duyệt" in admin_client.get(url).content.decode()


def test_step_edits_are_audited(admin_client, locality):
    template = make_template(DEFAULT_SHAPE)
    data = steps_post_data(template, is_active=False)
    data["steps-1-name"] = "Thẩm định hồ sơ"
    admin_client.post(reverse("admin:dossiers_processtemplate_change", args=[template.pk]), data)
    event = AuditEvent.objects.get(action="admin.dossiers.processstep.change")
    assert event.before["name"] == "Bước 2" and event.after["name"] == "Thẩm định hồ sơ"


def test_the_activate_action_applies_only_valid_templates(admin_client, locality):
    valid = make_template(DEFAULT_SHAPE, name="Hợp lệ")
    invalid = make_template(DEFAULT_SHAPE[:-1], name="Thiếu bước trả")
    response = admin_client.post(reverse("admin:dossiers_processtemplate_changelist"), {
        "action": "activate", "_selected_action": [valid.pk, invalid.pk]}, follow=True)
    valid.refresh_from_db()
    invalid.refresh_from_db()
    assert valid.is_active and not invalid.is_active
    assert "Không áp dụng “Thiếu bước trả”" in response.content.decode()
    assert AuditEvent.objects.filter(action="admin.dossiers.processtemplate.activate").count() == 1


def test_code_rule_admin_validates_the_pattern_and_previews_a_code(admin_client, locality):
    add = reverse("admin:dossiers_dossiercoderule_add")
    bad = admin_client.post(add, {"effective_from": "01/07/2026", "pattern": "{agency}-{unit}-{seq}",
                                  "legal_basis": "Thông tư 03/2025"})
    assert bad.status_code == 200 and "không dùng: {unit}" in bad.content.decode()
    assert not DossierCodeRule.objects.filter(effective_from=dt.date(2026, 7, 1)).exists()
    good = admin_client.post(add, {"effective_from": "01/07/2026", "pattern": "{agency}.{date:%Y%m%d}.{seq:05d}",
                                   "legal_basis": "Thông tư 03/2025/TT-VPCP"})
    assert good.status_code == 302
    rule = DossierCodeRule.objects.get(effective_from=dt.date(2026, 7, 1))
    assert AuditEvent.objects.filter(action="admin.dossiers.dossiercoderule.add").count() == 1
    listing = admin_client.get(reverse("admin:dossiers_dossiercoderule_changelist")).content.decode()
    assert "000.00.14.H57." in listing and ".00001" in listing and ".09999" in listing
    assert 'name="pattern"' in admin_client.get(
        reverse("admin:dossiers_dossiercoderule_change", args=[rule.pk])).content.decode()


def test_a_code_rule_in_use_cannot_be_edited(admin_client, procedure, citizen, documents):
    dossier = dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                             documents=documents())
    page = admin_client.get(reverse("admin:dossiers_dossiercoderule_change", args=[dossier.code_rule_id]))
    body = page.content.decode()
    assert page.status_code == 200 and 'name="pattern"' not in body and "{agency}-{date:%y%m%d}-{seq:04d}" in body


def test_slip_template_admin_needs_an_existing_layout(admin_client, locality):
    add = reverse("admin:dossiers_sliptemplate_add")
    data = {"kind": "receipt", "effective_from": "01/07/2025", "form_number": "Mẫu số 01",
            "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "legal_basis": "Thông tư 03/2025/TT-VPCP",
            "template_name": "dossiers/pdf/khong-co.html", "confirmed": "on"}
    assert "Không có tệp khuôn mẫu" in admin_client.post(add, data).content.decode()
    data["template_name"] = "dossiers/pdf/receipt.html"
    assert admin_client.post(add, data).status_code == 302
    assert SlipTemplate.objects.get(kind="receipt").form_number == "Mẫu số 01"
    assert AuditEvent.objects.filter(action="admin.dossiers.sliptemplate.add").count() == 1


def test_dossiers_are_browsed_read_only_with_filters_and_no_exact_count(admin_client, procedure, citizen,
                                                                          documents, django_assert_max_num_queries):
    for _ in range(3):
        dossier = dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                 documents=documents())
    url = reverse("admin:dossiers_dossier_changelist")
    for query in ("", "?status__exact=submitted", "?channel__exact=online&is_late__exact=0",
                  f"?unit__id__exact={dossier.unit_id}", "?q=" + dossier.code):
        with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(20):
            response = admin_client.get(url + query)
        assert response.status_code == 200, query
        assert dossier.code in response.content.decode()
        counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
        assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
    change = reverse("admin:dossiers_dossier_change", args=[dossier.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert dossier.lookup_secret not in page.content.decode(), "the lookup secret is not shown"
    assert admin_client.post(change, {"status": "returned"}).status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"
