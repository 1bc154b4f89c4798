from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from chinhquyenso.accounts.forms import CitizenRegistrationForm, ContactForm, LoginForm
from chinhquyenso.accounts.models import CitizenProfile
from chinhquyenso.accounts.services import citizen_register, user_contact_update
from chinhquyenso.core.errors import DomainError
from chinhquyenso.core.masking import mask_cccd
from chinhquyenso.core.ratelimit import client_ip, rate_limit_hit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context


LoginView.__doc__ = str(_("Đăng nhập bằng tên đăng nhập, thư điện tử hoặc số điện thoại."))


class RateLimitedFormMixin:
    """Refuse a POST beyond ``rate_limit_setting`` per client IP per hour with the form and a
    message (HTTP 429), before any work is done. django-axes covers only the login form."""

    rate_limit_scope = ""
    rate_limit_setting = ""

    def post(self, request, *args, **kwargs):
        limit = getattr(settings, self.rate_limit_setting)
        if not rate_limit_hit(self.rate_limit_scope, client_ip(request) or "unknown", limit=limit,
                              window_seconds=3600):
            kwargs = self.get_form_kwargs()
            kwargs.pop("data", None), kwargs.pop("files", None)  # a fresh form: nothing was checked
            form = self.get_form_class()(**kwargs)
            context = self.get_context_data(form=form, rate_limited=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetView(RateLimitedFormMixin, auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    rate_limit_scope = "password_reset"
    rate_limit_setting = "PASSWORD_RESET_LIMIT_PER_HOUR"


class CitizenRegisterView(RateLimitedFormMixin, FormView):
    """Self-registration of a citizen (``citizen_register``); the identity is verified later, at
    the one-stop desk or by logging in once through VNeID."""

    template_name = "accounts/register.html"
    form_class = CitizenRegistrationForm
    rate_limit_scope = "citizen_register"
    rate_limit_setting = "REGISTRATION_LIMIT_PER_HOUR"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("portal:home_for_role")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = citizen_register(
                username=data["cccd"], password=data["password1"], full_name=data["full_name"], cccd=data["cccd"],
                date_of_birth=data["date_of_birth"], gender=data["gender"], phone=data["phone"],
                email=data["email"], address_unit=data["address_unit"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        login(self.request, user, backend="chinhquyenso.accounts.backends.UsernameEmailPhoneBackend")
        messages.success(self.request, _("Đã tạo tài khoản. Bạn có thể nộp hồ sơ trực tuyến ngay."))
        return redirect("portal:home_for_role")


class PersonalInfoView(LoginRequiredMixin, FormView):
    """"Thông tin cá nhân": see the profile, change phone, e-mail and address."""

    template_name = "accounts/personal_info.html"
    form_class = ContactForm

    def profile(self):
        return CitizenProfile.objects.select_related("address_unit").filter(user=self.request.user).first()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["with_address"] = self._profile is not None
        return kwargs

    def get_initial(self):
        user, profile = self.request.user, self._profile
        initial = {"phone": user.phone, "email": user.email}
        if profile is not None:
            initial.update(address_line=profile.address_line, address_unit=profile.address_unit_id)
        return initial

    def dispatch(self, request, *args, **kwargs):
        self._profile = self.profile() if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile"] = self._profile
        context["masked_cccd"] = mask_cccd(self._profile.cccd) if self._profile else ""
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            changed = user_contact_update(
                user=self.request.user, phone=data["phone"], email=data["email"],
                address_line=data.get("address_line"), address_unit=data.get("address_unit"),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        if changed:
            messages.success(self.request, _("Đã lưu thông tin liên hệ."))
        else:
            messages.info(self.request, _("Không có thông tin nào thay đổi."))
        return redirect("accounts:personal_info")
