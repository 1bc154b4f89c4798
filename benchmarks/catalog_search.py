"""Catalogue search at national scale (6,000 procedures): median and p95 per query, as a ratio to a
plain indexed lookup by code measured in the same run. Target: p95 of each search ≤ 2× that lookup.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqs_catalog_bench \\
        .venv/bin/python benchmarks/catalog_search.py [--procedures 6000] [--repeat 300]

Use a database of its own: the script migrates it, loads the demo locality and catalogue, and tops
the catalogue up with generated procedures (realistic Vietnamese names built from the vocabulary of
real titles). A script, not a timed test: numbers depend on the machine; the ratio is what matters.
Each timing is the whole selector call from Python (ORM + round trip + rows), as a page would see it,
for the in-process index (public search) and for the SQL path (trigram index; scoped staff lists).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")

ACTIONS = ["Đăng ký", "Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Thu hồi", "Xác nhận", "Công nhận",
           "Thẩm định", "Phê duyệt", "Chứng thực", "Thay đổi", "Chấm dứt", "Tạm ngừng", "Giải quyết", "Hỗ trợ",
           "Miễn", "Giảm", "Bổ sung", "Sửa đổi", "Hủy bỏ", "Thông báo", "Cho phép", "Chuyển đổi"]
OBJECTS = ["giấy phép kinh doanh", "giấy chứng nhận quyền sử dụng đất", "hộ kinh doanh", "hợp tác xã",
           "giấy phép xây dựng", "giấy phép lái xe", "chứng chỉ hành nghề", "giấy phép khai thác khoáng sản",
           "giấy phép môi trường", "giấy phép hoạt động", "quyết định giao đất", "hồ sơ trợ cấp xã hội",
           "chế độ người có công", "học bổng chính sách", "giấy xác nhận", "giấy phép biểu diễn",
           "giấy chứng nhận đủ điều kiện an toàn thực phẩm", "giấy phép lao động", "hộ nghèo, hộ cận nghèo",
           "giấy phép quảng cáo", "giấy chứng nhận đăng ký doanh nghiệp", "giấy phép thành lập trường",
           "mã số thuế", "giấy phép sử dụng tần số vô tuyến điện", "văn bằng bảo hộ", "giấy chứng nhận kiểm dịch",
           "giấy phép nhập khẩu", "giấy chứng nhận xuất xứ", "giấy phép hoạt động in", "chứng nhận lưu hành",
           "giấy phép khai thác nước mặt", "giấy phép xả thải", "hồ sơ mai táng phí", "bảo hiểm y tế",
           "giấy phép hoạt động karaoke", "giấy phép tổ chức lễ hội", "giấy phép thăm dò", "tàu cá",
           "giấy chứng nhận an toàn kỹ thuật", "giấy phép vận tải"]
QUALIFIERS = ["", "", "", "cho hộ gia đình, cá nhân", "có yếu tố nước ngoài", "đối với công trình cấp III, cấp IV",
              "tại cấp xã", "tại cấp huyện", "thuộc thẩm quyền của Ủy ban nhân dân cấp tỉnh",
              "đối với doanh nghiệp nhỏ và vừa", "trong trường hợp bị mất, hư hỏng", "theo hình thức trực tuyến",
              "đối với tổ chức tôn giáo", "cho người nước ngoài", "khi thay đổi nội dung đăng ký",
              "trong lĩnh vực nông nghiệp", "trong lĩnh vực y tế", "đối với cơ sở giáo dục", "lần đầu"]
FIELDS = ["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Môi trường", "Tài nguyên nước", "Khoáng sản",
          "Giao thông vận tải", "Y tế", "Giáo dục", "Lao động", "Bảo trợ xã hội", "Người có công", "Văn hóa",
          "Thể thao", "Du lịch", "Thông tin và truyền thông", "Công thương", "Nông nghiệp", "Thủy sản",
          "Lâm nghiệp", "Thuế", "Hải quan", "Đầu tư", "Doanh nghiệp", "Hợp tác xã", "Tư pháp", "Nội vụ",
          "Tôn giáo", "Thi đua khen thưởng", "Quốc phòng", "An ninh trật tự", "Ngân hàng", "Bảo hiểm",
          "Khoa học công nghệ", "Sở hữu trí tuệ", "Quy hoạch", "Nhà ở", "Kinh doanh bất động sản", "Thống kê"]

QUERIES = [
    ("khai sinh", {"q": "khai sinh"}),
    ("dang ky khai sinh", {"q": "dang ky khai sinh"}),
    ("giấy phép xây dựng", {"q": "giấy phép xây dựng"}),
    ("chung thuc ban sao", {"q": "chung thuc ban sao"}),
    ("ho kinh doanh", {"q": "ho kinh doanh"}),
    ("dat dai (common word)", {"q": "dat"}),
    ("cap giay phep (many hits)", {"q": "cap giay phep"}),
    ("code 1.001193", {"q": "1.001193"}),
    ("code prefix 1.00", {"q": "1.00"}),
    ("browse, no query", {}),
    ("field + level filter", {"field": "ho-tich", "level": "commune"}),
    ("online + q", {"online_level": "online", "q": "giay chung nhan"}),
    ("agency + q", {"agency": "000.29.14.H57", "q": "dang ky"}),
    ("page 5 of 'dang ky'", {"q": "dang ky", "page": 5}),
]


def percentile(values, p):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        return
    admin = psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"],
                            password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with admin, admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def generate(target: int, seed: int = 42) -> int:
    import datetime as dt

    from django.utils.text import slugify

    from chinhquyenso.catalog.models import Field, Procedure, ProcedureTerms
    from chinhquyenso.core.text import fold
    from chinhquyenso.units.models import AdministrativeUnit

    have = Procedure.objects.count()
    if have >= target:
        return 0
    rng = random.Random(seed)
    unit = AdministrativeUnit.objects.get(code="477")
    fields = []
    for name in FIELDS:
        code = slugify(fold(name))
        field = Field.objects.filter(code=code).first() or Field.objects.create(code=code, name=name)
        fields.append(field)
    names = set(Procedure.objects.values_list("name", flat=True))
    codes = set(Procedure.objects.values_list("code", flat=True))
    rows = []
    while have + len(rows) < target:
        name = " ".join(part for part in (rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(QUALIFIERS),
                                          rng.choice(QUALIFIERS)) if part)
        if name in names:
            name = f"{name} (trường hợp {len(rows)})"
        names.add(name)
        code = f"{rng.randint(1, 3)}.{rng.randint(0, 999999):06d}"
        while code in codes:
            code = f"{rng.randint(1, 3)}.{rng.randint(0, 999999):06d}"
        codes.add(code)
        online = rng.choice(["full", "partial", "partial", "none", "none"])
        p = Procedure(code=code, name=name, field=rng.choice(fields), unit=unit,
                      level_province=rng.random() < 0.3, level_district=rng.random() < 0.4,
                      level_commune=rng.random() < 0.5, online_level=online, channel_online=online != "none",
                      confirmed=True, source_note="Dữ liệu sinh tự động cho đo hiệu năng.")
        p.refresh_search_columns()
        rows.append(p)
    Procedure.objects.bulk_create(rows, batch_size=1000)
    created = Procedure.objects.filter(code__in=[r.code for r in rows])
    ProcedureTerms.objects.bulk_create(
        [ProcedureTerms(procedure=p, effective_from=dt.date(2025, 7, 1), processing_days=rng.randint(0, 30))
         for p in created], batch_size=1000)
    return len(rows)


def sqlite_fts_compare(repeat: int) -> None:
    """SQLite: the ranked LIKE over the folded column against an FTS5 trigram table (raw SQL, the
    same word-prefix matching), to choose the SQL fallback's strategy."""
    from django.db import connection

    from chinhquyenso.catalog.text import query_terms

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_fts")
        cur.execute("CREATE VIRTUAL TABLE bench_fts USING fts5(search_name, tokenize='trigram')")
        cur.execute("INSERT INTO bench_fts(rowid, search_name) SELECT id, search_name FROM catalog_procedure")
    print(f"\n{'SQLite query':32} {'LIKE median':>12} {'LIKE p95':>9} {'FTS5 median':>12} {'FTS5 p95':>9}")
    for name, kwargs in QUERIES:
        terms = query_terms(kwargs.get("q"))
        if not terms or "." in (kwargs.get("q") or ""):
            continue
        like_where = " AND ".join("search_name LIKE %s" for _ in terms)
        like_params = [f"% {t}%" for t in terms]
        # trigram FTS needs ≥3 characters per term; shorter terms fall back to LIKE inside the query
        fts_terms = [t for t in terms if len(t) >= 3]
        fts_match = " AND ".join(f'"{" " + t}"' for t in fts_terms)
        rank = ("CASE WHEN search_name = %s THEN 0 WHEN search_name LIKE %s THEN 1 WHEN search_name LIKE %s "
                "THEN 2 ELSE 3 END, length(search_name), name_folded")
        phrase = " " + " ".join(terms) + " "
        rank_params = [phrase, phrase + "%", "%" + phrase + "%"]
        like_sql = (f"SELECT id, count(*) OVER () FROM catalog_procedure WHERE status='active' AND {like_where} "
                    f"ORDER BY {rank} LIMIT 20")
        p_where = like_where.replace("search_name", "p.search_name")
        p_rank = rank.replace("search_name", "p.search_name").replace("name_folded", "p.name_folded")
        fts_sql = (f"SELECT p.id, count(*) OVER () FROM catalog_procedure p JOIN bench_fts f ON f.rowid = p.id "
                   f"WHERE bench_fts MATCH %s AND p.status='active' AND {p_where} ORDER BY {p_rank} LIMIT 20")

        def run(sql, params):
            with connection.cursor() as cur:
                cur.execute(sql, params)
                cur.fetchall()

        like = measure(lambda sql=like_sql, p=like_params + rank_params: run(sql, p), repeat)
        if fts_match:
            fts = measure(lambda sql=fts_sql, p=[fts_match, *like_params, *rank_params]: run(sql, p), repeat)
            fts_cols = f"{statistics.median(fts):>12.3f} {percentile(fts, 95):>9.3f}"
        else:
            fts_cols = f"{'n/a':>12} {'n/a':>9}"
        print(f"{name:32} {statistics.median(like):>12.3f} {percentile(like, 95):>9.3f} {fts_cols}")
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_fts")
    print()


def measure(fn, repeat: int) -> list[float]:
    for _ in range(min(20, repeat)):
        fn()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres", "sqlite")):
        sys.exit("Set DATABASE_URL to a database of its own, e.g. "
                 "postgres://postgres@127.0.0.1:5432/cqs_catalog_bench (or sqlite:////tmp/bench.sqlite3)")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from chinhquyenso.catalog.demo import load as catalog_load
    from chinhquyenso.catalog.models import Procedure
    from chinhquyenso.catalog.selectors import procedure_search
    from chinhquyenso.units.demo import load as units_load

    call_command("migrate", verbosity=0)
    units_load(log=lambda _m: None)
    catalog_load(log=lambda _m: None)
    added = generate(args.procedures)
    total = Procedure.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE catalog_procedure; ANALYZE catalog_procedureterms;")
            cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'catalog_procedure'")
            indexes = sorted(r[0] for r in cur.fetchall())
        print(f"PostgreSQL {connection.pg_version // 10000}, {total} procedures ({added} generated now); "
              f"trigram index: {'yes' if 'catalog_proc_search_trgm_idx' in indexes else 'NO'}; repeat {args.repeat}")
    else:
        print(f"SQLite, {total} procedures ({added} generated now); repeat {args.repeat}")
        sqlite_fts_compare(args.repeat)

    codes = list(Procedure.objects.values_list("code", flat=True))
    rng = random.Random(7)
    baseline = measure(lambda: Procedure.objects.get(code=rng.choice(codes)), args.repeat)
    base_median, base_p95 = statistics.median(baseline), percentile(baseline, 95)
    print(f"\n{'query':32} {'hits':>6} {'median ms':>10} {'p95 ms':>8} {'p95 ratio':>10} {'median ratio':>13}")
    print(f"{'lookup by code (baseline)':32} {1:>6} {base_median:>10.3f} {base_p95:>8.3f} {1:>10.2f} {1:>13.2f}")
    from django.test import override_settings

    worst: dict[str, float] = {}
    for path in ("index", "sql"):
        for with_terms in (False, True):
            label = "page only" if not with_terms else "page + terms in force"
            print(f"-- {path}: search selector, {label}")
            with override_settings(CATALOG_SEARCH_INDEX=path == "index"):
                procedure_search(q="warm up")  # the index is built once per process and catalogue version
                for name, kwargs in QUERIES:
                    hits = procedure_search(**kwargs, with_terms=with_terms).total
                    timings = measure(lambda kwargs=kwargs, wt=with_terms: procedure_search(**kwargs, with_terms=wt),
                                      args.repeat)
                    median, p95 = statistics.median(timings), percentile(timings, 95)
                    ratio = p95 / base_p95
                    key = f"{path}, {label}"
                    worst[key] = max(worst.get(key, 0.0), ratio)
                    print(f"{name:32} {hits:>6} {median:>10.3f} {p95:>8.3f} {ratio:>10.2f} "
                          f"{median / base_median:>13.2f}")
    print()
    for key, ratio in worst.items():
        print(f"worst p95 ratio ({key}): {ratio:.2f} (target ≤ 2.00)")
    from chinhquyenso.catalog import search_index

    start = time.perf_counter()
    search_index.build("benchmark")
    print(f"index build (once per process and catalogue change): {(time.perf_counter() - start) * 1000:.1f} ms")

if __name__ == "__main__":
    main()
