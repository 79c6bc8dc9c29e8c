"""Verifies Cognito JWTs against the user pool's JWKS, with the checks of awslabs' aws-jwt-verify.

RS256 only, `kid` required and looked up in a cached JWKS (an unknown kid
refetches at most once per penalty period), `exp` required, `iss` exact,
`token_use`, `aud` (ID tokens) or `client_id` (access tokens); optional group,
scope and custom checks. Every failure is a typed TokenError. Tokens that
passed are remembered (bounded, dropped at their `exp`), so a repeated token
is decided without crypto.

The signature is checked with the `cryptography` package directly (RSA PKCS#1
v1.5 with SHA-256 over the first two segments, as RS256 defines); PyJWT is used
only to turn JWKS entries into keys, once per key. This module depends on the
standard library, PyJWT and cryptography only: the packager ships it inside
the Lambda zip with the rest of claimsctl_runtime, where the authorizer uses it.
"""

from __future__ import annotations

import binascii
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from claimsctl_runtime.machines import is_machine_token

MAX_TOKEN_BYTES = 16 * 1024
JWKS_PENALTY_SECONDS = 10.0
VERIFIED_CACHE_SIZE = 10_000


class TokenError(Exception):
    """A token failed verification; the subclass names the reason."""

    exit_code = 1



class MalformedToken(TokenError):
    """Not a well-formed JWT (or an unacceptable header)."""


class UnacceptableAlgorithm(MalformedToken):
    """alg is not RS256."""


class InvalidSignature(TokenError):
    """The signature does not match the key."""


class TokenExpired(TokenError):
    """exp is in the past."""


class TokenNotYetValid(TokenError):
    """nbf (or iat) is in the future."""


# How far in the future `iat` may lie (clock skew between the issuer and this host) before a token is refused.
IAT_LEEWAY_SECONDS = 60


class WrongIssuer(TokenError):
    """iss is not the expected user pool."""


class WrongAudience(TokenError):
    """aud (ID token) is not an expected client id."""


class WrongClientId(TokenError):
    """client_id (access token) is not an expected client id."""


class WrongTokenUse(TokenError):
    """token_use is not the expected one."""


class UnknownKey(TokenError):
    """kid is not in the JWKS."""


class JwksUnavailable(TokenError):
    """The JWKS could not be fetched."""


class ClaimCheckFailed(TokenError):
    """A group, scope or custom check failed."""


def issuer_for(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_uri_for(region: str, user_pool_id: str, endpoint_url: str | None = None) -> str:
    base = endpoint_url.rstrip("/") if endpoint_url else issuer_for(region, user_pool_id).rsplit("/", 1)[0]
    return f"{base}/{user_pool_id}/.well-known/jwks.json"


def _fetch_json(url: str) -> dict[str, Any]:
    import urllib.request  # lazily: the CLI imports this module for its error types, and starts faster without it

    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - https JWKS or the loopback emulator
        return json.loads(response.read())  # type: ignore[no-any-return]


@dataclass
class JwksCache:
    """Keys by JWKS URL and kid. A kid that a fresh fetch did not have puts the URL in a penalty box:
    no refetch for `penalty_seconds`, so random kids cannot make the verifier hammer the JWKS URL."""

    fetch: Callable[[str], dict[str, Any]] = _fetch_json
    penalty_seconds: float = JWKS_PENALTY_SECONDS
    clock: Callable[[], float] = time.monotonic
    _keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    _penalty_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def key(self, url: str, kid: str) -> Any:
        known = self._keys.get(url)  # the common case needs no lock: a dict read is atomic
        if known is not None and kid in known:
            return known[kid]
        with self._lock:
            keys = self._keys.get(url)
            if keys is not None and kid in keys:
                return keys[kid]
            if keys is not None and self.clock() < self._penalty_until.get(url, 0.0):
                raise UnknownKey(f"Key id {kid} is not in the user pool's JWKS")
            keys = self._refresh(url)
            if kid not in keys:
                self._penalty_until[url] = self.clock() + self.penalty_seconds
                raise UnknownKey(f"Key id {kid} is not in the user pool's JWKS")
            return keys[kid]

    def _refresh(self, url: str) -> dict[str, Any]:
        import jwt

        try:
            document = self.fetch(url)
        except Exception as exc:  # a failed fetch keeps the keys we had
            if url in self._keys:
                return self._keys[url]
            raise JwksUnavailable(f"Cannot fetch the JWKS at {url}: {exc}") from exc
        keys = {}
        for entry in document.get("keys", []):
            if entry.get("kty") == "RSA" and entry.get("kid") and entry.get("use", "sig") == "sig":
                keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="RS256").key
        self._keys[url] = keys
        return keys


def wall_clock() -> float:
    """time.time(), looked up at each call (a test may stand in for it)."""
    return time.time()


class VerifiedCache:
    """Claims of tokens that passed, keyed by the whole token, each dropped at its `exp`; LRU-bounded."""

    def __init__(self, size: int = VERIFIED_CACHE_SIZE, clock: Callable[[], float] = wall_clock) -> None:
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return None
            if entry[0] <= self.clock():
                del self._entries[token]
                return None
            self._entries.move_to_end(token)
            claims: dict[str, Any] = entry[1]
            return claims

    def put(self, token: str, claims: dict[str, Any]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[token] = (float(claims["exp"]), claims)
            self._entries.move_to_end(token)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class CognitoVerifier:
    """Verifies tokens of one user pool for the given app clients."""

    user_pool_id: str
    region: str
    client_ids: tuple[str, ...]
    token_use: str | None = None  # "id", "access", or None for either
    endpoint_url: str | None = None
    grace_seconds: int = 0
    groups: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    custom_check: Callable[[dict[str, Any]], None] | None = None
    # Machine tokens (client-credentials grant) of this pool are accepted from any of its clients when they
    # hold one of these scopes: the scope, not the client id, says the token is for this API.
    machine_scopes: tuple[str, ...] = ()
    clock: Callable[[], float] = wall_clock  # what `exp` and `nbf` are checked against
    jwks: JwksCache = field(default_factory=JwksCache)
    verified: VerifiedCache = field(default_factory=VerifiedCache)

    _issuer: str = field(init=False, repr=False, default="")
    _jwks_uri: str = field(init=False, repr=False, default="")

    def __post_init__(self) -> None:
        self._issuer = issuer_for(self.region, self.user_pool_id)
        self._jwks_uri = jwks_uri_for(self.region, self.user_pool_id, self.endpoint_url)

    @property
    def issuer(self) -> str:
        return self._issuer

    def verify(self, token: str) -> dict[str, Any]:
        """The token's verified claims, or a TokenError saying why not. The claims are shared: do not mutate them."""
        remembered = self.verified.get(token)
        if remembered is not None:
            self._check_issued(remembered)  # a clock set back since (a test kit's restore) un-issues it
            return remembered
        header = _header(token)
        claims = self._decode(token, header)
        self._check_claims(claims)
        self.verified.put(token, claims)
        return claims

    def _decode(self, token: str, header: dict[str, Any]) -> dict[str, Any]:
        """Check the RS256 signature, then the time and issuer claims."""
        key = self.jwks.key(self._jwks_uri, header["kid"])
        signing_input, _, signature = token.rpartition(".")
        payload_segment = signing_input.partition(".")[2]
        if not _is_base64url_jwt(token):
            raise MalformedToken("Token payload or signature is not base64url")
        _check_rs256(key, signing_input, signature)
        try:
            payload = _b64decode(payload_segment).decode()
        except ValueError as exc:
            raise MalformedToken("Token payload is not base64url UTF-8") from exc
        try:
            claims = json.loads(payload)
        except ValueError as exc:
            raise MalformedToken("Token payload is not JSON") from exc
        if not isinstance(claims, dict):
            raise MalformedToken("Token payload is not a JSON object")
        self._check_time_and_issuer(claims)
        return claims

    def _check_time_and_issuer(self, claims: dict[str, Any]) -> None:
        now = self.clock()
        exp: Any = claims.get("exp")
        nbf: Any = claims.get("nbf")
        if not _is_seconds(exp):
            raise MalformedToken("Token has no 'exp' claim in whole seconds")
        for name in ("nbf", "iat"):
            if name in claims and not _is_seconds(claims[name]):
                raise MalformedToken(f"Token's '{name}' claim is not in whole seconds")
        if exp <= now - self.grace_seconds:
            raise TokenExpired("Token expired")
        if nbf is not None and nbf > now + self.grace_seconds:
            raise TokenNotYetValid("Token not yet valid (nbf in the future)")
        self._check_issued(claims)
        if claims.get("iss") != self._issuer:
            raise WrongIssuer(f"Token issuer is not {self._issuer}")

    def _check_issued(self, claims: dict[str, Any]) -> None:
        """A token issued in the future (`iat` past now + IAT_LEEWAY_SECONDS, or the grace if larger) is refused:
        it was minted by a clock that ran ahead, e.g. a test clock advanced and then reset."""
        iat: Any = claims.get("iat")
        if iat is not None and iat > self.clock() + max(self.grace_seconds, IAT_LEEWAY_SECONDS):
            raise TokenNotYetValid("Token not yet valid (iat in the future)")

    def _check_claims(self, claims: dict[str, Any]) -> None:
        use = claims.get("token_use")
        if use not in ("id", "access") or (self.token_use and use != self.token_use):
            raise WrongTokenUse(f"Token use is {use!r}, expected {self.token_use or 'id or access'!r}")
        if use == "id" and claims.get("aud") not in self.client_ids:
            raise WrongAudience("Token audience is not this app client")
        if use == "access" and claims.get("client_id") not in self.client_ids and not self._is_machine_for_us(claims):
            raise WrongClientId("Token client_id is not this app client (nor a machine token with this API's scope)")
        if self.groups and not set(self.groups) & set(claims.get("cognito:groups") or []):
            raise ClaimCheckFailed(f"Token is not in any of the groups {', '.join(self.groups)}")
        if self.scopes and not set(self.scopes) & set(str(claims.get("scope", "")).split()):
            raise ClaimCheckFailed(f"Token has none of the scopes {', '.join(self.scopes)}")
        if self.custom_check is not None:
            try:
                self.custom_check(claims)
            except TokenError:
                raise
            except Exception as exc:
                raise ClaimCheckFailed(f"Custom check failed: {exc}") from exc

    def _is_machine_for_us(self, claims: dict[str, Any]) -> bool:
        held = set(str(claims.get("scope", "")).split())
        return bool(self.machine_scopes) and is_machine_token(claims) and bool(held & set(self.machine_scopes))


def _b64decode(segment: str) -> bytes:
    """base64url (already checked against _SEGMENT) to bytes with binascii directly (a quarter of base64's
    cost); padding past what is needed is ignored."""
    return binascii.a2b_base64(segment.replace("-", "+").replace("_", "/") + "==")


_RS256: tuple[Any, Any, type[Exception]] | None = None


def _rs256() -> tuple[Any, Any, type[Exception]]:
    """(padding, hash, error class) for RS256, made once (imported lazily: the CLI starts without them)."""
    global _RS256
    if _RS256 is None:
        from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        _RS256 = (padding.PKCS1v15(), hashes.SHA256(), CryptoInvalidSignature)
    return _RS256


def _check_rs256(key: Any, signing_input: str, signature: str) -> None:
    """RSASSA-PKCS1-v1_5 with SHA-256 (RS256), with cryptography's key from the JWKS."""
    pkcs1v15, sha256, error = _rs256()
    try:
        key.verify(_b64decode(signature), signing_input.encode("ascii"), pkcs1v15, sha256)
    except (error, ValueError, binascii.Error) as exc:
        raise InvalidSignature("Token signature is invalid") from exc


def _is_seconds(value: Any) -> bool:
    """A whole number of seconds, as Cognito issues them: never a float, so never NaN or Infinity."""
    return isinstance(value, int) and not isinstance(value, bool)


_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_BASE64URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _is_base64url_jwt(token: str) -> bool:
    """Three non-empty base64url segments and nothing else (what the regex [A-Za-z0-9_-]+ three times says,
    in C: deleting the alphabet must leave exactly the two dots)."""
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        return False
    return raw.translate(None, _BASE64URL) == b".." and ".." not in token and not token.startswith(".") \
        and not token.endswith(".")
# Header segments that passed _parse_header: a pool's tokens share a handful (one per key), so each is parsed
# once. Bounded: past 256 distinct headers the map starts again.
_HEADERS: dict[str, dict[str, Any]] = {}
_HEADER_CACHE_SIZE = 256


def _header(token: str) -> dict[str, Any]:
    """The header: RS256 only, no `crit`, a `kid` to find the key. (A regex and a json.loads, once per distinct
    header: PyJWT's get_unverified_header validates base64 one character at a time and costs as much as the
    RSA check.)"""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_BYTES:
        raise MalformedToken(f"Token is not a string of at most {MAX_TOKEN_BYTES} bytes")
    segments = token.split(".")
    if len(segments) != 3:
        raise MalformedToken("Token is not a JWT (expected three dot-separated parts)")
    known = _HEADERS.get(segments[0])
    if known is not None:
        return known
    header = _parse_header(segments[0])
    if len(_HEADERS) >= _HEADER_CACHE_SIZE:
        _HEADERS.clear()
    _HEADERS[segments[0]] = header
    return header


def _parse_header(segment: str) -> dict[str, Any]:
    if not _SEGMENT.fullmatch(segment):
        raise MalformedToken("Token header is not base64url")
    try:
        header = json.loads(_b64decode(segment).decode())
    except ValueError as exc:
        raise MalformedToken("Token header is not base64url-encoded JSON") from exc
    if not isinstance(header, dict):
        raise MalformedToken("Token header is not a JSON object")
    if header.get("alg") != "RS256":
        raise UnacceptableAlgorithm(f"Token algorithm {header.get('alg')!r} is not accepted (RS256 only)")
    if "crit" in header:
        raise MalformedToken("Token has a 'crit' header, which is not supported")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise MalformedToken("Token header has no 'kid'")
    return header
