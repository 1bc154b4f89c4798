import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from chinhquyenso.core.audit import audit_record, audit_verify
from chinhquyenso.core.models import AuditChainHead, AuditEvent


def _record(n: int):
    return [audit_record(action="test.action", object_type="test.thing", object_id=str(i), after={"i": i})
            for i in range(n)]


def _raw(sql: str, params=()):
    """Tamper the way an attacker with database access would: bypassing the ORM and the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        else:
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_an_intact_chain_verifies_and_links_each_row_to_the_previous():
    events = _record(5)
    assert list(audit_verify()) == []
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    call_command("verify_audit")


@pytest.mark.django_db
def test_an_edited_row_is_detected():
    _record(4)
    _raw("UPDATE core_auditevent SET after = %s WHERE seq = 2", ['{"i": 999}'])
    problems = list(audit_verify())
    assert [(p.seq, p.kind) for p in problems] == [(2, "edited")]
    with pytest.raises(CommandError):
        call_command("verify_audit")


@pytest.mark.django_db
def test_a_deleted_row_in_the_middle_is_detected():
    _record(4)
    _raw("DELETE FROM core_auditevent WHERE seq = 3")
    kinds = {(p.seq, p.kind) for p in audit_verify()}
    assert (3, "missing") in kinds


@pytest.mark.django_db
def test_deleting_the_newest_rows_is_detected_through_the_chain_head():
    _record(4)
    _raw("DELETE FROM core_auditevent WHERE seq >= 3")
    assert [p.kind for p in audit_verify()] == ["truncated"]


@pytest.mark.django_db
def test_recomputed_hash_after_an_edit_still_breaks_the_next_link():
    from chinhquyenso.core.audit import compute_hash

    _record(3)
    event = AuditEvent.objects.get(seq=2)
    event.action = "forged"
    forged_hash = compute_hash(event)
    _raw("UPDATE core_auditevent SET action = 'forged', hash = %s WHERE seq = 2", [forged_hash])
    assert [(p.seq, p.kind) for p in audit_verify()] == [(3, "broken_link")]


@pytest.mark.django_db
def test_the_application_refuses_to_update_or_delete_audit_rows():
    (event,) = _record(1)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(seq=1).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_updates_of_audit_rows():
    _record(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE seq = 1")
    assert AuditEvent.objects.get(seq=1).action == "test.action"


@pytest.mark.django_db
def test_audit_rows_carry_actor_unit_and_request_context(locality, units, make_staff):
    from chinhquyenso.core import context

    officer = make_staff("specialist", "19894")
    token = context.set_current(context.RequestContext(ip="10.0.0.7", user_agent="pytest-browser"))
    try:
        event = audit_record(action="test.with_context", actor=officer, unit=units.quang_tho, obj=units.quang_tho,
                             before={"a": 1}, after={"a": 2})
    finally:
        context.reset(token)
    event.refresh_from_db()
    assert (event.actor_id, event.actor_label) == (officer.pk, officer.username)
    assert event.unit_path == units.quang_tho.path
    assert (event.ip, event.user_agent) == ("10.0.0.7", "pytest-browser")
    assert (event.object_type, event.object_id) == ("units.administrativeunit", str(units.quang_tho.pk))
    assert AuditChainHead.objects.get(id=1).hash == AuditEvent.objects.order_by("-seq").first().hash


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_audit_row_and_the_chain_stays_valid():
    _record(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.rolled_back")
        raise RuntimeError("boom")
    _record(1)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    assert list(audit_verify()) == []
