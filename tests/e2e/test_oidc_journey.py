"""A customer signs in with the brand's account, through a real OpenID Connect provider.

The provider is django-oidc-provider in a project of its own
(tests/e2e/oidc_provider), run as another process on a free 127.0.0.1 port with
its own SQLite file: discovery, the RS256-signed ID token, the token and userinfo
endpoints are all the real thing. Its pages are not the site's: the markup check
keeps only pages of the live server (tests/e2e/conftest.py, `_keep_page`).
"""

import os
import re
import selectors
import subprocess
import sys

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import REPO_ROOT, VISITED_PAGES

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PROVIDER_ID = "brand"
PROVIDER_NAME = "Brand"
CLIENT_ID = "relais-e2e"
CLIENT_SECRET = "relais-e2e-client-secret"
CUSTOMER = {"username": "ada", "password": "provider-passphrase-42", "email": "ada@example.com"}
START_TIMEOUT_S = 30


@pytest.fixture(scope="module")
def oidc_provider(live_server, tmp_path_factory):
    """The provider's address, with a customer (CUSTOMER) and the site registered
    as a client whose redirect URI is the live server's allauth callback."""
    callback = f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/"
    database = tmp_path_factory.mktemp("oidc-provider") / "provider.sqlite3"
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "tests.e2e.oidc_provider.serve",
            f"--redirect-uri={callback}",
            f"--client-id={CLIENT_ID}",
            f"--client-secret={CLIENT_SECRET}",
            f"--username={CUSTOMER['username']}",
            f"--password={CUSTOMER['password']}",
            f"--email={CUSTOMER['email']}",
            "--first-name=Ada",
            "--last-name=Lovelace",
        ],
        cwd=REPO_ROOT,
        env={
            **_environment_without_django(),
            "DJANGO_SETTINGS_MODULE": "tests.e2e.oidc_provider.settings",
            "OIDC_PROVIDER_DB": str(database),
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = _first_line(process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _environment_without_django() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}


def _first_line(process: subprocess.Popen) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=START_TIMEOUT_S):
            pytest.fail("The OpenID Connect provider did not start in time.")
    line = process.stdout.readline().strip()
    if not line.startswith("http://127.0.0.1:"):
        pytest.fail(f"The OpenID Connect provider did not start: {line!r}")
    return line


@pytest.fixture
def brand_sign_in(settings, oidc_provider):
    """The site configured as the environment would (OIDC_SERVER_URL and the rest)."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": PROVIDER_NAME,
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": f"{oidc_provider}/openid"},
                }
            ],
        }
    }
    return oidc_provider


def _sign_in_at_provider(page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your Brand account")
    page.get_by_label("Username").fill(CUSTOMER["username"])
    page.get_by_label("Password").fill(CUSTOMER["password"])
    page.get_by_role("button", name="Sign in").click()


def test_oidc_journey_new_member_accepts_terms_once_then_signs_in_again(
    request, page, brand_sign_in
):
    page.goto("/accounts/login/")
    page.get_by_role("main").get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(brand_sign_in)}/login/"))
    _sign_in_at_provider(page)

    # Back on the site: one step to join, with the terms to accept.
    expect(page).to_have_url(re.compile(r"/accounts/3rdparty/signup/$"))
    main = page.get_by_role("main")
    expect(main.get_by_label(re.compile(r"^Display name"))).to_have_value("Ada Lovelace")
    main.get_by_role("button", name="Join the community").click()
    expect(
        main.get_by_text("To sign up, accept the terms of use and the privacy policy.")
    ).to_be_visible()
    main.get_by_label(re.compile(r"^I accept the terms of use")).check()
    main.get_by_role("button", name="Join the community").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("header-user-name")).to_have_text("Ada Lovelace")
    member = User.objects.get(username=CUSTOMER["username"])
    assert member.terms_accepted_at is not None
    assert member.emailaddress_set.get().verified
    assert member.socialaccount_set.get().provider == PROVIDER_ID

    header = page.get_by_role("banner")
    header.locator("details.account-menu > summary").click()
    header.get_by_role("button", name="Sign out").click()
    expect(page.get_by_test_id("header-user-name")).to_have_count(0)

    # Again: the provider remembers the customer, the site the member; no form this time.
    page.goto("/accounts/login/")
    page.get_by_role("main").get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("header-user-name")).to_have_text("Ada Lovelace")
    # The same member, found by the provider's subject: no second account.
    assert User.objects.filter(email=CUSTOMER["email"]).get() == member
    assert SocialAccount.objects.get().user == member

    # The markup check got the site's pages of the journey, and none of the provider's.
    kept = [name for name, _html in request.config.stash[VISITED_PAGES].values()]
    assert any(name.startswith("/accounts/3rdparty/signup/") for name in kept)
    assert not any(name.startswith(brand_sign_in) for name in kept)
