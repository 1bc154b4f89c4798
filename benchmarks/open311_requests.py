"""Benchmark: Open311 ``GET requests`` with 500,000 reports on PostgreSQL (a script, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqs_feedback .venv/bin/python benchmarks/open311_requests.py

It loads the demo locality, generates the reports once with one ``INSERT … SELECT generate_series``
(idempotent: rows are tagged ``device_id='bench'``), then times, in the same run and on the same
random 30-day windows:

* the full request ``GET /open311/v2/requests.json?status=open&start_date=…&end_date=…`` through
  Django (URL routing, guard, query, serialisation, JSON), page of ``--page`` rows;
* the bare indexed query: the same ``WHERE … ORDER BY submitted_at DESC, id DESC LIMIT page`` as
  raw SQL on a cursor, rows fetched, nothing else.

It prints median and p95 of both and the ratio p95(request) / p95(bare). Target: at most 3×.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

TOTAL = 500_000
SPAN_DAYS = 730


def ensure_data(total: int, log) -> None:
    from chinhquyenso.feedback.models import Feedback, FeedbackCategory
    from chinhquyenso.units.models import AdministrativeUnit, Agency
    from chinhquyenso.units.services import locality_load

    if not AdministrativeUnit.objects.exists():
        locality_load(path=settings.LOCALITY_FILE)
    categories = []
    for code, name in (("giao-thong", "Hạ tầng giao thông"), ("rac-thai", "Rác thải"), ("chieu-sang", "Chiếu sáng"),
                       ("o-nhiem", "Ô nhiễm môi trường"), ("khac", "Vấn đề khác")):
        category, _ = FeedbackCategory.objects.get_or_create(code=code, defaults={"name": name})
        categories.append(category.pk)
    have = Feedback.objects.filter(device_id="bench").count()
    if have >= total:
        log(f"dữ liệu: đã có {have:,} phản ánh mẫu")
        return
    communes = list(AdministrativeUnit.objects.filter(level="commune").values_list("id", flat=True))
    agencies = list(Agency.objects.filter(unit__level="commune").values_list("id", flat=True))
    started = time.perf_counter()
    missing = total - have
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO feedback_feedback (
                code, token, category_id, title, description, text_folded, attributes, public_title,
                public_description, latitude, longitude, location_source, address_text, village, unit_id,
                routed_by_point, agency_id, contact_name, contact_phone, contact_email, anonymous_public,
                channel, device_id, account_id, status, public_status, version, is_published, published_at,
                submitted_at, received_on, handle_days, publish_days, moderation_due, supplement_due, due_date,
                paused_days, extension_days, extension_reason, routed_at, answered_at, answer_text, answer_public,
                answered_on_time, answer_working_days, closed_at, rejection_reason, rating, rating_comment,
                reopen_count, escalation_level, updated_at)
            SELECT
                'BN' || lpad(({have} + g)::text, 9, '0'), md5(random()::text || g)::uuid,
                (ARRAY{categories})[1 + g %% {len(categories)}],
                'Phản ánh mẫu ' || g, 'Nội dung phản ánh mẫu số ' || g, 'phan anh mau ' || g, '{{}}',
                'Phản ánh mẫu ' || g, 'Nội dung công khai số ' || g,
                16.52 + random() * 0.14, 107.41 + random() * 0.17, 'map', '', 'Thôn ' || (g %% 12),
                (ARRAY{communes})[1 + g %% {len(communes)}], true, (ARRAY{agencies})[1 + g %% {len(agencies)}],
                '', '', '', true, 'web', 'bench', '',
                CASE WHEN g %% 10 < 6 THEN 'answered' WHEN g %% 10 < 9 THEN 'in_progress' ELSE 'new' END,
                CASE WHEN g %% 10 < 6 THEN 'closed' ELSE 'open' END, 1, (g %% 10 < 9), t.at,
                t.at, t.at::date, 15, 2, t.at::date + 2, t.at::date + 7, t.at::date + 21,
                0, 0, '', t.at,
                CASE WHEN g %% 10 < 6 THEN t.at + interval '5 days' END,
                CASE WHEN g %% 10 < 6 THEN 'Đã xử lý' ELSE '' END, CASE WHEN g %% 10 < 6 THEN 'Đã xử lý' ELSE '' END,
                CASE WHEN g %% 10 < 6 THEN (g %% 7 <> 0) END, CASE WHEN g %% 10 < 6 THEN 4 + g %% 9 END,
                CASE WHEN g %% 10 < 6 THEN t.at + interval '5 days' END, '',
                CASE WHEN g %% 10 < 6 AND g %% 3 = 0 THEN 1 + g %% 3 END, '', 0, 0, t.at
            FROM generate_series(1, {missing}) AS g,
                 LATERAL (SELECT %s::timestamptz - ((({have} + g)::bigint * 7919 %% {total})::float / {total}
                                                   * interval '{SPAN_DAYS} days') AS at) AS t
        """, [now])
        cursor.execute("ANALYZE feedback_feedback")
    log(f"dữ liệu: đã tạo {missing:,} phản ánh trong {time.perf_counter() - started:.1f} s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


BARE_SQL = """
    SELECT * FROM feedback_feedback
    WHERE is_published AND public_status = %s AND submitted_at >= %s AND submitted_at <= %s
    ORDER BY submitted_at DESC, id DESC LIMIT %s
"""


def run(rounds: int, page: int, log) -> dict:
    client = Client()
    now = timezone.now()
    rng = random.Random(20261126)
    windows = []
    for _ in range(rounds):
        end = now - dt.timedelta(days=rng.uniform(0, SPAN_DAYS - 30))
        windows.append((end - dt.timedelta(days=30), end))
    request_ms, bare_ms, sizes = [], [], []
    with override_settings(OPEN311_MAX_RESULTS=page, OPEN311_RATE_LIMIT_PER_MINUTE=10**9):
        for start, end in windows[:10]:  # warm up caches, connections, code paths
            client.get("/open311/v2/requests.json", {"status": "open", "start_date": start.isoformat(),
                                                     "end_date": end.isoformat()})
        for start, end in windows:
            began = time.perf_counter()
            response = client.get("/open311/v2/requests.json", {"status": "open", "start_date": start.isoformat(),
                                                                "end_date": end.isoformat()})
            request_ms.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.content[:300]
            sizes.append(len(response.content))
            with connection.cursor() as cursor:
                began = time.perf_counter()
                cursor.execute(BARE_SQL, ["open", start, end, page])
                rows = cursor.fetchall()
                bare_ms.append((time.perf_counter() - began) * 1000)
            assert len(rows) == page
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + BARE_SQL, ["open", windows[0][0], windows[0][1], page])
        plan = " / ".join(r[0].strip() for r in cursor.fetchall()[:3])
    result = {
        "page": page, "rounds": rounds,
        "request_median_ms": statistics.median(request_ms), "request_p95_ms": percentile(request_ms, 0.95),
        "bare_median_ms": statistics.median(bare_ms), "bare_p95_ms": percentile(bare_ms, 0.95),
        "response_kb": statistics.median(sizes) / 1024, "plan": plan,
    }
    result["ratio_p95"] = result["request_p95_ms"] / result["bare_p95_ms"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=TOTAL)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--page", type=int, action="append", help="page size(s); default 100 and 1000")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Cần PostgreSQL: đặt DATABASE_URL=postgres://…/cqs_feedback", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    ensure_data(args.total, print)
    from chinhquyenso.feedback.models import Feedback

    print(f"bảng feedback_feedback: {Feedback.objects.count():,} dòng")
    for page in args.page or [100, 1000]:
        r = run(args.rounds, page, print)
        print(f"trang {r['page']:>4} dòng ({r['response_kb']:.0f} KB JSON), {r['rounds']} lượt: "
              f"request median {r['request_median_ms']:.2f} ms, p95 {r['request_p95_ms']:.2f} ms | "
              f"bare SQL median {r['bare_median_ms']:.2f} ms, p95 {r['bare_p95_ms']:.2f} ms | "
              f"tỉ lệ p95 = {r['ratio_p95']:.2f}×")
        print(f"  kế hoạch truy vấn: {r['plan']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
