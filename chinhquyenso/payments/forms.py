from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.payments.models import Method


class _Styled(forms.Form):
    """Bootstrap classes on text inputs; the template renders labels, help and errors accessibly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput | forms.Select):
                continue
            widget.attrs.setdefault("class", "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                css = self.fields[name].widget.attrs.get("class", "")
                if css and "is-invalid" not in css:
                    self.fields[name].widget.attrs["class"] = css + " is-invalid"


class DeskPaymentForm(_Styled):
    method = forms.ChoiceField(label=_("Hình thức"), choices=[(Method.CASH, Method.CASH.label),
                                                              (Method.POS, Method.POS.label)],
                               widget=forms.RadioSelect, initial=Method.CASH)
    amount = forms.IntegerField(label=_("Số tiền thu (đồng)"), min_value=1)
    pos_ref = forms.CharField(label=_("Số chuẩn chi trên phiếu POS"), required=False, max_length=64,
                              help_text=_("Chỉ nhập khi thu bằng thẻ qua máy POS."))


class RefundForm(_Styled):
    amount = forms.IntegerField(label=_("Số tiền hoàn (đồng)"), min_value=1)
    method = forms.ChoiceField(label=_("Hình thức hoàn"), choices=Method.choices)
    reason = forms.CharField(label=_("Lý do hoàn tiền"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    external_ref = forms.CharField(label=_("Số chứng từ / mã giao dịch hoàn"), required=False, max_length=64)


class CancelForm(_Styled):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=255)


class StatementUploadForm(_Styled):
    bank_account = forms.ModelChoiceField(label=_("Tài khoản nhận"), queryset=None, empty_label=None)
    file = forms.FileField(label=_("Tệp sao kê (CSV hoặc XLSX)"),
                           help_text=_("Các cột: ngày, số tiền, nội dung, số tham chiếu."))

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].queryset = accounts


class LineResolveForm(_Styled):
    invoice = forms.CharField(label=_("Khoản thu (mã thanh toán)"), required=False, max_length=20)
    ignore = forms.BooleanField(label=_("Không phải khoản thu phí, lệ phí"), required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=255)


class DayForm(_Styled):
    ngay = forms.DateField(label=_("Ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def day(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("ngay"):
            return self.cleaned_data["ngay"]
        return timezone.localdate()


class PeriodForm(_Styled):
    tu = forms.DateField(label=_("Từ ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    den = forms.DateField(label=_("Đến ngày"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("tu") or today.replace(month=1, day=1)
        end = data.get("den") or today
        return (start, end) if start <= end else (end, start)
