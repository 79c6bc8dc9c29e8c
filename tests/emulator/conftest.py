"""Clients of the session's emulator that the emulator tests share."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def idp(clients: Any) -> Any:
    return clients("cognito-idp")


@pytest.fixture
def lam(clients: Any) -> Any:
    return clients("lambda")
