"""Versions: immutable once published; submissions keep the version they were made with."""

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator

from chinhquyenso.accounts.roles import Role
from chinhquyenso.core.errors import Conflict, DomainError, PermissionDenied
from chinhquyenso.core.models import AuditEvent
from chinhquyenso.eforms import builder as ops
from chinhquyenso.eforms import services
from chinhquyenso.eforms.models import FormSubmission, FormVersion
from chinhquyenso.eforms.selectors import current_version_for, procedures_with_published_form_ids
from chinhquyenso.eforms.services import FormInvalid, form_submission_create
from tests import factories
from tests.eforms.conftest import birth_data, simple_spec

pytestmark = pytest.mark.django_db


def test_a_published_version_cannot_be_edited(birth_form):
    with pytest.raises(Conflict) as exc:
        services.form_version_save_spec(version=birth_form, spec=simple_spec())
    assert exc.value.code == "form_version_published"
    with pytest.raises(Conflict):
        services.form_version_publish(version=birth_form)
    birth_form.refresh_from_db()
    assert "ho_ten_tre" in birth_form.schema["properties"]


def test_publishing_v2_leaves_v1_submissions_intact(birth_form, citizen, units):
    v1_submission = form_submission_create(form_version=birth_form, data=birth_data(), applicant=citizen,
                                           unit=units.quang_tho, source=("dossiers.dossier", 41))
    v1_schema = copy.deepcopy(birth_form.schema)
    definition = birth_form.definition
    draft = services.form_version_draft_for(definition=definition)
    assert draft.number == 2 and draft.spec == birth_form.spec
    spec, _ref = ops.add_field(draft.spec, section_id="tre", ftype="text", label_vi="Nhóm máu")
    spec = ops.remove_field(spec, "que_quan")
    services.form_version_save_spec(version=draft, spec=spec)
    v2 = services.form_version_publish(version=draft, change_note="Thêm nhóm máu")

    assert current_version_for(definition.procedure) == v2
    v1_submission.refresh_from_db()
    birth_form.refresh_from_db()
    assert v1_submission.form_version_id == birth_form.pk and v1_submission.data == birth_data()
    assert birth_form.schema == v1_schema and birth_form.status == "published"
    # v1 data is still valid against v1, and v2 has its own schema.
    assert services.form_data_errors(birth_form.schema, birth_form.ui_schema, v1_submission.data) == []
    assert "nhom_mau" in v2.schema["properties"] and "que_quan" not in v2.schema["properties"]
    # New submissions go to v2; v1 can still receive the dossier that was filled with it.
    form_submission_create(form_version=v2, data=birth_data(), applicant=citizen, unit=units.quang_tho)
    form_submission_create(form_version=birth_form, data=birth_data(que_quan="Huế"), applicant=citizen,
                           unit=units.quang_tho)
    assert FormSubmission.objects.filter(form_version=birth_form).count() == 2


def test_only_one_draft_exists_at_a_time(birth_form):
    first = services.form_version_draft_for(definition=birth_form.definition)
    again = services.form_version_draft_for(definition=birth_form.definition)
    assert first == again and FormVersion.objects.filter(definition=birth_form.definition).count() == 2


def test_submissions_are_validated_on_the_server_with_every_error_attached(birth_form, citizen, units):
    with pytest.raises(FormInvalid) as exc:
        form_submission_create(form_version=birth_form, data=birth_data(cccd="046190000123", ho_ten=None),
                               applicant=citizen, unit=units.quang_tho)
    error = exc.value
    assert isinstance(error, DomainError) and error.code == "form_invalid"
    assert error.field == "/ho_ten" and error.message == "Vui lòng nhập “Họ, chữ đệm và tên”."
    assert [e["field"] for e in error.as_dict()["errors"]] == ["/ho_ten", "/cccd"]
    assert not FormSubmission.objects.exists()


def test_a_draft_version_cannot_receive_submissions(make_procedure, citizen, units):
    definition = services.form_definition_create(procedure=make_procedure(), spec=simple_spec())
    with pytest.raises(DomainError) as exc:
        form_submission_create(form_version=definition.versions.get(), data={"ho_ten": "A"}, applicant=citizen,
                               unit=units.quang_tho)
    assert exc.value.code == "form_version_not_published"


def test_submission_is_audited_without_personal_data_and_emits_an_event(birth_form, citizen, units):
    from chinhquyenso.core.models import DomainEvent

    submission = form_submission_create(form_version=birth_form, data=birth_data(), applicant=citizen,
                                        unit=units.quang_tho, source=("dossiers.dossier", 7))
    audit = AuditEvent.objects.get(action="eforms.form_submission_create")
    assert audit.object_id == str(submission.pk) and audit.unit_id == units.quang_tho.pk
    assert "046186000123" not in str(audit.after) and "cccd" in audit.after["fields"]
    event = DomainEvent.objects.get(event_type="eforms.submission_created")
    assert event.payload["source_type"] == "dossiers.dossier" and event.payload["source_id"] == "7"


def test_publishing_is_audited_and_reported_to_the_catalogue(birth_form):
    assert birth_form.definition.procedure_id in procedures_with_published_form_ids()
    assert AuditEvent.objects.filter(action="eforms.form_version_publish", object_id=str(birth_form.pk)).exists()


def test_only_an_administrator_of_the_catalogue_unit_edits_forms(make_procedure):
    procedure = make_procedure()
    commune_admin = factories.make_staff(Role.ADMINISTRATOR, factories.QUANG_THO)
    district_admin = factories.make_staff(Role.ADMINISTRATOR, factories.DISTRICT)
    specialist = factories.make_staff(Role.SPECIALIST, factories.DISTRICT)
    for user in (commune_admin, specialist):
        with pytest.raises(PermissionDenied):
            services.form_definition_create(procedure=procedure, actor=user)
    definition = services.form_definition_create(procedure=procedure, actor=district_admin)
    draft = definition.versions.get()
    with pytest.raises(PermissionDenied):
        services.form_version_save_spec(version=draft, spec=simple_spec(), actor=commune_admin)
    services.form_version_save_spec(version=draft, spec=simple_spec(), actor=district_admin)
    version = services.form_version_publish(version=draft, actor=district_admin)
    assert version.published_by == district_admin and version.published_at is not None


def test_an_empty_form_cannot_be_published(make_procedure):
    definition = services.form_definition_create(procedure=make_procedure())
    with pytest.raises(DomainError) as exc:
        services.form_version_publish(version=definition.versions.get())
    assert exc.value.code == "form_empty"


def test_every_published_demo_form_has_a_valid_schema(birth_form):
    Draft202012Validator.check_schema(birth_form.schema)
