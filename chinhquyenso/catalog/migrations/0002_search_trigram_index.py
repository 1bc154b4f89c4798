"""Trigram search index on PostgreSQL (pg_trgm + GIN on the search key).

``search_name LIKE '%khai sinh%'`` is answered from the GIN trigram index instead of a scan.
Creating the extension needs the right privileges; when it is refused (a managed database
without pg_trgm) the migration goes on without the index and search still works, only slower.
On SQLite nothing is created: a ranked LIKE over the folded column measured faster than an FTS5
trigram table at catalogue sizes (docs/catalog.md).
"""

import logging

from django.db import migrations

log = logging.getLogger(__name__)

INDEX = "catalog_proc_search_trgm_idx"


def create_trigram_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT catalog_trgm")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("RELEASE SAVEPOINT catalog_trgm")
            except Exception as exc:  # noqa: BLE001 - insufficient privilege, extension not shipped
                cursor.execute("ROLLBACK TO SAVEPOINT catalog_trgm")
                log.warning("pg_trgm unavailable (%s); catalogue search runs without a trigram index", exc)
                return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_procedure USING gin (search_name gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
