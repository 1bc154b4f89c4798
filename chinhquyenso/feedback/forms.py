"""Forms of the feedback pages. Validation of rules lives in the services; these only parse input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chinhquyenso.feedback.constants import MAX_PHOTOS, LocationSource, Rating
from chinhquyenso.feedback.models import FeedbackCategory
from chinhquyenso.units.models import AdministrativeUnit


class SubmitForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Lĩnh vực"), queryset=FeedbackCategory.objects.filter(is_active=True).order_by("order", "name"),
        empty_label=_("— Chọn lĩnh vực —"))
    title = forms.CharField(label=_("Tiêu đề"), max_length=200,
                            help_text=_("Một câu ngắn, ví dụ: “Ổ gà lớn trước trường tiểu học”."))
    description = forms.CharField(label=_("Nội dung phản ánh"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("Sự việc gì, ở đâu, từ khi nào. Không cần ghi số điện thoại, CCCD."))
    unit = forms.ModelChoiceField(
        label=_("Xã, phường, thị trấn nơi xảy ra sự việc"), required=False,
        queryset=AdministrativeUnit.objects.filter(level="commune", is_active=True).order_by("name"),
        empty_label=_("— Chọn xã, phường —"),
        help_text=_("Không cần chọn nếu bạn đã chọn vị trí trên bản đồ."))
    village = forms.CharField(label=_("Thôn, tổ dân phố"), max_length=100, required=False)
    address_text = forms.CharField(label=_("Địa chỉ hoặc mô tả vị trí"), max_length=255, required=False,
                                   help_text=_("Ví dụ: “đường liên xã, cách cầu Phước Tích 200 m”."))
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    location_source = forms.ChoiceField(choices=LocationSource.choices, required=False, widget=forms.HiddenInput,
                                        initial=LocationSource.TYPED)
    anonymous_public = forms.BooleanField(
        label=_("Ẩn tên tôi khi công khai phản ánh"), required=False, initial=True,
        help_text=_("Cơ quan xử lý vẫn biết bạn là ai để trả lời; người xem trên cổng thì không."))
    confirm_not_duplicate = forms.BooleanField(
        label=_("Phản ánh của tôi khác với các phản ánh trên"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.HiddenInput, forms.CheckboxInput)):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    def clean(self):
        data = super().clean()
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not has_point and not data.get("unit"):
            self.add_error("unit", _("Hãy chọn vị trí trên bản đồ hoặc chọn xã, phường nơi xảy ra sự việc."))
        return data


def photo_uploads(files) -> list:
    from chinhquyenso.feedback.services import Upload

    uploads = [Upload(name=f.name, content=f.read()) for f in files.getlist("photos") if f and f.size]
    if len(uploads) > MAX_PHOTOS:
        from chinhquyenso.core.errors import DomainError

        raise DomainError("too_many_photos", str(_("Tối đa %(n)s ảnh.") % {"n": MAX_PHOTOS}), "photos")
    return uploads


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Mức độ hài lòng"), choices=Rating.choices, coerce=int,
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Ý kiến thêm (không bắt buộc)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
