"""Server-side validation: the JSON Schema decides, messages are Vietnamese and per field."""

from __future__ import annotations

import datetime as dt

import pytest
from jsonschema import Draft202012Validator

from chinhquyenso.eforms.validation import form_data_errors, form_data_validate
from tests.eforms.conftest import birth_data


def errors_of(version, data):
    return {e.pointer: e.message for e in form_data_errors(version.schema, version.ui_schema, data)}


def test_valid_birth_answers_pass(birth_form):
    assert errors_of(birth_form, birth_data()) == {}


def test_the_published_schema_is_a_valid_draft_2020_12_schema(birth_form):
    Draft202012Validator.check_schema(birth_form.schema)
    assert birth_form.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_missing_answers_are_reported_all_at_once_in_form_order(birth_form):
    errors = form_data_errors(birth_form.schema, birth_form.ui_schema, {})
    pointers = [e.pointer for e in errors]
    assert pointers[:3] == ["/ho_ten", "/ngay_sinh", "/gioi_tinh"]
    assert "/ho_ten_tre" in pointers and "/cam_doan" in pointers
    messages = {e.pointer: e.message for e in errors}
    assert messages["/ho_ten"] == "Vui lòng nhập “Họ, chữ đệm và tên”."
    assert messages["/gioi_tinh"] == "Vui lòng chọn “Giới tính”."
    assert messages["/cam_doan"].startswith("Bạn cần đánh dấu ô")


def test_cccd_that_does_not_match_the_date_of_birth_gives_a_vietnamese_field_error(birth_form):
    # 046186… says born in 1986; the applicant claims 1990.
    errors = errors_of(birth_form, birth_data(ngay_sinh="12/05/1990"))
    assert list(errors) == ["/cccd"]
    assert errors["/cccd"] == "“Số định danh cá nhân (CCCD)”: Số CCCD không khớp với năm sinh 1990 (chữ số thứ 4–6)."


def test_cccd_that_does_not_match_the_gender_is_refused(birth_form):
    errors = errors_of(birth_form, birth_data(gioi_tinh="male"))
    assert "giới tính" in errors["/cccd"]


def test_the_mothers_cccd_must_be_a_womans(birth_form):
    errors = errors_of(birth_form, birth_data(cccd_me="046086000123"))  # digit 4 = 0: a man born in the 1900s
    assert list(errors) == ["/cccd_me"]


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("cccd", "04618600012", "12 chữ số"),
    ("cccd", "999186000123", "mã tỉnh"),
    ("dien_thoai", "0123", "điện thoại"),
    ("ngay_sinh_tre", "31/02/2025", "ngày có thật"),
    ("ngay_sinh_tre", "2025-03-02", "ngày có thật"),
    ("noi_cu_tru", "99999", "không tồn tại"),
    ("gioi_tinh_tre", "khac", "danh sách lựa chọn"),
])
def test_vietnamese_formats_are_checked_with_the_field_label(birth_form, field, value, fragment):
    errors = errors_of(birth_form, birth_data(**{field: value}))
    assert fragment in errors[f"/{field}"]


def test_a_birth_date_in_the_future_is_refused(birth_form):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    errors = errors_of(birth_form, birth_data(ngay_sinh_tre=tomorrow))
    assert errors["/ngay_sinh_tre"] == "“Ngày, tháng, năm sinh của trẻ” không được sau ngày hôm nay."


def test_conditional_fields_are_required_only_when_shown(birth_form):
    errors = errors_of(birth_form, birth_data(co_thong_tin_cha="co"))
    assert set(errors) == {"/ho_ten_cha", "/ngay_sinh_cha", "/dan_toc_cha", "/quoc_tich_cha", "/noi_cu_tru_cha"}


def test_a_value_for_a_hidden_field_is_rejected(birth_form):
    # The father is "not known", yet a father's name arrives: a tampered or stale hidden field.
    errors = errors_of(birth_form, birth_data(ho_ten_cha="Người không có trên trang"))
    assert list(errors) == ["/ho_ten_cha"]
    assert "không áp dụng" in errors["/ho_ten_cha"]


def test_a_whole_hidden_section_is_rejected_too(birth_form):
    errors = errors_of(birth_form, birth_data(cac_tre_sinh_cung=[{"ho_ten": "A", "gioi_tinh": "male",
                                                                   "thu_tu_sinh": 2}]))
    assert list(errors) == ["/cac_tre_sinh_cung"]


def test_twins_need_at_least_one_more_child_row_and_each_row_is_validated(birth_form):
    errors = errors_of(birth_form, birth_data(sinh_cung_lan=True))
    assert errors == {"/cac_tre_sinh_cung": "Vui lòng thêm ít nhất một dòng “Các trẻ khác sinh cùng lần”."}
    errors = errors_of(birth_form, birth_data(sinh_cung_lan=True, cac_tre_sinh_cung=[
        {"ho_ten": "Trần Minh Anh", "gioi_tinh": "female", "thu_tu_sinh": 2},
        {"gioi_tinh": "female", "thu_tu_sinh": "ba"},
    ]))
    assert errors == {
        "/cac_tre_sinh_cung/1/ho_ten": "Vui lòng nhập “Trẻ sinh cùng lần 2 — Họ, chữ đệm và tên”.",
        "/cac_tre_sinh_cung/1/thu_tu_sinh": "“Trẻ sinh cùng lần 2 — Thứ tự sinh” phải là một số nguyên.",
    }


def test_too_many_rows_are_refused(birth_form):
    rows = [{"ho_ten": f"Bé {i}", "gioi_tinh": "male", "thu_tu_sinh": 2} for i in range(5)]
    errors = errors_of(birth_form, birth_data(sinh_cung_lan=True, cac_tre_sinh_cung=rows))
    assert errors == {"/cac_tre_sinh_cung": "“Các trẻ khác sinh cùng lần” có tối đa 4 dòng."}


def test_unknown_fields_and_wrong_types_are_refused(birth_form):
    errors = errors_of(birth_form, birth_data(truong_la="x", so_ban_sao="hai"))
    assert errors["/truong_la"] == "Trường “truong_la” không có trong biểu mẫu này."
    assert "phải là một số" in errors["/so_ban_sao"]


def test_the_contract_function_returns_pointer_message_pairs(birth_form):
    pairs = form_data_validate(birth_form.schema, birth_form.ui_schema, birth_data(ho_ten=None))
    assert pairs == [("/ho_ten", "Vui lòng nhập “Họ, chữ đệm và tên”.")]
