from django.urls import path

from chinhquyenso.dossiers import views_citizen, views_documents, views_leader, views_officer
from chinhquyenso.dossiers.views_officer import QUEUE_SLUGS

app_name = "dossiers"
urlpatterns = [
    # Citizens: "Hồ sơ của tôi", online submission (one question per page), the public lookup.
    path("", views_citizen.mine, name="mine"),
    path("tra-cuu/", views_citizen.lookup, name="lookup"),
    path("nop/<int:procedure_id>/", views_citizen.start, name="start"),
    path("nop/<int:procedure_id>/noi-nop/", views_citizen.submit_unit, name="submit_unit"),
    path("nop/<int:procedure_id>/giay-to/", views_citizen.submit_documents, name="submit_documents"),
    path("nop/<int:procedure_id>/nhan-ket-qua/", views_citizen.submit_delivery, name="submit_delivery"),
    path("nop/<int:procedure_id>/kiem-tra/", views_citizen.submit_review, name="submit_review"),
    # One dossier: the applicant's page or the officer's working page, by who asks.
    path("<int:dossier_id>/", views_officer.detail, name="detail"),
    path("<int:dossier_id>/da-nop/", views_citizen.submitted, name="submitted"),
    path("<int:dossier_id>/bo-sung/", views_citizen.supplement, name="supplement"),
    path("<int:dossier_id>/rut/", views_citizen.withdraw, name="withdraw"),
    path("<int:dossier_id>/danh-gia/", views_citizen.rate, name="rate"),
    path("<int:dossier_id>/ket-qua/", views_citizen.result_download, name="result"),
    path("<int:dossier_id>/giay-to/<int:document_id>/", views_citizen.document_view, name="document"),
    path("<int:dossier_id>/thao-tac/<str:action>/", views_officer.act, name="act"),
    path("<int:dossier_id>/phieu/<str:kind>.pdf", views_documents.slip, name="slip"),
    # Officers: work queues and the desk.
    path("can-bo/", views_officer.queue, name="queue"),
    path("can-bo/dem/<str:queue>/", views_officer.queue_tabs, name="queue_tabs"),
    *[path(f"can-bo/{slug}/", views_officer.queue, {"queue": queue}, name=f"queue_{queue}")
      for queue, slug in QUEUE_SLUGS.items()],
    path("tiep-nhan-truc-tiep/", views_officer.desk_start, name="desk_start"),
    path("tiep-nhan-truc-tiep/<int:procedure_id>/", views_officer.desk_register, name="desk_register"),
    # Leaders and auditors.
    path("so-theo-doi/", views_leader.register, name="register"),
    path("so-theo-doi/<str:unit_code>.xlsx", views_documents.register_xlsx, name="register_xlsx"),
    path("thong-ke/", views_leader.stats, name="stats"),
]
