"""E-form test helpers: procedures, the birth-registration form, filled-in data, officers."""

from __future__ import annotations

import copy
import itertools

import pytest

from chinhquyenso.catalog.services import procedure_create
from chinhquyenso.eforms import demo, services
from chinhquyenso.eforms.selectors import current_version_for
from tests import factories

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_axes_for_force_login(settings):
    # force_login() has no client IP; django-axes would log "unknown" into an inet column (PostgreSQL).
    settings.AXES_ENABLED = False


def procedure_record(**overrides) -> dict:
    n = next(_seq)
    data = {
        "code": f"8.{n:06d}",
        "name": f"Thủ tục có biểu mẫu số {n}",
        "field": {"code": "ho-tich", "name": "Hộ tịch"},
        "unit": factories.DISTRICT,
        "levels": ["commune"],
        "online_level": "partial",
        "channels": ["online", "desk"],
        "agency_text": "UBND cấp xã",
        "confirmed": True,
        "required_documents": [{"name": "Tờ khai theo mẫu", "form": "original", "count": 1}],
        "result_documents": [{"name": "Giấy xác nhận"}],
        "legal_basis": [{"title": "Luật Hộ tịch 2014"}],
        "terms": [{"effective_from": "2025-07-01", "processing_days": 3, "day_kind": "working", "fee_rules": []}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_procedure(locality):
    def make(**overrides):
        return procedure_create(actor=None, record=procedure_record(**overrides))

    return make


def birth_spec() -> dict:
    path = demo.DATA_DIR / "1.001193.json"
    return demo.read_form_file(path)[1]


@pytest.fixture
def birth_procedure(make_procedure):
    return make_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh")


@pytest.fixture
def birth_form(birth_procedure):
    """The demo birth-registration e-form, published as version 1."""
    demo.form_load(procedure=birth_procedure, spec=birth_spec())
    return current_version_for(birth_procedure)


def birth_data(**overrides) -> dict:
    """Valid answers to the birth form (the applicant is the demo mother, born 12/05/1986)."""
    data = {
        "ho_ten": "Nguyễn Thị Lan", "ngay_sinh": "12/05/1986", "gioi_tinh": "female", "cccd": "046186000123",
        "dien_thoai": "0912345678", "noi_cu_tru": factories.QUANG_THO, "dia_chi_chi_tiet": "Thôn Phú Lễ",
        "quan_he_voi_tre": "me",
        "ho_ten_tre": "Trần Minh An", "ngay_sinh_tre": "02/03/2025", "gioi_tinh_tre": "male",
        "dan_toc_tre": "Kinh", "quoc_tich_tre": "Việt Nam", "noi_sinh": "Trung tâm Y tế huyện Quảng Điền",
        "noi_sinh_don_vi": factories.SIA, "sinh_cung_lan": False,
        "co_thong_tin_me": "co", "ho_ten_me": "Nguyễn Thị Lan", "ngay_sinh_me": "12/05/1986",
        "cccd_me": "046186000123", "dan_toc_me": "Kinh", "quoc_tich_me": "Việt Nam",
        "noi_cu_tru_me": factories.QUANG_THO,
        "co_thong_tin_cha": "chua",
        "hinh_thuc_nhan": "truc_tiep", "cam_doan": True,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def valid_birth_data():
    return birth_data()


def simple_spec(**extra_fields) -> dict:
    spec = {"title": "Tờ khai thử", "sections": [{"id": "chung", "title": "Chung", "fields": [
        {"name": "ho_ten", "type": "text", "label": "Họ và tên", "required": True},
    ]}]}
    spec = copy.deepcopy(spec)
    for field in extra_fields.values():
        spec["sections"][0]["fields"].append(field)
    return spec


@pytest.fixture
def publish():
    def do(procedure, spec, actor=None):
        return services.form_version_publish(
            version=services.form_version_save_spec(
                version=services.form_version_draft_for(
                    definition=services.form_definition_create(procedure=procedure, spec=spec, actor=actor),
                    actor=actor),
                spec=spec, actor=actor),
            actor=actor)

    return do
