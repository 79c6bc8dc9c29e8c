"""Installs every claimsctl extension into moto, once, after checking the extension points still exist.

moto is pinned (setup.cfg) because these are internal hooks: if an upgrade moves one, the emulator refuses
to start with a message naming it, rather than running with a silently missing feature. What is patched is
declared by each module in ORDER (see patches.py); the points checked are derived from those declarations.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

MOTO_VERSION = "5.2.1"
# The one order the extensions are applied in. Models first (defining a model registers it with moto);
# cfn.service after every service's models, since it refreshes moto's model registry; dispatch last, since
# it caches the response classes' methods as the others left them.
ORDER = (
    "claimsctl.local.untracked",
    "claimsctl.local.apigateway.cfn",
    "claimsctl.local.apigateway.stages",
    "claimsctl.local.cloudfront.cfn",
    "claimsctl.local.cognito.cfn",
    "claimsctl.local.s3.cfn",
    "claimsctl.local.s3.policy",
    "claimsctl.local.cfn.service",
    "claimsctl.local.cognito.service",
    "claimsctl.local.lambda_runtime.service",
    "claimsctl.local.dispatch",
)
_installed = False


class ExtensionPointMissing(RuntimeError):
    """moto no longer has something the emulator patches."""


def _modules() -> tuple[list[ModuleType], list[str]]:
    """The extension modules, and what could not be imported (a moto module or class that moved)."""
    found, missing = [], []
    for name in ORDER:
        try:
            found.append(importlib.import_module(name))
        except ImportError as exc:
            missing.append(f"{exc.name or exc} (imported by {name})")
    return found, missing


def extension_points() -> list[str]:
    """Every moto internal the extensions patch or read, derived from their declarations."""
    from claimsctl.local import patches

    return patches.points(_modules()[0])


def _resolves(point: str) -> bool:
    parts = point.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute, None)
            if target is None:
                return False
        return True
    return False


def check_extension_points() -> list[str]:
    """Names of the extension points that are missing (empty when all are present)."""
    import moto

    from claimsctl.local import patches

    missing = [] if moto.__version__ == MOTO_VERSION else [f"moto=={MOTO_VERSION} (found {moto.__version__})"]
    modules, unimportable = _modules()
    return missing + unimportable + [point for point in patches.points(modules) if not _resolves(point)]


def _apply_all() -> None:
    from claimsctl.local import patches

    for module in _modules()[0]:
        prepare = getattr(module, "prepare", None)
        if prepare is not None:
            prepare()
        patches.apply(patches.declared(module))


def install(endpoint_url: str, work_dir: Path) -> None:
    """Install the extensions (once per process) and start the Lambda runtime."""
    global _installed
    from claimsctl.local.lambda_runtime import service
    from claimsctl.local.lambda_runtime.pool import LambdaRuntime

    if not _installed:
        missing = check_extension_points()
        if missing:
            raise ExtensionPointMissing(
                "The local emulator cannot extend this moto: missing " + ", ".join(missing)
                + f". Install the pinned version: pip install 'moto=={MOTO_VERSION}'.")
        _apply_all()
        _installed = True
    service.set_runtime(LambdaRuntime(endpoint_url, work_dir))


def shutdown() -> None:
    from claimsctl.local.lambda_runtime import service

    try:
        service.runtime().shutdown()
    except RuntimeError:
        return
    service.set_runtime(None)
