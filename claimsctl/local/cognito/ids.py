"""User pool and app client ids, and app client secrets, shaped as Cognito makes them.

moto makes a pool id of the region and 32 hex digits, and an app client id of 26 hex digits. Cognito's are
`{region}_` and 9 letters and digits (e.g. `us-east-1_aB3dE5gH7`), and 26 lower-case letters and digits.
Code that checks an id's shape (a regular expression in a user's API, a length check) must see the real
shape here. moto's hash strategy (MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY=HASH, for ids stable across runs)
is kept when it is asked for. moto's client secret is a UUID, whose hyphens the API's own pattern for
ClientSecret (`[\\w+]+`, in RevokeToken and GetTokensFromRefreshToken) refuses; Cognito's is 51 lower-case
letters and digits (the DescribeUserPoolClient example), so a secret sent back is never refused for its shape.
"""

from __future__ import annotations

import functools
import secrets
import string
from collections.abc import Callable
from typing import Any

from moto import settings as moto_settings
from moto.cognitoidp import utils as moto_utils
from moto.cognitoidp.models import CognitoIdpUserPool, CognitoIdpUserPoolClient

from claimsctl.local import patches

_POOL_ID_CHARS = string.ascii_letters + string.digits
_CLIENT_ID_CHARS = string.ascii_lowercase + string.digits


def pool_id(region: str) -> str:
    return f"{region}_" + "".join(secrets.choice(_POOL_ID_CHARS) for _ in range(9))


def client_id() -> str:
    return "".join(secrets.choice(_CLIENT_ID_CHARS) for _ in range(26))


def client_secret() -> str:
    return "".join(secrets.choice(_CLIENT_ID_CHARS) for _ in range(51))


def _hash_strategy(strategy: Callable[[], str | None]) -> bool:
    return strategy() == moto_utils.ID_HASH_STRATEGY


def _shaped_pool(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def __init__(self: CognitoIdpUserPool, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if not _hash_strategy(moto_settings.get_cognito_idp_user_pool_id_strategy):
            self.id = pool_id(self.region)
            self.arn = self.arn.rsplit("/", 1)[0] + f"/{self.id}"

    return __init__


def _shaped_client(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def __init__(self: CognitoIdpUserPoolClient, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.secret = client_secret()
        if not _hash_strategy(moto_settings.get_cognito_idp_user_pool_client_id_strategy):
            self.id = client_id()

    return __init__


# First of the pool's __init__ wrappers, so every later one sees the id Cognito would give.
USES = ("moto.settings.get_cognito_idp_user_pool_id_strategy",
        "moto.settings.get_cognito_idp_user_pool_client_id_strategy")
PATCHES = (patches.wrap(CognitoIdpUserPool, "__init__", _shaped_pool),
           patches.wrap(CognitoIdpUserPoolClient, "__init__", _shaped_client))
