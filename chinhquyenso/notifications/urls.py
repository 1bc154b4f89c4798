from django.urls import path

from chinhquyenso.notifications import views, webhooks

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:public_id>/da-doc/", views.mark_read, name="mark_read"),
    path("da-doc-tat-ca/", views.mark_all_read, name="mark_all_read"),
    path("tuy-chon/", views.preferences, name="preferences"),
    # Delivery reports from the carriers (signed; see webhooks.py).
    path("webhook/sms/", webhooks.sms_delivery_report, name="webhook_sms"),
    path("webhook/zalo/", webhooks.zalo_event, name="webhook_zalo"),
]
