"""Catalogue metrics for the dashboards, and the demo catalogue itself."""

from __future__ import annotations

import pytest

from chinhquyenso.catalog.models import Procedure
from chinhquyenso.catalog.selectors import (
    eform_coverage,
    online_procedures_without_eform,
    procedure_counts_by_online_level,
)
from chinhquyenso.catalog.services import procedure_retire
from chinhquyenso.units.models import Agency

pytestmark = pytest.mark.django_db


def test_counts_by_online_level_cover_every_level(locality, make_procedure):
    assert procedure_counts_by_online_level() == {"full": 0, "partial": 0, "none": 0}
    make_procedure(online_level="full")
    make_procedure(online_level="none", channels=["desk"])
    retired = make_procedure(online_level="none", channels=["desk"])
    procedure_retire(actor=None, procedure=retired, reason="bãi bỏ")
    assert procedure_counts_by_online_level() == {"full": 1, "partial": 0, "none": 1}


def test_eform_coverage_share(locality, make_procedure, published_forms):
    assert eform_coverage().share is None  # no online procedure: nothing to cover
    a, b, _offline = make_procedure(), make_procedure(), make_procedure(online_level="none", channels=["desk"])
    published_forms.add(a.pk)
    coverage = eform_coverage()
    assert (coverage.online_total, coverage.with_eform, coverage.without_eform) == (2, 1, 1)
    assert coverage.share == 0.5
    assert [p.pk for p in online_procedures_without_eform()] == [b.pk]
    published_forms.add(b.pk)
    assert eform_coverage().share == 1.0 and online_procedures_without_eform() == []


def test_metrics_queries_are_bounded(shared_catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        procedure_counts_by_online_level()
    with django_assert_max_num_queries(2):
        eform_coverage()


def test_without_the_eform_engine_every_procedure_lacks_an_eform(shared_catalog, monkeypatch):
    from django.apps import apps

    from chinhquyenso.catalog import eforms_bridge

    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: False if name == "chinhquyenso.eforms" else real(name))
    assert eforms_bridge.procedures_with_published_form_ids() == set()
    assert eforms_bridge.current_form_version(shared_catalog.first()) is None
    assert eform_coverage().with_eform == 0


def test_demo_catalogue_has_the_researched_procedures(shared_catalog):
    assert shared_catalog.count() == 37
    assert shared_catalog.filter(confirmed=False).count() == 6
    assert shared_catalog.filter(code_is_national=False).count() == 6
    for p in shared_catalog.filter(confirmed=False):
        assert "CHƯA XÁC MINH" in p.source_note
    assert all(p.sources for p in shared_catalog)
    assert all(p.terms.exists() and p.required_documents.exists() for p in shared_catalog)


def test_demo_maps_commune_procedures_to_commune_committees_and_district_ones_to_departments(shared_catalog):
    commune_ubnd = set(Agency.objects.filter(unit__level="commune", kind="peoples_committee")
                       .values_list("identifier_code", flat=True))
    birth = Procedure.objects.get(code="1.001193")
    assert set(birth.agencies.values_list("identifier_code", flat=True)) == commune_ubnd
    assert len(commune_ubnd) == 11
    household_business = Procedure.objects.get(code="1.001612")
    assert list(household_business.agencies.values_list("abbreviation", flat=True)) == ["TCKH"]
    permit = Procedure.objects.get(code="1.013225")
    assert list(permit.agencies.values_list("abbreviation", flat=True)) == ["KTHT"]
    foreign_birth = Procedure.objects.get(code="2.000528")
    assert list(foreign_birth.agencies.values_list("abbreviation", flat=True)) == ["TP"]


def test_demo_fees_set_by_resolution_have_no_invented_amount(shared_catalog):
    from chinhquyenso.catalog.fees import fee_quote

    quote = fee_quote(Procedure.objects.get(code="1.001612"))
    assert not quote.complete and quote.total_vnd == 0
    assert fee_quote(Procedure.objects.get(code="2.000884")).total_vnd == 10000


def test_demo_loads_again_without_changes(shared_catalog):
    from chinhquyenso.catalog.demo import load

    messages = []
    load(log=messages.append)
    assert messages == ["Danh mục thủ tục: 37 thủ tục (0 mới, 0 cập nhật)."]
