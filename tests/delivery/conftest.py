from __future__ import annotations

import pytest

from chinhquyenso.delivery import demo
from tests import factories


@pytest.fixture(autouse=True)
def postal_settings(settings):
    settings.POSTAL_WEBHOOK_SECRET = "test-postal-secret"
    settings.POSTAL_API_KEY = "test-postal-key"
    settings.POSTAL_API_URL = "http://127.0.0.1:9/postal/api"
    settings.SITE_URL = "http://testserver"
    settings.AXES_ENABLED = False  # force_login has no IP; axes would log "unknown" into an inet column
    return settings


@pytest.fixture
def postage(locality):
    demo.load(log=lambda line: None)


@pytest.fixture
def desk(locality):
    return factories.agency("000.09.14.H57")


@pytest.fixture
def make_shipment(desk, citizen, postage):
    from chinhquyenso.delivery.services import shipment_create

    counter = iter(range(1, 10_000))

    def make(**extra):
        n = next(counter)
        fields = dict(subject_type="dossiers.dossier", subject_id=str(n), unit=desk.unit, agency=desk,
                      direction="return", contact_name="Nguyễn Thị Lan", contact_phone="0912345678",
                      address_line="Thôn Phú Lễ", address_unit=factories.unit(factories.QUANG_THO), weight_g=300,
                      idempotency_key=f"ship:{n}", citizen=citizen, subject_label=f"Hồ sơ {n}")
        fields.update(extra)
        return shipment_create(**fields)

    return make
