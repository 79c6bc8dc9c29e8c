"""RevokeToken, which moto lacks (a 500): revoke a refresh token and the tokens issued from it.

https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html:
the refresh token, and every access token generated from it, stop working.
An access or ID token given as Token gets UnsupportedTokenTypeException; a
client with EnableTokenRevocation false gets UnsupportedOperationException.
For a client with a secret, ClientSecret must be it ("required only if the client ID has a secret"):
otherwise UnauthorizedException "Invalid client or secret" (the text users report), and nothing is revoked.
A token that is unknown, already revoked or another client's changes nothing
(RFC 7009: the answer does not reveal which tokens exist).
"""

from __future__ import annotations

from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError

from claimsctl.local import patches
from claimsctl.local.cognito import clients, pools


class UnsupportedTokenTypeException(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("UnsupportedTokenTypeException", "Only refresh tokens can be revoked.")


class UnauthorizedException(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("UnauthorizedException", "Invalid client or secret")


class UnsupportedOperationException(JsonRESTError):
    def __init__(self) -> None:
        super().__init__("UnsupportedOperationException", "Token revocation is not enabled for this app client.")


def revoke(pool: CognitoIdpUserPool, client_id: str, token: str) -> None:
    if token.count(".") == 2:
        raise UnsupportedTokenTypeException()
    client = pool.clients[client_id]
    if client.extended_config.get("EnableTokenRevocation", True) in (False, "false"):
        raise UnsupportedOperationException()
    entry = pool.refresh_tokens.get(token)
    if not entry or entry[0] != client_id:
        return
    pool.refresh_tokens[token] = None  # revokes its origin_jti: every token issued from it stops working


def _revoke_token(self: CognitoIdpResponse) -> str:
    client_id = self._get_param("ClientId") or ""
    pool = pools.of_client(client_id)
    if pool is None:
        raise ResourceNotFoundError(client_id)
    client = pool.clients[client_id]
    if client.generate_secret and not clients.secret_matches(client, self._get_param("ClientSecret")):
        raise UnauthorizedException()
    revoke(pool, client_id, self._get_param("Token") or "")
    return "{}"


PATCHES = (patches.replace(CognitoIdpResponse, "revoke_token", _revoke_token, new=True),)

