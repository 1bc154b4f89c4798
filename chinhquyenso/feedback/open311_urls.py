"""Open311 GeoReport v2 at /open311/v2/ (format chosen by the .xml / .json suffix)."""

from django.urls import re_path

from chinhquyenso.feedback import open311

app_name = "open311"
FMT = r"\.(?P<fmt>xml|json)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.services_list, name="services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + FMT, open311.service_definition, name="service_definition"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + FMT, open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, open311.token, name="token"),
]
