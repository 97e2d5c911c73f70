"""Sign-in with the brand's own account (allauth's openid_connect provider).

The rules, enforced here and in the settings' sign-in block:

- an account is found by the provider's subject (the SocialAccount's uid) alone;
  an address the provider reports never signs anyone into an existing account,
  whatever the app's settings in the admin say;
- an address counts as verified only when the provider says so itself
  (`email_verified`, read by allauth's provider); no setting may vouch for it;
- every new member goes through the sign-up form once, which records their
  consent to the terms of use and the privacy policy (ACCOUNT_SIGNUP_FORM_CLASS,
  which allauth's social sign-up form also extends).
"""

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.forms import SignupForm as AllauthSocialSignupForm


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def can_authenticate_by_email(self, login, email) -> bool:
        # Never: the owner of the account with this address may not be the person
        # who just signed in at the provider (an app's "email_authentication" in
        # the admin could otherwise turn it on).
        return False

    def is_email_verified(self, provider, email) -> bool:
        # Only the provider's own `email_verified` claim counts (allauth reads it
        # into the addresses); an app's "verified_email" must not vouch for others.
        return False

    def get_signup_form_initial_data(self, sociallogin) -> dict:
        initial = super().get_signup_form_initial_data(sociallogin)
        # The name the member goes by at the brand is a fair first guess for the
        # name shown on their posts; they may change it on the form.
        # allauth keeps the provider's answers apart: userinfo, then the ID token.
        data = sociallogin.account.extra_data or {}
        claims = data.get("userinfo") or data.get("id_token") or {}
        name = claims.get("name") if isinstance(claims, dict) else None
        if isinstance(name, str) and name.strip():
            initial["display_name"] = name.strip()[:80]
        return initial


class SocialSignupForm(AllauthSocialSignupForm):
    """The sign-up form for a new member coming from the provider: username,
    display name and the consent (from ACCOUNT_SIGNUP_FORM_CLASS), no password."""

    def validate_unique_email(self, value) -> str:
        email = super().validate_unique_email(value)
        if self.account_already_exists and self._vouched_for_by_provider(email):
            # The provider checked that this person owns the address, so saying
            # that an account already has it tells them nothing about anyone
            # else: they are told plainly to sign in to it and connect from there.
            # For any other address allauth's answer stays, which keeps quiet
            # about who has an account: it mails the address's owner instead.
            raise get_social_adapter().validation_error(
                "email_taken", self.sociallogin.provider.name
            )
        return email

    def _vouched_for_by_provider(self, email: str) -> bool:
        return any(
            address.verified and address.email.lower() == email.lower()
            for address in self.sociallogin.email_addresses
        )
