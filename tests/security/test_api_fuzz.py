"""Fuzzing of the public API (``/api/v1/``) from its own OpenAPI document, with schemathesis against
the WSGI application in-process, logged in as the demo citizen and as a demo officer.

Checks: no 5xx; responses match the documented schema where one is documented; every 4xx carries
the machine-readable ``{code, message}`` the developers' guide promises. Each operation gets a
bounded, derandomised number of examples (valid data, invalid data, and valid data aimed at real
objects of the demo world), so the run is stable and stays well under two minutes.

(schemathesis' own ``from_fixture(...).parametrize()`` does not run under pytest 9 — it reads
``Function._nodeid`` —, so each operation is a plain parametrised test driving the operation's
Hypothesis strategy itself.)
"""

from __future__ import annotations

import re
import secrets

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MAX_EXAMPLES = 30
# Roles the API is fuzzed as: the demo citizen and the district one-stop reception officer.
ROLES = ("congdan", "tiepnhan")


def api_operations() -> list[str]:
    """``"METHOD /api/v1/path/{param}"`` for every operation the NinjaAPI registers."""
    from chinhquyenso.api import api

    labels = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/api/v1" + ("/" + prefix.strip("/") + "/" + path.lstrip("/")).replace("//", "/")
            full = re.sub(r"{(?:\w+:)?(\w+)}", r"{\1}", full)
            for operation in path_view.operations:
                labels += [f"{method} {full}" for method in operation.methods]
    return labels


OPERATIONS = api_operations()
# Operations left out of the fuzz, each with why.
EXCLUDED: dict[str, str] = {}
# Defects found (xfail strict until fixed): (role, label) → what is wrong, where.
DEFECTS: dict[tuple[str, str], str] = {}


@pytest.fixture
def _same_connection():
    """Django's WSGI handler closes "old" connections at the start and end of every request, which
    inside the test transaction means closing it; Django's test client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, _same_connection, settings):
    from django.core.handlers.wsgi import WSGIHandler

    # Nothing listens there: a provider call would fail at once instead of leaving the machine.
    settings.VNPAY_API_URL = "http://127.0.0.1:9/vnpay/api"
    settings.POSTAL_API_URL = "http://127.0.0.1:9/postal/api"
    config = schemathesis.config.SchemathesisConfig.from_dict({
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=config)


def session_credentials(username: str) -> dict[str, dict[str, str]]:
    """Transport arguments for a logged-in call: the session cookie, and a CSRF secret (32 characters)
    sent both as the cookie and as the header, as django-ninja's SessionAuth wants for writes."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    token = secrets.token_hex(16)
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
            "headers": {"X-CSRFToken": token}}


VIETNAMESE = set("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")




def is_vietnamese(text: str) -> bool:
    return bool(VIETNAMESE & set(text.lower()))


def code_and_message_on_4xx(ctx, response, case):
    """Every refusal is machine-readable and readable by people: ``{"code", "message", "field"}`` with
    the message in Vietnamese (core.errors)."""
    if 400 <= response.status_code < 500:
        try:
            body = response.json()
        except ValueError:
            body = None
        assert isinstance(body, dict) and body.get("code") and body.get("message"), (
            f"{case.method} {case.formatted_path} → {response.status_code} without {{code, message}}: "
            f"{response.text[:300]}")
        assert is_vietnamese(body["message"]), (
            f"{case.method} {case.formatted_path} → {response.status_code}: message not in Vietnamese: {body}")


CHECKS = [not_a_server_error, response_schema_conformance, code_and_message_on_4xx]


def real_ids(world) -> dict[str, list]:
    """Path values that reach real objects (of the citizen, of Quảng Thọ, of the district)."""
    return {
        "invoice_id": [world["invoice_qt"], world["invoice_district_open"], world["invoice_district_paid"]],
        "dossier_id": [world["dossier_qt"], world["dossier_district"]],
        "shipment_id": [world["shipment_qt"]],
        "code": ["19894", "477", world["procedure_qt_code"], world["procedure_district_code"]],
        "procedure_code": [world["procedure_qt_code"], world["procedure_district_code"]],
        "queue": ["intake", "mine", "agency", "approval", "return", "supplement"],
        "action": ["take", "forward", "approve", "refuse", "receive", "return_result"],
    }


def strategy_for(operation, world):
    """Valid data, invalid data, and valid data aimed at real objects of the world."""
    names = {p.name for p in operation.path_parameters}
    ids = real_ids(world)
    aimed = [operation.as_strategy(GenerationMode.POSITIVE, path_parameters=dict(values))
             for values in _combinations({n: ids[n] for n in names if n in ids})] if names else []
    return st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                     operation.as_strategy(GenerationMode.NEGATIVE), *aimed)


def _combinations(choices: dict[str, list]) -> list[dict]:
    combos: list[dict] = [{}]
    for name, values in choices.items():
        combos = [{**c, name: v} for c in combos for v in values]
    return combos[:12]


def params():
    out = []
    for role in ROLES:
        for label in OPERATIONS:
            if label in EXCLUDED:
                continue
            marks = [pytest.mark.xfail(strict=True, reason=DEFECTS[(role, label)])] if (role, label) in DEFECTS else []
            out.append(pytest.param(role, label, id=f"{role}-{label}", marks=marks))
    return out


def test_every_api_operation_is_fuzzed():
    assert len(OPERATIONS) >= 25
    assert set(EXCLUDED) <= set(OPERATIONS)


@pytest.mark.parametrize(("role", "label"), params())
def test_api_operation_survives_fuzzing(role, label, api_schema, world):
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in /api/v1/openapi.json"
    credentials = session_credentials(role)

    @given(case=strategy_for(operation, world))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(case):
        case.call_and_validate(checks=CHECKS, **credentials)

    fuzz()


def test_api_unreadable_json_body_is_refused_in_vietnamese(world, client_as):
    response = client_as("congdan").post(f"/api/v1/eforms/forms/{world['procedure_qt_code']}/validate",
                                          data="{không phải JSON", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_body"
    assert is_vietnamese(response.json()["message"]), response.json()


def test_api_write_without_csrf_token_is_refused(world):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="congdan"))
    response = client.post(f"/api/v1/payments/invoices/{world['invoice_qt']}/vnpay", data={},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"]


def test_api_csrf_refusal_is_in_vietnamese(world):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="congdan"))
    response = client.post(f"/api/v1/payments/invoices/{world['invoice_qt']}/vnpay", data={},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert is_vietnamese(response.json()["message"]), response.json()
