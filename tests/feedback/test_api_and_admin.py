"""The internal JSON API and the admin pages of the feedback app."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import Open311ApiKey

pytestmark = pytest.mark.django_db


def test_duplicates_api_suggests_published_reports(client, submit, coordinator):
    first = services.feedback_route(feedback=submit(now=timezone.now()), actor=coordinator, publish=True)
    data = client.get("/api/v1/feedback/duplicates", {"category": "giao-thong", "text": "ổ gà",
                                                      "latitude": 16.5387, "longitude": 107.5251}).json()
    assert [d["code"] for d in data] == [first.code] and data[0]["title"] == first.public_title
    assert client.get("/api/v1/feedback/duplicates", {"category": "nope"}).json()["code"] == "category_not_found"


def test_admin_creates_a_key_shows_it_once_and_stores_its_hash(client, locality, road_category):
    from chinhquyenso.accounts.models import User

    admin = User.objects.create_superuser("quantri-fb", "qt@example.com", "mat-khau-dai-123")
    client.force_login(admin)
    response = client.post("/quan-tri/feedback/open311apikey/add/", {"name": "Ứng dụng Huế-S", "is_active": "on",
                                                                     "contact_email": ""}, follow=True)
    assert response.status_code == 200
    key = Open311ApiKey.objects.get()
    shown = next(str(m) for m in response.context["messages"] if "cqs_" in str(m))
    full = shown[shown.index("cqs_"):].split()[0]
    assert services.open311_key_check(full) == key and full not in key.key_hash
    assert client.get("/quan-tri/feedback/feedbackcategory/").status_code == 200
    assert client.get(f"/quan-tri/feedback/feedbackcategory/{road_category.pk}/change/").status_code == 200
    assert client.get("/quan-tri/feedback/feedback/").status_code == 200
