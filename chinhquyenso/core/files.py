"""Stored files: content hashed, type detected from the bytes (libmagic), names sanitised.

Each use of files registers a ``FilePolicy`` (allowed types, size limit); ``stored_file_create``
refuses anything else with a Vietnamese message. Storage is Django's default storage: local
``./var/media`` by default, S3-compatible when ``STORAGE_URL`` says so.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath

import magic
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.models import StoredFile

logger = logging.getLogger(__name__)

MB = 1024 * 1024

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
TEXT = "text/plain"
ZIP = "application/zip"

_FRIENDLY = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", TIFF: "TIFF", DOCX: "Word (DOCX)",
             XLSX: "Excel (XLSX)", CSV: "CSV", TEXT: "văn bản"}


@dataclass(frozen=True)
class FilePolicy:
    allowed_types: frozenset[str]
    max_size: int
    label: str = ""
    extra_checks: tuple = field(default=())

    def describe_types(self) -> str:
        return ", ".join(sorted(_FRIENDLY.get(t, t) for t in self.allowed_types))


_policies: dict[str, FilePolicy] = {
    "document": FilePolicy(frozenset({PDF, JPEG, PNG}), 20 * MB, "Giấy tờ"),
    "image": FilePolicy(frozenset({JPEG, PNG, WEBP}), 10 * MB, "Ảnh"),
    "spreadsheet": FilePolicy(frozenset({XLSX, CSV, TEXT}), 20 * MB, "Bảng tính"),
    "office": FilePolicy(frozenset({PDF, DOCX, XLSX}), 30 * MB, "Văn bản"),
}


def register_policy(purpose: str, policy: FilePolicy) -> None:
    _policies[purpose] = policy


def policy_for(purpose: str) -> FilePolicy:
    try:
        return _policies[purpose]
    except KeyError:
        raise ValueError(f"unknown file purpose {purpose!r}") from None


def detect_mime(head: bytes) -> str:
    """MIME type from the first bytes (libmagic). OOXML (DOCX/XLSX) is recognised from its
    ``[Content_Types].xml`` entry, which Office and python-docx/openpyxl write first."""
    return magic.from_buffer(head, mime=True)


_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def sanitize_name(name: str) -> str:
    """Keep a readable Vietnamese file name without paths, control characters or shell tricks."""
    base = PurePath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base:
        base = "tep"
    stem, dot, ext = base.rpartition(".")
    if dot and len(ext) <= 10:
        return f"{stem[:180]}.{ext.lower()}"
    return base[:200]


def _read_all(content) -> bytes:
    if isinstance(content, bytes):
        return content
    if hasattr(content, "chunks"):
        return b"".join(content.chunks())
    return content.read()


def stored_file_create(*, content, name: str, purpose: str, uploaded_by=None) -> StoredFile:
    """Check and store one upload. Raises ``DomainError`` (file_too_large, file_type_not_allowed,
    file_empty) without writing anything when the content does not fit the purpose."""
    policy = policy_for(purpose)
    data = _read_all(content)
    if not data:
        raise DomainError("file_empty", _("Tệp “%(name)s” rỗng.") % {"name": sanitize_name(name)}, "file")
    if len(data) > policy.max_size:
        raise DomainError(
            "file_too_large",
            _("Tệp “%(name)s” lớn hơn giới hạn %(limit)s MB.")
            % {"name": sanitize_name(name), "limit": policy.max_size // MB},
            "file",
        )
    mime = detect_mime(data[:65536])
    if mime not in policy.allowed_types:
        raise DomainError(
            "file_type_not_allowed",
            _("Tệp “%(name)s” có nội dung không phải định dạng được chấp nhận (%(types)s).")
            % {"name": sanitize_name(name), "types": policy.describe_types()},
            "file",
        )
    for check in policy.extra_checks:
        check(data, mime)
    digest = hashlib.sha256(data).hexdigest()
    clean = sanitize_name(name)
    now = timezone.now()
    suffix = PurePath(clean).suffix.lower()[:10]
    key = f"{purpose}/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"
    saved_key = default_storage.save(key, ContentFile(data))
    return StoredFile.objects.create(
        purpose=purpose,
        original_name=clean,
        storage_key=saved_key,
        sha256=digest,
        size=len(data),
        mime_type=mime,
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )


def stored_files_discard(files) -> None:
    """Remove uploads a refused request leaves unused: their rows (none after a rolled-back
    transaction) and their blobs. A file something still refers to is kept, row and blob. Without
    this a submission refused after its files were checked would leave orphan files in storage."""
    from django.db import transaction
    from django.db.models import ProtectedError

    for stored in (f for f in files if f is not None):
        try:
            with transaction.atomic():
                StoredFile.objects.filter(pk=stored.pk).delete()
        except ProtectedError:
            continue
        try:
            default_storage.delete(stored.storage_key)
        except OSError:  # storage unreachable: logged with its key so an operator can remove it
            logger.warning("could not delete unused upload %s (%s)", stored.pk, stored.storage_key)


def stored_files_sweep(*, purpose: str, older_than, limit: int = 500, now=None) -> int:
    """Delete files of ``purpose`` created before ``now - older_than`` that no row refers to (an
    online wizard abandoned with its uploads, a request cut off mid-way). References are found from
    every relation pointing at StoredFile, so a new model with a file field is covered without
    changes here; a file referred to meanwhile is kept (see ``stored_files_discard``). Returns
    how many were deleted; bounded per run."""
    cutoff = (now or timezone.now()) - older_than
    candidates = StoredFile.objects.filter(purpose=purpose, created_at__lt=cutoff)
    # include_hidden: most file fields say related_name="+", which related_objects leaves out.
    relations = [f for f in StoredFile._meta.get_fields(include_hidden=True)
                 if f.is_relation and f.auto_created and not f.concrete]
    for relation in relations:
        model, name = relation.related_model, relation.field.name
        # NOT IN over a column with NULLs matches nothing in SQL: leave the NULLs out.
        referenced = model._base_manager.filter(**{f"{name}__isnull": False}).values(name)
        candidates = candidates.exclude(pk__in=referenced)
    unused = list(candidates.order_by("created_at")[:limit])
    before = StoredFile.objects.filter(pk__in=[f.pk for f in unused]).count()
    stored_files_discard(unused)
    return before - StoredFile.objects.filter(pk__in=[f.pk for f in unused]).count()
