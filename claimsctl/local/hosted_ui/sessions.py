"""The hosted UI's sign-in session: a cookie that lets /oauth2/authorize sign the user in without the form.

As Cognito's managed login: the session lasts one hour; `prompt=login` asks
for the password again; /logout ends it. Sessions are kept in memory, bounded,
and dropped when they expire.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from claimsctl.local import clock, state

COOKIE = "cognito"
LIFETIME_SECONDS = 3600
MAX_SESSIONS = 10_000


@dataclass(frozen=True)
class Session:
    pool_id: str
    username: str
    expires: float


_SESSIONS: state.Slot[dict[str, Session]] = state.Slot(dict)
_lock = threading.Lock()


def start(pool_id: str, username: str) -> str:
    """A new session id for this user (the cookie's value)."""
    session_id = secrets.token_urlsafe(32)
    now = clock.monotonic()
    with _lock:
        for stale in [sid for sid, s in _SESSIONS.get().items() if s.expires <= now]:
            del _SESSIONS.get()[stale]
        while len(_SESSIONS.get()) >= MAX_SESSIONS:
            del _SESSIONS.get()[next(iter(_SESSIONS.get()))]
        _SESSIONS.get()[session_id] = Session(pool_id, username, now + LIFETIME_SECONDS)
    return session_id


def user_of(session_id: str | None, pool_id: str) -> str | None:
    """The signed-in user of a live session of this pool, else None."""
    with _lock:
        session = _SESSIONS.get().get(session_id or "")
    if session is None or session.pool_id != pool_id or session.expires <= clock.monotonic():
        return None
    return session.username


def end(session_id: str | None) -> None:
    with _lock:
        _SESSIONS.get().pop(session_id or "", None)


def forget_all() -> None:
    """Every session ends (a test kit's restore)."""
    with _lock:
        _SESSIONS.get().clear()
