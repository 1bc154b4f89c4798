"""The citizen's e-form page: rendering, HTML → JSON, drafts, pre-fill, no-JS and htmx paths."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator

from chinhquyenso.eforms.engine import EForm
from chinhquyenso.eforms.htmlform import coerce, state_from_post
from chinhquyenso.eforms.models import FormDraft
from chinhquyenso.eforms.services import form_submission_create
from chinhquyenso.eforms.validation import form_data_errors
from tests import factories
from tests.eforms.conftest import birth_data

pytestmark = pytest.mark.django_db


def post_data(**overrides) -> dict:
    """What a browser posts for valid birth answers (strings, address pickers, no hidden fields)."""
    data = {
        "ho_ten": "  Nguyễn Thị Lan ", "ngay_sinh": "12/5/1986", "gioi_tinh": "female", "cccd": "046 186 000 123",
        "dien_thoai": "+84 912 345 678", "email": "", "noi_cu_tru__lvl1": "46", "noi_cu_tru__lvl2": "477",
        "noi_cu_tru__lvl3": factories.QUANG_THO, "dia_chi_chi_tiet": "Thôn Phú Lễ", "quan_he_voi_tre": "me",
        "ho_ten_tre": "Trần Minh An", "ngay_sinh_tre": "2025-03-02", "gioi_tinh_tre": "male", "dan_toc_tre": "Kinh",
        "quoc_tich_tre": "Việt Nam", "noi_sinh": "Trung tâm Y tế huyện Quảng Điền", "noi_sinh_don_vi__lvl1": "46",
        "noi_sinh_don_vi__lvl2": "477", "noi_sinh_don_vi__lvl3": factories.SIA,
        "co_thong_tin_me": "co", "ho_ten_me": "Nguyễn Thị Lan", "ngay_sinh_me": "12-05-1986",
        "cccd_me": "046186000123", "dan_toc_me": "Kinh", "quoc_tich_me": "Việt Nam", "noi_cu_tru_me__lvl1": "46",
        "noi_cu_tru_me__lvl2": "477", "noi_cu_tru_me__lvl3": factories.QUANG_THO,
        "co_thong_tin_cha": "chua", "so_ban_sao": "", "hinh_thuc_nhan": "truc_tiep", "cam_doan": "on",
        "_rows.cac_tre_sinh_cung": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


def fill_url(version) -> str:
    return reverse("eforms:fill", kwargs={"procedure_id": version.definition.procedure_id})


def test_html_strings_become_typed_json_that_passes_validation(birth_form):
    from django.http import QueryDict

    form = EForm(birth_form.schema, birth_form.ui_schema)
    query = QueryDict(mutable=True)
    query.update(post_data(so_ban_sao="2"))
    data = coerce(form, state_from_post(form, query))
    assert data["ho_ten"] == "Nguyễn Thị Lan"
    assert data["ngay_sinh"] == "12/05/1986" and data["ngay_sinh_tre"] == "02/03/2025"
    assert data["cccd"] == "046186000123" and data["dien_thoai"] == "0912345678"
    assert data["noi_cu_tru"] == factories.QUANG_THO
    assert data["so_ban_sao"] == 2 and data["cam_doan"] is True and data["sinh_cung_lan"] is False
    assert "email" not in data and "ho_ten_cha" not in data
    assert form_data_errors(birth_form.schema, birth_form.ui_schema, data) == []


def test_the_page_renders_accessible_fields_with_labels_hints_and_fieldsets(citizen_client, birth_form):
    html = citizen_client.get(fill_url(birth_form)).content.decode()
    assert '<legend class="h5 border-bottom pb-1">Người yêu cầu</legend>' in html
    for input_id in re.findall(r'<input class="form-control[^"]*"[^>]* id="([^"]+)"', html):
        assert f'for="{input_id}"' in html, input_id
    assert 'aria-describedby="f-ngay_sinh_tre-hint"' in html
    assert 'id="f-ngay_sinh_tre-hint"' in html
    # Hidden until answered: the father's details and the twins group.
    assert "f-ho_ten_cha" not in html and "cac_tre_sinh_cung" not in html


def test_errors_are_summarised_at_the_top_with_links_and_shown_inline(citizen_client, birth_form):
    response = citizen_client.post(fill_url(birth_form), post_data(ngay_sinh_tre="31/02/2025", cccd="123"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Lỗi:" in html
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'href="#f-cccd"' in summary and 'href="#f-ngay_sinh_tre"' in summary
    assert summary.index("#f-cccd") < summary.index("#f-ngay_sinh_tre")
    assert 'id="f-ngay_sinh_tre-error"' in html and 'aria-invalid="true"' in html
    assert "phải là một ngày có thật" in html
    # What the citizen typed is shown back.
    assert 'value="31/02/2025"' in html
    assert not FormDraft.objects.exists()


def test_valid_answers_are_kept_as_a_complete_draft_and_lead_to_the_review_page(citizen_client, birth_form, citizen):
    response = citizen_client.post(fill_url(birth_form), post_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("eforms:review", kwargs={"procedure_id": birth_form.definition.procedure_id})
    draft = FormDraft.objects.get(user=citizen)
    assert draft.is_complete and draft.form_version == birth_form and draft.data["cccd"] == "046186000123"
    review = citizen_client.get(response["Location"]).content.decode()
    assert "Xã Quảng Thọ" in review and "Trần Minh An" in review


def test_a_tampered_hidden_field_is_rejected_and_never_stored(citizen_client, birth_form, citizen):
    # "father not known" but the browser sends a father's name anyway (edited DOM, or a stale page).
    response = citizen_client.post(fill_url(birth_form), post_data(ho_ten_cha="Kẻ gian"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Họ, chữ đệm và tên người cha" in html.split('data-testid="error-summary"')[1]
    assert "không áp dụng" in html
    assert 'name="ho_ten_cha"' not in html  # re-rendered without it: the next post is clean
    assert not FormDraft.objects.filter(user=citizen).exists()
    # The hidden twin rows count too.
    response = citizen_client.post(fill_url(birth_form), post_data(
        **{"_rows.cac_tre_sinh_cung": "0", "cac_tre_sinh_cung.0.ho_ten": "X", "cac_tre_sinh_cung.0.gioi_tinh": "male",
           "cac_tre_sinh_cung.0.thu_tu_sinh": "2"}))
    assert "error-summary" in response.content.decode()


def test_html_path_and_json_path_give_the_same_verdict(birth_form, citizen):
    """Whatever the browser sent, the server decides with the same schema as for a JSON payload."""
    from django.http import QueryDict

    form = EForm(birth_form.schema, birth_form.ui_schema)
    for overrides, json_overrides in [
        ({"ho_ten_cha": "X"}, {"ho_ten_cha": "X"}),
        ({"co_thong_tin_cha": "co"}, {"co_thong_tin_cha": "co"}),
        ({"gioi_tinh": "male"}, {"gioi_tinh": "male"}),
        ({"cam_doan": None}, {"cam_doan": False}),
    ]:
        query = QueryDict(mutable=True)
        query.update(post_data(**overrides))
        html_errors = {e.pointer for e in form_data_errors(birth_form.schema, birth_form.ui_schema,
                                                           coerce(form, state_from_post(form, query)))}
        json_errors = {e.pointer for e in form_data_errors(birth_form.schema, birth_form.ui_schema,
                                                           birth_data(**json_overrides))}
        assert html_errors == json_errors != set(), overrides


def test_the_api_schema_validates_the_data_the_html_form_produced(client, citizen, birth_form):
    client.force_login(citizen)
    client.post(fill_url(birth_form), post_data(
        sinh_cung_lan="on", **{"_rows.cac_tre_sinh_cung": "0", "cac_tre_sinh_cung.0.ho_ten": "Trần Minh Anh",
                               "cac_tre_sinh_cung.0.gioi_tinh": "female", "cac_tre_sinh_cung.0.thu_tu_sinh": "2"}))
    produced = FormDraft.objects.get(user=citizen).data
    assert produced["cac_tre_sinh_cung"] == [{"ho_ten": "Trần Minh Anh", "gioi_tinh": "female", "thu_tu_sinh": 2}]
    served = client.get("/api/v1/eforms/forms/1.001193").json()
    Draft202012Validator(served["schema"]).validate(produced)  # plain jsonschema, no custom code
    # …and the served schema rejects what the form would reject.
    assert not Draft202012Validator(served["schema"]).is_valid({**produced, "ho_ten_cha": "X"})


def test_saving_a_draft_keeps_half_done_answers_and_resumes_them(citizen_client, birth_form, citizen):
    url = fill_url(birth_form)
    response = citizen_client.post(url, {"_action": "save_draft", "ho_ten_tre": "Bé Na", "ngay_sinh_tre": "31/02/2025",
                                         "co_thong_tin_cha": "co", "ho_ten_cha": "Trần Văn Ba"})
    assert response.status_code == 302
    draft = FormDraft.objects.get(user=citizen)
    assert not draft.is_complete
    assert draft.data["ho_ten_tre"] == "Bé Na" and draft.data["ngay_sinh_tre"] == "31/02/2025"
    assert draft.data["ho_ten_cha"] == "Trần Văn Ba"
    html = citizen_client.get(url).content.decode()
    assert "Bạn đang điền tiếp bản nháp" in html
    assert 'value="Bé Na"' in html and 'value="Trần Văn Ba"' in html
    # A draft drops what is hidden: the father's name goes once "not known" is chosen.
    citizen_client.post(url, {"_action": "save_draft", "co_thong_tin_cha": "chua", "ho_ten_cha": "Trần Văn Ba"})
    assert "ho_ten_cha" not in FormDraft.objects.get(user=citizen).data


def test_discarding_the_draft_starts_again(citizen_client, birth_form, citizen):
    url = fill_url(birth_form)
    citizen_client.post(url, {"_action": "save_draft", "ho_ten_tre": "Bé Na"})
    citizen_client.post(reverse("eforms:draft_discard", kwargs={"procedure_id": birth_form.definition.procedure_id}))
    assert not FormDraft.objects.filter(user=citizen).exists()


def test_first_visit_is_prefilled_from_the_profile(citizen_client, birth_form, citizen):
    html = citizen_client.get(fill_url(birth_form)).content.decode()
    profile = citizen.citizen_profile
    assert f'value="{profile.cccd}"' in html
    assert f'value="{profile.date_of_birth:%d/%m/%Y}"' in html
    assert 'value="Nguyễn Văn An"' in html  # the factory citizen's name
    assert "Đã điền sẵn từ dữ liệu bạn đã cung cấp" in html
    # The commune of residence is chosen in the picker, with its province and district.
    assert re.search(r'<option value="19894" selected>', html)
    assert re.search(r'<option value="477" selected>', html)


def test_first_visit_reuses_previous_answers_marked_for_it(citizen_client, make_procedure, publish, citizen, units):
    procedure = make_procedure()
    spec = {"title": "Tờ khai", "sections": [{"id": "a", "title": "A", "fields": [
        {"name": "ho_ten", "type": "text", "label": "Họ tên", "required": True, "prefill": "profile.full_name"},
        {"name": "nghe_nghiep", "type": "text", "label": "Nghề nghiệp", "prefill": "previous"},
        {"name": "ly_do", "type": "text", "label": "Lý do"},
    ]}]}
    version = publish(procedure, spec)
    form_submission_create(form_version=version, applicant=citizen, unit=units.quang_tho,
                           data={"ho_ten": "Tên cũ", "nghe_nghiep": "Nông dân", "ly_do": "Lần trước"})
    html = citizen_client.get(reverse("eforms:fill", kwargs={"procedure_id": procedure.pk})).content.decode()
    assert 'value="Nông dân"' in html            # "previous": asked only once
    assert 'value="Nguyễn Văn An"' in html       # the profile wins over the old answer
    assert "Lần trước" not in html               # event-specific answers are not copied


def test_htmx_change_of_a_controlling_answer_returns_only_the_form_body(citizen_client, birth_form):
    response = citizen_client.post(fill_url(birth_form), {"_action": "refresh", "co_thong_tin_cha": "co"},
                                   HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="eform-body">')
    assert 'name="ho_ten_cha"' in html and "error-summary" not in html


def test_without_javascript_the_refresh_button_reveals_the_conditional_fields(citizen_client, birth_form):
    html = citizen_client.get(fill_url(birth_form)).content.decode()
    assert '<noscript><button type="submit" name="_action" value="refresh"' in html
    response = citizen_client.post(fill_url(birth_form), {"_action": "refresh", "sinh_cung_lan": "on",
                                                          "ho_ten_tre": "Bé Na"})
    html = response.content.decode()
    assert "<html" in html and 'value="Bé Na"' in html
    # The twins group appears with its minimum of one row.
    assert 'name="cac_tre_sinh_cung.0.ho_ten"' in html


def test_rows_of_a_repeating_group_are_added_and_removed_by_the_server(citizen_client, birth_form):
    url = fill_url(birth_form)
    base = {"sinh_cung_lan": "on", "_rows.cac_tre_sinh_cung": "0", "cac_tre_sinh_cung.0.ho_ten": "Bé Một"}
    html = citizen_client.post(url, {**base, "_action": "add:cac_tre_sinh_cung"}).content.decode()
    assert 'name="_rows.cac_tre_sinh_cung" value="0,1"' in html
    assert 'value="Bé Một"' in html and 'name="cac_tre_sinh_cung.1.ho_ten"' in html
    html = citizen_client.post(url, {**base, "_rows.cac_tre_sinh_cung": "0,1", "cac_tre_sinh_cung.1.ho_ten": "Bé Hai",
                                     "_action": "remove:cac_tre_sinh_cung:0"}).content.decode()
    assert 'name="_rows.cac_tre_sinh_cung" value="1"' in html
    assert 'value="Bé Hai"' in html and "Bé Một" not in html
    # The last row above the minimum cannot be removed; the group never exceeds its maximum.
    assert "remove:cac_tre_sinh_cung:1" not in html
    html = citizen_client.post(url, {**base, "_rows.cac_tre_sinh_cung": "0,1,2,3",
                                     "_action": "add:cac_tre_sinh_cung"}).content.decode()
    assert 'value="0,1,2,3"' in html and "add:cac_tre_sinh_cung" not in html


def test_the_address_picker_cascades_province_district_commune(citizen_client, birth_form):
    html = citizen_client.post(fill_url(birth_form), {"_action": "refresh", "noi_cu_tru__lvl1": "46"}).content.decode()
    assert 'id="f-noi_cu_tru__lvl2"' in html and "Huyện Quảng Điền" in html
    assert 'id="f-noi_cu_tru__lvl3"' not in html
    html = citizen_client.post(fill_url(birth_form), {"_action": "refresh", "noi_cu_tru__lvl1": "46",
                                                      "noi_cu_tru__lvl2": "477"}).content.decode()
    assert 'id="f-noi_cu_tru__lvl3"' in html and "Xã Quảng Phú" in html


def test_a_form_without_a_published_version_says_so(citizen_client, make_procedure):
    procedure = make_procedure()
    response = citizen_client.get(reverse("eforms:fill", kwargs={"procedure_id": procedure.pk}))
    assert response.status_code == 404
    assert "chưa có biểu mẫu điện tử" in response.content.decode()


def test_a_retired_procedure_takes_no_new_forms(citizen_client, birth_form):
    from chinhquyenso.catalog.services import procedure_retire

    procedure_retire(actor=None, procedure=birth_form.definition.procedure, reason="Thay bằng thủ tục liên thông")
    response = citizen_client.get(fill_url(birth_form))
    assert response.status_code == 404 and "đã bị bãi bỏ" in response.content.decode()


def test_the_fill_page_needs_a_login(client, birth_form):
    response = client.get(fill_url(birth_form))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_the_fill_page_renders_in_a_bounded_number_of_queries(citizen_client, birth_form,
                                                             django_assert_max_num_queries):
    url = fill_url(birth_form)
    citizen_client.get(url)
    with django_assert_max_num_queries(16):
        citizen_client.get(url)


def test_the_form_speaks_english_when_the_citizen_chose_english(citizen_client, birth_form, settings):
    citizen_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = citizen_client.get(fill_url(birth_form)).content.decode()
    assert "Birth registration form" in html and "Child&#x27;s full name" in html
    assert "Save draft" in html and "(optional)" in html
    html = citizen_client.post(fill_url(birth_form), post_data(ho_ten_tre="")).content.decode()
    assert "There is a problem" in html and "Enter “Child&#x27;s full name”." in html
