"""Pages of digitisation (``/so-hoa/``, staff) and of the citizen data warehouse (``/kho-du-lieu/``).

Thin: services write, selectors read, policies decide. A scan runs in the background; its page
polls a fragment (HTMX, every 2 s) until it is done, and works without JavaScript by reloading.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chinhquyenso.core.errors import DomainError, NotFound
from chinhquyenso.digitization import forms, policies, selectors, services
from chinhquyenso.digitization.models import ScanJob
from chinhquyenso.units.selectors import visible_units


def _file_response(stored, *, attachment: bool, filename: str | None = None) -> FileResponse:
    response = FileResponse(stored.open(), content_type=stored.mime_type, as_attachment=attachment,
                            filename=filename or stored.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Staff: /so-hoa/


def _scan_units(user):
    return visible_units(user, roles=policies.SCAN_ROLES).order_by("path")


def _job_or_404(request, job_id: int) -> ScanJob:
    try:
        return selectors.scan_job_get_for_user(job_id=job_id, user=request.user)
    except NotFound:
        raise Http404 from None


@login_required
def scan_list(request):
    units = _scan_units(request.user)
    if not units.exists():
        raise Http404  # not an officer who scans: the page does not exist for them
    form = forms.ScanForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.scan_job_create_from_uploads(uploads=form.cleaned_data["files"], requested_by=request.user,
                                                        unit=form.cleaned_data["unit"],
                                                        title=form.cleaned_data["title"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Đã nhận tài liệu, đang số hóa."))
            return redirect("digitization:detail", job_id=job.pk)
    q = (request.GET.get("q") or "").strip()[:200]
    status = request.GET.get("trang-thai", "")
    page = selectors.scan_jobs_for_user(user=request.user, q=q, status=status, cursor=request.GET.get("sau", ""))
    return render(request, "digitization/scan_list.html", {
        "form": form, "page": page, "q": q, "status": status, "statuses": ScanJob.Status.choices,
    }, status=400 if request.method == "POST" else 200)


@login_required
def scan_detail(request, job_id: int):
    job = _job_or_404(request, job_id)
    inputs = list(job.inputs.select_related("file").order_by("order"))
    return render(request, "digitization/scan_detail.html", {"job": job, "inputs": inputs})


@login_required
@never_cache
def scan_status(request, job_id: int):
    """The progress/result box, polled by the job page while the job runs."""
    job = _job_or_404(request, job_id)
    return render(request, "digitization/_scan_status.html", {"job": job})


@login_required
@require_POST
def scan_retry(request, job_id: int):
    job = _job_or_404(request, job_id)
    try:
        services.scan_job_retry(job=job, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xếp lại tài liệu vào hàng chờ số hóa."))
    return redirect("digitization:detail", job_id=job.pk)


@login_required
def scan_download(request, job_id: int):
    job = _job_or_404(request, job_id)
    if job.result is None:
        raise Http404
    return _file_response(job.result, attachment=True)


@login_required
def scan_text(request, job_id: int):
    """The recognised text as a UTF-8 .txt file (to paste into another system)."""
    job = _job_or_404(request, job_id)
    if job.status != ScanJob.Status.DONE:
        raise Http404
    response = HttpResponse(job.text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="so-hoa-{job.pk}.txt"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def scan_original(request, job_id: int, order: int):
    job = _job_or_404(request, job_id)
    item = job.inputs.select_related("file").filter(order=order).first()
    if item is None:
        raise Http404
    return _file_response(item.file, attachment=True)


# ---------------------------------------------------------------------------------------------
# Citizens: /kho-du-lieu/


def _personal_or_404(request, document_id: int):
    try:
        return services.personal_document_get_for_owner(owner=request.user, document_id=document_id)
    except NotFound:
        raise Http404 from None


@login_required
def warehouse_list(request):
    if request.user.kind not in ("citizen", "organisation"):
        raise Http404
    form = forms.WarehouseUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.personal_document_upload(owner=request.user, content=data["file"], name=data["file"].name,
                                              title=data["title"], document_number=data["document_number"],
                                              issued_on=data["issued_on"])
        except DomainError as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
        else:
            messages.success(request, _("Đã thêm giấy tờ vào kho dữ liệu của bạn."))
            return redirect("warehouse:list")
    documents = list(selectors.personal_documents_for(request.user))
    return render(request, "digitization/warehouse.html", {
        "form": form, "documents": documents,
        "deletable": {d.pk for d in documents if policies.can_delete_personal_document(request.user, d)},
    }, status=400 if request.method == "POST" else 200)


@login_required
def warehouse_download(request, document_id: int):
    document = _personal_or_404(request, document_id)
    return _file_response(document.file, attachment=request.GET.get("xem") != "1")


@login_required
def warehouse_delete(request, document_id: int):
    document = _personal_or_404(request, document_id)
    if not policies.can_delete_personal_document(request.user, document):
        messages.error(request, _("Chỉ xóa được giấy tờ bạn tự tải lên; kết quả do cơ quan cấp và giấy tờ đã nộp "
                                  "kèm hồ sơ được lưu giữ."))
        return redirect("warehouse:list")
    if request.method == "POST":
        try:
            services.personal_document_delete(document=document, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã xóa “%(title)s” khỏi kho dữ liệu.") % {"title": document.title})
        return redirect("warehouse:list")
    return render(request, "digitization/warehouse_delete.html", {"document": document})
