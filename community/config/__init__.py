"""The site's wiring: settings, root URLs, WSGI/ASGI, site-wide middleware and headers,
the health check, and the commands that need every app (seed_demo, seed_scale,
benchmark).

This package is the only code that may import every app; the apps themselves keep
to one direction (accounts <- community <- moderation).
"""
