import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import SignupForm
from accounts.images import clean_upload
from accounts.services import user_record_consent
from community.legal import legal_accepted_revisions
from community.limits import SubmissionKeyField
from community.models import (
    ATTACHMENTS_PER_POST,
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    Category,
    SatisfactionRating,
)
from community.models.attachments import ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_PIXELS
from community.services import MAX_TAGS, normalize_tags

_SURROGATE = re.compile("[\ud800-\udfff]")

MARKDOWN_HELP = _(
    "Markdown works: **bold**, *italic*, lists, `code`, links; @name mentions a member."
)


def _clean_text(value: str) -> str:
    # NUL characters cannot be stored by PostgreSQL and mean nothing in a post; a lone
    # surrogate (half of a UTF-16 pair) is no character at all and cannot be encoded.
    # Through HTTP neither arrives (undecodable bytes become U+FFFD), but a form can
    # be filled from elsewhere.
    if "\x00" in value or _SURROGATE.search(value):
        raise ValidationError(_("The text holds a character that cannot be saved."), code="nul")
    return value


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Details"))
        kwargs.setdefault("max_length", BODY_MAX_LENGTH)
        kwargs.setdefault("help_text", MARKDOWN_HELP)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 10}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value.strip():
            raise ValidationError(self.error_messages["required"], code="required")
        return _clean_text(value)


class TitleField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Title"))
        kwargs.setdefault("min_length", TITLE_MIN_LENGTH)
        kwargs.setdefault("max_length", TITLE_MAX_LENGTH)
        kwargs.setdefault(
            "help_text", _("Say what goes wrong, with the product name: 10 to 150 characters.")
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        # A title is one line, whatever was pasted into it.
        return " ".join(super().to_python(value).split())

    def clean(self, value):
        return _clean_text(super().clean(value))


# Lazy, so the help is translated into the reader's language on each request,
# not once into whatever language was active when the module was imported.
_tags_help_text = lazy(
    lambda: (
        gettext("Up to %(limit)s, separated by commas: e.g. espresso, descaling")
        % {"limit": MAX_TAGS}
    ),
    str,
)


class TagsField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Tags"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("help_text", _tags_help_text())
        super().__init__(**kwargs)

    def clean(self, value):
        return normalize_tags(_clean_text(super().clean(value)))


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


_images_help_text = lazy(
    lambda: (
        gettext(
            "Up to %(count)s screenshots or photos (PNG, JPEG, WebP or GIF), %(size)s MB "
            "each. We remove the location and camera data from photos."
        )
        % {"count": ATTACHMENTS_PER_POST, "size": ATTACHMENT_MAX_BYTES // (1024 * 1024)}
    ),
    str,
)


class ImagesField(forms.FileField):
    """Several images from one file button: each is checked by its content and
    re-encoded (accounts.images); cleans to a list of CleanImage."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Images"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _images_help_text())
        kwargs.setdefault(
            "widget",
            MultipleImageInput(
                attrs={
                    "accept": "image/png,image/jpeg,image/webp,image/gif",
                    "data-image-input": "",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > ATTACHMENTS_PER_POST:
            raise ValidationError(
                _("Attach at most %(limit)s images."),
                code="too_many_images",
                params={"limit": ATTACHMENTS_PER_POST},
            )
        images, errors = [], []
        for upload in files:
            upload = super().clean(upload, initial)
            try:
                images.append(
                    clean_upload(
                        upload, max_bytes=ATTACHMENT_MAX_BYTES, max_pixels=ATTACHMENT_MAX_PIXELS
                    )
                )
            except ValidationError as error:
                for message in error.messages:
                    errors.append(
                        ValidationError(
                            _("“%(name)s”: %(message)s"),
                            code=error.code,
                            params={"name": upload.name, "message": message},
                        )
                    )
        if errors:
            raise ValidationError(errors)
        return images


class WithImagesForm(forms.Form):
    """A post form with images: a file input cannot be filled in again, so when
    another field is wrong the member is told to choose their images again."""

    def clean(self):
        cleaned = super().clean()
        if self.errors and self.cleaned_data.get("images") and "images" not in self.errors:
            self.add_error(
                "images",
                ValidationError(
                    _("Your images are not saved yet: choose them again once the rest is fixed."),
                    code="images_again",
                ),
            )
        return cleaned


class AskForm(WithImagesForm):
    title = TitleField()
    body = BodyField(help_text=MARKDOWN_HELP)
    images = ImagesField()
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.originals(),
        empty_label=_("Choose a category"),
    )
    tags = TagsField()
    language = forms.ChoiceField(
        label=_("Language of your question"),
        choices=settings.LANGUAGES,
        # A form sent without it (from before the field, or a script) is written in
        # the author's language, as thread_create decides.
        required=False,
        help_text=_("Members who read this language see your question first."),
    )
    # The same form sent twice makes one thread (community/limits.py).
    submission_key = SubmissionKeyField()

    def __init__(self, *args, author=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Most members write in the language they chose for the site; a member
        # without a saved choice (or one no longer offered) writes in the page's.
        offered = {code for code, _name in settings.LANGUAGES}
        saved = getattr(author, "language", "")
        self.fields["language"].initial = saved if saved in offered else _active_language()
        # As the member types, htmx shows threads and articles that may already answer.
        self.fields["title"].widget.attrs.update(
            {
                "data-hx-get": reverse("community:ask_suggestions"),
                "data-hx-trigger": "input changed delay:400ms",
                "data-hx-target": "#ask-suggestions",
                "data-hx-sync": "this:replace",
                "aria-controls": "ask-suggestions",
                "autocomplete": "off",
            }
        )


def _active_language() -> str:
    offered = {code for code, _name in settings.LANGUAGES}
    active = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in offered else settings.LANGUAGE_CODE


class ThreadEditForm(forms.Form):
    title = TitleField()
    body = BodyField()
    tags = TagsField()


class ReplyForm(WithImagesForm):
    body = BodyField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}))
    images = ImagesField()
    # The same form sent twice makes one reply (community/limits.py).
    submission_key = SubmissionKeyField()


class ReplyEditForm(forms.Form):
    """An edit changes the text; the images the reply has stay as they are."""

    body = BodyField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}))


class PreviewForm(forms.Form):
    body = forms.CharField(max_length=BODY_MAX_LENGTH, required=False, strip=False)


SEARCH_STATUSES = [
    ("", _("Any status")),
    ("solved", _("Solved")),
    ("awaiting-official", _("Awaiting an official reply")),
    ("unanswered", _("Unanswered")),
]


class SearchFilterForm(forms.Form):
    """The filters beside the search results; the query itself is read by the view."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.originals(),
        required=False,
        empty_label=_("All categories"),
        to_field_name="slug",
    )
    tag = forms.SlugField(label=_("Tag"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=SEARCH_STATUSES, required=False)


class DeflectionForm(forms.Form):
    thread = forms.IntegerField(required=False, min_value=1)
    article = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("thread") is None) == (cleaned.get("article") is None):
            raise forms.ValidationError(_("Say which discussion or article solved it."))
        return cleaned


def consent_label():
    """ "I accept the terms of use and the privacy policy", with links to both, built
    per request: the links' text follows the reader's language."""
    return format_html(
        gettext("I accept the {terms} and the {privacy}."),
        terms=format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("legal_page", kwargs={"kind": "terms"}),
            gettext("terms of use"),
        ),
        privacy=format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("legal_page", kwargs={"kind": "privacy"}),
            gettext("privacy policy"),
        ),
    )


def record_consent_now(user) -> None:
    """`user` accepted the terms and the privacy policy as published now."""
    revisions = legal_accepted_revisions()
    user_record_consent(
        user=user,
        accepted_at=timezone.now(),
        terms_revision=revisions["terms"],
        privacy_revision=revisions["privacy"],
    )


class ConsentSignupForm(SignupForm):
    """allauth's sign-up form with the consent the law asks for: the member accepts
    the terms of use and the privacy policy, and the revisions they accepted are
    recorded on the account."""

    accept_terms = forms.BooleanField(
        required=True,
        error_messages={
            "required": _("To sign up, accept the terms of use and the privacy policy.")
        },
    )

    field_order = [*SignupForm.field_order, "accept_terms"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"].label = consent_label()

    def signup(self, request, user):
        super().signup(request, user)
        record_consent_now(user)


class AskWithConsentForm(AskForm):
    """The ask form for a member who has accepted no terms of the community yet (one
    the brand handed over from its own site, community/embed): they accept them with
    their first question."""

    accept_terms = forms.BooleanField(
        required=True,
        error_messages={"required": _("To ask, accept the terms of use and the privacy policy.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"].label = consent_label()


class SatisfactionForm(forms.Form):
    """How satisfied a member is with the help they got, 1 to 5, and why."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the help you got?"),
        choices=[
            (5, _("5 — Very satisfied")),
            (4, _("4 — Satisfied")),
            (3, _("3 — Neither satisfied nor dissatisfied")),
            (2, _("2 — Dissatisfied")),
            (1, _("1 — Very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell the team? (optional)"),
        help_text=_("Only the team reads your score and your comment."),
        required=False,
        max_length=SatisfactionRating.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
