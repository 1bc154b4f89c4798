"""Every write of the feedback app: one function per use case, keyword-only, one transaction.

State changes go through ``core.workflow.transition_apply`` with the table in ``workflow.py`` (row
lock, optimistic version, policy, audit and domain event together). Deadlines come only from the
calendar service: ``add_working_days`` from the moment of receipt, the clock stopped while the
citizen is asked for more information (the paused working days are added back on resume), an
extension with a reason, escalation when overdue, one reopening.

Events carry ``notify_user_ids`` (and ``notify_url``) for the notifications app; payloads never
carry personal data (no phone, e-mail or text of the report).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.accounts.models import RoleAssignment
from chinhquyenso.accounts.roles import Role
from chinhquyenso.calendar.services import add_working_days, effective_start, working_days_between
from chinhquyenso.core.audit import audit_record
from chinhquyenso.core.errors import DomainError, NotFound, PermissionDenied
from chinhquyenso.core.events import event_record
from chinhquyenso.core.files import stored_file_create
from chinhquyenso.core.masking import mask_text
from chinhquyenso.core.parsing import parse_int
from chinhquyenso.core.workflow import transition_apply
from chinhquyenso.feedback import photos as photo_tools
from chinhquyenso.feedback import routing
from chinhquyenso.feedback.constants import (
    MAX_PHOTOS,
    PHOTO_DERIVED_PURPOSE,
    PHOTO_PURPOSE,
    SATISFIED_RATINGS,
    Channel,
    LocationSource,
    PhotoKind,
    Rating,
    Status,
    UpdateKind,
)
from chinhquyenso.feedback.models import Feedback, FeedbackCategory, FeedbackPhoto, FeedbackUpdate, Open311ApiKey
from chinhquyenso.feedback.policies import COORDINATOR_ROLES, HANDLER_ROLES, is_coordinator
from chinhquyenso.feedback.workflow import feedback_workflow
from chinhquyenso.units.models import AdministrativeUnit, Agency

TITLE_MAX = 200
DESCRIPTION_MAX = 4000  # Open311: free text up to 4,000 characters
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out over the phone


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


# --- recipients -------------------------------------------------------------------------------

def _unit_and_ancestor_paths(unit: AdministrativeUnit) -> list[str]:
    return [unit.path, *unit.ancestor_paths()]


def _users_with_roles(roles: Iterable[str], *, unit: AdministrativeUnit | None = None, agency_id=None) -> list[int]:
    qs = RoleAssignment.objects.active().filter(role__in=list(roles))
    if unit is not None:
        qs = qs.filter(unit__path__in=_unit_and_ancestor_paths(unit))
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return sorted(set(qs.values_list("user_id", flat=True)))


def coordinator_ids(unit: AdministrativeUnit) -> list[int]:
    return _users_with_roles(COORDINATOR_ROLES, unit=unit)


def handler_ids(agency_id) -> list[int]:
    return _users_with_roles(HANDLER_ROLES, agency_id=agency_id) if agency_id else []


def leader_ids(unit: AdministrativeUnit) -> list[int]:
    return _users_with_roles([Role.UNIT_LEADER], unit=unit)


def _reporter_ids(feedback: Feedback) -> list[int]:
    ids = {feedback.reporter_id} if feedback.reporter_id else set()
    ids |= set(Feedback.objects.filter(merged_into=feedback, reporter__isnull=False)
               .values_list("reporter_id", flat=True))
    return sorted(ids)


def _payload(feedback: Feedback, notify: Iterable[int], *, staff_link: bool = False, **extra) -> dict:
    url = (reverse("feedback:staff_detail", args=[feedback.code]) if staff_link
           else reverse("feedback:detail", args=[feedback.code]))
    return {"code": feedback.code, "category": feedback.category.name, "notify_user_ids": sorted(set(notify)),
            "notify_url": url, **extra}


# --- helpers ----------------------------------------------------------------------------------

def _new_code(now: dt.datetime) -> str:
    suffix = "".join(secrets.choice(_CODE_ALPHABET) for _i in range(7))
    return f"PA{timezone.localtime(now):%y}-{suffix}"


def _clean_text(value: str, *, field: str, max_length: int, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"{field}_required", _("Vui lòng nhập %(label)s.") % {"label": label}, field)
    if len(value) > max_length:
        raise DomainError(f"{field}_too_long", _("%(label)s dài quá %(n)s ký tự.") % {"label": label.capitalize(),
                                                                                  "n": max_length}, field)
    return value


def _attributes_clean(category: FeedbackCategory, given: dict | None) -> dict:
    """Check Open311-style attribute answers against the category's definition."""
    given = {k: v for k, v in (given or {}).items() if v not in (None, "", [])}
    result = {}
    for attribute in category.attributes or []:
        code = attribute["code"]
        value = given.get(code)
        if value is None:
            if attribute.get("required") and attribute.get("variable", True):
                raise DomainError("attribute_required",
                                  _("Thiếu thông tin “%(d)s”.") % {"d": attribute.get("description") or code},
                                  f"attribute[{code}]")
            continue
        datatype = attribute.get("datatype", "string")
        keys = {str(v["key"]) for v in attribute.get("values") or []}
        if datatype == "singlevaluelist":
            value = value[0] if isinstance(value, list) else value
            if str(value) not in keys:
                raise DomainError("attribute_invalid", _("Giá trị “%(v)s” không có trong danh sách.") % {"v": value},
                                  f"attribute[{code}]")
            value = str(value)
        elif datatype == "multivaluelist":
            values = value if isinstance(value, list) else [value]
            if not all(str(v) in keys for v in values):
                raise DomainError("attribute_invalid", _("Có giá trị không có trong danh sách."), f"attribute[{code}]")
            value = [str(v) for v in values]
        elif datatype == "number":
            try:
                float(value)
            except (TypeError, ValueError):
                raise DomainError("attribute_invalid", _("Cần nhập một số."), f"attribute[{code}]") from None
            value = str(value)
        else:
            value = str(value)[:1000]
        result[code] = value
    return result


def _store_photos(feedback: Feedback, uploads: Sequence[Upload], *, kind: str, uploaded_by,
                  publish: bool = False) -> list[FeedbackPhoto]:
    existing = feedback.photos.filter(kind=kind).count() if feedback.pk else 0
    if existing + len(uploads) > MAX_PHOTOS:
        raise DomainError("too_many_photos", _("Tối đa %(n)s ảnh.") % {"n": MAX_PHOTOS}, "photos")
    created = []
    for upload in uploads:
        original = stored_file_create(content=upload.content, name=upload.name, purpose=PHOTO_PURPOSE,
                                      uploaded_by=uploaded_by)  # type and size checked from the bytes
        photo_tools.check_image(upload.content)  # and the pixels decode (not a renamed file)
        thumb = stored_file_create(content=photo_tools.thumbnail(upload.content), name="thumb.jpg",
                                   purpose=PHOTO_DERIVED_PURPOSE, uploaded_by=uploaded_by)
        photo = FeedbackPhoto(feedback=feedback, kind=kind, original=original, thumbnail=thumb,
                              uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None)
        if publish:
            _photo_make_public(photo, upload.content, blur=False)
        photo.save()
        created.append(photo)
    return created


def _photo_make_public(photo: FeedbackPhoto, data: bytes, *, blur: bool, areas: list | None = None) -> None:
    areas = [tuple(a) for a in areas or []]
    photo.public = stored_file_create(content=photo_tools.public_copy(data, blur=blur, areas=areas), name="anh.jpg",
                                      purpose=PHOTO_PURPOSE)
    photo.public_thumbnail = stored_file_create(content=photo_tools.thumbnail(data, blur=blur, areas=areas),
                                                name="anh-nho.jpg", purpose=PHOTO_PURPOSE)
    photo.blurred = blur
    photo.blur_areas = [list(a) for a in areas]
    photo.hidden = False


PHOTO_CHOICES = ("keep", "blur", "areas", "remove")


def _photos_moderate(feedback: Feedback, decisions: dict | None, *, publish: bool, areas: dict | None = None) -> dict:
    """Apply the coordinator's choice per photo: ``keep`` | ``blur`` (all of it) | ``areas`` (only
    the boxes in ``areas[photo id]``, see photos.parse_areas) | ``remove``; default keep."""
    decisions = {str(k): v for k, v in (decisions or {}).items()}
    areas = {str(k): v for k, v in (areas or {}).items()}
    summary = {"kept": 0, "blurred": 0, "removed": 0}
    for number, photo in enumerate(feedback.photos.exclude(kind=PhotoKind.ANSWER).select_related("original"), 1):
        choice = decisions.get(str(photo.pk), "keep")
        if choice not in PHOTO_CHOICES:
            raise DomainError("photo_decision_invalid", _("Lựa chọn xử lý ảnh không hợp lệ."), "photos")
        boxes = [list(a) for a in areas.get(str(photo.pk)) or []] if choice == "areas" else []
        if choice == "areas" and not boxes:
            raise DomainError("photo_areas_required",
                              _("Ảnh %(n)s: hãy khoanh ít nhất một vùng cần làm mờ, hoặc chọn cách xử lý khác.")
                              % {"n": number}, "photos")
        if choice == "remove" or not publish:
            if choice == "remove":
                photo.hidden = True
                summary["removed"] += 1
                photo.save(update_fields=["hidden"])
            continue
        blur = choice == "blur"
        if photo.public_id is None or photo.blurred != blur or photo.hidden or photo.blur_areas != boxes:
            with photo.original.open() as handle:
                _photo_make_public(photo, handle.read(), blur=blur, areas=boxes)
            photo.save()
        summary["blurred" if blur or boxes else "kept"] += 1
    return summary


def _update_add(feedback: Feedback, *, kind: str, author, text: str = "", visible: bool = True) -> FeedbackUpdate:
    return FeedbackUpdate.objects.create(feedback=feedback, kind=kind, author=author if getattr(author, "pk", None)
                                         else None, text=text, visible_to_reporter=visible)


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)


# --- submission -------------------------------------------------------------------------------

@transaction.atomic
def feedback_submit(
    *,
    reporter=None,
    category: FeedbackCategory,
    title: str,
    description: str,
    latitude=None,
    longitude=None,
    unit: AdministrativeUnit | None = None,
    village: str = "",
    address_text: str = "",
    location_source: str = LocationSource.TYPED,
    anonymous_public: bool = True,
    photos: Sequence[Upload] = (),
    attributes: dict | None = None,
    channel: str = Channel.WEB,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    api_key: Open311ApiKey | None = None,
    device_id: str = "",
    account_id: str = "",
    now: dt.datetime | None = None,
) -> Feedback:
    """Receive a report: locate it, propose the agency, start the legal clock, store the photos."""
    now = now or timezone.now()
    if not category.is_active:
        raise DomainError("category_inactive", _("Lĩnh vực này hiện không nhận phản ánh."), "category")
    title = _clean_text(title, field="title", max_length=TITLE_MAX, label=_("tiêu đề"))
    description = _clean_text(description, field="description", max_length=DESCRIPTION_MAX, label=_("nội dung"))
    if len(photos) > MAX_PHOTOS:
        raise DomainError("too_many_photos", _("Tối đa %(n)s ảnh.") % {"n": MAX_PHOTOS}, "photos")
    if unit is not None and unit.level not in ("commune", "district"):
        raise DomainError("unit_not_commune", _("Hãy chọn một xã, phường, thị trấn."), "unit")
    point = routing.validate_point(latitude, longitude)
    located, by_point = routing.locate(point=point, unit=unit)
    answers = _attributes_clean(category, attributes)
    agency = routing.agency_for(category, located)
    for _attempt in range(5):
        code = _new_code(now)
        if not Feedback.objects.filter(code=code).exists():
            break
    feedback = Feedback(
        code=code, category=category, title=title, description=description, attributes=answers,
        latitude=point[0] if point else None, longitude=point[1] if point else None,
        location_source=location_source if point or location_source == LocationSource.TYPED else LocationSource.TYPED,
        address_text=(address_text or "").strip()[:255], village=(village or "").strip()[:100],
        unit=located, routed_by_point=by_point, agency=agency,
        reporter=reporter if getattr(reporter, "pk", None) else None,
        contact_name=contact_name.strip()[:150], contact_phone=contact_phone.strip()[:20],
        contact_email=contact_email.strip()[:254], anonymous_public=anonymous_public, channel=channel,
        api_key=api_key, device_id=device_id[:100], account_id=account_id[:100],
        submitted_at=now, handle_days=category.handle_days, publish_days=category.publish_days,
        # The legal clock, from the moment of receipt (after office hours → next working day).
        received_on=effective_start(now, located),
        moderation_due=add_working_days(now, category.refuse_days, located),
        supplement_due=add_working_days(now, category.supplement_days, located),
        due_date=add_working_days(now, category.handle_days, located),
    )
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError as exc:  # a code collision (1 in 10^10) — ask to resend rather than a 500
        raise DomainError("code_collision", _("Hệ thống bận, vui lòng gửi lại."), None) from exc
    _store_photos(feedback, photos, kind=PhotoKind.REPORT, uploaded_by=reporter)
    audit_record(action="feedback.submit", actor=reporter, obj=feedback, unit=located,
                 after={"code": feedback.code, "category": category.code, "unit": located.code,
                        "agency": agency.identifier_code if agency else None, "by_point": by_point,
                        "channel": channel, "photos": len(photos), "due_date": feedback.due_date})
    notify = [*coordinator_ids(located), *([feedback.reporter_id] if feedback.reporter_id else [])]
    event_record(event_type="feedback.submitted", aggregate=feedback, unit=located, actor=reporter,
                 payload=_payload(feedback, notify, due_date=feedback.due_date.isoformat()))
    return feedback


# --- coordinator ------------------------------------------------------------------------------

def _check_target(actor, unit: AdministrativeUnit, agency: Agency) -> None:
    if not is_coordinator(actor, unit):
        raise PermissionDenied("unit_out_of_scope", _("Địa bàn này không thuộc phạm vi điều phối của bạn."), "unit")
    if not agency.is_active or not unit.path.startswith(agency.unit.path):
        raise DomainError("agency_not_for_unit",
                          _("Cơ quan xử lý phải thuộc địa bàn của phản ánh hoặc cấp trên của địa bàn."), "agency")


def _publication_changes(feedback: Feedback, *, publish: bool, public_title: str | None,
                         public_description: str | None, now: dt.datetime) -> dict:
    if not publish:
        return {"is_published": False}
    # Whatever the coordinator typed goes through the masker again: a phone number or CCCD left in
    # by mistake is still hidden (Decree 13/2023 on personal data).
    title = mask_text((public_title if public_title is not None else feedback.public_title or feedback.title).strip())
    text = mask_text((public_description if public_description is not None
                      else feedback.public_description or feedback.description).strip())
    if not title or not text:
        raise DomainError("public_text_required", _("Cần có tiêu đề và nội dung công khai."), "public_description")
    changes = {"is_published": True, "public_title": title[:TITLE_MAX], "public_description": text}
    if not feedback.published_at:
        changes["published_at"] = now
    if feedback.answer_text and not feedback.answer_public:
        changes["answer_public"] = mask_text(feedback.answer_text)
    return changes


@transaction.atomic
def feedback_route(
    *,
    feedback: Feedback,
    actor,
    expected_version: int | None = None,
    unit: AdministrativeUnit | None = None,
    agency: Agency | None = None,
    handle_days: int | None = None,
    publish: bool = True,
    public_title: str | None = None,
    public_description: str | None = None,
    photo_decisions: dict | None = None,
    photo_areas: dict | None = None,
    now: dt.datetime | None = None,
) -> Feedback:
    """Confirm (or correct) the unit and agency, set the deadline, moderate and publish."""
    now = now or timezone.now()
    unit = unit or feedback.unit
    agency = agency or feedback.agency or routing.agency_for(feedback.category, unit)
    if agency is None:
        raise DomainError("agency_required", _("Hãy chọn cơ quan xử lý."), "agency")
    _check_target(actor, unit, agency)
    changes = {"unit": unit, "agency": agency, "routed_at": now}
    if handle_days is not None:
        handle_days = parse_int(handle_days, 0)
        if not 1 <= handle_days <= feedback.category.handle_days:
            raise DomainError("handle_days_invalid",
                              _("Thời hạn xử lý từ 1 đến %(n)s ngày làm việc; dài hơn phải gia hạn có lý do.")
                              % {"n": feedback.category.handle_days}, "handle_days")
        changes["handle_days"] = int(handle_days)
        changes["due_date"] = add_working_days(feedback.submitted_at, int(handle_days), unit)
    elif unit.pk != feedback.unit_id:
        changes["due_date"] = add_working_days(feedback.submitted_at, feedback.handle_days, unit)
    changes.update(_publication_changes(feedback, publish=publish, public_title=public_title,
                                        public_description=public_description, now=now))
    routed = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="route", actor=actor, expected_version=expected_version,
        changes=changes, unit=unit,
        payload=_payload(feedback, handler_ids(agency.pk), staff_link=True, agency=agency.identifier_code,
                         unit_code=unit.code, published=publish),
    )
    photos = _photos_moderate(routed, photo_decisions, publish=publish, areas=photo_areas)
    if routed.reporter_id:
        event_record(event_type="feedback.routed_to_reporter", aggregate=routed, unit=unit, actor=actor,
                     payload=_payload(routed, [routed.reporter_id], agency_name=agency.name,
                                      due_date=routed.due_date.isoformat()))
    if photos["removed"] or photos["blurred"]:
        audit_record(action="feedback.photos_moderate", actor=actor, obj=routed, unit=unit, after=photos)
    return routed


@transaction.atomic
def feedback_publish(*, feedback: Feedback, actor, expected_version: int | None = None, publish: bool = True,
                     public_title: str | None = None, public_description: str | None = None,
                     photo_decisions: dict | None = None, photo_areas: dict | None = None,
                     now: dt.datetime | None = None) -> Feedback:
    """Publish, unpublish or correct the public text and photos after routing."""
    now = now or timezone.now()
    changes = _publication_changes(feedback, publish=publish, public_title=public_title,
                                   public_description=public_description, now=now)
    result = transition_apply(workflow=feedback_workflow, obj=feedback, action="publish", actor=actor,
                              expected_version=expected_version, changes=changes,
                              payload={"code": feedback.code, "published": publish})
    _photos_moderate(result, photo_decisions, publish=publish, areas=photo_areas)
    return result


@transaction.atomic
def feedback_reject(*, feedback: Feedback, actor, reason: str, expected_version: int | None = None,
                    now: dt.datetime | None = None) -> Feedback:
    """Refuse a report (spam, abuse, not a matter for the administration) with a reason."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="reject", actor=actor, expected_version=expected_version,
        reason=reason, changes={"rejection_reason": reason, "closed_at": now, "is_published": False},
        payload=_payload(feedback, [feedback.reporter_id] if feedback.reporter_id else []),
    )
    _update_add(result, kind=UpdateKind.REJECT, author=actor, text=reason)
    return result


@transaction.atomic
def feedback_merge(*, feedback: Feedback, into: Feedback, actor, expected_version: int | None = None,
                   now: dt.datetime | None = None) -> Feedback:
    """Merge a duplicate into an earlier report: its reporter follows the earlier one."""
    now = now or timezone.now()
    if into.pk == feedback.pk:
        raise DomainError("merge_self", _("Không thể gộp phản ánh vào chính nó."), "into")
    if into.status in (Status.MERGED, Status.REJECTED):
        raise DomainError("merge_target_closed", _("Phản ánh đích đã bị gộp hoặc không được tiếp nhận."), "into")
    if not is_coordinator(actor, into.unit):
        raise NotFound("feedback_not_found", _("Không tìm thấy phản ánh đích."), "into")
    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="merge", actor=actor, expected_version=expected_version,
        changes={"merged_into": into, "closed_at": now, "is_published": False},
        payload=_payload(feedback, [feedback.reporter_id] if feedback.reporter_id else [], into=into.code),
    )
    _update_add(result, kind=UpdateKind.NOTE, author=actor, text=_("Gộp vào phản ánh %(c)s.") % {"c": into.code})
    return result


@transaction.atomic
def feedback_reroute(*, feedback: Feedback, actor, agency: Agency, reason: str, unit: AdministrativeUnit | None = None,
                     expected_version: int | None = None) -> Feedback:
    unit = unit or feedback.unit
    _check_target(actor, unit, agency)
    changes = {"agency": agency, "unit": unit}
    if unit.pk != feedback.unit_id:
        changes["due_date"] = add_working_days(feedback.submitted_at, feedback.handle_days + feedback.paused_days
                                               + feedback.extension_days, unit)
    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="reroute", actor=actor, expected_version=expected_version,
        reason=reason, changes=changes, unit=unit,
        payload=_payload(feedback, handler_ids(agency.pk), staff_link=True, agency=agency.identifier_code),
    )
    _update_add(result, kind=UpdateKind.TRANSFER, author=actor, text=reason, visible=False)
    return result


# --- handling agency --------------------------------------------------------------------------

@transaction.atomic
def feedback_accept(*, feedback: Feedback, actor, expected_version: int | None = None,
                    now: dt.datetime | None = None) -> Feedback:
    now = now or timezone.now()
    return transition_apply(workflow=feedback_workflow, obj=feedback, action="accept", actor=actor,
                            expected_version=expected_version, changes={"accepted_at": now},
                            payload={"code": feedback.code})


@transaction.atomic
def feedback_request_info(*, feedback: Feedback, actor, question: str, expected_version: int | None = None,
                          now: dt.datetime | None = None) -> Feedback:
    """Ask the citizen for more information: the legal clock stops until they answer."""
    now = now or timezone.now()
    question = (question or "").strip()
    late = _today(now) > feedback.supplement_due
    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="request_info", actor=actor,
        expected_version=expected_version, reason=question, changes={"paused_at": now},
        payload=_payload(feedback, [feedback.reporter_id] if feedback.reporter_id else [], late_request=late),
    )
    _update_add(result, kind=UpdateKind.INFO_REQUEST, author=actor, text=question)
    return result


@transaction.atomic
def feedback_provide_info(*, feedback: Feedback, actor, text: str, photos: Sequence[Upload] = (),
                          expected_version: int | None = None, now: dt.datetime | None = None) -> Feedback:
    """The citizen answers: the clock resumes and the paused working days are added to the deadline."""
    now = now or timezone.now()
    text = _clean_text(text, field="text", max_length=DESCRIPTION_MAX, label=_("thông tin bổ sung"))

    def resume(row: Feedback) -> None:
        paused = max(0, working_days_between(row.paused_at, now, row.unit)) if row.paused_at else 0
        row.paused_days += paused
        row.due_date = add_working_days(row.due_date, paused, row.unit)
        row.paused_at = None

    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="provide_info", actor=actor,
        expected_version=expected_version, before_save=resume,
        payload=_payload(feedback, handler_ids(feedback.agency_id), staff_link=True),
    )
    _update_add(result, kind=UpdateKind.CITIZEN_INFO, author=actor, text=text)
    _store_photos(result, photos, kind=PhotoKind.INFO, uploaded_by=actor)
    return result


@transaction.atomic
def feedback_transfer(*, feedback: Feedback, actor, reason: str, expected_version: int | None = None) -> Feedback:
    """The agency hands the report back to the coordinator (not its competence), with a reason.
    The legal clock keeps running: it counts from the citizen's submission."""
    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="transfer", actor=actor, expected_version=expected_version,
        reason=reason, changes={"agency": None, "accepted_at": None},
        payload=_payload(feedback, coordinator_ids(feedback.unit), staff_link=True,
                         from_agency=feedback.agency.identifier_code if feedback.agency_id else None),
    )
    _update_add(result, kind=UpdateKind.TRANSFER, author=actor, text=reason, visible=False)
    return result


@transaction.atomic
def feedback_extend(*, feedback: Feedback, actor, days: int, reason: str,
                    expected_version: int | None = None) -> Feedback:
    """Extend the deadline by ``days`` working days, with a reason; at most one more full period."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise DomainError("extension_invalid", _("Số ngày gia hạn không hợp lệ."), "days") from None
    if days < 1 or feedback.extension_days + days > feedback.handle_days:
        raise DomainError("extension_invalid",
                          _("Tổng số ngày gia hạn từ 1 đến %(n)s ngày làm việc.") % {"n": feedback.handle_days},
                          "days")

    def extend(row: Feedback) -> None:
        row.due_date = add_working_days(row.due_date, days, row.unit)
        row.extension_days += days
        row.extension_reason = "\n".join(p for p in [row.extension_reason, reason.strip()] if p)
        row.escalation_level = 0

    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="extend", actor=actor, expected_version=expected_version,
        reason=reason, before_save=extend,
        payload=_payload(feedback, [feedback.reporter_id] if feedback.reporter_id else [], days=days),
    )
    _update_add(result, kind=UpdateKind.EXTEND, author=actor,
                text=_("Gia hạn %(d)s ngày làm việc, đến %(due)s. Lý do: %(r)s")
                % {"d": days, "due": result.due_date.strftime("%d/%m/%Y"), "r": reason.strip()})
    return result


@transaction.atomic
def feedback_answer(*, feedback: Feedback, actor, text: str, photos: Sequence[Upload] = (),
                    expected_version: int | None = None, now: dt.datetime | None = None) -> Feedback:
    """Answer the citizen. The answer is public with the report (personal data masked)."""
    now = now or timezone.now()
    text = _clean_text(text, field="text", max_length=DESCRIPTION_MAX * 2, label=_("nội dung trả lời"))

    def figures(row: Feedback) -> None:
        today = _today(now)
        row.answered_on_time = today <= row.due_date
        row.answer_working_days = max(0, working_days_between(row.received_on, today, row.unit) - row.paused_days)

    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="answer", actor=actor, expected_version=expected_version,
        changes={"answered_at": now, "answer_text": text, "answer_public": mask_text(text), "answered_by": actor},
        before_save=figures,
        payload=_payload(feedback, _reporter_ids(feedback)),
    )
    _update_add(result, kind=UpdateKind.ANSWER, author=actor, text=text)
    # Staff photos of the result are published with the answer, re-encoded without EXIF as well.
    _store_photos(result, photos, kind=PhotoKind.ANSWER, uploaded_by=actor, publish=True)
    return result


@transaction.atomic
def feedback_close(*, feedback: Feedback, actor, expected_version: int | None = None,
                   now: dt.datetime | None = None) -> Feedback:
    now = now or timezone.now()
    return transition_apply(workflow=feedback_workflow, obj=feedback, action="close", actor=actor,
                            expected_version=expected_version, changes={"closed_at": now},
                            payload={"code": feedback.code})


# --- citizen after the answer -------------------------------------------------------------------

@transaction.atomic
def feedback_rate(*, feedback: Feedback, actor, rating: int, comment: str = "",
                  expected_version: int | None = None, now: dt.datetime | None = None) -> Feedback:
    now = now or timezone.now()
    try:
        rating = Rating(int(rating))
    except (TypeError, ValueError):
        raise DomainError("rating_invalid", _("Hãy chọn mức độ hài lòng."), "rating") from None
    return transition_apply(
        workflow=feedback_workflow, obj=feedback, action="rate", actor=actor, expected_version=expected_version,
        changes={"rating": int(rating), "rating_comment": (comment or "").strip()[:2000], "rated_at": now},
        payload=_payload(feedback, handler_ids(feedback.agency_id), staff_link=True, rating=int(rating),
                         satisfied=rating in SATISFIED_RATINGS),
    )


@transaction.atomic
def feedback_reopen(*, feedback: Feedback, actor, reason: str, expected_version: int | None = None,
                    now: dt.datetime | None = None) -> Feedback:
    """Not satisfied: the citizen may ask once for the matter to be handled again (new period)."""
    now = now or timezone.now()

    def reopen(row: Feedback) -> None:
        row.reopen_count += 1
        row.due_date = add_working_days(now, row.handle_days, row.unit)
        row.answered_at = None
        row.answered_on_time = None
        row.answer_working_days = None
        row.closed_at = None
        row.escalation_level = 0
        row.escalated_at = None

    result = transition_apply(
        workflow=feedback_workflow, obj=feedback, action="reopen", actor=actor, expected_version=expected_version,
        reason=reason, before_save=reopen,
        payload=_payload(feedback, handler_ids(feedback.agency_id), staff_link=True),
    )
    _update_add(result, kind=UpdateKind.REOPEN, author=actor, text=reason.strip())
    return result


# --- escalation (hourly task) -------------------------------------------------------------------

def feedback_escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Escalate reports past their deadline (handling) or past the moderation deadline (new ones):
    tell the unit's leaders, the coordinators and the handlers. Idempotent: each deadline
    escalates once (``escalation_level``); an extension or a reopening re-arms it."""
    now = now or timezone.now()
    today = _today(now)
    overdue = list(
        Feedback.objects.filter(escalation_level=0, due_date__lt=today,
                                status__in=[Status.ASSIGNED, Status.IN_PROGRESS])
        .values_list("id", flat=True).order_by("due_date", "id")[:limit]
    )
    unmoderated = list(
        Feedback.objects.filter(escalation_level=0, status=Status.NEW, moderation_due__lt=today)
        .values_list("id", flat=True).order_by("moderation_due", "id")[:limit]
    )
    count = 0
    for ids, stage in ((overdue, "handling"), (unmoderated, "moderation")):
        for feedback in Feedback.objects.filter(id__in=ids).select_related("unit", "category"):
            with transaction.atomic():
                notify = [*leader_ids(feedback.unit), *coordinator_ids(feedback.unit)]
                if stage == "handling":
                    notify += handler_ids(feedback.agency_id)
                try:
                    result = transition_apply(
                        workflow=feedback_workflow, obj=feedback, action="escalate", actor=None,
                        changes={"escalation_level": 1, "escalated_at": now},
                        payload=_payload(feedback, notify, staff_link=True, stage=stage,
                                         due_date=(feedback.due_date if stage == "handling"
                                                   else feedback.moderation_due).isoformat()),
                    )
                except DomainError:
                    continue  # it moved on meanwhile (answered, paused): nothing to escalate
                _update_add(result, kind=UpdateKind.ESCALATE, author=None, visible=False,
                            text=_("Quá hạn %(stage)s.") % {"stage": _("xử lý") if stage == "handling"
                                                             else _("tiếp nhận")})
                count += 1
    return count


# --- Open311 API keys ------------------------------------------------------------------------------

def _key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def open311_key_create(*, name: str, contact_email: str = "", rate_limit_per_minute: int | None = None,
                       actor=None) -> tuple[Open311ApiKey, str]:
    """Create a key; returns (row, the full key). The full key is never stored nor shown again."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    full = f"cqs_{prefix}_{secret}"
    key = Open311ApiKey.objects.create(name=name, contact_email=contact_email, prefix=prefix,
                                       key_hash=_key_hash(full), rate_limit_per_minute=rate_limit_per_minute)
    audit_record(action="feedback.open311_key_create", actor=actor, obj=key, after={"name": name, "prefix": prefix})
    return key, full


def open311_key_check(raw: str | None) -> Open311ApiKey | None:
    """The active key matching ``raw``, or None (constant-time comparison of the hashes)."""
    raw = (raw or "").strip()
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "cqs":
        return None
    key = Open311ApiKey.objects.filter(prefix=parts[1], is_active=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _key_hash(raw)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=5):
        Open311ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)  # coarse: no write per request
    return key


@transaction.atomic
def open311_key_revoke(*, key: Open311ApiKey, actor=None) -> None:
    Open311ApiKey.objects.filter(pk=key.pk).update(is_active=False)
    audit_record(action="feedback.open311_key_revoke", actor=actor, obj=key, before={"is_active": True},
                 after={"is_active": False})
