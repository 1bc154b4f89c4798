"""Trigram search index on PostgreSQL (pg_trgm + GIN on the search key).

``search_name LIKE '%khai sinh%'`` is answered from the GIN trigram index instead of a scan. On
SQLite nothing is created: a ranked LIKE over the folded column measured faster than an FTS5
trigram table at catalogue sizes (docs/catalog.md).
"""

from django.db import migrations

from chinhquyenso.core.migration_ops import trigram_index


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [trigram_index(table="catalog_procedure", column="search_name",
                                index="catalog_proc_search_trgm_idx", what="catalogue search")]
