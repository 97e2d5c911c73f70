#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.config.settings")
    # The command line is a developer's tool: without DEBUG set it is a local run.
    # The web servers (community.config.wsgi / community.config.asgi) keep DEBUG off unless told,
    # and then refuse to start without SECRET_KEY and ALLOWED_HOSTS. Production
    # commands set DEBUG=0 along with the rest of the production environment.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
