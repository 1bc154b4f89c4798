from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chinhquyenso.accounts.models import Gender, User
from chinhquyenso.accounts.validators import normalize_phone, validate_cccd


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Tên đăng nhập, số CCCD, thư điện tử hoặc số điện thoại"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "class": "form-control"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý chữ hoa, chữ thường."),
        "inactive": _("Tài khoản này đã bị khoá."),
    }


# --- Self-registration and contact details ----------------------------------------------------------

_INPUT = {"class": "form-control"}


class MarkInvalidMixin:
    """Give fields with errors Bootstrap's ``is-invalid`` (Django already sets aria-invalid)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class CommuneChoiceField(forms.TypedChoiceField):
    """A commune picker grouped by district; cleans to the ``AdministrativeUnit``."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.widget.attrs.update({"class": "form-select"})

    def load_choices(self):
        from chinhquyenso.accounts.selectors import commune_choices

        self.choices = [("", _("— Chọn xã, phường, thị trấn —")), *commune_choices()]

    def clean(self, value):
        pk = super().clean(value)
        if pk is None:
            return None
        from chinhquyenso.units.models import AdministrativeUnit

        return AdministrativeUnit.objects.get(pk=pk)


class CitizenRegistrationForm(MarkInvalidMixin, forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150,
                                widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "name"}))
    cccd = forms.CharField(label=_("Số định danh cá nhân (CCCD)"), max_length=20,
                           help_text=_("12 chữ số, in trên thẻ căn cước."),
                           widget=forms.TextInput(attrs={**_INPUT, "inputmode": "numeric", "autocomplete": "off"}))
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"), input_formats=["%d/%m/%Y"], help_text=_("Ngày/tháng/năm, ví dụ 02/09/1990."),
        error_messages={"invalid": _("Nhập ngày sinh theo dạng ngày/tháng/năm, ví dụ 02/09/1990.")},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={**_INPUT, "placeholder": "dd/mm/yyyy",
                                                          "autocomplete": "bday", "inputmode": "numeric"}),
    )
    gender = forms.ChoiceField(label=_("Giới tính"), choices=Gender.choices, widget=forms.RadioSelect)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20,
                            widget=forms.TextInput(attrs={**_INPUT, "inputmode": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("Thư điện tử (không bắt buộc)"), required=False,
                             error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
                             help_text=_("Dùng để nhận thông báo và lấy lại mật khẩu."),
                             widget=forms.EmailInput(attrs={**_INPUT, "autocomplete": "email"}))
    address_unit = CommuneChoiceField(label=_("Xã, phường, thị trấn nơi cư trú"))
    password1 = forms.CharField(
        label=_("Mật khẩu"), strip=False,
        help_text=_("Ít nhất 10 ký tự, không toàn chữ số, không giống tên hay số CCCD."),
        widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}),
    )
    password2 = forms.CharField(label=_("Nhập lại mật khẩu"), strip=False,
                                widget=forms.PasswordInput(attrs={**_INPUT, "autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address_unit"].load_choices()

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_cccd(self):
        return validate_cccd(self.cleaned_data["cccd"])

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Ngày sinh không thể sau ngày hôm nay."), code="dob_future")
        if value.year < 1900:
            raise forms.ValidationError(_("Năm sinh không hợp lệ."), code="dob_too_old")
        return value

    def clean(self):
        data = super().clean()
        cccd, dob, gender = data.get("cccd"), data.get("date_of_birth"), data.get("gender")
        if cccd and dob and gender:
            try:
                validate_cccd(cccd, date_of_birth=dob, gender=gender)
            except forms.ValidationError as exc:
                self.add_error("cccd", exc)
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", forms.ValidationError(_("Hai mật khẩu không khớp nhau."),
                                                              code="password_mismatch"))
        elif password1:
            probe = User(username=cccd or "", full_name=data.get("full_name", ""), email=data.get("email", ""),
                         phone=data.get("phone", ""))
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ContactForm(MarkInvalidMixin, forms.Form):
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20,
                            widget=forms.TextInput(attrs={**_INPUT, "inputmode": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("Thư điện tử"), required=False,
                             error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
                             widget=forms.EmailInput(attrs={**_INPUT, "autocomplete": "email"}))
    address_line = forms.CharField(label=_("Địa chỉ (số nhà, thôn, tổ dân phố, đường)"), max_length=255,
                                   required=False,
                                   widget=forms.TextInput(attrs={**_INPUT, "autocomplete": "street-address"}))
    address_unit = CommuneChoiceField(label=_("Xã, phường, thị trấn"))

    def __init__(self, *args, with_address: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_address:
            self.fields["address_unit"].load_choices()
        else:  # staff accounts have no citizen profile, hence no address here
            del self.fields["address_line"], self.fields["address_unit"]

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])
