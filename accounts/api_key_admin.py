"""Integration keys in the Wagtail admin (Settings → API keys): the keys the brand's
own systems (a helpdesk, an app) use the API with, each acting as one member.

Wagtail's generic model views, cut down to what a key allows: a list of the
integration keys (never the members' personal tokens), a form that makes one and
shows its secret once, a page per key, and a POST-only "Revoke". There is no edit
or delete view: a secret cannot be changed, only replaced, and a revoked key's row
stays for the record.

Editors and superusers only (the model's permissions, given to Editors by accounts
0008); the create form and the revoke action go through accounts.services, which
ask accounts.permissions again.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.views.generic import CreateView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from accounts import services
from accounts.models import ApiCredential, ApiScope, User
from accounts.permissions import can_manage_integration_keys, integration_key_scope_refusal


class IntegrationKeyForm(WagtailAdminModelForm):
    """A new integration key: what it is for, whom it acts as, what it may do, how
    fast and for how long. The secret is made by the service, never typed."""

    EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365, "never": None}

    # A username rather than a list of every member: the community has thousands.
    # Only open accounts are found, so a closed or deactivated one is refused here.
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, closed_at=None),
        to_field_name="username",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        label=_("Acts as"),
        help_text=_(
            "The username of the member the key acts as: its requests have their roles, "
            "and what it posts is signed with their name."
        ),
        error_messages={"invalid_choice": _("No open account has this username.")},
    )
    requests_per_minute = forms.IntegerField(
        label=_("Requests per minute"),
        min_value=services.INTEGRATION_KEY_RATE_MIN,
        max_value=services.INTEGRATION_KEY_RATE_MAX,
        initial=60,
        help_text=_("Requests beyond this, in any minute, get 429 Too Many Requests."),
    )
    expires_in = forms.ChoiceField(
        label=_("Expires"),
        initial="365",
        choices=[
            ("30", _("In 30 days")),
            ("90", _("In 90 days")),
            ("365", _("In a year")),
            ("never", _("Never")),
        ],
    )

    class Meta:
        model = ApiCredential
        fields = ["name", "user", "scope", "requests_per_minute"]
        widgets = {"scope": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = ApiScope.choices
        self.fields["scope"].help_text = _(
            "Read and write lets the key ask, reply, vote and follow as its member; "
            "moderate needs a member who is a moderator."
        )

    def clean(self):
        cleaned_data = super().clean()
        member, scope = cleaned_data.get("user"), cleaned_data.get("scope")
        refusal = member and scope and integration_key_scope_refusal(member, scope)
        if refusal:
            self.add_error("scope", refusal)
        return cleaned_data

    def expires_at(self, now):
        days = self.EXPIRY_DAYS[self.cleaned_data["expires_in"]]
        return None if days is None else now + timedelta(days=days)


def key_state(credential: ApiCredential) -> str:
    if credential.revoked_at is not None:
        return str(_("Revoked"))
    return str(_("Active") if credential.is_usable() else _("Expired"))


def expiry_display(credential: ApiCredential) -> str:
    # A plain date: Wagtail's relative dates read "Just now" for any future moment.
    if credential.expires_at is None:
        return str(_("Never"))
    return formats.date_format(timezone.localtime(credential.expires_at), "DATE_FORMAT")


class IntegrationKeyIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(kind=ApiCredential.Kind.INTEGRATION)
            .select_related("user")
        )


class IntegrationKeyCreateView(CreateView):
    """The form; once the key is made, the page that shows its secret, this once."""

    created_template_name = "accounts/admin/integration_key_created.html"
    inspect_url_name = None

    def form_valid(self, form):
        self.form = form
        try:
            credential, secret = services.api_integration_key_create(
                by=self.request.user,
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                requests_per_minute=form.cleaned_data["requests_per_minute"],
                expires_at=form.expires_at(timezone.now()),
            )
        except ValidationError as error:
            form.add_error(None, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        except PermissionDenied:
            return HttpResponseForbidden()
        # Rendered, never redirected to: the secret must not reach a URL, a history
        # entry or a cache (no-store below). Always HTML, even to a JSON request.
        self.object = credential
        context = self.get_context_data(
            form=form,
            new_credential=credential,
            new_secret=secret,
            inspect_url=reverse(self.inspect_url_name, args=[credential.pk]),
            index_url=reverse(self.index_url_name),
        )
        response = self.response_class(
            request=self.request, template=[self.created_template_name], context=context
        )
        response["Cache-Control"] = "private, no-store"
        return response


class IntegrationKeyInspectView(InspectView):
    """A key's page: everything but its secret, and the "Revoke" button."""

    template_name = "accounts/admin/integration_key_inspect.html"
    revoke_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            ApiCredential.objects.select_related("user", "created_by"),
            pk=self.pk,
            kind=ApiCredential.Kind.INTEGRATION,
        )

    def get_user_display_value(self):
        return self.object.user.username

    def get_created_by_display_value(self):
        return self.object.created_by.username if self.object.created_by else "-"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["state"] = key_state(self.object)
        context["can_revoke"] = self.object.revoked_at is None and can_manage_integration_keys(
            self.request.user
        )
        context["revoke_url"] = reverse(self.revoke_url_name, args=[self.object.pk])
        return context


class IntegrationKeyRevokeView(View):
    """POST only: the key stops working at once; revoking it again changes nothing."""

    http_method_names = ["post"]
    index_url_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_integration_keys(request.user):
            return HttpResponseForbidden()
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, pk):
        credential = get_object_or_404(ApiCredential, pk=pk, kind=ApiCredential.Kind.INTEGRATION)
        was_usable = credential.revoked_at is None
        services.api_credential_revoke(user=request.user, credential=credential)
        if was_usable:
            messages.success(
                request,
                _("“%(name)s” is revoked: it stopped working at once.") % {"name": credential.name},
            )
        return redirect(self.index_url_name)


class IntegrationKeyViewSet(ModelViewSet):
    """Settings → API keys."""

    model = ApiCredential
    name = "api_keys"
    url_prefix = "api-keys"
    icon = "key"
    menu_label = _("API keys")
    add_to_settings_menu = True
    menu_order = 910
    add_to_reference_index = False
    index_view_class = IntegrationKeyIndexView
    add_view_class = IntegrationKeyCreateView
    inspect_view_class = IntegrationKeyInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    inspect_view_fields = [
        "name",
        "user",
        "scope",
        "prefix",
        "requests_per_minute",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_display = [
        "name",
        Column("user", label=_("Acts as"), accessor=lambda credential: credential.user.username),
        Column("scope", label=_("Access"), accessor="get_scope_display"),
        Column("requests_per_minute", label=_("Requests per minute")),
        DateColumn("last_used_at", label=_("Last used")),
        Column("expires_at", label=_("Expires"), accessor=expiry_display),
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor=key_state,
            primary=lambda credential: credential.is_usable(),
        ),
    ]
    list_filter = ["scope"]

    def get_form_class(self, for_update=False):
        return IntegrationKeyForm

    def get_common_view_kwargs(self, **kwargs):
        # No edit, delete, history or usage pages: their URLs are not registered.
        return super().get_common_view_kwargs(
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            revoke_url_name=self.get_url_name("revoke"), **kwargs
        )

    @property
    def url_finder_class(self):
        # Links to a key from elsewhere in the admin (the site history) open its page.
        return type(
            "IntegrationKeyURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )

    def get_urlpatterns(self):
        kept = {"index", "index_results", "add", "inspect"}
        return [
            *(pattern for pattern in super().get_urlpatterns() if pattern.name in kept),
            path(
                "revoke/<int:pk>/",
                IntegrationKeyRevokeView.as_view(index_url_name=self.get_url_name("index")),
                name="revoke",
            ),
        ]
