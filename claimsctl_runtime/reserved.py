"""Claim names Cognito reserves: a trigger can never add, change or suppress them (with every `cognito:`
and `dev:` name). One list, read by stackInputs.json's validation, the generic trigger and the emulator.

https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
"""

from __future__ import annotations

RESERVED = frozenset({
    "acr", "amr", "at_hash", "auth_time", "azp", "aud", "cognito:username", "sub", "identities", "event_id",
    "exp", "iat", "iss", "jti", "nbf", "nonce", "origin_jti", "token_use",
})
# The access token's own claims: reserved there (a V1 trigger may still put them in the ID token).
RESERVED_IN_ACCESS_TOKENS = frozenset({"client_id", "username", "scope", "version", "device_key"})
# What claimsctl never lets a project name as its own claim: both lists, and the attributes Cognito writes.
NOT_FOR_PROJECTS = RESERVED | RESERVED_IN_ACCESS_TOKENS | frozenset({"email", "email_verified"})


def is_reserved(claim: str, token_use: str = "id") -> bool:  # noqa: S107 - a claim value, not a secret
    if token_use == "access" and claim in RESERVED_IN_ACCESS_TOKENS:  # noqa: S105
        return True
    return claim in RESERVED or claim.startswith(("cognito:", "dev:"))


def refused_for_projects(claim: str) -> bool:
    """A name a project's claims_for may not return (it would be ignored by Cognito, or collide; `claimsctl:`
    names are claimsctl's own, such as the lookup marker)."""
    return claim in NOT_FOR_PROJECTS or claim.startswith(("cognito:", "dev:", "claimsctl:"))


# Claims Cognito writes from the user's attributes and the sign-in: never a project's own.
STANDARD = frozenset({"email", "email_verified", "phone_number", "phone_number_verified", "name", "given_name",
                      "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
                      "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "address",
                      "cognito:groups", "cognito:roles", "cognito:preferred_role"})


def added_by_project(claim: str) -> bool:
    """A claim a project's claims_for may have added (what the CLI marks, and the authorizer passes on)."""
    return not refused_for_projects(claim) and claim not in STANDARD and not claim.startswith("custom:")
