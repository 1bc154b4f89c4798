"""Leaders' and auditors' pages (register, statistics) and the dossier subscribers the pages rely on
(fee invoice for every channel, postal return on approval)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chinhquyenso.accounts.roles import Role
from chinhquyenso.dossiers import services
from tests import factories

pytestmark = pytest.mark.django_db


def submit(procedure, documents, unit="477", **kw):
    return services.dossier_submit(procedure=procedure, unit=factories.unit(unit),
                                   applicant=factories.make_citizen(), form_data={}, documents=documents(), **kw)


def test_the_register_lists_the_units_dossiers_with_the_export_link(client, procedure, documents, officers,
                                                                    django_assert_max_num_queries):
    made = [submit(procedure, documents) for _ in range(3)]
    services.dossier_receive(dossier=made[0], actor=officers["reception"])
    client.force_login(officers["leader"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("dossiers:register"))
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["unit"].code == "46" or response.context["unit"].code == "477"
    assert all(d.code in body for d in made)
    assert reverse("dossiers:register_xlsx", kwargs={"unit_code": response.context["unit"].code}) in body


def test_the_register_is_paginated(client, procedure, documents, officers, monkeypatch):
    from chinhquyenso.dossiers import views_leader

    monkeypatch.setattr(views_leader, "REGISTER_PAGE_SIZE", 2)
    for _ in range(3):
        submit(procedure, documents)
    client.force_login(officers["leader"])
    first = client.get(reverse("dossiers:register"), {"don_vi": "477"})
    assert len(first.context["page"].object_list) == 2 and first.context["page"].has_next()
    second = client.get(reverse("dossiers:register"), {"don_vi": "477", "trang": 2})
    assert len(second.context["page"].object_list) == 1


def test_an_auditor_reads_the_register_but_a_specialist_may_not(client, locality, officers):
    auditor = factories.make_staff(Role.AUDITOR, "477")
    client.force_login(auditor)
    assert client.get(reverse("dossiers:register")).status_code == 200
    client.force_login(officers["specialist"])
    assert client.get(reverse("dossiers:register")).status_code == 403
    assert client.get(reverse("dossiers:stats")).status_code == 403


def test_a_commune_leader_cannot_open_another_units_register(client, procedure, documents, locality):
    leader = factories.make_staff(Role.UNIT_LEADER, "19894", agency_code="000.29.14.H57")
    district_dossier = submit(procedure, documents)
    client.force_login(leader)
    response = client.get(reverse("dossiers:register"), {"don_vi": "477"})
    assert response.status_code == 200 and response.context["unit"].code == "19894"
    assert district_dossier.code not in response.content.decode()


def test_a_bad_period_falls_back_to_the_quarter_with_a_warning(client, officers):
    client.force_login(officers["leader"])
    response = client.get(reverse("dossiers:register"), {"tu": "31/02/2026"})
    assert response.status_code == 200 and response.context["warning"]


def test_statistics_show_on_time_rate_online_share_and_an_svg_chart(client, procedure, documents, officers):
    d = submit(procedure, documents)
    d = services.dossier_receive(dossier=d, actor=officers["reception"])
    d = services.dossier_forward(dossier=d, actor=officers["specialist"])
    d = services.dossier_forward(dossier=d, actor=officers["head"])
    services.dossier_approve(dossier=d, actor=officers["leader"])
    submit(procedure, documents)
    client.force_login(officers["leader"])
    response = client.get(reverse("dossiers:stats"), {"don_vi": "477"})
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["stats"]["total"] == 2
    assert response.context["stats"]["on_time_rate"] == 100.0 and response.context["stats"]["online_share"] == 100.0
    assert "<svg" in body and 'data-testid="chart-status"' in body and "Đã có kết quả, chờ trả" in body


def test_every_channel_gets_its_fee_invoice_through_the_subscriber(procedure, documents):
    from chinhquyenso.core.models import DomainEvent
    from chinhquyenso.dossiers.subscribers import on_submitted
    from chinhquyenso.payments.models import Invoice

    dossier = submit(procedure, documents)
    event = DomainEvent.objects.get(event_type="dossier.submitted", aggregate_id=str(dossier.pk))
    on_submitted(event)
    on_submitted(event)  # delivered twice: still one invoice
    invoice = Invoice.objects.get(subject_type="dossiers.dossier", subject_id=str(dossier.pk))
    assert invoice.amount == 50_000 and invoice.agency == dossier.receiving_agency


def test_approval_registers_the_postal_return_when_the_citizen_chose_post(procedure, documents, officers):
    from chinhquyenso.core.models import DomainEvent
    from chinhquyenso.delivery import demo as postage_demo
    from chinhquyenso.delivery.models import Shipment
    from chinhquyenso.dossiers.subscribers import on_approved

    postage_demo.load(log=lambda line: None)
    d = submit(procedure, documents, result_delivery="post", delivery_address="Thôn Phú Lễ",
               applicant_phone="0912345678")
    d = services.dossier_receive(dossier=d, actor=officers["reception"])
    d = services.dossier_forward(dossier=d, actor=officers["specialist"])
    d = services.dossier_forward(dossier=d, actor=officers["head"])
    d = services.dossier_approve(dossier=d, actor=officers["leader"])
    event = DomainEvent.objects.get(event_type="dossier.approve", aggregate_id=str(d.pk))
    on_approved(event)
    on_approved(event)
    shipment = Shipment.objects.get(subject_type="dossiers.dossier", subject_id=str(d.pk))
    assert shipment.direction == "return" and shipment.address_line == "Thôn Phú Lễ"
    assert shipment.contact_phone == "0912345678" and shipment.postage > 0 and shipment.invoice_id


def test_the_postmans_delivery_receipt_closes_the_dossier_as_returned(procedure, documents, officers):
    """Approval registers the return parcel; the operator's "delivered" update reaches the dossier
    through the outbox and the dossier counts as returned (issue 5: the result is returned when delivered)."""
    import datetime as dt

    from django.utils import timezone

    from chinhquyenso.core.events import outbox_deliver_due
    from chinhquyenso.delivery import demo as postage_demo
    from chinhquyenso.delivery.models import Shipment
    from chinhquyenso.delivery.services import shipment_track_update
    from chinhquyenso.dossiers.models import Dossier

    postage_demo.load(log=lambda line: None)
    d = submit(procedure, documents, result_delivery="post", delivery_address="Thôn Phú Lễ",
               applicant_phone="0912345678")
    d = services.dossier_receive(dossier=d, actor=officers["reception"])
    d = services.dossier_forward(dossier=d, actor=officers["specialist"])
    d = services.dossier_forward(dossier=d, actor=officers["head"])
    services.dossier_mark_fee_paid(dossier_id=d.pk, amount=d.fee_total, method="cash")
    d = services.dossier_approve(dossier=Dossier.objects.get(pk=d.pk), actor=officers["leader"])
    while outbox_deliver_due(limit=500):
        pass
    shipment = Shipment.objects.get(subject_type="dossiers.dossier", subject_id=str(d.pk))
    Shipment.objects.filter(pk=shipment.pk).update(tracking_code="EE123456789VN", status="in_transit")
    when = timezone.now() + dt.timedelta(hours=2)
    shipment_track_update(tracking_code="EE123456789VN", status="delivered", event_id="ev-1", occurred_at=when)
    while outbox_deliver_due(limit=500):
        pass
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == "returned" and d.returned_at is not None
    assert d.timeline.filter(action="deliver_by_post").exists()
