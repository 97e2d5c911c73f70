"""Starts the stand-in provider: migrates its database, adds a customer, a
signing key and the site as a client, then serves on a free 127.0.0.1 port.

    python -m tests.e2e.oidc_provider.serve --redirect-uri URI --client-id ID \
        --client-secret SECRET --username NAME --password PASSWORD --email ADDRESS

The first line it prints is the address it serves on; it serves until stopped.
Settings: tests.e2e.oidc_provider.settings, with OIDC_PROVIDER_DB naming the
SQLite file.
"""

import argparse
import io
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    # The browser and the site's server call the provider at the same time.
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        # Only errors reach the test's output.
        pass


def prepare(options) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0, interactive=False)
    # The RS256 key the ID tokens are signed with (published at /openid/jwks).
    call_command("creatersakey", stdout=io.StringIO())
    User.objects.create_user(
        username=options.username,
        password=options.password,
        email=options.email,
        first_name=options.first_name,
        last_name=options.last_name,
    )
    client = Client.objects.create(
        name="Relais",
        client_type="confidential",
        client_id=options.client_id,
        client_secret=options.client_secret,
        jwt_alg="RS256",
        require_consent=False,
        redirect_uris=[options.redirect_uri],
        scope=["openid", "profile", "email"],
    )
    client.response_types.set([ResponseType.objects.get(value="code")])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    for name in ("redirect-uri", "client-id", "client-secret", "username", "password", "email"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--first-name", default="")
    parser.add_argument("--last-name", default="")
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.oidc_provider.settings")
    import django

    django.setup()
    prepare(options)

    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        0,
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print(f"http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
