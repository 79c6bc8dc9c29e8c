"""SECRET_HASH: what Cognito asks of every unauthenticated user call made for an app client that has a secret.

The hash is Base64(HMAC_SHA256(client secret, username + client id)) ("Computing secret hash values",
https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html#cognito-user-pools-computing-secret-hash).
InitiateAuth and AdminInitiateAuth take it as AuthParameters SECRET_HASH ("required if the app client is
configured with a client secret", every flow, REFRESH_TOKEN_AUTH included), RespondToAuthChallenge and
AdminRespondToAuthChallenge as ChallengeResponses SECRET_HASH, and SignUp, ConfirmSignUp, ForgotPassword,
ConfirmForgotPassword and ResendConfirmationCode as SecretHash. moto ignores it everywhere.

Cognito's answers, NotAuthorizedException both: "Client <id> is configured with secret but SECRET_HASH was not
received" when a sign-in call has none, "Unable to verify secret hash for client <id>" when the hash is wrong
(and when SecretHash is missing from the sign-up and recovery calls: the knowledge-center article
https://repost.aws/knowledge-center/cognito-unable-to-verify-secret-hash). The user a refresh's hash is
computed for is the refresh token's own user (its Cognito username, which is the `sub` in a pool that signs
in by email). Hashes are compared in constant time.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.exceptions import NotAuthorizedError
from moto.cognitoidp.responses import CognitoIdpResponse

from claimsctl.local import patches
from claimsctl.local.cognito import flows, pools, token_state


def compute(client_id: str, secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _secret_of(client_id: str) -> str | None:
    """The app client's secret; None when it has none or is unknown (moto then answers for the client)."""
    pool = pools.of_client(client_id) if isinstance(client_id, str) else None
    client = pool.clients.get(client_id) if pool is not None else None
    return str(client.secret) if client is not None and client.generate_secret else None


def check(client_id: str, username: str | None, given: object, missing: str | None = None) -> None:
    """Refuse a call for a client with a secret whose hash is missing or wrong. `username` None skips the
    comparison (the call fails later for its own reason, e.g. an invalid refresh token)."""
    secret = _secret_of(client_id)
    if secret is None:
        return
    if not isinstance(given, str) or not given:
        raise NotAuthorizedError(missing or f"Unable to verify secret hash for client {client_id}")
    if username is not None and not hmac.compare_digest(given.encode(), compute(client_id, secret, username).encode()):
        raise NotAuthorizedError(f"Unable to verify secret hash for client {client_id}")


def _not_received(client_id: str) -> str:
    return f"Client {client_id} is configured with secret but SECRET_HASH was not received"


def _refresh_user(client_id: str, parameters: dict[str, Any]) -> str | None:
    pool = pools.of_client(client_id)
    grant = token_state.read_refresh_token(pool, str(parameters.get("REFRESH_TOKEN", ""))) if pool else None
    return grant.username if grant is not None and grant.client_id == client_id else None


def _initiating(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def handler(self: CognitoIdpResponse) -> Any:
        client_id = self._get_param("ClientId") or ""
        parameters = self._get_param("AuthParameters") or {}
        if self._get_param("AuthFlow") in flows.REFRESH_FLOWS:
            username = _refresh_user(client_id, parameters)
        else:
            username = str(parameters.get("USERNAME", ""))
        check(client_id, username, parameters.get("SECRET_HASH"), _not_received(client_id))
        return original(self)

    return handler


def _responding(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def handler(self: CognitoIdpResponse) -> Any:
        client_id = self._get_param("ClientId") or ""
        responses = self._get_param("ChallengeResponses") or {}
        check(client_id, str(responses.get("USERNAME", "")), responses.get("SECRET_HASH"), _not_received(client_id))
        return original(self)

    return handler


def _with_secret_hash(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def handler(self: CognitoIdpResponse) -> Any:
        client_id = self._get_param("ClientId") or ""
        check(client_id, str(self._get_param("Username") or ""), self._get_param("SecretHash"))
        return original(self)

    return handler


SIGN_IN = ("initiate_auth", "admin_initiate_auth")
CHALLENGES = ("respond_to_auth_challenge", "admin_respond_to_auth_challenge")
# ResendConfirmationCode, which moto lacks, checks its SecretHash in recovery.py.
ACCOUNT = ("sign_up", "confirm_sign_up", "forgot_password", "confirm_forgot_password")
# After every other wrapper of these handlers (cognito/service.py's order): the hash is checked first.
PATCHES = (*(patches.wrap(CognitoIdpResponse, name, _initiating) for name in SIGN_IN),
           *(patches.wrap(CognitoIdpResponse, name, _responding) for name in CHALLENGES),
           *(patches.wrap(CognitoIdpResponse, name, _with_secret_hash) for name in ACCOUNT))
