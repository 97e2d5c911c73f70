from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from community.config import embed_demo


class Command(BaseCommand):
    help = (
        "Serve a pretend brand page that embeds the help widget, on a port of its own "
        "(another origin than the community), for the local run. Never in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--community", default="http://127.0.0.1:8000")
        parser.add_argument("--category", default="")

    def handle(self, *args, port, community, category, **options):
        if not settings.DEBUG and not settings.EMBED_DEMO_HOST:
            raise CommandError("The demo brand page is for the local run only (EMBED_DEMO_HOST=1).")
        server = embed_demo.make_server(
            port=port, community=community.rstrip("/"), category=category
        )
        self.stdout.write(f"Demo brand page at http://127.0.0.1:{port}/ (embeds {community})")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
