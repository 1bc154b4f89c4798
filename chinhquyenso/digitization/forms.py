"""Forms of the digitisation and data-warehouse pages: they parse input; rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

ACCEPT_SCANS = "application/pdf,image/jpeg,image/png,image/tiff,.pdf,.jpg,.jpeg,.png,.tif,.tiff"
ACCEPT_DOCUMENTS = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the pages of one document, in the order chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_SCANS}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    def add_domain_error(self, exc) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class ScanForm(StyledForm):
    title = forms.CharField(label=_("Tên tài liệu"), max_length=300,
                            help_text=_("Ví dụ: Giấy khai sinh của Nguyễn Văn An; Công văn số 12/UBND."))
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, empty_label=None)
    files = MultipleFileField(label=_("Tệp bản quét"),
                              help_text=_("PDF hoặc ảnh quét JPEG, PNG, TIFF; chọn nhiều ảnh cho nhiều trang "
                                          "(theo thứ tự chọn). Nên quét ở 300 dpi."))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: u.full_name
        only = list(units[:2])
        if len(only) == 1:  # one unit: nothing to choose
            self.fields["unit"].widget = forms.HiddenInput()
            self.fields["unit"].initial = only[0].pk


class WarehouseUploadForm(StyledForm):
    title = forms.CharField(label=_("Tên giấy tờ"), max_length=500,
                            help_text=_("Ví dụ: Căn cước công dân, Giấy chứng nhận kết hôn, Bằng tốt nghiệp."))
    document_number = forms.CharField(label=_("Số, ký hiệu (nếu có)"), max_length=60, required=False)
    issued_on = forms.DateField(label=_("Ngày cấp (nếu có)"), required=False,
                                help_text=_("Dạng ngày/tháng/năm, ví dụ 15/01/2024."),
                                widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))
    file = forms.FileField(label=_("Tệp"), help_text=_("PDF, JPEG hoặc PNG, tối đa 20 MB."),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_DOCUMENTS}))
