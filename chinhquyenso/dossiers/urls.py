from django.urls import path

from chinhquyenso.dossiers import views_documents

app_name = "dossiers"
urlpatterns = [
    path("<int:dossier_id>/phieu/<str:kind>.pdf", views_documents.slip, name="slip"),
    path("so-theo-doi/<str:unit_code>.xlsx", views_documents.register_xlsx, name="register_xlsx"),
]
