"""API Gateway's Cognito user pool authorizer on the emulator: a token of one of the authorizer's pools.

As on API Gateway, a method with no AuthorizationScopes takes ID tokens only
(an access token is treated as an ID token there, and fails); with
AuthorizationScopes only an access token holding one of them passes.
Verification is claimsctl's verifier, with the pools' keys read in-process.
The header may carry the token bare or after `Bearer ` (RFC 6750): API Gateway takes both, as AWS's
Cognito workshop calls the authorizer with "Bearer <token>" and Amplify's documented header sends it.
"""

from __future__ import annotations

import json
from typing import Any

from claimsctl.local import clock, state
from claimsctl.local.cognito import pools
from claimsctl.local.cognito.minting import public_jwks
from claimsctl_runtime import tokens


def _local_jwks(url: str) -> dict[str, Any]:
    """The JWKS the verifier asks for (https://cognito-idp.{region}.amazonaws.com/{pool}/...), read in-process."""
    pool = pools.by_id(url.rstrip("/").split("/")[-3])
    return json.loads(public_jwks(pool)) if pool is not None else {"keys": []}  # type: ignore[no-any-return]


_JWKS = state.Slot(lambda: tokens.JwksCache(fetch=_local_jwks))


def bare_token(header: str) -> str:
    """The token of an Authorization header value, with or without the `Bearer ` scheme."""
    scheme, _, rest = header.strip().partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else header.strip()


def verify(authorizer: Any, method: Any, identity: str) -> dict[str, Any] | None:
    """The token's claims when one of the authorizer's pools issued it for one of its clients, else None."""
    token = bare_token(identity.split("\x1f")[0])
    scopes = tuple(method.authorization_scopes or ())
    for arn in authorizer.provider_arns or []:
        pool = pools.by_arn(arn)
        if pool is None:
            continue
        verifier = tokens.CognitoVerifier(
            user_pool_id=pool.id, region=pool.region, client_ids=tuple(pool.clients),
            token_use="access" if scopes else "id", scopes=scopes, jwks=_JWKS.get(),
            verified=tokens.VerifiedCache(size=0), clock=clock.now,
        )
        try:
            return verifier.verify(token)
        except tokens.TokenError:
            continue
    return None
