"""Demo data: a receiving account for every one-stop desk, and one open charge for the demo citizen.

Account numbers are fictitious (VietinBank's BIN so bank apps render the QR); replace them in the
admin ("Tài khoản nhận chuyển khoản") with the treasury/bank accounts of the real agencies.
"""

from __future__ import annotations

from django.db import transaction

from chinhquyenso.accounts.models import User
from chinhquyenso.core.text import fold
from chinhquyenso.payments.models import BankAccount
from chinhquyenso.payments.services import invoice_create
from chinhquyenso.units.models import Agency, AgencyKind

VIETINBANK_BIN = "970415"


def _account_name(agency: Agency) -> str:
    return fold(agency.name).upper()[:150]


@transaction.atomic
def load(*, log) -> None:
    created = 0
    for agency in Agency.objects.filter(kind=AgencyKind.ONE_STOP).select_related("unit"):
        if BankAccount.objects.filter(agency=agency).exists():
            continue
        BankAccount.objects.create(agency=agency, bank_bin=VIETINBANK_BIN, bank_name="VietinBank chi nhánh Huế",
                                   account_number=f"1140{agency.unit.code}{agency.pk:04d}"[:19],
                                   account_name=_account_name(agency))
        created += 1
    citizen = User.objects.filter(username="congdan").first()
    desk = Agency.objects.filter(identifier_code="000.09.14.H57").select_related("unit").first()
    if citizen is not None and desk is not None:
        invoice_create(
            subject_type="demo.sample", subject_id="mau-1", kind="charge", amount=50_000, unit=desk.unit, agency=desk,
            payer=citizen, subject_label="Hồ sơ mẫu (bản trình diễn)",
            description="Lệ phí đăng ký kinh doanh hộ kinh doanh",
            lines=[{"code": "le_phi", "label": "Lệ phí cấp Giấy chứng nhận đăng ký hộ kinh doanh", "quantity": 1,
                    "amount_vnd": 50_000}],
            idempotency_key="demo:payments:invoice:1",
        )
    log(f"Thanh toán: {created} tài khoản nhận chuyển khoản mới; 1 khoản thu mẫu.")
