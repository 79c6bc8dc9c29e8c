"""The client-credentials grant: access tokens for machine-to-machine (M2M) app clients.

Follows Cognito's token endpoint and resource-server pages: a confidential client (one with a secret) that
allows the `client_credentials` flow authenticates with its id and secret (an `Authorization: Basic`
header or `client_id`/`client_secret` in the body, never both) and gets an access token for custom scopes:
the ones it asks for, all of which it must be allowed, or without `scope` every custom scope it is allowed.
A V3_0 pre token generation trigger may change that access token (TokenGeneration_ClientCredentials);
there is no ID token and no refresh token.
https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from moto.cognitoidp.models import CognitoIdpUserPool, CognitoIdpUserPoolClient

from claimsctl.local import clock
from claimsctl.local.cognito import clients, minting, resource_servers, trigger
from claimsctl.local.hosted_ui.errors import OAuthError

CLIENT_AUTHENTICATION_FAILED = "client authentication failed"


def authenticated_client(pool: CognitoIdpUserPool, form: dict[str, str],
                         basic: tuple[str, str] | None) -> CognitoIdpUserPoolClient:
    """The confidential client whose id and secret the request carries; invalid_client otherwise."""
    if basic is not None and ("client_secret" in form or form.get("client_id", basic[0]) != basic[0]):
        raise OAuthError("invalid_request", "send the client's credentials one way: a Basic header or the body")
    client_id, secret = basic if basic is not None else (form.get("client_id", ""), form.get("client_secret"))
    client = pool.clients.get(client_id)
    if client is None or not clients.secret_matches(client, secret):  # one answer: no client id is revealed
        raise OAuthError("invalid_client", CLIENT_AUTHENTICATION_FAILED)
    return client


def granted_scopes(pool: CognitoIdpUserPool, client: CognitoIdpUserPoolClient, asked: str | None) -> list[str]:
    """The custom scopes the token gets; invalid_scope for one the client is not allowed. A scope the client
    still allows but its resource server no longer defines is ignored and left out of the token (the resource
    servers page); invalid_scope only when nothing is left."""
    configured = list(client.extended_config.get("AllowedOAuthScopes") or [])
    existing = resource_servers.custom_scopes(pool)
    if asked is None or not asked.strip():
        scopes = configured
    else:
        scopes = list(dict.fromkeys(asked.split()))
        refused = [s for s in scopes if s not in configured]
        if refused:
            raise OAuthError("invalid_scope", f"scope {refused[0]} is not allowed for this client")
    scopes = [s for s in scopes if s in existing]
    if not scopes:
        raise OAuthError("invalid_scope", "the client is allowed no custom scope of this user pool")
    return scopes


def client_metadata(raw: str | None) -> dict[str, str] | None:
    """aws_client_metadata: a JSON object of strings, passed to the trigger as request.clientMetadata."""
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise OAuthError("invalid_request", "aws_client_metadata must be a JSON object of string values")
    return value


def machine_claims(pool: CognitoIdpUserPool, client_id: str, scopes: list[str]) -> dict[str, Any]:
    """An M2M access token's claims as Cognito issues them: the client is the subject; no username."""
    now = int(clock.now())
    return {
        "sub": client_id, "token_use": "access", "scope": " ".join(scopes), "auth_time": now,
        "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}", "exp": now + minting.validity_seconds(
            pool, client_id, "Access"), "iat": now, "version": 2, "jti": str(uuid.uuid4()), "client_id": client_id,
    }


def grant(pool: CognitoIdpUserPool, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
    """grant_type=client_credentials: the token response, or an OAuthError as Cognito words it."""
    client = authenticated_client(pool, form, basic)
    if not clients.is_machine_client(client):
        raise OAuthError("unauthorized_client", "the client_credentials grant is not enabled for this client")
    scopes = granted_scopes(pool, client, form.get("scope"))
    overrides = trigger.invoke_for_client(pool, client.id, scopes, client_metadata(form.get("aws_client_metadata")))
    claims = machine_claims(pool, client.id, minting.final_scopes(scopes, overrides))
    minting.apply_changes(claims, overrides.access_token)
    return {"access_token": minting.sign(pool, claims), "expires_in": int(claims["exp"] - claims["iat"]),
            "token_type": "Bearer"}
