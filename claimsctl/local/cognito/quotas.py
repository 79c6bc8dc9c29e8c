"""Cognito's resource quotas that a test can reach, from "Quotas in Amazon Cognito" (resource number and size):
https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#resource-quotas

- Resource servers per user pool: 25. CreateResourceServer answers LimitExceededException (its API reference
  lists it for "a user exceeds the limit for a requested AWS resource"); applied in resource_servers.py.
- Custom attributes per user pool: 50. AddCustomAttributes lists no LimitExceededException, so it answers
  InvalidParameterException; CreateUserPool's Schema holds at most 50 attributes (a model rule).
- Scopes per resource server: 100 is the model's own limit on `Scopes` (model_rules.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException
from moto.cognitoidp.models import CognitoIdpBackend
from moto.core.exceptions import JsonRESTError

from claimsctl.local import patches

RESOURCE_SERVERS_PER_POOL = 25
CUSTOM_ATTRIBUTES_PER_POOL = 50


class LimitExceededException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("LimitExceededException", message)


def check_resource_servers(pool: Any) -> None:
    """Refuse a resource server past the pool's quota."""
    if len(pool.resource_servers) >= RESOURCE_SERVERS_PER_POOL:
        raise LimitExceededException(
            f"The user pool already has {len(pool.resource_servers)} resource servers, the quota is "
            f"{RESOURCE_SERVERS_PER_POOL} per user pool.")


def _counting_custom_attributes(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def add_custom_attributes(self: CognitoIdpBackend, user_pool_id: str, custom_attributes: list[dict[str, Any]],
                              *args: Any, **kwargs: Any) -> None:
        pool = self.describe_user_pool(user_pool_id)
        existing = sum(1 for name in pool.schema_attributes if name.startswith(("custom:", "dev:custom:")))
        if existing + len(custom_attributes or []) > CUSTOM_ATTRIBUTES_PER_POOL:
            raise InvalidParameterException(
                f"The user pool has {existing} custom attributes; adding {len(custom_attributes)} would pass the "
                f"quota of {CUSTOM_ATTRIBUTES_PER_POOL} per user pool.")
        original(self, user_pool_id, custom_attributes, *args, **kwargs)

    return add_custom_attributes


PATCHES = (patches.wrap(CognitoIdpBackend, "add_custom_attributes", _counting_custom_attributes),)
