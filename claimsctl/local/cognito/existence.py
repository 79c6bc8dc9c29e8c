"""What a sign-in tells about who exists: PreventUserExistenceErrors, and GetUser's answers by token.

moto stores an app client's `PreventUserExistenceErrors` and ignores it. With ENABLED, Cognito never says
that a user name is unknown: password sign-in answers NotAuthorizedException "Incorrect username or
password.", as for a wrong password, and USER_SRP_AUTH answers a challenge whose proof can never hold
(https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html).
With LEGACY (the API's default) an unknown user is UserNotFoundException.

moto's GetUser says "Invalid token" for any unusable token and "username" for a disabled user; Cognito
says why: "Invalid Access Token", "Access Token has expired", "Access Token has been revoked",
"User is disabled.".
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from moto.cognitoidp.exceptions import NotAuthorizedError, UserNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, CognitoIdpUserPool

from claimsctl.local import patches
from claimsctl.local.cognito import pools, srp, token_state

PASSWORD_FLOWS = frozenset({"USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"})


def hides_existence(client: Any) -> bool:
    return bool(client.extended_config.get("PreventUserExistenceErrors") == "ENABLED")


def _simulated_srp_challenge(backend: CognitoIdpBackend, pool: CognitoIdpUserPool, username: str,
                             srp_a: str) -> dict[str, Any]:
    """A PASSWORD_VERIFIER challenge for a user who does not exist, shaped like a real one; its proof fails
    with "Incorrect username or password." (srp.check_proof finds no user)."""
    stand_in = SimpleNamespace(username=username, password=secrets.token_urlsafe(24))
    block, parameters = srp.start(pool, stand_in, srp_a)
    backend.sessions[block] = (username, pool)
    return {"ChallengeName": "PASSWORD_VERIFIER", "Session": block, "ChallengeParameters": parameters}


def _hiding(original: Callable[..., Any], client_arg: int) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: CognitoIdpBackend, *args: Any, **kwargs: Any) -> Any:
        client_id = kwargs.get("client_id", args[client_arg] if len(args) > client_arg else "")
        auth_flow = kwargs.get("auth_flow", args[client_arg + 1] if len(args) > client_arg + 1 else "")
        parameters = kwargs.get("auth_parameters", args[client_arg + 2] if len(args) > client_arg + 2 else {}) or {}
        pool = pools.of_client(client_id)
        if pool is None or not hides_existence(pool.clients[client_id]):
            return original(self, *args, **kwargs)
        if auth_flow == "USER_SRP_AUTH" and pools.user(pool, parameters.get("USERNAME", "")) is None:
            return _simulated_srp_challenge(self, pool, parameters.get("USERNAME", ""), parameters.get("SRP_A", ""))
        try:
            return original(self, *args, **kwargs)
        except UserNotFoundError:
            if auth_flow in PASSWORD_FLOWS:
                raise NotAuthorizedError(srp.WRONG_PASSWORD) from None
            raise

    return wrapper


def _issuer_pool(access_token: str) -> CognitoIdpUserPool | None:
    issuer = str(token_state.unverified_claims(access_token).get("iss", ""))
    return pools.by_id(issuer.rsplit("/", 1)[-1]) if issuer.startswith("https://cognito-idp.") else None


def get_user(self: CognitoIdpBackend, access_token: str) -> CognitoIdpUser:
    """GetUser with Cognito's reason for each refusal."""
    pool = _issuer_pool(access_token)
    if pool is None:
        raise NotAuthorizedError("Invalid Access Token")
    claims, problem = token_state.inspect_token(pool, access_token, "access")
    if claims is None:
        raise NotAuthorizedError(problem)
    user = pools.user(pool, str(claims.get("username", "")))
    if user is None:
        raise UserNotFoundError("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedError("User is disabled.")
    return user  # type: ignore[no-any-return]


# After the other sign-in wrappers (cognito/service.py's order), so an unknown user is hidden whatever they do.
PATCHES = (patches.wrap(CognitoIdpBackend, "initiate_auth", lambda original: _hiding(original, 0)),
           patches.wrap(CognitoIdpBackend, "admin_initiate_auth", lambda original: _hiding(original, 1)),
           patches.replace(CognitoIdpBackend, "get_user", get_user))
