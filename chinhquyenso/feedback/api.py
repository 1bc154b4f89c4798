"""Internal JSON API of the feedback app under /api/v1/feedback/ (the public standard API is Open311)."""

from __future__ import annotations

from ninja import Router, Schema

from chinhquyenso.core.errors import NotFound
from chinhquyenso.feedback import selectors
from chinhquyenso.feedback.models import FeedbackCategory
from chinhquyenso.units.models import AdministrativeUnit

router = Router(tags=["Phản ánh, kiến nghị"])


class DuplicateOut(Schema):
    code: str
    title: str
    status: str
    distance_m: float | None
    similarity: float
    url: str


@router.get("/duplicates", response=list[DuplicateOut], auth=None, summary="Phản ánh tương tự đã công khai")
def duplicates(request, category: str, text: str = "", latitude: float | None = None,
               longitude: float | None = None, unit: str | None = None):
    """Published reports of the same category near the point or with similar text (before sending)."""
    from django.urls import reverse

    cat = FeedbackCategory.objects.filter(code=category, is_active=True).first()
    if cat is None:
        raise NotFound("category_not_found", "Không tìm thấy lĩnh vực.", "category")
    unit_obj = AdministrativeUnit.objects.filter(code=unit).first() if unit else None
    found = selectors.feedback_duplicates(category=cat, text=text, latitude=latitude, longitude=longitude,
                                          unit=unit_obj)
    return [DuplicateOut(code=c.feedback.code, title=c.feedback.public_title, status=c.feedback.public_status,
                         distance_m=round(c.distance_m, 1) if c.distance_m is not None else None,
                         similarity=round(c.similarity, 3), url=reverse("feedback:detail", args=[c.feedback.code]))
            for c in found]
