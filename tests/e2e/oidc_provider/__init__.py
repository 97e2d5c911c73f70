"""A real OpenID Connect provider (django-oidc-provider) for the browser tests.

A tiny Django project of its own, run as a separate process by the
`oidc_provider` fixture (tests/e2e/test_oidc_journey.py) through `serve.py`: it
stands in for the brand's customer accounts.
"""
