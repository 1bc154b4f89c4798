"""Scanned pages rendered with Pillow (Liberation Serif, as a printed Vietnamese paper), the officers
who scan, and a quick stand-in for the OCR step where a test is about the job and not the OCR."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from chinhquyenso.accounts.roles import Role
from chinhquyenso.core.files import stored_file_create
from chinhquyenso.core.text import fold
from tests import factories

# Fixtures of the dossier tests, reused for digitising dossier components.
from tests.dossiers.conftest import documents, officers, procedure  # noqa: F401

FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf")
QUANG_THO_ONE_STOP = "001.29.14.H57"

BIRTH_CERTIFICATE = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "ỦY BAN NHÂN DÂN XÃ QUẢNG THỌ",
    "GIẤY KHAI SINH",
    "Họ, chữ đệm, tên: Nguyễn Thị Hồng Nhung",
    "Ngày, tháng, năm sinh: 12/03/2024",
    "Nơi sinh: Trạm y tế xã Quảng Thọ, huyện Quảng Điền",
]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Enqueued tasks run at once (after commit, when a test captures the on-commit callbacks)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default", "outbox", "notifications"]}}


def render_page(lines, *, dpi: int | None = 300, width: int = 2480, font_size: int = 60, angle: float = 0.0,
                mode: str = "L", fmt: str = "PNG") -> bytes:
    """One scanned page: black text on white at ``dpi`` (A4 width at 300 dpi), slightly rotated
    like a sheet laid askew on the scanner glass."""
    font = ImageFont.truetype(str(FONT), font_size)
    bold = ImageFont.truetype(str(FONT_BOLD), font_size)
    line_height = int(font_size * 1.7)
    height = 200 + line_height * len(lines) + 200
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        face = bold if line.isupper() else font
        draw.text((180, 200 + i * line_height), line, font=face, fill=0)
    if angle:
        image = image.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    if mode != "L":
        image = image.convert(mode)
    buffer = io.BytesIO()
    options = {"dpi": (dpi, dpi)} if dpi else {}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def words_found(expected_lines, text: str) -> float:
    """Share of the expected words the OCR text contains (accent-folded: OCR may miss a tone mark)."""
    wanted = re.findall(r"\w+", fold(" ".join(expected_lines)))
    got = set(re.findall(r"\w+", fold(text)))
    return sum(1 for w in wanted if w in got) / len(wanted)


def scan_file(content: bytes, name: str = "trang-1.png", user=None):
    return stored_file_create(content=content, name=name, purpose="scan", uploaded_by=user)


@pytest.fixture
def scanners(locality):
    return {
        "reception": factories.make_staff(Role.RECEPTION_OFFICER, factories.QUANG_THO, agency_code=QUANG_THO_ONE_STOP),
        "clerk": factories.make_staff(Role.CLERK, factories.QUANG_THO),
        "district_specialist": factories.make_staff(Role.SPECIALIST, factories.DISTRICT),
        "other_commune": factories.make_staff(Role.RECEPTION_OFFICER, factories.QUANG_PHU),
        "leader": factories.make_staff(Role.UNIT_LEADER, factories.QUANG_THO),
    }



@pytest.fixture
def fake_ocr(monkeypatch, tmp_path):
    """Replace recognition (seconds per page) by a copy of the assembled PDF declared as PDF/A-2B:
    for tests of the job's life, not of the OCR. Keeps the assembled input PDF of each call."""
    from chinhquyenso.digitization import ocr

    calls = []

    def recognise(input_pdf, output_pdf, *, title="", timeout=180.0, progress=None):
        calls.append(Path(input_pdf).read_bytes())
        if progress:
            progress("Đang nhận dạng chữ: trang 1/1", 50)
        Path(output_pdf).write_bytes(Path(input_pdf).read_bytes())
        return ocr.Outcome(pdf_path=Path(output_pdf), text="GIẤY KHAI SINH\nNguyễn Văn An",
                           page_count=ocr.page_count(Path(output_pdf)), pdfa_part="2B", mode="ocr")

    monkeypatch.setattr(ocr, "recognise", recognise)
    return calls
