"""Demo postage table (a sample tariff: enter the provincial post office's real table in the admin)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from chinhquyenso.delivery.models import PostageRate, PostageTable, Zone

SAMPLE = {
    Zone.LOCAL: [(500, 22_000), (1_000, 26_000), (2_000, 32_000)],
    Zone.PROVINCE: [(500, 25_000), (1_000, 30_000), (2_000, 38_000)],
    Zone.NATIONAL: [(500, 32_000), (1_000, 40_000), (2_000, 52_000)],
}
EXTRA_PER_500G = {Zone.LOCAL: 3_000, Zone.PROVINCE: 4_000, Zone.NATIONAL: 6_000}


@transaction.atomic
def load(*, log) -> None:
    if PostageTable.objects.exists():
        return
    table = PostageTable.objects.create(
        name="Bảng cước mẫu dịch vụ bưu chính công ích (thu gom, trả kết quả TTHC)", valid_from=dt.date(2025, 1, 1),
        legal_basis="Bảng cước mẫu cho bản trình diễn — thay bằng bảng cước của Bưu điện tỉnh",
        extra_per_500g={str(k): v for k, v in EXTRA_PER_500G.items()},
    )
    PostageRate.objects.bulk_create([PostageRate(table=table, zone=zone, up_to_g=g, amount=a)
                                     for zone, bands in SAMPLE.items() for g, a in bands])
    log("Bưu chính: bảng cước mẫu.")
