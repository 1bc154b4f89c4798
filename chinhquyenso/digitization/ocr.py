"""The digitisation engine: scanned pages in, one PDF/A-2b file with an OCR text layer out.

Built on OCRmyPDF (Tesseract for recognition, pikepdf/Ghostscript for PDF/A) through its Python
API; images are put into a PDF first with img2pdf (lossless: the scan's pixels go in unchanged).
Nothing here touches the database: ``services.scan_job_run`` feeds it the stored files and keeps
what comes out. Every failure is a ``ScanError`` with a Vietnamese message for the officer.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from chinhquyenso.core.files import JPEG, PDF, PNG, TIFF

log = logging.getLogger(__name__)

SCAN_TYPES = frozenset({PDF, JPEG, PNG, TIFF})
LANGUAGES = ("vie", "eng")
PLUGIN = "chinhquyenso.digitization.ocr_progress"

# A4 in inches: an image that does not say its resolution is laid out to fit this page.
A4 = (8.27, 11.69)
MIN_CREDIBLE_DPI = 70
MAX_IMAGE_MPIXELS = 200  # a 600 dpi A3 page is ~70 MP; anything far bigger is not a scan


class ScanError(Exception):
    """The document cannot be digitised; ``message`` says why, in words for the officer."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Source:
    name: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class Outcome:
    pdf_path: Path
    text: str
    page_count: int
    pdfa_part: str
    mode: str


Progress = Callable[[str, int], None]  # (Vietnamese message, percent 0..100)


# --------------------------------------------------------------------------------------------
# Assembling the input PDF


def _image_to_pdf(source: Source) -> bytes:
    import img2pdf
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(source.content)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_MPIXELS * 1_000_000:
                raise ScanError("image_too_large", _("Ảnh “%(name)s” quá lớn (%(mp)s megapixel).")
                                % {"name": source.name, "mp": width * height // 1_000_000})
            dpi = image.info.get("dpi") or (0, 0)
            has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
            data = source.content
            if has_alpha or image.mode not in ("1", "L", "RGB", "CMYK", "P", "I;16"):
                # img2pdf keeps pixels losslessly and so refuses transparency: flatten onto white paper.
                flat = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                buffer = io.BytesIO()
                flat.save(buffer, format="PNG", dpi=dpi if min(dpi) else None)
                data = buffer.getvalue()
    except ScanError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        log.info("image %s unreadable: %s", source.name, exc)
        raise ScanError("image_unreadable", _("Không đọc được ảnh “%(name)s”: tệp bị hỏng hoặc không phải ảnh quét.")
                        % {"name": source.name}) from exc

    try:
        if min(float(d) for d in dpi) >= MIN_CREDIBLE_DPI:
            return img2pdf.convert(data)
        # No credible resolution (phone photos say 72 or nothing): fit the page to A4, portrait or landscape.
        short, long_ = sorted((width, height))
        fit = max(short / A4[0], long_ / A4[1])
        return img2pdf.convert(data, layout_fun=img2pdf.get_fixed_dpi_layout_fun((fit, fit)))
    except Exception as exc:  # img2pdf raises its own errors and plain ones for odd encodings
        log.info("img2pdf could not convert %s: %s", source.name, exc)
        raise ScanError("image_unreadable", _("Không chuyển được ảnh “%(name)s” sang PDF. Hãy quét lại ở định dạng "
                                              "JPEG, PNG hoặc TIFF.") % {"name": source.name}) from exc


def assemble(sources: list[Source], target: Path, *, max_pages: int) -> int:
    """Write all sources, in order, into one PDF at ``target``; returns its page count."""
    import pikepdf

    if not sources:
        raise ScanError("no_files", _("Chưa có tệp nào để số hóa."))
    opened: list[pikepdf.Pdf] = []
    try:
        out = pikepdf.new()
        for source in sources:
            if source.mime_type not in SCAN_TYPES:
                raise ScanError("file_type_not_allowed", _("Tệp “%(name)s” không phải PDF hoặc ảnh quét (JPEG, PNG, "
                                                           "TIFF).") % {"name": source.name})
            data = source.content if source.mime_type == PDF else _image_to_pdf(source)
            try:
                pdf = pikepdf.open(io.BytesIO(data))
            except pikepdf.PasswordError as exc:
                raise ScanError("pdf_encrypted", _("Tệp “%(name)s” được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên "
                                                   "lại.") % {"name": source.name}) from exc
            except pikepdf.PdfError as exc:
                log.info("PDF %s unreadable: %s", source.name, exc)
                raise ScanError("pdf_unreadable", _("Tệp “%(name)s” bị hỏng, không đọc được nội dung PDF.")
                                % {"name": source.name}) from exc
            opened.append(pdf)
            out.pages.extend(pdf.pages)
            if len(out.pages) > max_pages:
                raise ScanError("too_many_pages", _("Tài liệu có hơn %(n)s trang; hãy chia thành nhiều lần số hóa.")
                                % {"n": max_pages})
        if not len(out.pages):
            raise ScanError("no_pages", _("Tài liệu không có trang nào."))
        out.save(target)
        return len(out.pages)
    finally:
        for pdf in opened:
            pdf.close()


# --------------------------------------------------------------------------------------------
# Recognition


@dataclass(frozen=True)
class Plan:
    """How to treat pages that already carry text (OCRmyPDF refuses them by default)."""

    mode: str  # ocr: image-only scan; skip: keep born-digital text; redo: replace an old OCR layer
    options: dict


def plan_for(pdf_path: Path) -> Plan:
    from ocrmypdf.exceptions import EncryptedPdfError
    from ocrmypdf.pdfinfo import PdfInfo

    try:
        pages = [p for p in PdfInfo(pdf_path).pages if p is not None]
    except EncryptedPdfError as exc:
        raise ScanError("pdf_encrypted", _("Tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.")) from exc
    except Exception:  # a damaged page tree: let OCRmyPDF try (and report) on the plain plan
        log.info("could not inspect %s before OCR", pdf_path, exc_info=True)
        pages = []
    if not any(p.has_text for p in pages):
        # A plain scan: straighten skewed pages and turn upside-down ones before recognition.
        return Plan("ocr", {"deskew": True, "rotate_pages": True})
    if not any(p.has_visible_text for p in pages):
        # Only invisible text: an earlier OCR layer (another scanner's software). Recognise again with
        # Vietnamese; OCRmyPDF cannot deskew in this mode (it would move the old layer's images).
        return Plan("redo", {"redo_ocr": True, "rotate_pages": True})
    # Born-digital pages keep their real text; pages that are images get recognised.
    return Plan("skip", {"skip_text": True, "deskew": True, "rotate_pages": True})


def _friendly_error(exc: Exception) -> ScanError:
    from ocrmypdf import exceptions as e

    if isinstance(exc, e.EncryptedPdfError):
        return ScanError("pdf_encrypted", _("Tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại."))
    if isinstance(exc, e.DigitalSignatureError):
        return ScanError("pdf_signed", _("Tệp PDF có chữ ký số: đây đã là bản điện tử có giá trị pháp lý, không số hóa "
                                         "lại (sẽ làm mất hiệu lực chữ ký)."))
    if isinstance(exc, e.MissingDependencyError):
        return ScanError("ocr_unavailable", _("Máy chủ chưa cài đủ phần mềm nhận dạng chữ (Tesseract tiếng Việt, "
                                              "Ghostscript). Vui lòng báo quản trị hệ thống."))
    if isinstance(exc, e.DpiError):
        return ScanError("dpi", _("Ảnh quét có độ phân giải quá thấp để nhận dạng chữ; hãy quét lại ở 300 dpi."))
    if isinstance(exc, (e.InputFileError, e.UnsupportedImageFormatError)):
        return ScanError("input_unreadable", _("Tệp bị hỏng hoặc không đọc được nội dung để số hóa."))
    if isinstance(exc, e.PdfaConversionFailedError):
        return ScanError("pdfa_failed", _("Không chuyển được tài liệu sang chuẩn lưu trữ PDF/A."))
    if isinstance(exc, e.SubprocessOutputError):
        return ScanError("ocr_failed", _("Phần mềm nhận dạng chữ gặp lỗi khi xử lý tài liệu. Hãy thử quét lại rõ hơn."))
    return ScanError("ocr_failed", _("Không số hóa được tài liệu. Vui lòng thử lại hoặc quét lại tài liệu."))


def _run(input_pdf: Path, output_pdf: Path, plan: Plan, *, title: str, backend: str, timeout: float) -> None:
    import ocrmypdf

    code = ocrmypdf.ocr(
        input_pdf, output_pdf,
        language=list(LANGUAGES),
        output_type="pdfa-2",
        pdfa_backend=backend,
        optimize=1,
        # One page at a time, in threads of this process: a task worker must not fork (it holds
        # database connections) and runs several jobs one after another anyway.
        jobs=1,
        use_threads=True,
        title=title[:200] or None,
        tesseract_timeout=timeout,
        max_image_mpixels=MAX_IMAGE_MPIXELS,
        progress_bar=True,  # reported to ocr_progress, not drawn
        plugins=[PLUGIN],
        **plan.options,
    )
    if code != ocrmypdf.ExitCode.ok:
        raise ScanError("ocr_failed", _("Không số hóa được tài liệu (mã lỗi %(code)s).") % {"code": int(code)})


def recognise(input_pdf: Path, output_pdf: Path, *, title: str = "", timeout: float = 180.0,
              progress: Progress | None = None) -> Outcome:
    """OCR ``input_pdf`` into a PDF/A-2b at ``output_pdf`` and read back its text and PDF/A part."""
    from ocrmypdf import exceptions as e

    from chinhquyenso.digitization import ocr_progress

    plan = plan_for(input_pdf)
    with ocr_progress.reporting(progress):
        try:
            try:
                _run(input_pdf, output_pdf, plan, title=title, backend="auto", timeout=timeout)
            except e.MissingDependencyError:
                if plan.mode == "ocr":
                    raise
                # Ghostscript 10.0–10.02 (Debian 12) corrupts PDFs that keep existing text; OCRmyPDF's own
                # PDF/A writer (validated by pikepdf) does not need it.
                log.info("retrying %s with the internal PDF/A backend", input_pdf)
                _run(input_pdf, output_pdf, plan, title=title, backend="internal", timeout=timeout)
        except e.PdfaConversionFailedError:
            if plan.mode == "ocr":
                raise _friendly_error(e.PdfaConversionFailedError()) from None
            # Text that cannot be kept in PDF/A (e.g. fonts not embedded): rasterise every page and
            # recognise it all, so the archive copy is valid PDF/A with a text layer.
            log.info("PDF/A with existing text failed for %s; forcing OCR", input_pdf)
            plan = Plan("force", {"force_ocr": True, "deskew": True, "rotate_pages": True})
            try:
                _run(input_pdf, output_pdf, plan, title=title, backend="auto", timeout=timeout)
            except ScanError:
                raise
            except Exception as exc:
                raise _friendly_error(exc) from exc
        except ScanError:
            raise
        except Exception as exc:
            log.warning("OCR of %s failed: %s", input_pdf, exc, exc_info=not isinstance(exc, e.ExitCodeException))
            raise _friendly_error(exc) from exc
    if progress:
        progress(_("Đang đọc lớp văn bản"), 97)
    return Outcome(pdf_path=output_pdf, text=extract_text(output_pdf), page_count=page_count(output_pdf),
                   pdfa_part=pdfa_part(output_pdf), mode=plan.mode)


# --------------------------------------------------------------------------------------------
# Reading the result back


def extract_text(pdf_path: Path) -> str:
    """The text layer (recognised and born-digital), page by page, as a search index gets it."""
    from pdfminer.high_level import extract_text as pdfminer_extract

    try:
        text = pdfminer_extract(str(pdf_path))
    except Exception:  # a text layer pdfminer cannot parse must not lose the scan itself
        log.warning("could not read the text layer of %s", pdf_path, exc_info=True)
        return ""
    lines = (line.strip() for line in text.replace("\f", "\n").splitlines())
    return "\n".join(line for line in lines if line)


def page_count(pdf_path: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        return len(pdf.pages)


def pdfa_part(pdf_path: Path) -> str:
    """PDF/A part and conformance declared in the XMP metadata (``pdfaid:part`` + ``pdfaid:conformance``),
    e.g. "2B"; empty when the file does not claim PDF/A."""
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        return str(pdf.open_metadata().pdfa_status or "")
