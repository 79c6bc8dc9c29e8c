"""Resource servers and their custom scopes: what moto lacks (UpdateResourceServer, DeleteResourceServer),
and the one lookup of which custom scopes a pool has.

A custom scope is `{identifier}/{scope name}`, as Cognito writes it in app clients and access tokens:
https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException, ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool, CognitoResourceServer
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult, EmptyResult

from claimsctl.local import patches
from claimsctl.local.cognito import quotas

MAX_SCOPES = 100  # per resource server (Cognito's quota)


def custom_scopes(pool: CognitoIdpUserPool) -> set[str]:
    """Every `{identifier}/{scope}` the pool's resource servers define."""
    return {f"{server.identifier}/{scope.get('ScopeName')}"
            for server in pool.resource_servers.values() for scope in (server.scopes or [])}


def _checked_scopes(scopes: Any) -> list[dict[str, str]]:
    if scopes is None:
        return []
    if not isinstance(scopes, list) or len(scopes) > MAX_SCOPES:
        raise InvalidParameterException(f"Scopes must be a list of at most {MAX_SCOPES} scopes.")
    names = [scope.get("ScopeName") if isinstance(scope, dict) else None for scope in scopes]
    if any(not isinstance(name, str) or not name or " " in name or "/" in name for name in names):
        raise InvalidParameterException("Each scope needs a ScopeName without spaces or '/'.")
    if len(set(names)) != len(names):
        raise InvalidParameterException("Scope names must be unique within a resource server.")
    return [dict(scope) for scope in scopes]


def _server(backend: CognitoIdpBackend, pool_id: str, identifier: str) -> CognitoResourceServer:
    server = backend.describe_user_pool(pool_id).resource_servers.get(identifier)
    if server is None:
        raise ResourceNotFoundError(f"Resource server {identifier} does not exist.")
    return server  # type: ignore[no-any-return]


def update(backend: CognitoIdpBackend, pool_id: str, identifier: str, name: str, scopes: Any) -> CognitoResourceServer:
    """UpdateResourceServer: the name and the whole list of scopes are replaced."""
    server = _server(backend, pool_id, identifier)
    server.name = name
    server.scopes = _checked_scopes(scopes)
    return server


def delete(backend: CognitoIdpBackend, pool_id: str, identifier: str) -> None:
    _server(backend, pool_id, identifier)
    del backend.describe_user_pool(pool_id).resource_servers[identifier]


def _checking_create(original: Any) -> Any:
    def create_resource_server(self: CognitoIdpBackend, user_pool_id: str, identifier: str, name: str,
                               scopes: Any) -> CognitoResourceServer:
        if not isinstance(identifier, str) or not identifier or " " in identifier:
            raise InvalidParameterException("Identifier must be 1-256 characters without spaces.")
        quotas.check_resource_servers(self.describe_user_pool(user_pool_id))
        return original(self, user_pool_id, identifier, name, _checked_scopes(scopes))  # type: ignore[no-any-return]

    return create_resource_server


def _update_response(self: CognitoIdpResponse) -> ActionResult:
    server = update(self.backend, self._get_param("UserPoolId"), self._get_param("Identifier"),
                    self._get_param("Name"), self._get_param("Scopes"))
    return ActionResult({"ResourceServer": server.to_json()})


def _delete_response(self: CognitoIdpResponse) -> EmptyResult:
    delete(self.backend, self._get_param("UserPoolId"), self._get_param("Identifier"))
    return EmptyResult()


PATCHES = (
    patches.wrap(CognitoIdpBackend, "create_resource_server", _checking_create),
    patches.replace(CognitoIdpResponse, "update_resource_server", _update_response, new=True),
    patches.replace(CognitoIdpResponse, "delete_resource_server", _delete_response, new=True),
)
