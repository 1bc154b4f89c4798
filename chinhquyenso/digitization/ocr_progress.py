"""An OCRmyPDF plugin that turns its progress bars into progress reports for the scan job page.

OCRmyPDF draws a progress bar for each stage (reading, OCR per page, PDF/A, optimisation) in the
thread that called ``ocrmypdf.ocr``; this plugin hands each update to the callback registered for
that thread with ``reporting(callback)``, as a Vietnamese message and an overall percentage.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from ocrmypdf import hookimpl

_local = threading.local()

# OCRmyPDF's stage descriptions → (message, first percent, last percent) of the whole job.
# The stage names may change between OCRmyPDF releases; an unknown one keeps the last message.
_STAGES = {
    "Scanning contents": (N_("Đang đọc cấu trúc tài liệu"), 5, 10),
    "OCR": (N_("Đang nhận dạng chữ"), 10, 80),
    "Image processing": (N_("Đang xử lý ảnh"), 10, 80),
    "Grafting hOCR to PDF": (N_("Đang ghép lớp văn bản"), 80, 84),
    "PDF/A conversion": (N_("Đang chuyển sang chuẩn lưu trữ PDF/A"), 84, 90),
    "Checking output": (N_("Đang kiểm tra kết quả"), 90, 92),
    "Recompressing JPEGs": (N_("Đang tối ưu dung lượng"), 92, 95),
    "Deflating JPEGs": (N_("Đang tối ưu dung lượng"), 92, 95),
    "PNGs": (N_("Đang tối ưu dung lượng"), 92, 95),
    "JBIG2": (N_("Đang tối ưu dung lượng"), 92, 95),
    "Linearizing": (N_("Đang hoàn thiện tệp"), 95, 96),
}


@contextmanager
def reporting(callback):
    """Send this thread's OCR progress to ``callback(message, percent)`` while the block runs."""
    previous = getattr(_local, "callback", None)
    _local.callback = callback
    try:
        yield
    finally:
        _local.callback = previous


class ReportingProgressBar:
    """Implements OCRmyPDF's ``ProgressBar`` protocol; draws nothing."""

    def __init__(self, *, total=None, desc=None, unit=None, disable=False, **kwargs):
        self.callback = getattr(_local, "callback", None)
        self.total = float(total) if total else None
        self.desc = desc or ""
        self.unit = unit
        self.done = 0.0

    def __enter__(self):
        self._report()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if exc_type is None and self.total:
            self.done = self.total
            self._report()
        return False

    def update(self, n=1, *, completed=None):
        if completed is not None:
            self.done = float(completed)
        else:
            self.done += float(n if n is not None else 1)
        self._report()

    def _report(self) -> None:
        if self.callback is None or self.desc not in _STAGES:
            return
        message, start, end = _STAGES[self.desc]
        fraction = min(1.0, self.done / self.total) if self.total else 0.0
        text = _(message)
        if self.unit == "page" and self.total:
            text = _("%(stage)s: trang %(done)s/%(total)s") % {
                "stage": text, "done": min(int(self.done), int(self.total)), "total": int(self.total)}
        self.callback(text, int(start + (end - start) * fraction))


@hookimpl
def get_progressbar_class():
    return ReportingProgressBar
