"""The workflow: deadlines in working days with pause and extension, transfer, reopen once,
escalation, and two officers acting at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.events import DomainEvent
from chinhquyenso.core.models import AuditEvent
from chinhquyenso.feedback import services
from chinhquyenso.feedback.constants import Status
from chinhquyenso.feedback.models import Feedback
from tests.feedback.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(submit, coordinator):
    feedback = submit()
    return services.feedback_route(feedback=feedback, actor=coordinator, expected_version=feedback.version,
                                   now=at(2026, 3, 3, 8))


def test_deadlines_are_working_days_from_receipt(submit):
    feedback = submit(now=at(2026, 3, 2, 9))  # Monday
    assert feedback.received_on == dt.date(2026, 3, 2)
    assert feedback.moderation_due == dt.date(2026, 3, 4)  # refuse within 2 working days
    assert feedback.supplement_due == dt.date(2026, 3, 9)  # ask for more within 5
    assert feedback.due_date == dt.date(2026, 3, 23)  # answer within 15


def test_after_office_hours_the_clock_starts_the_next_working_day(submit):
    feedback = submit(now=at(2026, 3, 6, 18))  # Friday evening
    assert feedback.received_on == dt.date(2026, 3, 9)
    assert feedback.due_date == dt.date(2026, 3, 30)


def test_deadline_is_configurable_per_category(submit, road_category):
    road_category.handle_days = 10
    road_category.save()
    assert submit(now=at(2026, 3, 2, 9)).due_date == dt.date(2026, 3, 16)


def test_deadline_with_pause_excludes_the_days_waiting_for_the_citizen(routed, handler, citizen):
    routed = services.feedback_accept(feedback=routed, actor=handler, now=at(2026, 3, 4, 8))
    asked = services.feedback_request_info(feedback=routed, actor=handler, question="Xin ảnh chụp rõ hơn.",
                                           now=at(2026, 3, 10, 10))  # Tuesday
    assert asked.status == Status.WAITING_CITIZEN and asked.is_paused
    resumed = services.feedback_provide_info(feedback=asked, actor=citizen, text="Ảnh đã gửi kèm.",
                                             now=at(2026, 3, 13, 10))  # Friday: Wed, Thu, Fri paused
    assert resumed.status == Status.IN_PROGRESS
    assert resumed.paused_days == 3
    assert resumed.due_date == dt.date(2026, 3, 26)  # 23/3 + 3 working days
    assert resumed.paused_at is None


def test_paused_report_is_not_escalated(routed, handler):
    services.feedback_request_info(feedback=routed, actor=handler, question="Vị trí cụ thể?",
                                   now=at(2026, 3, 10, 10))
    assert services.feedback_escalate_overdue(now=at(2026, 4, 1, 9)) == 0


def test_extension_needs_a_reason_and_moves_the_deadline(routed, handler):
    with pytest.raises(DomainError) as exc:
        services.feedback_extend(feedback=routed, actor=handler, days=5, reason="")
    assert exc.value.code == "reason_required"
    extended = services.feedback_extend(feedback=routed, actor=handler, days=5, reason="Cần khảo sát hiện trường")
    assert extended.due_date == dt.date(2026, 3, 30)
    assert extended.extension_days == 5
    with pytest.raises(DomainError):
        services.feedback_extend(feedback=extended, actor=handler, days=11, reason="Quá một kỳ")


def test_answer_on_time_is_recorded_for_statistics(routed, handler):
    routed = services.feedback_accept(feedback=routed, actor=handler)
    answered = services.feedback_answer(feedback=routed, actor=handler, text="Đã vá ổ gà ngày 10/3.",
                                        now=at(2026, 3, 12, 15))
    assert answered.status == Status.ANSWERED
    assert answered.answered_on_time is True
    assert answered.answer_working_days == 8  # 3..12 March
    assert answered.public_status == "closed"


def test_late_answer_is_recorded_as_late(routed, handler):
    routed = services.feedback_accept(feedback=routed, actor=handler)
    answered = services.feedback_answer(feedback=routed, actor=handler, text="Đã xử lý.", now=at(2026, 3, 24, 9))
    assert answered.answered_on_time is False


def test_two_officers_act_at_once_one_wins_the_other_gets_a_clear_conflict(routed, handler, other_handler):
    seen = routed.version
    services.feedback_accept(feedback=routed, actor=handler, expected_version=seen)
    with pytest.raises(Conflict) as exc:
        services.feedback_request_info(feedback=routed, actor=other_handler, question="?", expected_version=seen)
    assert exc.value.code == "stale_version"
    assert Feedback.objects.get(pk=routed.pk).status == Status.IN_PROGRESS


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_on_postgresql_only_one_succeeds(submit, coordinator, handler, other_handler):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections need PostgreSQL")
    feedback = submit()
    feedback = services.feedback_route(feedback=feedback, actor=coordinator)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user):
        from django.db import connections

        try:
            barrier.wait()
            services.feedback_accept(feedback=feedback, actor=user, expected_version=feedback.version)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(u,)) for u in (handler, other_handler)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale_version"]


def test_only_the_agencys_staff_may_handle(routed, commune_coordinator, citizen):
    for user in (commune_coordinator, citizen):
        with pytest.raises(PermissionDenied):
            services.feedback_accept(feedback=routed, actor=user)


def test_commune_coordinator_cannot_route_a_report_of_another_commune(submit, units, make_staff):
    from chinhquyenso.accounts.roles import Role
    from tests import factories

    quang_phu_coordinator = make_staff(Role.RECEPTION_OFFICER, factories.QUANG_PHU)
    with pytest.raises(PermissionDenied):
        services.feedback_route(feedback=submit(), actor=quang_phu_coordinator)


def test_transfer_goes_back_to_the_coordinator_with_a_reason(routed, handler):
    transferred = services.feedback_transfer(feedback=routed, actor=handler, reason="Thuộc thẩm quyền xã")
    assert transferred.status == Status.NEW and transferred.agency is None
    assert transferred.due_date == routed.due_date  # the legal clock keeps running


def test_reopen_once_only(routed, handler, citizen):
    answered = services.feedback_answer(feedback=services.feedback_accept(feedback=routed, actor=handler),
                                        actor=handler, text="Đã xử lý.", now=at(2026, 3, 12, 9))
    services.feedback_rate(feedback=answered, actor=citizen, rating=1, comment="Chưa vá xong")
    reopened = services.feedback_reopen(feedback=answered, actor=citizen, reason="Ổ gà vẫn còn",
                                        now=at(2026, 3, 16, 9))
    assert reopened.status == Status.IN_PROGRESS and reopened.reopen_count == 1
    assert reopened.due_date == dt.date(2026, 4, 6)  # a new period of 15 working days
    again = services.feedback_answer(feedback=reopened, actor=handler, text="Đã vá lại.")
    with pytest.raises(PermissionDenied):
        services.feedback_reopen(feedback=again, actor=citizen, reason="Lần nữa")


def test_escalation_tells_the_leader_once_per_deadline(routed, handler, leader):
    assert services.feedback_escalate_overdue(now=at(2026, 3, 23, 16)) == 0  # due today: not yet late
    assert services.feedback_escalate_overdue(now=at(2026, 3, 24, 8)) == 1
    assert services.feedback_escalate_overdue(now=at(2026, 3, 24, 9)) == 0  # idempotent
    event = DomainEvent.objects.filter(event_type="feedback.escalate").get()
    assert leader.pk in event.payload["notify_user_ids"] and handler.pk in event.payload["notify_user_ids"]
    assert AuditEvent.objects.filter(action="feedback.escalate", object_id=str(routed.pk)).count() == 1
    extended = services.feedback_extend(feedback=Feedback.objects.get(pk=routed.pk), actor=handler, days=3,
                                        reason="Chờ vật tư")
    assert extended.escalation_level == 0  # re-armed for the new deadline


def test_unmoderated_report_escalates_after_the_moderation_deadline(submit, coordinator):
    submit()
    assert services.feedback_escalate_overdue(now=at(2026, 3, 5, 8)) == 1
    event = DomainEvent.objects.filter(event_type="feedback.escalate").get()
    assert event.payload["stage"] == "moderation" and coordinator.pk in event.payload["notify_user_ids"]


def test_events_tell_the_citizen_about_requests_and_answers(routed, handler, citizen):
    services.feedback_request_info(feedback=routed, actor=handler, question="Bổ sung ảnh")
    event = DomainEvent.objects.filter(event_type="feedback.request_info").get()
    assert event.payload["notify_user_ids"] == [citizen.pk]
    assert "0912" not in str(event.payload)
