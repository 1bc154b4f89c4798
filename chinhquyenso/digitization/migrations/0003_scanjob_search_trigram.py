"""Trigram index on the folded title + recognised text of scan jobs (PostgreSQL, pg_trgm + GIN).

``search_text LIKE '%giay khai sinh%'`` is answered from the index instead of reading every
recognised page.
"""

from django.db import migrations

from chinhquyenso.core.migration_ops import trigram_index


class Migration(migrations.Migration):
    dependencies = [("digitization", "0002_scan_jobs")]

    operations = [trigram_index(table="digitization_scanjob", column="search_text",
                                index="digitization_scanjob_search_trgm_idx", what="scan search")]
