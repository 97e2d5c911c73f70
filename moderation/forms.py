from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moderation.models import Report
from moderation.services.reasons import REASON_MAX_LENGTH
from moderation.services.reports import NOTE_MAX_LENGTH


def _no_nul(value: str) -> str:
    # NUL characters cannot be stored by PostgreSQL and mean nothing in a note.
    if "\x00" in value:
        raise forms.ValidationError(_("The text holds a character that cannot be saved."))
    return value


class ReportForm(forms.Form):
    """Why a member reports a post; the note is optional."""

    reason = forms.ChoiceField(
        label=_("What is wrong with this post?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason."), "invalid_choice": _("Choose a reason.")},
    )
    note = forms.CharField(
        label=_("Anything a moderator should know? (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At most 500 characters."),
    )

    def clean_note(self):
        return _no_nul(self.cleaned_data["note"])


SUSPENSION_PRESETS = {"1": 1, "7": 7, "30": 30}
CUSTOM = "custom"


class SuspendForm(forms.Form):
    """How long a member is suspended and why; `hide_post` only when the form was
    opened from a report."""

    duration = forms.ChoiceField(
        label=_("How long?"),
        choices=[
            ("1", _("1 day")),
            ("7", _("7 days")),
            ("30", _("30 days")),
            (CUSTOM, _("Until a date of your choice")),
        ],
        initial="7",
        widget=forms.RadioSelect,
    )
    until = forms.DateTimeField(
        label=_("Suspended until (for a date of your choice)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member reads it at the top of every page while the suspension lasts."),
    )
    hide_post = forms.BooleanField(label=_("Also hide the reported post"), required=False)
    thread = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reply = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, with_post: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["until"].help_text = _("Time zone: %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()
        }
        if not with_post:
            del self.fields["hide_post"]

    def clean_reason(self):
        return _no_nul(self.cleaned_data["reason"])

    def clean(self):
        cleaned = super().clean()
        duration = cleaned.get("duration")
        if duration == CUSTOM:
            if not cleaned.get("until"):
                self.add_error("until", _("Choose the date and time the suspension ends."))
            else:
                cleaned["suspended_until"] = cleaned["until"]
        elif duration in SUSPENSION_PRESETS:
            cleaned["suspended_until"] = timezone.now() + timedelta(
                days=SUSPENSION_PRESETS[duration]
            )
        return cleaned
