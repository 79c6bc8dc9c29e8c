"""What the emulator remembers about the tokens it issues: only what revocation needs.

moto keeps every token it issues in per-pool dicts, and every sign-in's session, for ever (about 6 KiB per
sign-in). Cognito's tokens carry their own proof instead, and so do the emulator's:

- ID and access tokens are JWTs signed with the pool's own keys. A pool's `access_tokens` and `id_tokens`
  maps answer "is this token live?" from the token itself: signed by this pool's key for its use, not
  expired, and not revoked or signed out. Nothing is stored when a token is issued.
- Refresh tokens are JWE (dir, A256GCM; RFC 7516 compact form) under a key of the pool's own, as Cognito's are encrypted blobs.
  Each holds its client, user, origin_jti, auth_time, granted scopes, issue time, expiry and its own id.
- With refresh-token rotation, a refresh token rotated out is remembered (by its id) until it would have
  expired, and refused once its client's RetryGracePeriodSeconds have passed (on the emulator's clock).
- What is remembered: each user's last global sign-out; each revoked origin_jti, until its refresh token
  would have expired; and the issue time, to the millisecond, of the newest 10,000 ID and access tokens,
  which places a token issued in the same second as a sign-out on the right side of it.
- Sign-in sessions (challenges) expire after 15 minutes, the longest AuthSessionValidity Cognito allows;
  a sign-in that needed no challenge leaves no session behind.

docs/emulator.md ("Memory") has the figures.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jws, jwt
from joserfc.errors import JoseError
from moto.cognitoidp.models import CognitoIdpUserPool

from claimsctl.local import clock
from claimsctl.local.cognito import keys, pools

_ATTRIBUTE = "_claimsctl_token_state"
RECENT_ISSUES = 10_000
SESSION_SECONDS = 15 * 60
# JWE compact serialization (RFC 7516) with direct A256GCM encryption: header..iv.ciphertext.tag
_REFRESH_HEADER = base64.urlsafe_b64encode(b'{"alg":"dir","enc":"A256GCM","cty":"JWT"}').rstrip(b"=").decode()
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


class Bounded(OrderedDict[str, Any]):
    """A dict that forgets its oldest entries past `limit`."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        while len(self) > self.limit:
            self.popitem(last=False)


@dataclass(frozen=True)
class RefreshGrant:
    """What a refresh token holds."""

    client_id: str
    username: str
    origin_jti: str
    auth_time: int
    scopes: tuple[str, ...] | None
    issued_ms: int
    expires: int
    token_id: str = ""  # this refresh token's own id (a rotation retires it, not its whole sign-in)


@dataclass
class PoolTokenState:
    """One pool's revocation records and refresh-token key."""

    refresh_key: AESGCM = field(default_factory=lambda: AESGCM(AESGCM.generate_key(256)))
    signed_out_ms: dict[str, int] = field(default_factory=dict)  # username -> last global sign-out
    revoked_origins: dict[str, int] = field(default_factory=dict)  # origin_jti -> when it can be forgotten
    issued_ms: Bounded = field(default_factory=lambda: Bounded(RECENT_ISSUES))  # jti -> issue time
    # refresh token id -> (refused from, forgotten after): refresh tokens rotated out, with their grace period
    rotated: dict[str, tuple[float, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sign_out(self, username: str) -> None:
        with self.lock:
            self.signed_out_ms[username] = _now_ms()

    def revoke_origin(self, origin_jti: str, until: int) -> None:
        with self.lock:
            now = int(clock.now())
            for stale in [o for o, end in self.revoked_origins.items() if end < now]:
                del self.revoked_origins[stale]
            self.revoked_origins[origin_jti] = until

    def retire(self, token_id: str, grace_seconds: int, until: int) -> bool:
        """Rotate a refresh token out: refused once `grace_seconds` have passed from its first rotation (a retry
        within the grace period does not extend it). False when it is already refused (a concurrent rotation)."""
        now = clock.now()
        with self.lock:
            for stale in [t for t, (_, end) in self.rotated.items() if end < now]:
                del self.rotated[stale]
            refused_from = self.rotated.get(token_id, (now + grace_seconds, until))[0]
            if refused_from <= now and token_id in self.rotated:
                return False
            self.rotated[token_id] = (refused_from, until)
            return True

    def is_retired(self, token_id: str) -> bool:
        entry = self.rotated.get(token_id) if token_id else None
        return entry is not None and entry[0] <= clock.now()

    def note_issued(self, jti: str) -> None:
        with self.lock:
            self.issued_ms[jti] = _now_ms()

    def is_revoked(self, username: str, origin_jti: str, jti: str | None, issued_ms: int | None, iat: int) -> bool:
        if origin_jti in self.revoked_origins:
            return True
        signed_out = self.signed_out_ms.get(username)
        if signed_out is None:
            return False
        if issued_ms is None:  # an ID or access token: iat is in seconds, the recent map has milliseconds
            issued_ms = self.issued_ms.get(jti or "", iat * 1000 + 999)
        return issued_ms <= signed_out


def of(pool: CognitoIdpUserPool) -> PoolTokenState:
    return pools.attached(pool, _ATTRIBUTE, PoolTokenState)


def _now_ms() -> int:
    return int(clock.now() * 1000)


def refresh_validity_seconds(pool: CognitoIdpUserPool, client_id: str) -> int:
    """RefreshTokenValidity (default 30 days), in the client's unit."""
    client = pool.clients.get(client_id)
    config = client.extended_config if client else {}
    value = config.get("RefreshTokenValidity")
    unit = (config.get("TokenValidityUnits") or {}).get("RefreshToken", "days")
    return int(value) * _UNIT_SECONDS.get(unit, 86400) if value else 30 * 86400


def new_refresh_token(pool: CognitoIdpUserPool, client_id: str, username: str,
                      scopes: tuple[str, ...] | None = None) -> tuple[str, str]:
    """(refresh token, origin_jti) for a sign-in that happens now."""
    now_ms = _now_ms()
    origin_jti = str(uuid.uuid4())
    grant = RefreshGrant(client_id, username, origin_jti, now_ms // 1000, scopes, now_ms,
                         now_ms // 1000 + refresh_validity_seconds(pool, client_id))
    return _sealed_grant(pool, grant), origin_jti


def _sealed_grant(pool: CognitoIdpUserPool, grant: RefreshGrant) -> str:
    payload = {"c": grant.client_id, "u": grant.username, "o": grant.origin_jti, "a": grant.auth_time,
               "s": list(grant.scopes) if grant.scopes is not None else None, "t": grant.issued_ms,
               "e": grant.expires, "r": uuid.uuid4().hex}
    return _seal(of(pool).refresh_key, json.dumps(payload, separators=(",", ":")).encode())


def rotate_refresh_token(pool: CognitoIdpUserPool, grant: RefreshGrant, grace_seconds: int) -> str | None:
    """A new refresh token for the sign-in `grant` belongs to, which it replaces: the old one is refused once
    the grace period has passed; the new one ends when the old one would have (the sign-in's lifetime is not
    extended) and revoking either revokes the sign-in. None when the old one was retired meanwhile."""
    if not of(pool).retire(grant.token_id, grace_seconds, grant.expires):
        return None
    return _sealed_grant(pool, RefreshGrant(grant.client_id, grant.username, grant.origin_jti, grant.auth_time,
                                            grant.scopes, _now_ms(), grant.expires))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seal(key: AESGCM, plaintext: bytes) -> str:
    iv = os.urandom(12)
    sealed = key.encrypt(iv, plaintext, _REFRESH_HEADER.encode())
    return ".".join((_REFRESH_HEADER, "", _b64(iv), _b64(sealed[:-16]), _b64(sealed[-16:])))


def _open(key: AESGCM, token: str) -> bytes | None:
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != _REFRESH_HEADER or parts[1]:
        return None
    try:
        return key.decrypt(_unb64(parts[2]), _unb64(parts[3]) + _unb64(parts[4]), _REFRESH_HEADER.encode())
    except (InvalidTag, ValueError):
        return None


INVALID_REFRESH_TOKEN = "Invalid Refresh Token"  # noqa: S105 - Cognito's messages, not secrets
REVOKED_REFRESH_TOKEN = "Refresh Token has been revoked"  # noqa: S105
EXPIRED_REFRESH_TOKEN = "Refresh Token has expired"  # noqa: S105


def inspect_refresh_token(pool: CognitoIdpUserPool, token: str) -> tuple[RefreshGrant | None, str | None]:
    """(the grant, None) for a live refresh token of this pool; else (None, Cognito's NotAuthorizedException
    message): not one of this pool's tokens, expired, or revoked (RevokeToken, global sign-out)."""
    plaintext = _open(of(pool).refresh_key, token) if isinstance(token, str) else None
    if plaintext is None:
        return None, INVALID_REFRESH_TOKEN
    try:
        payload = json.loads(plaintext)
        grant = RefreshGrant(str(payload["c"]), str(payload["u"]), str(payload["o"]), int(payload["a"]),
                             tuple(payload["s"]) if payload["s"] is not None else None, int(payload["t"]),
                             int(payload["e"]), str(payload.get("r", "")))
    except (ValueError, KeyError, TypeError):
        return None, INVALID_REFRESH_TOKEN
    if grant.expires < clock.now():
        return None, EXPIRED_REFRESH_TOKEN
    if of(pool).is_retired(grant.token_id):
        return None, INVALID_REFRESH_TOKEN
    if of(pool).is_revoked(grant.username, grant.origin_jti, None, grant.issued_ms, grant.auth_time):
        return None, REVOKED_REFRESH_TOKEN
    return grant, None


def read_refresh_token(pool: CognitoIdpUserPool, token: str) -> RefreshGrant | None:
    """The grant inside a live refresh token of this pool; None when it is not one, expired or revoked."""
    return inspect_refresh_token(pool, token)[0]


def refresh_token_problem(pool: CognitoIdpUserPool, token: str, client_id: str) -> str | None:
    """Cognito's message when `token` cannot refresh for `client_id` (another client's token is invalid for
    this one), None when it can."""
    grant, problem = inspect_refresh_token(pool, token)
    if grant is not None and grant.client_id != client_id:
        return INVALID_REFRESH_TOKEN
    return problem


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unchecked: only to find which pool's key must check it, or to read a token
    that a live-token lookup has already checked."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, AttributeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def inspect_token(pool: CognitoIdpUserPool, token: str, token_use: str) -> tuple[dict[str, Any] | None, str]:
    """(claims, "") for a live ID or access token this pool issued; else (None, Cognito's message): not this
    pool's token of that use, expired, or revoked (RevokeToken, global sign-out)."""
    kind = "Access Token" if token_use == "access" else "Id Token"  # noqa: S105
    key = keys.of(pool).for_use(token_use)
    try:
        header = jws.extract_compact(token.encode()).headers()
        if header.get("kid") != keys.kid(key):
            return None, f"Invalid {kind}"
        claims = dict(jwt.decode(token, key, algorithms=["RS256"]).claims)
        if claims.get("token_use") != token_use:
            return None, f"Invalid {kind}"
        if not int(claims["exp"]) > clock.now():
            return None, f"{kind} has expired"
        username = str(claims.get("username") or claims.get("cognito:username") or "")
        if of(pool).is_revoked(username, str(claims.get("origin_jti")), str(claims.get("jti")), None,
                               int(claims["iat"])):
            return None, f"{kind} has been revoked"
    except (JoseError, ValueError, KeyError, TypeError, AttributeError):
        return None, f"Invalid {kind}"
    return claims, ""


def live_claims(pool: CognitoIdpUserPool, token: str, token_use: str) -> dict[str, Any] | None:
    """The claims of a live ID or access token this pool issued; None for anything else."""
    return inspect_token(pool, token, token_use)[0]


class IssuedTokens(MutableMapping[str, Any]):
    """Stands in for moto's `pool.access_tokens` / `pool.id_tokens`: token -> (client_id, username) for live
    tokens, worked out from the token. Storing is a no-op; deleting revokes the token's sign-in."""

    def __init__(self, pool: CognitoIdpUserPool, token_use: str) -> None:
        self.pool = pool
        self.token_use = token_use

    def __getitem__(self, token: str) -> tuple[str, str]:
        claims = live_claims(self.pool, token, self.token_use) if isinstance(token, str) else None
        if claims is None:
            raise KeyError("token")
        client_id = claims.get("client_id") if self.token_use == "access" else claims.get("aud")  # noqa: S105
        username = claims.get("username") if self.token_use == "access" else claims.get("cognito:username")  # noqa: S105
        if not isinstance(username, str) or not username:
            raise KeyError("token")  # a machine (client-credentials) token acts for no user
        return str(client_id), username

    def __setitem__(self, token: str, value: Any) -> None:
        """A token is live because of its signature; nothing to keep."""

    def __delitem__(self, token: str) -> None:
        claims = live_claims(self.pool, token, self.token_use)
        if claims is None:
            raise KeyError("token")
        of(self.pool).revoke_origin(str(claims["origin_jti"]), int(claims["exp"]))

    def __iter__(self) -> Iterator[str]:
        return iter(())  # issued tokens are not enumerable; sign-out is recorded per user instead

    def __len__(self) -> int:
        return 0


class RefreshTokens(MutableMapping[str, Any]):
    """Stands in for moto's `pool.refresh_tokens`: token -> (client_id, username, origin_jti) for a live
    refresh token, read from the token. Setting a token to None revokes it, as moto's sign-out does."""

    def __init__(self, pool: CognitoIdpUserPool) -> None:
        self.pool = pool

    def __getitem__(self, token: str) -> tuple[str, str, str]:
        grant = read_refresh_token(self.pool, token) if isinstance(token, str) else None
        if grant is None:
            raise KeyError("token")
        return grant.client_id, grant.username, grant.origin_jti

    def __setitem__(self, token: str, value: Any) -> None:
        if value is None:
            grant = read_refresh_token(self.pool, token)
            if grant is not None:
                of(self.pool).revoke_origin(grant.origin_jti, grant.expires)

    def __delitem__(self, token: str) -> None:
        self[token] = None

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


class ExpiringSessions(MutableMapping[str, Any]):
    """Stands in for moto's backend `sessions`: a challenge session lives 15 minutes at most, and the
    session moto opens for a sign-in that needs no challenge is dropped when the sign-in returns tokens."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._last_set = threading.local()

    def __getitem__(self, key: str) -> Any:
        with self._lock:
            deadline, value = self._entries[key]
            if deadline < clock.monotonic():
                del self._entries[key]
                raise KeyError(key)
            return value

    def __setitem__(self, key: str, value: Any) -> None:
        now = clock.monotonic()
        with self._lock:
            while self._entries:
                oldest = next(iter(self._entries))
                if self._entries[oldest][0] >= now:
                    break
                del self._entries[oldest]
            self._entries[key] = (now + SESSION_SECONDS, value)
            self._entries.move_to_end(key)
        self._last_set.key = key

    def __delitem__(self, key: str) -> None:
        with self._lock:
            del self._entries[key]

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def forget_unanswered(self) -> None:
        """Drop the session this thread opened last (the sign-in it belonged to returned tokens)."""
        key = getattr(self._last_set, "key", None)
        self._last_set.key = None
        if key is not None:
            self.pop(key, None)

    def mark(self) -> None:
        self._last_set.key = None


def new_session_id() -> str:
    """An opaque sign-in session id (Cognito's are long random strings)."""
    return base64.urlsafe_b64encode(os.urandom(48)).decode()


def sign_out(self: CognitoIdpUserPool, username: str) -> None:
    """moto's sign_out walks every token it stored; here it records the time instead."""
    of(self).sign_out(username)


def adopt(pool: CognitoIdpUserPool) -> None:
    """Swap a pool's token dicts for the stateless maps (at pool creation)."""
    pools.replace_token_maps(pool, IssuedTokens(pool, "access"), IssuedTokens(pool, "id"), RefreshTokens(pool))
    of(pool)
