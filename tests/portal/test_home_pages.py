"""The public home page and the role home pages, through Django's test client."""

from __future__ import annotations

import re

import pytest

from chinhquyenso.accounts.demo import demo_accounts
from chinhquyenso.accounts.roles import Role
from chinhquyenso.portal.workspace import Page, Section, section_register, sections_for

# Where each demo account lands after logging in, and the heading it sees there.
LANDING = {
    "congdan": ("/cong-dan/", "Trang công dân"),
    "doanhnghiep": ("/cong-dan/", "Trang tổ chức, doanh nghiệp"),
    "tiepnhan": ("/can-bo/", "Không gian làm việc cán bộ"),
    "chuyenvien": ("/can-bo/", "Không gian làm việc cán bộ"),
    "truongphong": ("/can-bo/", "Không gian làm việc cán bộ"),
    "vanthu": ("/can-bo/", "Không gian làm việc cán bộ"),
    "baocao": ("/can-bo/", "Không gian làm việc cán bộ"),
    "thanhtra": ("/can-bo/", "Không gian làm việc cán bộ"),
    "canbo.quangtho": ("/can-bo/", "Không gian làm việc cán bộ"),
    "canbo.quangphu": ("/can-bo/", "Không gian làm việc cán bộ"),
    "chuyenvien.quangtho": ("/can-bo/", "Không gian làm việc cán bộ"),
    "lanhdao.quangtho": ("/lanh-dao/", "Tổng quan lãnh đạo"),
    "lanhdao": ("/lanh-dao/", "Tổng quan lãnh đạo"),
    "quantri": ("/quan-tri/", "Cấu hình đơn vị, người dùng, danh mục"),
}


def heading(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def test_every_demo_account_has_an_expected_landing_page():
    assert {a.username for a in demo_accounts()} == set(LANDING)


def test_home_page_is_in_vietnamese_with_the_locality_name(client, demo):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Huyện Quảng Điền" in html
    assert "Cổng dịch vụ công" in html
    assert response["Content-Language"] == "vi"


@pytest.mark.parametrize("username", sorted(LANDING))
def test_each_demo_account_lands_on_its_home_page(client, login_as, username):
    response = login_as(username)
    path, expected_heading = LANDING[username]
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == path
    assert heading(response) == expected_heading
    if path != "/quan-tri/":
        assert 'data-testid="home-heading"' in response.content.decode()


def test_logout_is_a_post_and_returns_to_the_public_home(client, login_as):
    login_as("congdan")
    response = client.post("/tai-khoan/dang-xuat/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert client.get("/cong-dan/").status_code == 302


def test_citizen_gets_the_vietnamese_403_page_on_the_officer_workspace(client, login_as):
    login_as("congdan")
    response = client.get("/can-bo/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()
    assert client.get("/lanh-dao/").status_code == 403


def test_officer_cannot_open_the_citizen_home_or_the_leader_overview(client, login_as):
    login_as("chuyenvien")
    assert client.get("/cong-dan/").status_code == 403
    assert client.get("/lanh-dao/").status_code == 403


def test_anonymous_visitor_is_sent_to_login_from_a_role_home(client, demo):
    response = client.get("/can-bo/")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=/can-bo/")


def test_role_homes_say_no_data_instead_of_inventing_numbers(client, login_as, placeholder_sections_only):
    login_as("tiepnhan")
    html = client.get("/can-bo/").content.decode()
    assert "Hồ sơ chờ tiếp nhận" in html
    assert "Chưa có dữ liệu" in html
    assert "Hồ sơ chờ phê duyệt" not in html  # a head-of-department queue, not a reception one
    assert 'class="tile-figure' not in html


def test_leader_overview_lists_the_five_decision_766_groups_without_scores(client, login_as):
    login_as("lanhdao")
    html = client.get("/lanh-dao/").content.decode()
    for group in ("Công khai, minh bạch", "Tiến độ, kết quả giải quyết", "Số hóa hồ sơ",
                  "Cung cấp dịch vụ trực tuyến", "Mức độ hài lòng"):
        assert group in html
    assert html.count('data-kpi="') == 5
    assert "Chưa có dữ liệu" in html


def test_citizen_home_shows_personal_details_and_the_citizen_sections(client, login_as):
    login_as("congdan")
    html = client.get("/cong-dan/").content.decode()
    for title in ("Hồ sơ của tôi", "Phản ánh, kiến nghị của tôi", "Thông báo", "Thông tin cá nhân"):
        assert title in html
    assert "Nguyễn Thị Lan" in html
    assert "12/05/1986" in html  # dates shown dd/mm/yyyy


def test_organisation_representative_sees_the_organisation(client, login_as):
    login_as("doanhnghiep")
    html = client.get("/cong-dan/").content.decode()
    assert "Công ty TNHH Nông sản Quảng Điền" in html
    assert "3301234568" in html


def test_an_app_fills_a_section_with_its_count_and_link(client, login_as, placeholder_sections_only):
    section_register(Section("dossiers.to_receive", Page.WORKSPACE, "Hồ sơ chờ tiếp nhận", "…",
                             frozenset({Role.RECEPTION_OFFICER}), url_name="notifications:inbox",
                             count=lambda user: 7, order=10))
    login_as("tiepnhan")
    html = client.get("/can-bo/").content.decode()
    assert '<p class="tile-figure mb-0">7</p>' in html
    assert 'href="/thong-bao/"' in html


def test_a_section_linking_to_an_app_that_is_not_installed_has_no_link(demo, placeholder_sections_only):
    from chinhquyenso.accounts.models import User

    section_register(Section("test.missing", Page.CITIZEN, "x", "y", frozenset({Role.CITIZEN}),
                             url_name="nowhere:list"))
    rows = sections_for(user=User.objects.get(username="congdan"), page=Page.CITIZEN)
    assert [r.url for r in rows if r.key == "test.missing"] == [None]


@pytest.mark.parametrize(("username", "path"), [("tiepnhan", "/can-bo/"), ("lanhdao", "/lanh-dao/"),
                                                ("congdan", "/cong-dan/")])
def test_role_home_pages_use_a_bounded_number_of_queries(client, login_as, django_assert_max_num_queries,
                                                         username, path):
    login_as(username)
    with django_assert_max_num_queries(12):
        assert client.get(path).status_code == 200
