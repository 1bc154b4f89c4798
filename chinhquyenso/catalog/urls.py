from django.urls import path

from chinhquyenso.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.search, name="search"),
]
