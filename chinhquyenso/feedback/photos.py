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


def derived_copy(data: bytes, *, max_size: tuple[int, int], blur: bool = False) -> bytes:
    """A JPEG copy at most ``max_size``, without metadata; blurred when asked (faces, plates)."""
    image = _rgb(_open(data))
    image.thumbnail(max_size, Image.Resampling.LANCZOS)
    if blur:
        radius = max(6, max(image.size) // 40)
        image = image.filter(ImageFilter.GaussianBlur(radius=radius))
    return _jpeg(image)


def thumbnail(data: bytes, *, blur: bool = False) -> bytes:
    return derived_copy(data, max_size=THUMBNAIL_SIZE, blur=blur)


def public_copy(data: bytes, *, blur: bool = False) -> bytes:
    return derived_copy(data, max_size=PUBLIC_MAX_SIZE, blur=blur)


def has_exif(data: bytes) -> bool:
    """Does the file carry an EXIF block (used by tests and the moderation screen)?"""
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError):
        return False
    return bool(image.getexif()) or "exif" in image.info
