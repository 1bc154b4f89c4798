"""The dossier API: citizens submit and follow, officers act; errors are {code, message, field}."""

from __future__ import annotations

import pytest

from chinhquyenso.dossiers.models import Dossier
from tests.dossiers.conftest import PDF

pytestmark = pytest.mark.django_db


def _files(procedure):
    docs = list(procedure.required_documents.filter(requirement="required").exclude(form="present"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    return docs, [SimpleUploadedFile(f"{d.pk}.pdf", PDF + str(d.pk).encode(), content_type="application/pdf")
                  for d in docs]


def test_citizen_submits_through_the_api_and_follows_it(client, procedure, citizen):
    client.force_login(citizen)
    docs, files = _files(procedure)
    response = client.post("/api/v1/dossiers/", {
        "procedure_code": procedure.code, "unit_code": "477", "form_data": "{}",
        "document_ids": ",".join(str(d.pk) for d in docs), "files": files})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith("000.00.14.H57-") and body["status"] == "submitted"
    assert "withdraw" in body["actions"]
    mine = client.get("/api/v1/dossiers/mine").json()
    assert [d["code"] for d in mine] == [body["code"]]
    timeline = client.get(f"/api/v1/dossiers/{body['id']}/timeline").json()
    assert timeline[0]["action"] == "submit"


def test_a_renamed_executable_is_refused_with_a_clear_code(client, procedure, citizen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(citizen)
    docs, files = _files(procedure)
    files[0] = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    response = client.post("/api/v1/dossiers/", {
        "procedure_code": procedure.code, "unit_code": "477",
        "document_ids": ",".join(str(d.pk) for d in docs), "files": files})
    assert response.status_code == 400
    assert response.json()["code"] == "file_type_not_allowed"
    assert Dossier.objects.count() == 0


def _stored_blobs(tmp_path) -> list:
    media = tmp_path / "media"
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_submission_refused_after_its_files_were_checked_leaves_no_file_behind(client, procedure, citizen,
                                                                                 tmp_path):
    from chinhquyenso.core.models import StoredFile

    client.force_login(citizen)
    docs, files = _files(procedure)
    # Both files are good; the refusal (post without an address) comes from the dossier service.
    response = client.post("/api/v1/dossiers/", {
        "procedure_code": procedure.code, "unit_code": "477", "form_data": "{}", "result_delivery": "post",
        "document_ids": ",".join(str(d.pk) for d in docs), "files": files})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "delivery_address_required"
    assert Dossier.objects.count() == 0
    assert StoredFile.objects.count() == 0 and _stored_blobs(tmp_path) == []
    # The same files then go through, and are kept.
    docs, files = _files(procedure)
    ok = client.post("/api/v1/dossiers/", {
        "procedure_code": procedure.code, "unit_code": "477", "form_data": "{}",
        "document_ids": ",".join(str(d.pk) for d in docs), "files": files})
    assert ok.status_code == 201, ok.content
    assert StoredFile.objects.count() == len(docs) == len(_stored_blobs(tmp_path))
    # Discarding never touches a file a dossier refers to (row and blob kept).
    from chinhquyenso.core.files import stored_files_discard

    stored_files_discard(list(StoredFile.objects.all()))
    assert StoredFile.objects.count() == len(docs) == len(_stored_blobs(tmp_path))


def test_officer_works_the_intake_queue_and_a_stale_version_answers_409(client, procedure, citizen, documents,
                                                                        officers):
    from chinhquyenso.dossiers import services
    from tests import factories

    d = services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                documents=documents())
    client.force_login(officers["reception"])
    page = client.get("/api/v1/dossiers/queues/intake").json()
    assert [r["code"] for r in page["rows"]] == [d.code]
    ok = client.post(f"/api/v1/dossiers/{d.pk}/actions/receive", {"version": d.version},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    stale = client.post(f"/api/v1/dossiers/{d.pk}/actions/refuse", {"version": d.version, "reason": "x"},
                        content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"


def test_other_communes_officer_gets_404_not_403(client, procedure, citizen, documents, officers):
    from chinhquyenso.dossiers import services
    from tests import factories

    d = services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                documents=documents())
    client.force_login(officers["commune_reception"])
    response = client.get(f"/api/v1/dossiers/{d.pk}")
    assert response.status_code == 404 and response.json()["code"] == "dossier_not_found"
    assert client.get("/api/v1/dossiers/queues/intake").json()["rows"] == []


def test_public_lookup_needs_the_secret_and_shows_no_personal_data(client, procedure, documents):
    from chinhquyenso.dossiers import services
    from tests import factories

    citizen = factories.make_citizen(phone="0905111222", email="an@example.vn", address_line="Thôn Phò Nam")
    d = services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                documents=documents())
    assert client.get("/api/v1/dossiers/lookup", {"code": d.code, "secret": "WRONG"}).status_code == 404
    response = client.get("/api/v1/dossiers/lookup", {"code": d.code, "secret": d.lookup_secret.lower()})
    assert response.status_code == 200
    text = response.content.decode()
    profile = citizen.citizen_profile
    for secret in (profile.full_name, profile.cccd, "0905111222", "an@example.vn", "Phò Nam"):
        assert secret not in text
    assert response.json()["status"] == "submitted"


def test_unauthenticated_api_calls_get_401_with_a_code(client):
    response = client.get("/api/v1/dossiers/mine")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_the_queue_api_is_for_officers_and_checks_its_cursor(client, citizen, officers):
    client.force_login(citizen)
    refused = client.get("/api/v1/dossiers/queues/intake")
    assert refused.status_code == 403 and refused.json()["code"] == "not_staff"
    client.force_login(officers["reception"])
    assert client.get("/api/v1/dossiers/queues/approval").status_code == 404  # not one of the officer's queues
    for junk in ("abc|1", "2026-01-05|0", "2026-01-05T08:00:00+07:00|" + "9" * 30, "|5", "nothing"):
        response = client.get("/api/v1/dossiers/queues/intake", {"cursor": junk})
        assert response.status_code == 400 and response.json()["code"] == "bad_cursor", junk
    assert client.get("/api/v1/dossiers/queues/intake", {"cursor": "2026-01-05T08:00:00+07:00|3"}).status_code == 200
    client.force_login(officers["specialist"])
    # The "mine" queue is ordered by a date: a date-time cursor is not one of its cursors.
    assert client.get("/api/v1/dossiers/queues/mine", {"cursor": "2026-01-05T08:00:00+07:00|3"}).status_code == 400
    assert client.get("/api/v1/dossiers/queues/mine", {"cursor": "2026-01-05|3"}).status_code == 200


def test_the_queue_page_starts_over_on_a_forged_cursor(client, officers):
    client.force_login(officers["reception"])
    for junk in ("abc|1", "2026-13-45|1", "2026-01-05T08:00:00+07:00|" + "9" * 30):
        assert client.get("/ho-so/can-bo/cho-tiep-nhan/", {"sau": junk}).status_code == 200, junk
