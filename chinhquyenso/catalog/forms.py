"""Forms of the public search and of the staff pages. They shape input; the rules live in the
services (``exchange.validate_record`` via ``services``), whose errors are shown by the field."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.catalog.models import (
    Channel,
    DayKind,
    DocumentForm,
    ExemptionCategory,
    FeeKind,
    Field,
    Level,
    OnlineLevel,
    Requirement,
    TierMode,
)
from chinhquyenso.catalog.selectors import ONLINE_ANY

_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}


class BootstrapMixin:
    """Bootstrap classes on every widget, ``is-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


# --- Public search ---------------------------------------------------------------------------------

class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tên hoặc mã thủ tục"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={**_INPUT, "type": "search", "autocomplete": "off",
                                                      "placeholder": _("Ví dụ: khai sinh, giấy phép xây dựng, "
                                                                       "1.001193"), "inputmode": "search"}))
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False, widget=forms.Select(attrs=_SELECT))
    level = forms.ChoiceField(label=_("Cấp thực hiện"), required=False, widget=forms.Select(attrs=_SELECT),
                              choices=[("", _("Tất cả các cấp")), *Level.choices])
    agency = forms.ChoiceField(label=_("Cơ quan thực hiện"), required=False, widget=forms.Select(attrs=_SELECT))
    online = forms.ChoiceField(
        label=_("Dịch vụ công trực tuyến"), required=False, widget=forms.Select(attrs=_SELECT),
        choices=[("", _("Tất cả")), (ONLINE_ANY, _("Có nộp trực tuyến")), (OnlineLevel.FULL, _("Toàn trình")),
                 (OnlineLevel.PARTIAL, _("Một phần")), (OnlineLevel.NONE, _("Chỉ nộp trực tiếp, bưu chính"))])
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, fields=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Tất cả lĩnh vực")), *((f.code, f.name) for f in fields)]
        self.fields["agency"].choices = [("", _("Tất cả cơ quan")),
                                         *((a.identifier_code, a.name) for a in agencies)]


# --- Staff ---------------------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ProcedureForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Mã thủ tục"), max_length=40,
                           help_text=_("Mã trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.001193."))
    code_is_national = forms.BooleanField(label=_("Là mã thủ tục quốc gia"), required=False, initial=True)
    name = forms.CharField(label=_("Tên thủ tục"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    field = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Field.objects.order_by("name"), required=False,
                                   to_field_name="code", empty_label=_("— Chọn lĩnh vực —"))
    new_field = forms.CharField(label=_("hoặc lĩnh vực mới"), max_length=200, required=False)
    unit = forms.ChoiceField(label=_("Đơn vị quản lý danh mục"))
    levels = forms.MultipleChoiceField(label=_("Cấp thực hiện"), choices=Level.choices,
                                       widget=forms.CheckboxSelectMultiple)
    level_since_2025_07 = forms.ChoiceField(label=_("Cấp thực hiện từ 01/7/2025"), required=False,
                                            choices=[("", _("Chưa xác định")), *Level.choices])
    agencies = forms.MultipleChoiceField(label=_("Cơ quan thực hiện"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 8}))
    agency_text = forms.CharField(label=_("Cơ quan thực hiện (mô tả)"), max_length=500, required=False,
                                  help_text=_("Ví dụ: UBND cấp xã nơi cư trú (công chức Tư pháp - Hộ tịch)."))
    online_level = forms.ChoiceField(label=_("Mức độ dịch vụ công trực tuyến"), choices=OnlineLevel.choices,
                                     help_text=_("Theo Nghị định 42/2022/NĐ-CP, Điều 11."))
    online_level_confirmed = forms.BooleanField(label=_("Mức độ đã đối chiếu văn bản công bố"), required=False)
    channels = forms.MultipleChoiceField(label=_("Cách thức thực hiện"), choices=Channel.choices,
                                         widget=forms.CheckboxSelectMultiple)
    submission_note = forms.CharField(label=_("Nơi nộp, cách nộp (ghi chú)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    applicants = forms.CharField(label=_("Đối tượng thực hiện"), max_length=300, required=False)
    note = forms.CharField(label=_("Lưu ý cho người dân"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirmed = forms.BooleanField(label=_("Số liệu đã đối chiếu nguồn"), required=False)
    source_note = forms.CharField(label=_("Ghi chú nguồn số liệu"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    sources = forms.CharField(label=_("Nguồn (mỗi dòng một nguồn)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=(), agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.full_name) for u in units]
        self.fields["agencies"].choices = [(a.identifier_code, f"{a.name} ({a.identifier_code})") for a in agencies]

    def clean(self):
        data = super().clean()
        if not data.get("field") and not (data.get("new_field") or "").strip():
            self.add_error("field", _("Chọn lĩnh vực hoặc nhập tên lĩnh vực mới."))
        return data

    def record_values(self) -> dict:
        d = self.cleaned_data
        field = d["field"]
        field_value = {"code": field.code, "name": field.name} if field else {"code": "", "name": d["new_field"]}
        return {
            "code": d["code"].strip(), "code_is_national": d["code_is_national"], "name": d["name"].strip(),
            "field": field_value, "unit": d["unit"], "levels": d["levels"],
            "level_since_2025_07": d["level_since_2025_07"], "agencies": d["agencies"],
            "agency_text": d["agency_text"], "online_level": d["online_level"],
            "online_level_confirmed": d["online_level_confirmed"], "channels": d["channels"],
            "submission_note": d["submission_note"], "applicants": d["applicants"], "note": d["note"],
            "confirmed": d["confirmed"], "source_note": d["source_note"], "sources": _lines(d["sources"]),
        }

    @staticmethod
    def initial_from(record: dict) -> dict:
        return {**{k: v for k, v in record.items() if k not in ("field", "sources")},
                "field": record["field"]["code"], "sources": "\n".join(record["sources"])}


class TermsForm(BootstrapMixin, forms.Form):
    effective_from = forms.DateField(label=_("Hiệu lực từ ngày"), initial=timezone.localdate,
                                     help_text=_("dd/mm/yyyy. Phiên bản đã có hiệu lực không sửa được; "
                                                 "thay đổi theo văn bản mới là một phiên bản mới."),
                                     widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    processing_days = forms.IntegerField(label=_("Thời hạn giải quyết (số ngày)"), required=False, min_value=0,
                                         max_value=3650, help_text=_("0 = trả trong ngày; để trống nếu tùy trường "
                                                                     "hợp (ghi rõ ở ghi chú)."))
    day_kind = forms.ChoiceField(label=_("Loại ngày"), choices=DayKind.choices, initial=DayKind.WORKING)
    processing_note = forms.CharField(label=_("Ghi chú thời hạn"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    fee_note = forms.CharField(label=_("Ghi chú phí, lệ phí"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.CharField(label=_("Văn bản quy định"), max_length=500, required=False)

    def terms_values(self) -> dict:
        d = self.cleaned_data
        return {"effective_from": d["effective_from"].isoformat(), "processing_days": d["processing_days"],
                "day_kind": d["day_kind"], "processing_note": d["processing_note"], "fee_note": d["fee_note"],
                "basis": d["basis"]}


_TIERS = re.compile(r"^(?P<a>\d+)\s*[-–]\s*(?P<b>\d*)\s*:\s*(?P<amt>[\d.,]+)$")


class FeeRuleForm(BootstrapMixin, forms.Form):
    code = forms.SlugField(label=_("Mã khoản thu"), max_length=40, help_text=_("Ví dụ: le_phi, ban_sao."))
    label = forms.CharField(label=_("Tên khoản thu"), max_length=300)
    kind = forms.ChoiceField(label=_("Cách tính"), choices=FeeKind.choices)
    amount_vnd = forms.IntegerField(label=_("Mức thu (đồng)"), required=False, min_value=0,
                                    help_text=_("Để trống nếu chưa có nghị quyết HĐND quy định mức thu."))
    unit_label = forms.CharField(label=_("Đơn vị tính"), max_length=40, required=False)
    tier_mode = forms.ChoiceField(label=_("Kiểu bậc"), required=False, choices=[("", "—"), *TierMode.choices])
    tiers = forms.CharField(label=_("Các bậc"), required=False, help_text=_("“từ-đến: mức thu”, ví dụ "
                                                                           "1-2: 2000; 3-: 1000"))
    max_vnd = forms.IntegerField(label=_("Tối đa (đồng)"), required=False, min_value=0)
    exempt_categories = forms.MultipleChoiceField(label=_("Đối tượng được miễn"), required=False,
                                                  choices=ExemptionCategory.choices,
                                                  widget=forms.CheckboxSelectMultiple)
    conditional = forms.BooleanField(label=_("Chỉ thu khi có điều kiện"), required=False)
    condition_note = forms.CharField(label=_("Điều kiện"), max_length=300, required=False)

    def clean_tiers(self):
        tiers = []
        for part in [p.strip() for p in (self.cleaned_data.get("tiers") or "").split(";") if p.strip()]:
            m = _TIERS.match(part)
            if not m:
                raise forms.ValidationError(_("Bậc “%(part)s” không đúng dạng “từ-đến: mức thu”.") % {"part": part})
            tiers.append({"from": int(m["a"]), "to": int(m["b"]) if m["b"] else None,
                          "amount_vnd": int(re.sub(r"[.,]", "", m["amt"]))})
        return tiers

    def rule_values(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k) for k in ("code", "label", "kind", "amount_vnd", "unit_label", "tier_mode", "tiers",
                                      "max_vnd", "exempt_categories", "conditional", "condition_note")}

    @staticmethod
    def initial_from(rule: dict) -> dict:
        tiers = "; ".join(f"{t['from']}-{'' if t['to'] is None else t['to']}: {t['amount_vnd']}" for t in rule["tiers"])
        return {**rule, "tiers": tiers}


FeeRuleFormSet = forms.formset_factory(FeeRuleForm, extra=1, can_delete=True, max_num=30)


class RequiredDocumentForm(BootstrapMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Tên giấy tờ"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    form = forms.ChoiceField(label=_("Hình thức"), choices=DocumentForm.choices)
    count = forms.IntegerField(label=_("Số lượng"), min_value=1, max_value=99, initial=1)
    requirement = forms.ChoiceField(label=_("Bắt buộc"), choices=Requirement.choices)
    condition_note = forms.CharField(label=_("Trường hợp áp dụng"), max_length=500, required=False)
    template_name = forms.CharField(label=_("Tên mẫu đơn, tờ khai"), max_length=200, required=False)

    def document_values(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k) for k in ("id", "name", "form", "count", "requirement", "condition_note",
                                      "template_name")}


RequiredDocumentFormSet = forms.formset_factory(RequiredDocumentForm, extra=2, can_delete=True, max_num=60)


class ResultsAndBasisForm(BootstrapMixin, forms.Form):
    result_documents = forms.CharField(label=_("Kết quả thực hiện (mỗi dòng một kết quả)"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý (mỗi dòng một văn bản; có thể thêm “ — https://…”)"),
                                  required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def values(self) -> dict:
        basis = []
        for line in _lines(self.cleaned_data["legal_basis"]):
            title, sep, url = line.partition(" — http")
            basis.append({"title": title.strip(), "url": f"http{url}".strip() if sep else ""})
        return {"result_documents": [{"name": n, "note": ""} for n in _lines(self.cleaned_data["result_documents"])],
                "legal_basis": basis}


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp mẫu (PDF, DOCX, XLSX)"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                  "accept": ".pdf,.docx,.xlsx"}))


class RetireForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Lý do bãi bỏ"), max_length=500,
                             help_text=_("Ví dụ: Quyết định số …/QĐ-UBND công bố bãi bỏ."))


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Tệp danh mục (.xlsx hoặc .json)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.json"}))
    unit = forms.ChoiceField(label=_("Đơn vị quản lý cho các dòng không ghi đơn vị"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.full_name) for u in units]
