"""GetTokensFromRefreshToken, which moto lacks and Amplify JS v6 uses to refresh: new ID and access tokens
from a refresh token, through the pre token generation trigger (TokenGeneration_RefreshTokens).

https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html
Refresh-token rotation is not emulated: the same refresh token stays valid and none is returned.
"""

from __future__ import annotations

import json

from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError, ResourceNotFoundError
from moto.cognitoidp.responses import CognitoIdpResponse

from claimsctl.local import patches
from claimsctl.local.cognito import flows, pools, token_state, trigger


def _get_tokens_from_refresh_token(self: CognitoIdpResponse) -> str:
    client_id = self._get_param("ClientId") or ""
    pool = pools.of_client(client_id)
    if pool is None:
        raise ResourceNotFoundError(client_id)
    if "ALLOW_REFRESH_TOKEN_AUTH" not in flows.enabled_flows(pool.clients[client_id]):
        raise InvalidParameterException("REFRESH_TOKEN_AUTH flow not enabled for this client")
    token = self._get_param("RefreshToken") or ""
    problem = token_state.refresh_token_problem(pool, token, client_id)
    if problem is not None:
        raise NotAuthorizedError(problem)
    with trigger.token_context("TokenGeneration_RefreshTokens"):
        access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(token)
    return json.dumps({"AuthenticationResult": {"AccessToken": access_token, "IdToken": id_token,
                                                "ExpiresIn": expires_in, "TokenType": "Bearer"}})


PATCHES = (patches.replace(CognitoIdpResponse, "get_tokens_from_refresh_token", _get_tokens_from_refresh_token,
                           new=True),)
