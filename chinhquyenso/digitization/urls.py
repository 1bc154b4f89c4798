"""``/so-hoa/``: digitisation for officers (reception, clerks, specialists) of their units."""

from django.urls import path

from chinhquyenso.digitization import views

app_name = "digitization"
urlpatterns = [
    path("", views.scan_list, name="list"),
    path("<int:job_id>/", views.scan_detail, name="detail"),
    path("<int:job_id>/trang-thai/", views.scan_status, name="status"),
    path("<int:job_id>/chay-lai/", views.scan_retry, name="retry"),
    path("<int:job_id>/tai-ve/", views.scan_download, name="download"),
    path("<int:job_id>/van-ban.txt", views.scan_text, name="text"),
    path("<int:job_id>/ban-goc/<int:order>/", views.scan_original, name="original"),
]
