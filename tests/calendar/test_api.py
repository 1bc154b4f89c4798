"""Public calendar API: days off of a year and due-date calculation; errors as {code, message, field}."""

from __future__ import annotations

import pytest

from tests.calendar.conftest import D, override

pytestmark = pytest.mark.django_db

BASE = "/api/v1/calendar"


def test_days_off_of_a_year_nationwide(client):
    response = client.get(f"{BASE}/days-off", {"year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026 and body["unit_code"] is None
    tet = next(d for d in body["days_off"] if d["date"] == "2026-02-17")
    assert tet["name"] == "Tết Nguyên Đán" and tet["source"] == "holiday" and tet["working"] is False
    assert [d["date"] for d in body["working_days"]] == ["2026-08-22"]


def test_days_off_for_a_commune_include_its_overrides(units, client):
    override(day=D(2026, 3, 11), unit=units.quang_tho, name="Nghỉ do bão", basis="Quyết định số 5/QĐ-UBND")
    in_commune = client.get(f"{BASE}/days-off", {"year": 2026, "unit": "19894"}).json()
    row = next(d for d in in_commune["days_off"] if d["date"] == "2026-03-11")
    assert row == {"date": "2026-03-11", "working": False, "name": "Nghỉ do bão", "source": "override",
                   "legal_basis": "Quyết định số 5/QĐ-UBND", "unit_code": "19894"}
    elsewhere = client.get(f"{BASE}/days-off", {"year": 2026, "unit": "19897"}).json()
    assert "2026-03-11" not in {d["date"] for d in elsewhere["days_off"]}


def test_add_working_days(client, locality):
    response = client.get(f"{BASE}/add-working-days", {"start": "2026-02-13", "n": 5, "unit": "477"})
    assert response.status_code == 200
    assert response.json() == {"start": "2026-02-13", "n": 5, "unit_code": "477", "due": "2026-02-27"}


@pytest.mark.parametrize(("params", "status", "code", "field"), [
    ({"start": "13/02/2026", "n": 5}, 400, "invalid_date", "start"),
    ({"start": "2026-02-30", "n": 5}, 400, "invalid_date", "start"),
    ({"n": 5}, 400, "invalid_date", "start"),
    ({"start": "2026-02-13", "n": -1}, 400, "invalid_number", "n"),
    ({"start": "2026-02-13", "n": "năm"}, 400, "invalid_number", "n"),
    ({"start": "2026-02-13", "n": 100000}, 400, "invalid_number", "n"),
    ({"start": "2100-12-30", "n": 10}, 400, "invalid_date", "start"),
    ({"start": "2026-02-13", "n": 5, "unit": "99999"}, 404, "unit_not_found", "unit"),
])
def test_add_working_days_errors(client, params, status, code, field):
    response = client.get(f"{BASE}/add-working-days", params)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["field"] == field and body["message"]


@pytest.mark.parametrize(("params", "code"), [({}, "year_required"), ({"year": "abc"}, "invalid_year"),
                                               ({"year": 1800}, "invalid_year")])
def test_days_off_errors(client, params, code):
    response = client.get(f"{BASE}/days-off", params)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["field"] == "year"
