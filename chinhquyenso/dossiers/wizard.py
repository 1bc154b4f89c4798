"""The citizen's online submission, one question per page (GOV.UK "one thing per page" pattern):

    receiving unit → e-form (the eforms app's own fill/review pages, saved as a draft) →
    documents (upload, or reuse from the data warehouse) → how to get the result → check and submit.

Nothing is a dossier until the last page: the choices made so far live in the session, keyed by
procedure, and the uploaded files are already checked ``StoredFile`` rows owned by the citizen.
``next_step`` answers "which page is still to do", so every page (and the e-form's review page,
whose "Tiếp tục" button goes to ``dossiers:start``) can send the citizen on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "dossier_submissions"


class Step:
    UNIT = "unit"
    EFORM = "eform"
    DOCUMENTS = "documents"
    DELIVERY = "delivery"
    REVIEW = "review"


STEP_LABELS = [
    (Step.UNIT, _("Nơi nộp")),
    (Step.EFORM, _("Tờ khai")),
    (Step.DOCUMENTS, _("Giấy tờ")),
    (Step.DELIVERY, _("Nhận kết quả")),
    (Step.REVIEW, _("Kiểm tra và nộp")),
]


@dataclass
class Submission:
    """What the citizen chose so far for one procedure."""

    unit_id: int | None = None
    # required_document_id (str) -> {"file_id", "name", "source", "personal_document_id", "original_name", "size"}
    documents: dict[str, dict] = field(default_factory=dict)
    documents_done: bool = False
    result_delivery: str = ""
    delivery_address: str = ""
    applicant_phone: str = ""

    @classmethod
    def from_dict(cls, data: dict | None) -> Submission:
        data = data or {}
        return cls(unit_id=data.get("unit_id"), documents=dict(data.get("documents") or {}),
                   documents_done=bool(data.get("documents_done")), result_delivery=data.get("result_delivery", ""),
                   delivery_address=data.get("delivery_address", ""),
                   applicant_phone=data.get("applicant_phone", ""))

    def as_dict(self) -> dict:
        return {"unit_id": self.unit_id, "documents": self.documents, "documents_done": self.documents_done,
                "result_delivery": self.result_delivery, "delivery_address": self.delivery_address,
                "applicant_phone": self.applicant_phone}


def load(request, procedure) -> Submission:
    return Submission.from_dict(request.session.get(SESSION_KEY, {}).get(str(procedure.pk)))


def save(request, procedure, submission: Submission) -> None:
    store = dict(request.session.get(SESSION_KEY, {}))
    store[str(procedure.pk)] = submission.as_dict()
    request.session[SESSION_KEY] = store


def clear(request, procedure) -> None:
    store = dict(request.session.get(SESSION_KEY, {}))
    if store.pop(str(procedure.pk), None) is not None:
        request.session[SESSION_KEY] = store


def form_state(*, user, procedure):
    """(form version or None, the citizen's e-form draft or None). No published e-form = no step."""
    from chinhquyenso.eforms import selectors as eforms

    version = eforms.current_version_for(procedure)
    if version is None:
        return None, None
    return version, eforms.draft_for(user=user, definition=version.definition)


# E-forms that already ask how the result should be delivered (the shared "nhan_ket_qua" block of
# eforms/data/_blocks.json): their answer fills the delivery page, so nobody is asked twice.
FORM_DELIVERY_FIELD = "hinh_thuc_nhan"
FORM_DELIVERY_VALUES = {"truc_tiep": "desk", "buu_chinh": "post", "dien_tu": "online"}


def delivery_from_form(submission: Submission, draft) -> bool:
    """Take the result delivery from the e-form's answer when the citizen has not chosen yet."""
    if submission.result_delivery or draft is None or not draft.is_complete:
        return False
    data = draft.data or {}
    delivery = FORM_DELIVERY_VALUES.get(data.get(FORM_DELIVERY_FIELD))
    if delivery is None:
        return False
    address = str(data.get("dia_chi_nhan") or "").strip()
    phone = str(data.get("dien_thoai") or "").strip()
    if delivery == "post" and not (address and phone):
        return False  # let the delivery page ask for what is missing
    submission.result_delivery = delivery
    submission.delivery_address = address if delivery == "post" else ""
    submission.applicant_phone = phone
    return True


def next_step(*, submission: Submission, version, draft) -> str:
    if submission.unit_id is None:
        return Step.UNIT
    if version is not None and (draft is None or not draft.is_complete):
        return Step.EFORM
    if not submission.documents_done:
        return Step.DOCUMENTS
    if not submission.result_delivery:
        return Step.DELIVERY
    return Step.REVIEW


def step_url(step: str, procedure) -> str:
    if step == Step.EFORM:
        return reverse("eforms:fill", kwargs={"procedure_id": procedure.pk})
    names = {Step.UNIT: "dossiers:submit_unit", Step.DOCUMENTS: "dossiers:submit_documents",
             Step.DELIVERY: "dossiers:submit_delivery", Step.REVIEW: "dossiers:submit_review"}
    return reverse(names[step], kwargs={"procedure_id": procedure.pk})


def done_steps(*, submission: Submission, version, draft) -> set[str]:
    done = set()
    if submission.unit_id is not None:
        done.add(Step.UNIT)
    if version is None or (draft is not None and draft.is_complete):
        done.add(Step.EFORM)
    if submission.documents_done:
        done.add(Step.DOCUMENTS)
    if submission.result_delivery:
        done.add(Step.DELIVERY)
    return done


def steps_for(current: str, *, has_form: bool, procedure, done: set[str] = frozenset()) -> list[dict]:
    """The progress list shown above each page; a page already answered links back to it (the
    e-form may be filled before or after the unit is chosen, so "done" is the state, not the order)."""
    steps = [(k, v) for k, v in STEP_LABELS if has_form or k != Step.EFORM]
    return [{"key": k, "label": label, "n": i + 1, "current": k == current, "done": k in done and k != current,
             "url": step_url(k, procedure)} for i, (k, label) in enumerate(steps)]


# --- The documents page ------------------------------------------------------------------------

def _attachment(stored, *, source: str, name: str, personal_document_id=None) -> dict:
    return {"file_id": str(stored.pk), "name": name, "source": source, "personal_document_id": personal_document_id,
            "original_name": stored.original_name, "size": stored.size}


def documents_apply(*, submission: Submission, user, to_attach, post, files, finish: bool) -> dict[int, str]:
    """Apply one POST of the documents page to ``submission``: removals, uploads (checked by
    content) and picks from the citizen's data warehouse. With ``finish``, a required document
    still missing is an error too. Returns the Vietnamese error of each document that has one."""
    from chinhquyenso.core.errors import DomainError, NotFound
    from chinhquyenso.core.files import stored_file_create
    from chinhquyenso.digitization.services import personal_document_get_for_owner
    from chinhquyenso.dossiers.models import DossierDocument

    errors: dict[int, str] = {}
    for rd in to_attach:
        key = str(rd.pk)
        if post.get(f"remove_{rd.pk}"):
            submission.documents.pop(key, None)
        upload = files.get(f"file_{rd.pk}")
        picked = post.get(f"kho_{rd.pk}", "")
        if upload is not None:
            try:
                stored = stored_file_create(content=upload, name=upload.name, purpose="document", uploaded_by=user)
            except DomainError as exc:
                errors[rd.pk] = exc.message
                continue
            submission.documents[key] = _attachment(stored, source=DossierDocument.Source.UPLOAD, name=rd.name)
        elif picked:
            try:
                personal = personal_document_get_for_owner(owner=user, document_id=int(picked))
            except (NotFound, ValueError):
                errors[rd.pk] = str(_("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn."))
                continue
            submission.documents[key] = _attachment(personal.file, source=DossierDocument.Source.WAREHOUSE,
                                                    name=rd.name, personal_document_id=personal.pk)
    if finish and not errors:
        for rd in to_attach:
            if rd.requirement == "required" and str(rd.pk) not in submission.documents:
                errors[rd.pk] = str(_("Vui lòng đính kèm giấy tờ này (tải lên hoặc chọn từ kho dữ liệu)."))
    submission.documents_done = finish and not errors
    return errors


def documents_rows(*, submission: Submission, to_attach, warehouse, errors: dict[int, str]) -> list[dict]:
    """Each document to attach with what is attached and the warehouse documents to offer,
    the ones whose name matches first."""
    from chinhquyenso.core.text import fold

    rows = []
    for rd in to_attach:
        wanted = fold(rd.name)
        offers = sorted(warehouse, key=lambda p, w=wanted: (w not in (p.matches or []), -p.created_at.timestamp()))
        rows.append({"doc": rd, "attached": submission.documents.get(str(rd.pk)), "error": errors.get(rd.pk),
                     "offers": [{"document": p, "match": wanted in (p.matches or [])} for p in offers]})
    return rows
