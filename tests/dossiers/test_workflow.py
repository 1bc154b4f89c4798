"""The dossier's life through the services: every transition and the refusal paths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.models import AuditEvent, DomainEvent
from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier, FeeStatus, Status
from tests import factories

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(y, m, d, h=9, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def submit(procedure, citizen, documents, **kw):
    return services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                   documents=documents(), **kw)


def fresh(d):
    return Dossier.objects.get(pk=d.pk)


def test_online_submission_gets_a_circular_code_an_8_hour_clock_and_the_fee(procedure, citizen, documents):
    d = submit(procedure, citizen, documents, now=at(2026, 11, 16, 9))  # Monday
    assert d.code == "000.00.14.H57-261116-0001"
    assert d.status == Status.SUBMITTED and d.channel == "online"
    # 8 working hours (07:00–11:30, 13:30–17:00): 6 h on Monday, 2 h on Tuesday morning.
    assert d.accept_due_at == at(2026, 11, 17, 9, 0)
    assert d.fee_total == 50_000 and d.fee_status == FeeStatus.UNPAID
    assert d.current_role == "reception_officer"
    assert d.applicant_id_number == citizen.citizen_profile.cccd
    second = submit(procedure, citizen, documents, now=at(2026, 11, 16, 10))
    assert second.code.endswith("-261116-0002")
    assert AuditEvent.objects.filter(action="dossier.submit").count() == 2
    assert DomainEvent.objects.filter(event_type="dossier.submitted").count() == 2


def test_a_missing_required_document_is_refused_with_its_name(procedure, citizen, documents):
    docs = documents()[:1]
    with pytest.raises(DomainError) as exc:
        services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                documents=docs)
    assert exc.value.code == "missing_required_document" and "Giấy chứng sinh" in exc.value.message
    assert Dossier.objects.count() == 0


def test_full_path_receive_process_review_approve_return(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents)
    d = services.dossier_receive(dossier=d, actor=officers["reception"], expected_version=d.version)
    assert d.status == Status.IN_PROGRESS and d.current_role == "specialist"
    assert d.current_agency.identifier_code == "000.05.14.H57"
    assert d.due_date and d.original_due_date == d.due_date
    d = services.dossier_take(dossier=d, actor=officers["specialist"], expected_version=d.version)
    assert d.current_holder == officers["specialist"]
    d = services.dossier_forward(dossier=d, actor=officers["specialist"], expected_version=d.version)
    assert d.status == Status.IN_PROGRESS and d.current_role == "department_head"
    d = services.dossier_forward(dossier=d, actor=officers["head"], expected_version=d.version)
    assert d.status == Status.PENDING_APPROVAL and d.current_role == "unit_leader"
    d = services.dossier_approve(dossier=d, actor=officers["leader"], expected_version=d.version)
    assert d.status == Status.APPROVED and d.result_file is not None and d.finished_at
    assert citizen.personal_documents.filter(kind="result").count() == 1, "result goes into the data warehouse"
    with pytest.raises(DomainError) as exc:
        services.dossier_return_result(dossier=d, actor=officers["reception"])
    assert exc.value.code == "fee_unpaid"
    services.dossier_mark_fee_paid(dossier_id=d.pk, amount=50_000, method="vnpay")
    services.dossier_mark_fee_paid(dossier_id=d.pk, amount=50_000, method="vnpay")  # idempotent
    d = services.dossier_return_result(dossier=fresh(d), actor=officers["reception"])
    assert d.status == Status.RETURNED and d.returned_at and not d.is_late
    steps = list(d.steps.values_list("kind", "outcome"))
    assert steps == [("reception", "received"), ("processing", "forwarded"), ("review", "forwarded"),
                     ("approval", "approved"), ("return", "returned")]
    rating = services.dossier_rate(dossier=d, actor=citizen, level=3, comment="Nhanh")
    assert rating.level == 3
    with pytest.raises(Conflict):
        services.dossier_rate(dossier=d, actor=citizen, level=1)


def test_officer_of_another_commune_cannot_receive(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents)
    with pytest.raises(PermissionDenied):
        services.dossier_receive(dossier=d, actor=officers["commune_reception"])
    assert fresh(d).status == Status.SUBMITTED


def test_wrong_role_cannot_act_and_wrong_agency_cannot_process(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents)
    with pytest.raises(PermissionDenied):
        services.dossier_receive(dossier=d, actor=officers["specialist"])
    d = services.dossier_receive(dossier=d, actor=officers["reception"])
    with pytest.raises(PermissionDenied):
        services.dossier_forward(dossier=d, actor=officers["other_specialist"])
    with pytest.raises(Conflict) as exc:  # the leader may approve, but not before processing is done
        services.dossier_approve(dossier=fresh(d), actor=officers["leader"])
    assert exc.value.code == "invalid_state"
    with pytest.raises(PermissionDenied):
        services.dossier_forward(dossier=fresh(d), actor=citizen)


def test_stale_version_two_officers_at_once_one_wins(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents)
    other = factories.make_staff("reception_officer", "477")
    seen = d.version
    services.dossier_receive(dossier=d, actor=officers["reception"], expected_version=seen)
    with pytest.raises(Conflict) as exc:
        services.dossier_refuse(dossier=d, actor=other, reason="Sai thủ tục", expected_version=seen)
    assert exc.value.code == "stale_version" and "người khác" in exc.value.message
    assert fresh(d).status == Status.IN_PROGRESS


def test_a_step_taken_by_one_specialist_cannot_be_taken_by_another(procedure, citizen, documents, officers):
    d = services.dossier_receive(dossier=submit(procedure, citizen, documents), actor=officers["reception"])
    colleague = factories.make_staff("specialist", "477", agency_code="000.05.14.H57")
    services.dossier_take(dossier=d, actor=officers["specialist"])
    with pytest.raises((Conflict, PermissionDenied)):
        services.dossier_take(dossier=fresh(d), actor=colleague)
    with pytest.raises(PermissionDenied):
        services.dossier_forward(dossier=fresh(d), actor=colleague)


def test_refusal_needs_a_reason_and_ends_processing(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents)
    with pytest.raises(DomainError) as exc:
        services.dossier_refuse(dossier=d, actor=officers["reception"], reason="  ")
    assert exc.value.code == "reason_required"
    d = services.dossier_refuse(dossier=d, actor=officers["reception"], reason="Không thuộc thẩm quyền")
    assert d.status == Status.REFUSED and d.finished_at and d.current_role == ""


def test_supplement_before_reception_restarts_the_8_hour_clock(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents, now=at(2026, 11, 23, 9))
    d = services.dossier_request_supplement(dossier=d, actor=officers["reception"], reason="Ảnh mờ",
                                            items=[{"name": "Giấy chứng sinh", "note": "chụp rõ"}])
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.supplement_count == 1
    d = services.dossier_supplement(dossier=d, actor=citizen, documents=documents()[1:], now=at(2026, 11, 25, 14))
    assert d.status == Status.SUBMITTED
    assert d.accept_due_at == at(2026, 11, 26, 14, 0), "3 h on Wednesday, 5 h on Thursday"


def test_supplement_during_processing_stops_the_clock_and_two_requests_make_it_late(
        procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents, now=at(2026, 11, 16, 9))
    d = services.dossier_receive(dossier=d, actor=officers["reception"], now=at(2026, 11, 16, 9))
    assert d.due_date == dt.date(2026, 11, 23)  # Monday + 5 working days
    d = services.dossier_request_supplement(dossier=d, actor=officers["specialist"], reason="Thiếu bản sao",
                                            items=[{"name": "Bản sao"}])
    Dossier.objects.filter(pk=d.pk).update(paused_at=at(2026, 11, 17, 9))  # Tuesday
    d = services.dossier_supplement(dossier=fresh(d), actor=citizen, documents=documents()[:1],
                                    now=at(2026, 11, 20, 9))  # Friday: 18, 19, 20 → 3 working days waiting
    assert d.status == Status.IN_PROGRESS and d.paused_working_days == 3
    # 23/11 + 3 working days, skipping Vietnamese Culture Day (24/11, a day off from 2026).
    assert d.due_date == dt.date(2026, 11, 27)
    d = services.dossier_request_supplement(dossier=d, actor=officers["specialist"], reason="Lần 2",
                                            items=[{"name": "X"}])
    d = services.dossier_supplement(dossier=d, actor=citizen, documents=documents()[:1])
    assert d.supplement_count == 2
    d = services.dossier_forward(dossier=d, actor=officers["specialist"])
    d = services.dossier_forward(dossier=d, actor=officers["head"])
    d = services.dossier_approve(dossier=d, actor=officers["leader"])
    assert d.is_late, "more than one supplement request counts as late (Decision 766, 2.1)"


def test_deadline_across_tet_2027(procedure, citizen, documents, officers):
    # Received Wednesday 3 Feb 2027; Tết 2027 closes 4–10 Feb; 5 working days → Tuesday 16 Feb? count:
    # 11 (Thu), 12 (Fri), 15 (Mon), 16 (Tue), 17 (Wed).
    d = submit(procedure, citizen, documents, now=at(2027, 2, 3, 9))
    d = services.dossier_receive(dossier=d, actor=officers["reception"], now=at(2027, 2, 3, 9))
    assert d.due_date == dt.date(2027, 2, 17)


def test_after_office_hours_counts_from_the_next_working_day(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents, now=at(2026, 11, 27, 18))  # Friday evening
    d = services.dossier_receive(dossier=d, actor=officers["reception"], now=at(2026, 11, 27, 18))
    assert d.due_date == dt.date(2026, 12, 7)  # counted from Monday 30/11: 5 working days later


def test_late_dossier_needs_an_apology_before_moving_on(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents, now=at(2026, 11, 2, 9))
    d = services.dossier_receive(dossier=d, actor=officers["reception"], now=at(2026, 11, 2, 9))
    assert d.due_date < timezone.localdate()
    with pytest.raises(DomainError) as exc:
        services.dossier_forward(dossier=d, actor=officers["specialist"])
    assert exc.value.code == "apology_required"
    new_due = timezone.localdate() + dt.timedelta(days=7)
    slip = services.dossier_apologize(dossier=fresh(d), actor=officers["specialist"], reason="Chờ xác minh",
                                      new_due_date=new_due)
    assert slip.previous_due_date == d.due_date
    d = services.dossier_forward(dossier=fresh(d), actor=officers["specialist"])
    assert d.current_role == "department_head" and d.is_late and d.apology_count == 1
    assert DomainEvent.objects.filter(event_type="dossier.apologized",
                                      payload__notify_user_ids=[citizen.pk]).exists()


def test_overdue_task_escalates_once_per_due_date(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents, now=at(2026, 11, 2, 9))
    services.dossier_receive(dossier=d, actor=officers["reception"], now=at(2026, 11, 2, 9))
    assert services.dossier_mark_overdue() == 1
    assert services.dossier_mark_overdue() == 0
    event = DomainEvent.objects.get(event_type="dossier.overdue")
    assert set(event.payload["notify_user_ids"]) == {officers["head"].pk, officers["leader"].pk}
    assert fresh(d).is_late


def test_citizen_withdraws_before_decision_but_not_after(procedure, citizen, documents, officers):
    d = submit(procedure, citizen, documents)
    d = services.dossier_withdraw(dossier=d, actor=citizen, reason="Nộp nhầm")
    assert d.status == Status.WITHDRAWN
    other = submit(procedure, citizen, documents)
    other = services.dossier_refuse(dossier=other, actor=officers["reception"], reason="Sai")
    with pytest.raises(Conflict):
        services.dossier_withdraw(dossier=other, actor=citizen, reason="x")
    stranger = factories.make_citizen()
    third = submit(procedure, citizen, documents)
    with pytest.raises(PermissionDenied):
        services.dossier_withdraw(dossier=third, actor=stranger, reason="x")


def test_rework_goes_back_to_processing(procedure, citizen, documents, officers):
    d = services.dossier_receive(dossier=submit(procedure, citizen, documents), actor=officers["reception"])
    d = services.dossier_forward(dossier=d, actor=officers["specialist"])
    d = services.dossier_forward(dossier=d, actor=officers["head"])
    d = services.dossier_return_for_rework(dossier=d, actor=officers["leader"], reason="Sai tên")
    assert d.status == Status.IN_PROGRESS and d.current_role == "department_head"
    d = services.dossier_return_for_rework(dossier=d, actor=officers["head"], reason="Sai tên")
    assert d.current_role == "specialist"


def test_leader_rejects_with_reason(procedure, citizen, documents, officers):
    d = services.dossier_receive(dossier=submit(procedure, citizen, documents), actor=officers["reception"])
    d = services.dossier_reject(dossier=d, actor=officers["leader"], reason="Không đủ điều kiện")
    assert d.status == Status.REJECTED and d.finished_at


def test_desk_registration_receives_at_once_and_commune_uses_its_own_sequence(procedure, citizen, documents,
                                                                              officers):
    d = services.dossier_register_at_desk(officer=officers["reception"], procedure=procedure,
                                          unit=factories.unit("477"), documents=documents(), form_data={},
                                          applicant_name="Trần Thị Bé", applicant_id_number="046190000111")
    assert d.channel == "desk" and d.status == Status.IN_PROGRESS and d.accept_due_at is None
    assert d.applicant is None and d.submitted_by == officers["reception"]
    with pytest.raises(PermissionDenied):
        services.dossier_register_at_desk(officer=officers["commune_reception"], procedure=procedure,
                                          unit=factories.unit("477"), documents=documents(), form_data={},
                                          applicant_name="X")
