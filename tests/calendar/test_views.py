"""The public page /lich/<year>/: the year's days off in Vietnamese, dd/mm/yyyy, accessible tables."""

from __future__ import annotations

import pytest

from tests.calendar.conftest import D, override

pytestmark = pytest.mark.django_db


def test_year_page_lists_holidays_in_vietnamese(client, locality):
    response = client.get("/lich/2026/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lịch nghỉ lễ, nghỉ bù năm 2026" in html
    assert '<time datetime="2026-02-17">17/02/2026</time>' in html
    assert "Tết Nguyên Đán" in html and "Thứ Ba" in html
    assert "22/08/2026" in html  # the make-up Saturday table
    assert '<th scope="col">' in html and "<caption" in html


def test_year_page_for_a_commune_shows_its_overrides_with_scope(client, units):
    override(day=D(2026, 3, 11), unit=units.quang_tho, name="Nghỉ do bão", basis="Quyết định số 5/QĐ-UBND")
    html = client.get("/lich/2026/", {"don-vi": "19894"}).content.decode()
    assert "11/03/2026" in html and "Quyết định số 5/QĐ-UBND" in html and "Xã Quảng Thọ" in html
    assert "11/03/2026" not in client.get("/lich/2026/").content.decode()


@pytest.mark.parametrize("url", ["/lich/1900/", "/lich/2026/?don-vi=00000"])
def test_unknown_year_or_unit_is_404(client, locality, url):
    assert client.get(url).status_code == 404
