from __future__ import annotations

from django.db import transaction

from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import NotFound
from chinhquyenso.core.text import fold
from chinhquyenso.digitization.models import PersonalDocument


@transaction.atomic
def personal_document_add(*, owner, file, title: str, kind: str, issued_by=None, issued_on=None,
                          document_number: str = "", source_dossier_id=None, is_digitized=False,
                          actor=None) -> PersonalDocument:
    """Put a document into the owner's data warehouse (idempotent per owner + file)."""
    existing = PersonalDocument.objects.filter(owner=owner, file=file).first()
    if existing:
        return existing
    document = PersonalDocument.objects.create(
        owner=owner, file=file, title=title, kind=kind, issued_by=issued_by, issued_on=issued_on,
        document_number=document_number, source_dossier_id=source_dossier_id, matches=[fold(title)],
        is_digitized=is_digitized,
    )
    audit_record(action="digitization.personal_document_add", actor=actor, obj=document,
                 after={"owner": owner.pk, "title": title, "kind": kind})
    return document


def personal_document_get_for_owner(*, owner, document_id: int) -> PersonalDocument:
    document = PersonalDocument.objects.filter(owner=owner, pk=document_id).select_related("file").first()
    if document is None:
        raise NotFound("personal_document_not_found", "Không tìm thấy giấy tờ trong kho dữ liệu của bạn.")
    return document
