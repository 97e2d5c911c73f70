from django.apps import AppConfig


class SiteConfig(AppConfig):
    """Installed only so that Django finds the site-wide management commands."""

    name = "community.config"
    label = "relais_site"
    verbose_name = "Relais site"
