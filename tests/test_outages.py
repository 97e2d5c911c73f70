"""A database that does not answer: a friendly 503 page with Retry-After, never a
traceback, for visitors and members alike, in views and in middleware.

The outage is made in-process: the connection's ensure_connection raises the
OperationalError (or InterfaceError) Django raises when PostgreSQL is down or a
connection was closed under it. The fault tests against real processes
(tests/production/) restart a real PostgreSQL.
"""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from tests.helpers import client_for


def database_down(monkeypatch, error=OperationalError):
    def refuse(*args, **kwargs):
        raise error("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)


def get_during_outage(monkeypatch, client, path, error=OperationalError):
    with monkeypatch.context() as patch:
        database_down(patch, error)
        return client.get(path)


def assert_friendly_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Back in a moment" in page
    assert "Please try again in a minute" in page
    # The site's look, without a traceback or the error's text.
    assert "css/relais.css" in page
    assert "Traceback" not in page
    assert "Connection refused" not in page
    assert "OperationalError" not in page


@pytest.mark.parametrize("path", ["/community/", "/", "/community/search/?q=battery"])
def test_visitor_gets_503_when_the_database_is_down(db, monkeypatch, path):
    response = get_during_outage(monkeypatch, Client(raise_request_exception=False), path)

    assert_friendly_503(response)


def test_member_gets_503_when_the_database_fails_in_middleware(member, monkeypatch):
    # A member's session and user are read by middleware (the reader's language),
    # before any view: the error is raised there.
    client = client_for(member)
    client.raise_request_exception = False

    response = get_during_outage(monkeypatch, client, "/community/")

    assert_friendly_503(response)


def test_closed_connection_gets_503(db, monkeypatch):
    response = get_during_outage(
        monkeypatch, Client(raise_request_exception=False), "/community/", error=InterfaceError
    )

    assert_friendly_503(response)


def test_503_page_speaks_the_readers_language(db, monkeypatch):
    client = Client(raise_request_exception=False, headers={"accept-language": "fr"})

    response = get_during_outage(monkeypatch, client, "/community/")

    assert response.status_code == 503
    assert 'lang="fr"' in response.content.decode()
    assert "De retour dans un instant" in response.content.decode()


def test_503_page_renders_without_touching_the_database(db, monkeypatch):
    # Every query fails, and the 503 page still renders: it reads no site setting,
    # menu or session.
    with monkeypatch.context() as patch:
        database_down(patch)
        from django.test import RequestFactory

        from community.config.views import service_unavailable

        response = service_unavailable(RequestFactory().get("/community/"), reason="database")

    assert response.status_code == 503


def test_other_errors_still_get_the_500_page(db):
    from django.test import RequestFactory

    from community.config.views import server_error

    request = RequestFactory().get("/community/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Retry-After" not in response

    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as error:
            raise ValueError("wrapped") from error
    except ValueError:
        response = server_error(request)
    assert response.status_code == 503


def test_site_answers_again_once_the_database_is_back(db, monkeypatch):
    client = Client(raise_request_exception=False)
    assert get_during_outage(monkeypatch, client, "/community/").status_code == 503

    assert client.get("/community/").status_code == 200


def test_healthz_says_503_when_the_connection_cannot_be_made(db, monkeypatch):
    response = get_during_outage(monkeypatch, Client(raise_request_exception=False), "/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error"}


def test_database_connections_are_persistent_and_health_checked(settings):
    from community.config import settings as site_settings

    database = site_settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    if database["ENGINE"] != "django.db.backends.sqlite3":
        assert database["CONN_MAX_AGE"] > 0
