from __future__ import annotations

from django import forms

from chinhquyenso.notifications.constants import OPTIONAL_CHANNELS, Channel


class PreferencesForm(forms.Form):
    """One switch per optional channel; field names are the channel codes."""

    def __init__(self, *args, help_texts: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for channel in OPTIONAL_CHANNELS:
            self.fields[channel] = forms.BooleanField(
                label=Channel(channel).label, required=False, help_text=(help_texts or {}).get(channel, ""),
            )
