"""Admin: templates editable (and audited), notifications read-only; e-mail through Django's mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from chinhquyenso.accounts.models import User
from chinhquyenso.core.models import AuditEvent
from chinhquyenso.notifications.constants import Channel, Status
from chinhquyenso.notifications.models import Notification, NotificationTemplate
from chinhquyenso.notifications.services import notification_create, notification_send
from tests.notifications.conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser(username="quantri", password="mat-khau-dai-123", email="qt@example.vn")
    client.force_login(admin)
    return client


def _form(**change):
    data = {"event_type": "tests.happened", "channel": "sms", "language": "vi", "category": "", "subject": "",
            "body": "Xin chào {{ recipient.full_name }}", "provider_template_id": "", "provider_params": "{}",
            "effective_from_0": "01/01/2026", "effective_from_1": "00:00:00", "active": "on"}
    return {**data, **change}


def test_an_administrator_edits_a_template_and_the_change_is_audited(admin_client):
    response = admin_client.post(reverse("admin:notifications_notificationtemplate_add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    template = NotificationTemplate.objects.get()
    assert AuditEvent.objects.filter(action="admin.notifications.notificationtemplate.add",
                                     object_id=str(template.pk)).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"body": "{% if %}"}, "body"),
    ({"channel": "zalo"}, "provider_template_id"),
    ({"provider_params": '{"a": "{{ x|nosuchfilter }}"}', "channel": "zalo", "provider_template_id": "1"},
     "provider_params"),
])
def test_the_template_form_refuses_what_would_break_at_send_time(admin_client, change, field):
    response = admin_client.post(reverse("admin:notifications_notificationtemplate_add"), _form(**change))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not NotificationTemplate.objects.exists()


def test_notifications_are_listed_read_only_with_masked_addresses(admin_client):
    user = register(phone="0912345678")
    notification_create(recipient=user, channel=Channel.SMS, body="Mã hồ sơ 000.00.14.H57-260302-0001")
    page = admin_client.get(reverse("admin:notifications_notification_changelist"), {"status": "queued"})
    html = page.content.decode()
    assert page.status_code == 200 and "091****678" in html and "0912345678" not in html
    assert admin_client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_email_goes_through_djangos_mail_backend_with_our_message_id():
    user = register(email="an.nguyen@example.vn")
    with_email = notification_create(recipient=user, channel=Channel.EMAIL, subject="Thông báo", body="Nội dung")
    assert notification_send(notification_id=with_email.pk) == "sent"
    [message] = mail.outbox
    assert message.to == ["an.nguyen@example.vn"] and message.subject == "Thông báo"
    with_email.refresh_from_db()
    assert with_email.status == Status.SENT
    assert with_email.provider_message_id == message.extra_headers["Message-ID"]


def test_the_demo_and_the_command_load_templates(capsys):
    from chinhquyenso.notifications.demo import load

    lines = []
    load(log=lines.append)
    assert "Mẫu thông báo:" in lines[0]
    call_command("notifications_load_templates")
    assert "0 mới" in capsys.readouterr().out


def test_the_sweep_command_enqueues_due_rows(sims):
    user = register()
    notification = notification_create(recipient=user, channel=Channel.SMS, body="Kiem tra")
    call_command("notifications_sweep")  # the on-commit enqueue never ran in this test transaction
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert Notification.objects.filter(status=Status.QUEUED).count() == 0


def test_anonymous_pages_do_not_count_notifications(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get(reverse("notifications:inbox"))
