from __future__ import annotations

from chinhquyenso.digitization.models import PersonalDocument


def personal_documents_for(owner, *, limit: int = 200):
    return PersonalDocument.objects.filter(owner=owner).select_related("file", "issued_by")[:limit]
