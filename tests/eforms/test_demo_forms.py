"""The demo e-forms: one for every online procedure of the seed catalogue, valid, loaded idempotently."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from chinhquyenso.catalog.models import ONLINE_LEVELS, Procedure
from chinhquyenso.catalog.selectors import eform_coverage, online_procedures_without_eform
from chinhquyenso.eforms import demo
from chinhquyenso.eforms.engine import EForm
from chinhquyenso.eforms.models import FormDefinition, FormVersion
from chinhquyenso.eforms.spec import compile_spec
from chinhquyenso.eforms.validation import form_data_errors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", demo.form_files(), ids=lambda p: p.stem)
def test_every_demo_form_compiles_to_a_valid_schema_and_renders(path):
    _code, spec = demo.read_form_file(path)
    schema, ui_schema = compile_spec(spec)
    Draft202012Validator.check_schema(schema)
    form = EForm(schema, ui_schema)
    assert form.title and all(f.label for f in form.all_fields())
    # An empty submission is refused with Vietnamese messages, never a crash.
    errors = form_data_errors(schema, ui_schema, {})
    assert errors and all(e.message.startswith(("Vui lòng", "Bạn cần")) for e in errors)
    # Every form asks for something with a repeating group or a condition, and ends with the declaration.
    assert form.controllers or any(f.is_group for f in form.fields.values())
    assert "cam_doan" in schema["properties"] or "cam_ket_moi_truong" in schema["properties"]


def test_every_online_procedure_of_the_seed_catalogue_gets_a_published_eform(locality):
    from chinhquyenso.catalog import demo as catalog_demo

    catalog_demo.load(log=lambda _m: None)
    lines = []
    demo.load(log=lines.append)
    online = Procedure.objects.filter(online_level__in=ONLINE_LEVELS)
    assert online.count() >= 19
    assert online_procedures_without_eform() == []
    assert eform_coverage().share == 1.0
    assert "bỏ qua" not in lines[0]
    # Loading again changes nothing.
    versions = FormVersion.objects.count()
    demo.load(log=lines.append)
    assert FormVersion.objects.count() == versions
    assert "0 mới, 0 cập nhật" in lines[1]


def test_a_changed_data_file_becomes_a_new_published_version(birth_form, birth_procedure):
    _code, spec = demo.read_form_file(demo.DATA_DIR / "1.001193.json")
    spec["sections"][-2]["fields"][0]["label"] = {"vi": "Số bản sao", "en": "Copies"}
    assert demo.form_load(procedure=birth_procedure, spec=spec) == "updated"
    definition = FormDefinition.objects.get(procedure=birth_procedure)
    assert definition.current_version.number == 2
    assert demo.form_load(procedure=birth_procedure, spec=spec) == "unchanged"
