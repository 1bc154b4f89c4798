from django.urls import path

from chinhquyenso.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.search, name="search"),
    path("mau/<uuid:file_id>/", views.template_download, name="template_download"),
    # Administrators' pages come before <code>/ so "quan-tri" is never read as a procedure code.
    path("quan-tri/", views.staff_list, name="staff_list"),
    path("quan-tri/them/", views.staff_create, name="staff_create"),
    path("quan-tri/nhap/", views.staff_import, name="staff_import"),
    path("quan-tri/xuat.<str:fmt>", views.staff_export, name="staff_export"),
    path("quan-tri/bao-cao/chua-co-bieu-mau/", views.staff_report_missing_eforms, name="staff_report_missing_eforms"),
    path("quan-tri/<str:code>/", views.staff_edit, name="staff_edit"),
    path("quan-tri/<str:code>/ho-so/", views.staff_documents, name="staff_documents"),
    path("quan-tri/<str:code>/ho-so/<int:document_id>/mau/", views.staff_template_upload,
         name="staff_template_upload"),
    path("quan-tri/<str:code>/thoi-han-phi/", views.staff_terms, name="staff_terms"),
    path("quan-tri/<str:code>/bai-bo/", views.staff_retire, name="staff_retire"),
    path("quan-tri/<str:code>/ap-dung-lai/", views.staff_reactivate, name="staff_reactivate"),
    path("<str:code>/", views.detail, name="detail"),
]
