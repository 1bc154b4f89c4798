"""Photo handling with Pillow: checks, thumbnails, and public copies without EXIF.

The original upload is kept private as it came (evidence). Everything we derive is re-encoded as a
fresh JPEG from the pixels only, so no EXIF block (GPS position, camera serial, time) survives; the
EXIF orientation is applied first so the picture still stands the right way up.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from chinhquyenso.core.errors import DomainError

THUMBNAIL_SIZE = (480, 480)
PUBLIC_MAX_SIZE = (1600, 1600)
# Refuse decompression bombs well before Pillow's own limit: a phone photo is ~12–50 Mpx.
MAX_PIXELS = 80_000_000


def _open(data: bytes) -> Image.Image:
    try:
        probe = Image.open(io.BytesIO(data))
        if probe.width * probe.height > MAX_PIXELS:
            raise DomainError("photo_too_many_pixels", _("Ảnh có kích thước điểm ảnh quá lớn."), "photos")
        probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DomainError("photo_unreadable", _("Không đọc được ảnh; hãy chụp hoặc chọn ảnh khác."),
                          "photos") from exc
    return image


def check_image(data: bytes) -> tuple[int, int]:
    """Raise DomainError unless ``data`` is a decodable image; returns its size."""
    image = _open(data)
    return image.size


def _rgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif= argument: Pillow writes no EXIF (and so no GPS) into the new file.
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


# A redacted area is an (x, y, width, height) box in percent of the picture, so it applies alike to
# the original, the public copy and the thumbnail whatever their sizes.
Area = tuple[float, float, float, float]
MAX_AREAS = 20


def parse_areas(text: str) -> list[Area]:
    """``"x,y,w,h; x,y,w,h"`` (percent, decimals with a dot) as boxes clipped to the picture;
    DomainError with a Vietnamese message for anything else."""
    areas: list[Area] = []
    for chunk in (text or "").replace("\n", ";").split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        try:
            x, y, w, h = (float(v) for v in chunk.split(","))
        except ValueError:
            raise DomainError("photo_areas_invalid",
                              _("Vùng làm mờ “%(area)s” không đúng dạng x,y,rộng,cao (theo %%).")
                              % {"area": chunk[:40]}, "photos") from None
        if not all(0 <= v <= 100 for v in (x, y, w, h)) or w <= 0 or h <= 0:
            raise DomainError("photo_areas_invalid",
                              _("Vùng làm mờ “%(area)s” phải nằm trong ảnh (0–100%%, rộng và cao lớn hơn 0).")
                              % {"area": chunk[:40]}, "photos")
        areas.append((x, y, min(w, 100 - x), min(h, 100 - y)))
    if len(areas) > MAX_AREAS:
        raise DomainError("photo_areas_invalid", _("Tối đa %(n)s vùng làm mờ cho một ảnh.") % {"n": MAX_AREAS},
                          "photos")
    return areas


def _redact(image: Image.Image, areas: list[Area]) -> Image.Image:
    """Pixelate, then blur, each area: unreadable (faces, plates, house numbers) and not
    reversible, while the rest of the picture stays sharp."""
    width, height = image.size
    for x, y, w, h in areas:
        box = (int(width * x / 100), int(height * y / 100),
               max(int(width * x / 100) + 1, round(width * (x + w) / 100)),
               max(int(height * y / 100) + 1, round(height * (y + h) / 100)))
        region = image.crop(box)
        cells = (max(1, region.width // 12), max(1, region.height // 12))
        region = region.resize(cells, Image.Resampling.BILINEAR).resize(region.size, Image.Resampling.NEAREST)
        region = region.filter(ImageFilter.GaussianBlur(radius=max(2, max(region.size) // 30)))
        image.paste(region, box[:2])
    return image


def derived_copy(data: bytes, *, max_size: tuple[int, int], blur: bool = False, areas: list[Area] = ()) -> bytes:
    """A JPEG copy at most ``max_size``, without metadata; blurred all over when asked, or only in
    the redacted ``areas`` (faces, plates)."""
    image = _rgb(_open(data))
    image.thumbnail(max_size, Image.Resampling.LANCZOS)
    if blur:
        radius = max(6, max(image.size) // 40)
        image = image.filter(ImageFilter.GaussianBlur(radius=radius))
    elif areas:
        image = _redact(image, list(areas))
    return _jpeg(image)


def thumbnail(data: bytes, *, blur: bool = False, areas: list[Area] = ()) -> bytes:
    return derived_copy(data, max_size=THUMBNAIL_SIZE, blur=blur, areas=areas)


def public_copy(data: bytes, *, blur: bool = False, areas: list[Area] = ()) -> bytes:
    return derived_copy(data, max_size=PUBLIC_MAX_SIZE, blur=blur, areas=areas)


def has_exif(data: bytes) -> bool:
    """Does the file carry an EXIF block (used by tests and the moderation screen)?"""
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        return False
    return bool(image.getexif()) or "exif" in image.info
