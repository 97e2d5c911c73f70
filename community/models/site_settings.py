"""The community's settings editors change in the Wagtail admin: targets, limits
and the brand (name, logo, colour); and the footer's links and contact channels,
a snippet translated into each language."""

import copy
import re
import zoneinfo
from datetime import date, time, timedelta
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MinValueValidator,
    RegexValidator,
    validate_email,
)
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, HelpPanel, ObjectList, TabbedInterface
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Site, TranslatableMixin

from community.business_hours import BusinessCalendar, OpeningPeriod

HEX_COLOUR_VALIDATOR = RegexValidator(r"^#[0-9A-Fa-f]{6}$", _("Use a hex colour such as #2F5D8A."))


DEFAULT_BRAND_COLOUR = "#1d5a85"


class FooterLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("label"), max_length=60)
    url = blocks.URLBlock(label=_("address"))

    class Meta:
        icon = "link"
        label = _("link")


class ContactChannelValue(blocks.StructValue):
    def href(self) -> str:
        return contact_href(self.get("kind"), self.get("value"))


class ContactChannelBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[
            ("email", _("E-mail")),
            ("phone", _("Phone")),
            ("chat", _("Chat")),
            ("social", _("Social network")),
        ],
    )
    label = blocks.CharBlock(label=_("label"), max_length=60)
    value = blocks.CharBlock(
        label=_("address, number or link"),
        max_length=200,
        help_text=_("An e-mail address, a phone number or a web address (https://…)."),
    )

    class Meta:
        icon = "mail"
        label = _("contact channel")
        value_class = ContactChannelValue


def contact_href(kind: str, value: str) -> str:
    """The link for a contact channel, or "" when the value is not a safe link."""
    value = (value or "").strip()
    if kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            return ""
        return f"mailto:{value}"
    if kind == "phone":
        digits = re.sub(r"[^\d+]", "", value)
        return f"tel:{digits}" if len(digits) >= 3 else ""
    if re.match(r"^https?://", value, re.IGNORECASE):
        return value
    return ""


WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]

# One holiday entry covers a few weeks at most; a longer one is a typing mistake.
LONGEST_CLOSED_PERIOD_DAYS = 62


class OpeningPeriodBlock(blocks.StructBlock):
    weekday = blocks.ChoiceBlock(label=_("day"), choices=WEEKDAYS)
    opens = blocks.TimeBlock(label=_("opens at"))
    closes = blocks.TimeBlock(
        label=_("closes at"), help_text=_("00:00 means midnight, at the end of the day.")
    )

    class Meta:
        icon = "time"
        label = _("opening hours")

    def clean(self, value):
        value = super().clean(value)
        if value["closes"] != time(0) and value["closes"] <= value["opens"]:
            raise StructBlockValidationError(
                block_errors={"closes": ValidationError(_("Closing comes after opening."))}
            )
        return value


class ClosedPeriodBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"), max_length=80)
    first_day = blocks.DateBlock(label=_("first day"))
    last_day = blocks.DateBlock(
        label=_("last day"), required=False, help_text=_("Leave blank for a single day.")
    )

    class Meta:
        icon = "date"
        label = _("closed days")

    def clean(self, value):
        value = super().clean(value)
        first, last = value["first_day"], value["last_day"] or value["first_day"]
        if last < first:
            raise StructBlockValidationError(
                block_errors={"last_day": ValidationError(_("The last day comes after the first."))}
            )
        if (last - first).days >= LONGEST_CLOSED_PERIOD_DAYS:
            raise StructBlockValidationError(
                block_errors={
                    "last_day": ValidationError(
                        _("A closed period lasts %(days)s days at most.")
                        % {"days": LONGEST_CLOSED_PERIOD_DAYS}
                    )
                }
            )
        return value


def closed_period_days(first: date, last: date | None) -> list[date]:
    last = min(last or first, first + timedelta(days=LONGEST_CLOSED_PERIOD_DAYS - 1))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


@register_setting(icon="cog")
class CommunitySettings(BaseGenericSetting):
    """Site-wide rules editors can change in the Wagtail admin."""

    first_response_hours = models.PositiveSmallIntegerField(
        _("default first-response target (hours)"),
        default=24,
        help_text=_(
            "How soon every question should get an official reply, unless its category "
            "sets its own target."
        ),
    )
    follow_up_hours = models.PositiveSmallIntegerField(
        _("default follow-up target (hours)"),
        default=24,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How soon the team answers again when the customer writes back after its "
            "reply or says the problem is not solved yet, unless the category sets "
            "its own target."
        ),
    )
    resolution_reminder_days = models.PositiveSmallIntegerField(
        _("remind the asker after (days)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "When the asker has not said whether the team's reply solved the problem, "
            "they are reminded once after this many days."
        ),
    )
    satisfaction_ask_me_too = models.BooleanField(
        _("ask “me too” members how satisfied they are"),
        default=False,
        help_text=_(
            "When a thread is solved its asker is asked how satisfied they are with the "
            "help; with this on, the members who said “me too” are asked too."
        ),
    )
    close_after_days = models.PositiveSmallIntegerField(
        _("close unanswered threads after (days)"),
        default=14,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A thread where the team replied and the customer has not answered for this "
            "long counts as closed. The customer reopens it by replying."
        ),
    )

    time_zone = models.CharField(
        _("team's time zone"),
        max_length=63,
        default=settings.TIME_ZONE,
        choices=time_zone_choices,
        help_text=_("Opening hours and closed days are read in this time zone."),
    )
    opening_hours = StreamField(
        [("period", OpeningPeriodBlock())],
        verbose_name=_("opening hours"),
        blank=True,
        use_json_field=True,
        help_text=_(
            "When the team answers, day by day; a day can have several periods. The "
            "response targets count only these hours. With none, every hour counts."
        ),
    )
    closed_days = StreamField(
        [("closed", ClosedPeriodBlock())],
        verbose_name=_("closed days"),
        blank=True,
        use_json_field=True,
        help_text=_(
            "Public holidays and other days the team does not work: they do not count "
            "towards the targets. manage.py import_holidays adds a country's holidays."
        ),
    )

    claim_expiry_hours = models.PositiveSmallIntegerField(
        _("claim expiry (hours)"),
        default=4,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A moderator's claim on a thread lapses after this long, so no question "
            "stays stuck with someone who is away."
        ),
    )
    report_auto_hide_threshold = models.PositiveSmallIntegerField(
        _("reports before hiding"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "When this many different members report the same post, it is hidden until a "
            "moderator reviews it."
        ),
    )
    premoderation_first_posts = models.PositiveSmallIntegerField(
        _("posts held for approval"),
        default=1,
        help_text=_(
            "A new member's first posts wait for a moderator's approval. 0 turns this off."
        ),
    )
    premoderation_new_member_posts = models.PositiveSmallIntegerField(
        _("new member until (posts)"),
        default=10,
        help_text=_("Members with fewer approved posts than this count as new."),
    )
    premoderation_max_links = models.PositiveSmallIntegerField(
        _("links allowed to new members"),
        default=2,
        help_text=_("A new member's post with more links than this waits for approval."),
    )

    community_name = models.CharField(
        _("community name"),
        max_length=80,
        blank=True,
        help_text=_("Shown in the header and page titles. Leave blank to use the site's name."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Shown in the header in place of the community name (which stays its text alternative)."
        ),
    )
    brand_colour = models.CharField(
        _("brand colour"),
        max_length=7,
        default=DEFAULT_BRAND_COLOUR,
        validators=[HEX_COLOUR_VALIDATOR],
        help_text=_(
            "Used for links, buttons and the header. Choose a dark colour, so white text "
            "on it and it on white stay easy to read."
        ),
    )
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("first_response_hours"),
                    FieldPanel("follow_up_hours"),
                    FieldPanel("resolution_reminder_days"),
                    FieldPanel("close_after_days"),
                    FieldPanel("satisfaction_ask_me_too"),
                    FieldPanel("claim_expiry_hours"),
                    FieldPanel("report_auto_hide_threshold"),
                    FieldPanel("premoderation_first_posts"),
                    FieldPanel("premoderation_new_member_posts"),
                    FieldPanel("premoderation_max_links"),
                ],
                heading=_("Rules"),
            ),
            ObjectList(
                [
                    FieldPanel("time_zone"),
                    FieldPanel("opening_hours"),
                    FieldPanel("closed_days"),
                ],
                heading=_("Business hours"),
            ),
            ObjectList(
                [
                    FieldPanel("community_name"),
                    FieldPanel("logo"),
                    FieldPanel("brand_colour"),
                ],
                heading=_("Branding"),
            ),
            ObjectList(
                [
                    HelpPanel(
                        content=_(
                            "The footer's links and contact channels are edited under "
                            "Snippets → Footer, one version for each language, which "
                            "you translate side by side."
                        ),
                    )
                ],
                heading=_("Footer"),
            ),
        ]
    )

    class Meta:
        verbose_name = _("community settings")

    @classmethod
    def base_queryset(cls):
        return super().base_queryset().select_related("logo")

    @property
    def resolution_reminder_after(self) -> timedelta:
        return timedelta(days=self.resolution_reminder_days)

    @property
    def close_after(self) -> timedelta:
        """How long a thread waits on the customer before it counts as closed."""
        return timedelta(days=self.close_after_days)

    @cached_property
    def business_calendar(self) -> BusinessCalendar:
        """The team's hours, for due times and the metrics (community.business_hours)."""
        try:
            tz = zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        periods = tuple(
            OpeningPeriod(int(child.value["weekday"]), child.value["opens"], child.value["closes"])
            for child in self.opening_hours
            if child.value.get("opens") is not None and child.value.get("closes") is not None
        )
        closed = frozenset(
            day
            for child in self.closed_days
            if child.value.get("first_day")
            for day in closed_period_days(child.value["first_day"], child.value.get("last_day"))
        )
        return BusinessCalendar(time_zone=tz, periods=periods, closed_days=closed)

    @classmethod
    def load(cls, request_or_site=None):
        """As Wagtail loads it; for a request, the row is read once per content version
        in each process (community.frame) rather than on every page, and each request
        gets its own copy, kept on the request as Wagtail keeps it."""
        if request_or_site is None or isinstance(request_or_site, Site):
            return super().load(request_or_site)
        attribute = cls.get_cache_attr_name()
        found = getattr(request_or_site, attribute, None)
        if found is None:
            from community.frame import shared

            found = copy.copy(shared(cls.get_cache_attr_name(), cls._get_or_create))
            setattr(request_or_site, attribute, found)
        return found

    @property
    def display_name(self) -> str:
        return self.community_name or settings.WAGTAIL_SITE_NAME

    @property
    def brand_palette(self) -> dict[str, str]:
        """The brand colour and its darker and paler variants for the stylesheet's
        custom properties; falls back to the default if the stored value is not a
        plain hex colour, so nothing else can reach the inline style."""
        colour = self.brand_colour or ""
        try:
            HEX_COLOUR_VALIDATOR(colour)
        except ValidationError:
            colour = DEFAULT_BRAND_COLOUR
        if colour.lower() == DEFAULT_BRAND_COLOUR:  # the stylesheet's own, hand-picked variants
            return {"brand": DEFAULT_BRAND_COLOUR, "strong": "#154566", "soft": "#e6f0f7"}
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        strong = [round(c * 0.75) for c in rgb]
        soft = [round(c + (255 - c) * 0.88) for c in rgb]
        return {
            "brand": colour.lower(),
            "strong": "#" + "".join(f"{c:02x}" for c in strong),
            "soft": "#" + "".join(f"{c:02x}" for c in soft),
        }


class Footer(TranslatableMixin, models.Model):
    """The footer's own links and contact channels, one row for each language: readers
    see the one in their language, else the default language's."""

    footer_links = StreamField(
        [("link", FooterLinkBlock())],
        verbose_name=_("footer links"),
        blank=True,
        use_json_field=True,
    )
    contact_channels = StreamField(
        [("channel", ContactChannelBlock())],
        verbose_name=_("contact channels"),
        blank=True,
        use_json_field=True,
        help_text=_("Shown in the footer under “Contact us”."),
    )

    panels = [FieldPanel("footer_links"), FieldPanel("contact_channels")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("footer")
        verbose_name_plural = _("footers")

    def __str__(self):
        return _("Footer (%(language)s)") % {"language": self.locale.get_display_name()}
