import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import SignupForm
from accounts.services import user_record_consent
from community.legal import legal_accepted_revisions
from community.limits import SubmissionKeyField
from community.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, TITLE_MIN_LENGTH, Category
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


class AskForm(forms.Form):
    title = TitleField()
    body = BodyField(help_text=MARKDOWN_HELP)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("Choose a category")
    )
    tags = TagsField()
    # The same form sent twice makes one thread (community/limits.py).
    submission_key = SubmissionKeyField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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


class ThreadEditForm(forms.Form):
    title = TitleField()
    body = BodyField()
    tags = TagsField()


class ReplyForm(forms.Form):
    body = BodyField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}))
    # The same form sent twice makes one reply (community/limits.py).
    submission_key = SubmissionKeyField()


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
        queryset=Category.objects.all(),
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
        # Built per request: the links' text follows the reader's language.
        self.fields["accept_terms"].label = format_html(
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

    def signup(self, request, user):
        super().signup(request, user)
        revisions = legal_accepted_revisions()
        user_record_consent(
            user=user,
            accepted_at=timezone.now(),
            terms_revision=revisions["terms"],
            privacy_revision=revisions["privacy"],
        )
