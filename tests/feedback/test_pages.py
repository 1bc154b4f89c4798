"""The pages, through the test client: the typed path works without the map; staff queues are
scoped and bounded; statistics and the heat map come from aggregates; the demo loads twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chinhquyenso.feedback import selectors, services
from chinhquyenso.feedback.constants import Status
from chinhquyenso.feedback.models import Feedback
from tests.feedback.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_public_list_has_the_map_with_licence_attribution_and_a_list(client, locality):
    page = client.get(reverse("feedback:list")).content.decode()
    assert 'class="fb-map"' in page and "Marc Choisy" in page and 'data-tiles-url=""' in page
    assert "leaflet/leaflet.js" in page and "//" not in page.split("leaflet/leaflet.js")[0][-40:]
    data = client.get(reverse("feedback:boundaries")).json()
    assert len(data["features"]) == 12 and "Marc Choisy" in data["attribution"]
    assert client.get(reverse("feedback:boundaries_license")).content.decode().startswith("# quangdien")


def test_citizen_reports_through_the_typed_path_with_a_photo(client, citizen, road_category, units):
    client.force_login(citizen)
    assert client.get(reverse("feedback:submit")).status_code == 200
    response = client.post(reverse("feedback:submit"), {
        "category": road_category.pk, "title": "Cống bị tắc",
        "description": "Cống thoát nước trước nhà văn hoá bị tắc.",
        "unit": units.quang_phu.pk, "village": "Thôn Thủy Lập", "address_text": "trước nhà văn hoá thôn",
        "anonymous_public": "on", "photos": [SimpleUploadedFile("cong.jpg", jpeg_bytes(), "image/jpeg")]})
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("feedback:detail", args=[feedback.code])
    assert feedback.unit == units.quang_phu and feedback.location_source == "typed" and feedback.photos.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert feedback.code in page and "Cống thoát nước" in page


def test_form_errors_are_shown_by_the_field(client, citizen, road_category):
    client.force_login(citizen)
    page = client.post(reverse("feedback:submit"), {"category": road_category.pk, "title": "", "description": "x"})
    assert page.status_code == 200 and "invalid-feedback" in page.content.decode()


def test_staff_journey_through_the_pages(client, submit, coordinator, handler, citizen, django_assert_max_num_queries):
    feedback = submit(now=timezone.now())
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("feedback:coordinator_queue"))
    assert feedback.code in page.content.decode()
    detail = client.get(reverse("feedback:staff_detail", args=[feedback.code])).content.decode()
    assert "route-form" in detail and "Phòng Kinh tế - Hạ tầng" in detail
    client.post(reverse("feedback:staff_action", args=[feedback.code, "route"]), {
        "version": feedback.version, "unit": feedback.unit_id, "agency": feedback.agency_id, "handle_days": 15,
        "publish": "1", "public_title": "Ổ gà", "public_description": "Ổ gà trên đường liên xã"})
    feedback.refresh_from_db()
    assert feedback.status == Status.ASSIGNED and feedback.is_published
    client.force_login(handler)
    with django_assert_max_num_queries(12):
        queue = client.get(reverse("feedback:agency_queue")).content.decode()
    assert feedback.code in queue
    client.post(reverse("feedback:staff_action", args=[feedback.code, "accept"]), {"version": feedback.version})
    feedback.refresh_from_db()
    client.post(reverse("feedback:staff_action", args=[feedback.code, "answer"]),
                {"version": feedback.version, "text": "Đã vá ổ gà."})
    feedback.refresh_from_db()
    assert feedback.status == Status.ANSWERED
    client.force_login(citizen)
    client.post(reverse("feedback:citizen_action", args=[feedback.code, "rate"]),
                {"version": feedback.version, "rating": 3})
    feedback.refresh_from_db()
    assert feedback.rating == 3


def test_queues_and_staff_pages_are_scoped(client, submit, citizen, make_staff):
    from chinhquyenso.accounts.roles import Role
    from tests import factories

    feedback = submit()
    client.force_login(citizen)
    assert client.get(reverse("feedback:coordinator_queue")).status_code == 403
    assert client.get(reverse("feedback:staff_detail", args=[feedback.code])).status_code == 404
    other = make_staff(Role.RECEPTION_OFFICER, factories.QUANG_PHU)
    client.force_login(other)
    assert feedback.code not in client.get(reverse("feedback:coordinator_queue")).content.decode()
    assert client.get(reverse("feedback:staff_detail", args=[feedback.code])).status_code == 404


def test_stale_form_gives_a_clear_message_not_an_error(client, submit, coordinator):
    feedback = submit()
    client.force_login(coordinator)
    url = reverse("feedback:staff_action", args=[feedback.code, "reject"])
    client.post(url, {"version": feedback.version, "reason": "Quảng cáo"})
    response = client.post(url, {"version": feedback.version, "reason": "Quảng cáo"}, follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()


def test_statistics_and_heat_map_for_the_leader(client, submit, coordinator, handler, leader, citizen,
                                                 django_assert_max_num_queries):
    now = timezone.now()
    for i in range(3):
        fb = services.feedback_route(feedback=submit(now=now - dt.timedelta(days=i)), actor=coordinator)
        if i < 2:
            fb = services.feedback_answer(feedback=services.feedback_accept(feedback=fb, actor=handler),
                                          actor=handler, text="Đã xử lý")
            services.feedback_rate(feedback=fb, actor=citizen, rating=3 if i == 0 else 1)
    today = timezone.localdate()
    with django_assert_max_num_queries(6):
        stats = selectors.feedback_statistics(user=leader, date_from=today - dt.timedelta(days=10), date_to=today)
    totals = stats["totals"]
    assert (totals["received"], totals["answered"], totals["on_time"]) == (3, 2, 2)
    assert totals["on_time_rate"] == 100.0 and totals["satisfaction_rate"] == 50.0
    assert totals["median_days"] is not None
    assert stats["by_unit"][0]["unit__full_name"] == "Xã Quảng Thọ"
    client.force_login(leader)
    assert client.get(reverse("feedback:statistics")).status_code == 200
    cells = client.get(reverse("feedback:heat_json")).json()["cells"]
    assert sum(c["count"] for c in cells) == 3
    client.force_login(citizen)
    assert client.get(reverse("feedback:statistics")).status_code == 403


def test_demo_loads_twice_without_duplicates(locality):
    from chinhquyenso.accounts import demo as accounts_demo
    from chinhquyenso.feedback import demo

    accounts_demo.load(log=lambda line: None)
    demo.load(log=lambda line: None)
    count = Feedback.objects.count()
    demo.load(log=lambda line: None)
    assert Feedback.objects.count() == count == 5
    lighting = Feedback.objects.get(category__code="chieu-sang")
    assert lighting.agency.identifier_code == "000.20.14.H57"  # the town's explicit routing rule
    assert Feedback.objects.filter(is_published=True, answered_at__isnull=False).count() == 3
