"""TOTP software-token MFA as Cognito does it, where moto falls short.

moto gives every user the same secret ("asdfasdfasdf"), checks codes only when an environment flag is set,
and answers an MFA_SETUP challenge with tokens without any code. The emulator instead:

- AssociateSoftwareToken gives each user a secret of their own (160 random bits, base32, as Cognito's 32
  characters), pending until verified;
- VerifySoftwareToken checks a code against it (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of skew
  either way); a wrong code is CodeMismatchException;
- a SOFTWARE_TOKEN_MFA answer is checked the same way, and a code whose time step was already used is
  refused (a code is good once);
- an MFA_SETUP challenge is answered only with the session VerifySoftwareToken returned.

https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html
"""

from __future__ import annotations

import base64
import functools
import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from moto.cognitoidp.exceptions import CodeMismatchException, NotAuthorizedError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, CognitoIdpUserPool

from claimsctl.local import patches, state
from claimsctl.local.cognito import pools, token_state

STEP_SECONDS = 30
_ATTRIBUTE = "_claimsctl_totp"
_lock = threading.Lock()
# sessions VerifySoftwareToken issued: MFA_SETUP needs one
_VERIFIED_SESSIONS = state.Slot(lambda: token_state.Bounded(10_000))


class UserTotp:
    """One user's software token: the pending secret (associated, not yet verified), the active one, and
    the last time step a code was accepted for."""

    def __init__(self) -> None:
        self.pending: str | None = None
        self.active: str | None = None
        self.last_step = -1


def _state(user: CognitoIdpUser) -> UserTotp:
    return pools.attached(user, _ATTRIBUTE, UserTotp)


def new_secret() -> str:
    return base64.b32encode(os.urandom(20)).decode()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (of now-1, now, now+1) whose code this is, or None."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = TOTP(base64.b32decode(secret), 6, SHA1(), STEP_SECONDS, enforce_key_length=False)  # noqa: S303 - RFC 6238 and authenticator apps use HMAC-SHA1
    step = int(now // STEP_SECONDS)
    for candidate in (step, step - 1, step + 1):
        try:
            totp.verify(code.encode(), candidate * STEP_SECONDS)
        except InvalidToken:
            continue
        return candidate
    return None


def check_code(user: CognitoIdpUser, code: str) -> None:
    """CodeMismatchException unless `code` is the user's current code and its time step is unused."""
    state = _state(user)
    with _lock:
        step = _matching_step(state.active, code, time.time()) if state.active else None
        if step is None or step <= state.last_step:
            raise CodeMismatchException("Invalid code received for user")
        state.last_step = step


def _user_of(backend: CognitoIdpBackend, access_token: str | None, session: str | None) -> tuple[CognitoIdpUser, Any]:
    if session:
        if session not in backend.sessions:
            raise NotAuthorizedError("Invalid session for the user, session is expired.")
        username, pool = backend.sessions[session]
        return backend.admin_get_user(pool.id, username), pool
    for pool in backend.user_pools.values():
        if access_token and access_token in pool.access_tokens:
            _, username = pool.access_tokens[access_token]
            return backend.admin_get_user(pool.id, username), pool
    raise NotAuthorizedError("Invalid Access Token")


def associate_software_token(self: CognitoIdpBackend, access_token: str, session: str) -> dict[str, str]:
    user, _ = _user_of(self, access_token, session)
    answer = {"SecretCode": begin_enrolment(user)}
    return {**answer, "Session": session} if session else answer


def begin_enrolment(user: CognitoIdpUser) -> str:
    """A new pending secret for the user (AssociateSoftwareToken; the hosted UI's setup page)."""
    state = _state(user)
    state.pending = new_secret()
    return state.pending


def verify_pending(user: CognitoIdpUser, code: str) -> None:
    """The pending secret becomes the user's token when `code` is its current code; else CodeMismatchException."""
    state = _state(user)
    with _lock:
        step = _matching_step(state.pending, code or "", time.time()) if state.pending else None
        if step is None:
            raise CodeMismatchException("Invalid code received for user")
        state.active, state.pending, state.last_step = state.pending, None, step
    user.token_verified = True


def enable(user: CognitoIdpUser) -> None:
    """TOTP is the user's MFA from now on (what answering MFA_SETUP does)."""
    user.software_token_mfa_enabled = True
    user.preferred_mfa_setting = "SOFTWARE_TOKEN_MFA"


def needs_setup(pool: CognitoIdpUserPool, username: str) -> bool:
    user = pools.user(pool, username)
    return user is not None and not _state(user).active


def verify_software_token(self: CognitoIdpBackend, access_token: str, session: str, user_code: str,
                          friendly_device_name: str) -> dict[str, str]:
    user, pool = _user_of(self, access_token, session)
    verify_pending(user, user_code)
    if not session:  # a signed-in user adding TOTP: only SetUserMFAPreference makes it the one used
        return {"Status": "SUCCESS"}
    new_session = token_state.new_session_id()
    self.sessions[new_session] = (user.username, pool)
    _VERIFIED_SESSIONS.get()[new_session] = True
    return {"Status": "SUCCESS", "Session": new_session}


def _checking_challenges(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def respond(self: CognitoIdpBackend, session: str, client_id: str, challenge_name: str,
                challenge_responses: dict[str, str], *args: Any, **kwargs: Any) -> Any:
        if challenge_name == "SOFTWARE_TOKEN_MFA":
            user, _ = _user_of(self, None, session)
            check_code(user, challenge_responses.get("SOFTWARE_TOKEN_MFA_CODE") or "")
        if challenge_name == "MFA_SETUP":
            if session not in self.sessions:
                raise NotAuthorizedError("Invalid session for the user, session is expired.")
            if _VERIFIED_SESSIONS.get().pop(session, None) is None:
                raise NotAuthorizedError("MFA_SETUP needs the session VerifySoftwareToken returned: "
                                         "associate and verify a software token first.")
            user, _ = _user_of(self, None, session)
            enable(user)
        answer = original(self, session, client_id, challenge_name, challenge_responses, *args, **kwargs)
        return with_string_parameters(answer)

    return respond


class MfaSetupNeeded(Exception):
    """Raised where tokens would be minted for a user of an MFA-required pool who has no software token yet."""

    def __init__(self, username: str, pool: CognitoIdpUserPool) -> None:
        super().__init__(username)
        self.username = username
        self.pool = pool


def require_setup(pool: CognitoIdpUserPool, username: str) -> None:
    """MfaSetupNeeded when the pool requires MFA (MfaConfiguration ON) and the user has no verified token:
    moto's password sign-in would otherwise hand out tokens without a second factor."""
    user = pools.user(pool, username)
    if pool.mfa_config == "ON" and user is not None and not _state(user).active:
        raise MfaSetupNeeded(str(user.username), pool)


def with_string_parameters(answer: Any) -> Any:
    """ChallengeParameters is a map of strings: Cognito sends MFAS_CAN_SETUP as a JSON-encoded list
    ('["SOFTWARE_TOKEN_MFA"]'), which clients such as Amplify JSON.parse; moto sends a list."""
    parameters = answer.get("ChallengeParameters") if isinstance(answer, dict) else None
    if parameters:
        answer["ChallengeParameters"] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in parameters.items()}
    return answer


def setup_challenge(backend: CognitoIdpBackend, needed: MfaSetupNeeded) -> dict[str, Any]:
    session = token_state.new_session_id()
    backend.sessions[session] = (needed.username, needed.pool)
    return {"ChallengeName": "MFA_SETUP", "Session": session,
            "ChallengeParameters": {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}}


def requires_challenge(pool: CognitoIdpUserPool, username: str) -> bool:
    """Whether this user's sign-in needs a second factor (a code, or setting up a token first)."""
    user = pools.user(pool, username)
    return pool.mfa_config == "ON" or bool(user is not None and user.software_token_mfa_enabled)


PATCHES = (patches.replace(CognitoIdpBackend, "associate_software_token", associate_software_token),
           patches.replace(CognitoIdpBackend, "verify_software_token", verify_software_token),
           patches.wrap(CognitoIdpBackend, "respond_to_auth_challenge", _checking_challenges))
