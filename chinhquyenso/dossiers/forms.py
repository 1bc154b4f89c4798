"""Forms of the dossier pages. They only parse input; the rules live in the services, whose
``DomainError`` messages the views put back beside the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chinhquyenso.dossiers.models import DossierRating, ResultDelivery

COPY_KINDS = [
    ("Bản chính", _("Bản chính")),
    ("Bản sao", _("Bản sao")),
    ("Bản sao có chứng thực", _("Bản sao có chứng thực")),
    ("Bản chính hoặc bản sao", _("Bản chính hoặc bản sao")),
]
# Rows of the supplement-request form (empty rows are ignored).
SUPPLEMENT_ROWS = 4


class StyledForm(forms.Form):
    """Bootstrap classes on every widget; errors go under the field (templates)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.HiddenInput, forms.CheckboxInput, forms.RadioSelect)):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    def add_domain_error(self, exc) -> None:
        """A service's DomainError: beside its field when the form has it, else at the top."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class UnitForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("Nơi nộp hồ sơ (đơn vị tiếp nhận)"), queryset=None,
                                  empty_label=_("— Chọn xã, phường, thị trấn hoặc huyện —"),
                                  help_text=_("Mặc định là nơi bạn cư trú theo thông tin tài khoản."))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: u.full_name


class DeliveryForm(StyledForm):
    result_delivery = forms.ChoiceField(
        label=_("Bạn muốn nhận kết quả bằng cách nào?"), widget=forms.RadioSelect,
        choices=[(ResultDelivery.DESK, _("Nhận trực tiếp tại Bộ phận Một cửa")),
                 (ResultDelivery.POST, _("Nhận qua dịch vụ bưu chính công ích (trả cước khi nhận yêu cầu gửi)")),
                 (ResultDelivery.ONLINE, _("Nhận bản điện tử trên cổng (tải về trong “Hồ sơ của tôi”)"))])
    delivery_address = forms.CharField(label=_("Địa chỉ nhận kết quả"), max_length=300, required=False,
                                       help_text=_("Số nhà, thôn, xã, huyện — nơi bưu điện phát kết quả."))
    applicant_phone = forms.CharField(label=_("Số điện thoại liên hệ"), max_length=20, required=False,
                                      widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def clean(self):
        data = super().clean()
        if data.get("result_delivery") == ResultDelivery.POST:
            if not (data.get("delivery_address") or "").strip():
                self.add_error("delivery_address", _("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính."))
            if not (data.get("applicant_phone") or "").strip():
                self.add_error("applicant_phone", _("Vui lòng nhập số điện thoại để bưu điện liên hệ khi phát."))
        return data


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Lý do"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(ReasonForm):
    confirm = forms.BooleanField(label=_("Tôi hiểu rằng hồ sơ đã rút sẽ không được giải quyết tiếp."),
                                 required=True)


class RatingForm(StyledForm):
    level = forms.TypedChoiceField(label=_("Bạn có hài lòng với việc giải quyết hồ sơ?"), coerce=int,
                                   choices=DossierRating.Level.choices, widget=forms.RadioSelect)
    on_time = forms.TypedChoiceField(label=_("Kết quả có được trả đúng hẹn?"), required=False,
                                     choices=[("", _("Không trả lời")), ("1", _("Đúng hẹn")), ("0", _("Trễ hẹn"))],
                                     coerce=lambda v: v == "1", empty_value=None)
    staff_attitude = forms.TypedChoiceField(label=_("Thái độ của cán bộ"), required=False, coerce=int,
                                            empty_value=None,
                                            choices=[("", _("Không trả lời")), *DossierRating.Level.choices])
    comment = forms.CharField(label=_("Góp ý thêm"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ApologyForm(StyledForm):
    reason = forms.CharField(label=_("Lý do chậm trả kết quả"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    new_due_date = forms.DateField(label=_("Ngày hẹn trả mới"), required=True,
                                   help_text=_("Theo dạng ngày/tháng/năm, ví dụ 05/12/2026."),
                                   widget=forms.DateInput(attrs={"inputmode": "numeric", "placeholder": "dd/mm/yyyy"},
                                                          format="%d/%m/%Y"),
                                   input_formats=["%d/%m/%Y", "%Y-%m-%d"])


class ApproveForm(StyledForm):
    result_number = forms.CharField(label=_("Số, ký hiệu văn bản kết quả"), max_length=60, required=False)
    result_file = forms.FileField(label=_("Tệp kết quả đã ký (PDF)"), required=False,
                                  help_text=_("Để trống: hệ thống lập văn bản kết quả PDF từ hồ sơ."))


class SupplementRequestForm(StyledForm):
    """The reason and the list of what is missing (Mẫu 02): name, original/copy, quantity, note."""

    reason = forms.CharField(label=_("Lý do yêu cầu bổ sung"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, rows: int = SUPPLEMENT_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i in range(rows):
            self.fields[f"item_{i}_name"] = forms.CharField(label=_("Giấy tờ cần bổ sung"), max_length=500,
                                                            required=False)
            self.fields[f"item_{i}_copy_kind"] = forms.ChoiceField(label=_("Bản chính/bản sao"), choices=COPY_KINDS,
                                                                   required=False)
            self.fields[f"item_{i}_quantity"] = forms.IntegerField(label=_("Số lượng"), min_value=1, max_value=99,
                                                                   initial=1, required=False)
            self.fields[f"item_{i}_note"] = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)
        for name, field in self.fields.items():
            if name.startswith("item_"):
                field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " form-control-sm"

    def item_rows(self):
        return [{"name": self[f"item_{i}_name"], "copy_kind": self[f"item_{i}_copy_kind"],
                 "quantity": self[f"item_{i}_quantity"], "note": self[f"item_{i}_note"], "n": i + 1}
                for i in range(self.rows)]

    def items(self) -> list[dict]:
        data = self.cleaned_data
        out = []
        for i in range(self.rows):
            name = (data.get(f"item_{i}_name") or "").strip()
            if name:
                out.append({"name": name, "copy_kind": data.get(f"item_{i}_copy_kind") or "",
                            "quantity": data.get(f"item_{i}_quantity") or 1,
                            "note": (data.get(f"item_{i}_note") or "").strip()})
        return out


class DeskApplicantForm(StyledForm):
    """A walk-in or a paper dossier that came by post, recorded by the reception officer."""

    channel = forms.ChoiceField(label=_("Hình thức nộp"), widget=forms.RadioSelect,
                                choices=[("desk", _("Trực tiếp tại Bộ phận Một cửa")),
                                         ("post", _("Qua dịch vụ bưu chính công ích"))], initial="desk")
    unit = forms.ModelChoiceField(label=_("Đơn vị tiếp nhận"), queryset=None, empty_label=None)
    applicant_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=200)
    applicant_id_number = forms.CharField(
        label=_("Số CCCD / mã số thuế"), max_length=20, required=False,
        help_text=_("Nếu người nộp có tài khoản công dân với số CCCD này, hồ sơ hiện trong “Hồ sơ của tôi” "
                    "của họ."))
    applicant_phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False,
                                      widget=forms.TextInput(attrs={"inputmode": "tel"}))
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    result_delivery = forms.ChoiceField(label=_("Nhận kết quả"), widget=forms.RadioSelect,
                                        choices=[(ResultDelivery.DESK, _("Tại Bộ phận Một cửa")),
                                                 (ResultDelivery.POST, _("Qua bưu chính"))],
                                        initial=ResultDelivery.DESK)
    delivery_address = forms.CharField(label=_("Địa chỉ nhận kết quả qua bưu chính"), max_length=300,
                                       required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: u.full_name
