from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.images import square_of
from accounts.models import User

# An avatar is stored as a square of this side, cropped from the upload's centre;
# pages show it at 24 to 64 pixels (twice that on dense screens).
AVATAR_SIDE = 256
AVATAR_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
AVATAR_UPLOAD_MAX_PIXELS = 40_000_000


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
        fields = ["display_name", "bio", "avatar", "language", "email_notifications"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
            "language": forms.RadioSelect,
            "email_notifications": forms.RadioSelect,
        }
        help_texts = {
            "avatar": _(
                "A PNG, JPEG, WebP or GIF image of at most 5 MB; we crop it to a square. "
                "Without one, your initial is shown."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language in its own name, as the switcher shows it: someone who cannot
        # read the current one still finds theirs.
        self.fields["language"].choices = [
            (code, capfirst(translation.get_language_info(code)["name_local"]))
            for code, _name in settings.LANGUAGES
        ]
        # The page always sends the checked one; a client that posts only what it
        # changes keeps the member's language as it is.
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if isinstance(avatar, UploadedFile):  # a new upload, not the stored picture
            square = square_of(
                avatar,
                side=AVATAR_SIDE,
                max_bytes=AVATAR_UPLOAD_MAX_BYTES,
                max_pixels=AVATAR_UPLOAD_MAX_PIXELS,
            )
            return square.as_file("avatar")
        return avatar


class CloseAccountForm(forms.Form):
    """Closing an account cannot be undone: the member proves it is them, and says so."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be closed for good."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you want to close it.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password
