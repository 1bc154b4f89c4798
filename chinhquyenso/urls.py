from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from chinhquyenso.api import api
from chinhquyenso.portal.views import language_set

admin.site.site_header = _("Quản trị hệ thống Chính quyền số")
admin.site.site_title = _("Quản trị Chính quyền số")
admin.site.index_title = _("Cấu hình đơn vị, người dùng, danh mục")

urlpatterns = [
    path("", include("chinhquyenso.portal.urls")),
    path("tai-khoan/", include("chinhquyenso.accounts.urls")),
    path("lich/", include("chinhquyenso.calendar.urls")),
    path("thong-bao/", include("chinhquyenso.notifications.urls")),
    path("thu-tuc/", include("chinhquyenso.catalog.urls")),
    path("bieu-mau/", include("chinhquyenso.eforms.urls")),
    path("phan-anh/", include("chinhquyenso.feedback.urls")),
    path("open311/v2/", include("chinhquyenso.feedback.open311_urls")),
    path("thanh-toan/", include("chinhquyenso.payments.urls")),
    path("buu-chinh/", include("chinhquyenso.delivery.urls")),
    path("ho-so/", include("chinhquyenso.dossiers.urls")),
    path("so-hoa/", include("chinhquyenso.digitization.urls")),
    path("kho-du-lieu/", include("chinhquyenso.digitization.urls_warehouse")),
    path("quan-tri/", admin.site.urls),
    path("i18n/setlang/", language_set, name="set_language"),
    path("api/v1/", api.urls),
]
# OpenID Connect login (VNeID, provincial SSO); the views answer 404 until OIDC_ISSUER is set.
urlpatterns.append(path("oidc/", include("chinhquyenso.accounts.urls_oidc")))

handler400 = "chinhquyenso.portal.views.error_400"
handler403 = "chinhquyenso.portal.views.error_403"
handler404 = "chinhquyenso.portal.views.error_404"
handler500 = "chinhquyenso.portal.views.error_500"
