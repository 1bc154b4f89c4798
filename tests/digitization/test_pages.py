"""The staff page /so-hoa/ (upload, progress polling, download, text) and the citizen's
"Kho dữ liệu của tôi" (/kho-du-lieu/): what each user sees and may do."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chinhquyenso.digitization import services
from chinhquyenso.digitization.models import PersonalDocument, ScanJob
from tests import factories
from tests.digitization.conftest import render_page, scan_file
from tests.digitization.test_scan_jobs import ELF

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def login(client, user):
    client.force_login(user)
    return client


def png_upload(name="trang-1.png", **kw):
    return SimpleUploadedFile(name, render_page(["GIẤY KHAI SINH"], **kw), content_type="image/png")


# --- /so-hoa/ ---------------------------------------------------------------------------------


def test_scan_page_is_for_scanning_officers_only(client, scanners, citizen):
    url = reverse("digitization:list")
    assert client.get(url).status_code == 302  # to the login page
    assert login(client, citizen).get(url).status_code == 404
    assert login(client, scanners["leader"]).get(url).status_code == 404
    response = login(client, scanners["reception"]).get(url)
    assert response.status_code == 200
    assert "Số hóa tài liệu mới" in response.content.decode()


def test_upload_creates_a_job_and_its_page_polls_until_done(client, scanners, fake_ocr,
                                                            django_capture_on_commit_callbacks):
    officer = scanners["reception"]
    login(client, officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("digitization:list"), {
            "title": "Giấy khai sinh Nguyễn Văn An", "unit": factories.unit("19894").pk,
            "files": [png_upload("1.png"), png_upload("2.png")],
        })
    job = ScanJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("digitization:detail", args=[job.pk])
    assert job.inputs.count() == 2 and job.unit.code == "19894"

    page = client.get(reverse("digitization:detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Chờ xử lý" in page
    assert 'http-equiv="refresh"' in page, "without JavaScript the page reloads itself"
    assert client.get(reverse("digitization:download", args=[job.pk])).status_code == 404

    for callback in callbacks:
        callback()
    fragment = client.get(reverse("digitization:status", args=[job.pk]))
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "hx-get" not in body, "polling stops when the job is done"
    assert "Đã số hóa xong" in body and "PDF/A-2B" in body and "GIẤY KHAI SINH" in body
    assert "no-cache" in fragment["Cache-Control"] or "max-age=0" in fragment["Cache-Control"]

    pdf = client.get(reverse("digitization:download", args=[job.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    text = client.get(reverse("digitization:text", args=[job.pk]))
    assert text["Content-Type"].startswith("text/plain") and "GIẤY KHAI SINH" in text.content.decode()
    original = client.get(reverse("digitization:original", args=[job.pk, 2]))
    assert original.status_code == 200 and original["Content-Type"] == "image/png"
    listing = client.get(reverse("digitization:list")).content.decode()
    assert "Giấy khai sinh Nguyễn Văn An" in listing and "Đã số hóa" in listing


def test_a_renamed_executable_is_refused_on_the_page_without_a_job(client, scanners):
    login(client, scanners["clerk"])
    response = client.post(reverse("digitization:list"), {
        "title": "Công văn", "unit": factories.unit("19894").pk,
        "files": [SimpleUploadedFile("cong-van.pdf", ELF, content_type="application/pdf")],
    })
    assert response.status_code == 400
    assert "không phải định dạng được chấp nhận" in response.content.decode()
    assert ScanJob.objects.count() == 0


def test_an_officer_cannot_scan_for_a_unit_outside_their_scope(client, scanners):
    login(client, scanners["reception"])
    response = client.post(reverse("digitization:list"), {
        "title": "Giấy khai sinh", "unit": factories.unit("19897").pk, "files": [png_upload()]})
    assert response.status_code == 400 and ScanJob.objects.count() == 0


def test_a_job_of_another_commune_is_not_found(client, scanners):
    job = services.scan_job_create(files=[scan_file(render_page(["A"]))], requested_by=scanners["reception"],
                                   unit=factories.unit("19894"), title="Hồ sơ Quảng Thọ")
    login(client, scanners["other_commune"])
    for name, args in (("detail", [job.pk]), ("status", [job.pk]), ("download", [job.pk]), ("text", [job.pk]),
                       ("original", [job.pk, 1])):
        assert client.get(reverse(f"digitization:{name}", args=args)).status_code == 404, name
    assert client.post(reverse("digitization:retry", args=[job.pk])).status_code == 404
    assert "Hồ sơ Quảng Thọ" not in client.get(reverse("digitization:list")).content.decode()


def test_a_failed_job_shows_its_reason_and_can_be_run_again(client, scanners, django_capture_on_commit_callbacks):
    officer = scanners["reception"]
    job = services.scan_job_create(files=[scan_file(b"%PDF-1.7\n" + b"\x00" * 300, "hong.pdf")],
                                   requested_by=officer, unit=factories.unit("19894"), title="Tệp hỏng")
    services.scan_job_run(job_id=job.pk)
    login(client, officer)
    page = client.get(reverse("digitization:detail", args=[job.pk])).content.decode()
    assert "Không số hóa được tài liệu" in page and "hx-get" not in page and "Chạy lại" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("digitization:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ScanJob.Status.QUEUED


# --- /kho-du-lieu/ -----------------------------------------------------------------------------


def test_warehouse_lists_the_citizens_documents_and_accepts_uploads(client, citizen, locality):
    from chinhquyenso.core.files import stored_file_create

    result = stored_file_create(content=PDF + b"kq", name="ket-qua.pdf", purpose="document")
    services.personal_document_add(owner=citizen, file=result, title="Giấy khai sinh (bản chính)", kind="result",
                                   issued_by=factories.agency("000.29.14.H57"), document_number="12/2026")
    other = factories.make_citizen()
    services.personal_document_add(owner=other, file=stored_file_create(content=PDF + b"o", name="o.pdf",
                                                                        purpose="document"),
                                   title="Giấy tờ người khác", kind="uploaded")
    login(client, citizen)
    page = client.get(reverse("warehouse:list")).content.decode()
    assert "Giấy khai sinh (bản chính)" in page and "12/2026" in page and "Giấy tờ người khác" not in page
    assert "Xóa" not in page.split("Thêm giấy tờ của bạn")[0], "a result issued by an agency cannot be deleted"

    response = client.post(reverse("warehouse:list"), {
        "title": "Căn cước công dân", "issued_on": "15/01/2024",
        "file": SimpleUploadedFile("cccd.pdf", PDF + b"cccd", content_type="application/pdf")})
    assert response.status_code == 302
    uploaded = PersonalDocument.objects.get(owner=citizen, kind="uploaded")
    assert uploaded.title == "Căn cước công dân" and uploaded.issued_on.isoformat() == "2024-01-15"
    assert uploaded.file.uploaded_by == citizen

    bad = client.post(reverse("warehouse:list"), {
        "title": "Chương trình", "file": SimpleUploadedFile("a.pdf", ELF, content_type="application/pdf")})
    assert bad.status_code == 400 and "không phải định dạng được chấp nhận" in bad.content.decode()
    assert PersonalDocument.objects.filter(owner=citizen).count() == 2


def test_warehouse_download_is_for_the_owner_only(client, citizen, scanners):
    from chinhquyenso.core.files import stored_file_create

    doc = services.personal_document_add(owner=citizen, file=stored_file_create(
        content=PDF + b"x", name="giay.pdf", purpose="document"), title="Giấy", kind="uploaded")
    url = reverse("warehouse:download", args=[doc.pk])
    assert login(client, factories.make_citizen()).get(url).status_code == 404
    assert login(client, scanners["reception"]).get(url).status_code == 404
    assert login(client, scanners["reception"]).get(reverse("warehouse:list")).status_code == 404
    response = login(client, citizen).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    inline = client.get(url + "?xem=1")
    assert "attachment" not in inline.get("Content-Disposition", "")


def test_a_citizen_deletes_their_own_upload_but_not_an_issued_result(client, citizen):
    from chinhquyenso.core.files import stored_file_create
    from chinhquyenso.core.models import AuditEvent, StoredFile

    own = services.personal_document_add(owner=citizen, file=stored_file_create(
        content=PDF + b"own", name="own.pdf", purpose="document"), title="Bằng tốt nghiệp", kind="uploaded")
    result = services.personal_document_add(owner=citizen, file=stored_file_create(
        content=PDF + b"kq", name="kq.pdf", purpose="document"), title="Kết quả", kind="result")
    login(client, citizen)
    assert "Bằng tốt nghiệp" in client.get(reverse("warehouse:delete", args=[own.pk])).content.decode()
    assert client.post(reverse("warehouse:delete", args=[own.pk])).status_code == 302
    assert not PersonalDocument.objects.filter(pk=own.pk).exists()
    assert not StoredFile.objects.filter(pk=own.file_id).exists(), "nothing else used the file: it goes too"
    assert AuditEvent.objects.filter(action="digitization.personal_document_delete").count() == 1

    response = client.post(reverse("warehouse:delete", args=[result.pk]), follow=True)
    assert "Chỉ xóa được giấy tờ bạn tự tải lên" in response.content.decode()
    assert PersonalDocument.objects.filter(pk=result.pk).exists()
    other = factories.make_citizen()
    assert login(client, other).post(reverse("warehouse:delete", args=[result.pk])).status_code == 404


def test_a_deleted_upload_reused_in_a_dossier_keeps_its_file(citizen):
    from chinhquyenso.core.errors import PermissionDenied
    from chinhquyenso.core.files import stored_file_create
    from chinhquyenso.core.models import StoredFile

    stored = stored_file_create(content=PDF + b"reuse", name="r.pdf", purpose="document")
    doc = services.personal_document_add(owner=citizen, file=stored, title="Giấy tờ", kind="uploaded")
    # A scan job (like a dossier that reused it) is one more holder of the file.
    job = ScanJob.objects.create(title="x", unit=factories.unit("19894"), requested_by=citizen)
    job.inputs.create(file=stored, order=1)
    services.personal_document_delete(document=doc, actor=citizen)
    assert StoredFile.objects.filter(pk=stored.pk).exists()
    with pytest.raises(PermissionDenied):
        services.personal_document_upload(owner=factories.make_staff("clerk"), content=PDF, name="a.pdf", title="A")
