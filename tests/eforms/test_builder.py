"""The builder: administrators design a form in the web UI; it always yields a valid schema."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from chinhquyenso.accounts.roles import Role
from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.models import AuditEvent
from chinhquyenso.eforms import builder as ops
from chinhquyenso.eforms.models import FormDefinition, VersionStatus
from chinhquyenso.eforms.spec import FIELD_TYPES, compile_spec, empty_spec
from chinhquyenso.eforms.validation import form_data_errors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, locality):
    client.force_login(factories.make_staff(Role.ADMINISTRATOR, factories.DISTRICT))
    return client


def op(client, procedure, **data):
    return client.post(reverse("eforms:builder_op", kwargs={"procedure_id": procedure.pk}), data)


def draft_of(procedure):
    return FormDefinition.objects.get(procedure=procedure).versions.get(status=VersionStatus.DRAFT)


def test_an_administrator_builds_conditional_and_repeating_fields_and_publishes(admin_client, make_procedure):
    procedure = make_procedure()
    builder_url = reverse("eforms:builder", kwargs={"procedure_id": procedure.pk})
    assert "Tạo biểu mẫu điện tử" in admin_client.get(builder_url).content.decode()
    op(admin_client, procedure, op="create")
    section = draft_of(procedure).spec["sections"][0]["id"]
    # One field of every type.
    for ftype, label in FIELD_TYPES.items():
        response = op(admin_client, procedure, op="add_field", section=section, ftype=ftype, label_vi=str(label))
        assert response.status_code == 302
    spec = draft_of(procedure).spec
    names = [f["name"] for f in spec["sections"][0]["fields"]]
    assert len(names) == len(FIELD_TYPES)
    radio = next(f["name"] for f in spec["sections"][0]["fields"] if f["type"] == "radio")
    text = next(f["name"] for f in spec["sections"][0]["fields"] if f["type"] == "email")  # after the radio
    group = next(f["name"] for f in spec["sections"][0]["fields"] if f["type"] == "group")
    # Make the text field required and shown only when the radio answer is "co" (chosen by its label).
    # The radio gets its own choices first.
    op(admin_client, procedure, op="update_field", ref=radio, name=radio, type="radio", label_vi="Có cha?",
       choices="co | Có | Yes\nkhong | Không | No", required="on")
    response = op(admin_client, procedure, op="update_field", ref=text, name=text, type="text",
                  label_vi="Tên người cha", label_en="Father's name", required="on", visible_field=radio,
                  visible_op="equals", visible_values="Có", help_vi="Như trên giấy tờ")
    assert response.status_code == 302
    # The group gets a nested date field and bounds.
    op(admin_client, procedure, op="add_field", group=group, ftype="date", label_vi="Ngày sinh thành viên")
    op(admin_client, procedure, op="update_field", ref=group, name="thanh_vien", type="group",
       label_vi="Thành viên gia đình", min_items="1", max_items="6", item_label_vi="Thành viên")
    op(admin_client, procedure, op="move_field", ref=text, direction="down")
    op(admin_client, procedure, op="add_section", title_vi="Cam đoan")

    draft = draft_of(procedure)
    Draft202012Validator.check_schema(draft.schema)
    order = [f["name"] for f in draft.spec["sections"][0]["fields"]]
    assert order.index(text) == len(FIELD_TYPES) - 4  # moved one place down (below the tax code)
    field = ops.get_field(draft.spec, text)
    assert field["visible_if"] == {"field": radio, "equals": "co"} and field["required"] is True
    assert draft.schema["properties"]["thanh_vien"]["minItems"] == 1
    assert next(f["type"] for f in draft.spec["sections"][0]["fields"] if f["name"] == "thanh_vien") == "group"
    assert [c["name"] for c in ops.get_field(draft.spec, "thanh_vien")["fields"]] == ["ho_ten",
                                                                                       "ngay_sinh_thanh_vien"]
    # The conditional rule is in the schema itself.
    errors = {e.pointer for e in form_data_errors(draft.schema, draft.ui_schema, {radio: "co"})}
    assert f"/{text}" in errors
    errors = {e.pointer for e in form_data_errors(draft.schema, draft.ui_schema, {radio: "khong", text: "X"})}
    assert f"/{text}" in errors  # a value for a hidden field

    # Preview renders exactly the citizen's page; then publish with a confirmation.
    preview = admin_client.get(reverse("eforms:builder_preview", kwargs={"procedure_id": procedure.pk}))
    assert "Xem trước phiên bản 1" in preview.content.decode() and 'name="_rows.thanh_vien"' in preview.content.decode()
    publish_url = reverse("eforms:builder_publish", kwargs={"procedure_id": procedure.pk})
    assert "Xuất bản phiên bản 1?" in admin_client.get(publish_url).content.decode()
    admin_client.post(publish_url, {"change_note": "Lần đầu"})  # not confirmed: nothing happens
    assert draft_of(procedure).status == VersionStatus.DRAFT
    admin_client.post(publish_url, {"change_note": "Lần đầu", "confirm": "on"})
    definition = FormDefinition.objects.get(procedure=procedure)
    assert definition.current_version.number == 1 and definition.current_version.change_note == "Lần đầu"
    assert AuditEvent.objects.filter(action="eforms.form_version_edit").count() >= len(FIELD_TYPES) + 5
    # The published version is read-only in the builder; editing starts version 2.
    html = admin_client.get(builder_url).content.decode()
    assert "đã xuất bản và không sửa được" in html
    op(admin_client, procedure, op="new_draft")
    assert draft_of(procedure).number == 2


def test_a_published_field_cannot_be_renamed(admin_client, make_procedure, publish):
    procedure = make_procedure()
    spec = {"title": "T", "sections": [{"id": "a", "title": "A", "fields": [
        {"name": "ho_ten", "type": "text", "label": "Họ tên"}]}]}
    publish(procedure, spec)
    op(admin_client, procedure, op="new_draft")
    response = op(admin_client, procedure, op="update_field", ref="ho_ten", name="ten_moi", type="text",
                  label_vi="Họ tên")
    follow = admin_client.get(response["Location"]).content.decode()
    assert "không đổi tên kỹ thuật" in follow
    assert ops.get_field(draft_of(procedure).spec, "ho_ten")


def test_a_field_used_by_a_condition_cannot_be_removed(make_procedure):
    spec, ref = ops.add_field(empty_spec("T"), ftype="checkbox", label_vi="Có cha")
    spec, other = ops.add_field(spec, ftype="text", label_vi="Tên cha")
    spec, _ = ops.update_field(spec, other, {"visible_if": {"field": ref, "equals": True}})
    with pytest.raises(DomainError, match="đang được dùng"):
        ops.remove_field(spec, ref)


def test_a_field_cannot_be_moved_above_the_answer_it_depends_on():
    spec, ref = ops.add_field(empty_spec("T"), ftype="checkbox", label_vi="Có cha")
    spec, other = ops.add_field(spec, ftype="text", label_vi="Tên cha")
    spec, _ = ops.update_field(spec, other, {"visible_if": {"field": ref, "equals": True}})
    compile_spec(spec)
    with pytest.raises(DomainError, match="trường đứng trước"):
        compile_spec(ops.move_field(spec, other, "up"))


def test_raw_json_editing_is_validated(admin_client, make_procedure):
    procedure = make_procedure()
    op(admin_client, procedure, op="create")
    url = reverse("eforms:builder_json", kwargs={"procedure_id": procedure.pk})
    html = admin_client.post(url, {"spec": "{not json"}).content.decode()
    assert "JSON không hợp lệ ở dòng 1" in html
    bad = {"title": "T", "sections": [{"id": "a", "title": "A", "fields": [
        {"name": "x", "type": "text", "label": "X", "visible_if": {"field": "khong_co", "equals": "1"}}]}]}
    html = admin_client.post(url, {"spec": json.dumps(bad)}).content.decode()
    assert "khong_co" in html and 'data-testid="json-error"' in html
    good = {"title": "T", "sections": [{"id": "a", "title": "A", "fields": [
        {"name": "so_nha", "type": "text", "label": "Số nhà", "schema_extra": {"pattern": "^[0-9]+[A-Z]?$"}}]}]}
    response = admin_client.post(url, {"spec": json.dumps(good)})
    assert response.status_code == 302
    assert draft_of(procedure).schema["properties"]["so_nha"]["pattern"] == "^[0-9]+[A-Z]?$"
    wrong_extra = {**good, "sections": [{"id": "a", "title": "A", "fields": [
        {"name": "so_nha", "type": "text", "label": "Số nhà", "schema_extra": {"minLength": "mot"}}]}]}
    assert "không hợp lệ" in admin_client.post(url, {"spec": json.dumps(wrong_extra)}).content.decode()


def test_only_administrators_reach_the_builder(client, make_procedure, locality):
    procedure = make_procedure()
    client.force_login(factories.make_staff(Role.SPECIALIST, factories.DISTRICT))
    assert client.get(reverse("eforms:builder", kwargs={"procedure_id": procedure.pk})).status_code == 403
    assert op(client, procedure, op="create").status_code == 403
    assert not FormDefinition.objects.exists()
    client.force_login(factories.make_staff(Role.ADMINISTRATOR, factories.QUANG_THO))  # not the catalogue's unit
    assert client.get(reverse("eforms:builder", kwargs={"procedure_id": procedure.pk})).status_code == 403


def test_the_builder_index_lists_online_procedures_without_an_eform(admin_client, make_procedure, publish):
    with_form = make_procedure(name="Thủ tục đã có tờ khai")
    without = make_procedure(name="Thủ tục chưa có tờ khai")
    publish(with_form, {"title": "T", "sections": [{"id": "a", "title": "A", "fields": [
        {"name": "x", "type": "text", "label": "X"}]}]})
    html = admin_client.get(reverse("eforms:builder_index")).content.decode()
    missing = html.split('data-testid="missing-eforms"')[1].split("</div>")[0]
    assert without.name in missing and with_form.name not in missing


# --- property: whatever sequence of builder operations, the result compiles to a valid schema -----------

_types = st.sampled_from(sorted(FIELD_TYPES))
_ops = st.lists(st.tuples(st.sampled_from(["add", "add_group_child", "move_up", "move_down", "remove",
                                           "require", "condition", "section"]),
                          _types, st.integers(min_value=0, max_value=20)), max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_ops)
def test_any_sequence_of_builder_operations_yields_a_valid_schema_or_a_clear_refusal(steps):
    spec = empty_spec("Biểu mẫu thử")
    for action, ftype, k in steps:
        top = [f for s in spec["sections"] for f in s["fields"]]
        try:
            if action == "add":
                spec, _ = ops.add_field(spec, section_id=spec["sections"][k % len(spec["sections"])]["id"],
                                        ftype=ftype, label_vi=f"Trường {ftype} {k}")
            elif action == "section":
                spec = ops.add_section(spec, title_vi=f"Phần {k}")
            elif not top:
                continue
            elif action == "add_group_child":
                groups = [f for f in top if f["type"] == "group"]
                if groups:
                    spec, _ = ops.add_field(spec, group=groups[k % len(groups)]["name"], ftype=ftype,
                                            label_vi=f"Con {k}")
            else:
                target = top[k % len(top)]["name"]
                if action in ("move_up", "move_down"):
                    spec = ops.move_field(spec, target, action.split("_")[1])
                elif action == "remove":
                    spec = ops.remove_field(spec, target)
                elif action == "require":
                    spec, _ = ops.update_field(spec, target, {"required": target and ftype != "file"})
                elif action == "condition":
                    controllers = [f for f in top[: k % len(top)] if f["type"] == "checkbox"]
                    if controllers:
                        spec, _ = ops.update_field(spec, target,
                                                   {"visible_if": {"field": controllers[0]["name"], "equals": True}})
            schema, ui_schema = compile_spec(spec)
        except DomainError as exc:
            assert exc.message  # refused with a message, spec unchanged by the failed step
            continue
        Draft202012Validator.check_schema(schema)
        assert set(schema["properties"]) == set(ui_schema["fields"])
