"""Demo calendar: the district one-stop desk's office hours and a real 2026 announcement.

The ``holidays`` package (0.109) does not know the New Year 2026 swap announced on 25/12/2025,
so the demo applies it the way an administrator would: two nationwide overrides with their basis.
Idempotent: rows that already exist are left alone.
"""

from __future__ import annotations

import datetime as dt

from chinhquyenso.calendar import services
from chinhquyenso.calendar.models import CalendarOverride, OverrideKind
from chinhquyenso.units.models import AdministrativeUnit

DISTRICT_CODE = "477"  # Quảng Điền (units/data/quangdien.json)

# Văn phòng Chính phủ, Công văn 12729/VPCP-KGVX (25/12/2025): civil servants rest Thu 01/01 to Sun
# 04/01/2026, swapping the working Friday 02/01 with Saturday 10/01. Sources (press reports of the
# dispatch, not the dispatch itself) are listed in docs/calendar.md.
NEW_YEAR_2026_BASIS = "Công văn số 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
ANNOUNCEMENTS = (
    (dt.date(2026, 1, 2), OverrideKind.DAY_OFF, "Nghỉ Tết Dương lịch (hoán đổi với thứ Bảy 10/01/2026)"),
    (dt.date(2026, 1, 10), OverrideKind.WORKING_DAY, "Làm việc bù cho thứ Sáu 02/01/2026"),
)


def load(*, log) -> None:
    created = 0
    for day, kind, name in ANNOUNCEMENTS:
        if not CalendarOverride.objects.filter(date=day, unit__isnull=True).exists():
            services.calendar_override_create(actor=None, date=day, kind=kind, name=name,
                                              legal_basis=NEW_YEAR_2026_BASIS)
            created += 1
    district = AdministrativeUnit.objects.filter(code=DISTRICT_CODE).first()
    if district is not None:
        services.unit_service_hours_set(
            actor=None, unit=district,
            morning_start=dt.time(7, 30), morning_end=dt.time(11, 30),
            afternoon_start=dt.time(13, 30), afternoon_end=dt.time(17, 0),
            saturday_morning_service=True, applies_to_subtree=False,
            note="Bộ phận Một cửa huyện tiếp nhận, trả kết quả cả sáng thứ Bảy (ví dụ minh hoạ).",
        )
    log(f"Lịch làm việc: {created} ngày điều chỉnh mới; giờ làm việc Bộ phận Một cửa huyện "
        f"{'đã cấu hình' if district else 'bỏ qua (chưa có đơn vị)'}.")
