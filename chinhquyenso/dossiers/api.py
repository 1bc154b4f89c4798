"""Dossier API (/api/v1/dossiers/): citizens submit and follow; officers work their queues and act.

Every endpoint goes through the same services and gatekeeper selectors as the web pages. Errors are
``{"code", "message", "field"}``; a stale ``version`` answers 409 so a client can reload.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import BaseModel

from chinhquyenso.core.errors import DomainError, NotFound, PermissionDenied
from chinhquyenso.core.files import stored_file_create, stored_files_discard
from chinhquyenso.core.parsing import parse_id
from chinhquyenso.dossiers import selectors, services
from chinhquyenso.dossiers.models import Dossier
from chinhquyenso.dossiers.workflow import dossier_flow

router = Router(tags=["Hồ sơ một cửa"])


class DossierOut(Schema):
    id: int
    code: str
    status: str
    status_label: str
    channel: str
    procedure_code: str
    procedure_name: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    accept_due_at: dt.datetime | None
    due_date: dt.date | None
    finished_at: dt.datetime | None
    is_late: bool
    fee_total: int
    fee_status: str
    version: int
    current_role: str
    actions: list[str]


class TimelineOut(Schema):
    at: dt.datetime
    action: str
    status: str
    note: str


class QueueRowOut(BaseModel):
    """A plain pydantic model, not a ninja Schema: list rows are validated by pydantic-core alone,
    without ninja's per-field Django attribute resolver (10× faster for a 50-row page)."""

    id: int
    code: str
    status: str
    applicant_name: str
    procedure_name: str
    due_date: dt.date | None
    accept_due_at: dt.datetime | None
    is_late: bool
    version: int


class QueuePageOut(BaseModel):
    rows: list[QueueRowOut]
    next_cursor: str | None


class ActionIn(Schema):
    version: int
    reason: str = ""
    note: str = ""
    items: list[dict] = []
    new_due_date: dt.date | None = None
    assignee_id: int | None = None


class PublicStatusOut(Schema):
    code: str
    procedure: str
    status: str
    status_label: str
    received_at: dt.datetime | None
    due_date: dt.date | None
    finished_at: dt.datetime | None
    holder_agency: str
    timeline: list[tuple[dt.datetime, str]]


def _out(dossier: Dossier, user) -> DossierOut:
    return DossierOut(
        id=dossier.pk, code=dossier.code, status=dossier.status, status_label=dossier.get_status_display(),
        channel=dossier.channel, procedure_code=dossier.procedure.code, procedure_name=dossier.procedure.name,
        submitted_at=dossier.submitted_at, received_at=dossier.received_at, accept_due_at=dossier.accept_due_at,
        due_date=dossier.due_date, finished_at=dossier.finished_at, is_late=dossier.is_late,
        fee_total=dossier.fee_total, fee_status=dossier.fee_status, version=dossier.version,
        current_role=dossier.current_role, actions=[t.action for t in dossier_flow.available(dossier, user)],
    )


@router.get("/mine", response=list[DossierOut], summary="Hồ sơ của tôi (công dân)")
def my_dossiers(request):
    rows = selectors.dossiers_of_applicant(user=request.user)
    full = Dossier.objects.filter(pk__in=[r.pk for r in rows]).select_related("procedure", "unit")
    return [_out(d, request.user) for d in sorted(full, key=lambda d: d.submitted_at, reverse=True)]


@router.post("/", response={201: DossierOut}, summary="Nộp hồ sơ trực tuyến")
def submit(request, procedure_code: Form[str], unit_code: Form[str], form_data: Form[str] = "{}",
           result_delivery: Form[str] = "desk", delivery_address: Form[str] = "",
           document_ids: Form[str] = "", files: File[list[UploadedFile]] = None):
    """Multipart form: ``files`` are uploaded in the order of ``document_ids`` (the ids of the
    procedure's required documents, comma-separated); ``form_data`` is the e-form JSON."""
    import json

    from chinhquyenso.catalog.models import Procedure
    from chinhquyenso.units.models import AdministrativeUnit

    procedure = Procedure.objects.filter(code=procedure_code).prefetch_related("required_documents").first()
    if procedure is None:
        raise NotFound("procedure_not_found", "Không tìm thấy thủ tục.", "procedure_code")
    unit = AdministrativeUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise NotFound("unit_not_found", "Không tìm thấy đơn vị hành chính.", "unit_code")
    try:
        data = json.loads(form_data or "{}")
    except json.JSONDecodeError as exc:
        raise DomainError("form_data_invalid", "Dữ liệu tờ khai không phải JSON hợp lệ.", "form_data") from exc
    ids = [i for x in document_ids.split(",") if (i := parse_id(x)) is not None]
    files = files or []
    if len(ids) != len(files):
        raise DomainError("documents_mismatch", "Số tệp không khớp với danh sách giấy tờ.", "document_ids")
    names = {rd.pk: rd.name for rd in procedure.required_documents.all()}
    if any(doc_id not in names for doc_id in ids):
        raise DomainError("document_not_in_procedure", "Giấy tờ không thuộc thủ tục này.", "document_ids")
    documents = []
    try:
        # The files and the dossier in one transaction (one commit): a refused submission leaves
        # neither file rows nor, once discarded, their blobs.
        with transaction.atomic():
            for doc_id, upload in zip(ids, files, strict=True):
                stored = stored_file_create(content=upload, name=upload.name, purpose="document",
                                            uploaded_by=request.user)
                documents.append(services.DocumentInput(name=names[doc_id], file=stored, required_document_id=doc_id))
            dossier = services.dossier_submit(procedure=procedure, unit=unit, applicant=request.user,
                                              form_data=data, documents=documents, result_delivery=result_delivery,
                                              delivery_address=delivery_address)
    except Exception:
        stored_files_discard([d.file for d in documents])
        raise
    return 201, _out(dossier, request.user)


@router.get("/lookup", response=PublicStatusOut, auth=None, summary="Tra cứu công khai theo mã hồ sơ và mã tra cứu")
def lookup(request, code: str, secret: str):
    status = selectors.dossier_public_lookup(code=code, secret=secret)
    return PublicStatusOut(**status.__dict__)


@router.get("/queues/{queue}", response=QueuePageOut, summary="Hàng đợi công việc của cán bộ")
def queue_page(request, queue: str, cursor: str | None = None, limit: int = 50):
    """Officers only, like the queue pages: a citizen is refused (403), not shown an empty queue."""
    available = selectors.queue_available(request.user)
    if not available:
        raise PermissionDenied("not_staff", "Chỉ cán bộ tiếp nhận, xử lý hoặc phê duyệt hồ sơ mới xem được hàng đợi.")
    if queue not in available:
        raise NotFound("queue_not_found", "Không có hàng đợi này hoặc bạn không có vai trò với hàng đợi này.", "queue")
    limit = max(1, min(limit, 100))
    after = None
    if cursor:
        after = selectors.parse_cursor(cursor, queue=queue)
        if after is None:
            raise DomainError("bad_cursor", "Con trỏ phân trang không hợp lệ.", "cursor")
    rows = list(selectors.dossier_queue(user=request.user, queue=queue, after=after, limit=limit))
    sort_key = selectors.QUEUE_SORT_FIELD.get(queue, "due_date")
    next_cursor = None
    if len(rows) == limit and rows[-1][sort_key] is not None:
        last = rows[-1]
        next_cursor = f"{last[sort_key].isoformat()}|{last['id']}"
    return QueuePageOut(rows=[QueueRowOut(id=r["id"], code=r["code"], status=r["status"],
                                          applicant_name=r["applicant_name"], procedure_name=r["procedure__name"],
                                          due_date=r["due_date"], accept_due_at=r["accept_due_at"],
                                          is_late=r["is_late"], version=r["version"]) for r in rows],
                        next_cursor=next_cursor)


@router.get("/{dossier_id}", response=DossierOut, summary="Chi tiết hồ sơ")
def detail(request, dossier_id: int):
    return _out(selectors.dossier_get_for_user(dossier_id=dossier_id, user=request.user), request.user)


@router.get("/{dossier_id}/timeline", response=list[TimelineOut], summary="Tiến trình xử lý")
def timeline(request, dossier_id: int):
    dossier = selectors.dossier_get_for_user(dossier_id=dossier_id, user=request.user)
    staff = dossier.applicant_id != request.user.pk
    return [TimelineOut(at=e.at, action=e.action, status=e.status, note=(e.note if staff else e.public_note))
            for e in dossier.timeline.all()]


_ACTIONS = {
    "receive": lambda d, u, body: services.dossier_receive(dossier=d, actor=u, expected_version=body.version),
    "refuse": lambda d, u, body: services.dossier_refuse(dossier=d, actor=u, reason=body.reason,
                                                         expected_version=body.version),
    "request_supplement": lambda d, u, body: services.dossier_request_supplement(
        dossier=d, actor=u, reason=body.reason, items=body.items, expected_version=body.version),
    "take": lambda d, u, body: services.dossier_take(dossier=d, actor=u, expected_version=body.version),
    "forward": lambda d, u, body: services.dossier_forward(dossier=d, actor=u, note=body.note,
                                                           expected_version=body.version),
    "return_for_rework": lambda d, u, body: services.dossier_return_for_rework(
        dossier=d, actor=u, reason=body.reason, expected_version=body.version),
    "approve": lambda d, u, body: services.dossier_approve(dossier=d, actor=u, expected_version=body.version),
    "reject": lambda d, u, body: services.dossier_reject(dossier=d, actor=u, reason=body.reason,
                                                         expected_version=body.version),
    "return_result": lambda d, u, body: services.dossier_return_result(dossier=d, actor=u,
                                                                       expected_version=body.version),
    "withdraw": lambda d, u, body: services.dossier_withdraw(dossier=d, actor=u, reason=body.reason,
                                                             expected_version=body.version),
}


@router.post("/{dossier_id}/actions/{action}", response=DossierOut, summary="Thực hiện thao tác trên hồ sơ")
def act(request, dossier_id: int, action: str, body: ActionIn):
    dossier = selectors.dossier_get_for_user(dossier_id=dossier_id, user=request.user)
    if action == "apologize":
        if body.new_due_date is None:
            raise DomainError("new_due_date_required", "Vui lòng nhập ngày hẹn trả mới.", "new_due_date")
        services.dossier_apologize(dossier=dossier, actor=request.user, reason=body.reason,
                                   new_due_date=body.new_due_date, expected_version=body.version)
    elif action == "assign":
        from chinhquyenso.accounts.models import User

        assignee = User.objects.filter(pk=body.assignee_id or 0, is_active=True).first()
        if assignee is None:
            raise NotFound("user_not_found", "Không tìm thấy cán bộ được giao.", "assignee_id")
        services.dossier_assign(dossier=dossier, actor=request.user, assignee=assignee, expected_version=body.version)
    elif action in _ACTIONS:
        _ACTIONS[action](dossier, request.user, body)
    else:
        raise DomainError("unknown_action", "Thao tác không hợp lệ.", "action")
    return _out(selectors.dossier_get_for_user(dossier_id=dossier_id, user=request.user), request.user)
