"""Dossier codes stay gap-free and unique when many citizens submit at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from chinhquyenso.dossiers import services
from chinhquyenso.dossiers.models import Dossier
from tests import factories

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _only_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL")


def test_parallel_submissions_get_consecutive_codes_without_gaps(procedure, documents):
    citizens = [factories.make_citizen() for _ in range(12)]
    docs = [documents() for _ in citizens]
    barrier = threading.Barrier(len(citizens))
    errors: list[BaseException] = []

    def submit(citizen, my_docs):
        try:
            barrier.wait(timeout=10)
            services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen,
                                    form_data={}, documents=my_docs)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(c, d)) for c, d in zip(citizens, docs, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    sequences = sorted(int(code.rsplit("-", 1)[1]) for code in Dossier.objects.values_list("code", flat=True))
    assert sequences == list(range(1, len(citizens) + 1))


def test_a_rolled_back_submission_gives_its_number_back(procedure, citizen, documents):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                documents=documents())
        raise RuntimeError("payment provider exploded")
    d = services.dossier_submit(procedure=procedure, unit=factories.unit("477"), applicant=citizen, form_data={},
                                documents=documents())
    assert d.code.endswith("-0001")
