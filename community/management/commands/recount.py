"""Recompute the community's counters from the rows they count (the repair path of promise 4).

    manage.py recount            # correct every wrong counter, print how many rows changed
    manage.py recount --check    # only report; exit 1 when a counter is wrong

Counters: Thread.reply_count (visible replies), Thread.me_too_count (MeToo rows,
the asker's included) and Reply.helpful_count (HelpfulVote rows).

The work is set-based: per batch of primary keys, one query counts the wrong
counters and one UPDATE rewrites only the rows whose stored value differs from
a correlated COUNT subquery, so a large community costs a few statements per
thousand rows, not one per row. Each batch locks its rows first, in its own
transaction: a vote or reply racing the repair waits for the batch instead of
having its increment overwritten by a count taken before it committed.
"""

from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, IntegerField, Max, Min, Model, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from community.models import HelpfulVote, MeToo, Reply, Thread, Visibility


def _count_of(model: type[Model], owner_field: str, **filters) -> Coalesce:
    """COUNT(*) of `model` rows pointing at the outer row, as a correlated subquery."""
    rows = (
        model.objects.filter(**{owner_field: OuterRef("pk")}, **filters)
        .order_by()
        .values(owner_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class Counters:
    """The counters one model stores, each with the expression that recounts it."""

    label: str
    model: type[Model]
    true_values: dict

    def wrong(self, field: str) -> Q:
        return ~Q(**{field: self.true_values[field]})

    def any_wrong(self) -> Q:
        condition = Q()
        for field in self.true_values:
            condition |= self.wrong(field)
        return condition


def counters() -> list[Counters]:
    return [
        Counters(
            "threads",
            Thread,
            {
                "reply_count": _count_of(Reply, "thread", visibility=Visibility.VISIBLE),
                "me_too_count": _count_of(MeToo, "thread"),
            },
        ),
        Counters("replies", Reply, {"helpful_count": _count_of(HelpfulVote, "reply")}),
    ]


class Command(BaseCommand):
    help = (
        "Recompute reply, 'me too' and helpful counters from their rows. "
        "With --check, only report wrong counters and exit 1 if there are any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report wrong counters without changing them; exit 1 if any is wrong.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Rows locked and corrected per transaction (default 2000).",
        )

    def handle(self, *args, check: bool, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        for group in counters():
            per_field, rows = self._run(group, check=check, batch_size=batch_size)
            total += rows
            details = ", ".join(f"{field} {count}" for field, count in per_field.items())
            verb = "wrong" if check else "corrected"
            self.stdout.write(f"{group.label}: {rows} {verb} ({details})")
        if check:
            if total:
                raise CommandError(
                    f"{total} rows have counters that differ from their rows; "
                    "run `manage.py recount` to correct them.",
                    returncode=1,
                )
            self.stdout.write(self.style.SUCCESS("All counters match their rows."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Corrected {total} rows."))

    def _run(self, group: Counters, *, check: bool, batch_size: int) -> tuple[dict, int]:
        per_field = dict.fromkeys(group.true_values, 0)
        rows = 0
        bounds = group.model.objects.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            return per_field, rows
        for start in range(bounds["low"], bounds["high"] + 1, batch_size):
            batch = group.model.objects.filter(pk__gte=start, pk__lt=start + batch_size)
            with transaction.atomic():
                if not check:
                    # Lock first: the counts below then include every racing write
                    # that committed before, and later ones wait for this batch.
                    list(batch.select_for_update().order_by("pk").values_list("pk", flat=True))
                found = batch.aggregate(
                    _rows=Count("pk", filter=group.any_wrong()),
                    **{
                        field: Count("pk", filter=group.wrong(field)) for field in group.true_values
                    },
                )
                wrong_rows = found.pop("_rows")
                if not wrong_rows:
                    continue
                for field, count in found.items():
                    per_field[field] += count
                if check:
                    rows += wrong_rows
                else:
                    rows += batch.filter(group.any_wrong()).update(**group.true_values)
        return per_field, rows
