"""Each user pool's own signing keys, as Cognito has them: one RSA key for ID tokens, one for access tokens.

Every key is generated for its pool (RSA-2048, e=65537) the first time the
pool signs a token or publishes its JWKS, and has its own random kid. moto's
bundled key, whose private half is public, is never used: a token signed with
it (kid "dummy") matches no pool's JWKS.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import RSAKey
from moto.cognitoidp.models import CognitoIdpUserPool

from claimsctl.local.cognito import pools

_ATTRIBUTE = "_claimsctl_keys"


@dataclass(frozen=True)
class PoolKeys:
    id_key: RSAKey
    access_key: RSAKey

    def for_use(self, token_use: str) -> RSAKey:
        return self.id_key if token_use == "id" else self.access_key  # noqa: S105 - a claim value

    def jwks(self) -> bytes:
        keys = [{**key.as_dict(private=False), "alg": "RS256", "use": "sig"} for key in (self.id_key, self.access_key)]
        return json.dumps({"keys": keys}).encode()


def _new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": secrets.token_urlsafe(24)}, private=True)


def of(pool: CognitoIdpUserPool) -> PoolKeys:
    """The pool's keys (made on first use; they live and die with the pool object)."""
    return pools.attached(pool, _ATTRIBUTE, lambda: PoolKeys(_new_key(), _new_key()))


def kid(key: RSAKey) -> str:
    return str(key.kid)


def jwks_document(pool: CognitoIdpUserPool) -> dict[str, Any]:
    return json.loads(of(pool).jwks())  # type: ignore[no-any-return]
