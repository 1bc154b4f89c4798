"""Append-only, hash-chained audit trail.

``audit_record`` is called by services inside their transaction. Appends are serialised by a
row lock on ``AuditChainHead`` (an IMMEDIATE transaction on SQLite), so the chain never forks.
``audit_verify`` recomputes every hash and reports edited, deleted or truncated rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from chinhquyenso.core import context
from chinhquyenso.core.models import AuditChainHead, AuditEvent
from chinhquyenso.core.text import without_nul

GENESIS_HASH = "0" * 64


def _plain(value):
    """Round-trip through JSON so what is hashed is exactly what the JSONField stores (and without
    NUL characters, which PostgreSQL's jsonb refuses)."""
    if value is None:
        return None
    return without_nul(json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)))


def _canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: AuditEvent) -> str:
    fields = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "unit_id": event.unit_id,
        "unit_path": event.unit_path,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "ip": event.ip,
        "user_agent": event.user_agent,
    }
    return hashlib.sha256(event.prev_hash.encode() + _canonical(fields)).hexdigest()


def _object_ref(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk)


def audit_record(
    *,
    action: str,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    unit=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside the service's transaction."""
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    ctx = context.current()
    now = timezone.now()
    # No savepoint of its own: inside a service's transaction an audit failure must undo the change
    # anyway, and the savepoint cost two more round trips on every audited action.
    with transaction.atomic(savepoint=False):
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=now,
            actor_id=getattr(actor, "pk", None),
            actor_label=(actor.get_username() if actor is not None and getattr(actor, "pk", None) else "hệ thống"),
            unit_id=getattr(unit, "pk", None),
            unit_path=getattr(unit, "path", "") or "",
            action=action,
            object_type=object_type,
            object_id=str(object_id or ""),
            before=_plain(before),
            after=_plain(after),
            ip=ctx.ip,
            user_agent=ctx.user_agent,
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        AuditChainHead.objects.filter(id=1).update(seq=event.seq, hash=event.hash)
    return event


@dataclass(frozen=True)
class AuditProblem:
    seq: int | None
    kind: str  # "edited" | "missing" | "broken_link" | "truncated"
    detail: str


def audit_verify(chunk_size: int = 5000) -> Iterator[AuditProblem]:
    """Yield every inconsistency in the chain; yields nothing when the chain is intact."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    last_seq, last_hash = 0, GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            yield AuditProblem(expected_seq, "missing",
                               f"thiếu bản ghi #{expected_seq}–#{event.seq - 1} (đã bị xoá)")
        elif event.prev_hash != prev_hash:
            yield AuditProblem(event.seq, "broken_link", "liên kết tới bản ghi trước không khớp")
        if compute_hash(event) != event.hash:
            yield AuditProblem(event.seq, "edited", "nội dung đã bị sửa sau khi ghi")
        expected_seq = event.seq + 1
        prev_hash = event.hash
        last_seq, last_hash = event.seq, event.hash
    head = AuditChainHead.objects.filter(id=1).first()
    if head and (head.seq != last_seq or head.hash != last_hash):
        yield AuditProblem(head.seq, "truncated",
                           f"đầu chuỗi ghi #{head.seq} nhưng bản ghi cuối là #{last_seq} (đã bị xoá phần cuối)")


def snapshot(obj, fields: list[str]) -> dict:
    """The before/after picture of a model instance, limited to the fields a change touches."""
    data = {}
    for name in fields:
        value = getattr(obj, name)
        data[name] = value.pk if hasattr(value, "pk") else value
    return data
