from django.urls import path

from chinhquyenso.payments import views

app_name = "payments"
urlpatterns = [
    path("cua-toi/", views.mine, name="mine"),
    path("hoa-don/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("hoa-don/<int:invoice_id>/trang-thai/", views.invoice_status, name="invoice_status"),
    path("hoa-don/<int:invoice_id>/vnpay/", views.invoice_pay_vnpay, name="pay_vnpay"),
    path("hoa-don/<int:invoice_id>/vietqr/", views.invoice_vietqr, name="vietqr"),
    path("hoa-don/<int:invoice_id>/vietqr.png", views.invoice_vietqr_png, name="vietqr_png"),
    path("hoa-don/<int:invoice_id>/bien-lai.pdf", views.receipt_download, name="receipt_pdf"),
    path("hoa-don/<int:invoice_id>/thu-tai-quay/", views.desk_payment, name="desk_payment"),
    path("hoa-don/<int:invoice_id>/hoan-tien/", views.refund, name="refund"),
    path("hoa-don/<int:invoice_id>/huy/", views.cancel, name="cancel"),
    path("tra-cuu-bien-lai/<str:token>/", views.receipt_lookup, name="receipt_lookup"),
    path("vnpay/tra-ve/", views.vnpay_return, name="vnpay_return"),
    path("vnpay/ipn/", views.vnpay_ipn, name="vnpay_ipn"),
    path("can-bo/chua-thu/", views.unpaid, name="unpaid"),
    path("can-bo/sao-ke/", views.statements, name="statements"),
    path("can-bo/sao-ke/<int:statement_id>/", views.statement_detail, name="statement"),
    path("can-bo/sao-ke/dong/<int:line_id>/", views.statement_line_resolve, name="line_resolve"),
    path("can-bo/doi-soat/", views.reconciliation, name="reconciliation"),
]
