"""USER_SRP_AUTH as Cognito runs it: the server side of SRP-6a, so a wrong password is refused.

moto answers the PASSWORD_VERIFIER challenge with random numbers and never
checks the client's proof, so any password signs in. Here the server computes
B from the user's verifier, and checks PASSWORD_CLAIM_SIGNATURE the way
Cognito's clients compute it (amazon-cognito-identity-js AuthenticationHelper,
Amplify, pycognito): a 3072-bit group with g = 2, SHA-256, k = H(N | g),
u = H(A | B), x = H(salt | H(poolName + userIdForSrp + ":" + password)), the
HKDF "Caldera Derived Key", and an HMAC over poolName, userIdForSrp, the
secret block and the timestamp. A wrong proof gets NotAuthorizedException
"Incorrect username or password.", as on AWS.

The verifier is derived on the fly from the password moto keeps for the user;
a challenge lives 3 minutes (Cognito's session validity), and expired ones are
pruned as new ones arrive.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.exceptions import NotAuthorizedError, ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool

from claimsctl.local import patches, state
from claimsctl.local.cognito import pools

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
G = 2
CHALLENGE_SECONDS = 180
MAX_PENDING = 10_000
WRONG_PASSWORD = "Incorrect username or password."  # noqa: S105 - an error message


def _pad(value: int | str) -> str:
    """Hex with an even number of digits and no high bit set (the clients' padHex)."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdefABCDEF" else text


def _hex_hash(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest().rjust(64, "0")


K = int(_hex_hash(_pad(N) + _pad(G)), 16)


def _x(pool_name: str, user_id: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest().rjust(64, "0")
    return int(_hex_hash(_pad(salt_hex) + inner), 16)


def _hkdf(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]


@dataclass(frozen=True)
class Challenge:
    pool_id: str
    username: str
    srp_a: int
    srp_b: int
    b: int
    salt_hex: str
    created: float


class Challenges:
    """Open PASSWORD_VERIFIER challenges by secret block; bounded, oldest pruned first."""

    def __init__(self) -> None:
        self._open: OrderedDict[str, Challenge] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, block: str, challenge: Challenge) -> None:
        with self._lock:
            self._prune(time.monotonic())
            self._open[block] = challenge

    def take(self, block: str) -> Challenge | None:
        """The challenge, removed (a proof is checked once), or None if unknown or expired."""
        with self._lock:
            challenge = self._open.pop(block, None)
        if challenge is None or time.monotonic() - challenge.created > CHALLENGE_SECONDS:
            return None
        return challenge

    def _prune(self, now: float) -> None:
        while self._open:
            block, oldest = next(iter(self._open.items()))
            if now - oldest.created <= CHALLENGE_SECONDS and len(self._open) < MAX_PENDING:
                break
            del self._open[block]

    def __len__(self) -> int:
        return len(self._open)


_CHALLENGES = state.Slot(Challenges)


def _pool_name(pool: CognitoIdpUserPool) -> str:
    return str(pool.id).split("_", 1)[1]


def start(pool: CognitoIdpUserPool, user: Any, srp_a_hex: str) -> tuple[str, dict[str, str]]:
    """Open a challenge for SRP_A; return (secret block, ChallengeParameters)."""
    srp_a = int(srp_a_hex, 16)
    if srp_a % N == 0:
        raise NotAuthorizedError("Invalid SRP_A")
    salt_hex = secrets.token_hex(16)
    verifier = pow(G, _x(_pool_name(pool), user.username, user.password or "", salt_hex), N)
    b = secrets.randbelow(N - 2) + 2
    srp_b = (K * verifier + pow(G, b, N)) % N
    block = base64.standard_b64encode(secrets.token_bytes(64)).decode()
    _CHALLENGES.get().add(block, Challenge(pool.id, user.username, srp_a, srp_b, b, salt_hex, time.monotonic()))
    return block, {"SALT": salt_hex, "SRP_B": f"{srp_b:x}", "USERNAME": user.username,
                   "USER_ID_FOR_SRP": user.username, "SECRET_BLOCK": block}


def expected_signature(pool: CognitoIdpUserPool, challenge: Challenge, password: str, block: str,
                       timestamp: str) -> str:
    u = int(_hex_hash(_pad(challenge.srp_a) + _pad(challenge.srp_b)), 16)
    verifier = pow(G, _x(_pool_name(pool), challenge.username, password, challenge.salt_hex), N)
    shared = pow(challenge.srp_a * pow(verifier, u, N), challenge.b, N)
    key = _hkdf(bytes.fromhex(_pad(shared)), bytes.fromhex(_pad(u)))
    message = (_pool_name(pool) + challenge.username).encode() + base64.standard_b64decode(block) + timestamp.encode()
    return base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def check_proof(pool: CognitoIdpUserPool, responses: dict[str, str]) -> str:
    """The challenge's user name when PASSWORD_CLAIM_SIGNATURE proves the password; NotAuthorizedError if not."""
    block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
    challenge = _CHALLENGES.get().take(block)
    if challenge is None or challenge.pool_id != pool.id:
        raise NotAuthorizedError("Invalid session for the user, session is expired.")
    if responses.get("USERNAME", "").casefold() != challenge.username.casefold():
        raise NotAuthorizedError(WRONG_PASSWORD)
    user = pools.user(pool, challenge.username)
    if user is None:
        raise NotAuthorizedError(WRONG_PASSWORD)
    expected = expected_signature(pool, challenge, user.password or "", block, responses.get("TIMESTAMP", ""))
    if not hmac.compare_digest(expected, responses.get("PASSWORD_CLAIM_SIGNATURE", "")):
        raise NotAuthorizedError(WRONG_PASSWORD)
    return challenge.username


def _client_pool(backend: CognitoIdpBackend, client_id: str) -> CognitoIdpUserPool:
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool
    raise ResourceNotFoundError(client_id)


def _wrap_initiate(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def initiate_auth(self: CognitoIdpBackend, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        answer = original(self, client_id, auth_flow, auth_parameters)
        if auth_flow != "USER_SRP_AUTH":
            return answer
        pool = _client_pool(self, client_id)
        user = pools.user(pool, auth_parameters.get("USERNAME", ""))
        self.sessions.pop(answer.get("Session"), None)  # moto's own session, keyed by its random block
        block, parameters = start(pool, user, auth_parameters.get("SRP_A", ""))
        self.sessions[block] = (user.username, pool)  # moto's respond finds the session by the secret block
        return {**answer, "Session": block, "ChallengeParameters": parameters}

    return initiate_auth


def _wrap_respond(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def respond(self: CognitoIdpBackend, session: str, client_id: str, challenge_name: str,
                challenge_responses: dict[str, str], *args: Any, **kwargs: Any) -> Any:
        if challenge_name == "PASSWORD_VERIFIER":
            username = check_proof(_client_pool(self, client_id), challenge_responses)
            challenge_responses = {**challenge_responses, "USERNAME": username}
        return original(self, session, client_id, challenge_name, challenge_responses, *args, **kwargs)

    return respond


PATCHES = (patches.wrap(CognitoIdpBackend, "initiate_auth", _wrap_initiate),
           patches.wrap(CognitoIdpBackend, "respond_to_auth_challenge", _wrap_respond))
