"""Signing a brand's customer in from a token the brand signed (the embedded help
widget's hand-off, like Zendesk's JWT single sign-on or Discourse Connect).

The brand's backend, where the customer is already signed in, signs a short-lived
JSON Web Token naming them; the widget hands it to the community, which verifies
it, spends its one-time id and returns the member it names, creating or linking
them. The view signs that member in.

What the token must hold, and how a brand signs it, is in the README ("Signing the
hand-off token"). The rules that matter for safety:

- Only the algorithm of a configured key is accepted, each with its own key:
  HS256 with EMBED_HANDOFF_SECRET, RS256 with EMBED_HANDOFF_PUBLIC_KEY. The
  token's header only chooses between them, so "none" and HS256 "signed" with the
  public key (the algorithm-confusion attack) are refused.
- A token lives at most MAX_LIFETIME and signs in once: its `jti` is stored in
  the database (HandoffNonce, unique), in the same transaction, so that two
  requests with the same token cannot both pass, whichever app server they reach.
- The brand's id for the customer (`sub`) finds a returning member
  (ExternalIdentity). An e-mail address is never enough to take over an account:
  an unknown `sub` whose address already belongs to an account is refused, unless
  the person is signed in to that very account, which proves it is theirs.
- The brand vouches for the address: a new member's address is verified.
- A returning member keeps what they chose on the site (display name, language);
  only the address follows the brand, when no other account holds the new one.
- A new member has not accepted the community's terms: no consent is recorded for
  them (accounts.services.user_record_consent is only called on what they accept).
"""

import unicodedata
from datetime import UTC, datetime, timedelta

import jwt
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from accounts import audit
from accounts.language import address_owner, supported_language
from accounts.models import ExternalIdentity, HandoffNonce, User
from accounts.names import check_display_name

# A token is signed for one sign-in, right before it: ten minutes is ample for a
# page to load the widget, and short enough that a token copied from a log or a
# browser's history is worth little.
MAX_LIFETIME = timedelta(minutes=10)
# The brand's clock and ours may differ a little.
LEEWAY = timedelta(seconds=30)
# Tokens are small; anything much larger is not one of ours, and is not parsed.
MAX_TOKEN_LENGTH = 8192

REQUIRED_CLAIMS = ("sub", "email", "aud", "exp", "iat", "jti")
# The length of the columns the claims are stored in.
MAX_SUBJECT_LENGTH = ExternalIdentity._meta.get_field("subject").max_length
MAX_JTI_LENGTH = HandoffNonce._meta.get_field("jti").max_length
MAX_EMAIL_LENGTH = 254
MAX_DISPLAY_NAME_LENGTH = User._meta.get_field("display_name").max_length
# Usernames made from a name stay short enough to read, with room for a number.
USERNAME_BASE_LENGTH = 30
USERNAME_FALLBACK = "member"
USERNAME_SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
# How many numbered usernames ("camille-2", "camille-3"…) are tried before a random
# suffix; and how many times the creation is tried again when a concurrent request
# took the username or the brand's id first.
USERNAME_NUMBERED_TRIES = 20
CREATE_ATTEMPTS = 3

HS256 = "HS256"
RS256 = "RS256"
# Weaker keys are a misconfiguration, refused like a missing key: a secret as long
# as the hash it keys (RFC 7518, 3.2), an RSA key of today's minimum size.
MIN_SECRET_BYTES = 32
MIN_RSA_KEY_BITS = 2048

# What the customer reads. The details stay in the code: a refused token tells
# whoever holds it nothing about why the signature or a claim did not fit.
_INVALID = _("This sign-in link is not valid. Go back to the site you came from and try again.")
MESSAGES = {
    "not_configured": _("Signing in from the brand's site is not available at the moment."),
    "malformed": _INVALID,
    "bad_signature": _INVALID,
    "too_long_lived": _INVALID,
    "wrong_audience": _INVALID,
    "wrong_issuer": _INVALID,
    "missing_claim": _INVALID,
    "expired": _("This sign-in link has expired. Go back to the site you came from and try again."),
    "replayed": _(
        "This sign-in link has already been used. Go back to the site you came from and try again."
    ),
    "email_taken": _(
        "An account of this community already uses your e-mail address. Sign in to the "
        "community with that account first, then try again: the two will be linked."
    ),
    "closed": _("This account has been closed."),
    "inactive": _("This account is disabled. Contact the community's team."),
}


class HandoffRefused(Exception):
    """The token does not sign anyone in: `code` says why (for the code and the
    logs), `message` what to tell the customer, in the active language."""

    def __init__(self, code: str):
        self.code = code
        self.message = str(MESSAGES[code])
        super().__init__(code)


def handoff_member(*, token: str, audience: str, signed_in_user=None, now=None) -> User:
    """Verify `token`, consume its nonce, and return the member it names, creating or
    linking them. Does not log in (the view does).

    `audience` is the community's origin, which the token's `aud` must equal;
    `signed_in_user` the member already signed in on this browser, if any (the
    only proof that lets an unknown brand id link to an existing account); `now`
    the time to check the token against (the current time by default).

    Raises HandoffRefused. Call it outside a transaction (as a view does): the
    token's nonce is committed here, also when the hand-off is refused.
    """
    now = now or timezone.now()
    claims = _verified_claims(token, audience=audience, now=now)
    refusal = None
    # Not one atomic block: a token is spent even when it signs nobody in (an
    # address taken, an account closed), so its nonce commits while the member's
    # changes roll back.
    with transaction.atomic():
        _consume_nonce(jti=claims["jti"], exp=claims["exp"], now=now)
        try:
            with transaction.atomic():
                member = _member_for(claims, signed_in_user=signed_in_user)
        except HandoffRefused as error:
            refusal = error
    if refusal is not None:
        raise refusal
    return member


# Verifying the token


def _keys() -> dict:
    """The configured keys, by the one algorithm each may verify."""
    keys = {}
    secret = getattr(settings, "EMBED_HANDOFF_SECRET", "")
    if secret:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise HandoffRefused("not_configured")
        keys[HS256] = secret
    pem = getattr(settings, "EMBED_HANDOFF_PUBLIC_KEY", "")
    if pem:
        try:
            # Environment variables often carry a PEM on one line, with "\n" written out.
            public_key = load_pem_public_key(pem.replace("\\n", "\n").encode())
        except ValueError as error:
            raise HandoffRefused("not_configured") from error
        if not isinstance(public_key, RSAPublicKey) or public_key.key_size < MIN_RSA_KEY_BITS:
            raise HandoffRefused("not_configured")
        keys[RS256] = public_key
    return keys


def _verified_claims(token: str, *, audience: str, now: datetime) -> dict:
    keys = _keys()
    if not keys:
        raise HandoffRefused("not_configured")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise HandoffRefused("malformed")
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.InvalidTokenError as error:
        raise HandoffRefused("malformed") from error
    # The header names the algorithm, but only ours may be named, and each is
    # verified with its own key alone.
    if not isinstance(algorithm, str) or algorithm not in keys:
        raise HandoffRefused("bad_signature")
    issuer = getattr(settings, "EMBED_HANDOFF_ISSUER", "")
    try:
        claims = jwt.decode(
            token,
            keys[algorithm],
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer or None,
            # Times are checked below, against `now`, with the same leeway.
            options={
                "require": [*REQUIRED_CLAIMS, *(["iss"] if issuer else [])],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "strict_aud": True,
            },
        )
    except jwt.InvalidSignatureError as error:
        raise HandoffRefused("bad_signature") from error
    except jwt.MissingRequiredClaimError as error:
        raise HandoffRefused("missing_claim") from error
    except jwt.InvalidAudienceError as error:
        raise HandoffRefused("wrong_audience") from error
    except jwt.InvalidIssuerError as error:
        raise HandoffRefused("wrong_issuer") from error
    except jwt.InvalidKeyError as error:
        # The key itself is unusable for its algorithm (a PEM given as the secret).
        raise HandoffRefused("not_configured") from error
    except jwt.PyJWTError as error:
        raise HandoffRefused("malformed") from error
    _check_times(claims, now=now)
    _check_claims(claims)
    return claims


def _timestamp(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HandoffRefused("malformed")
    return float(value)


def _check_times(claims: dict, *, now: datetime) -> None:
    exp = _timestamp(claims["exp"])
    iat = _timestamp(claims["iat"])
    moment = now.timestamp()
    leeway = LEEWAY.total_seconds()
    if exp < iat:
        raise HandoffRefused("malformed")
    if exp - iat > MAX_LIFETIME.total_seconds():
        raise HandoffRefused("too_long_lived")
    if exp + leeway < moment:
        raise HandoffRefused("expired")
    # Signed in the future, or not valid yet: not a token of this moment.
    if iat - leeway > moment:
        raise HandoffRefused("malformed")
    if "nbf" in claims and _timestamp(claims["nbf"]) - leeway > moment:
        raise HandoffRefused("malformed")


def _check_claims(claims: dict) -> None:
    for name in ("sub", "email", "jti"):
        value = claims[name]
        if not isinstance(value, str):
            raise HandoffRefused("malformed")
        if not value.strip():
            raise HandoffRefused("missing_claim")
    if len(claims["sub"]) > MAX_SUBJECT_LENGTH or len(claims["jti"]) > MAX_JTI_LENGTH:
        raise HandoffRefused("malformed")
    email = claims["email"].strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise HandoffRefused("malformed") from error
    if len(email) > MAX_EMAIL_LENGTH:
        raise HandoffRefused("malformed")
    claims["email"] = email


def _consume_nonce(*, jti: str, exp, now: datetime) -> None:
    """Spend the token's one-time id, or refuse it as replayed.

    The insert itself decides, through the unique constraint: a second request
    with the same token waits for the first one's transaction and then fails, on
    any number of app servers. Rows of expired tokens go, as those tokens are
    refused as expired anyway: an indexed delete, cheap on each hand-off.
    """
    HandoffNonce.objects.filter(expires_at__lt=now).delete()
    expires_at = datetime.fromtimestamp(_timestamp(exp), tz=UTC) + LEEWAY
    try:
        with transaction.atomic():
            HandoffNonce.objects.create(jti=jti, expires_at=expires_at)
    except IntegrityError as error:
        raise HandoffRefused("replayed") from error


# Finding, linking or creating the member


def _member_for(claims: dict, *, signed_in_user) -> User:
    for _attempt in range(CREATE_ATTEMPTS - 1):
        try:
            return _find_link_or_create(claims, signed_in_user=signed_in_user)
        except IntegrityError:
            # A concurrent first hand-off of the same customer, or of another one
            # to the same username or address, came first: look again.
            pass
    return _find_link_or_create(claims, signed_in_user=signed_in_user)


def _find_link_or_create(claims: dict, *, signed_in_user) -> User:
    subject = claims["sub"]
    email = claims["email"]
    identity = ExternalIdentity.objects.filter(
        provider=ExternalIdentity.Provider.HANDOFF, subject=subject
    ).first()
    if identity is not None:
        member = User.objects.select_for_update().get(pk=identity.user_id)
        _check_usable(member)
        _follow_email(member, email=email)
        return member
    owner = address_owner(email)
    if owner is not None:
        # Never by address alone: whoever controls the brand's record of an
        # address would otherwise take over the community account behind it.
        if signed_in_user is None or getattr(signed_in_user, "pk", None) != owner.pk:
            raise HandoffRefused("email_taken")
        member = User.objects.select_for_update().get(pk=owner.pk)
        _check_usable(member)
    else:
        member = None
    # A savepoint, so that a unique constraint failing here (see _member_for)
    # leaves the transaction usable.
    with transaction.atomic():
        joined = member is None
        if joined:
            member = _create_member(claims, email=email)
        ExternalIdentity.objects.create(
            user=member, provider=ExternalIdentity.Provider.HANDOFF, subject=subject
        )
    # In the audit log, as the member's other account events: joining through the
    # brand's site, or an existing account linked to the brand's id.
    log(member, audit.HANDOFF_JOIN if joined else audit.HANDOFF_LINK, user=member)
    return member


def _check_usable(member: User) -> None:
    if member.closed_at is not None:
        raise HandoffRefused("closed")
    if not member.is_active:
        raise HandoffRefused("inactive")


def _follow_email(member: User, *, email: str) -> None:
    """Make the brand's new address the member's, when no other account holds it;
    otherwise the member keeps theirs (and still signs in)."""
    if member.email.casefold() == email.casefold():
        return
    owner = address_owner(email)
    if owner is not None and owner.pk != member.pk:
        return
    member.email = email
    member.save(update_fields=["email"])
    # The member's other addresses stay theirs (and keep others from taking them).
    EmailAddress.objects.filter(user=member, primary=True).update(primary=False)
    address = EmailAddress.objects.filter(user=member, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=member, email=email, verified=True, primary=True)
    else:
        address.email, address.verified, address.primary = email, True, True
        address.save(update_fields=["email", "verified", "primary"])


def _create_member(claims: dict, *, email: str) -> User:
    name = claims.get("name")
    name = " ".join(name.split())[:MAX_DISPLAY_NAME_LENGTH] if isinstance(name, str) else ""
    member = User(
        username=_free_username(name, email=email),
        email=email,
        display_name=_display_name(name),
        language=_language(claims),
    )
    # The brand signs them in; a password can be set later through "forgot password".
    member.set_unusable_password()
    member.save()
    EmailAddress.objects.create(user=member, email=email, verified=True, primary=True)
    return member


def _display_name(name: str) -> str:
    """`name` when the site's rules allow it; else none, and the username shows."""
    try:
        check_display_name(name)
    except ValidationError:
        return ""
    return name


def _language(claims: dict) -> str:
    """The token's language when the site serves it ("fr-CA" reads French); else
    the one this request is served in, as a sign-up would choose."""
    for claim in ("locale", "language"):
        value = claims.get(claim)
        language = supported_language(value) if isinstance(value, str) else None
        if language:
            return language
    return supported_language(translation.get_language()) or settings.LANGUAGE_CODE


def _username_base(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return slugify(ascii_text)[:USERNAME_BASE_LENGTH].strip("-")


def _valid_username(candidate: str, *, taken_too: bool = True) -> bool:
    """Whether `candidate` passes every rule a username chosen at sign-up passes:
    the form's minimum length and the adapter's rules (allowed characters, length,
    reserved words), and, with `taken_too`, that nobody has it yet."""
    if len(candidate) < settings.ACCOUNT_USERNAME_MIN_LENGTH:
        return False
    try:
        get_adapter().clean_username(candidate, shallow=not taken_too)
    except ValidationError:
        return False
    return True


def _free_username(name: str, *, email: str) -> str:
    """A free username made from the customer's name, else from their address
    ("camille-dupont", then "camille-dupont-2"…)."""
    bases = (_username_base(name), _username_base(email.partition("@")[0]))
    base = next((b for b in bases if _valid_username(b, taken_too=False)), USERNAME_FALLBACK)
    candidates = [base, *(f"{base}-{n}" for n in range(2, USERNAME_NUMBERED_TRIES + 2))]
    # Past the numbered ones, a random suffix: a clash is then all but impossible.
    candidates += [f"{base}-{get_random_string(8, USERNAME_SUFFIX_CHARS)}" for _ in range(5)]
    for candidate in candidates:
        if _valid_username(candidate):
            return candidate
    raise IntegrityError("no free username")
