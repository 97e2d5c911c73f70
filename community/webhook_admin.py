"""Webhook subscriptions in the Wagtail admin (Settings → Webhooks): Wagtail's own
snippet views, whose edit page adds the pause notice and the delivery log, and two
small POST actions registered with the viewset: "Send again" and "Resume".

Editors and superusers only (the model's permissions, given to Editors by
community 0036); the actions ask community.permissions again, and the services
ask it a third time.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from community import permissions, services
from community.models import WebhookDelivery, WebhookSubscription
from community.webhook_delivery import MAX_ATTEMPTS, PAUSE_AFTER_GIVEN_UP

# How many deliveries the edit page lists, the latest first.
DELIVERY_LOG_LENGTH = 50


class WebhookSubscriptionEditView(EditView):
    """The snippet's edit page, with its pause notice and delivery log (the template
    wagtailsnippets/snippets/community/webhooksubscription/edit.html)."""

    resend_url_name = ""
    resume_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["deliveries"] = self.object.deliveries.order_by("-created_at", "-pk")[
            :DELIVERY_LOG_LENGTH
        ]
        context["delivery_log_length"] = DELIVERY_LOG_LENGTH
        context["resend_url_name"] = self.resend_url_name
        context["resume_url"] = reverse(self.resume_url_name, args=[self.object.pk])
        context["max_attempts"] = MAX_ATTEMPTS
        context["pause_after"] = PAUSE_AFTER_GIVEN_UP
        return context


class _WebhookActionView(View):
    """A POST-only action of an editor, back to the subscription's edit page."""

    http_method_names = ["post"]
    edit_url_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_manage_webhooks(request.user):
            return HttpResponseForbidden()
        return super().dispatch(request, *args, **kwargs)

    def back_to(self, subscription_id: int):
        return redirect(reverse(self.edit_url_name, args=[subscription_id]))


class WebhookDeliveryResendView(_WebhookActionView):
    def post(self, request, pk):
        delivery = get_object_or_404(WebhookDelivery, pk=pk)
        try:
            services.webhook_delivery_resend(user=request.user, delivery=delivery)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            return HttpResponseForbidden()
        else:
            messages.success(request, _("The event was sent again; its status is below."))
        return self.back_to(delivery.subscription_id)


class WebhookSubscriptionResumeView(_WebhookActionView):
    def post(self, request, pk):
        subscription = get_object_or_404(WebhookSubscription, pk=pk)
        if services.webhook_subscription_resume(user=request.user, subscription=subscription):
            messages.success(
                request, _("The subscription is resumed: waiting deliveries are retried.")
            )
        return self.back_to(subscription.pk)


def _state(subscription: WebhookSubscription) -> str:
    if subscription.is_paused:
        return str(_("Paused"))
    return str(_("Active") if subscription.is_active else _("Off"))


class WebhookSubscriptionViewSet(SnippetViewSet):
    """Settings → Webhooks: the receivers of the community's events."""

    model = WebhookSubscription
    icon = "link-external"
    menu_label = _("Webhooks")
    add_to_settings_menu = True
    menu_order = 900
    edit_view_class = WebhookSubscriptionEditView
    search_backend_name = None
    search_fields = ["name", "target_url"]
    list_display = [
        "name",
        "target_url",
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor=_state,
            primary=lambda subscription: subscription.is_active and not subscription.is_paused,
        ),
        Column("paused_at", label=_("Paused at")),
        "created_at",
    ]

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            resend_url_name=self.get_url_name("resend"),
            resume_url_name=self.get_url_name("resume"),
            **kwargs,
        )

    def get_urlpatterns(self):
        edit_url_name = self.get_url_name("edit")
        return [
            *super().get_urlpatterns(),
            path(
                "resume/<int:pk>/",
                WebhookSubscriptionResumeView.as_view(edit_url_name=edit_url_name),
                name="resume",
            ),
            path(
                "delivery/<int:pk>/resend/",
                WebhookDeliveryResendView.as_view(edit_url_name=edit_url_name),
                name="resend",
            ),
        ]
