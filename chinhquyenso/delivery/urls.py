from django.urls import path

from chinhquyenso.delivery import views

app_name = "delivery"
urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("cua-toi/", views.mine, name="mine"),
    path("can-bo/", views.officer_list, name="officer_list"),
    path("van-don/<int:shipment_id>/", views.shipment_detail, name="shipment"),
    path("van-don/<int:shipment_id>/gui/", views.shipment_dispatch, name="dispatch"),
    path("van-don/<int:shipment_id>/huy/", views.shipment_cancel, name="cancel"),
]
