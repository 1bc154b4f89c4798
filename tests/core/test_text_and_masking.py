import logging

from hypothesis import given
from hypothesis import strategies as st

from chinhquyenso.core.logging import MaskPersonalDataFilter
from chinhquyenso.core.masking import mask_address, mask_cccd, mask_email, mask_phone, mask_text
from chinhquyenso.core.text import fold, search_terms


def test_fold_strips_vietnamese_accents_including_d_stroke():
    assert fold("Đăng ký kết hôn") == "dang ky ket hon"
    assert fold("  GIẤY   phép XÂY dựng ") == "giay phep xay dung"
    assert fold("Thừa Thiên Huế") == "thua thien hue"
    assert fold("ỦY BAN NHÂN DÂN") == "uy ban nhan dan"
    assert fold(None) == ""


def test_decomposed_and_precomposed_input_fold_alike():
    import unicodedata

    text = "Quảng Điền"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text)) == "quang dien"


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese_letters(text):
    once = fold(text)
    assert fold(once) == once


def test_search_terms_are_folded_and_unique():
    assert search_terms("Khai sinh, khai SINH; Đăng ký") == ["khai", "sinh", "dang", "ky"]


def test_personal_data_is_masked():
    assert mask_cccd("046186000123") == "046******123"
    assert mask_phone("0912345678") == "091****678"
    assert mask_email("nguyenvan@gmail.com") == "n***@gmail.com"
    assert mask_address("Thôn Phú Lễ, Xã Quảng Thọ, Huyện Quảng Điền") == "***, Xã Quảng Thọ, Huyện Quảng Điền"


def test_free_text_masking_catches_numbers_inside_sentences():
    text = "Công dân CCCD 046186000123, điện thoại 0912345678, thư an.nguyen@gmail.com"
    masked = mask_text(text)
    assert "046186000123" not in masked and "0912345678" not in masked and "an.nguyen@" not in masked


def test_logs_are_masked():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "gửi SMS tới %s", ("0912345678",), None)
    MaskPersonalDataFilter().filter(record)
    assert "0912345678" not in record.getMessage()
