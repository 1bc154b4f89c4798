"""Trigram index on the folded title + recognised text of scan jobs (PostgreSQL, pg_trgm + GIN).

``search_text LIKE '%giay khai sinh%'`` is answered from the index instead of reading every
recognised page. Without the extension (a managed database that refuses it) search still works,
only slower; on SQLite nothing is created (see catalog 0002 for the same choice).
"""

import logging

from django.db import migrations

log = logging.getLogger(__name__)

INDEX = "digitization_scanjob_search_trgm_idx"


def create_trigram_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT digitization_trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT digitization_trgm")
            except Exception as exc:  # noqa: BLE001 - insufficient privilege, extension not shipped
                cursor.execute("ROLLBACK TO SAVEPOINT digitization_trgm")
                log.warning("pg_trgm unavailable (%s); scan search runs without a trigram index", exc)
                return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON digitization_scanjob USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("digitization", "0002_scan_jobs")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
