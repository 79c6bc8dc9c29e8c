"""The hosted UI's second step for users with MFA: a TOTP code, or setting up an authenticator first.

After a right password, a user who needs a second factor gets a one-time MFA step instead of tokens: a
random id (carried in the form) naming the pool, the user and the authorization request. The step lasts
3 minutes (Cognito's default AuthSessionValidity) and 5 wrong codes end it; at most 10,000 are open.
Codes are checked by the same rules as the API's (claimsctl/local/cognito/totp.py): RFC 6238, good once.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from moto.cognitoidp.exceptions import CodeMismatchException
from moto.cognitoidp.models import CognitoIdpUserPool

from claimsctl.local import clock, state
from claimsctl.local.cognito import pools, totp

STEP_SECONDS = 180
MAX_ATTEMPTS = 5
MAX_OPEN = 10_000


@dataclass
class MfaStep:
    pool_id: str
    username: str
    params: dict[str, str]  # the authorization request, to complete it afterwards
    secret: str | None  # set while the user is setting up an authenticator
    created: float = field(default_factory=lambda: clock.monotonic())
    attempts: int = 0


_STEPS: state.Slot[dict[str, MfaStep]] = state.Slot(dict)
_lock = threading.Lock()


def start(pool: CognitoIdpUserPool, username: str, params: dict[str, str]) -> tuple[str, MfaStep]:
    user = pools.user(pool, username)
    secret = totp.begin_enrolment(user) if totp.needs_setup(pool, username) else None
    step = MfaStep(pool.id, username, dict(params), secret)
    step_id = secrets.token_urlsafe(32)
    with _lock:
        now = clock.monotonic()
        for stale in [k for k, s in _STEPS.get().items() if now - s.created > STEP_SECONDS]:
            del _STEPS.get()[stale]
        while len(_STEPS.get()) >= MAX_OPEN:
            del _STEPS.get()[next(iter(_STEPS.get()))]
        _STEPS.get()[step_id] = step
    return step_id, step


def find(step_id: str, pool_id: str) -> MfaStep | None:
    with _lock:
        step = _STEPS.get().get(step_id)
        if step is None or step.pool_id != pool_id or clock.monotonic() - step.created > STEP_SECONDS:
            return None
        return step


def answer(step_id: str, pool: CognitoIdpUserPool, code: str) -> MfaStep:
    """The step, done, when `code` is right; ValueError (with the page's message) when it is not."""
    step = find(step_id, pool.id)
    if step is None:
        raise LookupError("This sign-in has expired; sign in again.")
    user = pools.user(pool, step.username)
    try:
        if step.secret is not None:
            totp.verify_pending(user, code.strip())
            totp.enable(user)
        else:
            totp.check_code(user, code.strip())
    except CodeMismatchException:
        step.attempts += 1
        if step.attempts >= MAX_ATTEMPTS:
            with _lock:
                _STEPS.get().pop(step_id, None)
            raise LookupError("Too many wrong codes; sign in again.") from None
        raise ValueError("That code is not right, or was already used. Enter the current code.") from None
    with _lock:
        _STEPS.get().pop(step_id, None)
    return step
