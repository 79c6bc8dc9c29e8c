"""What Cognito checks in an app client's OAuth settings before it stores them (moto stores anything).

- `client_credentials` needs a client secret, and is never combined with the `code` or `implicit` grant.
- Every scope in AllowedOAuthScopes is an OpenID Connect scope, `aws.cognito.signin.user.admin`, or a custom
  scope of one of the pool's resource servers.
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html
https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool, CognitoIdpUserPoolClient
from moto.core.exceptions import JsonRESTError

from claimsctl.local import patches
from claimsctl.local.cognito import resource_servers

CUSTOM_SECRET = re.compile(r"[\w+]{24,64}")  # CreateUserPoolClient's ClientSecret: 24-64 of [\w+]
STANDARD_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})


class InvalidOAuthFlowException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidOAuthFlowException", message)


class ScopeDoesNotExistException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ScopeDoesNotExistException", message)


def check(pool: CognitoIdpUserPool, has_secret: bool, config: dict[str, Any]) -> None:
    """Refuse the settings Cognito refuses, with its exception types."""
    flows = set(config.get("AllowedOAuthFlows") or [])
    if "client_credentials" in flows and not has_secret:
        raise InvalidOAuthFlowException(
            "client_credentials flow can not be selected if client does not have a client secret.")
    if "client_credentials" in flows and flows & {"code", "implicit"}:
        raise InvalidOAuthFlowException(
            "client_credentials flow can not be selected along with code flow or implicit flow.")
    known = STANDARD_SCOPES | resource_servers.custom_scopes(pool)
    for scope in config.get("AllowedOAuthScopes") or []:
        if scope not in known:
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")


def secret_matches(client: CognitoIdpUserPoolClient, secret: object) -> bool:
    """The client has a secret and `secret` is it (compared in constant time)."""
    return bool(client.generate_secret) and isinstance(secret, str) and \
        secrets.compare_digest(secret.encode(), str(client.secret).encode())


def is_machine_client(client: CognitoIdpUserPoolClient) -> bool:
    """A client that may use the client-credentials grant."""
    config = client.extended_config
    return bool(client.generate_secret and config.get("AllowedOAuthFlowsUserPoolClient")
                and "client_credentials" in (config.get("AllowedOAuthFlows") or []))


def custom_secret(generate_secret: bool, config: dict[str, Any]) -> str | None:
    """CreateUserPoolClient's ClientSecret (a secret the caller chose), checked as Cognito checks it."""
    secret = config.pop("ClientSecret", None)
    if secret is None:
        return None
    if generate_secret:
        raise InvalidParameterException("You cannot specify both GenerateSecret as true and a ClientSecret value.")
    if not isinstance(secret, str) or not CUSTOM_SECRET.fullmatch(secret):
        raise InvalidParameterException("ClientSecret must be 24 to 64 letters, digits, '_' or '+'.")
    return secret


def _checking_create(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def create_user_pool_client(self: CognitoIdpBackend, user_pool_id: str, generate_secret: bool,
                                extended_config: dict[str, Any]) -> Any:
        config = dict(extended_config or {})
        secret = custom_secret(bool(generate_secret), config)
        check(self.describe_user_pool(user_pool_id), bool(generate_secret) or secret is not None, config)
        client = original(self, user_pool_id, bool(generate_secret) or secret is not None, config)
        if secret is not None:
            client.secret = secret
        return client

    return create_user_pool_client


def _checking_update(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def update_user_pool_client(self: CognitoIdpBackend, user_pool_id: str, client_id: str,
                                extended_config: dict[str, Any]) -> Any:
        client = self.describe_user_pool_client(user_pool_id, client_id)
        check(self.describe_user_pool(user_pool_id), client.generate_secret, extended_config or {})
        return original(self, user_pool_id, client_id, extended_config)

    return update_user_pool_client


PATCHES = (
    patches.wrap(CognitoIdpBackend, "create_user_pool_client", _checking_create),
    patches.wrap(CognitoIdpBackend, "update_user_pool_client", _checking_update),
)
