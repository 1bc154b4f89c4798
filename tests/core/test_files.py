import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.files import MB, FilePolicy, register_policy, sanitize_name, stored_file_create
from chinhquyenso.core.models import StoredFile

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
             b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
# The start of a Windows executable: "MZ" header and the PE stub message.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + \
    b"\x0e\x1f\xba\x0e\x00\xb4\t\xcd!\xb8\x01L\xcd!This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 200


@pytest.mark.django_db
def test_a_pdf_is_stored_with_hash_size_type_and_a_clean_name():
    stored = stored_file_create(content=SimpleUploadedFile("../../Giấy khai sinh (bản sao).PDF", PDF_BYTES),
                                name="../../Giấy khai sinh (bản sao).PDF", purpose="document")
    assert stored.mime_type == "application/pdf"
    assert stored.size == len(PDF_BYTES)
    assert len(stored.sha256) == 64
    assert stored.original_name == "Giấy khai sinh (bản sao).pdf"
    with stored.open() as fh:
        assert fh.read() == PDF_BYTES
    assert ".." not in stored.storage_key


@pytest.mark.django_db
def test_a_renamed_executable_is_rejected_by_content_and_nothing_is_stored():
    with pytest.raises(DomainError) as exc:
        stored_file_create(content=EXE_BYTES, name="giay-to.pdf", purpose="document")
    assert exc.value.code == "file_type_not_allowed"
    assert "giay-to.pdf" in exc.value.message and "PDF" in exc.value.message
    assert StoredFile.objects.count() == 0


@pytest.mark.django_db
def test_type_is_detected_from_content_not_from_the_name():
    stored = stored_file_create(content=io.BytesIO(PNG_BYTES), name="anh.pdf", purpose="document")
    assert stored.mime_type == "image/png"


@pytest.mark.django_db
def test_size_limits_are_per_purpose():
    register_policy("tiny-test", FilePolicy(frozenset({"application/pdf"}), 1 * MB))
    big = PDF_BYTES + b"0" * (1 * MB)
    with pytest.raises(DomainError) as exc:
        stored_file_create(content=big, name="lon.pdf", purpose="tiny-test")
    assert exc.value.code == "file_too_large" and "1 MB" in exc.value.message


@pytest.mark.django_db
def test_an_empty_file_is_refused():
    with pytest.raises(DomainError) as exc:
        stored_file_create(content=b"", name="rong.pdf", purpose="document")
    assert exc.value.code == "file_empty"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("C:\\Users\\an\\ho so.pdf", "ho so.pdf"), ("/etc/passwd", "passwd"), ("a;rm -rf *.pdf", "a_rm -rf _.pdf"),
     ("....", "tep"), ("Đơn đề nghị.DOCX", "Đơn đề nghị.docx")],
)
def test_names_are_sanitised(raw, clean):
    assert sanitize_name(raw) == clean


@pytest.mark.django_db
def test_two_uploads_with_the_same_name_never_overwrite_each_other():
    a = stored_file_create(content=PDF_BYTES, name="a.pdf", purpose="document")
    b = stored_file_create(content=PDF_BYTES + b"%x", name="a.pdf", purpose="document")
    assert a.storage_key != b.storage_key
    assert default_storage.exists(a.storage_key) and default_storage.exists(b.storage_key)
