from django.urls import path, re_path

from chinhquyenso.eforms import views

app_name = "eforms"
urlpatterns = [
    # Citizens
    path("<int:procedure_id>/", views.fill, name="fill"),
    path("<int:procedure_id>/kiem-tra/", views.review, name="review"),
    path("<int:procedure_id>/xoa-nhap/", views.draft_discard, name="draft_discard"),
    # Administrators: the builder
    path("quan-tri/", views.builder_index, name="builder_index"),
    path("quan-tri/<int:procedure_id>/", views.builder, name="builder"),
    path("quan-tri/<int:procedure_id>/thao-tac/", views.builder_op, name="builder_op"),
    path("quan-tri/<int:procedure_id>/xem-truoc/", views.builder_preview, name="builder_preview"),
    path("quan-tri/<int:procedure_id>/json/", views.builder_json, name="builder_json"),
    path("quan-tri/<int:procedure_id>/xuat-ban/", views.builder_publish, name="builder_publish"),
    path("quan-tri/<int:procedure_id>/phien-ban/", views.builder_versions, name="builder_versions"),
    # Officers: the specialised data
    path("du-lieu/", views.data_index, name="data_index"),
    path("du-lieu/<int:procedure_id>/", views.data_table, name="data_table"),
    re_path(r"^du-lieu/(?P<procedure_id>[0-9]+)/xuat\.(?P<fmt>xlsx|csv)$", views.data_export, name="data_export"),
]
