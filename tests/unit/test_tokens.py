"""The Cognito JWT verifier against crafted tokens: each kind of bad token refused with its own error."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from claimsctl_runtime import tokens

POOL = "us-east-1_TEST"
CLIENT = "client-123"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(key: Any, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "alg": "RS256", "use": "sig"}


class FakeJwks:
    def __init__(self) -> None:
        self.document = {"keys": [jwk(KEY, "k1")]}
        self.calls = 0

    def __call__(self, url: str) -> dict[str, Any]:
        self.calls += 1
        assert url == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}/.well-known/jwks.json"
        return self.document


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "u1", "iss": ISSUER, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 3600,
            "cognito:username": "alice", "projects": "p1,p2"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: Any = KEY, headers: dict[str, Any] | None = None, algorithm: str = "RS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": "k1", **(headers or {})})


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def jwks() -> FakeJwks:
    return FakeJwks()


@pytest.fixture
def verifier(jwks: FakeJwks) -> tokens.CognitoVerifier:
    return tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), jwks=tokens.JwksCache(fetch=jwks))


def test_a_good_id_token_and_access_token(verifier: tokens.CognitoVerifier) -> None:
    assert verifier.verify(sign(claims()))["projects"] == "p1,p2"
    access = claims(token_use="access", aud=None, client_id=CLIENT, scope="openid email")
    assert verifier.verify(sign(access))["client_id"] == CLIENT
    bound = claims(token_use="access", aud="https://api.example.com", client_id=CLIENT)
    assert verifier.verify(sign(bound))["token_use"] == "access"


def public_pem() -> bytes:
    return KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def hmac_with_public_key() -> str:
    header, payload = b64({"alg": "HS256", "kid": "k1", "typ": "JWT"}), b64(claims())
    import hashlib
    import hmac

    signature = hmac.new(public_pem(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def tampered() -> str:
    header, _, signature = sign(claims()).split(".")
    return f"{header}.{b64(claims(projects='p1,p2,admin'))}.{signature}"


BAD_TOKENS: dict[str, tuple[Any, type[tokens.TokenError]]] = {
    "alg none": (lambda: f"{b64({'alg': 'none', 'kid': 'k1'})}.{b64(claims())}.", tokens.UnacceptableAlgorithm),
    "HMAC signed with the public key": (hmac_with_public_key, tokens.UnacceptableAlgorithm),
    "signed with another key": (lambda: sign(claims(), OTHER_KEY), tokens.InvalidSignature),
    "tampered payload": (tampered, tokens.InvalidSignature),
    "expired": (lambda: sign(claims(exp=int(time.time()) - 60)), tokens.TokenExpired),
    "not yet valid": (lambda: sign(claims(nbf=int(time.time()) + 600)), tokens.TokenNotYetValid),
    "wrong issuer": (lambda: sign(claims(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER")),
                     tokens.WrongIssuer),
    "wrong audience": (lambda: sign(claims(aud="someone-else")), tokens.WrongAudience),
    "wrong client id": (lambda: sign(claims(token_use="access", aud=None, client_id="someone-else")),
                        tokens.WrongClientId),
    "wrong token use": (lambda: sign(claims(token_use="refresh")), tokens.WrongTokenUse),
    "missing kid": (lambda: jwt.encode(claims(), KEY, algorithm="RS256"), tokens.MalformedToken),
    "unknown kid": (lambda: sign(claims(), headers={"kid": "nope"}), tokens.UnknownKey),
    "missing exp": (lambda: sign(claims(exp=None)), tokens.MalformedToken),
    "crit header": (lambda: sign(claims(), headers={"crit": ["exp"]}), tokens.MalformedToken),
    "two parts": (lambda: "abc.def", tokens.MalformedToken),
    "garbage header": (lambda: "!!!.abc.def", tokens.MalformedToken),
    "oversized": (lambda: sign(claims(padding="x" * 20_000)), tokens.MalformedToken),
    "not base64 payload": (lambda: f"{b64({'alg': 'RS256', 'kid': 'k1'})}.%%%.{b64(b'sig')}", tokens.MalformedToken),
    "exp NaN (never expires)": (lambda: sign(claims(exp=float("nan"))), tokens.MalformedToken),
    "exp Infinity": (lambda: sign(claims(exp=float("inf"))), tokens.MalformedToken),
    "exp not whole seconds": (lambda: sign(claims(exp=time.time() + 600.5)), tokens.MalformedToken),
    "nbf NaN": (lambda: sign(claims(nbf=float("nan"))), tokens.MalformedToken),
    "iat a string": (lambda: sign(claims(iat="yesterday")), tokens.MalformedToken),
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_bad_tokens_are_refused_with_their_reason(verifier: tokens.CognitoVerifier, kind: str) -> None:
    make, error = BAD_TOKENS[kind]
    with pytest.raises(error):
        verifier.verify(make())


def test_expected_token_use_is_enforced(jwks: FakeJwks) -> None:
    access_only = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), token_use="access", jwks=tokens.JwksCache(fetch=jwks))
    with pytest.raises(tokens.WrongTokenUse):
        access_only.verify(sign(claims()))


def test_group_scope_and_custom_checks(jwks: FakeJwks) -> None:
    cache = tokens.JwksCache(fetch=jwks)
    in_group = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), groups=("admins",), jwks=cache)
    with pytest.raises(tokens.ClaimCheckFailed):
        in_group.verify(sign(claims()))
    assert in_group.verify(sign(claims(**{"cognito:groups": ["admins"]})))
    scoped = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), scopes=("items/read",), jwks=cache)
    with pytest.raises(tokens.ClaimCheckFailed):
        scoped.verify(sign(claims(token_use="access", aud=None, client_id=CLIENT, scope="openid")))

    def must_have_projects(values: dict[str, Any]) -> None:
        if not values.get("projects"):
            raise ValueError("no projects")

    custom = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), custom_check=must_have_projects, jwks=cache)
    with pytest.raises(tokens.ClaimCheckFailed, match="no projects"):
        custom.verify(sign(claims(projects="")))


def test_grace_period_accepts_a_just_expired_token(jwks: FakeJwks) -> None:
    lenient = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), grace_seconds=120, jwks=tokens.JwksCache(fetch=jwks))
    assert lenient.verify(sign(claims(exp=int(time.time()) - 60)))


def test_a_stream_of_unknown_kids_does_not_hammer_the_jwks(jwks: FakeJwks) -> None:
    clock = Clock()
    verifier = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), jwks=tokens.JwksCache(fetch=jwks, clock=clock))
    verifier.verify(sign(claims()))
    assert jwks.calls == 1
    for index in range(200):
        with pytest.raises(tokens.UnknownKey):
            verifier.verify(sign(claims(), headers={"kid": f"random-{index}"}))
    assert jwks.calls == 2  # one refetch, then the penalty period
    clock.now += tokens.JWKS_PENALTY_SECONDS
    jwks.document = {"keys": [jwk(KEY, "k1"), jwk(OTHER_KEY, "k2")]}
    assert verifier.verify(jwt.encode(claims(), OTHER_KEY, algorithm="RS256", headers={"kid": "k2"}))
    assert jwks.calls == 3


def test_a_failed_fetch_keeps_the_keys_already_known(jwks: FakeJwks) -> None:
    clock = Clock()
    cache = tokens.JwksCache(fetch=jwks, clock=clock)
    verifier = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), jwks=cache)
    verifier.verify(sign(claims()))

    def failing(url: str) -> dict[str, Any]:
        raise OSError("network down")

    cache.fetch = failing
    clock.now += 60
    with pytest.raises(tokens.UnknownKey):
        verifier.verify(sign(claims(), headers={"kid": "new"}))
    assert verifier.verify(sign(claims(sub="u2")))["sub"] == "u2"


def test_no_jwks_at_all_is_a_typed_error() -> None:
    def failing(url: str) -> dict[str, Any]:
        raise OSError("network down")

    verifier = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), jwks=tokens.JwksCache(fetch=failing))
    with pytest.raises(tokens.JwksUnavailable):
        verifier.verify(sign(claims()))


def test_verified_tokens_are_remembered_until_they_expire(jwks: FakeJwks) -> None:
    clock = Clock()
    clock.now = time.time()
    verifier = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), jwks=tokens.JwksCache(fetch=jwks),
                                      verified=tokens.VerifiedCache(size=2, clock=clock))
    token = sign(claims(exp=int(clock.now) + 30))
    first = verifier.verify(token)
    assert verifier.verify(token) is first
    clock.now += 31
    assert verifier.verified.get(token) is None  # dropped at its exp: the next use is verified again
    for sub in ("a", "b", "c"):
        verifier.verify(sign(claims(sub=sub)))
    assert len(verifier.verified) == 2


def test_a_token_issued_in_the_future_is_refused_past_a_small_leeway(jwks: FakeJwks) -> None:
    clock = Clock()
    clock.now = time.time()
    verifier = tokens.CognitoVerifier(POOL, "us-east-1", (CLIENT,), jwks=tokens.JwksCache(fetch=jwks), clock=clock,
                                      verified=tokens.VerifiedCache(clock=clock))
    skewed = sign(claims(iat=int(clock.now) + tokens.IAT_LEEWAY_SECONDS - 5))
    assert verifier.verify(skewed)["sub"] == "u1"  # within the leeway: clock skew between hosts
    ahead = int(clock.now) + 3600  # minted by a clock an hour ahead (a test clock advanced, then reset)
    with pytest.raises(tokens.TokenNotYetValid, match="iat"):
        verifier.verify(sign(claims(iat=ahead, exp=ahead + 3600)))
    clock.now += 3600  # verified while the clock was ahead, remembered, then the clock is set back
    minted = sign(claims(iat=int(clock.now), exp=int(clock.now) + 3600, sub="later"))
    assert verifier.verify(minted)["sub"] == "later"
    clock.now -= 3600
    with pytest.raises(tokens.TokenNotYetValid):
        verifier.verify(minted)
