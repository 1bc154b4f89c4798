from django.urls import path

from chinhquyenso.calendar import views

app_name = "calendar"
urlpatterns = [
    path("<int:year>/", views.year_view, name="year"),
]
