"""Pre-fill ("only once": never ask again what the government already holds).

A field's UI schema may name a source in ``prefill``:
- ``profile.<attr>``: the citizen's verified profile (full_name, cccd, date_of_birth, gender,
  phone, email, address_line, address_unit);
- ``organisation.<attr>``: the organisation the user represents (name, tax_code, address_line,
  address_unit);
- ``previous``: the answer the applicant gave to the same field in their latest submission of
  the same procedure (for facts about the applicant that the profile does not hold; never the
  default, because most answers describe *this* event: the child, the house, the transaction).
A ``profile.*`` field whose profile value is empty falls back to the previous submission too.
Only top-level fields are pre-filled, and only with values that fit the field's widget.
"""

from __future__ import annotations

from chinhquyenso.eforms.engine import EForm
from chinhquyenso.eforms.formats import format_date_vn


def _profile_values(user) -> dict[str, object]:
    profile = None
    if getattr(user, "is_authenticated", False):
        from chinhquyenso.accounts.models import CitizenProfile

        profile = CitizenProfile.objects.select_related("address_unit").filter(user_id=user.pk).first()
    values: dict[str, object] = {}
    if profile is not None:
        values.update({
            "profile.full_name": profile.full_name or user.full_name,
            "profile.cccd": profile.cccd,
            "profile.date_of_birth": format_date_vn(profile.date_of_birth) if profile.date_of_birth else None,
            "profile.gender": profile.gender,
            "profile.phone": profile.phone or user.phone,
            "profile.email": profile.email or user.email,
            "profile.address_line": profile.address_line,
            "profile.address_unit": profile.address_unit.code if profile.address_unit_id else None,
        })
    elif getattr(user, "is_authenticated", False):
        values.update({"profile.full_name": user.full_name, "profile.phone": user.phone,
                       "profile.email": user.email})
    if getattr(user, "is_authenticated", False):
        membership = (user.organisationmember_set.select_related("organisation__address_unit")
                      .order_by("-is_representative", "id").first())
        if membership is not None:
            org = membership.organisation
            values.update({
                "organisation.name": org.name, "organisation.tax_code": org.tax_code,
                "organisation.address_line": org.address_line,
                "organisation.address_unit": org.address_unit.code if org.address_unit_id else None,
            })
    return {k: v for k, v in values.items() if v not in (None, "")}


def _fits(fdef, value) -> bool:
    if fdef.widget in ("select", "radio"):
        return value in {v for v, _label in fdef.choices}
    if fdef.widget == "checkbox":
        return isinstance(value, bool)
    if fdef.widget == "group":
        return isinstance(value, list)
    return value is not None and value != ""


def prefill_data(form: EForm, *, user, previous: dict | None) -> tuple[dict, set[str]]:
    """Initial answers for a first visit, and the pointers that were pre-filled (to say so)."""
    needs_profile = any(str(f.ui.get("prefill", "")).startswith(("profile.", "organisation."))
                        for f in form.fields.values())
    profile = _profile_values(user) if needs_profile else {}
    previous = previous if isinstance(previous, dict) else {}
    data: dict = {}
    filled: set[str] = set()
    for fdef in form.fields.values():
        source = fdef.ui.get("prefill")
        if not source:
            continue
        value = profile.get(source) if source != "previous" else None
        if value is None and fdef.name in previous:
            value = previous[fdef.name]
        if value is not None and _fits(fdef, value):
            data[fdef.name] = value
            filled.add(f"/{fdef.name}")
    return data, filled
