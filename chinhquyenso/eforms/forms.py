"""Django forms of the builder and the data tables (the citizen's e-form is rendered by htmlform)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chinhquyenso.eforms.builder import TYPE_OPTIONS, build_condition, format_choices, parse_choices, split_ref
from chinhquyenso.eforms.spec import CONTROLLER_TYPES, FIELD_TYPES, PREFILL_SOURCES, label

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


class BootstrapMixin:
    """Bootstrap 5 classes on every widget (the templates loop over fields generically)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bootstrap()

    def _bootstrap(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class AddSectionForm(BootstrapMixin, forms.Form):
    title_vi = forms.CharField(label=_("Tên phần (tiếng Việt)"), max_length=200)
    title_en = forms.CharField(label=_("Tên phần (tiếng Anh)"), max_length=200, required=False)


class AddFieldForm(BootstrapMixin, forms.Form):
    ftype = forms.ChoiceField(label=_("Loại trường"), choices=list(FIELD_TYPES.items()))
    label_vi = forms.CharField(label=_("Nhãn (tiếng Việt)"), max_length=300)


class SectionEditForm(BootstrapMixin, forms.Form):
    title_vi = forms.CharField(label=_("Tên phần (tiếng Việt)"), max_length=200)
    title_en = forms.CharField(label=_("Tên phần (tiếng Anh)"), max_length=200, required=False)
    description_vi = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    visible_field = forms.ChoiceField(label=_("Chỉ hiện khi trường"), required=False)
    visible_op = forms.ChoiceField(label=_("Phép so sánh"), required=False,
                                   choices=[("equals", _("bằng")), ("in", _("là một trong"))])
    visible_values = forms.CharField(label=_("Giá trị (cách nhau bởi dấu phẩy)"), required=False, max_length=500)

    def __init__(self, *args, spec: dict, section_id: str, **kwargs):
        super().__init__(*args, **kwargs)
        earlier = []
        for section in spec["sections"]:
            if section["id"] == section_id:
                break
            earlier += [(f["name"], label(f["label"])["vi"]) for f in section["fields"]
                        if f["type"] in CONTROLLER_TYPES]
        self.fields["visible_field"].choices = [("", _("— luôn hiện —")), *earlier]
        self.spec = spec

    @classmethod
    def initial_for(cls, section: dict) -> dict:
        cond = section.get("visible_if") or {}
        values = cond.get("in", [cond["equals"]] if "equals" in cond else [])
        return {"title_vi": label(section["title"])["vi"], "title_en": label(section["title"])["en"],
                "description_vi": label(section.get("description"))["vi"], "visible_field": cond.get("field", ""),
                "visible_op": "in" if "in" in cond else "equals",
                "visible_values": ", ".join(str(v).lower() if isinstance(v, bool) else str(v) for v in values)}

    def condition(self) -> dict | None:
        d = self.cleaned_data
        return build_condition(self.spec, None, d.get("visible_field"), d.get("visible_op") or "equals",
                               d.get("visible_values", ""))


class FieldEditForm(BootstrapMixin, forms.Form):
    name = forms.RegexField(label=_("Tên kỹ thuật (khoá dữ liệu)"), regex=r"^[a-z][a-z0-9_]{0,49}$",
                            help_text=_("Chữ thường không dấu, số, dấu gạch dưới. Là tên cột trong dữ liệu chuyên "
                                        "ngành."))
    type = forms.ChoiceField(label=_("Loại trường"), choices=list(FIELD_TYPES.items()))
    label_vi = forms.CharField(label=_("Nhãn (tiếng Việt)"), max_length=300)
    label_en = forms.CharField(label=_("Nhãn (tiếng Anh)"), max_length=300, required=False)
    help_vi = forms.CharField(label=_("Hướng dẫn (tiếng Việt)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    help_en = forms.CharField(label=_("Hướng dẫn (tiếng Anh)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(label=_("Bắt buộc"), required=False)
    choices = forms.CharField(
        label=_("Các lựa chọn"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi dòng một lựa chọn: giá_trị | Nhãn tiếng Việt | English label"))
    visible_field = forms.ChoiceField(label=_("Chỉ hiện khi trường"), required=False)
    visible_op = forms.ChoiceField(label=_("Phép so sánh"), required=False,
                                   choices=[("equals", _("bằng")), ("in", _("là một trong"))])
    visible_values = forms.CharField(label=_("Giá trị (cách nhau bởi dấu phẩy)"), required=False, max_length=500,
                                     help_text=_("Với ô đánh dấu: true hoặc false. Với danh sách: giá trị hoặc "
                                                 "nhãn."))
    prefill = forms.ChoiceField(label=_("Điền sẵn từ"), required=False)
    max_length = forms.IntegerField(label=_("Độ dài tối đa"), required=False, min_value=1, max_value=100000)
    integer = forms.BooleanField(label=_("Chỉ số nguyên"), required=False)
    minimum = forms.DecimalField(label=_("Giá trị nhỏ nhất"), required=False)
    maximum = forms.DecimalField(label=_("Giá trị lớn nhất"), required=False)
    not_future = forms.BooleanField(label=_("Không được sau ngày hôm nay"), required=False)
    matches_dob = forms.ChoiceField(label=_("Đối chiếu CCCD với ngày sinh ở trường"), required=False)
    matches_gender = forms.ChoiceField(label=_("Đối chiếu CCCD với giới tính"), required=False)
    min_items = forms.IntegerField(label=_("Số dòng tối thiểu"), required=False, min_value=0, max_value=100)
    max_items = forms.IntegerField(label=_("Số dòng tối đa"), required=False, min_value=1, max_value=100)
    item_label_vi = forms.CharField(label=_("Nhãn mỗi dòng"), required=False, max_length=200)

    def __init__(self, *args, spec: dict, ref: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec, self.ref = spec, ref
        group, name = split_ref(ref)
        if group is None:
            siblings = [f for s in spec["sections"] for f in s["fields"]]
        else:
            siblings = next(f for s in spec["sections"] for f in s["fields"] if f["name"] == group)["fields"]
        earlier = []
        for f in siblings:
            if f["name"] == name:
                break
            earlier.append(f)
        self.fields["visible_field"].choices = [("", _("— luôn hiện —"))] + [
            (f["name"], f"{label(f['label'])['vi']} ({f['name']})") for f in earlier if f["type"] in CONTROLLER_TYPES]
        self.fields["prefill"].choices = [("", _("— không —")), *PREFILL_SOURCES.items()]
        self.fields["matches_dob"].choices = [("", _("— không —"))] + [
            (f["name"], label(f["label"])["vi"]) for f in siblings if f["type"] == "date"]
        self.fields["matches_gender"].choices = [("", _("— không —")), ("male", _("Luôn là nam")),
                                                 ("female", _("Luôn là nữ"))] + [
            (f["name"], label(f["label"])["vi"]) for f in siblings if f["type"] in ("radio", "select")]
        if group is not None:
            self.fields["type"].choices = [c for c in self.fields["type"].choices if c[0] != "group"]

    @classmethod
    def initial_for(cls, field: dict) -> dict:
        cond = field.get("visible_if") or {}
        values = cond.get("in", [cond["equals"]] if "equals" in cond else [])
        matches = field.get("matches") or {}
        return {
            "name": field["name"], "type": field["type"], "label_vi": label(field["label"])["vi"],
            "label_en": label(field["label"])["en"], "help_vi": label(field.get("help"))["vi"],
            "help_en": label(field.get("help"))["en"], "required": bool(field.get("required")),
            "choices": format_choices(field.get("choices", [])), "visible_field": cond.get("field", ""),
            "visible_op": "in" if "in" in cond else "equals",
            "visible_values": ", ".join(str(v).lower() if isinstance(v, bool) else str(v) for v in values),
            "prefill": field.get("prefill", ""), "max_length": field.get("max_length"),
            "integer": field.get("integer", True), "minimum": field.get("minimum"), "maximum": field.get("maximum"),
            "not_future": field.get("not_future", False), "matches_dob": matches.get("dob", ""),
            "matches_gender": matches.get("gender", ""), "min_items": field.get("min_items"),
            "max_items": field.get("max_items"), "item_label_vi": label(field.get("item_label"))["vi"],
        }

    def changes(self) -> dict:
        """The builder's ``update_field`` changes (DomainError for a bad condition or choice list)."""
        d = self.cleaned_data
        group, _name = split_ref(self.ref)
        ftype = d["type"]
        options = TYPE_OPTIONS[ftype]
        out: dict = {
            "name": d["name"], "type": ftype,
            "label": {"vi": d["label_vi"].strip(), "en": d["label_en"].strip()},
            "help": {"vi": d["help_vi"].strip(), "en": d["help_en"].strip()} if d["help_vi"].strip() else None,
            "required": bool(d["required"]) and ftype != "file",
            "visible_if": build_condition(self.spec, group, d.get("visible_field"), d.get("visible_op") or "equals",
                                          d.get("visible_values", "")),
        }
        if "choices" in options:
            out["choices"] = parse_choices(d.get("choices", ""))
        if "prefill" in options:
            out["prefill"] = d.get("prefill") or None
        if "max_length" in options:
            out["max_length"] = d.get("max_length")
        if "integer" in options:
            out["integer"] = bool(d.get("integer"))
        for key in ("minimum", "maximum"):
            if key in options:
                value = d.get(key)
                out[key] = (int(value) if value == int(value) else float(value)) if value is not None else None
        if "not_future" in options:
            out["not_future"] = bool(d.get("not_future"))
        if "matches" in options:
            matches = {k: v for k, v in (("dob", d.get("matches_dob")), ("gender", d.get("matches_gender"))) if v}
            out["matches"] = matches or None
        if "min_items" in options:
            out["min_items"] = d.get("min_items") or 0
            out["max_items"] = d.get("max_items") or 10
            out["item_label"] = {"vi": d["item_label_vi"].strip(), "en": ""} if d.get("item_label_vi") else None
        return out


class RawSpecForm(BootstrapMixin, forms.Form):
    spec = forms.CharField(label=_("Tài liệu biểu mẫu (JSON)"), widget=forms.Textarea(attrs={"rows": 30,
                                                                                          "spellcheck": "false"}))


class PublishForm(BootstrapMixin, forms.Form):
    change_note = forms.CharField(label=_("Ghi chú thay đổi"), max_length=500, required=False)
    confirm = forms.BooleanField(label=_("Tôi đã xem trước và xác nhận xuất bản phiên bản này"))


class TableFilterForm(BootstrapMixin, forms.Form):
    tu_ngay = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_INPUTS)
    den_ngay = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_INPUTS)
    don_vi = forms.ChoiceField(label=_("Đơn vị tiếp nhận"), required=False)
    cot = forms.ChoiceField(label=_("Cột"), required=False)
    phep = forms.ChoiceField(label=_("Điều kiện"), required=False,
                             choices=[("contains", _("chứa")), ("equals", _("bằng"))])
    gia_tri = forms.CharField(label=_("Giá trị"), required=False, max_length=200)

    def __init__(self, *args, columns, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cot"].choices = [("", _("— mọi cột —"))] + [(c.key, c.label) for c in columns if not c.is_group]
        self.fields["don_vi"].choices = [("", _("— tất cả —"))] + [(u.code, u.full_name) for u in units]

    def clean(self):
        data = super().clean()
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and start > end:
            self.add_error("den_ngay", _("“Đến ngày” phải sau “Từ ngày”."))
        return data
