"""Benchmark of the one-stop system with 1,000,000 dossiers on PostgreSQL (a script, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqs_bench_dossiers .venv/bin/python benchmarks/dossiers.py

Generates the dossiers once (``INSERT … SELECT generate_series``, tagged with ``applicant_email =
'bench@bench'``; idempotent), then measures, each figure as a ratio to a baseline in the same run:

(a) online submission through HTTP (multipart, two PDF attachments, ``POST /api/v1/dossiers/``)
    against a minimal Django view that parses the same request and inserts the same rows without
    validation, permissions, code sequence or calendar (target: throughput ≥ 0.6× the baseline);
(b) a commune officer's work queue (permission-scoped to one commune, 50 rows by due date), as the
    API and as the rendered HTML page, against the bare SQL of that page (target: median ≤ 3× the
    bare SQL, p95 ≤ 1.5× its own median);
(c) the tracking-register export (XLSX) of one commune for one quarter, against the bare SQL that
    reads the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chinhquyenso.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
TAG = "bench@bench"
COMMUNE = "19894"  # Quảng Thọ


def log(message: str) -> None:
    print(message, flush=True)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


# --- Data -------------------------------------------------------------------------------------------


def ensure_base():
    from chinhquyenso.accounts.models import User
    from chinhquyenso.catalog.models import Field, Procedure, ProcedureTerms, RequiredDocument
    from chinhquyenso.units.models import AdministrativeUnit
    from chinhquyenso.units.services import locality_load

    if not AdministrativeUnit.objects.exists():
        locality_load(path=settings.LOCALITY_FILE)
    field, _ = Field.objects.get_or_create(code="bench", defaults={"name": "Lĩnh vực thử tải"})
    district = AdministrativeUnit.objects.get(code="477")
    procedure, created = Procedure.objects.get_or_create(
        code="BENCH.0001", defaults=dict(name="Thủ tục thử tải", field=field, unit=district, level_commune=True,
                                         online_level="full", channel_online=True, status="active"))
    if created:
        ProcedureTerms.objects.create(procedure=procedure, effective_from=dt.date(2020, 1, 1), processing_days=5)
        RequiredDocument.objects.create(procedure=procedure, order=1, name="Tờ khai", requirement="required")
        RequiredDocument.objects.create(procedure=procedure, order=2, name="Giấy tờ kèm theo", requirement="required")
    citizen = User.objects.filter(username="bench-citizen").first()
    if citizen is None:
        from chinhquyenso.accounts.services import citizen_register

        citizen = citizen_register(username="bench-citizen", password=None, full_name="Người Thử Tải",
                                   cccd="046090999999", date_of_birth=dt.date(1990, 1, 1), gender="male")
    officer = User.objects.filter(username="bench-officer").first()
    if officer is None:
        from chinhquyenso.accounts.services import role_assign, staff_create

        officer = staff_create(username="bench-officer", password=None, full_name="Chuyên viên thử tải")
        role_assign(user=officer, role="specialist", unit=AdministrativeUnit.objects.get(code=COMMUNE))
    return procedure, citizen, officer


def ensure_dossiers(total: int, procedure) -> None:
    from chinhquyenso.dossiers import process
    from chinhquyenso.dossiers.models import Dossier
    from chinhquyenso.dossiers.services import code_rule_in_force
    from chinhquyenso.units.models import AdministrativeUnit, Agency

    have = Dossier.objects.filter(applicant_email=TAG).count()
    if have >= total:
        log(f"  {have:,} dossiers already generated")
        return
    communes = list(AdministrativeUnit.objects.filter(level="commune").order_by("code"))
    agencies = {a.unit_id: a.pk for a in Agency.objects.filter(unit__in=communes, kind="peoples_committee")}
    unit_ids = [u.pk for u in communes]
    agency_ids = [agencies[u] for u in unit_ids]
    template = process.default_template("commune")
    rule = code_rule_in_force(timezone.localdate())
    t0 = time.perf_counter()
    # Two years of history: ~97 % finished, the rest open; one in ten late; statuses as a real office.
    sql = """
    INSERT INTO dossiers_dossier (
        code, lookup_secret, channel, procedure_id, form_data, code_rule_id, process_template_id, unit_id,
        receiving_agency_id, applicant_name, applicant_id_number, applicant_phone, applicant_email,
        applicant_address, status, version, paused_from, current_step, "current_role", current_agency_id,
        submitted_at, received_at, processing_days, due_date, original_due_date, paused_working_days,
        supplement_count, apology_count, finished_at, returned_at, is_late, fee_total, fee_status,
        result_delivery, delivery_address, result_number, is_digitized, reuses_digitized_data,
        synced_to_portal, created_at, updated_at, step_due_date)
    SELECT
        'BENCH-' || lpad(g::text, 8, '0'), 'ABC123',
        (ARRAY['online','desk','post'])[1 + (g %% 3)], %(procedure)s, '{}'::jsonb, %(rule)s, %(template)s,
        (%(units)s::bigint[])[1 + ((g / 33) %% %(n_units)s)], (%(agencies)s::bigint[])[1 + ((g / 33) %% %(n_units)s)],
        'Công dân ' || g, '', '', %(tag)s, '',
        CASE WHEN g %% 33 = 0 THEN 'in_progress' WHEN g %% 97 = 0 THEN 'submitted' ELSE 'returned' END,
        1, '',
        CASE WHEN g %% 33 = 0 THEN 2 ELSE NULL END,
        CASE WHEN g %% 33 = 0 THEN 'specialist' ELSE '' END,
        CASE WHEN g %% 33 = 0 THEN (%(agencies)s::bigint[])[1 + ((g / 33) %% %(n_units)s)] ELSE NULL END,
        now() - ((g %% 730) || ' days')::interval, now() - ((g %% 730) || ' days')::interval, 5,
        (now() - ((g %% 730) || ' days')::interval + interval '7 days')::date,
        (now() - ((g %% 730) || ' days')::interval + interval '7 days')::date, 0,
        (g %% 11 = 0)::int, 0,
        CASE WHEN g %% 33 = 0 OR g %% 97 = 0 THEN NULL
             ELSE now() - ((g %% 730) || ' days')::interval + interval '5 days' END,
        CASE WHEN g %% 33 = 0 OR g %% 97 = 0 THEN NULL
             ELSE now() - ((g %% 730) || ' days')::interval + interval '6 days' END,
        g %% 10 = 0, 0, 'not_required', 'desk', '', '', false, false, false, now(), now(),
        CASE WHEN g %% 33 = 0 THEN (now() - ((g %% 730) || ' days')::interval + interval '5 days')::date END
    FROM generate_series(%(start)s, %(end)s) AS g
    """
    with connection.cursor() as cursor:
        for chunk_start in range(have + 1, total + 1, 100_000):
            chunk_end = min(total, chunk_start + 99_999)
            cursor.execute(sql, {"procedure": procedure.pk, "rule": rule.pk, "template": template.pk,
                                 "units": unit_ids, "agencies": agency_ids, "n_units": len(unit_ids), "tag": TAG,
                                 "start": chunk_start, "end": chunk_end})
            log(f"  … {chunk_end:,}")
        cursor.execute("ANALYZE dossiers_dossier")
    log(f"  generated {total - have:,} dossiers in {time.perf_counter() - t0:.0f} s")


# --- (a) submission throughput ----------------------------------------------------------------------


def baseline_submit(request):
    """The floor: parse the same multipart request and insert the same rows, nothing else."""
    import hashlib
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from chinhquyenso.catalog.models import Procedure
    from chinhquyenso.core.models import AuditChainHead, AuditEvent, DomainEvent, StoredFile
    from chinhquyenso.dossiers import process
    from chinhquyenso.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep
    from chinhquyenso.dossiers.services import code_rule_in_force
    from chinhquyenso.units.models import AdministrativeUnit, Agency

    with transaction.atomic():
        procedure = Procedure.objects.get(code=request.POST["procedure_code"])
        unit = AdministrativeUnit.objects.get(code=request.POST["unit_code"])
        agency = Agency.objects.filter(unit=unit).first()
        stored = []
        for upload in request.FILES.getlist("files"):
            data = upload.read()
            key = default_storage.save(f"bench/{uuid.uuid4().hex}.pdf", ContentFile(data))
            stored.append(StoredFile.objects.create(purpose="document", original_name=upload.name, storage_key=key,
                                                    sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                                    mime_type="application/pdf"))
        dossier = Dossier.objects.create(
            code=f"BASE-{uuid.uuid4().hex[:20]}", channel="online", procedure=procedure,
            code_rule=code_rule_in_force(timezone.localdate()), process_template=process.default_template(unit.level),
            unit=unit, receiving_agency=agency, applicant=request.user, applicant_name="x", applicant_email=TAG,
            processing_days=5)
        DossierDocument.objects.bulk_create([DossierDocument(dossier=dossier, name="x", file=f) for f in stored])
        DossierStep.objects.create(dossier=dossier, order=1, name="x", kind="reception", role="reception_officer")
        DossierEvent.objects.create(dossier=dossier, action="submit", status="submitted")
        head = AuditChainHead.objects.select_for_update().get(id=1)
        AuditEvent.objects.create(seq=head.seq + 1, action="x", prev_hash=head.hash, hash=uuid.uuid4().hex * 2)
        AuditChainHead.objects.filter(id=1).update(seq=head.seq + 1, hash=AuditEvent.objects.get(seq=head.seq + 1).hash)
        DomainEvent.objects.create(event_type="bench.submitted", aggregate_type="dossiers.dossier",
                                   aggregate_id=str(dossier.pk))
    return JsonResponse({"id": dossier.pk}, status=201)


urlpatterns = [path("bench/submit", baseline_submit), path("", include("chinhquyenso.urls"))]


def submission_throughput(procedure, citizen, n: int, rounds: int = 5) -> tuple[float, float]:
    from chinhquyenso.catalog.models import RequiredDocument

    ids = ",".join(str(pk) for pk in RequiredDocument.objects.filter(procedure=procedure).values_list("pk", flat=True))
    client = Client()
    client.force_login(citizen)

    def payload(i):
        return {"procedure_code": procedure.code, "unit_code": COMMUNE, "form_data": "{}", "document_ids": ids,
                "files": [SimpleUploadedFile(f"a{i}.pdf", PDF + str(i).encode(), content_type="application/pdf"),
                          SimpleUploadedFile(f"b{i}.pdf", PDF + str(-i).encode(), content_type="application/pdf")]}

    def run(url, expect):
        t0 = time.perf_counter()
        for i in range(n):
            response = client.post(url, payload(i))
            assert response.status_code == expect, response.content[:300]
        return n / (time.perf_counter() - t0)

    with override_settings(ROOT_URLCONF=__name__):
        run("/bench/submit", 201)  # warm-up
        run("/api/v1/dossiers/", 201)
        # Interleaved rounds, so drift (autovacuum, checkpoints, a neighbour's load) hits both alike.
        base_rounds, our_rounds = [], []
        for _ in range(rounds):
            base_rounds.append(run("/bench/submit", 201))
            our_rounds.append(run("/api/v1/dossiers/", 201))
    return statistics.median(our_rounds), statistics.median(base_rounds)


# --- (b) work queue -------------------------------------------------------------------------------


def _captured_sql(client, url) -> list[str]:
    """Every SQL statement the page issues, as the database saw it (parameters interpolated)."""
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _bare(statements: list[str]):
    """The floor for a page: its own SQL, run straight on a cursor with every row fetched."""

    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    return run


def work_queue(officer, repeat: int, html_url: str | None) -> dict:
    """Median and p95 of the page, and of the bare SQL that page issues (measured in the same loop,
    interleaved, so machine noise hits both alike)."""
    client = Client()
    client.force_login(officer)
    pages = {"api": "/api/v1/dossiers/queues/agency"}
    if html_url:
        pages["html"] = html_url
    results = {}
    for name, url in pages.items():
        statements = _captured_sql(client, url)
        bare = _bare(statements)

        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, (response.status_code, response.content[:300])

        for _ in range(20):  # warm-up
            page()
            bare()
        page_samples, bare_samples = [], []
        for _ in range(repeat):
            page_samples += timed(page, 1)
            bare_samples += timed(bare, 1)
        results[name] = {"page": page_samples, "bare": bare_samples, "queries": len(statements)}
    return results


# --- (c) register export --------------------------------------------------------------------------


def register_export(repeat: int) -> dict:
    from chinhquyenso.dossiers.exports import register_xlsx
    from chinhquyenso.dossiers.selectors import register_rows
    from chinhquyenso.units.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.get(code=COMMUNE)
    end = timezone.localdate() - dt.timedelta(days=30)
    start = end - dt.timedelta(days=91)
    qs = register_rows(unit=unit, start=start, end=end)
    sql, params = qs.values_list("code", "procedure__name", "applicant_name", "applicant_address", "channel",
                                 "submitted_at", "received_at", "due_date", "finished_at", "returned_at", "status",
                                 "is_late", "supplement_count", "apology_count").query.sql_with_params()
    count = qs.count()

    def bare():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert len(cursor.fetchall()) == count

    def export():
        register_xlsx(unit=unit, start=start, end=end)

    timed(bare, 2)
    timed(export, 1)
    return {"rows": count, "bare": timed(bare, repeat), "export": timed(export, repeat)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--html-url", default=os.environ.get("BENCH_QUEUE_HTML_URL", ""))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this benchmark on PostgreSQL (DATABASE_URL=postgres://…).")
    call_command("migrate", interactive=False, verbosity=0)
    procedure, citizen, officer = ensure_base()
    log(f"Data: {args.total:,} dossiers")
    ensure_dossiers(args.total, procedure)

    ours, base = submission_throughput(procedure, citizen, args.submissions)
    log(f"(a) submission: {ours:.1f}/s through the API vs {base:.1f}/s minimal view → ratio {ours / base:.2f} "
        f"(target ≥ 0.6)")

    html_url = args.html_url
    if not html_url:
        from django.urls import NoReverseMatch, reverse

        try:
            html_url = reverse("dossiers:queue_agency")
        except NoReverseMatch:
            html_url = None
    q = work_queue(officer, args.repeat, html_url)
    for name, r in q.items():
        med, p95 = statistics.median(r["page"]), percentile(r["page"], 0.95)
        bare_med = statistics.median(r["bare"])
        log(f"(b) work queue {name} ({r['queries']} queries): median {med:.2f} ms, p95 {p95:.2f} ms; its bare SQL "
            f"median {bare_med:.2f} ms → median ratio {med / bare_med:.2f} (target ≤ 3), p95/median "
            f"{p95 / med:.2f} (target ≤ 1.5)")
    if not html_url:
        log("(b) HTML queue page not found at --html-url; measured the API only")

    r = register_export(max(5, args.repeat // 20))
    e_med, b_med = statistics.median(r["export"]), statistics.median(r["bare"])
    log(f"(c) register export, {r['rows']:,} rows (one commune, one quarter): XLSX median {e_med:.1f} ms, bare SQL "
        f"median {b_med:.1f} ms → ratio {e_med / b_med:.1f}")


if __name__ == "__main__":
    main()
