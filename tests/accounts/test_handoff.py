"""The brand's signed sign-in hand-off (accounts/handoff.py): which tokens sign
whom in, and which are refused.

Tokens are signed here as a brand's backend signs them (PyJWT), with keys made
for the test; the time is fixed (`now`), so that lifetimes are exact.
"""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings
from django.utils import translation

from accounts import handoff
from accounts.export import member_data
from accounts.handoff import MAX_LIFETIME, HandoffRefused, handoff_member
from accounts.models import ExternalIdentity, HandoffNonce, User
from accounts.names import check_display_name, check_username
from accounts.services import user_close
from tests.community.test_concurrency import CONCURRENT_ON_POSTGRES, run_together
from tests.factories import UserFactory

SECRET = "a-shared-secret-of-the-brand-at-least-32-bytes-long"
AUDIENCE = "https://community.example.com"
ISSUER = "https://shop.example.com"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
MISSING = object()


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def public_pem(rsa_key) -> str:
    return (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture
def hs256(db):
    with override_settings(
        EMBED_HANDOFF_SECRET=SECRET, EMBED_HANDOFF_PUBLIC_KEY="", EMBED_HANDOFF_ISSUER=""
    ):
        yield


@pytest.fixture
def rs256(db, public_pem):
    with override_settings(
        EMBED_HANDOFF_SECRET="", EMBED_HANDOFF_PUBLIC_KEY=public_pem, EMBED_HANDOFF_ISSUER=""
    ):
        yield


_jti = iter(range(1_000_000))


def claims(**overrides) -> dict:
    """A valid set of claims at NOW, with `overrides` (MISSING removes a claim)."""
    values = {
        "sub": "customer-42",
        "email": "camille@example.com",
        "name": "Camille Dupont",
        "aud": AUDIENCE,
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
        "jti": f"nonce-{next(_jti)}",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not MISSING}


def sign(payload: dict, key=SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict, payload: dict, hmac_key: bytes | None) -> str:
    """A token built by hand, as an attacker would: PyJWT refuses to make these."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = b""
    if hmac_key is not None:
        signature = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def hand_off(token: str, **kwargs) -> User:
    kwargs.setdefault("audience", AUDIENCE)
    kwargs.setdefault("now", NOW)
    return handoff_member(token=token, **kwargs)


def refusal(token: str, **kwargs) -> str:
    with pytest.raises(HandoffRefused) as caught:
        hand_off(token, **kwargs)
    # Every refusal has its customer-facing message, and it names no internals.
    assert caught.value.message == str(handoff.MESSAGES[caught.value.code])
    assert "_" not in caught.value.message
    return caught.value.code


# Valid tokens


def test_handoff_hs256_creates_the_member(hs256):
    member = hand_off(sign(claims(locale="fr")))

    member.refresh_from_db()
    assert member.email == "camille@example.com"
    assert member.display_name == "Camille Dupont"
    assert member.username == "camille-dupont"
    assert member.language == "fr"
    assert member.is_active
    assert not member.has_usable_password()
    address = EmailAddress.objects.get(user=member)
    assert (address.email, address.verified, address.primary) == (
        "camille@example.com",
        True,
        True,
    )
    identity = ExternalIdentity.objects.get(user=member)
    assert (identity.provider, identity.subject) == ("handoff", "customer-42")
    assert HandoffNonce.objects.count() == 1


def test_handoff_rs256_with_the_brands_public_key(rs256, rsa_key):
    member = hand_off(sign(claims(), key=rsa_key, algorithm="RS256"))

    assert User.objects.get(pk=member.pk).email == "camille@example.com"


def test_handoff_reads_a_public_key_written_on_one_line(db, rsa_key, public_pem):
    with override_settings(EMBED_HANDOFF_PUBLIC_KEY=public_pem.replace("\n", "\\n")):
        member = hand_off(sign(claims(), key=rsa_key, algorithm="RS256"))

    assert member.pk is not None


def test_handoff_checks_the_current_time_by_default(hs256):
    now = datetime.now(tz=UTC)
    fresh = claims(iat=int(now.timestamp()), exp=int((now + timedelta(minutes=2)).timestamp()))
    stale = claims(
        iat=int((now - timedelta(hours=1)).timestamp()),
        exp=int((now - timedelta(minutes=55)).timestamp()),
    )

    assert handoff_member(token=sign(fresh), audience=AUDIENCE).pk is not None
    with pytest.raises(HandoffRefused) as caught:
        handoff_member(token=sign(stale), audience=AUDIENCE)
    assert caught.value.code == "expired"


def test_handoff_records_no_consent_for_a_new_member(hs256):
    member = hand_off(sign(claims()))

    member.refresh_from_db()
    assert member.terms_accepted_at is None
    assert member.accepted_terms_revision is None
    assert member.accepted_privacy_revision is None


# Refused tokens


def test_handoff_refuses_a_replayed_token(hs256):
    token = sign(claims())
    hand_off(token)

    assert refusal(token) == "replayed"
    assert User.objects.count() == 1
    assert HandoffNonce.objects.count() == 1


def test_handoff_refuses_an_expired_token(hs256):
    expired = claims(
        iat=int((NOW - timedelta(minutes=5)).timestamp()),
        exp=int((NOW - timedelta(seconds=31)).timestamp()),
    )

    assert refusal(sign(expired)) == "expired"
    assert not User.objects.exists()
    assert not HandoffNonce.objects.exists()


def test_handoff_allows_a_little_clock_difference(hs256):
    just_expired = claims(
        iat=int((NOW - timedelta(minutes=5)).timestamp()),
        exp=int((NOW - timedelta(seconds=20)).timestamp()),
    )
    signed_a_bit_ahead = claims(
        iat=int((NOW + timedelta(seconds=20)).timestamp()),
        exp=int((NOW + timedelta(minutes=5)).timestamp()),
        sub="customer-43",
        email="other@example.com",
    )

    assert hand_off(sign(just_expired)).pk is not None
    assert hand_off(sign(signed_a_bit_ahead)).pk is not None


def test_handoff_refuses_a_token_signed_in_the_future(hs256):
    future = claims(
        iat=int((NOW + timedelta(minutes=2)).timestamp()),
        exp=int((NOW + timedelta(minutes=5)).timestamp()),
    )

    assert refusal(sign(future)) == "malformed"


def test_handoff_refuses_a_token_not_valid_yet(hs256):
    assert refusal(sign(claims(nbf=int((NOW + timedelta(minutes=2)).timestamp())))) == "malformed"


def test_handoff_refuses_a_long_lived_token(hs256):
    iat = int(NOW.timestamp())
    too_long = claims(iat=iat, exp=iat + int(MAX_LIFETIME.total_seconds()) + 1)
    longest = claims(iat=iat, exp=iat + int(MAX_LIFETIME.total_seconds()))

    assert refusal(sign(too_long)) == "too_long_lived"
    assert hand_off(sign(longest)).pk is not None


def test_handoff_refuses_an_exp_before_iat(hs256):
    iat = int(NOW.timestamp())

    assert refusal(sign(claims(iat=iat, exp=iat - 1))) == "malformed"


def test_handoff_refuses_a_bad_signature(hs256):
    other_secret = sign(claims(), key="another-secret-that-is-also-long-enough-to-use")
    header, payload, signature = sign(claims()).split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged["sub"] = "someone-else"
    tampered = f"{header}.{b64(json.dumps(forged).encode())}.{signature}"

    assert refusal(other_secret) == "bad_signature"
    assert refusal(tampered) == "bad_signature"
    assert not User.objects.exists()


def test_handoff_refuses_the_wrong_audience(hs256):
    assert refusal(sign(claims(aud="https://other-community.example.com"))) == "wrong_audience"
    # "aud" must be the community, not a list that happens to hold it.
    assert refusal(sign(claims(aud=[AUDIENCE, "https://other.example.com"]))) == "wrong_audience"


def test_handoff_checks_the_issuer_when_configured(hs256):
    with override_settings(EMBED_HANDOFF_ISSUER=ISSUER):
        assert refusal(sign(claims(iss="https://evil.example.com"))) == "wrong_issuer"
        assert refusal(sign(claims())) == "missing_claim"
        assert hand_off(sign(claims(iss=ISSUER))).pk is not None


def test_handoff_ignores_the_issuer_when_not_configured(hs256):
    assert hand_off(sign(claims(iss="https://anyone.example.com"))).pk is not None


@pytest.mark.parametrize("claim", ["sub", "email", "jti", "exp", "iat", "aud"])
def test_handoff_refuses_a_missing_claim(hs256, claim):
    assert refusal(sign(claims(**{claim: MISSING}))) == "missing_claim"
    assert not User.objects.exists()


@pytest.mark.parametrize("claim", ["sub", "email", "jti"])
def test_handoff_refuses_an_empty_claim(hs256, claim):
    assert refusal(sign(claims(**{claim: "  "}))) == "missing_claim"


@pytest.mark.parametrize(
    "overrides",
    [
        {"email": "not-an-address"},
        {"email": ["camille@example.com"]},
        {"sub": 42},
        {"jti": "x" * 300},
        {"exp": "soon"},
        {"iat": True},
    ],
)
def test_handoff_refuses_claims_of_the_wrong_shape(hs256, overrides):
    assert refusal(sign(claims(**overrides))) == "malformed"


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 10_000])
def test_handoff_refuses_what_is_no_token(hs256, token):
    assert refusal(token) == "malformed"


def test_handoff_refuses_alg_none(hs256):
    unsigned = hand_made({"alg": "none", "typ": "JWT"}, claims(), hmac_key=None)

    assert refusal(unsigned) == "bad_signature"
    assert not User.objects.exists()


@pytest.mark.parametrize("alg", ["None", "NONE", "", None, ["HS256"], {"HS256": 1}])
def test_handoff_refuses_a_header_naming_no_algorithm_of_ours(hs256, alg):
    token = hand_made({"alg": alg, "typ": "JWT"}, claims(), hmac_key=SECRET.encode())

    assert refusal(token) == "bad_signature"


def test_handoff_refuses_hs256_signed_with_the_public_key(rs256, public_pem):
    # The algorithm-confusion attack: the public key is public, so a token
    # "signed" with it as an HMAC secret must not verify.
    confused = hand_made({"alg": "HS256", "typ": "JWT"}, claims(), public_pem.encode())

    assert refusal(confused) == "bad_signature"
    with override_settings(EMBED_HANDOFF_SECRET=SECRET):
        # Both keys set: HS256 is verified with the secret alone.
        assert refusal(confused) == "bad_signature"
    assert not User.objects.exists()


def test_handoff_refuses_rs256_when_only_a_secret_is_set(hs256, rsa_key):
    assert refusal(sign(claims(), key=rsa_key, algorithm="RS256")) == "bad_signature"


def test_handoff_refuses_an_algorithm_other_than_the_configured_ones(rs256, rsa_key):
    assert refusal(sign(claims(), key=rsa_key, algorithm="RS512")) == "bad_signature"
    assert refusal(sign(claims(), key=rsa_key, algorithm="PS256")) == "bad_signature"


def test_handoff_with_both_keys_accepts_each_algorithm_with_its_own_key(db, rsa_key, public_pem):
    with override_settings(EMBED_HANDOFF_SECRET=SECRET, EMBED_HANDOFF_PUBLIC_KEY=public_pem):
        by_secret = hand_off(sign(claims()))
        by_key = hand_off(sign(claims(sub="customer-43", email="b@example.com"), rsa_key, "RS256"))

    assert by_secret.pk != by_key.pk


def test_handoff_not_configured(db):
    with override_settings(EMBED_HANDOFF_SECRET="", EMBED_HANDOFF_PUBLIC_KEY=""):
        assert refusal(sign(claims())) == "not_configured"


# The brand signs with a weak key on purpose here; PyJWT warns about it.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_handoff_with_a_short_secret_is_not_configured(db):
    short = "too-short-a-secret"
    with override_settings(EMBED_HANDOFF_SECRET=short, EMBED_HANDOFF_PUBLIC_KEY=""):
        assert refusal(sign(claims(), key=short)) == "not_configured"


def test_handoff_with_a_public_key_given_as_the_secret_is_not_configured(db, public_pem):
    confused = hand_made({"alg": "HS256", "typ": "JWT"}, claims(), public_pem.encode())
    with override_settings(EMBED_HANDOFF_SECRET=public_pem, EMBED_HANDOFF_PUBLIC_KEY=""):
        assert refusal(confused) == "not_configured"
    assert not User.objects.exists()


# The brand signs with a weak key on purpose here; PyJWT warns about it.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_handoff_with_a_small_rsa_key_is_not_configured(db):
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point
    pem = (
        small.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with override_settings(EMBED_HANDOFF_SECRET="", EMBED_HANDOFF_PUBLIC_KEY=pem):
        assert refusal(sign(claims(), key=small, algorithm="RS256")) == "not_configured"


@pytest.mark.parametrize(
    "key",
    [
        "not a key",
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    ],
    ids=["not-pem", "not-rsa"],
)
def test_handoff_with_an_unusable_public_key_is_not_configured(db, key, rsa_key):
    with override_settings(EMBED_HANDOFF_SECRET="", EMBED_HANDOFF_PUBLIC_KEY=key):
        assert refusal(sign(claims(), key=rsa_key, algorithm="RS256")) == "not_configured"


# Linking


def test_handoff_known_subject_returns_the_same_member(hs256):
    first = hand_off(sign(claims()))

    again = hand_off(sign(claims()))

    assert again.pk == first.pk
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.count() == 1


def test_handoff_known_subject_keeps_what_the_member_chose(hs256):
    member = hand_off(sign(claims()))
    User.objects.filter(pk=member.pk).update(display_name="Cam", language="en")

    hand_off(sign(claims(name="Camille D.", locale="fr")))

    member.refresh_from_db()
    assert (member.display_name, member.language) == ("Cam", "en")


def test_handoff_known_subject_follows_a_new_address(hs256):
    member = hand_off(sign(claims()))

    again = hand_off(sign(claims(email="camille.new@example.com")))

    member.refresh_from_db()
    assert again.pk == member.pk
    assert member.email == "camille.new@example.com"
    addresses = {
        address.email: (address.verified, address.primary)
        for address in EmailAddress.objects.filter(user=member)
    }
    assert addresses == {
        "camille.new@example.com": (True, True),
        "camille@example.com": (True, False),
    }


def test_handoff_known_subject_keeps_the_address_when_another_account_has_the_new_one(hs256):
    member = hand_off(sign(claims()))
    UserFactory(email="taken@example.com")

    again = hand_off(sign(claims(email="taken@example.com")))

    member.refresh_from_db()
    assert again.pk == member.pk
    assert member.email == "camille@example.com"
    assert EmailAddress.objects.filter(user=member).count() == 1


@pytest.mark.parametrize("email", ["camille@example.com", "Camille@Example.COM"])
def test_handoff_never_links_by_address_alone(hs256, email):
    owner = UserFactory(email="camille@example.com")
    token = sign(claims(email=email))

    assert refusal(token) == "email_taken"
    assert User.objects.count() == 1
    assert not ExternalIdentity.objects.exists()
    # The token is spent all the same.
    assert refusal(token, signed_in_user=owner) == "replayed"


def test_handoff_refuses_a_taken_address_when_someone_else_is_signed_in(hs256, other_member):
    UserFactory(email="camille@example.com")

    assert refusal(sign(claims()), signed_in_user=other_member) == "email_taken"
    assert refusal(sign(claims()), signed_in_user=AnonymousUser()) == "email_taken"
    assert not ExternalIdentity.objects.exists()


def test_handoff_links_the_address_owner_when_they_are_signed_in(hs256):
    owner = UserFactory(email="camille@example.com", display_name="Cam")

    member = hand_off(sign(claims()), signed_in_user=owner)

    assert member.pk == owner.pk
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.get(subject="customer-42").user_id == owner.pk
    owner.refresh_from_db()
    assert owner.display_name == "Cam"
    # From now on, the brand's id finds them without signing in first.
    assert hand_off(sign(claims())).pk == owner.pk


def test_handoff_creates_a_new_member_when_someone_else_is_signed_in(hs256, other_member):
    member = hand_off(sign(claims()), signed_in_user=other_member)

    assert member.pk != other_member.pk
    assert not ExternalIdentity.objects.filter(user=other_member).exists()


def test_handoff_refuses_a_closed_account(hs256):
    member = hand_off(sign(claims()))
    User.objects.filter(pk=member.pk).update(closed_at=NOW)

    assert refusal(sign(claims())) == "closed"


def test_handoff_refuses_an_inactive_account(hs256):
    member = hand_off(sign(claims()))
    User.objects.filter(pk=member.pk).update(is_active=False)

    assert refusal(sign(claims())) == "inactive"


def test_handoff_refusal_changes_nothing_but_spends_the_token(hs256):
    member = hand_off(sign(claims()))
    User.objects.filter(pk=member.pk).update(is_active=False)
    token = sign(claims(email="camille.new@example.com"))

    assert refusal(token) == "inactive"
    member.refresh_from_db()
    assert member.email == "camille@example.com"
    assert HandoffNonce.objects.count() == 2


def test_handoff_signs_a_suspended_member_in(hs256):
    member = hand_off(sign(claims()))
    User.objects.filter(pk=member.pk).update(suspended_until=NOW + timedelta(days=365 * 100))

    assert hand_off(sign(claims())).pk == member.pk


def test_closing_the_account_unlinks_the_brands_id(hs256):
    member = hand_off(sign(claims()))

    user_close(user=member)

    assert not ExternalIdentity.objects.exists()
    fresh = hand_off(sign(claims()))
    assert fresh.pk != member.pk
    assert fresh.email == "camille@example.com"


# The new member's names and language


@pytest.mark.parametrize(
    ("claim", "value", "language"),
    [
        ("locale", "fr", "fr"),
        ("locale", "fr-CA", "fr"),
        ("language", "fr-CA", "fr"),
        ("locale", "en-GB", "en"),
        ("locale", "de", "fr"),
        ("locale", 12, "fr"),
        ("language", "klingon", "fr"),
    ],
)
def test_handoff_language(hs256, claim, value, language):
    # Without a language the site serves, the member reads in the request's.
    with translation.override("fr"):
        member = hand_off(sign(claims(**{claim: value})))

    member.refresh_from_db()
    assert member.language == language


def test_handoff_usernames_stay_unique_and_valid(hs256):
    UserFactory(username="camille-dupont")
    made = [
        hand_off(sign(claims(sub=f"customer-{n}", email=f"c{n}@example.com"))) for n in range(3)
    ]

    usernames = [member.username for member in made]
    assert usernames == ["camille-dupont-2", "camille-dupont-3", "camille-dupont-4"]
    for username in usernames:
        check_username(username)
        get_adapter().clean_username(username, shallow=True)


def test_handoff_username_after_the_numbered_ones_is_random(hs256, monkeypatch):
    monkeypatch.setattr(handoff, "USERNAME_NUMBERED_TRIES", 1)
    UserFactory(username="camille-dupont")
    UserFactory(username="camille-dupont-2")

    member = hand_off(sign(claims()))

    assert member.username.startswith("camille-dupont-")
    assert member.username not in {"camille-dupont", "camille-dupont-2"}
    get_adapter().clean_username(member.username, shallow=True)


@pytest.mark.parametrize(
    ("name", "email", "username", "display_name"),
    [
        ("Zoé Lefèvre", "z@example.com", "zoe-lefevre", "Zoé Lefèvre"),
        # The brand's voice is not for customers: neither as username nor as name.
        ("Official Support", "marc.b@example.com", "marcb", ""),
        ("Relais Team", "marc.b@example.com", "marcb", ""),
        ("", "jo@example.com", "member", ""),
        ("李小龍", "li@example.com", "member", "李小龍"),
        ("  Camille   Dupont  ", "c@example.com", "camille-dupont", "Camille Dupont"),
    ],
)
def test_handoff_names(hs256, name, email, username, display_name):
    member = hand_off(sign(claims(name=name, email=email)))

    member.refresh_from_db()
    assert (member.username, member.display_name) == (username, display_name)
    check_username(member.username)
    check_display_name(member.display_name)


def test_handoff_name_is_optional(hs256):
    member = hand_off(sign(claims(name=MISSING, email="dominique.martin@example.com")))

    assert (member.username, member.display_name) == ("dominiquemartin", "")


def test_handoff_display_name_too_close_to_staff_is_left_out(hs256, moderator):
    User.objects.filter(pk=moderator.pk).update(display_name="Alexandrine Moreau")

    member = hand_off(sign(claims(name="Alexandrine Moreau")))

    assert member.display_name == ""


# One use of each token, across requests


def test_handoff_prunes_spent_nonces_of_expired_tokens(hs256):
    HandoffNonce.objects.create(jti="old", expires_at=NOW - timedelta(seconds=1))
    HandoffNonce.objects.create(jti="live", expires_at=NOW + timedelta(minutes=1))
    token_claims = claims()

    hand_off(sign(token_claims))

    assert set(HandoffNonce.objects.values_list("jti", flat=True)) == {
        "live",
        token_claims["jti"],
    }
    spent = HandoffNonce.objects.get(jti=token_claims["jti"])
    assert spent.expires_at == NOW + timedelta(minutes=5) + handoff.LEEWAY


def test_handoff_nonce_is_decided_by_the_unique_constraint(hs256, monkeypatch):
    """Another request spends the same token at the last moment, right before this
    one's insert: the database refuses the second row, and this request signs
    nobody in."""
    token_claims = claims()
    create = HandoffNonce.objects.create

    def race_then_create(**kwargs):
        HandoffNonce.objects.bulk_create(
            [HandoffNonce(jti=kwargs["jti"], expires_at=kwargs["expires_at"])]
        )
        return create(**kwargs)

    monkeypatch.setattr(HandoffNonce.objects, "create", race_then_create)

    assert refusal(sign(token_claims)) == "replayed"
    assert not User.objects.exists()
    assert not ExternalIdentity.objects.exists()


def on_postgres(test):
    """Real transactions in real threads, which only PostgreSQL runs concurrently."""
    for mark in reversed(CONCURRENT_ON_POSTGRES):
        test = mark(test)
    return test


def _attempt(token: str):
    """A call for run_together: nothing to prepare, then one hand-off."""

    def attempt():
        try:
            return handoff_member(token=token, audience=AUDIENCE, now=NOW).pk
        except HandoffRefused as error:
            return error.code

    return lambda: attempt


@on_postgres
def test_handoff_same_token_at_once_signs_in_once():
    with override_settings(EMBED_HANDOFF_SECRET=SECRET, EMBED_HANDOFF_PUBLIC_KEY=""):
        token = sign(claims())
        results = run_together([_attempt(token) for _ in range(12)])

    assert results.count("replayed") == 11
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.count() == 1
    assert HandoffNonce.objects.count() == 1


@on_postgres
def test_handoff_first_visits_at_once_make_one_member():
    with override_settings(EMBED_HANDOFF_SECRET=SECRET, EMBED_HANDOFF_PUBLIC_KEY=""):
        results = run_together([_attempt(sign(claims())) for _ in range(12)])

    assert len(set(results)) == 1
    assert User.objects.filter(pk=results[0]).exists()
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.count() == 1
    assert HandoffNonce.objects.count() == 12


def test_handoff_link_is_in_the_members_copy_of_their_data(hs256):
    member = hand_off(sign(claims()))

    identities = member_data(member)["profile"]["external_identities"]

    assert [(i["provider"], i["subject"]) for i in identities] == [("handoff", "customer-42")]


def test_handoff_joins_and_links_are_in_the_audit_log(hs256):
    from wagtail.models import ModelLogEntry

    from accounts import audit

    joined = hand_off(sign(claims()))
    owner = UserFactory(email="sam@example.com")
    hand_off(sign(claims(sub="customer-7", email="sam@example.com")), signed_in_user=owner)
    # A returning member's hand-off is no new event.
    hand_off(sign(claims()))

    entries = ModelLogEntry.objects.filter(action__startswith="relais.account.handoff")
    assert sorted((entry.action, entry.object_id, entry.user_id) for entry in entries) == sorted(
        [
            (audit.HANDOFF_JOIN, str(joined.pk), joined.pk),
            (audit.HANDOFF_LINK, str(owner.pk), owner.pk),
        ]
    )
