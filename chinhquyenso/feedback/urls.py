from django.urls import path

from chinhquyenso.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.public_list, name="list"),
    path("ban-do.geojson", views.map_geojson, name="map_geojson"),
    path("ranh-gioi.geojson", views.boundaries, name="boundaries"),
    path("ranh-gioi/giay-phep/", views.boundaries_license, name="boundaries_license"),
    path("gui/", views.submit, name="submit"),
    path("trung-lap/", views.duplicates, name="duplicates"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("cua-toi/", views.mine, name="mine"),
    path("dieu-phoi/", views.coordinator_queue, name="coordinator_queue"),
    path("xu-ly/", views.agency_queue, name="agency_queue"),
    path("thong-ke/", views.statistics, name="statistics"),
    path("thong-ke/ban-do-nhiet.json", views.heat_json, name="heat_json"),
    path("anh/<int:photo_id>/<str:variant>/", views.photo, name="photo"),
    path("can-bo/<str:code>/", views.staff_detail, name="staff_detail"),
    path("can-bo/<str:code>/<str:action>/", views.staff_action, name="staff_action"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/<str:action>/", views.citizen_action, name="citizen_action"),
]
