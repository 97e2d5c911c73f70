"""Signals the accounts app sends, for the apps above it to react to."""

from django.dispatch import Signal

# Sent inside the transaction that closed the account, with `user` (already
# anonymised): the apps that keep personal data about the member remove it there.
account_closed = Signal()
