from django.urls import path

from chinhquyenso.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("trang-cua-toi/", views.home_for_role, name="home_for_role"),
    path("cong-dan/", views.citizen_home, name="citizen_home"),
    path("can-bo/", views.workspace, name="workspace"),
    path("lanh-dao/", views.leader_overview, name="leader_overview"),
    path("healthz", views.healthz, name="healthz"),
]
