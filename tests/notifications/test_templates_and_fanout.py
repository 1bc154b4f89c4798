"""Templates as versioned data, loaded from files; the fan-out's recipient convention and rendering."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.events import event_record
from chinhquyenso.notifications.constants import Channel, Status
from chinhquyenso.notifications.models import Notification, NotificationTemplate
from chinhquyenso.notifications.services import (
    notification_templates_load,
    notification_templates_load_all,
    notifications_create_for_event,
)
from tests.notifications.conftest import register

pytestmark = pytest.mark.django_db


def _template(**fields):
    defaults = {"event_type": "tests.happened", "channel": Channel.IN_APP, "language": "vi",
                "effective_from": timezone.now() - dt.timedelta(days=1), "subject": "S", "body": "B"}
    return NotificationTemplate.objects.create(**{**defaults, **fields})


def test_loading_the_data_files_is_idempotent_and_keeps_admin_edits():
    first = notification_templates_load_all()
    assert first["notifications"]["created"] >= 11
    edited = NotificationTemplate.objects.get(event_type="accounts.citizen_registered", channel="sms", language="vi")
    edited.body = "Nội dung do quản trị sửa"
    edited.save()

    again = notification_templates_load_all()
    assert again["notifications"] == {"created": 0, "unchanged": first["notifications"]["created"]}
    edited.refresh_from_db()
    assert edited.body == "Nội dung do quản trị sửa"


def test_every_foundation_event_has_vietnamese_and_english_in_app_templates():
    notification_templates_load_all()
    for event_type in ("accounts.citizen_registered", "accounts.role_assigned"):
        languages = set(NotificationTemplate.objects.filter(event_type=event_type, channel="in_app")
                        .values_list("language", flat=True))
        assert languages == {"vi", "en"}


def test_another_app_adds_its_templates_with_a_file_of_its_own(tmp_path):
    path = tmp_path / "notification_templates.json"
    path.write_text(json.dumps({"notification_templates": [
        {"event_type": "dossiers.received", "channel": "in_app", "language": "vi", "effective_from": "2025-07-01",
         "subject": "Hồ sơ {{ payload.code }} đã được tiếp nhận", "body": "Hẹn trả {{ payload.due }}."},
    ]}), encoding="utf-8")
    assert notification_templates_load(path=path, origin="dossiers/notification_templates.json")["created"] == 1
    template = NotificationTemplate.objects.get(event_type="dossiers.received")
    assert template.origin == "dossiers/notification_templates.json"
    assert template.effective_from == timezone.make_aware(dt.datetime(2025, 7, 1))


@pytest.mark.parametrize(("entry", "code"), [
    ({"event_type": "x.y", "channel": "fax", "body": "b"}, "template_channel"),
    ({"event_type": "x.y", "channel": "sms", "body": "{% if %}"}, "template_syntax"),
    ({"event_type": "x.y", "channel": "sms"}, "template_incomplete"),
])
def test_a_bad_template_file_is_refused_with_a_clear_code(tmp_path, entry, code):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"notification_templates": [entry]}), encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        notification_templates_load(path=path)
    assert caught.value.code == code
    assert not NotificationTemplate.objects.exists()


def test_the_version_in_force_when_the_event_happened_is_used_and_recorded():
    old = _template(body="Bản cũ", effective_from=timezone.now() - dt.timedelta(days=10))
    _template(body="Bản mới", effective_from=timezone.now() + dt.timedelta(days=1))  # not yet in force
    user = register()
    event = event_record(event_type="tests.happened", payload={"notify_user_ids": [user.pk]})
    [notification] = notifications_create_for_event(event=event)
    assert (notification.body, notification.template_id) == ("Bản cũ", old.pk)


def test_the_recipients_language_is_used_with_vietnamese_as_fallback():
    _template(body="Xin chào {{ recipient.full_name }}")
    _template(language="en", body="Hello {{ recipient.full_name }}")
    english, vietnamese = register(full_name="Anna Lê"), register(full_name="Lê Văn Tám")
    english.language = "en"
    english.save(update_fields=["language"])
    event = event_record(event_type="tests.happened", payload={"notify_user_ids": [english.pk, vietnamese.pk]})
    bodies = {n.recipient_id: n.body for n in notifications_create_for_event(event=event)}
    assert bodies == {english.pk: "Hello Anna Lê", vietnamese.pk: "Xin chào Lê Văn Tám"}


def test_recipients_come_from_notify_user_ids_then_user_id_then_a_user_aggregate():
    _template()
    a, b, c = register(), register(), register()
    by_list = event_record(event_type="tests.happened", payload={"notify_user_ids": [a.pk, str(b.pk), "x"]})
    by_user_id = event_record(event_type="tests.happened", payload={"user_id": c.pk})
    by_aggregate = event_record(event_type="tests.happened", aggregate=a)
    assert {n.recipient_id for n in notifications_create_for_event(event=by_list)} == {a.pk, b.pk}
    assert {n.recipient_id for n in notifications_create_for_event(event=by_user_id)} == {c.pk}
    assert {n.recipient_id for n in notifications_create_for_event(event=by_aggregate)} == {a.pk}


def test_events_without_templates_or_recipients_make_nothing(django_assert_max_num_queries):
    event = event_record(event_type="tests.untemplated", payload={"notify_user_ids": [1]})
    with django_assert_max_num_queries(1):  # the fan-out runs for every event: one indexed lookup
        assert notifications_create_for_event(event=event) == []
    _template()
    assert notifications_create_for_event(event=event_record(event_type="tests.happened")) == []


def test_templates_see_only_what_we_put_in_the_context():
    _template(body="[{{ recipient.password }}][{{ recipient.email }}][{{ payload.role|role_label }}]"
                   "[{{ payload.fee|vnd }}]")
    user = register()
    event = event_record(event_type="tests.happened",
                         payload={"notify_user_ids": [user.pk], "role": "specialist", "fee": 1250000})
    [notification] = notifications_create_for_event(event=event)
    assert notification.body == "[][][Chuyên viên][1.250.000 đ]"


def test_only_site_relative_links_are_kept():
    _template()
    user = register()
    good = event_record(event_type="tests.happened", payload={"notify_user_ids": [user.pk],
                                                              "notify_url": "/ho-so/123/"})
    evil = event_record(event_type="tests.happened", payload={"notify_user_ids": [user.pk],
                                                              "notify_url": "https://evil.example/"})
    assert notifications_create_for_event(event=good)[0].link == "/ho-so/123/"
    assert notifications_create_for_event(event=evil)[0].link == ""


def test_inactive_users_and_people_without_an_address_get_nothing_on_that_channel():
    _template(channel=Channel.SMS, body="b")
    _template(channel=Channel.IN_APP, body="b")
    active, no_phone, gone = register(), register(phone=""), register(phone="0987000111")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    event = event_record(event_type="tests.happened", payload={"notify_user_ids": [active.pk, no_phone.pk, gone.pk]})
    made = {(n.recipient_id, n.channel, n.status) for n in notifications_create_for_event(event=event)}
    assert made == {(active.pk, Channel.SMS, Status.QUEUED), (active.pk, Channel.IN_APP, Status.DELIVERED),
                    (no_phone.pk, Channel.IN_APP, Status.DELIVERED)}
    assert Notification.objects.count() == 3
