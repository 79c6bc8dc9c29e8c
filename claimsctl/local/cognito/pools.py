"""Finding the emulator's user pools, whatever account and region they live in (backends that exist only)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool, cognitoidp_backends

from claimsctl.local import urls


def _backends() -> Iterator[CognitoIdpBackend]:
    # dict.values: iterating moto's BackendDicts directly would create a backend for every region
    for account_backends in dict.values(cognitoidp_backends):
        yield from dict.values(account_backends)


def user(pool: CognitoIdpUserPool, username: str) -> Any:
    """The pool's user by name or alias (moto's private lookup, which usernames.py makes case-aware), or None.
    The one place outside the extension points that calls it."""
    return pool._get_user(username)


def all_pools() -> list[CognitoIdpUserPool]:
    return [pool for backend in _backends() for pool in backend.user_pools.values()]


def of_client(client_id: str) -> CognitoIdpUserPool | None:
    """The pool that has this app client, in any region's backend."""
    return next((pool for pool in all_pools() if client_id in pool.clients), None)


def by_id(pool_id: str) -> CognitoIdpUserPool | None:
    return next((pool for pool in all_pools() if pool.id == pool_id), None)


def by_arn(arn: str) -> CognitoIdpUserPool | None:
    return next((pool for pool in all_pools() if pool.arn == arn), None)


def for_domain(domain: str) -> CognitoIdpUserPool | None:
    """The pool a hosted-UI domain prefix belongs to."""
    for backend in _backends():
        entry = backend.user_pool_domains.get(domain)
        if entry is not None:
            return backend.user_pools.get(entry.user_pool_id)  # type: ignore[no-any-return]
    return None


def replace_token_maps(pool: CognitoIdpUserPool, access: Any, id_tokens: Any, refresh: Any) -> None:
    """Put the emulator's token maps (token_state) where moto keeps every token it ever issued, per pool."""
    pool.access_tokens = access
    pool.id_tokens = id_tokens
    pool.refresh_tokens = refresh


def replace_sessions(backend: CognitoIdpBackend, sessions: Any) -> None:
    """Put the emulator's expiring sign-in sessions (token_state) where moto keeps every session forever."""
    backend.sessions = sessions


T = TypeVar("T")
_attach_lock = threading.Lock()


def attached(owner: Any, attribute: str, make: Callable[[], T]) -> T:
    """The emulator's state kept on a moto object (a pool, a user), made on first use, once even when
    threads race: it lives and dies with that object."""
    found: T | None = getattr(owner, attribute, None)
    if found is None:
        with _attach_lock:
            found = getattr(owner, attribute, None)
            if found is None:
                found = make()
                setattr(owner, attribute, found)
    return found


urls.register("hosted-ui", for_domain)
