"""Adds a country's public holidays to the team's closed days (CommunitySettings).

    manage.py import_holidays FR 2027
    manage.py import_holidays DE 2027 2028 --subdivision BY

The holidays come from the `holidays` package, which follows each country's law and
is released often. Days already listed are kept as they are, so running it again
adds nothing; editors then adjust the list in the Wagtail admin.
"""

import holidays
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from community.models import CommunitySettings
from community.models.site_settings import closed_period_days


class Command(BaseCommand):
    help = "Adds a country's public holidays to the team's closed days."

    def add_arguments(self, parser):
        parser.add_argument("country", help="ISO 3166 country code, such as FR or GB.")
        parser.add_argument("years", nargs="+", type=int)
        parser.add_argument("--subdivision", default=None, help="A region, such as BY or ENG.")
        parser.add_argument(
            "--language", default=None, help="The holidays' names in this language, if known."
        )

    @transaction.atomic
    def handle(self, *args, country, years, subdivision, language, **options):
        try:
            calendar = holidays.country_holidays(
                country.upper(), subdiv=subdivision, years=years, language=language
            )
        except NotImplementedError as error:
            raise CommandError(f"No holidays are known for {country!r}: {error}") from error
        rules = CommunitySettings.objects.select_for_update().get(pk=CommunitySettings.load().pk)
        listed = {
            day
            for child in rules.closed_days
            for day in closed_period_days(child.value["first_day"], child.value.get("last_day"))
        }
        entries = [(child.block_type, child.value) for child in rules.closed_days]
        added = 0
        for day, name in sorted(calendar.items()):
            if day in listed:
                continue
            block = rules.closed_days.stream_block.child_blocks["closed"]
            entries.append(
                ("closed", block.to_python({"name": name[:80], "first_day": day.isoformat()}))
            )
            added += 1
        if added:
            rules.closed_days = entries
            rules.save(update_fields=["closed_days"])
        self.stdout.write(f"{added} closed days added, {len(calendar) - added} already listed.")
