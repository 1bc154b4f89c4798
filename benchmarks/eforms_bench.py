"""E-forms: server-side validation cost, and the specialised table at scale.

    DJANGO_SETTINGS_MODULE=chinhquyenso.settings .venv/bin/python benchmarks/eforms_bench.py [rows]

Uses a throw-away test database (SQLite in memory unless DATABASE_URL points elsewhere). Loads the
demo locality and the birth-registration e-form, then
1. validates a full, valid birth form (the schema check + Vietnamese formats + CCCD cross-checks);
2. files ``rows`` submissions (default 100 000) spread over the 11 communes, and times one page of
   the specialised table (keyset, unit-scoped) for a commune officer and a district officer, the
   next page, and a column filter — each as a ratio to a bare indexed page of the same procedure.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from chinhquyenso.accounts.roles import Role  # noqa: E402
from chinhquyenso.accounts.services import role_assign, staff_create  # noqa: E402
from chinhquyenso.catalog.services import procedure_create  # noqa: E402
from chinhquyenso.eforms import demo  # noqa: E402
from chinhquyenso.eforms.models import FormSubmission  # noqa: E402
from chinhquyenso.eforms.selectors import TableFilters, current_version_for, submission_table  # noqa: E402
from chinhquyenso.eforms.validation import form_data_errors  # noqa: E402
from chinhquyenso.units.models import AdministrativeUnit  # noqa: E402
from chinhquyenso.units.services import locality_load  # noqa: E402

BIRTH = {
    "ho_ten": "Nguyễn Thị Lan", "ngay_sinh": "12/05/1986", "gioi_tinh": "female", "cccd": "046186000123",
    "dien_thoai": "0912345678", "noi_cu_tru": "19894", "quan_he_voi_tre": "me", "ho_ten_tre": "Trần Minh An",
    "ngay_sinh_tre": "02/03/2025", "gioi_tinh_tre": "male", "dan_toc_tre": "Kinh", "quoc_tich_tre": "Việt Nam",
    "noi_sinh": "Trung tâm Y tế huyện Quảng Điền", "noi_sinh_don_vi": "19867", "sinh_cung_lan": True,
    "cac_tre_sinh_cung": [{"ho_ten": "Trần Minh Anh", "gioi_tinh": "female", "thu_tu_sinh": 2}],
    "co_thong_tin_me": "co", "ho_ten_me": "Nguyễn Thị Lan", "ngay_sinh_me": "12/05/1986", "cccd_me": "046186000123",
    "dan_toc_me": "Kinh", "quoc_tich_me": "Việt Nam", "noi_cu_tru_me": "19894", "co_thong_tin_cha": "chua",
    "hinh_thuc_nhan": "truc_tiep", "cam_doan": True,
}
NAMES = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Minh", "Nam", "Thu", "Vy", "Yến"]


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def officer(username: str, code: str):
    user = staff_create(username=username, password=None, full_name=username)
    role_assign(user=user, role=Role.SPECIALIST, unit=AdministrativeUnit.objects.get(code=code))
    return type(user).objects.get(pk=user.pk)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        locality_load(path=settings.LOCALITY_FILE)
        procedure = procedure_create(actor=None, record={
            "code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": {"code": "ho-tich", "name": "Hộ tịch"},
            "unit": "477", "levels": ["commune"], "online_level": "partial", "channels": ["online"],
            "required_documents": [], "result_documents": [], "legal_basis": [], "confirmed": True,
            "terms": [{"effective_from": "2025-07-01", "processing_days": 0, "fee_rules": []}]})
        demo.form_load(procedure=procedure, spec=demo.read_form_file(demo.DATA_DIR / "1.001193.json")[1])
        version = current_version_for(procedure)
        assert form_data_errors(version.schema, version.ui_schema, BIRTH) == []
        med, p95 = timed(lambda: form_data_errors(version.schema, version.ui_schema, BIRTH), 300)
        print(f"validate a full birth form: median {med:.2f} ms, p95 {p95:.2f} ms")

        communes = list(AdministrativeUnit.objects.filter(level="commune"))
        rng = random.Random(7)
        now = timezone.now()
        batch = []
        for i in range(rows):
            data = dict(BIRTH, ho_ten_tre=f"Trần {rng.choice(NAMES)} {rng.choice(NAMES)}")
            batch.append(FormSubmission(form_version=version, procedure=procedure, data=data, unit=rng.choice(communes),
                                        created_at=now - dt.timedelta(minutes=i)))
            if len(batch) == 5000:
                FormSubmission.objects.bulk_create(batch)
                batch = []
        FormSubmission.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE eforms_formsubmission")
        print(f"{rows} submissions on {connection.vendor}")

        definition = version.definition
        commune, district = officer("xa", "19894"), officer("huyen", "477")

        def bare():
            list(FormSubmission.objects.filter(procedure=procedure).order_by("-created_at", "-id")[:50])

        base, base95 = timed(bare, 50)
        print(f"bare indexed page (50 rows): median {base:.2f} ms, p95 {base95:.2f} ms")
        cursor = submission_table(user=commune, definition=definition).next_cursor
        cases = {
            "commune officer, first page": lambda: submission_table(user=commune, definition=definition),
            "district officer, first page": lambda: submission_table(user=district, definition=definition),
            "commune officer, next page": lambda: submission_table(user=commune, definition=definition, cursor=cursor),
            "commune officer, name contains": lambda: submission_table(
                user=commune, definition=definition, filters=TableFilters(column="ho_ten_tre", value="minh yến")),
        }
        for label, fn in cases.items():
            med, p95 = timed(fn, 30)
            print(f"{label}: median {med:.2f} ms, p95 {p95:.2f} ms ({med / base:.1f}× the bare page)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
