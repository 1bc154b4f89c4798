"""``/kho-du-lieu/``: the citizen's data warehouse ("Kho dữ liệu của tôi")."""

from django.urls import path

from chinhquyenso.digitization import views

app_name = "warehouse"
urlpatterns = [
    path("", views.warehouse_list, name="list"),
    path("<int:document_id>/tai-ve/", views.warehouse_download, name="download"),
    path("<int:document_id>/xoa/", views.warehouse_delete, name="delete"),
]
