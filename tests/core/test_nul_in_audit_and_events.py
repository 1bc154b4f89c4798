"""Text from outside (a webhook body, a reason with a stray %00) reaches the audit trail and the
outbox without a NUL character: PostgreSQL's jsonb refuses it, which would make the change a 500."""

from __future__ import annotations

import pytest

from chinhquyenso.core.audit import audit_record, audit_verify
from chinhquyenso.core.events import event_record
from chinhquyenso.core.models import AuditEvent, DomainEvent
from chinhquyenso.core.text import without_nul

pytestmark = pytest.mark.django_db


def test_without_nul_replaces_nul_everywhere_in_nested_data():
    expected = {"a\ufffd": ["x\ufffdy", {"k": "\ufffd"}, 3, None]}
    assert without_nul({"a\x00": ["x\x00y", {"k": "\x00"}, 3, None]}) == expected


def test_audit_event_with_nul_in_its_data_is_stored_and_the_chain_verifies():
    audit_record(action="test.nul", object_type="test.thing", object_id="1",
                 after={"body_start": "tracking=\x00\x00", "reason": "lý do\x00"})
    stored = AuditEvent.objects.get(action="test.nul")
    assert stored.after == {"body_start": "tracking=\ufffd\ufffd", "reason": "lý do\ufffd"}
    assert list(audit_verify()) == []


def test_domain_event_with_nul_in_its_payload_is_stored():
    event_record(event_type="test.nul", aggregate_type="test.thing", aggregate_id="1", payload={"note": "a\x00b"})
    assert DomainEvent.objects.get(event_type="test.nul").payload == {"note": "a\ufffdb"}
