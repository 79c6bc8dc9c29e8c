"""claimsctl's pytest plugin (entry point `pytest11`): the `claims_stack` fixture and the isolation between tests.

Nothing starts unless a test asks for `claims_stack` (or `claims_reset`). The project folder is
`--claims-project DIR`, the ini option `claims_project`, or pytest's rootdir. Each test that used the stack
is followed by a restore (users, clients and rows made by it are gone), unless the ini option
`claims_isolation = off`. Under pytest-xdist each worker process starts its own emulator and stack.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("claimsctl", "claimsctl test kit")
    group.addoption("--claims-project", metavar="DIR", help="The claimsctl project folder to deploy (default: rootdir).")
    group.addoption("--claims-port", metavar="PORT", type=int, default=None,
                    help="The emulator's port (default: a free one).")
    parser.addini("claims_project", "The claimsctl project folder to deploy (default: rootdir).")
    parser.addini("claims_isolation", "'on' (default): restore the stack after each test that used it; 'off'.",
                  default="on")


def _project_dir(config: pytest.Config) -> Path:
    given = config.getoption("claims_project") or config.getini("claims_project")
    if not given:
        return Path(config.rootpath)
    path = Path(str(given))
    return path if path.is_absolute() else Path(config.rootpath) / path


def _fail(message: str) -> None:
    pytest.fail(f"claimsctl test kit: {message}", pytrace=False)


@pytest.fixture(scope="session")
def claims_stack(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The project's stack, deployed on a local emulator of this session's (this xdist worker's) own."""
    if importlib.util.find_spec("moto") is None:
        _fail("the emulator is not installed: pip install 'claimsctl[local]'")
    from claimsctl.testing.stack import ClaimsStack, SetupFailed

    try:
        stack = ClaimsStack(_project_dir(request.config), request.config.getoption("claims_port") or 0).open()
    except SetupFailed as exc:
        failure: str | None = str(exc)
    else:
        failure = None
    if failure is not None:  # failed outside the except block: pytest shows the message alone, not the chain
        _fail(failure)
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture
def claims_reset(claims_stack: Any) -> Any:
    """The stack restored to what deploy left, before this test."""
    claims_stack.reset()
    return claims_stack


@pytest.fixture(autouse=True)
def _claims_isolation(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that used the stack, restore it (cheap: no redeploy). Asks for nothing otherwise."""
    used = "claims_stack" in request.fixturenames or "claims_reset" in request.fixturenames
    yield
    if used and str(request.config.getini("claims_isolation")).lower() != "off":
        request.getfixturevalue("claims_stack").reset()
