"""Reusable migration operations."""

from __future__ import annotations

import logging

from django.db import migrations

log = logging.getLogger(__name__)


def trigram_index(*, table: str, column: str, index: str, what: str) -> migrations.RunPython:
    """A GIN trigram index (pg_trgm) so ``column LIKE '%words%'`` on folded text uses an index.

    PostgreSQL only. Creating the extension needs privileges; when it is refused (a managed database
    without pg_trgm) the migration goes on without the index and search still works, only slower.
    On SQLite nothing is created. ``what`` names the search in the warning.
    """

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            if cursor.fetchone() is None:
                try:
                    cursor.execute("SAVEPOINT cqs_trgm")
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    cursor.execute("RELEASE SAVEPOINT cqs_trgm")
                except Exception as exc:  # insufficient privilege, extension not shipped
                    cursor.execute("ROLLBACK TO SAVEPOINT cqs_trgm")
                    log.warning("pg_trgm unavailable (%s); %s runs without a trigram index", exc, what)
                    return
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column} gin_trgm_ops)")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")

    return migrations.RunPython(forwards, backwards)
