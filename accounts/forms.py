from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.images import square_of
from accounts.models import ApiScope, User
from accounts.names import check_display_name
from accounts.permissions import public_profile_refusal
from accounts.roles import is_moderator
from accounts.services import KEEP

# An avatar is stored as a square of this side, cropped from the upload's centre;
# pages show it at 24 to 64 pixels (twice that on dense screens).
AVATAR_SIDE = 256
AVATAR_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
AVATAR_UPLOAD_MAX_PIXELS = 40_000_000
# What others see of a member; a suspended member cannot change it.
PUBLIC_FIELDS = ("display_name", "bio", "avatar")


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

    def clean_display_name(self):
        display_name = self.cleaned_data.get("display_name", "")
        # Nobody signs up as staff: staff accounts are made by an administrator.
        check_display_name(display_name, user=None)
        return display_name

    def signup(self, request, user):
        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["display_name"])


class PictureField(forms.ImageField):
    """An image judged by its content alone: Django's check of the file name's
    extension is left out, as the name is never used (accounts.images)."""

    default_validators = []


class ProfileForm(forms.ModelForm):
    """The member's profile. It only reads and checks what was sent: the view hands
    the result to accounts.services.user_update_profile, which saves it. The cleaned
    avatar is a re-encoded image (a new picture), None (remove it) or KEEP."""

    avatar = PictureField(
        label=capfirst(User._meta.get_field("avatar").verbose_name),
        required=False,
        widget=forms.ClearableFileInput,
        help_text=_(
            "A PNG, JPEG, WebP or GIF image of at most 5 MB; we crop it to a square. "
            "Without one, your initial is shown."
        ),
    )

    field_order = [
        "display_name",
        "bio",
        "avatar",
        "language",
        "email_notifications",
        "digest",
        "moderator_summary",
    ]

    class Meta:
        model = User
        fields = [
            "display_name",
            "bio",
            "language",
            "email_notifications",
            "digest",
            "moderator_summary",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
            "language": forms.RadioSelect,
            "email_notifications": forms.RadioSelect,
            "digest": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["avatar"] = self.instance.avatar
        # Each language in its own name, as the switcher shows it: someone who cannot
        # read the current one still finds theirs.
        self.fields["language"].choices = [
            (code, capfirst(translation.get_language_info(code)["name_local"]))
            for code, _name in settings.LANGUAGES
        ]
        # The page always sends the checked one; a client that posts only what it
        # changes keeps the member's language as it is.
        self.fields["language"].required = False
        # As for the language: a client that does not send the digest keeps it.
        self.fields["digest"].required = False
        # The moderators' summary is for moderators; others are not offered it.
        if not is_moderator(self.instance):
            del self.fields["moderator_summary"]
        # A suspended member sees their public profile but cannot change it; their
        # language and e-mails stay theirs to choose.
        self.public_refusal = public_profile_refusal(self.instance)
        if self.public_refusal:
            for name in PUBLIC_FIELDS:
                self.fields[name].disabled = True

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def clean_digest(self):
        return self.cleaned_data.get("digest") or self.instance.digest

    def clean_display_name(self):
        display_name = self.cleaned_data.get("display_name", "")
        if display_name != self.instance.display_name:
            check_display_name(display_name, user=self.instance)
        return display_name

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if avatar is False:  # "Clear" ticked, no new file
            return None
        if isinstance(avatar, UploadedFile):  # a new upload, not the stored picture
            return square_of(
                avatar,
                side=AVATAR_SIDE,
                max_bytes=AVATAR_UPLOAD_MAX_BYTES,
                max_pixels=AVATAR_UPLOAD_MAX_PIXELS,
            )
        return KEEP

    def clean(self):
        cleaned = super().clean()
        if self.public_refusal and self._asks_public_change():
            raise forms.ValidationError(self.public_refusal, code="suspended")
        return cleaned

    def _asks_public_change(self) -> bool:
        """Whether the request tried to change a field the member may not change
        (the disabled fields themselves ignore what is sent)."""
        for name in ("display_name", "bio"):
            sent = self.data.get(self.add_prefix(name))
            if sent is not None and sent.strip() != getattr(self.instance, name).strip():
                return True
        avatar = self.add_prefix("avatar")
        return bool(self.files.get(avatar) or self.data.get(f"{avatar}-clear"))

    def profile_changes(self) -> dict:
        """The keyword arguments of user_update_profile for what was sent."""
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "bio": data["bio"],
            "language": data["language"],
            "email_notifications": data["email_notifications"],
            "digest": data["digest"],
            # None: not offered (not a moderator), so left as it is.
            "moderator_summary": data.get("moderator_summary"),
            "avatar": data["avatar"],
        }


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


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for, what it may do, how long it lasts."""

    EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365, "never": None}

    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “My home dashboard”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        widget=forms.RadioSelect,
        initial="read",
        help_text=_("Read and write lets the token ask, reply, vote and follow as you."),
    )
    expires_in = forms.ChoiceField(
        label=_("Expires"),
        initial="90",
        choices=[
            ("30", _("In 30 days")),
            ("90", _("In 90 days")),
            ("365", _("In a year")),
            ("never", _("Never")),
        ],
    )

    def __init__(self, *args, moderates: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        scopes = [ApiScope.READ, ApiScope.WRITE] + ([ApiScope.MODERATE] if moderates else [])
        self.fields["scope"].choices = [(scope.value, scope.label) for scope in scopes]

    def expires_at(self, now):
        days = self.EXPIRY_DAYS[self.cleaned_data["expires_in"]]
        return None if days is None else now + timedelta(days=days)
