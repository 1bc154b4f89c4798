"""The inbox and the preferences page: own notifications only, bounded queries, HTMX, accessible."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chinhquyenso.core.models import AuditEvent
from chinhquyenso.notifications.constants import Channel
from chinhquyenso.notifications.models import Notification, NotificationPreference
from chinhquyenso.notifications.selectors import INBOX_PAGE_SIZE
from chinhquyenso.notifications.services import notification_create
from tests.notifications.conftest import register

pytestmark = pytest.mark.django_db


def _notify(user, n: int, prefix: str = "Tin"):
    for i in range(n):
        notification_create(recipient=user, channel=Channel.IN_APP, subject=f"{prefix} {i}", body=f"Nội dung {i}",
                            link="/cong-dan/")


@pytest.fixture
def two_people(client):
    me, other = register(phone="0912345678"), register(phone="0987654321")
    client.force_login(me)
    return me, other


def test_the_inbox_shows_only_my_notifications_newest_first_with_bounded_queries(
        client, two_people, django_assert_max_num_queries):
    me, other = two_people
    _notify(me, 25, "Của tôi")
    _notify(other, 5, "Của người khác")

    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="notification"') == INBOX_PAGE_SIZE
    assert "Của tôi 24" in html and "Của người khác" not in html
    assert html.index("Của tôi 24") < html.index("Của tôi 23")
    assert "Xem thêm thông báo cũ hơn" in html
    assert '<span class="badge bg-warning text-dark">25' in html  # the unread badge in the navigation


def test_the_query_count_does_not_grow_with_the_number_of_notifications(
        client, two_people, django_assert_max_num_queries):
    me, _ = two_people
    _notify(me, 3)
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("notifications:inbox"))
    _notify(me, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications:inbox"))


def test_the_next_page_comes_by_keyset_and_htmx_appends_rows(client, two_people):
    me, _ = two_people
    _notify(me, 25)
    first = list(Notification.objects.filter(recipient=me).order_by("-id"))
    cursor = first[INBOX_PAGE_SIZE - 1].id
    response = client.get(reverse("notifications:inbox"), {"truoc": cursor}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert html.count('data-testid="notification"') == 5
    assert 'id="more"' in html and 'hx-swap-oob="true"' in html and "Xem thêm" not in html


def test_unread_filter_and_mark_read_with_htmx(client, two_people):
    me, _ = two_people
    _notify(me, 2)
    target = Notification.objects.filter(recipient=me).order_by("id").first()
    response = client.post(reverse("notifications:mark_read", args=[target.public_id]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="tb-{target.public_id}"' in response.content.decode()
    assert "Đã đánh dấu là đã đọc." in response.content.decode()
    target.refresh_from_db()
    assert target.read_at is not None
    unread = client.get(reverse("notifications:inbox"), {"loc": "chua-doc"}).content.decode()
    assert unread.count('data-testid="notification"') == 1


def test_i_cannot_mark_someone_elses_notification(client, two_people):
    _, other = two_people
    _notify(other, 1)
    theirs = Notification.objects.get(recipient=other)
    response = client.post(reverse("notifications:mark_read", args=[theirs.public_id]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_only_touches_my_inbox(client, two_people):
    me, other = two_people
    _notify(me, 3)
    _notify(other, 2)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 2


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_unread_badge_caps_at_99_plus(client, two_people):
    me, _ = two_people
    Notification.objects.bulk_create([Notification(recipient=me, channel=Channel.IN_APP, body="x", status="delivered")
                                      for _ in range(120)])
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert '<span class="badge bg-warning text-dark">99+' in html


def test_preferences_page_switches_channels_and_the_change_is_audited(client, two_people):
    me, _ = two_people
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Tuỳ chọn nhận thông báo" in page
    assert "Gửi tới số 091****678" in page  # masked, so a shoulder-surfer learns nothing
    assert 'id="id_in_app" checked disabled' in page  # in-app cannot be switched off
    assert 'aria-describedby="id_sms_help"' in page

    response = client.post(reverse("notifications:preferences"), {"email": "on", "zalo": "on"})  # SMS unticked
    assert response.status_code == 302
    saved = dict(NotificationPreference.objects.filter(user=me).values_list("channel", "enabled"))
    assert saved == {"email": True, "sms": False, "zalo": True}
    audit = AuditEvent.objects.filter(action="notifications.preferences_set").get()
    assert audit.after == {"sms": False} and audit.before == {"sms": True}
    assert 'name="sms" id="id_sms" aria' in client.get(reverse("notifications:preferences")).content.decode()


def test_a_person_without_a_phone_is_told_sms_cannot_reach_them(client):
    user = register(phone="")
    client.force_login(user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Chưa có số điện thoại trong tài khoản" in page
