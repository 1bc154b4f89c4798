"""The officers' pages: queues, the working page and its actions (each refusal path), the desk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier, Status
from tests import factories
from tests.dossiers.conftest import upload

pytestmark = pytest.mark.django_db


def submit(procedure, documents, citizen=None, unit="477", **kw):
    return services.dossier_submit(procedure=procedure, unit=factories.unit(unit),
                                   applicant=citizen or factories.make_citizen(), form_data={},
                                   documents=documents(), **kw)


def act(client, dossier, action, **data):
    data.setdefault("version", Dossier.objects.get(pk=dossier.pk).version)
    return client.post(reverse("dossiers:act", args=[dossier.pk, action]), data)


def fresh(dossier):
    return Dossier.objects.get(pk=dossier.pk)


def test_the_intake_queue_lists_new_dossiers_by_their_8_hour_clock_with_tabs_and_counts(
        client, procedure, documents, officers, django_assert_max_num_queries):
    TZ = timezone.get_current_timezone()
    later = submit(procedure, documents, now=dt.datetime(2026, 11, 17, 9, tzinfo=TZ))
    earlier = submit(procedure, documents, now=dt.datetime(2026, 11, 16, 9, tzinfo=TZ))
    for i in range(20):
        submit(procedure, documents, now=dt.datetime(2026, 11, 18, 8, i, tzinfo=TZ))
    client.force_login(officers["reception"])
    assert client.get(reverse("dossiers:queue")).url == reverse("dossiers:queue_intake")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("dossiers:queue_intake"))
    assert response.status_code == 200
    codes = [r["code"] for r in response.context["rows"]]
    assert codes[:2] == [earlier.code, later.code], "earliest deadline first"
    assert response.context["rows"][0]["mark"]["status"] == "overdue", "past its 8-working-hour clock"
    assert [t["queue"] for t in response.context["tabs"]] == ["intake", "return", "supplement"]
    assert "Tiếp nhận hồ sơ trực tiếp" in response.content.decode()
    # The counts come in a second, htmx-loaded request once the rows are on screen.
    assert reverse("dossiers:queue_tabs", args=["intake"]) in response.content.decode()
    with django_assert_max_num_queries(8):
        tabs_response = client.get(reverse("dossiers:queue_tabs", args=["intake"]), HTTP_HX_REQUEST="true")
    tabs = {t["queue"]: t["count"] for t in tabs_response.context["tabs"]}
    assert tabs == {"intake": 22, "return": 0, "supplement": 0}
    assert 'data-testid="count-intake">22<' in tabs_response.content.decode()


def test_the_queue_page_query_count_does_not_grow_with_rows(client, procedure, documents, officers,
                                                            django_assert_max_num_queries):
    for _ in range(60):
        submit(procedure, documents)
    client.force_login(officers["reception"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("dossiers:queue_intake"))
    assert len(response.context["rows"]) == 50


def test_more_rows_come_by_keyset_and_htmx_swaps_only_the_rows(client, procedure, documents, officers, monkeypatch):
    from chinhquyenso.dossiers import views_officer

    monkeypatch.setattr(views_officer, "PAGE_SIZE", 2)
    made = [submit(procedure, documents) for _ in range(5)]
    client.force_login(officers["reception"])
    first = client.get(reverse("dossiers:queue_intake"))
    next_url = first.context["next_url"]
    assert next_url and "sau=" in next_url
    partial = client.get(next_url, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<table" not in body and "queue-more" in body, "only the rows and the next 'Xem thêm'"
    seen = [r["code"] for r in first.context["rows"]] + [r["code"] for r in partial.context["rows"]]
    plain = client.get(partial.context["next_url"])
    seen += [r["code"] for r in plain.context["rows"]]
    assert sorted(seen) == sorted(d.code for d in made) and len(set(seen)) == 5


def test_a_citizen_has_no_queue(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("dossiers:queue")).status_code == 403
    assert client.get(reverse("dossiers:queue_approval")).status_code == 403


def test_a_queue_the_officer_does_not_work_is_not_found(client, officers):
    client.force_login(officers["specialist"])
    assert client.get(reverse("dossiers:queue_intake")).status_code == 404


def test_an_officer_of_another_unit_gets_not_found(client, procedure, documents, officers):
    dossier = submit(procedure, documents)
    client.force_login(officers["commune_reception"])
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404
    assert act(client, dossier, "receive").status_code == 404
    assert fresh(dossier).status == Status.SUBMITTED


def test_the_working_page_shows_form_documents_history_and_only_allowed_actions(client, procedure, documents,
                                                                                officers):
    dossier = submit(procedure, documents)
    client.force_login(officers["reception"])
    response = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert {t.action for t in response.context["simple_actions"]} == {"receive"}
    assert {f["transition"].action for f in response.context["reason_forms"]} == {"refuse"}
    assert "request_supplement" in response.context["actions"] and "withdraw" not in response.context["actions"]
    assert 'data-testid="action-receive"' in body and reverse("dossiers:document", args=[
        dossier.pk, dossier.documents.first().pk]) in body
    assert reverse("dossiers:slip", args=[dossier.pk, "control"]) in body
    assert response.context["intake_due"] is not None
    client.force_login(officers["specialist"])
    response = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert response.status_code == 200 and not response.context["simple_actions"]
    assert 'data-testid="no-actions"' in response.content.decode()


def test_receiving_with_a_stale_version_says_someone_else_acted_and_offers_a_reload(client, procedure, documents,
                                                                                   officers):
    dossier = submit(procedure, documents)
    seen = dossier.version
    other = factories.make_staff("reception_officer", "477", agency_code="000.09.14.H57")
    services.dossier_receive(dossier=dossier, actor=other)
    client.force_login(officers["reception"])
    response = act(client, dossier, "receive", version=seen)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Hồ sơ vừa được người khác cập nhật" in body and 'data-testid="reload"' in body
    assert fresh(dossier).received_at is not None


def test_a_refusal_needs_a_reason_shown_beside_the_field(client, procedure, documents, officers):
    dossier = submit(procedure, documents)
    client.force_login(officers["reception"])
    response = act(client, dossier, "refuse", **{"refuse-reason": "  "})
    assert response.status_code == 400
    form = next(f["form"] for f in response.context["reason_forms"] if f["transition"].action == "refuse")
    assert "Vui lòng nhập lý do" in form.errors["reason"][0]
    response = act(client, dossier, "refuse", **{"refuse-reason": "Không thuộc thẩm quyền"})
    assert response.status_code == 302 and fresh(dossier).status == Status.REFUSED


def test_a_supplement_request_lists_items_and_refuses_an_empty_list(client, procedure, documents, officers):
    dossier = submit(procedure, documents)
    client.force_login(officers["reception"])
    response = act(client, dossier, "request_supplement", **{"request_supplement-reason": "Thiếu giấy"})
    assert response.status_code == 400
    assert response.context["supplement_form"].errors["item_0_name"]
    response = act(client, dossier, "request_supplement", **{
        "request_supplement-reason": "Giấy chứng sinh bị mờ",
        "request_supplement-item_0_name": "Giấy chứng sinh", "request_supplement-item_0_copy_kind": "Bản chính",
        "request_supplement-item_0_quantity": "1", "request_supplement-item_0_note": "chụp rõ hơn",
        "request_supplement-item_1_name": "", "request_supplement-item_1_quantity": ""})
    assert response.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.supplement_requests.get().items == [
        {"name": "Giấy chứng sinh", "copy_kind": "Bản chính", "quantity": 1, "note": "chụp rõ hơn"}]


def test_district_flow_through_the_pages_take_forward_approve_return(client, procedure, documents, officers):
    dossier = submit(procedure, documents)
    client.force_login(officers["reception"])
    assert act(client, dossier, "receive").status_code == 302
    client.force_login(officers["specialist"])
    page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert page.context["can_take"]
    assert act(client, dossier, "take").status_code == 302
    page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert "Chuyển bước: Lãnh đạo phòng xem xét" in page.content.decode()
    assert act(client, dossier, "forward", note="Đủ điều kiện").status_code == 302
    client.force_login(officers["head"])
    assert "Trình lãnh đạo phê duyệt" in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert act(client, dossier, "forward").status_code == 302
    assert fresh(dossier).status == Status.PENDING_APPROVAL
    client.force_login(officers["leader"])
    response = client.post(reverse("dossiers:act", args=[dossier.pk, "approve"]), {
        "version": fresh(dossier).version, "approve-result_number": "15/GKS",
        "approve-result_file": upload("ket-qua-ky.pdf", b"signed")})
    assert response.status_code == 302
    dossier = fresh(dossier)
    assert dossier.status == Status.APPROVED and dossier.result_number == "15/GKS"
    assert dossier.result_file.original_name == "ket-qua-ky.pdf"
    client.force_login(officers["reception"])
    unpaid = act(client, dossier, "return_result")
    assert unpaid.status_code == 400 and "chưa nộp phí" in unpaid.content.decode().lower()
    services.dossier_mark_fee_paid(dossier_id=dossier.pk, amount=50_000, method="cash")
    assert act(client, dossier, "return_result").status_code == 302
    assert fresh(dossier).status == Status.RETURNED


def test_a_department_head_assigns_the_step_to_a_specialist(client, procedure, documents, officers):
    dossier = services.dossier_receive(dossier=submit(procedure, documents), actor=officers["reception"])
    client.force_login(officers["head"])
    page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert page.context["can_assign"]
    assert officers["specialist"] in page.context["assignees"]
    assert officers["other_specialist"] not in page.context["assignees"], "another department's specialist"
    bad = act(client, dossier, "assign", assignee=officers["other_specialist"].pk)
    assert bad.status_code == 400 and "Vui lòng chọn cán bộ" in bad.content.decode()
    assert act(client, dossier, "assign", assignee=officers["specialist"].pk).status_code == 302
    assert fresh(dossier).current_holder == officers["specialist"]


def test_a_late_dossier_asks_for_the_apology_slip_before_moving_on(client, procedure, documents, officers):
    TZ = timezone.get_current_timezone()
    dossier = submit(procedure, documents, now=dt.datetime(2026, 1, 5, 9, tzinfo=TZ))
    dossier = services.dossier_receive(dossier=dossier, actor=officers["reception"],
                                       now=dt.datetime(2026, 1, 5, 9, tzinfo=TZ))
    client.force_login(officers["specialist"])
    response = act(client, dossier, "forward")
    assert response.status_code == 400 and "Phiếu xin lỗi" in response.content.decode()
    assert response.context["due"].status == "overdue"
    past = act(client, dossier, "apologize", **{"apologize-reason": "Chờ xác minh", "apologize-new_due_date":
                                                "2026-01-06"})
    assert past.status_code == 400 and past.context["apology_form"].errors["new_due_date"]
    new_date = timezone.localdate() + dt.timedelta(days=7)
    ok = act(client, dossier, "apologize", **{"apologize-reason": "Chờ xác minh",
                                              "apologize-new_due_date": new_date.isoformat()})
    assert ok.status_code == 302
    assert fresh(dossier).due_date == new_date
    assert act(client, dossier, "forward").status_code == 302
    page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert reverse("dossiers:slip", args=[dossier.pk, "apology"]) in page.content.decode()


def test_a_citizen_cannot_take_an_officers_action_on_their_own_dossier(client, citizen, procedure, documents):
    dossier = submit(procedure, documents, citizen=citizen)
    client.force_login(citizen)
    response = act(client, dossier, "receive")
    assert response.status_code == 403 and fresh(dossier).status == Status.SUBMITTED


def test_an_unknown_action_is_not_found(client, procedure, documents, officers):
    dossier = submit(procedure, documents)
    client.force_login(officers["reception"])
    assert act(client, dossier, "explode").status_code == 404


# --- desk registration ----------------------------------------------------------------------------

def test_the_desk_records_a_walk_in_with_scans_linked_to_the_citizen_account(client, procedure, officers, citizen,
                                                                            tmp_path):
    client.force_login(officers["reception"])
    found = client.get(reverse("dossiers:desk_start"), {"q": "khai sinh"})
    assert procedure.pk in [p.pk for p in found.context["results"]]
    url = reverse("dossiers:desk_register", args=[procedure.pk])
    page = client.get(url)
    assert page.status_code == 200 and [u.code for u in page.context["units"]] == ["477"]
    docs = {rd.name: rd for rd in procedure.required_documents.all()}
    data = {"channel": "desk", "unit": factories.unit("477").pk, "applicant_name": "Nguyễn Văn An",
            "applicant_id_number": citizen.citizen_profile.cccd, "applicant_phone": "0905111222",
            "result_delivery": "desk", f"file_{docs['Tờ khai đăng ký khai sinh'].pk}": upload("tk.pdf")}
    missing = client.post(url, data)
    assert missing.status_code == 400
    assert "Giấy chứng sinh" in next(r["error"] for r in missing.context["documents"] if r["error"])
    # The page asks for every file again, so the one scan received is not kept as an orphan.
    from chinhquyenso.core.models import StoredFile

    assert StoredFile.objects.count() == 0
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    data[f"file_{docs['Tờ khai đăng ký khai sinh'].pk}"] = upload("tk.pdf")
    data[f"file_{docs['Giấy chứng sinh'].pk}"] = upload("cs.jpg")
    response = client.post(url, data)
    dossier = Dossier.objects.get()
    assert response.url == reverse("dossiers:detail", args=[dossier.pk])
    assert dossier.channel == "desk" and dossier.status == Status.IN_PROGRESS and dossier.received_at
    assert dossier.applicant == citizen and dossier.submitted_by == officers["reception"]
    assert set(dossier.documents.values_list("source", flat=True)) == {"scan"}
    assert dossier.fee_total == 50_000
    from chinhquyenso.payments.models import Invoice

    assert Invoice.objects.filter(subject_id=str(dossier.pk)).count() == 1
    page = client.get(response.url)
    assert reverse("dossiers:slip", args=[dossier.pk, "receipt"]) in page.content.decode()


def test_the_desk_of_a_unit_that_does_not_handle_the_procedure_is_told_so(client, procedure, officers):
    client.force_login(officers["commune_reception"])
    page = client.get(reverse("dossiers:desk_register", args=[procedure.pk]))
    assert page.status_code == 200 and 'data-testid="desk-not-here"' in page.content.decode()


def test_only_reception_officers_use_the_desk(client, procedure, officers):
    client.force_login(officers["specialist"])
    assert client.get(reverse("dossiers:desk_start")).status_code == 403
    assert client.get(reverse("dossiers:desk_register", args=[procedure.pk])).status_code == 403


# --- home page sections ---------------------------------------------------------------------------

def test_the_officer_workspace_counts_the_dossiers_to_receive(client, procedure, documents, officers):
    submit(procedure, documents)
    submit(procedure, documents)
    client.force_login(officers["reception"])
    page = client.get(reverse("portal:workspace"))
    sections = {s.key: s for s in page.context["sections"]}
    assert sections["dossiers.to_receive"].count == 2
    assert sections["dossiers.to_receive"].url == reverse("dossiers:queue_intake")


def test_the_citizen_home_counts_open_dossiers(client, citizen, procedure, documents):
    submit(procedure, documents, citizen=citizen)
    client.force_login(citizen)
    sections = {s.key: s for s in client.get(reverse("portal:citizen_home")).context["sections"]}
    assert sections["dossiers.mine"].count == 1 and sections["dossiers.mine"].url == reverse("dossiers:mine")
