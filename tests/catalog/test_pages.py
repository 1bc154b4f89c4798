"""Public pages: search (full page and HTMX fragment) and the procedure page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chinhquyenso.catalog.models import Procedure
from chinhquyenso.catalog.services import procedure_retire, required_document_template_attach
from tests.catalog.test_services import xlsx_bytes

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_search_page_works_without_javascript(shared_catalog, client):
    response = client.get(reverse("catalog:search"), {"q": "khai sinh"})
    assert response.status_code == 200
    body = text(response)
    assert "<html" in body and 'role="search"' in body
    first = re.search(r'data-testid="results".*?<a href="([^"]+)"', body).group(1)
    assert first == reverse("catalog:detail", args=["1.001193"])
    assert "Tìm thấy 4 thủ tục" in body


def test_search_answers_htmx_with_the_results_fragment_only(shared_catalog, client):
    response = client.get(reverse("catalog:search"), {"q": "dang ky ket hon"}, HTTP_HX_REQUEST="true")
    body = text(response)
    assert "<html" not in body and 'data-testid="results"' in body
    assert "Thủ tục đăng ký kết hôn" in body


def test_search_filters_from_the_query_string(shared_catalog, client):
    body = text(client.get(reverse("catalog:search"), {"field": "chung-thuc", "online": "online"}))
    assert "Tìm thấy 1 thủ tục" in body and "2.000815" in body


def test_bad_filter_values_do_not_break_the_page(shared_catalog, client):
    response = client.get(reverse("catalog:search"), {"level": "thon", "page": "-3", "online": "x"})
    assert response.status_code == 200


def test_search_page_query_count_is_bounded(shared_catalog, client, django_assert_max_num_queries):
    client.get(reverse("catalog:search"), {"q": "warm up the search index"})
    with django_assert_max_num_queries(6):
        client.get(reverse("catalog:search"), {"q": "dang ky"})


def test_procedure_page_shows_everything_a_citizen_needs(shared_catalog, client):
    body = text(client.get(reverse("catalog:detail", args=["2.000815"])))
    assert "Chứng thực bản sao từ bản chính" in body
    assert 'data-testid="procedure-code">2.000815<' in body
    assert "Trong ngày" in body  # processing time (same day), with the note
    assert "nhận sau 15 giờ" in body
    assert "2.000 đ/trang (1–2 trang); 1.000 đ/trang (từ 3 trang); tối đa 200.000 đ" in body  # fees
    assert "Bản chính" in body and "Số lượng: 1" in body  # documents: original/copy and count
    assert "Bản sao được chứng thực từ bản chính" in body  # result
    assert "Căn cứ pháp lý" in body
    assert "Một phần" in body  # online level
    assert "Trực tuyến" in body and "Trực tiếp tại Bộ phận Một cửa" in body  # channels
    assert "Bộ phận Một cửa xã Quảng Thọ" in body  # where: the commune one-stop desks
    assert "Chứng thực" in body and "Cấp xã" in body


def test_procedure_page_says_what_is_unconfirmed(shared_catalog, client):
    body = text(client.get(reverse("catalog:detail", args=["DP-0002"])))
    assert 'data-testid="unconfirmed"' in body and "chưa được xác minh" in body
    assert "mã địa phương" in body
    assert "2.000.000 đ (1–3 phòng); 3.000.000 đ (4–5 phòng); 6.000.000 đ (từ 6 phòng)" in body


def test_fees_not_yet_entered_are_shown_as_such(shared_catalog, client):
    body = text(client.get(reverse("catalog:detail", args=["1.004873"])))
    assert "chưa nhập mức thu" in body
    assert "Miễn cho: Hộ nghèo" in body


def test_template_is_downloadable_from_the_procedure_page(shared_catalog, client):
    doc = Procedure.objects.get(code="1.001193").required_documents.first()
    required_document_template_attach(actor=None, document=doc, content=xlsx_bytes(), name="To khai khai sinh.xlsx")
    body = text(client.get(reverse("catalog:detail", args=["1.001193"])))
    link = re.search(r'href="([^"]+)" data-testid="template-link"', body).group(1)
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_files_that_are_not_templates_are_not_served(shared_catalog, client):
    from chinhquyenso.core.files import stored_file_create

    private = stored_file_create(content=xlsx_bytes(), name="rieng.xlsx", purpose="office")
    assert client.get(reverse("catalog:template_download", args=[private.pk])).status_code == 404


def test_online_button_only_when_an_eform_is_published(shared_catalog, client, published_forms):
    birth = Procedure.objects.get(code="1.001193")
    body = text(client.get(reverse("catalog:detail", args=[birth.code])))
    assert "Nộp hồ sơ trực tuyến" not in body and 'data-testid="no-eform"' in body
    published_forms.add(birth.pk)
    body = text(client.get(reverse("catalog:detail", args=[birth.code])))
    start = reverse("dossiers:start", args=[birth.pk])
    assert f'href="{start}" data-testid="submit-online"' in body


def test_a_retired_procedure_page_says_so_and_offers_no_submission(shared_catalog, client, published_forms):
    birth = Procedure.objects.get(code="1.001193")
    published_forms.add(birth.pk)
    procedure_retire(actor=None, procedure=birth, reason="QĐ 9/QĐ-UBND")
    body = text(client.get(reverse("catalog:detail", args=[birth.code])))
    assert "đã bị bãi bỏ" in body and "Nộp hồ sơ trực tuyến" not in body


def test_unknown_code_is_404(shared_catalog, client):
    assert client.get(reverse("catalog:detail", args=["9.999999"])).status_code == 404


def test_procedure_page_query_count_is_bounded(shared_catalog, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        client.get(reverse("catalog:detail", args=["1.001193"]))
