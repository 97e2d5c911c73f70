"""The scale community's own check: what the repair commands say about it."""

from django.core.management import call_command
from django.core.management.base import CommandError


def verify(stdout) -> None:
    """Run `recount --check` and `check_queue`, writing what they say to `stdout`;
    a CommandError naming each that found a fault."""
    failures = []
    for command, arguments in (("recount", ["--check"]), ("check_queue", [])):
        stdout.write(f"  {command} {' '.join(arguments)}".rstrip())
        try:
            call_command(command, *arguments, stdout=stdout)
        except CommandError as error:
            failures.append(f"{command}: {error}")
    if failures:
        raise CommandError("Verification failed: " + "; ".join(failures))
