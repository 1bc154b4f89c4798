"""Fixtures for feedback tests: categories, a coordinator, a handler, photos with GPS EXIF."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from PIL import Image

from chinhquyenso.accounts.roles import Role
from chinhquyenso.feedback import geo
from chinhquyenso.feedback.models import FeedbackCategory
from chinhquyenso.feedback.services import Upload, feedback_submit
from tests import factories

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# A point inside Quảng Thọ's boundary (its representative point), and one in Huế city, outside the district.
QUANG_THO_POINT = (16.53866, 107.52508)
HUE_CITY_POINT = (16.4637, 107.5909)
KTHT = "000.07.14.H57"  # district Economic and Infrastructure department
UBND_QUANG_THO = "000.29.14.H57"


def at(year, month, day, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fresh_boundaries():
    geo.boundaries_changed()
    yield
    geo.boundaries_changed()


@pytest.fixture
def road_category(locality):
    """District-level: roads go to the Economic and Infrastructure department (KTHT)."""
    return FeedbackCategory.objects.create(
        code="giao-thong", name="Hạ tầng giao thông", handling_level="district", agency_kind="department",
        agency_abbreviation="KTHT", group="ha-tang", keywords="đường, ổ gà, cầu",
        service_notice="Phòng Kinh tế - Hạ tầng kiểm tra trong 15 ngày làm việc.",
    )


@pytest.fixture
def waste_category(locality):
    """Commune-level: waste goes to the commune People's Committee."""
    return FeedbackCategory.objects.create(
        code="rac-thai", name="Rác thải, vệ sinh môi trường", handling_level="commune",
        agency_kind="peoples_committee", group="moi-truong",
        attributes=[{"code": "muc_do", "description": "Mức độ", "datatype": "singlevaluelist", "required": True,
                     "order": 1, "values": [{"key": "nho", "name": "Nhỏ"}, {"key": "lon", "name": "Lớn"}]}],
    )


@pytest.fixture
def coordinator(make_staff):
    """District coordinator: the reception officer of the district one-stop desk."""
    return make_staff(Role.RECEPTION_OFFICER, factories.DISTRICT, agency_code="000.09.14.H57")


@pytest.fixture
def commune_coordinator(make_staff):
    return make_staff(Role.RECEPTION_OFFICER, factories.QUANG_THO, agency_code="001.29.14.H57")


@pytest.fixture
def handler(make_staff):
    return make_staff(Role.SPECIALIST, factories.DISTRICT, agency_code=KTHT)


@pytest.fixture
def other_handler(make_staff):
    return make_staff(Role.DEPARTMENT_HEAD, factories.DISTRICT, agency_code=KTHT)


@pytest.fixture
def leader(make_staff):
    return make_staff(Role.UNIT_LEADER, factories.DISTRICT, agency_code="000.00.14.H57")


def jpeg_bytes(*, with_gps: bool = True, size=(64, 48), color=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if with_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (16.0, 32.0, 19.0)
        gps[3] = "E"
        gps[4] = (107.0, 31.0, 30.0)
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def submit(citizen, road_category):
    def make(**kwargs):
        defaults = {
            "reporter": citizen, "category": road_category, "title": "Ổ gà lớn trên đường liên xã",
            "description": "Đường liên xã có ổ gà sâu, xe máy dễ ngã.", "latitude": QUANG_THO_POINT[0],
            "longitude": QUANG_THO_POINT[1], "location_source": "map", "now": at(2026, 3, 2, 9),
        }
        defaults.update(kwargs)
        return feedback_submit(**defaults)

    return make


@pytest.fixture
def photo_upload():
    return Upload(name="o-ga.jpg", content=jpeg_bytes())
