"""Specialised data: per-procedure tables of submitted data, scoped by unit, masked, exportable."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chinhquyenso.accounts.roles import Role
from chinhquyenso.core.models import AuditEvent
from chinhquyenso.eforms.models import FormSubmission
from chinhquyenso.eforms.selectors import TableFilters, submission_table
from chinhquyenso.eforms.services import form_submission_create
from tests import factories
from tests.eforms.conftest import birth_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(birth_form, citizen, units):
    """Two birth registrations received by Quảng Thọ (one with twins) and one by Quảng Phú."""
    tho_1 = form_submission_create(form_version=birth_form, data=birth_data(ho_ten_tre="Trần Minh An"),
                                   applicant=citizen, unit=units.quang_tho)
    tho_2 = form_submission_create(form_version=birth_form, data=birth_data(
        ho_ten_tre="Lê Thu Hà", gioi_tinh_tre="female", sinh_cung_lan=True,
        cac_tre_sinh_cung=[{"ho_ten": "Lê Thu Hằng", "gioi_tinh": "female", "thu_tu_sinh": 2}]),
        applicant=citizen, unit=units.quang_tho)
    phu = form_submission_create(form_version=birth_form, data=birth_data(ho_ten_tre="Phan Văn Phú"),
                                 applicant=citizen, unit=units.quang_phu)
    return {"tho_1": tho_1, "tho_2": tho_2, "phu": phu}


def table_url(birth_form, fmt=None, **params):
    kwargs = {"procedure_id": birth_form.definition.procedure_id}
    url = reverse("eforms:data_export", kwargs={**kwargs, "fmt": fmt}) if fmt else reverse("eforms:data_table",
                                                                                            kwargs=kwargs)
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def test_a_quang_tho_officer_cannot_see_quang_phu_submissions(birth_form, filed):
    officer = factories.make_staff(Role.SPECIALIST, factories.QUANG_THO)
    page = submission_table(user=officer, definition=birth_form.definition)
    assert {r.pk for r in page.rows} == {filed["tho_1"].pk, filed["tho_2"].pk}
    district = factories.make_staff(Role.DEPARTMENT_HEAD, factories.DISTRICT)
    assert {r.pk for r in submission_table(user=district, definition=birth_form.definition).rows} == {
        s.pk for s in filed.values()}
    # A role without access to specialised data sees nothing, even in its own unit.
    clerk = factories.make_staff(Role.CLERK, factories.QUANG_THO)
    assert submission_table(user=clerk, definition=birth_form.definition).rows == []


def test_the_table_page_is_scoped_masked_and_shows_group_counts(client, birth_form, filed):
    client.force_login(factories.make_staff(Role.SPECIALIST, factories.QUANG_THO))
    html = client.get(table_url(birth_form)).content.decode()
    assert "Trần Minh An" in html and "Lê Thu Hà" in html and "Phan Văn Phú" not in html
    assert "046186000123" not in html and "046******123" in html
    assert "0912345678" not in html and "091****678" in html
    assert "<td>1</td>" in html  # one other twin
    assert "Xã Quảng Thọ (19894)" in html


def test_filters_by_column_date_and_unit(birth_form, filed, units):
    officer = factories.make_staff(Role.SPECIALIST, factories.DISTRICT)
    definition = birth_form.definition

    def names(**filters):
        rows = submission_table(user=officer, definition=definition, filters=TableFilters(**filters)).rows
        return sorted(r.data["ho_ten_tre"] for r in rows)

    assert names(column="ho_ten_tre", op="contains", value="thu") == ["Lê Thu Hà"]
    assert names(column="gioi_tinh_tre", op="equals", value="Nữ") == ["Lê Thu Hà"]  # by the label officers see
    assert names(column="sinh_cung_lan", op="equals", value="có") == ["Lê Thu Hà"]
    assert names(unit_code=factories.QUANG_PHU) == ["Phan Văn Phú"]
    FormSubmission.objects.filter(pk=filed["phu"].pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate()
    assert names(date_from=today) == ["Lê Thu Hà", "Trần Minh An"]
    assert names(date_to=today - dt.timedelta(days=5)) == ["Phan Văn Phú"]


def test_personal_columns_are_filterable_only_where_they_are_seen_in_clear(client, birth_form, filed):
    """A reporter sees CCCD masked: filtering on it would reveal the masked digits one by one."""
    definition = birth_form.definition
    by_cccd = TableFilters(column="cccd", op="contains", value="0461860")
    specialist = factories.make_staff(Role.SPECIALIST, factories.DISTRICT)
    assert len(submission_table(user=specialist, definition=definition, filters=by_cccd).rows) == 3
    reporter = factories.make_staff(Role.REPORTER, factories.DISTRICT)
    assert submission_table(user=reporter, definition=definition, filters=by_cccd).rows == []
    client.force_login(reporter)
    response = client.get(table_url(birth_form))
    offered = {key for key, _label in response.context["filter_form"].fields["cot"].choices}
    assert "ho_ten_tre" in offered and not offered & {"cccd", "so_dien_thoai", "email"}
    client.force_login(specialist)
    offered = {key for key, _label in client.get(table_url(birth_form)).context["filter_form"].fields["cot"].choices}
    assert "cccd" in offered


def test_keyset_pagination_walks_every_row_once(birth_form, citizen, units):
    for i in range(7):
        form_submission_create(form_version=birth_form, data=birth_data(ho_ten_tre=f"Bé {i}"), applicant=citizen,
                               unit=units.quang_tho)
    officer = factories.make_staff(Role.SPECIALIST, factories.QUANG_THO)
    seen, cursor = [], None
    while True:
        page = submission_table(user=officer, definition=birth_form.definition, cursor=cursor, limit=3)
        seen += [r.data["ho_ten_tre"] for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"Bé {i}" for i in reversed(range(7))]


def test_the_table_query_count_does_not_grow_with_rows(birth_form, citizen, units, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_a_page() -> int:
        officer = factories.make_staff(Role.SPECIALIST, factories.QUANG_THO)  # fresh: role scopes not cached
        with CaptureQueriesContext(connection) as ctx:
            submission_table(user=officer, definition=birth_form.definition, limit=25)
        return len(ctx.captured_queries)

    form_submission_create(form_version=birth_form, data=birth_data(), applicant=citizen, unit=units.quang_tho)
    few = queries_for_a_page()
    for i in range(30):
        form_submission_create(form_version=birth_form, data=birth_data(ho_ten_tre=f"Bé {i}"), applicant=citizen,
                               unit=units.quang_tho)
    assert queries_for_a_page() == few <= 5


def test_xlsx_export_has_a_sheet_per_repeating_group_and_clear_data_for_a_specialist(client, birth_form, filed):
    officer = factories.make_staff(Role.SPECIALIST, factories.QUANG_THO)
    client.force_login(officer)
    response = client.get(table_url(birth_form, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-1.001193-')
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Du lieu", "cac_tre_sinh_cung"]
    rows = list(book["Du lieu"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Mã bản ghi", "Thời điểm nộp", "Đơn vị tiếp nhận")
    assert "Họ, chữ đệm và tên của trẻ" in header
    assert len(rows) == 3  # header + the two Quảng Thọ rows
    cccd = header.index("Số định danh cá nhân (CCCD)")
    assert {r[cccd] for r in rows[1:]} == {"046186000123"}
    twins = list(book["cac_tre_sinh_cung"].iter_rows(values_only=True))
    assert twins[1][:3] == (filed["tho_2"].pk, 1, "Lê Thu Hằng")
    audit = AuditEvent.objects.get(action="eforms.submission_export")
    assert audit.actor_id == officer.pk and audit.after["rows"] == 2 and audit.after["format"] == "xlsx"


def test_csv_export_has_a_bom_and_a_reporter_gets_masked_identifiers(client, birth_form, filed):
    client.force_login(factories.make_staff(Role.REPORTER, factories.DISTRICT))
    response = client.get(table_url(birth_form, "csv", cot="ho_ten_tre", phep="contains", gia_tri="Phú"))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 2 and "Phan Văn Phú" in rows[1]
    cccd = rows[0].index("Số định danh cá nhân (CCCD)")
    assert rows[1][cccd] == "046******123"
    assert AuditEvent.objects.get(action="eforms.submission_export").after["unmasked"] is False


def test_officers_without_a_data_role_are_refused(client, birth_form, filed):
    client.force_login(factories.make_staff(Role.CLERK, factories.DISTRICT))
    assert client.get(table_url(birth_form)).status_code == 403
    assert client.get(table_url(birth_form, "csv")).status_code == 403
    client.force_login(factories.make_citizen())
    assert client.get(reverse("eforms:data_index")).status_code == 403
