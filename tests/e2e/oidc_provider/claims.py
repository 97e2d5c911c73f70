def userinfo(claims, user):
    """The standard claims for the scopes asked for (profile, email)."""
    claims["name"] = user.get_full_name()
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["preferred_username"] = user.username
    claims["email"] = user.email
    # The stand-in brand checks its customers' addresses.
    claims["email_verified"] = True
    return claims
