from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls signup() after saving)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Optional. How your name appears on your posts."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["email", "username", "display_name", "password1", "password2"]

    def signup(self, request, user):
        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["display_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "bio", "avatar", "email_notifications"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
            "email_notifications": forms.RadioSelect,
        }
